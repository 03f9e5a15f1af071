"""Partial dependence tab: PDP + ICE, 2D PDP, three models compared, ALE next to the PDP.

All computation lives in ``core.tabular.pdp`` (scikit-learn's ``partial_dependence``), all drawing in
``tabs.common.render.pdp``; the handlers here pick the cached models and turn results into figures.
The models (two tree ensembles and a neural network trained with PyTorch Lightning) are trained
once per process by the first request that needs them (usually the data panel when the page
loads), which shows the training's progress; later requests wait for the same training.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from typing import Iterator

import gradio as gr
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from core.tabular import (
    MODEL_NAMES,
    MODEL_TITLES,
    TARGET,
    TrainedModels,
    feature_label,
    load_boston,
    train_models,
)
from core.tabular.pdp import ale_1d, compare_models, pdp_1d, pdp_2d
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.render.pdp import (
    render_ale_vs_pdp,
    render_model_comparison,
    render_pdp_1d,
    render_pdp_2d,
)

TITLE = "Partial dependence"
SEED = 0
PREVIEW_ROWS = 10
#: Default feature of each dropdown: 1D, 2D x, 2D y, compare, ALE (the seed's exercises).
DEFAULTS = ("LSTAT", "RM", "LSTAT", "RM", "RM")
METHODS = [("auto: recursion for the trees, brute for the network", "auto"),
           ("recursion (fast, tree models only)", "recursion"),
           ("brute: average over all rows (slow)", "brute")]

_TARGET_MEANING = {
    "en": "Median value of owner-occupied homes (in $1000s, 1970 dollars); the target.",
    "de": "Medianwert der selbst bewohnten Häuser (in 1000 $, Dollar von 1970); die Zielgröße.",
}
_NOTE_ON_B = {
    "en": (
        "**A note on the feature B.** The original data contain `B = 1000·(Bk − 0.63)²`, where "
        "*Bk* is the share of Black residents of the town. It encodes race, rests on a "
        "questionable assumption about segregation, and a model that uses it can reproduce "
        "discrimination; scikit-learn removed this data set for that reason. The lab trains "
        "**without B** by default and then offers B nowhere. Switch it on only to see what "
        "changes, and ask what a plot of B would be used for, and by whom."
    ),
    "de": (
        "**Ein Hinweis zum Merkmal B.** Die Originaldaten enthalten `B = 1000·(Bk − 0,63)²`, "
        "wobei *Bk* der Anteil schwarzer Einwohner der Stadt ist. Es kodiert Herkunft, beruht "
        "auf einer fragwürdigen Annahme über Segregation, und ein Modell, das es nutzt, kann "
        "Diskriminierung fortschreiben; scikit-learn hat den Datensatz deshalb entfernt. Das Lab "
        "trainiert standardmäßig **ohne B** und bietet B dann nirgends an. Schalte es nur ein, "
        "um zu sehen, was sich ändert, und frage dich, wofür ein Plot von B verwendet würde – "
        "und von wem."
    ),
}


def _trained(drop_b: bool, progress: gr.Progress | None = None) -> TrainedModels:
    """The three cached models (trained once per setting of B; ``progress`` shows how far)."""
    report = None if progress is None else (lambda fraction, text: progress(fraction, desc=text))
    return train_models(load_boston(), drop_b=drop_b, seed=SEED, progress=report)


def _feature_names(drop_b: bool) -> list[str]:
    return [f for f in load_boston().feature_names if not (drop_b and f == "B")]


def _feature_choices(names: list[str], lang: str) -> list[tuple[str, str]]:
    return [(feature_label(f, lang), f) for f in names]


def _descriptions(lang: str) -> pd.DataFrame:
    data = load_boston()
    meanings = data.descriptions_de if lang == "de" else data.descriptions
    rows = [(f, meanings[f]) for f in data.feature_names] + [(TARGET, _TARGET_MEANING[lang])]
    return pd.DataFrame(rows, columns=["feature", "meaning (unit)"])


def _network_summary(trained: TrainedModels) -> str:
    """What the neural network is and how its training went, in one paragraph."""
    net = trained.neural_network
    widths = " and ".join(str(w) for w in net.hidden_layers)
    trees = trained.fit_seconds["random_forest"] + trained.fit_seconds["gradient_boosting"]
    device = "CPU" if net.device_ == "cpu" else f"GPU ({net.device_})"
    return (f"The **neural network** is a multi-layer perceptron (hidden layers of {widths} "
            f"SiLU units) on standardised features, trained with PyTorch Lightning (AdamW, "
            f"mini-batches of {net.batch_size}) on {len(trained.X_train) - net.n_validation_} "
            f"training rows; the other {net.n_validation_} training rows decide when to stop "
            f"(early stopping). It ran {net.n_epochs_} epochs and kept the weights of epoch "
            f"{net.best_epoch_ + 1}; training took {trained.fit_seconds['neural_network']:.1f} s "
            f"on the {device} (both tree models: {trees:.1f} s).")


@user_errors
def show_data(ctx: TabContext, drop_b: bool,
              progress=gr.Progress()) -> tuple[str, pd.DataFrame]:
    """The models' test scores (Markdown table) and the first rows of the data they use."""
    trained = _trained(drop_b, progress)
    lines = [
        f"Trained on {len(trained.X_train)} rows, tested on the other {len(trained.X_test)} "
        f"(fixed split and seed {trained.seed}), **{'without' if trained.drop_b else 'with'} B**.",
        "",
        "| model | test R² | test MAE (MEDV in $1000s) |",
        "|---|---|---|",
    ]
    for name in MODEL_NAMES:
        score = trained.scores[name]
        lines.append(f"| {MODEL_TITLES[name]} | {score.r2:.3f} | {score.mae:.2f} |")
    lines += ["", _network_summary(trained)]
    data = load_boston()
    preview = data.X[list(trained.feature_names)].head(PREVIEW_ROWS).copy()
    preview[TARGET] = data.y[:PREVIEW_ROWS]
    return "\n".join(lines), preview.round(3)


@user_errors
def feature_lists(ctx: TabContext, drop_b: bool, *current: str):
    """New choices for the five feature dropdowns; a choice that is gone falls back to its default."""
    if not isinstance(drop_b, bool):
        raise ValueError(f"'Train without B' must be True or False, got {drop_b!r}.")
    names = _feature_names(drop_b)
    choices = _feature_choices(names, ctx.lang)
    values = [value if value in names else default for value, default in zip(current, DEFAULTS)]
    return tuple(gr.Dropdown(choices=choices, value=value) for value in values)


@user_errors
def plot_1d(ctx: TabContext, drop_b: bool, feature: str, model: str, ice_samples: int,
            centered: bool, grid_resolution: int, progress=gr.Progress()) -> tuple[Figure, str]:
    """PDP with ICE curves (optionally centred) and the feature's histogram, plus a summary."""
    result = pdp_1d(_trained(drop_b, progress), model=model, feature=feature,
                    ice_samples=ice_samples, grid_resolution=grid_resolution,
                    centered=bool(centered), seed=SEED)
    what = "change of the prediction" if result.centered else "average prediction"
    text = (f"PDP ({what}) from **{result.average[0]:.1f}** at {feature} = {result.grid[0]:.3g} "
            f"to **{result.average[-1]:.1f}** at {feature} = {result.grid[-1]:.3g} "
            f"(MEDV in $1000s); {result.ice.shape[0]} ICE curves, {result.grid.size} grid values.")
    return render_pdp_1d(result, lang=ctx.lang), text


@user_errors
def plot_2d(ctx: TabContext, drop_b: bool, feature_x: str, feature_y: str, model: str,
            grid_resolution: int, method: str, progress=gr.Progress()) -> tuple[Figure, str]:
    """Filled contour of the 2D PDP with the data and the extrapolated region, plus a summary."""
    result = pdp_2d(_trained(drop_b, progress), model=model, features=(feature_x, feature_y),
                    grid_resolution=grid_resolution, method=method)
    inside = result.average[~result.outside]
    text = (f"Predicted MEDV from **{result.average.min():.1f}** to **{result.average.max():.1f}** "
            f"($1000s) on a {result.grid_1.size} × {result.grid_2.size} grid "
            f"({result.method}); **{100 * result.outside.mean():.0f} %** of the grid has no "
            f"training row nearby (hatched)"
            + (f"; where the data are, from {inside.min():.1f} to {inside.max():.1f}." if inside.size
               else "."))
    return render_pdp_2d(result, lang=ctx.lang), text


@user_errors
def plot_compare(ctx: TabContext, drop_b: bool, feature: str,
                 progress=gr.Progress()) -> tuple[Figure, str]:
    """All models' PDPs of one feature on one axis, where they differ most and how many
    training rows lie there (models tend to part ways where the data are sparse)."""
    result = compare_models(_trained(drop_b, progress), feature=feature, grid_resolution=50)
    names = list(result.averages)
    curves = np.stack([result.averages[name] for name in names])  # (models, G)
    spread = curves.max(axis=0) - curves.min(axis=0)
    at = int(spread.argmax())
    top, bottom = (MODEL_TITLES[names[i]] for i in (curves[:, at].argmax(), curves[:, at].argmin()))
    width = 2 * float(np.median(np.diff(result.grid))) if result.grid.size > 1 else 0.0
    near = int((np.abs(result.feature_values - result.grid[at]) <= width).sum())
    text = (f"The {len(names)} PDPs differ by at most **{spread[at]:.2f}** ($1000s), at "
            f"{feature} = {result.grid[at]:.3g} ({top} highest, {bottom} lowest), where "
            f"**{near} of {result.feature_values.size}** training rows lie within ±{width:.2g}; "
            f"on average they differ by {spread.mean():.2f}.")
    return render_model_comparison(result, lang=ctx.lang), text


@user_errors
def plot_ale(ctx: TabContext, drop_b: bool, feature: str, model: str,
             bins: int, progress=gr.Progress()) -> tuple[Figure, str]:
    """PDP (left) and ALE (right) of the same feature from the same model."""
    trained = _trained(drop_b, progress)
    ale = ale_1d(trained, model=model, feature=feature, bins=bins)
    pdp = pdp_1d(trained, model=model, feature=feature, ice_samples=0, grid_resolution=50,
                 seed=SEED)
    text = (f"ALE over {ale.bin_counts.size} bins (quantiles of {feature}, "
            f"{int(ale.bin_counts.min())}–{int(ale.bin_counts.max())} rows each); "
            f"effect from {ale.effect.min():.1f} to {ale.effect.max():.1f} ($1000s).")
    return render_ale_vs_pdp(ale, pdp, lang=ctx.lang), text


class PlotPanel:
    """A sub-tab's outputs: the figure and its one-line summary (set when the panel closes)."""

    plot: gr.Plot
    text: gr.Markdown

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [self.plot, self.text]


@contextmanager
def plot_panel(title: str, elem_id: str) -> Iterator[PlotPanel]:
    """A sub-tab with the controls built in the ``with`` body on the left, the plot on the right."""
    panel = PlotPanel()
    with gr.Tab(title), gr.Row():
        with gr.Column(scale=1, min_width=320):
            yield panel
        with gr.Column(scale=3):
            panel.plot = gr.Plot(format="png", show_label=False, elem_id=elem_id)
            panel.text = gr.Markdown()


def _feature_dropdown(choices, value: str, label: str, elem_id: str) -> gr.Dropdown:
    # core validates features (and explains a missing B) with better sentences than Gradio's
    # "not in the list of choices", so values outside the choices reach it.
    return gr.Dropdown(choices, value=value, label=label, elem_id=elem_id,
                       allow_custom_value=True)


def build(ctx: TabContext, demo: gr.Blocks) -> None:
    """Create the tab's components inside the current ``gr.Tab``; data and scores load lazily."""
    lang = ctx.lang
    choices = _feature_choices(_feature_names(True), lang)
    model_choices = [(MODEL_TITLES[name], name) for name in MODEL_NAMES]
    gr.Markdown("How does a model's prediction of a Boston house price (MEDV, in $1000s) "
                "move when one or two features change? Random forest, gradient boosting and a "
                "small neural network (trained with PyTorch Lightning when the page first "
                "loads), all on the Boston housing data that ship with the lab.")
    with gr.Accordion("Data and models: Boston housing (506 census tracts, 1970)", open=False):
        gr.Markdown(_NOTE_ON_B[lang])
        drop_b = gr.Checkbox(value=True, label="Train without B", elem_id="pdp-drop-b")
        scores = gr.Markdown(elem_id="pdp-scores")
        with gr.Row():
            gr.Dataframe(_descriptions(lang), label="Features", interactive=False, wrap=True,
                         column_widths=["15%", "85%"])
            preview = gr.Dataframe(label=f"First {PREVIEW_ROWS} rows", interactive=False)

    with gr.Tabs():
        with plot_panel("1D: PDP and ICE", "pdp-1d") as panel_1d:
            feature_1d = _feature_dropdown(choices, DEFAULTS[0], "Feature", "pdp-1d-feature")
            model_1d = gr.Radio(model_choices, value=MODEL_NAMES[0], label="Model")
            ice = gr.Slider(0, 200, value=50, step=1, label="ICE curves (sampled rows)")
            centered = gr.Checkbox(value=False, label="Centred ICE (all start at 0)")
            grid_1d = gr.Slider(5, 100, value=50, step=1, label="Grid resolution")
            run_1d = gr.Button("Plot PDP and ICE", variant="primary", elem_id="pdp-1d-run")
        with plot_panel("2D: two features", "pdp-2d") as panel_2d:
            feature_x = _feature_dropdown(choices, DEFAULTS[1], "Feature (x axis)", "pdp-2d-x")
            feature_y = _feature_dropdown(choices, DEFAULTS[2], "Feature (y axis)", "pdp-2d-y")
            model_2d = gr.Radio(model_choices, value=MODEL_NAMES[0], label="Model")
            grid_2d = gr.Slider(10, 100, value=50, step=1, label="Grid resolution")
            method = gr.Radio(METHODS, value="auto", label="Method")
            run_2d = gr.Button("Plot 2D PDP", variant="primary", elem_id="pdp-2d-run")
        with plot_panel("Compare models", "pdp-compare") as panel_cmp:
            feature_cmp = _feature_dropdown(choices, DEFAULTS[3], "Feature", "pdp-compare-feature")
            run_cmp = gr.Button("Compare all three models", variant="primary",
                                elem_id="pdp-compare-run")
        with plot_panel("ALE vs PDP", "pdp-ale") as panel_ale:
            feature_ale = _feature_dropdown(choices, DEFAULTS[4], "Feature", "pdp-ale-feature")
            model_ale = gr.Radio(model_choices, value=MODEL_NAMES[0], label="Model")
            bins = gr.Slider(2, 100, value=20, step=1, label="ALE bins (quantiles)")
            run_ale = gr.Button("Plot ALE next to the PDP", variant="primary",
                                elem_id="pdp-ale-run")
    with gr.Accordion("Lesson", open=False):
        gr.Markdown(ctx.lesson("pdp"))

    features = [feature_1d, feature_x, feature_y, feature_cmp, feature_ale]
    gr.on([demo.load, drop_b.change], functools.partial(show_data, ctx), drop_b,
          [scores, preview], api_name="pdp_data")
    drop_b.change(functools.partial(feature_lists, ctx), [drop_b, *features], features,
                  api_name="pdp_features")
    run_1d.click(functools.partial(plot_1d, ctx),
                 [drop_b, feature_1d, model_1d, ice, centered, grid_1d], panel_1d.outputs,
                 api_name="pdp_1d")
    run_2d.click(functools.partial(plot_2d, ctx),
                 [drop_b, feature_x, feature_y, model_2d, grid_2d, method],
                 panel_2d.outputs, api_name="pdp_2d")
    run_cmp.click(functools.partial(plot_compare, ctx), [drop_b, feature_cmp],
                  panel_cmp.outputs, api_name="pdp_compare")
    run_ale.click(functools.partial(plot_ale, ctx), [drop_b, feature_ale, model_ale, bins],
                  panel_ale.outputs, api_name="pdp_ale")
