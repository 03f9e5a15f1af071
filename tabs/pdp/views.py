"""The Partial dependence tab's views: the data panel, the feature lists and four plots (the
SHAP view is in :mod:`tabs.pdp.shap_view`).

The models (two tree ensembles and a neural network trained with PyTorch Lightning) are trained
once per process by the first request that needs them (usually the data panel when the tab
opens), which shows the training's progress; later requests wait for the same training.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import numpy as np
import pandas as pd

from core.tabular import (
    MODEL_NAMES,
    TARGET,
    ModelName,
    TrainedModels,
    load_boston,
    train_models,
)
from core.tabular.pdp import PDPMethod, ale_1d, compare_models, pdp_1d, pdp_2d
from tabs.common.described import Described
from tabs.common.view import Call, View, linked
from tabs.pdp import words
from tabs.pdp.code import COMPARE_GRID, SEED, ale_code, compare_code, pdp_1d_code, pdp_2d_code
from tabs.pdp.render import (
    render_ale_vs_pdp,
    render_model_comparison,
    render_pdp_1d,
    render_pdp_2d,
)
from tabs.pdp.texts import PREVIEW_ROWS, T, feature_label

#: Default feature of each dropdown: 1D, 2D x, 2D y, compare, ALE (the seed's exercises), SHAP.
DEFAULTS = ("LSTAT", "RM", "LSTAT", "RM", "RM", "LSTAT")
#: The 2D method radio's values (what the API sends).
METHODS: tuple[PDPMethod, ...] = ("auto", "recursion", "brute")


@dataclass(frozen=True)
class Data:
    drop_b: bool = True


@dataclass(frozen=True)
class Features:
    drop_b: bool = True
    feature_1d: str = DEFAULTS[0]
    feature_x: str = DEFAULTS[1]
    feature_y: str = DEFAULTS[2]
    feature_compare: str = DEFAULTS[3]
    feature_ale: str = DEFAULTS[4]
    feature_shap: str = DEFAULTS[5]


@dataclass(frozen=True)
class Pdp1d:
    """PDP and ICE of one feature for one model."""

    drop_b: bool = True
    feature: str = linked("feature", DEFAULTS[0])
    model: ModelName = linked("model", MODEL_NAMES[0])
    ice_samples: int = 50
    centered: bool = False
    grid_resolution: int = 50


@dataclass(frozen=True)
class Pdp2d:
    drop_b: bool = True
    feature_x: str = DEFAULTS[1]
    feature_y: str = DEFAULTS[2]
    model: ModelName = MODEL_NAMES[0]
    grid_resolution: int = 50
    method: PDPMethod = METHODS[0]


@dataclass(frozen=True)
class Compare:
    drop_b: bool = True
    feature: str = DEFAULTS[3]


@dataclass(frozen=True)
class Ale:
    drop_b: bool = True
    feature: str = DEFAULTS[4]
    model: ModelName = MODEL_NAMES[0]
    bins: int = 20


@dataclass(frozen=True)
class NoSettings:
    """A view that needs nothing from the page."""


def trained_models(call: Call, drop_b: bool) -> TrainedModels:
    """The three cached models (trained once per setting of B; the page sees how far)."""
    return train_models(load_boston(), drop_b=drop_b, seed=SEED, progress=call.report)


def feature_names(drop_b: bool) -> list[str]:
    return [f for f in load_boston().feature_names if not (drop_b and f == "B")]


def descriptions(lang: str) -> pd.DataFrame:
    """Every feature and the target with its meaning, in ``lang``."""
    rows = [(f, T.text(f"meaning_{f}", lang)) for f in load_boston().feature_names]
    rows.append((TARGET, T.text("target_meaning", lang)))
    return pd.DataFrame(rows, columns=[T.text("column_feature", lang),
                                       T.text("column_meaning", lang)])


def show_descriptions(call: Call[NoSettings]) -> pd.DataFrame:
    """The feature table in the page's language (when the tab opens)."""
    return descriptions(call.lang)


def _network_summary(call: Call, trained: TrainedModels) -> str:
    """What the neural network is and how its training went, in one paragraph."""
    net = trained.neural_network
    seconds = trained.fit_seconds
    return call.text("network", widths=call.text("and").join(map(str, net.hidden_layers)),
                     batch=net.batch_size, train=len(trained.X_train) - net.n_validation_,
                     validation=net.n_validation_, epochs=net.n_epochs_,
                     best=net.best_epoch_ + 1, seconds=seconds["neural_network"],
                     device="CPU" if net.device_ == "cpu" else f"GPU ({net.device_})",
                     trees=seconds["random_forest"] + seconds["gradient_boosting"])


def show_data(call: Call[Data]) -> tuple[str, pd.DataFrame]:
    """The models' test scores (Markdown table) and the first rows of the data they use."""
    trained = trained_models(call, call.settings.drop_b)
    lines = [
        call.text("split", train=len(trained.X_train), test=len(trained.X_test),
                  seed=trained.seed,
                  b=call.text("without_b" if trained.drop_b else "with_b")),
        "",
        call.text("scores_head"),
        "|---|---|---|",
    ]
    for name in MODEL_NAMES:
        score = trained.scores[name]
        lines.append(f"| {call.text(f'model_{name}')} | {score.r2:.3f} | {score.mae:.2f} |")
    lines += ["", _network_summary(call, trained)]
    data = load_boston()
    preview = data.X[list(trained.feature_names)].head(PREVIEW_ROWS).copy()
    preview[TARGET] = data.y[:PREVIEW_ROWS]
    return "\n".join(lines), preview.round(3)


def feature_lists(call: Call[Features]):
    """New choices for the six feature dropdowns (labels in the request's language); a choice
    that is gone falls back to its default."""
    s = call.settings
    if not isinstance(s.drop_b, bool):
        raise call.refuse("not_bool", value=s.drop_b)
    names = feature_names(s.drop_b)
    choices = [(feature_label(f, call.lang), f) for f in names]
    current = (s.feature_1d, s.feature_x, s.feature_y, s.feature_compare, s.feature_ale,
               s.feature_shap)
    values = [value if value in names else default for value, default in zip(current, DEFAULTS)]
    return tuple(gr.Dropdown(choices=choices, value=value) for value in values)


def plot_1d(call: Call[Pdp1d]) -> tuple[Described, str]:
    """PDP with ICE curves (optionally centred) and the feature's histogram, plus a summary."""
    s = call.settings
    result = pdp_1d(trained_models(call, s.drop_b), model=s.model, feature=s.feature,
                    ice_samples=s.ice_samples, grid_resolution=s.grid_resolution,
                    centered=bool(s.centered), seed=SEED)
    text = call.text("pdp_1d", what=call.text("change" if result.centered else "average"),
                     start=result.average[0], low=result.grid[0], end=result.average[-1],
                     high=result.grid[-1], feature=s.feature, curves=result.ice.shape[0],
                     values=result.grid.size)
    return Described(render_pdp_1d(result, lang=call.lang), words.pdp_1d(result, call.lang)), text


def plot_2d(call: Call[Pdp2d]) -> tuple[Described, str]:
    """Filled contour of the 2D PDP with the data and the extrapolated region, plus a summary."""
    s = call.settings
    result = pdp_2d(trained_models(call, s.drop_b), model=s.model,
                    features=(s.feature_x, s.feature_y), grid_resolution=s.grid_resolution,
                    method=s.method)
    inside = result.average[~result.outside]
    text = call.text("pdp_2d", low=result.average.min(), high=result.average.max(),
                     rows=result.grid_1.size, columns=result.grid_2.size,
                     method=call.text(f"way_{result.method}"),
                     outside=100 * result.outside.mean())
    text += (call.text("inside", low=inside.min(), high=inside.max()) if inside.size else ".")
    return Described(render_pdp_2d(result, lang=call.lang), words.pdp_2d(result, call.lang)), text


def plot_compare(call: Call[Compare]) -> tuple[Described, str]:
    """All models' PDPs of one feature on one axis, where they differ most and how many
    training rows lie there (models tend to part ways where the data are sparse)."""
    s = call.settings
    result = compare_models(trained_models(call, s.drop_b), feature=s.feature,
                            grid_resolution=COMPARE_GRID)
    names = list(result.averages)
    curves = np.stack([result.averages[name] for name in names])  # (models, G)
    spread = curves.max(axis=0) - curves.min(axis=0)
    at = int(spread.argmax())
    top, bottom = (call.text(f"model_{names[i]}")
                   for i in (curves[:, at].argmax(), curves[:, at].argmin()))
    width = 2 * float(np.median(np.diff(result.grid))) if result.grid.size > 1 else 0.0
    near = int((np.abs(result.feature_values - result.grid[at]) <= width).sum())
    text = call.text("compare", count=len(names), spread=spread[at], feature=s.feature,
                     at=result.grid[at], top=top, bottom=bottom, near=near,
                     rows=result.feature_values.size, width=width, mean=spread.mean())
    return (Described(render_model_comparison(result, lang=call.lang),
                      words.comparison(result, call.lang)), text)


def plot_ale(call: Call[Ale]) -> tuple[Described, str]:
    """PDP (left) and ALE (right) of the same feature from the same model."""
    s = call.settings
    trained = trained_models(call, s.drop_b)
    ale = ale_1d(trained, model=s.model, feature=s.feature, bins=s.bins)
    pdp = pdp_1d(trained, model=s.model, feature=s.feature, ice_samples=0, grid_resolution=50,
                 seed=SEED)
    text = call.text("ale", bins=ale.bin_counts.size, feature=s.feature,
                     fewest=int(ale.bin_counts.min()), most=int(ale.bin_counts.max()),
                     low=ale.effect.min(), high=ale.effect.max())
    return (Described(render_ale_vs_pdp(ale, pdp, lang=call.lang),
                      words.ale_and_pdp(ale, pdp, call.lang)), text)


DESCRIPTIONS = View("pdp_descriptions", NoSettings, show_descriptions, T, role="setup",
                    public=False)
DATA = View("pdp_data", Data, show_data, T, role="setup", group="tabular", progress=True, keep=True)
FEATURES = View("pdp_features", Features, feature_lists, T)
PDP_1D = View("pdp_1d", Pdp1d, plot_1d, T, role="first", group="tabular", progress=True, keep=True,
              code=pdp_1d_code)
PDP_2D = View("pdp_2d", Pdp2d, plot_2d, T, group="tabular", progress=True, keep=True,
              code=pdp_2d_code)
COMPARE = View("pdp_compare", Compare, plot_compare, T, group="tabular", progress=True, keep=True,
               code=compare_code)
ALE = View("pdp_ale", Ale, plot_ale, T, group="tabular", progress=True, keep=True,
           code=ale_code)
