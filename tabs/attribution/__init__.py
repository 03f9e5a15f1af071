"""Attribution tab: saliency, Integrated Gradients, Grad-CAM, Guided Grad-CAM and Occlusion for
any class, compared side by side, taken apart step by step, measured for stability, and tested:
deletion/insertion curves and the sanity check (cascading randomization).

The layout and its wiring live here; the handlers in :mod:`tabs.attribution.handlers` and,
for the two tests, :mod:`tabs.attribution.faithfulness`.
"""

from __future__ import annotations

import gradio as gr

from core.attribution import BASELINES, METHODS
from tabs.attribution.faithfulness import run_deletion, run_sanity
from tabs.attribution.handlers import (
    METHOD_CHOICES,
    choose_model,
    describe_target,
    pick_prediction,
    predict,
    redraw_compare,
    run_baselines,
    run_classes,
    run_compare,
    run_depth,
    run_stability,
    run_stability_all,
    run_steps,
)
from tabs.attribution.texts import T, baseline_choices
from tabs.common.class_search import search_classes, use_match
from tabs.common.context import TabContext
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import model_choices
from tabs.common.render.attribution import COLORMAPS

TITLE = "Attribution"


def build(ctx: TabContext, demo: gr.Blocks) -> dict[str, gr.components.Component]:
    """Create the tab inside the current ``gr.Tab`` and wire its events.

    Returns the link fields (address key → component) that a link to this view carries.
    """
    models = ctx.models
    start = models.default_model("resnet18")
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            picker = image_picker(ctx.examples, default="both.png", key="attr")
            model = gr.Dropdown(model_choices(models), value=start, label=T.label("model"))
            predictions = gr.Label(num_top_classes=5, label=T.label("predictions"))
            target = gr.Number(value=0, precision=0, minimum=0, label=T.label("target"),
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
                steps = gr.Number(value=32, precision=0, label=T.label("steps"))
                baseline = gr.Dropdown(baseline_choices(BASELINES), value="black",
                                       label=T.label("baseline"))
            with gr.Row():
                window = gr.Number(value=32, precision=0, label=T.label("window"))
                stride = gr.Number(value=16, precision=0, label=T.label("stride"))
            with gr.Row():
                opacity = gr.Slider(0.0, 1.0, value=0.7, step=0.05, label=T.label("opacity"))
                cmap = gr.Dropdown(list(COLORMAPS), value="jet", label=T.label("cmap"))
        with gr.Column(scale=2):
            with gr.Tabs():
                with gr.Tab(T.label("tab.compare")):
                    compare = gr.Button(T.label("compare"), variant="primary",
                                        elem_id="attr-compare-run")
                    compare_image = gr.Image(label=T.label("compare.image"), format="png",
                                             interactive=False, elem_id="attr-compare", show_label=False)
                    compare_text = gr.Markdown()
                with gr.Tab(T.label("tab.baselines")):
                    baselines_run = gr.Button(T.label("baselines"), variant="primary")
                    baselines_image = gr.Image(label=T.label("baselines.image"), format="png",
                                               interactive=False, show_label=False)
                    baselines_text = gr.Markdown()
                with gr.Tab(T.label("tab.depth")):
                    # A searchable multi-select: EfficientNet has 262 layers to choose from.
                    depth_layers = gr.Dropdown([], multiselect=True, allow_custom_value=True,
                                               label=T.label("depth.layers"))
                    depth_run = gr.Button(T.label("depth"), variant="primary")
                    depth_image = gr.Image(label=T.label("depth.image"), format="png",
                                           interactive=False, show_label=False)
                with gr.Tab(T.label("tab.steps")):
                    steps_run = gr.Button(T.label("steps.run"), variant="primary")
                    steps_grid = gr.Image(label=T.label("steps.grid"),
                                          format="png", interactive=False, height=260)
                    steps_plot = gr.Plot(show_label=False,
                                         format="png")
                    steps_image = gr.Image(label=T.label("steps.image"), format="png",
                                           interactive=False, show_label=False)
                    steps_text = gr.Markdown()
                with gr.Tab(T.label("tab.classes")):
                    with gr.Row():
                        second = gr.Number(value=1, precision=0, minimum=0, label=T.label("second"))
                        pair_method = gr.Dropdown(METHOD_CHOICES, value="gradcam",
                                                  label=T.label("method"))
                    use_second = gr.Button(T.label("use_second"), size="sm")
                    pair_run = gr.Button(T.label("classes"), variant="primary")
                    pair_image = gr.Image(label=T.label("classes.image"), format="png",
                                          interactive=False, show_label=False)
                with gr.Tab(T.label("tab.stability")):
                    with gr.Row():
                        stab_method = gr.Dropdown(METHOD_CHOICES, value="saliency",
                                                  label=T.label("method"))
                        noise = gr.Number(value=1.0, step=0.5, label=T.label("noise"))
                        top_k = gr.Slider(1, 50, value=10, step=1, label=T.label("top_k"))
                    with gr.Row():
                        stab_run = gr.Button(T.label("stability"), variant="primary")
                        stab_all = gr.Button(T.label("stability.all"))
                    stab_image = gr.Image(label=T.label("stability.image"), format="png",
                                          interactive=False, show_label=False)
                    stab_text = gr.Markdown()
                    stab_table = gr.Markdown()
                with gr.Tab(T.label("tab.deletion")):
                    gr.Markdown(T.label("deletion.intro"))
                    with gr.Row():
                        del_methods = gr.CheckboxGroup(METHOD_CHOICES, value=list(METHODS),
                                                       label=T.label("methods"), scale=3)
                        replacement = gr.Dropdown(baseline_choices(BASELINES), value="blurred",
                                                  scale=1, label=T.label("replacement"))
                        shown = gr.Textbox("5, 10, 25", label=T.label("shown"), scale=1)
                    del_run = gr.Button(T.label("deletion"), variant="primary",
                                        elem_id="attr-deletion-run")
                    del_plot = gr.Plot(show_label=False, format="png", elem_id="attr-deletion-plot")
                    del_table = gr.Markdown(elem_id="attr-deletion-table")
                    del_image = gr.Image(label=T.label("deletion.image"),
                                         format="png", interactive=False, show_label=False,
                                         elem_id="attr-deletion")
                with gr.Tab(T.label("tab.sanity")):
                    gr.Markdown(T.label("sanity.intro"))
                    san_methods = gr.CheckboxGroup(METHOD_CHOICES, value=list(METHODS),
                                                   label=T.label("methods"))
                    san_run = gr.Button(T.label("sanity"), variant="primary",
                                        elem_id="attr-sanity-run")
                    san_plot = gr.Plot(show_label=False, format="png", elem_id="attr-sanity-plot")
                    san_image = gr.Image(label=T.label("sanity.image"), format="png",
                                         interactive=False, show_label=False, elem_id="attr-sanity")
                    san_text = gr.Markdown(elem_id="attr-sanity-text")
    results = gr.State(None)
    shown_classes = gr.State(None)

    image_inputs = [*picker.inputs, model]
    # The shell runs "attribution_model" and "attribution_predict" when a page opens (its
    # first view); then on a choice.
    model.input(ctx.bind(choose_model), model, [model, layer, depth_layers],
                api_name="attribution_model").then(
        ctx.bind(predict), image_inputs,
        [predictions, target, second, shown_classes], api_visibility="private")
    gr.on([picker.example.input, picker.upload.change], ctx.bind(predict),
          image_inputs, [predictions, target, second, shown_classes],
          api_name="attribution_predict")
    target.change(ctx.bind(describe_target), [model, target], target_text,
                  api_visibility="private", show_progress="hidden")
    predictions.select(pick_prediction, [shown_classes, target], target,
                       api_visibility="private")
    gr.on([find.click, query.submit], ctx.bind(search_classes), [model, query],
          matches, api_name="attribution_find_class")
    matches.input(use_match, [matches, target], target, api_visibility="private")
    use_second.click(use_match, [matches, second], second, api_visibility="private")

    occlusion = [window, stride]  # appended last: older API calls without them still work
    compare.click(ctx.bind(run_compare),
                  [*image_inputs, target, layer, steps, baseline, opacity, cmap, *occlusion],
                  [compare_image, compare_text, results], api_name="attribution_compare")
    gr.on([opacity.release, cmap.input], ctx.bind(redraw_compare), [results, opacity, cmap], compare_image,
          api_visibility="private", show_progress="hidden")
    baselines_run.click(ctx.bind(run_baselines),
                        [*image_inputs, target, steps, opacity, cmap],
                        [baselines_image, baselines_text], api_name="attribution_baselines")
    depth_run.click(ctx.bind(run_depth),
                    [*image_inputs, target, depth_layers, opacity, cmap], depth_image,
                    api_name="attribution_depth")
    steps_run.click(ctx.bind(run_steps), [*image_inputs, target, layer, opacity, cmap],
                    [steps_grid, steps_plot, steps_image, steps_text], api_name="attribution_steps")
    pair_run.click(ctx.bind(run_classes),
                   [*image_inputs, target, second, pair_method, layer, steps, opacity, cmap,
                    *occlusion],
                   pair_image, api_name="attribution_classes")
    stab_run.click(ctx.bind(run_stability),
                   [*image_inputs, target, stab_method, noise, top_k, layer, steps, baseline, cmap,
                    *occlusion],
                   [stab_image, stab_text], api_name="attribution_stability")
    stab_all.click(ctx.bind(run_stability_all),
                   [*image_inputs, target, noise, top_k, layer, steps, baseline, *occlusion],
                   stab_table, api_name="attribution_stability_all")
    del_run.click(ctx.bind(run_deletion),
                  [*image_inputs, target, del_methods, replacement, shown, layer, steps, baseline,
                   *occlusion, cmap], [del_plot, del_table, del_image], api_name="attribution_deletion")
    san_run.click(ctx.bind(run_sanity),
                  [*image_inputs, target, san_methods, layer, steps, baseline, *occlusion, cmap],
                  [san_plot, san_image, san_text], api_name="attribution_sanity")
    return dict(image=picker.example, model=model, layer=layer, target=target,
                method=pair_method)
