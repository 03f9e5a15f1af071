"""Partial dependence tab: PDP + ICE, 2D PDP, three models compared, ALE next to the PDP.

All computation lives in ``core.tabular.pdp`` (scikit-learn's ``partial_dependence``), all drawing
in ``tabs.common.render.pdp``; the handlers in :mod:`tabs.pdp.handlers` pick the cached models and
turn results into figures, the words (English and German) live in :mod:`tabs.pdp.texts`.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import gradio as gr

from core.tabular import MODEL_NAMES
from tabs.common.context import TabContext
from tabs.pdp.handlers import (
    DEFAULTS,
    descriptions,
    feature_lists,
    feature_names,
    plot_1d,
    plot_2d,
    plot_ale,
    plot_compare,
    show_data,
    show_descriptions,
)
from tabs.pdp.texts import T

TITLE = "Partial dependence"
#: The method radio's values (what the API sends).
METHODS = ("auto", "recursion", "brute")


class PlotPanel:
    """A sub-tab's outputs: the figure and its one-line summary (set when the panel closes)."""

    plot: gr.Plot
    text: gr.Markdown

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [self.plot, self.text]


@contextmanager
def plot_panel(title, elem_id: str) -> Iterator[PlotPanel]:
    """A sub-tab with the controls built in the ``with`` body on the left, the plot on the right."""
    panel = PlotPanel()
    with gr.Tab(title), gr.Row():
        with gr.Column(scale=1, min_width=320):
            yield panel
        with gr.Column(scale=3):
            panel.plot = gr.Plot(format="png", show_label=False, elem_id=elem_id)
            panel.text = gr.Markdown()


def _feature_dropdown(value: str, label: str, elem_id: str) -> gr.Dropdown:
    # core validates features (and explains a missing B) with better sentences than Gradio's
    # "not in the list of choices", so values outside the choices reach it.
    choices = [(T.label(f"feature_{name}"), name) for name in feature_names(True)]
    return gr.Dropdown(choices, value=value, label=T.label(label), elem_id=elem_id,
                       allow_custom_value=True)


def _model_radio() -> gr.Radio:
    return gr.Radio([(T.label(f"model_{name}"), name) for name in MODEL_NAMES],
                    value=MODEL_NAMES[0], label=T.label("model"))


def build(ctx: TabContext, demo: gr.Blocks) -> dict[str, gr.components.Component]:
    """Create the tab's components inside the current ``gr.Tab``; data and scores load lazily.

    Returns the link fields (address key → component) that a link to this view carries.
    """
    gr.Markdown(T.label("intro"))
    with gr.Accordion(T.label("data_title"), open=False):
        gr.Markdown(T.label("note_on_b"))
        drop_b = gr.Checkbox(value=True, label=T.label("drop_b"), elem_id="pdp-drop-b")
        scores = gr.Markdown(elem_id="pdp-scores")
        with gr.Row():
            table = gr.Dataframe(descriptions(ctx.lang), label=T.label("features"),
                                 interactive=False, wrap=True, column_widths=["15%", "85%"])
            preview = gr.Dataframe(label=T.label("first_rows"), interactive=False)

    with gr.Tabs():
        with plot_panel(T.label("tab_1d"), "pdp-1d") as panel_1d:
            feature_1d = _feature_dropdown(DEFAULTS[0], "feature", "pdp-1d-feature")
            model_1d = _model_radio()
            ice = gr.Slider(0, 200, value=50, step=1, label=T.label("ice"))
            centered = gr.Checkbox(value=False, label=T.label("centered"))
            grid_1d = gr.Slider(5, 100, value=50, step=1, label=T.label("grid_resolution"))
            run_1d = gr.Button(T.label("run_1d"), variant="primary", elem_id="pdp-1d-run")
        with plot_panel(T.label("tab_2d"), "pdp-2d") as panel_2d:
            feature_x = _feature_dropdown(DEFAULTS[1], "feature_x", "pdp-2d-x")
            feature_y = _feature_dropdown(DEFAULTS[2], "feature_y", "pdp-2d-y")
            model_2d = _model_radio()
            grid_2d = gr.Slider(10, 100, value=50, step=1, label=T.label("grid_resolution"))
            method = gr.Radio([(T.label(f"method_{value}"), value) for value in METHODS],
                              value="auto", label=T.label("method"))
            run_2d = gr.Button(T.label("run_2d"), variant="primary", elem_id="pdp-2d-run")
        with plot_panel(T.label("tab_compare"), "pdp-compare") as panel_cmp:
            feature_cmp = _feature_dropdown(DEFAULTS[3], "feature", "pdp-compare-feature")
            run_cmp = gr.Button(T.label("run_compare"), variant="primary",
                                elem_id="pdp-compare-run")
        with plot_panel(T.label("tab_ale"), "pdp-ale") as panel_ale:
            feature_ale = _feature_dropdown(DEFAULTS[4], "feature", "pdp-ale-feature")
            model_ale = _model_radio()
            bins = gr.Slider(2, 100, value=20, step=1, label=T.label("bins"))
            run_ale = gr.Button(T.label("run_ale"), variant="primary", elem_id="pdp-ale-run")

    features = [feature_1d, feature_x, feature_y, feature_cmp, feature_ale]
    demo.load(ctx.bind(show_descriptions), None, table, api_visibility="private")
    # The shell runs "pdp_data" when a page opens (the tab's first view).
    drop_b.change(ctx.bind(show_data), drop_b, [scores, preview], api_name="pdp_data")
    drop_b.change(ctx.bind(feature_lists), [drop_b, *features], features, api_name="pdp_features")
    run_1d.click(ctx.bind(plot_1d), [drop_b, feature_1d, model_1d, ice, centered, grid_1d],
                 panel_1d.outputs, api_name="pdp_1d")
    run_2d.click(ctx.bind(plot_2d), [drop_b, feature_x, feature_y, model_2d, grid_2d, method],
                 panel_2d.outputs, api_name="pdp_2d")
    run_cmp.click(ctx.bind(plot_compare), [drop_b, feature_cmp], panel_cmp.outputs,
                  api_name="pdp_compare")
    run_ale.click(ctx.bind(plot_ale), [drop_b, feature_ale, model_ale, bins], panel_ale.outputs,
                  api_name="pdp_ale")
    return dict(feature=feature_1d, model=model_1d)
