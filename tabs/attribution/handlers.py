"""The Attribution tab's event handlers: each turns the form's values into a ``core`` call and
the typed result into pictures, tables and sentences. Deletion/insertion and the sanity
check are in :mod:`tabs.attribution.faithfulness`."""

from __future__ import annotations

import math

import gradio as gr
import numpy as np

from core.attribution import (
    METHOD_TITLES,
    METHODS,
    Explanation,
    compare_baselines,
    compare_methods,
    compare_targets,
    gradcam_depth,
    gradcam_steps,
    measure_stability,
)
from core.models.layers import stage_layers
from core.predictions import check_target, classify, find_class
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.layer_picker import load_model
from tabs.common.render.attribution import heatmap, overlay_map, stack, strip, weights_figure
from tabs.common.render.images import colorize, feature_grid

METHOD_CHOICES = [(METHOD_TITLES[m], m) for m in METHODS]


def _reporter(progress):
    return lambda fraction, text: progress(fraction, desc=text)


def _name(ctx: TabContext, model: str, target: int) -> str:
    return f"#{target} {ctx.models.get(model).categories[target]}"


def _panels(results: tuple[Explanation, ...], opacity: float, cmap: str, titles) -> list:
    return [(overlay_map(r.view, r.map, opacity=opacity, cmap=cmap), t) for r, t in zip(results, titles)]


@user_errors
def choose_model(ctx: TabContext, model: str):
    """Load the model (or the offline one), list its layers and preselect the Grad-CAM layer."""
    loaded = load_model(ctx, model)
    layers = ctx.models.layers(loaded.name)
    choices = [(info.label, info.name) for info in layers]
    default = loaded.spec.default_layers["gradcam"]
    stages = list(stage_layers(layers))
    return (gr.Dropdown(value=loaded.name), gr.Dropdown(choices=choices, value=default),
            gr.Dropdown(choices=[info.name for info in layers], value=stages))


@user_errors
def predict(ctx: TabContext, example: str, upload: str | None, model: str):
    """Top-5 predictions; the top class becomes the target, the second the comparison class.

    Also returns the class index behind each shown label, for :func:`pick_prediction`.
    """
    loaded = ctx.models.get(model)
    predictions = classify(loaded, ctx.examples.resolve(example, upload))
    shown = {f"{p.label} (#{p.index})": p for p in predictions}
    scores = {label: p.probability for label, p in shown.items()}
    indices = {label: p.index for label, p in shown.items()}
    return scores, predictions[0].index, predictions[1 % len(predictions)].index, indices


@user_errors
def describe_target(ctx: TabContext, model: str, target: float | None) -> str:
    """The chosen class with its index and name."""
    loaded = ctx.models.get(model)
    index = check_target(loaded.categories, target=target)
    return f"Target class: **#{index} {loaded.categories[index]}**"


@user_errors
def search_classes(ctx: TabContext, model: str, query: str):
    """Classes whose name contains ``query`` (like the notebook's ``find_class``)."""
    matches = find_class(ctx.models.get(model).categories, query)
    return gr.Dropdown(choices=[(f"#{m.index} {m.label}", m.index) for m in matches],
                       value=matches[0].index)


def pick_prediction(indices: dict[str, int] | None, evt: gr.SelectData):
    """A click on a prediction makes that class the target (its index comes from ``predict``)."""
    index = (indices or {}).get(str(evt.value))
    return gr.Number() if index is None else gr.Number(value=index)


def use_match(match: int | None):
    return gr.Number() if match is None else gr.Number(value=int(match))


def method_options(layer: str | None, steps: float | None, baseline: str | None,
                   window: float | None, stride: float | None) -> dict:
    """The methods' settings from the left column, as keyword arguments of ``core.attribution``
    (core checks them)."""
    return dict(layer=layer, steps=steps, baseline=baseline or "black", window=window, stride=stride)


@user_errors
def run_compare(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
                layer: str, steps: float, baseline: str, opacity: float, cmap: str,
                window: float | None = None, stride: float | None = None, progress=gr.Progress()):
    """Original and every method side by side for one target (the notebook's compare_methods)."""
    loaded = ctx.models.get(model)
    results = compare_methods(loaded, ctx.examples.resolve(example, upload),
                              target=check_target(loaded.categories, target=target),
                              **method_options(layer, steps, baseline, window, stride),
                              progress=_reporter(progress))
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
def run_baselines(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
                  steps: float, opacity: float, cmap: str, progress=gr.Progress()):
    """IG with black, white, noise and blurred baselines, and the completeness check as a table."""
    loaded = ctx.models.get(model)
    results = compare_baselines(loaded, ctx.examples.resolve(example, upload),
                                target=check_target(loaded.categories, target=target),
                                steps=steps, progress=_reporter(progress))
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
def run_depth(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
              layers: list[str], opacity: float, cmap: str, progress=gr.Progress()):
    """Grad-CAM for the same target at several depths, shallow to deep."""
    loaded = ctx.models.get(model)
    order = [info.name for info in ctx.models.layers(loaded.name)]
    chosen = [name for name in order if name in set(layers or ())]
    results = gradcam_depth(loaded, ctx.examples.resolve(example, upload),
                            target=check_target(loaded.categories, target=target), layers=chosen,
                            progress=_reporter(progress))
    shapes = {info.name: info.shape for info in ctx.models.layers(loaded.name)}
    titles = [f"{r.layer}\n{shapes[r.layer][1]} x {shapes[r.layer][2]} cells" for r in results]
    return strip(_panels(results, opacity, cmap, titles))


@user_errors
def run_steps(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
              layer: str, opacity: float, cmap: str):
    """Grad-CAM's five steps: feature maps, channel weights, weighted sum, ReLU, upsampled overlay."""
    loaded = ctx.models.get(model)
    steps = gradcam_steps(loaded, ctx.examples.resolve(example, upload),
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
def run_classes(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
                second: float, method: str, layer: str, steps: float, opacity: float, cmap: str,
                window: float | None = None, stride: float | None = None):
    """The same method for two classes on one image, side by side, with names and indices."""
    loaded = ctx.models.get(model)
    targets = [check_target(loaded.categories, target=t) for t in (target, second)]
    image = ctx.examples.resolve(example, upload)
    results = compare_targets(loaded, image, targets=targets, method=method,
                              **method_options(layer, steps, None, window, stride))
    probabilities = {p.index: p.probability for p in classify(loaded, image, top_k=1000)}
    titles = [f"#{r.target} {r.label}\np = {probabilities.get(r.target, 0):.1%}" for r in results]
    panels = [(results[0].view, f"Original\n{results[0].title}")] + _panels(results, opacity, cmap, titles)
    return strip(panels)


@user_errors
def run_stability(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
                  method: str, noise_percent: float, top_k: float, layer: str, steps: float,
                  baseline: str, cmap: str, window: float | None = None, stride: float | None = None):
    """Original map, map with noise, their difference, and the two stability numbers."""
    loaded = ctx.models.get(model)
    report = measure_stability(loaded, ctx.examples.resolve(example, upload), method=method,
                               target=check_target(loaded.categories, target=target),
                               noise=_fraction(noise_percent), top_k=top_k,
                               **method_options(layer, steps, baseline, window, stride))
    picture = strip([(heatmap(report.original.map, cmap=cmap), "original map"),
                     (heatmap(report.noisy.map, cmap=cmap), f"with {noise_percent:g} % noise"),
                     (heatmap(report.difference, cmap="gray"), "|difference| (each map / max)")])
    text = (f"**{METHOD_TITLES[method]}**: Spearman rank correlation **{report.rank_correlation:.3f}**, "
            f"top-{top_k:g} % overlap **{report.top_k_overlap:.1f} %** "
            "(1 and 100 % = the noise changed nothing).")
    return picture, text


@user_errors
def run_stability_all(ctx: TabContext, example: str, upload: str | None, model: str,
                      target: float, noise_percent: float, top_k: float, layer: str, steps: float,
                      baseline: str, window: float | None = None, stride: float | None = None,
                      progress=gr.Progress()) -> str:
    """The stability numbers for every method, as a table: which method is the most stable?"""
    loaded = ctx.models.get(model)
    image = ctx.examples.resolve(example, upload)
    index = check_target(loaded.categories, target=target)
    noise = _fraction(noise_percent)
    rows = [f"| method | Spearman ρ | top-{top_k:g} % overlap |", "|---|---:|---:|"]
    for i, method in enumerate(METHODS):
        progress(i / len(METHODS), desc=f"{METHOD_TITLES[method]} with and without noise…")
        report = measure_stability(loaded, image, method=method, target=index, noise=noise,
                                   top_k=top_k, **method_options(layer, steps, baseline, window, stride))
        rows.append(f"| {METHOD_TITLES[method]} | {report.rank_correlation:.3f} | "
                    f"{report.top_k_overlap:.1f} % |")
    return (f"Noise {noise_percent:g} % for {_name(ctx, model, index)}:\n\n" + "\n".join(rows))


def _fraction(percent: float | None) -> float | None:
    """The noise from a percentage field as a fraction of the pixel range (core checks it)."""
    return None if percent is None else percent / 100


def _timings(results: tuple[Explanation, ...]) -> str:
    parts = [f"{METHOD_TITLES[r.method]} {r.seconds:.2f} s" for r in results]
    return "Computed (0 s = from cache): " + " · ".join(parts)
