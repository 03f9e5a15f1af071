"""Attribution tab: saliency, Integrated Gradients, Grad-CAM, Guided Grad-CAM and Occlusion for
any class, compared side by side, taken apart step by step, measured for stability, and tested:
deletion/insertion curves and the sanity check (cascading randomization).

The layout and its wiring live here; the handlers in :mod:`tabs.attribution.handlers` and,
for the two tests, :mod:`tabs.attribution.faithfulness`.
"""

from __future__ import annotations

import functools

import gradio as gr

from core.attribution import BASELINES, METHODS
from tabs.attribution.faithfulness import run_deletion, run_sanity
from tabs.attribution.handlers import (
    METHOD_CHOICES,
    choose_model,
    describe_target,
    pick_prediction,
    predict,
    render_compare,
    run_baselines,
    run_classes,
    run_compare,
    run_depth,
    run_stability,
    run_stability_all,
    run_steps,
    search_classes,
    use_match,
)
from tabs.common.context import TabContext
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import model_choices
from tabs.common.render.attribution import COLORMAPS

TITLE = "Attribution"


def build(ctx: TabContext, demo: gr.Blocks) -> None:
    """Create the tab inside the current ``gr.Tab`` and wire its events."""
    models = ctx.models
    start = models.default_model("resnet18")
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            picker = image_picker(ctx.examples, default="both.png", key="attr")
            model = gr.Dropdown(model_choices(models), value=start, label="Model")
            predictions = gr.Label(num_top_classes=5, label="Top-5 predictions (click one to explain it)")
            target = gr.Number(value=0, precision=0, minimum=0, label="Target class index")
            target_text = gr.Markdown()
            with gr.Row():
                query = gr.Textbox(label="Search a class name", placeholder="cat", scale=2)
                find = gr.Button("Find", scale=1)
            matches = gr.Dropdown([], label="Matching classes (#index name)")
            layer = gr.Dropdown([], label="Grad-CAM layer (default: the last block)")
            with gr.Row():
                steps = gr.Number(value=32, precision=0, label="IG steps")
                baseline = gr.Dropdown(list(BASELINES), value="black", label="IG baseline")
            with gr.Row():
                window = gr.Number(value=32, precision=0, label="Occlusion window")
                stride = gr.Number(value=16, precision=0, label="Occlusion stride")
            with gr.Row():
                opacity = gr.Slider(0.0, 1.0, value=0.7, step=0.05, label="Overlay opacity")
                cmap = gr.Dropdown(list(COLORMAPS), value="jet", label="Colour map")
        with gr.Column(scale=2):
            with gr.Tabs():
                with gr.Tab("Compare methods"):
                    compare = gr.Button("Compare all methods", variant="primary", elem_id="attr-compare-run")
                    compare_image = gr.Image(label="Original and all methods", format="png",
                                             interactive=False, elem_id="attr-compare", show_label=False)
                    compare_text = gr.Markdown()
                with gr.Tab("IG baselines"):
                    baselines_run = gr.Button("Compare the four baselines", variant="primary")
                    baselines_image = gr.Image(label="IG per baseline", format="png", interactive=False, show_label=False)
                    baselines_text = gr.Markdown()
                with gr.Tab("Grad-CAM across depth"):
                    # A searchable multi-select: EfficientNet has 262 layers to choose from.
                    depth_layers = gr.Dropdown([], multiselect=True, allow_custom_value=True,
                                               label="Layers (default: one per stage; type to search)")
                    depth_run = gr.Button("Grad-CAM at every chosen layer", variant="primary")
                    depth_image = gr.Image(label="Shallow → deep", format="png", interactive=False, show_label=False)
                with gr.Tab("Grad-CAM step by step"):
                    steps_run = gr.Button("Show the five steps", variant="primary")
                    steps_grid = gr.Image(label="1. Feature maps A_k (the 8 with the largest weights)",
                                          format="png", interactive=False, height=260)
                    steps_plot = gr.Plot(show_label=False,
                                         format="png")
                    steps_image = gr.Image(label="4–5. Weighted sum, ReLU, overlay", format="png",
                                           interactive=False, show_label=False)
                    steps_text = gr.Markdown()
                with gr.Tab("Two classes"):
                    with gr.Row():
                        second = gr.Number(value=1, precision=0, minimum=0, label="Second class index")
                        pair_method = gr.Dropdown(METHOD_CHOICES, value="gradcam", label="Method")
                    use_second = gr.Button("Use the search match as second class", size="sm")
                    pair_run = gr.Button("Explain both classes", variant="primary")
                    pair_image = gr.Image(label="Target vs second class", format="png", interactive=False, show_label=False)
                with gr.Tab("Instability"):
                    with gr.Row():
                        stab_method = gr.Dropdown(METHOD_CHOICES, value="saliency", label="Method")
                        noise = gr.Number(value=1.0, step=0.5, label="Noise (% of the pixel range, ≥ 0)")
                        top_k = gr.Slider(1, 50, value=10, step=1, label="Top-k % pixels")
                    with gr.Row():
                        stab_run = gr.Button("Measure this method", variant="primary")
                        stab_all = gr.Button("Measure every method")
                    stab_image = gr.Image(label="Original, noisy, difference", format="png",
                                          interactive=False, show_label=False)
                    stab_text = gr.Markdown()
                    stab_table = gr.Markdown()
                with gr.Tab("Deletion"):
                    gr.Markdown("Replace each method's most important pixels first: a faithful map "
                                "makes the probability drop fast (and rise fast when they are put "
                                "back into the replacement image). The dashed line is a random order.")
                    with gr.Row():
                        del_methods = gr.CheckboxGroup(METHOD_CHOICES, value=list(METHODS),
                                                       label="Methods", scale=3)
                        replacement = gr.Dropdown(list(BASELINES), value="blurred", scale=1,
                                                  label="Replace deleted pixels by")
                        shown = gr.Textbox("5, 10, 25", label="Show images at (% deleted)", scale=1)
                    del_run = gr.Button("Delete and insert pixels", variant="primary",
                                        elem_id="attr-deletion-run")
                    del_plot = gr.Plot(show_label=False, format="png", elem_id="attr-deletion-plot")
                    del_table = gr.Markdown(elem_id="attr-deletion-table")
                    del_image = gr.Image(label="Images with the most important pixels deleted",
                                         format="png", interactive=False, show_label=False,
                                         elem_id="attr-deletion")
                with gr.Tab("Sanity check"):
                    gr.Markdown("Randomize the model's weights stage by stage, from the output down "
                                "(on a private copy), and watch whether each map changes. A map "
                                "that stays the same cannot be explaining the trained model.")
                    san_methods = gr.CheckboxGroup(METHOD_CHOICES, value=list(METHODS), label="Methods")
                    san_run = gr.Button("Randomize stage by stage", variant="primary",
                                        elem_id="attr-sanity-run")
                    san_plot = gr.Plot(show_label=False, format="png", elem_id="attr-sanity-plot")
                    san_image = gr.Image(label="Maps after each stage", format="png",
                                         interactive=False, show_label=False, elem_id="attr-sanity")
                    san_text = gr.Markdown(elem_id="attr-sanity-text")
    with gr.Accordion("Lesson", open=False):
        gr.Markdown(ctx.lesson("attribution"), latex_delimiters=[
            {"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}])
    results = gr.State(None)
    shown_classes = gr.State(None)

    image_inputs = [*picker.inputs, model]
    gr.on([demo.load, model.change], functools.partial(choose_model, ctx), model,
          [model, layer, depth_layers], api_name="attribution_model").then(
        functools.partial(predict, ctx), image_inputs,
        [predictions, target, second, shown_classes], api_visibility="private")
    gr.on([picker.example.change, picker.upload.change], functools.partial(predict, ctx),
          image_inputs, [predictions, target, second, shown_classes],
          api_name="attribution_predict")
    target.change(functools.partial(describe_target, ctx), [model, target], target_text,
                  api_visibility="private", show_progress="hidden")
    predictions.select(pick_prediction, shown_classes, target, api_visibility="private")
    gr.on([find.click, query.submit], functools.partial(search_classes, ctx), [model, query],
          matches, api_name="attribution_find_class")
    matches.input(use_match, matches, target, api_visibility="private")
    use_second.click(use_match, matches, second, api_visibility="private")

    occlusion = [window, stride]  # appended last: older API calls without them still work
    compare.click(functools.partial(run_compare, ctx),
                  [*image_inputs, target, layer, steps, baseline, opacity, cmap, *occlusion],
                  [compare_image, compare_text, results], api_name="attribution_compare")
    gr.on([opacity.release, cmap.input], render_compare, [results, opacity, cmap], compare_image,
          api_visibility="private", show_progress="hidden")
    baselines_run.click(functools.partial(run_baselines, ctx),
                        [*image_inputs, target, steps, opacity, cmap],
                        [baselines_image, baselines_text], api_name="attribution_baselines")
    depth_run.click(functools.partial(run_depth, ctx),
                    [*image_inputs, target, depth_layers, opacity, cmap], depth_image,
                    api_name="attribution_depth")
    steps_run.click(functools.partial(run_steps, ctx), [*image_inputs, target, layer, opacity, cmap],
                    [steps_grid, steps_plot, steps_image, steps_text], api_name="attribution_steps")
    pair_run.click(functools.partial(run_classes, ctx),
                   [*image_inputs, target, second, pair_method, layer, steps, opacity, cmap,
                    *occlusion],
                   pair_image, api_name="attribution_classes")
    stab_run.click(functools.partial(run_stability, ctx),
                   [*image_inputs, target, stab_method, noise, top_k, layer, steps, baseline, cmap,
                    *occlusion],
                   [stab_image, stab_text], api_name="attribution_stability")
    stab_all.click(functools.partial(run_stability_all, ctx),
                   [*image_inputs, target, noise, top_k, layer, steps, baseline, *occlusion],
                   stab_table, api_name="attribution_stability_all")
    del_run.click(functools.partial(run_deletion, ctx),
                  [*image_inputs, target, del_methods, replacement, shown, layer, steps, baseline,
                   *occlusion, cmap], [del_plot, del_table, del_image], api_name="attribution_deletion")
    san_run.click(functools.partial(run_sanity, ctx),
                  [*image_inputs, target, san_methods, layer, steps, baseline, *occlusion, cmap],
                  [san_plot, san_image, san_text], api_name="attribution_sanity")
