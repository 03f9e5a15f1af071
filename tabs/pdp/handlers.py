"""The Partial dependence tab's handlers: the data panel, the feature lists and four plots.

The models (two tree ensembles and a neural network trained with PyTorch Lightning) are trained
once per process by the first request that needs them (usually the data panel when the page
loads), which shows the training's progress; later requests wait for the same training.
Sentences and figures are in the request's language; errors raised by ``core`` stay English.
"""

from __future__ import annotations

import gradio as gr
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from core.tabular import (
    MODEL_NAMES,
    TARGET,
    TrainedModels,
    feature_label,
    load_boston,
    train_models,
)
from core.tabular.pdp import ale_1d, compare_models, pdp_1d, pdp_2d
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.i18n import request_language
from tabs.common.render.pdp import (
    render_ale_vs_pdp,
    render_model_comparison,
    render_pdp_1d,
    render_pdp_2d,
)
from tabs.pdp.texts import PREVIEW_ROWS, T

SEED = 0
#: Default feature of each dropdown: 1D, 2D x, 2D y, compare, ALE (the seed's exercises).
DEFAULTS = ("LSTAT", "RM", "LSTAT", "RM", "RM")


def _trained(drop_b: bool, progress: gr.Progress | None = None) -> TrainedModels:
    """The three cached models (trained once per setting of B; ``progress`` shows how far)."""
    report = None if progress is None else (lambda fraction, text: progress(fraction, desc=text))
    return train_models(load_boston(), drop_b=drop_b, seed=SEED, progress=report)


def feature_names(drop_b: bool) -> list[str]:
    return [f for f in load_boston().feature_names if not (drop_b and f == "B")]


def descriptions(lang: str) -> pd.DataFrame:
    """Every feature and the target with its meaning, in ``lang``."""
    data = load_boston()
    meanings = data.descriptions_de if lang == "de" else data.descriptions
    rows = [(f, meanings[f]) for f in data.feature_names]
    rows.append((TARGET, T.text("target_meaning", lang)))
    return pd.DataFrame(rows, columns=[T.text("column_feature", lang),
                                       T.text("column_meaning", lang)])


def show_descriptions(ctx: TabContext, request: gr.Request) -> pd.DataFrame:
    """The feature table in the page's language (on page load)."""
    return descriptions(request_language(request, ctx.lang))


def _network_summary(trained: TrainedModels, lang: str) -> str:
    """What the neural network is and how its training went, in one paragraph."""
    net = trained.neural_network
    seconds = trained.fit_seconds
    return T.text("network", lang, widths=T.text("and", lang).join(map(str, net.hidden_layers)),
                  batch=net.batch_size, train=len(trained.X_train) - net.n_validation_,
                  validation=net.n_validation_, epochs=net.n_epochs_, best=net.best_epoch_ + 1,
                  seconds=seconds["neural_network"],
                  device="CPU" if net.device_ == "cpu" else f"GPU ({net.device_})",
                  trees=seconds["random_forest"] + seconds["gradient_boosting"])


@user_errors
def show_data(ctx: TabContext, drop_b: bool, progress=gr.Progress(),
              request: gr.Request | None = None) -> tuple[str, pd.DataFrame]:
    """The models' test scores (Markdown table) and the first rows of the data they use."""
    lang = request_language(request, ctx.lang)
    trained = _trained(drop_b, progress)
    lines = [
        T.text("split", lang, train=len(trained.X_train), test=len(trained.X_test),
               seed=trained.seed, b=T.text("without_b" if trained.drop_b else "with_b", lang)),
        "",
        T.text("scores_head", lang),
        "|---|---|---|",
    ]
    for name in MODEL_NAMES:
        score = trained.scores[name]
        lines.append(f"| {T.text(f'model_{name}', lang)} | {score.r2:.3f} | {score.mae:.2f} |")
    lines += ["", _network_summary(trained, lang)]
    data = load_boston()
    preview = data.X[list(trained.feature_names)].head(PREVIEW_ROWS).copy()
    preview[TARGET] = data.y[:PREVIEW_ROWS]
    return "\n".join(lines), preview.round(3)


@user_errors
def feature_lists(ctx: TabContext, drop_b: bool, feature_1d: str, feature_x: str, feature_y: str,
                  feature_compare: str, feature_ale: str, request: gr.Request | None = None):
    """New choices for the five feature dropdowns (labels in the request's language); a choice
    that is gone falls back to its default."""
    lang = request_language(request, ctx.lang)
    if not isinstance(drop_b, bool):
        raise ValueError(T.text("not_bool", lang, value=drop_b))
    names = feature_names(drop_b)
    choices = [(feature_label(f, lang), f) for f in names]
    current = (feature_1d, feature_x, feature_y, feature_compare, feature_ale)
    values = [value if value in names else default for value, default in zip(current, DEFAULTS)]
    return tuple(gr.Dropdown(choices=choices, value=value) for value in values)


@user_errors
def plot_1d(ctx: TabContext, drop_b: bool, feature: str, model: str, ice_samples: int,
            centered: bool, grid_resolution: int, progress=gr.Progress(),
            request: gr.Request | None = None) -> tuple[Figure, str]:
    """PDP with ICE curves (optionally centred) and the feature's histogram, plus a summary."""
    lang = request_language(request, ctx.lang)
    result = pdp_1d(_trained(drop_b, progress), model=model, feature=feature,
                    ice_samples=ice_samples, grid_resolution=grid_resolution,
                    centered=bool(centered), seed=SEED)
    text = T.text("pdp_1d", lang, what=T.text("change" if result.centered else "average", lang),
                  start=result.average[0], low=result.grid[0], end=result.average[-1],
                  high=result.grid[-1], feature=feature, curves=result.ice.shape[0],
                  values=result.grid.size)
    return render_pdp_1d(result, lang=lang), text


@user_errors
def plot_2d(ctx: TabContext, drop_b: bool, feature_x: str, feature_y: str, model: str,
            grid_resolution: int, method: str, progress=gr.Progress(),
            request: gr.Request | None = None) -> tuple[Figure, str]:
    """Filled contour of the 2D PDP with the data and the extrapolated region, plus a summary."""
    lang = request_language(request, ctx.lang)
    result = pdp_2d(_trained(drop_b, progress), model=model, features=(feature_x, feature_y),
                    grid_resolution=grid_resolution, method=method)
    inside = result.average[~result.outside]
    text = T.text("pdp_2d", lang, low=result.average.min(), high=result.average.max(),
                  rows=result.grid_1.size, columns=result.grid_2.size,
                  method=T.text(f"way_{result.method}", lang),
                  outside=100 * result.outside.mean())
    text += (T.text("inside", lang, low=inside.min(), high=inside.max()) if inside.size else ".")
    return render_pdp_2d(result, lang=lang), text


@user_errors
def plot_compare(ctx: TabContext, drop_b: bool, feature: str, progress=gr.Progress(),
                 request: gr.Request | None = None) -> tuple[Figure, str]:
    """All models' PDPs of one feature on one axis, where they differ most and how many
    training rows lie there (models tend to part ways where the data are sparse)."""
    lang = request_language(request, ctx.lang)
    result = compare_models(_trained(drop_b, progress), feature=feature, grid_resolution=50)
    names = list(result.averages)
    curves = np.stack([result.averages[name] for name in names])  # (models, G)
    spread = curves.max(axis=0) - curves.min(axis=0)
    at = int(spread.argmax())
    top, bottom = (T.text(f"model_{names[i]}", lang)
                   for i in (curves[:, at].argmax(), curves[:, at].argmin()))
    width = 2 * float(np.median(np.diff(result.grid))) if result.grid.size > 1 else 0.0
    near = int((np.abs(result.feature_values - result.grid[at]) <= width).sum())
    text = T.text("compare", lang, count=len(names), spread=spread[at], feature=feature,
                  at=result.grid[at], top=top, bottom=bottom, near=near,
                  rows=result.feature_values.size, width=width, mean=spread.mean())
    return render_model_comparison(result, lang=lang), text


@user_errors
def plot_ale(ctx: TabContext, drop_b: bool, feature: str, model: str, bins: int,
             progress=gr.Progress(), request: gr.Request | None = None) -> tuple[Figure, str]:
    """PDP (left) and ALE (right) of the same feature from the same model."""
    lang = request_language(request, ctx.lang)
    trained = _trained(drop_b, progress)
    ale = ale_1d(trained, model=model, feature=feature, bins=bins)
    pdp = pdp_1d(trained, model=model, feature=feature, ice_samples=0, grid_resolution=50,
                 seed=SEED)
    text = T.text("ale", lang, bins=ale.bin_counts.size, feature=feature,
                  fewest=int(ale.bin_counts.min()), most=int(ale.bin_counts.max()),
                  low=ale.effect.min(), high=ale.effect.max())
    return render_ale_vs_pdp(ale, pdp, lang=lang), text
