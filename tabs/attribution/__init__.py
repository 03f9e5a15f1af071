"""Attribution tab: saliency, Integrated Gradients, Grad-CAM, Guided Grad-CAM, Occlusion and LRP
for any class, compared side by side, taken apart step by step, measured for stability, and
tested: deletion/insertion curves and the sanity check (cascading randomization); LRP on its own
with its conservation check, and the concepts (channels) behind a decision.

The layout and its wiring live here: the left column holds the image, the model, the target
class and the methods' settings that every view reads; each sub-tab on the right holds one
view's own settings, its button and its results. The views are in
:mod:`tabs.attribution.views`, :mod:`tabs.attribution.stability` and, for the two tests,
:mod:`tabs.attribution.faithfulness`; their settings in :mod:`tabs.attribution.settings`.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from core.attribution import BASELINES, MAX_CONCEPTS
from tabs.attribution import views as v
from tabs.attribution.concepts import CONCEPT_LAYERS, CONCEPTS, C, ConceptSettings
from tabs.attribution.faithfulness import DELETION, DELETION_RUNS, SANITY, SANITY_RUNS
from tabs.attribution.lrp import LRP, L
from tabs.attribution.settings import (
    ClassesSettings,
    CompareSettings,
    DeletionSettings,
    SanitySettings,
    StabilitySettings,
)
from tabs.attribution.stability import STABILITY, STABILITY_ALL
from tabs.attribution.texts import T, baseline_choices
from tabs.common.code_panel import CodePanel
from tabs.common.colours import COLORMAPS
from tabs.common.described import captions
from tabs.common.form import Form
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import model_choices
from tabs.common.layout import CONTROLS, RESULTS, WIDE
from tabs.common.streaming import CancelSwitches, stopper
from tabs.common.view import View

TITLE = "Attribution"
__all__ = ["TITLE", "build"]


def build(form: Form) -> None:
    """Create the tab's components inside the current ``gr.Tab`` and wire its views."""
    with gr.Row():
        with gr.Column(scale=1, min_width=300, elem_classes=CONTROLS):
            _left_column(form)
        with gr.Column(scale=2, elem_classes=RESULTS), gr.Tabs(overflow_behavior="wrap"):
            _compare(form)
            _lrp(form)
            concept_layer = _concepts(form)
            _baselines(form)
            depth_layers = _depth(form)
            _steps(form)
            _classes(form)
            _stability(form)
            _deletion(form)
            _sanity(form)
    _wire_choices(form, depth_layers)
    form.wire(CONCEPT_LAYERS, form.components["model"].input, concept_layer)


def _left_column(form: Form) -> None:
    """The image, the model, its predictions, the target class and its search, and the
    methods' settings."""
    models = form.ctx.models
    d = CompareSettings()
    image_picker(form, default=d.example, key="attr")
    model = gr.Dropdown(model_choices(models), value=models.default_model(d.model),
                        label=T.label("model"))
    predictions = gr.Label(num_top_classes=5, label=T.label("predictions"))
    target = gr.Number(value=d.target, precision=0, minimum=0, label=T.label("target"),
                       elem_id="attr-target")
    target_text = gr.Markdown()
    with gr.Row():
        query = gr.Textbox(label=T.label("query"), placeholder=T.label("query.example"),
                           scale=2)
        find = gr.Button(T.label("find"), scale=1)
    # Choices are filled per browser session; API callers may send any value, which
    # core validates (a class index, a layer name) with a sentence.
    matches = gr.Dropdown([], label=T.label("matches"), allow_custom_value=True)
    layer = gr.Dropdown([], label=T.label("layer"), allow_custom_value=True,
                        elem_id="attr-layer")
    with gr.Row():
        steps = gr.Number(value=d.steps, precision=0, label=T.label("steps"))
        baseline = gr.Dropdown(baseline_choices(BASELINES), value=d.baseline,
                               label=T.label("baseline"))
    with gr.Row():
        window = gr.Number(value=d.window, precision=0, label=T.label("window"))
        stride = gr.Number(value=d.stride, precision=0, label=T.label("stride"))
    with gr.Row():
        opacity = gr.Slider(0.0, 1.0, value=d.opacity, step=0.05, label=T.label("opacity"))
        cmap = gr.Dropdown(list(COLORMAPS), value=d.cmap, label=T.label("cmap"))
    form.add(model=model, predictions=predictions, target=target, target_text=target_text,
             query=query, find=find, matches=matches, layer=layer, steps=steps,
             baseline=baseline, window=window, stride=stride, opacity=opacity, cmap=cmap,
             shown_classes=gr.State(None))


def _compare(form: Form) -> None:
    """Every method side by side (the tab's first view), redrawn for opacity and colour map."""
    c = form.components
    with gr.Tab(T.label("tab.compare")):
        run, cancel = _run_and_cancel("compare", elem_id="attr-compare-run")
        image = gr.Image(label=T.label("compare.image"), format="png", interactive=False,
                         elem_id="attr-compare", show_label=False, elem_classes=WIDE)
        text = gr.Markdown(elem_id="attr-compare-text")
        words = captions("attr-compare-words")
        results = gr.State(None)
        panel = CodePanel.create(form.ctx, "attr-compare-code")
    form.add(results=results)
    _wire_cancellable(form, v.COMPARE, v.SWITCHES, run, cancel, [image, text, results, words])
    if panel:
        panel.wire(form, v.COMPARE)
    form.wire(v.REDRAW, [c["opacity"].release, c["cmap"].input], [image, words],
              show_progress="hidden")


def _lrp(form: Form) -> None:
    """LRP with each composite offered for the model, and its conservation check."""
    with gr.Tab(L.label("tab")):
        gr.Markdown(L.label("intro"))
        run = gr.Button(L.label("run"), variant="primary", elem_id="attr-lrp-run")
        image = gr.Image(label=L.label("image"), format="png", interactive=False,
                         show_label=False, elem_id="attr-lrp", elem_classes=WIDE)
        table = gr.Markdown(elem_id="attr-lrp-text")
        described = captions("attr-lrp-caption")
    form.wire(LRP, run.click, [image, table, described])


def _concepts(form: Form) -> gr.Dropdown:
    """The channels with the most relevance in a layer; returns the layer picker (filled per
    model)."""
    d = ConceptSettings()
    with gr.Tab(C.label("tab")):
        gr.Markdown(C.label("intro"))
        with gr.Row():
            layer = gr.Dropdown([], label=C.label("layer"), allow_custom_value=True, scale=2)
            count = gr.Slider(1, MAX_CONCEPTS, value=d.channels, step=1, label=C.label("count"),
                              scale=2, elem_id="attr-concepts-count")
        run = gr.Button(C.label("run"), variant="primary", elem_id="attr-concepts-run")
        image = gr.Image(label=C.label("image"), format="png", interactive=False,
                         show_label=False, elem_id="attr-concepts")
        table = gr.Markdown(elem_id="attr-concepts-text")
        described = captions("attr-concepts-caption")
    form.add(concept_layer=layer, channels=count)
    form.wire(CONCEPTS, run.click, [image, table, described])
    return layer


def _baselines(form: Form) -> None:
    """Integrated Gradients with each baseline and its completeness check."""
    with gr.Tab(T.label("tab.baselines")):
        run, cancel = _run_and_cancel("baselines")
        image = gr.Image(label=T.label("baselines.image"), format="png", interactive=False,
                         show_label=False, elem_id="attr-baselines")
        words = captions("attr-baselines-words")
        table = gr.Markdown()
        panel = CodePanel.create(form.ctx, "attr-baselines-code")
    _wire_cancellable(form, v.BASELINES, v.BASELINE_RUNS, run, cancel, [image, table, words])
    if panel:
        panel.wire(form, v.BASELINES)


def _depth(form: Form) -> gr.Dropdown:
    """Grad-CAM at several layers; returns the layers' multi-select (the model fills it)."""
    with gr.Tab(T.label("tab.depth")):
        # A searchable multi-select: EfficientNet has 262 layers to choose from.
        layers = gr.Dropdown([], multiselect=True, allow_custom_value=True,
                             label=T.label("depth.layers"))
        run, cancel = _run_and_cancel("depth")
        image = gr.Image(label=T.label("depth.image"), format="png", interactive=False,
                         show_label=False, elem_id="attr-depth")
        words = captions("attr-depth-words")
        panel = CodePanel.create(form.ctx, "attr-depth-code")
    _wire_cancellable(form, v.DEPTH, v.DEPTH_RUNS, run, cancel, [image, words],
                      inputs={"layers": layers})
    if panel:
        panel.wire(form, v.DEPTH)
    return layers


def _steps(form: Form) -> None:
    """Grad-CAM's five steps at the chosen layer."""
    with gr.Tab(T.label("tab.steps")):
        run = gr.Button(T.label("steps.run"), variant="primary")
        grid = gr.Image(label=T.label("steps.grid"), format="png", interactive=False,
                        height=260, elem_id="attr-steps-grid")
        plot = gr.Image(label=T.label("steps.weights"), show_label=False, format="png",
                        interactive=False, elem_id="attr-steps-weights")
        image = gr.Image(label=T.label("steps.image"), format="png", interactive=False,
                         show_label=False, elem_id="attr-steps")
        text = gr.Markdown()
        words = captions("attr-steps-words")
        panel = CodePanel.create(form.ctx, "attr-steps-code")
    form.wire(v.STEPS, run.click, [grid, plot, image, text, words])
    if panel:
        panel.wire(form, v.STEPS)


def _classes(form: Form) -> None:
    """One method for the target and a second class; a search match can become the second."""
    c, d = form.components, ClassesSettings()
    with gr.Tab(T.label("tab.classes")):
        with gr.Row():
            second = gr.Number(value=d.second, precision=0, minimum=0, label=T.label("second"))
            method = gr.Dropdown(v.METHOD_CHOICES, value=d.method, label=T.label("method"))
        use_second = gr.Button(T.label("use_second"), size="sm")
        run, cancel = _run_and_cancel("classes")
        image = gr.Image(label=T.label("classes.image"), format="png", interactive=False,
                         show_label=False, elem_id="attr-classes")
        words = captions("attr-classes-words")
        panel = CodePanel.create(form.ctx, "attr-classes-code")
    form.add(second=second)
    form.wire(v.USE_MATCH, use_second.click, second,
              inputs={"match": c["matches"], "current": second})
    _wire_cancellable(form, v.CLASSES, v.CLASSES_RUNS, run, cancel, [image, words],
                      inputs={"method": method})
    if panel:
        panel.wire(form, v.CLASSES)


def _stability(form: Form) -> None:
    """One method's map, or every method's numbers, with and without noise."""
    d = StabilitySettings()
    with gr.Tab(T.label("tab.stability")):
        with gr.Row():
            method = gr.Dropdown(v.METHOD_CHOICES, value=d.method, label=T.label("method"))
            noise = gr.Number(value=d.noise_percent, step=0.5, label=T.label("noise"))
            top_k = gr.Slider(1, 50, value=d.top_k, step=1, label=T.label("top_k"))
        with gr.Row():
            run = gr.Button(T.label("stability"), variant="primary")
            run_all = gr.Button(T.label("stability.all"))
        image = gr.Image(label=T.label("stability.image"), format="png", interactive=False,
                         show_label=False, elem_id="attr-stability")
        text = gr.Markdown()
        words = captions("attr-stability-words")
        panel = CodePanel.create(form.ctx, "attr-stability-code")
        table = gr.Markdown()
        all_panel = CodePanel.create(form.ctx, "attr-stability-all-code")
    form.add(noise_percent=noise, top_k=top_k)
    form.wire(STABILITY, run.click, [image, text, words], inputs={"method": method})
    form.wire(STABILITY_ALL, run_all.click, table)
    if panel and all_panel:
        panel.wire(form, STABILITY)
        all_panel.wire(form, STABILITY_ALL)


def _deletion(form: Form) -> None:
    """Deletion and insertion curves of the chosen methods."""
    d = DeletionSettings()
    with gr.Tab(T.label("tab.deletion")):
        gr.Markdown(T.label("deletion.intro"))
        with gr.Row():
            methods = gr.CheckboxGroup(v.METHOD_CHOICES, value=list(d.methods or ()),
                                       label=T.label("methods"), scale=3)
            replacement = gr.Dropdown(baseline_choices(BASELINES), value=d.replacement,
                                      scale=1, label=T.label("replacement"))
            shown = gr.Textbox(d.shown, label=T.label("shown"), scale=1)
        run, cancel = _run_and_cancel("deletion", elem_id="attr-deletion-run")
        plot = gr.Image(label=T.label("deletion.plot"), show_label=False, format="png",
                        interactive=False, elem_id="attr-deletion-plot")
        table = gr.Markdown(elem_id="attr-deletion-table")
        image = gr.Image(label=T.label("deletion.image"), format="png", interactive=False,
                         show_label=False, elem_id="attr-deletion")
        words = captions("attr-deletion-words")
    _wire_cancellable(form, DELETION, DELETION_RUNS, run, cancel, [plot, table, image, words],
                      inputs={"methods": methods, "replacement": replacement, "shown": shown})


def _sanity(form: Form) -> None:
    """The cascading randomization of the chosen methods."""
    d = SanitySettings()
    with gr.Tab(T.label("tab.sanity")):
        gr.Markdown(T.label("sanity.intro"))
        methods = gr.CheckboxGroup(v.METHOD_CHOICES, value=list(d.methods or ()),
                                   label=T.label("methods"))
        run, cancel = _run_and_cancel("sanity", elem_id="attr-sanity-run")
        plot = gr.Image(label=T.label("sanity.plot"), show_label=False, format="png",
                        interactive=False, elem_id="attr-sanity-plot")
        image = gr.Image(label=T.label("sanity.image"), format="png", interactive=False,
                         show_label=False, elem_id="attr-sanity")
        text = gr.Markdown(elem_id="attr-sanity-text")
        words = captions("attr-sanity-words")
    _wire_cancellable(form, SANITY, SANITY_RUNS, run, cancel, [plot, image, text, words],
                      inputs={"methods": methods})


def _run_and_cancel(label: str, elem_id: str | None = None) -> tuple[gr.Button, gr.Button]:
    """A sub-tab's run button (labelled ``label``) and its Cancel button, in one row."""
    with gr.Row():
        button = gr.Button(T.label(label), variant="primary", scale=3, elem_id=elem_id)
        cancel = gr.Button(T.label("cancel"), variant="stop", scale=1)
    return button, cancel


def _wire_cancellable(form: Form, view: View, runs: CancelSwitches, run: gr.Button,
                      cancel: gr.Button, outputs: Any, **options: Any) -> None:
    """Wire a streaming ``view`` to ``run``; ``cancel`` stops it through ``runs``, its runs'
    switches (the run then shows what it has, with a "stopped" line). The progress shown is
    minimal, so that the parts already computed stay visible."""
    form.wire(view, run.click, outputs, show_progress="minimal", **options)
    form.wire(stopper(view, runs, T), cancel.click, None)


def _wire_choices(form: Form, depth_layers: gr.Dropdown) -> None:
    """The left column's events: a model lists its layers and classifies the image (the
    setup of the first view, in this order), an image is classified, a click on a prediction
    or a search match sets the target."""
    c = form.components
    predicted = [c["predictions"], c["target"], c["second"], c["shown_classes"]]
    chosen = form.wire(v.MODEL, c["model"].input, [c["model"], c["layer"], depth_layers])
    form.wire(v.PREDICT, chosen.then, predicted, private=True)
    form.wire(v.PREDICT, [c["example"].input, c["upload"].change], predicted)
    form.wire(v.TARGET, c["target"].change, c["target_text"], show_progress="hidden")
    form.wire(v.PICK, c["predictions"].select, c["target"])
    form.wire(v.FIND, [c["find"].click, c["query"].submit], c["matches"])
    form.wire(v.USE_MATCH, c["matches"].input, c["target"],
              inputs={"match": c["matches"], "current": c["target"]})
