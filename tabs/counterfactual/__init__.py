"""Counterfactual tab: turn the cat into a dog with the smallest change, and see what that
change really is: pixel optimisation (Wachter et al. 2017) against a region swap from a real
dog photo (Goyal et al. 2019), with checks that tell an explanation from adversarial noise.

The layout and its wiring live here; the handlers in :mod:`tabs.counterfactual.handlers`.
"""

from __future__ import annotations

import functools

import gradio as gr

from core.counterfactual import DISTANCES, MAX_STEPS, PixelParams
from core.counterfactual.swap import SwapParams
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
    search_classes,
    use_match,
)
from tabs.counterfactual.swap_handlers import run_swap

TITLE = "Counterfactual"


def build(ctx: TabContext, demo: gr.Blocks) -> None:
    """Create the tab inside the current ``gr.Tab`` and wire its events."""
    models = ctx.models
    start = models.default_model("vgg16")
    defaults, swap_defaults = PixelParams(), SwapParams()
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            picker = image_picker(ctx.examples, default="chelsea.png", key="cf")
            model = gr.Dropdown(model_choices(models), value=start, label="Model")
            predictions = gr.Label(num_top_classes=5, label="The model sees (top 5)")
            seen = gr.Markdown()
            kind = gr.Radio(list(TARGETS), value="any dog", label="Target", elem_id="cf-kind")
            class_index = gr.Number(value=207, precision=0, minimum=0,
                                    label="Target class index (for 'one class')")
            with gr.Row():
                query = gr.Textbox(label="Search a class name", placeholder="collie", scale=2)
                find = gr.Button("Find", scale=1)
            matches = gr.Dropdown([], label="Matching classes (#index name)")
            with gr.Accordion("What counts as the target", open=False):
                target_text = gr.Markdown()
        with gr.Column(scale=2):
            with gr.Tabs():
                with gr.Tab("1 · Pixel optimisation (Wachter)"):
                    with gr.Row():
                        editor = gr.ImageEditor(
                            label="Region (paint)", type="numpy",
                            sources=(), transforms=(), layers=False, height=300,
                            brush=gr.Brush(colors=["rgba(255, 60, 60, 0.7)"], color_mode="fixed"),
                            elem_id="cf-editor")
                        with gr.Column():
                            use_region = gr.Checkbox(False, label="Only change the painted region "
                                                           "(paint on the image at the left)")
                            weight = gr.Number(defaults.weight, label="Proximity weight λ (≥ 0)",
                                               elem_id="cf-weight")
                            distance = gr.Radio([d.upper() for d in DISTANCES], value="L2",
                                                label="Distance")
                            smoothness = gr.Number(defaults.smoothness,
                                                   label="Smoothness (total variation) weight")
                    with gr.Row():
                        step_size = gr.Number(defaults.step_size, label="Step size (grey levels)")
                        max_steps = gr.Number(defaults.max_steps, precision=0,
                                              label=f"Maximum steps (1–{MAX_STEPS})",
                                              elem_id="cf-steps")
                        threshold = gr.Slider(0.05, 0.95, value=defaults.threshold, step=0.05,
                                              label="Stop at target probability")
                        seed = gr.Number(0, precision=0, label="Random seed")
                    with gr.Row():
                        run = gr.Button("Find the counterfactual", variant="primary",
                                        elem_id="cf-run")
                        stop = gr.Button("Cancel", variant="stop")
                    with gr.Row():
                        live = gr.Image(label="The image as it changes", format="png",
                                        interactive=False, height=260, elem_id="cf-live")
                        curves = gr.LinePlot(x="step", y="probability", color="class",
                                             color_map=CURVE_COLOURS, y_lim=[0, 1], height=300,
                                             label="Per step: p(original class) blue, "
                                                   "p(target) orange",
                                             x_title="gradient steps",
                                             y_title="probability")
                    status = gr.Markdown(elem_id="cf-status")
                    picture = gr.Image(label="Original · counterfactual · difference", format="png",
                                       interactive=False, show_label=False, elem_id="cf-compare")
                    with gr.Row():
                        slider = gr.ImageSlider(label="Before / after (drag)", format="png",
                                                max_height=320)
                        final = gr.Label(num_top_classes=5, label="Counterfactual: top 5")
                    checks = gr.Markdown(elem_id="cf-checks")
                    gr.Markdown("**Grad-CAM on the counterfactual**, for the original class and "
                                "for the target class: does the evidence for the dog sit on "
                                "anything dog-like?")
                    gradcam = gr.Image(label="Grad-CAM on the counterfactual", show_label=False,
                                       format="png", interactive=False)
                with gr.Tab("2 · Region swap from a dog photo (Goyal)"):
                    dog = image_picker(ctx.examples, default="puppies.jpg", key="cf-dog")
                    with gr.Row():
                        max_cells = gr.Number(swap_defaults.max_cells, precision=0,
                                              label="At most this many cells")
                        candidates = gr.Number(swap_defaults.candidates, precision=0,
                                               label="Pairs evaluated exactly per step")
                        swap_threshold = gr.Slider(0.05, 0.95, value=swap_defaults.threshold,
                                                   step=0.05, label="Stop at target probability")
                    with gr.Row():
                        swap_run = gr.Button("Swap regions", variant="primary",
                                             elem_id="cf-swap-run")
                        swap_stop = gr.Button("Cancel", variant="stop")
                    swap_image = gr.Image(label="Swapped cells", show_label=False, format="png",
                                          interactive=False, elem_id="cf-swap")
                    swap_text = gr.Markdown(elem_id="cf-swap-text")
                    with gr.Row():
                        swap_plot = gr.Plot(show_label=False, format="png")
                        swap_final = gr.Label(num_top_classes=5, label="After the swap: top 5")
                    swap_checks = gr.Markdown()
                with gr.Tab("3 · Trade-off"):
                    weights = gr.Textbox("0, 1, 3, 10", label="Proximity weights (comma-separated, "
                                         "up to 8; the other settings come from tab 1)")
                    with gr.Row():
                        sweep = gr.Button("Run all weights in one batch", variant="primary")
                        sweep_stop = gr.Button("Cancel", variant="stop")
                    sweep_plot = gr.Plot(show_label=False, format="png")
                    sweep_row = gr.Image(label="One counterfactual per weight", show_label=False,
                                         format="png", interactive=False)
                    sweep_table = gr.Markdown(elem_id="cf-tradeoff-table")
    with gr.Accordion("Lesson", open=False):
        gr.Markdown(ctx.lesson("counterfactual"), latex_delimiters=[
            {"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}])
    session = gr.State(new_session_token)
    shown = dict(weight=weight, distance=distance, smoothness=smoothness, step_size=step_size,
                 max_steps=max_steps, threshold=threshold, seed=seed)
    knobs = [shown[name] for name in KNOBS]
    start_inputs = [*picker.inputs, model, kind, class_index]

    gr.on([demo.load, model.change], functools.partial(choose_model, ctx), model, model,
          api_name="counterfactual_model").then(
        functools.partial(predict, ctx), [*picker.inputs, model], [predictions, seen],
        api_visibility="private")
    gr.on([picker.example.change, picker.upload.change], functools.partial(predict, ctx),
          [*picker.inputs, model], [predictions, seen], api_name="counterfactual_predict")
    gr.on([demo.load, picker.example.change, picker.upload.change],
          functools.partial(editor_background, ctx), picker.inputs, editor,
          api_visibility="private", show_progress="hidden")
    gr.on([demo.load, model.change, kind.change, class_index.change],
          functools.partial(describe_target, ctx), [model, kind, class_index], target_text,
          api_name="counterfactual_targets", show_progress="hidden")
    gr.on([find.click, query.submit], functools.partial(search_classes, ctx), [model, query],
          matches, api_name="counterfactual_find_class")
    matches.input(use_match, matches, class_index, api_visibility="private")

    pixel = run.click(functools.partial(run_pixel, ctx),
                      [session, *start_inputs, use_region, editor, *knobs],
                      [live, curves, status, picture, slider, final, checks, gradcam],
                      api_name="counterfactual")
    swap = swap_run.click(functools.partial(run_swap, ctx),
                          [session, *start_inputs, *dog.inputs, max_cells, candidates,
                           swap_threshold],
                          [swap_image, swap_plot, swap_text, swap_final, swap_checks],
                          api_name="counterfactual_swap")
    tradeoff = sweep.click(functools.partial(run_tradeoff, ctx),
                           [session, *start_inputs, use_region, editor, weights, *knobs],
                           [sweep_plot, sweep_row, sweep_table], api_name="counterfactual_tradeoff")
    stop.click(cancel, session, status, cancels=[pixel], api_visibility="private")
    sweep_stop.click(cancel, session, sweep_table, cancels=[tradeoff], api_visibility="private")
    swap_stop.click(cancel, session, swap_text, cancels=[swap], api_visibility="private")
