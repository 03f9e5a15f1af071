"""Counterfactual tab: turn the cat into a dog with the smallest change, and see what that
change really is: pixel optimisation (Wachter et al. 2017) against a region swap from a real
dog photo (Goyal et al. 2019), with checks that tell an explanation from adversarial noise.

The layout and its wiring live here, the views in :mod:`tabs.counterfactual.views` (their
settings in :mod:`tabs.counterfactual.settings`), the words in :mod:`tabs.counterfactual.texts`.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from core.counterfactual import DISTANCES
from tabs.common.code_panel import CodePanel
from tabs.common.described import captions
from tabs.common.form import Form
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import model_choices
from tabs.common.layout import CONTROLS, RESULTS, WIDE
from tabs.counterfactual.pixel_views import CURVE_COLOURS
from tabs.counterfactual.region import BRUSH_CSS, RECTANGLE, RectangleSettings
from tabs.counterfactual.settings import TARGETS, PixelSettings, SwapSettings, TradeoffSettings
from tabs.counterfactual.texts import T
from tabs.counterfactual.views import (
    BACKGROUND,
    CANCEL,
    FIND_CLASS,
    MODEL,
    PIXEL,
    PREDICT,
    PREDICT_AFTER_MODEL,
    SWAP,
    TARGET_TEXT,
    TRADEOFF,
    USE_MATCH,
)

TITLE = "Counterfactual"


def build(form: Form) -> None:
    """Create the tab's components inside the current ``gr.Tab`` and wire its views."""
    models = form.ctx.models
    defaults, swap_defaults = PixelSettings(), SwapSettings()
    with gr.Row():
        with gr.Column(scale=1, min_width=300, elem_classes=CONTROLS):
            picker = image_picker(form, default=defaults.example, key="cf")
            model = gr.Dropdown(model_choices(models), value=models.default_model(defaults.model),
                                label=T.label("model"))
            predictions = gr.Label(num_top_classes=5, label=T.label("sees"))
            seen = gr.Markdown()
            kind = gr.Radio([(T.label(f"kind.{kind}"), value) for value, kind in TARGETS.items()],
                            value=defaults.kind, label=T.label("target"), elem_id="cf-kind")
            class_index = gr.Number(value=defaults.class_index, precision=0, minimum=0,
                                    label=T.label("class_index"))
            with gr.Row():
                query = gr.Textbox(label=T.label("search"), placeholder=T.label("search.example"),
                                   scale=2)
                find = gr.Button(T.label("find"), scale=1)
            matches = gr.Dropdown([], label=T.label("matches"))
            with gr.Accordion(T.label("what_counts"), open=False):
                target_text = gr.Markdown()
        with gr.Column(scale=2, elem_classes=RESULTS), gr.Tabs(overflow_behavior="wrap"):
            with gr.Tab(T.label("tab.pixel")):
                # The settings of a run; on a phone they follow its results (tabs/common/layout.py).
                with gr.Column(elem_classes=CONTROLS):
                    with gr.Row():
                        editor = gr.ImageEditor(
                            label=T.label("region"), type="numpy",
                            sources=(), transforms=(), layers=False, height=300,
                            brush=gr.Brush(colors=[BRUSH_CSS], color_mode="fixed"),
                            elem_id="cf-editor")
                        with gr.Column():
                            use_region = gr.Checkbox(False, label=T.label("use_region"))
                            weight = gr.Number(defaults.weight, label=T.label("weight"),
                                               elem_id="cf-weight")
                            distance = gr.Radio([d.upper() for d in DISTANCES],
                                                value=defaults.distance,
                                                label=T.label("distance"))
                            smoothness = gr.Number(defaults.smoothness,
                                                   label=T.label("smoothness"))
                    rectangle = _rectangle_by_numbers()
                    with gr.Row():
                        step_size = gr.Number(defaults.step_size, label=T.label("step_size"))
                        max_steps = gr.Number(defaults.max_steps, precision=0,
                                              label=T.label("max_steps"), elem_id="cf-steps")
                        threshold = gr.Slider(0.05, 0.95, value=defaults.threshold, step=0.05,
                                              label=T.label("threshold"))
                        seed = gr.Number(defaults.seed, precision=0, label=T.label("seed"))
                    with gr.Row():
                        run = gr.Button(T.label("run"), variant="primary", elem_id="cf-run")
                        stop = gr.Button(T.label("cancel"), variant="stop")
                with gr.Row():
                    live = gr.Image(label=T.label("live"), format="png",
                                    interactive=False, height=260, elem_id="cf-live")
                    curves = gr.LinePlot(x="step", y="probability", color="class",
                                         color_map=CURVE_COLOURS, y_lim=[0, 1], height=360,
                                         label=T.label("curves"),
                                         x_title=T.label("curves.x"),
                                         y_title=T.label("curves.y"),
                                         color_title=T.label("curves.legend"),
                                         elem_id="cf-curves")
                status = gr.Markdown(elem_id="cf-status")
                live_words = captions("cf-live-words")
                picture = gr.Image(label=T.label("compare"), format="png",
                                   interactive=False, show_label=False, elem_id="cf-compare",
                                   elem_classes=WIDE)
                with gr.Row():
                    slider = gr.ImageSlider(label=T.label("slider"), format="png",
                                            max_height=320, elem_id="cf-slider")
                    final = gr.Label(num_top_classes=5, label=T.label("final"))
                checks = gr.Markdown(elem_id="cf-checks")
                gr.Markdown(T.label("gradcam.intro"))
                gradcam = gr.Image(label=T.label("gradcam"), show_label=False,
                                   format="png", interactive=False, elem_id="cf-gradcam")
                panel = CodePanel.create(form.ctx, "cf-pixel-code")
            with gr.Tab(T.label("tab.swap")):
                image_picker(form, default=swap_defaults.dog_example, key="cf-dog",
                             prefix="dog_")
                with gr.Row():
                    max_cells = gr.Number(swap_defaults.max_cells, precision=0,
                                          label=T.label("max_cells"))
                    candidates = gr.Number(swap_defaults.candidates, precision=0,
                                           label=T.label("candidates"))
                    swap_threshold = gr.Slider(0.05, 0.95, value=swap_defaults.threshold,
                                               step=0.05, label=T.label("threshold"))
                with gr.Row():
                    swap_run = gr.Button(T.label("swap.run"), variant="primary",
                                         elem_id="cf-swap-run")
                    swap_stop = gr.Button(T.label("cancel"), variant="stop")
                swap_image = gr.Image(label=T.label("swap.cells"), show_label=False,
                                      format="png", interactive=False, elem_id="cf-swap")
                swap_text = gr.Markdown(elem_id="cf-swap-text")
                with gr.Row():
                    swap_plot = gr.Image(label=T.label("swap.curve"), show_label=False,
                                         format="png", interactive=False,
                                         elem_id="cf-swap-curve")
                    swap_final = gr.Label(num_top_classes=5, label=T.label("swap.final"))
                swap_words = captions("cf-swap-words")
                swap_checks = gr.Markdown()
            with gr.Tab(T.label("tab.tradeoff")):
                weights = gr.Textbox(TradeoffSettings().weights, label=T.label("weights"))
                with gr.Row():
                    sweep = gr.Button(T.label("sweep"), variant="primary")
                    sweep_stop = gr.Button(T.label("cancel"), variant="stop")
                sweep_plot = gr.Image(label=T.label("sweep.plot"), show_label=False,
                                      format="png", interactive=False, elem_id="cf-sweep-plot")
                sweep_row = gr.Image(label=T.label("sweep.row"), show_label=False,
                                     format="png", interactive=False, elem_id="cf-sweep-row")
                sweep_words = captions("cf-sweep-words")
                sweep_table = gr.Markdown(elem_id="cf-tradeoff-table")
                sweep_panel = CodePanel.create(form.ctx, "cf-tradeoff-code")
    form.add(model=model, kind=kind, class_index=class_index, query=query,
             use_region=use_region, editor=editor, weight=weight, distance=distance,
             smoothness=smoothness, step_size=step_size, max_steps=max_steps,
             threshold=threshold, seed=seed, max_cells=max_cells, candidates=candidates,
             weights=weights)

    form.result("reached", final)
    form.result("swap_reached", swap_final)

    # The opening's setup steps, in this order, then the first view (PIXEL); each also runs
    # on a choice.
    loading = form.wire(MODEL, model.input, model)
    form.wire(PREDICT_AFTER_MODEL, loading.then, [predictions, seen])
    form.wire(PREDICT, [picker.example.input, picker.upload.change], [predictions, seen])
    form.wire(BACKGROUND, [picker.example.change, picker.upload.change], editor,
              show_progress="hidden")
    form.wire(TARGET_TEXT, [model.change, kind.change, class_index.change], target_text,
              show_progress="hidden")
    form.wire(FIND_CLASS, [find.click, query.submit], matches)
    form.wire(USE_MATCH, matches.input, class_index,
              inputs={"match": matches, "current": class_index})

    form.wire(RECTANGLE, rectangle.mark.click, [editor, use_region, rectangle.said],
              inputs=rectangle.fields)
    pixel = form.wire(PIXEL, run.click,
                      [live, curves, status, picture, slider, final, checks, gradcam,
                       live_words])
    if panel:
        panel.wire(form, PIXEL)
    swap = form.wire(SWAP, swap_run.click,
                     [swap_image, swap_plot, swap_text, swap_final, swap_checks, swap_words],
                     inputs={"threshold": swap_threshold})
    tradeoff = form.wire(TRADEOFF, sweep.click,
                         [sweep_plot, sweep_row, sweep_table, sweep_words])
    if sweep_panel:
        sweep_panel.wire(form, TRADEOFF)
    form.wire(CANCEL, stop.click, status, cancels=[pixel])
    form.wire(CANCEL, sweep_stop.click, sweep_table, cancels=[tradeoff])
    form.wire(CANCEL, swap_stop.click, swap_text, cancels=[swap])


@dataclass(frozen=True)
class _Rectangle:
    """The fields of a region given by numbers, its button and the sentence it writes."""

    fields: dict[str, gr.Number]
    mark: gr.Button
    said: gr.Markdown


def _rectangle_by_numbers() -> _Rectangle:
    """A rectangle typed as numbers instead of painted (the keyboard's way to a region). The
    fields have no bounds of Gradio's: its refusal would be English only; core's says what
    does not fit in the page's language."""
    defaults = RectangleSettings()
    with gr.Accordion(T.label("by_numbers"), open=False, elem_id="cf-rectangle"):
        gr.Markdown(T.label("by_numbers.intro"))
        with gr.Row():
            fields = {name: gr.Number(getattr(defaults, name), label=T.label(f"rect.{name}"),
                                      elem_id=f"cf-rect-{name}")
                      for name in ("left", "top", "width", "height")}
        mark = gr.Button(T.label("rect.mark"), elem_id="cf-rect-mark")
        said = gr.Markdown(elem_id="cf-rect-said")
    return _Rectangle(fields, mark, said)
