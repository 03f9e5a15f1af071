"""Counterfactual tab: turn the cat into a dog with the smallest change, and see what that
change really is: pixel optimisation (Wachter et al. 2017) against a region swap from a real
dog photo (Goyal et al. 2019), with checks that tell an explanation from adversarial noise.

The layout and its wiring live here; the handlers in :mod:`tabs.counterfactual.handlers`.
"""

from __future__ import annotations

import gradio as gr

from core.counterfactual import DISTANCES, PixelParams
from core.counterfactual.swap import SwapParams
from tabs.common.class_search import search_classes, use_match
from tabs.common.context import TabContext
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import model_choices
from tabs.common.streaming import new_session_token
from tabs.counterfactual.handlers import (
    CURVE_COLOURS,
    KNOBS,
    TARGETS,
    cancel,
    choose_model,
    describe_target,
    editor_background,
    predict,
    run_pixel,
    run_tradeoff,
)
from tabs.counterfactual.swap_handlers import run_swap
from tabs.counterfactual.texts import T

TITLE = "Counterfactual"


def build(ctx: TabContext, demo: gr.Blocks) -> dict[str, gr.components.Component]:
    """Create the tab inside the current ``gr.Tab`` and wire its events.

    Returns the link fields (address key → component) that a link to this view carries.
    """
    models = ctx.models
    start = models.default_model("vgg16")
    defaults, swap_defaults = PixelParams(), SwapParams()
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            picker = image_picker(ctx.examples, default="chelsea.png", key="cf")
            model = gr.Dropdown(model_choices(models), value=start, label=T.label("model"))
            predictions = gr.Label(num_top_classes=5, label=T.label("sees"))
            seen = gr.Markdown()
            kind = gr.Radio([(T.label(f"kind.{kind}"), value) for value, kind in TARGETS.items()],
                            value="any dog", label=T.label("target"), elem_id="cf-kind")
            class_index = gr.Number(value=207, precision=0, minimum=0, label=T.label("class_index"))
            with gr.Row():
                query = gr.Textbox(label=T.label("search"), placeholder=T.label("search.example"),
                                   scale=2)
                find = gr.Button(T.label("find"), scale=1)
            matches = gr.Dropdown([], label=T.label("matches"))
            with gr.Accordion(T.label("what_counts"), open=False):
                target_text = gr.Markdown()
        with gr.Column(scale=2):
            with gr.Tabs():
                with gr.Tab(T.label("tab.pixel")):
                    with gr.Row():
                        editor = gr.ImageEditor(
                            label=T.label("region"), type="numpy",
                            sources=(), transforms=(), layers=False, height=300,
                            brush=gr.Brush(colors=["rgba(255, 60, 60, 0.7)"], color_mode="fixed"),
                            elem_id="cf-editor")
                        with gr.Column():
                            use_region = gr.Checkbox(False, label=T.label("use_region"))
                            weight = gr.Number(defaults.weight, label=T.label("weight"),
                                               elem_id="cf-weight")
                            distance = gr.Radio([d.upper() for d in DISTANCES], value="L2",
                                                label=T.label("distance"))
                            smoothness = gr.Number(defaults.smoothness,
                                                   label=T.label("smoothness"))
                    with gr.Row():
                        step_size = gr.Number(defaults.step_size, label=T.label("step_size"))
                        max_steps = gr.Number(defaults.max_steps, precision=0,
                                              label=T.label("max_steps"), elem_id="cf-steps")
                        threshold = gr.Slider(0.05, 0.95, value=defaults.threshold, step=0.05,
                                              label=T.label("threshold"))
                        seed = gr.Number(0, precision=0, label=T.label("seed"))
                    with gr.Row():
                        run = gr.Button(T.label("run"), variant="primary", elem_id="cf-run")
                        stop = gr.Button(T.label("cancel"), variant="stop")
                    with gr.Row():
                        live = gr.Image(label=T.label("live"), format="png",
                                        interactive=False, height=260, elem_id="cf-live")
                        curves = gr.LinePlot(x="step", y="probability", color="class",
                                             color_map=CURVE_COLOURS, y_lim=[0, 1], height=300,
                                             label=T.label("curves"),
                                             x_title=T.label("curves.x"),
                                             y_title=T.label("curves.y"),
                                             color_title=T.label("curves.legend"))
                    status = gr.Markdown(elem_id="cf-status")
                    picture = gr.Image(label=T.label("compare"), format="png",
                                       interactive=False, show_label=False, elem_id="cf-compare")
                    with gr.Row():
                        slider = gr.ImageSlider(label=T.label("slider"), format="png",
                                                max_height=320)
                        final = gr.Label(num_top_classes=5, label=T.label("final"))
                    checks = gr.Markdown(elem_id="cf-checks")
                    gr.Markdown(T.label("gradcam.intro"))
                    gradcam = gr.Image(label=T.label("gradcam"), show_label=False,
                                       format="png", interactive=False)
                with gr.Tab(T.label("tab.swap")):
                    dog = image_picker(ctx.examples, default="puppies.jpg", key="cf-dog")
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
                    swap_image = gr.Image(label=T.label("swap.cells"), show_label=False, format="png",
                                          interactive=False, elem_id="cf-swap")
                    swap_text = gr.Markdown(elem_id="cf-swap-text")
                    with gr.Row():
                        swap_plot = gr.Plot(show_label=False, format="png")
                        swap_final = gr.Label(num_top_classes=5, label=T.label("swap.final"))
                    swap_checks = gr.Markdown()
                with gr.Tab(T.label("tab.tradeoff")):
                    weights = gr.Textbox("0, 1, 3, 10", label=T.label("weights"))
                    with gr.Row():
                        sweep = gr.Button(T.label("sweep"), variant="primary")
                        sweep_stop = gr.Button(T.label("cancel"), variant="stop")
                    sweep_plot = gr.Plot(show_label=False, format="png")
                    sweep_row = gr.Image(label=T.label("sweep.row"), show_label=False,
                                         format="png", interactive=False)
                    sweep_table = gr.Markdown(elem_id="cf-tradeoff-table")
    session = gr.State(new_session_token)
    shown = dict(weight=weight, distance=distance, smoothness=smoothness, step_size=step_size,
                 max_steps=max_steps, threshold=threshold, seed=seed)
    knobs = [shown[name] for name in KNOBS]
    start_inputs = [*picker.inputs, model, kind, class_index]

    # The shell runs "counterfactual_model" and "counterfactual_predict" when a page opens
    # (its first view); then on a choice.
    model.input(ctx.bind(choose_model), model, model, api_name="counterfactual_model").then(
        ctx.bind(predict), [*picker.inputs, model], [predictions, seen],
        api_visibility="private")
    gr.on([picker.example.input, picker.upload.change], ctx.bind(predict),
          [*picker.inputs, model], [predictions, seen], api_name="counterfactual_predict")
    gr.on([demo.load, picker.example.change, picker.upload.change],
          ctx.bind(editor_background), picker.inputs, editor,
          api_visibility="private", show_progress="hidden")
    gr.on([demo.load, model.change, kind.change, class_index.change],
          ctx.bind(describe_target), [model, kind, class_index], target_text,
          api_name="counterfactual_targets", show_progress="hidden")
    gr.on([find.click, query.submit], ctx.bind(search_classes), [model, query],
          matches, api_name="counterfactual_find_class")
    matches.input(use_match, [matches, class_index], class_index, api_visibility="private")

    pixel = run.click(ctx.bind(run_pixel),
                      [session, *start_inputs, use_region, editor, *knobs],
                      [live, curves, status, picture, slider, final, checks, gradcam],
                      api_name="counterfactual")
    swap = swap_run.click(ctx.bind(run_swap),
                          [session, *start_inputs, *dog.inputs, max_cells, candidates,
                           swap_threshold],
                          [swap_image, swap_plot, swap_text, swap_final, swap_checks],
                          api_name="counterfactual_swap")
    tradeoff = sweep.click(ctx.bind(run_tradeoff),
                           [session, *start_inputs, use_region, editor, weights, *knobs],
                           [sweep_plot, sweep_row, sweep_table], api_name="counterfactual_tradeoff")
    stop.click(ctx.bind(cancel), session, status, cancels=[pixel], api_visibility="private")
    sweep_stop.click(ctx.bind(cancel), session, sweep_table, cancels=[tradeoff], api_visibility="private")
    swap_stop.click(ctx.bind(cancel), session, swap_text, cancels=[swap], api_visibility="private")
    return dict(image=picker.example, model=model, method=kind, target=class_index)
