"""Partial dependence tab: PDP + ICE, 2D PDP, three models compared, ALE next to the PDP, and
SHAP values beside the PDP.

All computation lives in ``core.tabular.pdp`` (scikit-learn's ``partial_dependence``) and
``core.tabular.shapley`` (shap), all drawing in :mod:`tabs.pdp.render` and
:mod:`tabs.pdp.shap_render`; the views in :mod:`tabs.pdp.views` and :mod:`tabs.pdp.shap_view`
pick the cached models and turn results into figures, the words (English and German) live in
:mod:`tabs.pdp.texts`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr

from core.tabular import MODEL_NAMES, load_boston
from core.tabular.training import TEST_SIZE
from tabs.common.code_panel import CodePanel
from tabs.common.context import TabContext
from tabs.common.described import captions
from tabs.common.form import Form
from tabs.common.layout import CONTROLS, RESULTS, WIDE
from tabs.pdp.shap_view import PICTURES, SHAP, Shap
from tabs.pdp.texts import T
from tabs.pdp.views import (
    ALE,
    COMPARE,
    DATA,
    DEFAULTS,
    DESCRIPTIONS,
    FEATURES,
    METHODS,
    PDP_1D,
    PDP_2D,
    Ale,
    Pdp1d,
    Pdp2d,
    descriptions,
    feature_names,
)

TITLE = "Partial dependence"
__all__ = ["METHODS", "TITLE", "build"]


class PlotPanel:
    """A sub-tab's outputs: the figure, its one-line summary and its words (set when the panel
    closes), and its code panel when it has one."""

    plot: gr.Image
    text: gr.Markdown
    words: gr.HTML
    code: CodePanel | None = None

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [self.plot, self.text, self.words]


@contextmanager
def plot_panel(title, elem_id: str, code: TabContext | None = None) -> Iterator[PlotPanel]:
    """A sub-tab with the controls built in the ``with`` body on the left, the plot on the
    right, and below it the code panel when ``code`` (the tab's context) is given."""
    panel = PlotPanel()
    with gr.Tab(title), gr.Row():
        with gr.Column(scale=1, min_width=320, elem_classes=CONTROLS):
            yield panel
        with gr.Column(scale=3, elem_classes=RESULTS):
            panel.plot = gr.Image(label=title, show_label=False, format="png",
                                  interactive=False, elem_id=elem_id, elem_classes=WIDE)
            panel.words = captions(f"{elem_id}-words")
            panel.text = gr.Markdown()
            if code is not None:
                panel.code = CodePanel.create(code, f"{elem_id}-code")


def _feature_dropdown(value: str, label: str, elem_id: str) -> gr.Dropdown:
    # core validates features (and explains a missing B) with better sentences than Gradio's
    # "not in the list of choices", so values outside the choices reach it.
    choices = [(T.label(f"feature_{name}"), name) for name in feature_names(True)]
    return gr.Dropdown(choices, value=value, label=T.label(label), elem_id=elem_id,
                       allow_custom_value=True)


def _model_radio(value: str) -> gr.Radio:
    return gr.Radio([(T.label(f"model_{name}"), name) for name in MODEL_NAMES],
                    value=value, label=T.label("model"))


class ShapPanel:
    """The SHAP sub-tab's fields, button and outputs (the three pictures, the words, their
    captions), and its code panel."""

    def __init__(self, defaults: Shap, ctx: TabContext):
        last_house = math.ceil(TEST_SIZE * len(load_boston().y)) - 1  # scikit-learn's split
        with gr.Tab(T.label("tab_shap")), gr.Row():
            with gr.Column(scale=1, min_width=320, elem_classes=CONTROLS):
                self.feature = _feature_dropdown(defaults.feature, "feature", "pdp-shap-feature")
                self.model = _model_radio(defaults.model)
                self.house = gr.Slider(0, last_house, value=defaults.house, step=1,
                                       label=T.label("house"), elem_id="pdp-shap-house-row")
                self.run = gr.Button(T.label("run_shap"), variant="primary",
                                     elem_id="pdp-shap-run")
                gr.Markdown(T.label("shap_how"))
            with gr.Column(scale=3, elem_classes=RESULTS):
                self.pictures = [gr.Image(label=T.label("tab_shap"), show_label=False,
                                          format="png", interactive=False, elem_id=elem_id,
                                          elem_classes=WIDE) for elem_id in PICTURES]
                self.text = gr.Markdown()
                self.captions = captions("pdp-shap-captions")
                self.code = CodePanel.create(ctx, "pdp-shap-code")

    @property
    def outputs(self) -> list[gr.components.Component]:
        return [*self.pictures, self.text, self.captions]


def build(form: Form) -> None:
    """Create the tab's components inside the current ``gr.Tab``; data and scores load when
    the tab opens."""
    one, two, ale_defaults = Pdp1d(), Pdp2d(), Ale()
    gr.Markdown(T.label("intro"))
    with gr.Accordion(T.label("data_title"), open=False):
        gr.Markdown(T.label("note_on_b"))
        drop_b = gr.Checkbox(value=one.drop_b, label=T.label("drop_b"), elem_id="pdp-drop-b")
        scores = gr.Markdown(elem_id="pdp-scores")
        with gr.Row():
            table = gr.Dataframe(descriptions(form.ctx.lang), label=T.label("features"),
                                 interactive=False, wrap=True, column_widths=["15%", "85%"])
            preview = gr.Dataframe(label=T.label("first_rows"), interactive=False)

    with gr.Tabs(overflow_behavior="wrap"):
        with plot_panel(T.label("tab_1d"), "pdp-1d", form.ctx) as panel_1d:
            feature_1d = _feature_dropdown(one.feature, "feature", "pdp-1d-feature")
            model_1d = _model_radio(one.model)
            ice = gr.Slider(0, 200, value=one.ice_samples, step=1, label=T.label("ice"))
            centered = gr.Checkbox(value=one.centered, label=T.label("centered"))
            grid_1d = gr.Slider(5, 100, value=one.grid_resolution, step=1,
                                label=T.label("grid_resolution"))
            run_1d = gr.Button(T.label("run_1d"), variant="primary", elem_id="pdp-1d-run")
        with plot_panel(T.label("tab_2d"), "pdp-2d", form.ctx) as panel_2d:
            feature_x = _feature_dropdown(two.feature_x, "feature_x", "pdp-2d-x")
            feature_y = _feature_dropdown(two.feature_y, "feature_y", "pdp-2d-y")
            model_2d = _model_radio(two.model)
            grid_2d = gr.Slider(10, 100, value=two.grid_resolution, step=1,
                                label=T.label("grid_resolution"))
            method = gr.Radio([(T.label(f"method_{value}"), value) for value in METHODS],
                              value=two.method, label=T.label("method"))
            run_2d = gr.Button(T.label("run_2d"), variant="primary", elem_id="pdp-2d-run")
        with plot_panel(T.label("tab_compare"), "pdp-compare", form.ctx) as panel_cmp:
            feature_cmp = _feature_dropdown(DEFAULTS[3], "feature", "pdp-compare-feature")
            run_cmp = gr.Button(T.label("run_compare"), variant="primary",
                                elem_id="pdp-compare-run")
        with plot_panel(T.label("tab_ale"), "pdp-ale", form.ctx) as panel_ale:
            feature_ale = _feature_dropdown(ale_defaults.feature, "feature", "pdp-ale-feature")
            model_ale = _model_radio(ale_defaults.model)
            bins = gr.Slider(2, 100, value=ale_defaults.bins, step=1, label=T.label("bins"))
            run_ale = gr.Button(T.label("run_ale"), variant="primary", elem_id="pdp-ale-run")
        shap = ShapPanel(Shap(), form.ctx)

    form.add(drop_b=drop_b, feature_1d=feature_1d, feature_x=feature_x, feature_y=feature_y,
             feature_compare=feature_cmp, feature_ale=feature_ale, grid_resolution=grid_1d,
             ice_samples=ice, centered=centered, method=method, bins=bins)
    form.add(feature_shap=shap.feature)
    features = [feature_1d, feature_x, feature_y, feature_cmp, feature_ale, shap.feature]
    form.wire(DESCRIPTIONS, None, table)
    form.wire(DATA, drop_b.change, [scores, preview])
    form.wire(FEATURES, drop_b.change, features)
    form.wire(PDP_1D, run_1d.click, panel_1d.outputs,
              inputs={"feature": feature_1d, "model": model_1d})
    if panel_1d.code:
        panel_1d.code.wire(form, PDP_1D)
    form.wire(PDP_2D, run_2d.click, panel_2d.outputs,
              inputs={"model": model_2d, "grid_resolution": grid_2d})
    if panel_2d.code:
        panel_2d.code.wire(form, PDP_2D)
    form.wire(COMPARE, run_cmp.click, panel_cmp.outputs, inputs={"feature": feature_cmp})
    if panel_cmp.code:
        panel_cmp.code.wire(form, COMPARE)
    form.wire(ALE, run_ale.click, panel_ale.outputs,
              inputs={"feature": feature_ale, "model": model_ale})
    if panel_ale.code:
        panel_ale.code.wire(form, ALE)
    form.wire(SHAP, shap.run.click, shap.outputs,
              inputs={"feature": shap.feature, "model": shap.model, "house": shap.house})
    if shap.code:
        shap.code.wire(form, SHAP)
