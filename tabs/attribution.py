"""Attribution tab: saliency, Integrated Gradients, Grad-CAM and Guided Grad-CAM for any class,
compared side by side, taken apart step by step, and measured for stability."""

from __future__ import annotations

import functools
import math
import re

import gradio as gr
import numpy as np

from core.attribution import (
    BASELINES,
    METHOD_TITLES,
    METHODS,
    Explanation,
    check_target,
    classify,
    compare_baselines,
    compare_methods,
    compare_targets,
    find_class,
    gradcam_depth,
    gradcam_steps,
    stage_layers,
)
from core.stability import measure_stability
from lab.context import LabContext
from lab.errors import user_errors
from lab.image_picker import image_picker, resolve_image
from lab.lessons import lesson
from lab.render.attribution import COLORMAPS, heatmap, overlay_map, stack, strip, weights_figure
from lab.render.images import colorize, feature_grid
from lab.status import model_choices

TITLE = "Attribution"
METHOD_CHOICES = [(METHOD_TITLES[m], m) for m in METHODS]


def _reporter(progress):
    return lambda fraction, text: progress(fraction, desc=text)


def _name(ctx: LabContext, model: str, target: int) -> str:
    return f"#{target} {ctx.models.get(model).categories[target]}"


def _panels(results: tuple[Explanation, ...], opacity: float, cmap: str, titles) -> list:
    return [(overlay_map(r.view, r.map, opacity=opacity, cmap=cmap), t) for r, t in zip(results, titles)]


@user_errors
def choose_model(ctx: LabContext, model: str):
    """Load the model (or the offline one), list its layers and preselect the Grad-CAM layer."""
    loaded, notice = ctx.models.get_or_fallback(model)
    if notice:
        gr.Warning(notice)
    layers = ctx.models.layers(loaded.name)
    choices = [(info.label, info.name) for info in layers]
    default = loaded.spec.default_layers["gradcam"]
    stages = list(stage_layers(layers))
    return (gr.Dropdown(value=loaded.name), gr.Dropdown(choices=choices, value=default),
            gr.Dropdown(choices=[info.name for info in layers], value=stages))


@user_errors
def predict(ctx: LabContext, example: str, upload: str | None, model: str):
    """Top-5 predictions; the top class becomes the target, the second the comparison class."""
    loaded = ctx.models.get(model)
    predictions = classify(loaded, resolve_image(example, upload))
    scores = {f"{p.label} (#{p.index})": p.probability for p in predictions}
    return scores, predictions[0].index, predictions[1 % len(predictions)].index


@user_errors
def describe_target(ctx: LabContext, model: str, target: float | None) -> str:
    """The chosen class with its index and name."""
    loaded = ctx.models.get(model)
    index = check_target(loaded.categories, target=target)
    return f"Target class: **#{index} {loaded.categories[index]}**"


@user_errors
def search_classes(ctx: LabContext, model: str, query: str):
    """Classes whose name contains ``query`` (like the notebook's ``find_class``)."""
    matches = find_class(ctx.models.get(model).categories, query)
    return gr.Dropdown(choices=[(f"#{m.index} {m.label}", m.index) for m in matches],
                       value=matches[0].index)


def pick_prediction(evt: gr.SelectData):
    """A click on a prediction "label (#index)" makes that class the target."""
    found = re.search(r"\(#(\d+)\)\s*$", str(evt.value))
    return gr.Number(value=int(found.group(1))) if found else gr.Number()


def use_match(match: int | None):
    return gr.Number() if match is None else gr.Number(value=int(match))


@user_errors
def run_compare(ctx: LabContext, example: str, upload: str | None, model: str, target: float,
                layer: str, steps: float, baseline: str, opacity: float, cmap: str,
                progress=gr.Progress()):
    """Original and all four methods side by side for one target (the notebook's compare_methods)."""
    loaded = ctx.models.get(model)
    results = compare_methods(loaded, resolve_image(example, upload),
                              target=check_target(loaded.categories, target=target), layer=layer,
                              steps=_steps(steps), baseline=baseline, progress=_reporter(progress))
    return render_compare(results, opacity, cmap), _timings(results), results


@user_errors
def render_compare(results: tuple[Explanation, ...] | None, opacity: float, cmap: str):
    """Draw a comparison again with another opacity or colour map (no recomputation)."""
    if not results:
        return None
    first = results[0]
    titles = [r.title.replace(" (", "\n(").replace(" @ ", "\n@ ") for r in results]
    overlays = strip([(first.view, f"Original\n#{first.target} {first.label}")]
                     + _panels(results, opacity, cmap, titles))
    heatmaps = strip([(first.view, "heatmaps below:\neach normalised on its own")]
                     + [(heatmap(r.map, cmap=cmap), f"{METHOD_TITLES[r.method]} heatmap")
                        for r in results])
    return stack([overlays, heatmaps])


@user_errors
def run_baselines(ctx: LabContext, example: str, upload: str | None, model: str, target: float,
                  steps: float, opacity: float, cmap: str, progress=gr.Progress()):
    """IG with black, white, noise and blurred baselines, and the completeness check as a table."""
    loaded = ctx.models.get(model)
    results = compare_baselines(loaded, resolve_image(example, upload),
                                target=check_target(loaded.categories, target=target),
                                steps=_steps(steps), progress=_reporter(progress))
    picture = strip(_panels(results, opacity, cmap, [f"baseline: {r.baseline}" for r in results]))
    rows = ["| baseline | Σ attributions | f(x) | f(baseline) | f(x) − f(baseline) | captum δ | error |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        c = r.completeness
        error = abs(c.delta) / abs(c.difference) * 100 if c.difference else math.nan
        rows.append(f"| {r.baseline} | {c.attribution_sum:.3f} | {c.score_input:.3f} | "
                    f"{c.score_baseline:.3f} | {c.difference:.3f} | {c.delta:+.3f} | {error:.1f} % |")
    note = (f"\n\nf = the logit of **{_name(ctx, model, results[0].target)}**, "
            f"{results[0].steps} steps. Completeness says Σ attributions = f(x) − f(baseline); "
            "δ is how far captum's numerical integral misses it (more steps → smaller δ).")
    return picture, "\n".join(rows) + note


@user_errors
def run_depth(ctx: LabContext, example: str, upload: str | None, model: str, target: float,
              layers: list[str], opacity: float, cmap: str, progress=gr.Progress()):
    """Grad-CAM for the same target at several depths, shallow to deep."""
    loaded = ctx.models.get(model)
    order = [info.name for info in ctx.models.layers(loaded.name)]
    chosen = [name for name in order if name in set(layers or ())]
    results = gradcam_depth(loaded, resolve_image(example, upload),
                            target=check_target(loaded.categories, target=target), layers=chosen,
                            progress=_reporter(progress))
    shapes = {info.name: info.shape for info in ctx.models.layers(loaded.name)}
    titles = [f"{r.layer}\n{shapes[r.layer][1]} x {shapes[r.layer][2]} cells" for r in results]
    return strip(_panels(results, opacity, cmap, titles))


@user_errors
def run_steps(ctx: LabContext, example: str, upload: str | None, model: str, target: float,
              layer: str, opacity: float, cmap: str):
    """Grad-CAM's five steps: feature maps, channel weights, weighted sum, ReLU, upsampled overlay."""
    loaded = ctx.models.get(model)
    steps = gradcam_steps(loaded, resolve_image(example, upload),
                          target=check_target(loaded.categories, target=target), layer=layer)
    strongest = np.argsort(-steps.weights)[:8]
    grid, _ = feature_grid(steps.feature_maps, strongest, scale="per map")
    span = float(np.abs(steps.weighted_sum).max()) or 1.0
    signed = colorize(steps.weighted_sum, low=-span, high=span, cmap="coolwarm")
    picture = strip([(signed, "4a. weighted sum of the maps\n(blue < 0 < red)"),
                     (heatmap(steps.relu, cmap=cmap), "4b. ReLU: keep > 0"),
                     (overlay_map(steps.view, steps.upsampled, opacity=opacity, cmap=cmap),
                      "5. upsampled over the image")])
    c, h, w = steps.feature_maps.shape
    text = (f"**{layer}** has **{c} feature maps of {h}×{w}** (step 1; above: the 8 with the largest "
            f"weights, channels {', '.join(map(str, strongest))}). Step 2: gradients of the "
            f"score of {_name(ctx, model, steps.target)} with respect to each map; step 3: their mean "
            f"per map is the weight α_k — {int((steps.weights > 0).sum())} of {c} weights are "
            f"positive, the largest is {steps.weights.max():.3g}. "
            f"{100 * (steps.weighted_sum <= 0).mean():.0f} % of the {h}×{w} cells are removed by the ReLU.")
    figure = weights_figure(steps.weights, layer=layer, label=steps.label)
    return grid, figure, picture, text


@user_errors
def run_classes(ctx: LabContext, example: str, upload: str | None, model: str, target: float,
                second: float, method: str, layer: str, steps: float, opacity: float, cmap: str):
    """The same method for two classes on one image, side by side, with names and indices."""
    loaded = ctx.models.get(model)
    targets = [check_target(loaded.categories, target=t) for t in (target, second)]
    image = resolve_image(example, upload)
    results = compare_targets(loaded, image, targets=targets, method=method, layer=layer,
                              steps=_steps(steps))
    probabilities = {p.index: p.probability for p in classify(loaded, image, top_k=1000)}
    titles = [f"#{r.target} {r.label}\np = {probabilities.get(r.target, 0):.1%}" for r in results]
    panels = [(results[0].view, f"Original\n{results[0].title}")] + _panels(results, opacity, cmap, titles)
    return strip(panels)


@user_errors
def run_stability(ctx: LabContext, example: str, upload: str | None, model: str, target: float,
                  method: str, noise_percent: float, top_k: float, layer: str, steps: float,
                  baseline: str, cmap: str):
    """Original map, map with noise, their difference, and the two stability numbers."""
    loaded = ctx.models.get(model)
    report = measure_stability(loaded, resolve_image(example, upload), method=method,
                               target=check_target(loaded.categories, target=target),
                               noise=_noise(noise_percent), top_k=top_k, layer=layer,
                               steps=_steps(steps), baseline=baseline)
    picture = strip([(heatmap(report.original.map, cmap=cmap), "original map"),
                     (heatmap(report.noisy.map, cmap=cmap), f"with {noise_percent:g} % noise"),
                     (heatmap(report.difference, cmap="gray"), "|difference| (each map / max)")])
    text = (f"**{METHOD_TITLES[method]}**: Spearman rank correlation **{report.rank_correlation:.3f}**, "
            f"top-{top_k:g} % overlap **{report.top_k_overlap:.1f} %** "
            "(1 and 100 % = the noise changed nothing).")
    return picture, text


@user_errors
def run_stability_all(ctx: LabContext, example: str, upload: str | None, model: str,
                      target: float, noise_percent: float, top_k: float, layer: str, steps: float,
                      baseline: str, progress=gr.Progress()) -> str:
    """The stability numbers for every method, as a table: which method is the most stable?"""
    loaded = ctx.models.get(model)
    image = resolve_image(example, upload)
    index = check_target(loaded.categories, target=target)
    noise = _noise(noise_percent)
    rows = [f"| method | Spearman ρ | top-{top_k:g} % overlap |", "|---|---:|---:|"]
    for i, method in enumerate(METHODS):
        progress(i / len(METHODS), desc=f"{METHOD_TITLES[method]} with and without noise…")
        report = measure_stability(loaded, image, method=method, target=index, noise=noise,
                                   top_k=top_k, layer=layer, steps=_steps(steps), baseline=baseline)
        rows.append(f"| {METHOD_TITLES[method]} | {report.rank_correlation:.3f} | "
                    f"{report.top_k_overlap:.1f} % |")
    return (f"Noise {noise_percent:g} % for {_name(ctx, model, index)}:\n\n" + "\n".join(rows))


def _steps(steps: float | None) -> int:
    if steps is None or steps != int(steps) or steps < 1:
        raise ValueError(f"Integrated Gradients needs at least 1 step (a whole number); you gave {steps}.")
    return int(steps)


def _noise(percent: float | None) -> float:
    if percent is None or percent < 0:
        raise ValueError(f"The noise strength must be 0 % or more (you gave {percent}).")
    return percent / 100


def _timings(results: tuple[Explanation, ...]) -> str:
    parts = [f"{METHOD_TITLES[r.method]} {r.seconds:.2f} s" for r in results]
    return "Computed (0 s = from cache): " + " · ".join(parts)


def build(ctx: LabContext, demo: gr.Blocks) -> None:
    """Create the tab inside the current ``gr.Tab`` and wire its events."""
    models = ctx.models
    start = models.default_model("resnet18")
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            picker = image_picker(default="both.png", key="attr")
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
    with gr.Accordion("Lesson", open=False):
        gr.Markdown(lesson("attribution", ctx.settings.lang), latex_delimiters=[
            {"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}])
    results = gr.State(None)

    image_inputs = [*picker.inputs, model]
    gr.on([demo.load, model.change], functools.partial(choose_model, ctx), model,
          [model, layer, depth_layers], api_name="attribution_model").then(
        functools.partial(predict, ctx), image_inputs, [predictions, target, second],
        api_visibility="private")
    gr.on([picker.example.change, picker.upload.change], functools.partial(predict, ctx),
          image_inputs, [predictions, target, second], api_name="attribution_predict")
    target.change(functools.partial(describe_target, ctx), [model, target], target_text,
                  api_visibility="private", show_progress="hidden")
    predictions.select(pick_prediction, None, target, api_visibility="private")
    gr.on([find.click, query.submit], functools.partial(search_classes, ctx), [model, query],
          matches, api_name="attribution_find_class")
    matches.input(use_match, matches, target, api_visibility="private")
    use_second.click(use_match, matches, second, api_visibility="private")

    compare.click(functools.partial(run_compare, ctx),
                  [*image_inputs, target, layer, steps, baseline, opacity, cmap],
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
                   [*image_inputs, target, second, pair_method, layer, steps, opacity, cmap],
                   pair_image, api_name="attribution_classes")
    stab_run.click(functools.partial(run_stability, ctx),
                   [*image_inputs, target, stab_method, noise, top_k, layer, steps, baseline, cmap],
                   [stab_image, stab_text], api_name="attribution_stability")
    stab_all.click(functools.partial(run_stability_all, ctx),
                   [*image_inputs, target, noise, top_k, layer, steps, baseline], stab_table,
                   api_name="attribution_stability_all")
