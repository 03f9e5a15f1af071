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
from core.predictions import check_target, classify
from tabs.attribution.texts import T, baseline_name, method_title
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.i18n import request_language
from tabs.common.layer_picker import load_model
from tabs.common.render.attribution import heatmap, overlay_map, stack, strip, weights_figure
from tabs.common.render.images import colorize, feature_grid

METHOD_CHOICES = [(METHOD_TITLES[m], m) for m in METHODS]


def _reporter(progress):
    return lambda fraction, text: progress(fraction, desc=text)


def _name(ctx: TabContext, model: str, target: int) -> str:
    return f"#{target} {ctx.models.get(model).categories[target]}"


def _panels(results: tuple[Explanation, ...], opacity: float, cmap: str, titles) -> list:
    """Each result's map over its image, under its title."""
    return [(overlay_map(r.view, r.map, opacity=opacity, cmap=cmap), t) for r, t in zip(results, titles)]


@user_errors
def choose_model(ctx: TabContext, model: str, request: gr.Request = None):
    """Load the model (or the offline one), list its layers and preselect the Grad-CAM layer."""
    loaded = load_model(ctx, model, request)
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
def describe_target(ctx: TabContext, model: str, target: float | None,
                    request: gr.Request = None) -> str:
    """The chosen class with its index and name."""
    loaded = ctx.models.get(model)
    index = check_target(loaded.categories, target=target)
    return T.text("target.text", request_language(request, ctx.lang), index=index,
                  name=loaded.categories[index])


def pick_prediction(indices: dict[str, int] | None, target: float | None,
                    evt: gr.SelectData):
    """A click on a prediction makes that class the target (its index comes from ``predict``)."""
    return (indices or {}).get(str(evt.value), target)


def method_options(layer: str | None, steps: float | None, baseline: str | None,
                   window: float | None, stride: float | None) -> dict:
    """The methods' settings from the left column, as keyword arguments of ``core.attribution``
    (core checks them)."""
    return dict(layer=layer, steps=steps, baseline=baseline or "black", window=window, stride=stride)


@user_errors
def run_compare(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
                layer: str, steps: float, baseline: str, opacity: float, cmap: str,
                window: float | None = None, stride: float | None = None, progress=gr.Progress(),
                request: gr.Request = None):
    """Original and every method side by side for one target (the notebook's compare_methods)."""
    lang = request_language(request, ctx.lang)
    loaded = ctx.models.get(model)
    results = compare_methods(loaded, ctx.examples.resolve(example, upload),
                              target=check_target(loaded.categories, target=target),
                              **method_options(layer, steps, baseline, window, stride),
                              progress=_reporter(progress))
    return render_compare(results, opacity, cmap, lang), _timings(results, lang), results


@user_errors
def redraw_compare(ctx: TabContext, results: tuple[Explanation, ...] | None, opacity: float,
                   cmap: str, request: gr.Request = None):
    """Draw a comparison again with another opacity or colour map (no recomputation)."""
    return render_compare(results, opacity, cmap, request_language(request, ctx.lang))


def render_compare(results: tuple[Explanation, ...] | None, opacity: float, cmap: str,
                   lang: str = "en"):
    """Overlays over heatmaps of every method, titled in ``lang``."""
    if not results:
        return None
    first = results[0]
    titles = [method_title(r, lang).replace(" (", "\n(").replace(" @ ", "\n@ ") for r in results]
    overlays = strip([(first.view, f"{T.text('original', lang)}\n#{first.target} {first.label}")]
                     + _panels(results, opacity, cmap, titles))
    heatmaps = strip([(first.view, T.text("pic.heatmaps", lang))]
                     + [(heatmap(r.map, cmap=cmap), T.text("pic.heatmap", lang,
                                                           method=METHOD_TITLES[r.method]))
                        for r in results])
    return stack([overlays, heatmaps])


@user_errors
def run_baselines(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
                  steps: float, opacity: float, cmap: str, progress=gr.Progress(),
                  request: gr.Request = None):
    """IG with black, white, noise and blurred baselines, and the completeness check as a table."""
    lang = request_language(request, ctx.lang)
    loaded = ctx.models.get(model)
    results = compare_baselines(loaded, ctx.examples.resolve(example, upload),
                                target=check_target(loaded.categories, target=target),
                                steps=steps, progress=_reporter(progress))
    names = [baseline_name(r.baseline, lang) for r in results]
    picture = strip(_panels(results, opacity, cmap,
                            [T.text("pic.baseline", lang, baseline=name) for name in names]))
    rows = [T.text("completeness.head", lang), "|---|---:|---:|---:|---:|---:|---:|"]
    for r, name in zip(results, names):
        c = r.completeness
        error = abs(c.delta) / abs(c.difference) * 100 if c.difference else math.nan
        rows.append(f"| {name} | {c.attribution_sum:.3f} | {c.score_input:.3f} | "
                    f"{c.score_baseline:.3f} | {c.difference:.3f} | {c.delta:+.3f} | {error:.1f} % |")
    note = T.text("completeness.note", lang, name=_name(ctx, model, results[0].target),
                  steps=results[0].steps)
    return picture, "\n".join(rows) + note


@user_errors
def run_depth(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
              layers: list[str], opacity: float, cmap: str, progress=gr.Progress(),
              request: gr.Request = None):
    """Grad-CAM for the same target at several depths, shallow to deep."""
    lang = request_language(request, ctx.lang)
    loaded = ctx.models.get(model)
    order = [info.name for info in ctx.models.layers(loaded.name)]
    chosen = [name for name in order if name in set(layers or ())]
    results = gradcam_depth(loaded, ctx.examples.resolve(example, upload),
                            target=check_target(loaded.categories, target=target), layers=chosen,
                            progress=_reporter(progress))
    shapes = {info.name: info.shape for info in ctx.models.layers(loaded.name)}
    titles = [T.text("pic.cells", lang, layer=r.layer, h=shapes[r.layer][1], w=shapes[r.layer][2])
              for r in results]
    return strip(_panels(results, opacity, cmap, titles))


@user_errors
def run_steps(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
              layer: str, opacity: float, cmap: str, request: gr.Request = None):
    """Grad-CAM's five steps: feature maps, channel weights, weighted sum, ReLU, upsampled overlay."""
    lang = request_language(request, ctx.lang)
    loaded = ctx.models.get(model)
    steps = gradcam_steps(loaded, ctx.examples.resolve(example, upload),
                          target=check_target(loaded.categories, target=target), layer=layer)
    strongest = np.argsort(-steps.weights)[:8]
    grid, _ = feature_grid(steps.feature_maps, strongest, scale="per map")
    span = float(np.abs(steps.weighted_sum).max()) or 1.0
    signed = colorize(steps.weighted_sum, low=-span, high=span, cmap="coolwarm")
    picture = strip([(signed, T.text("pic.weighted", lang)),
                     (heatmap(steps.relu, cmap=cmap), T.text("pic.relu", lang)),
                     (overlay_map(steps.view, steps.upsampled, opacity=opacity, cmap=cmap),
                      T.text("pic.upsampled", lang))])
    c, h, w = steps.feature_maps.shape
    text = T.text("steps.text", lang, layer=layer, c=c, h=h, w=w,
                  channels=", ".join(map(str, strongest)), name=_name(ctx, model, steps.target),
                  positive=int((steps.weights > 0).sum()), largest=steps.weights.max(),
                  removed=100 * (steps.weighted_sum <= 0).mean())
    figure = weights_figure(steps.weights, layer=layer, label=steps.label, lang=lang)
    return grid, figure, picture, text


@user_errors
def run_classes(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
                second: float, method: str, layer: str, steps: float, opacity: float, cmap: str,
                window: float | None = None, stride: float | None = None,
                request: gr.Request = None):
    """The same method for two classes on one image, side by side, with names and indices."""
    lang = request_language(request, ctx.lang)
    loaded = ctx.models.get(model)
    targets = [check_target(loaded.categories, target=t) for t in (target, second)]
    image = ctx.examples.resolve(example, upload)
    results = compare_targets(loaded, image, targets=targets, method=method,
                              **method_options(layer, steps, None, window, stride))
    probabilities = {p.index: p.probability for p in classify(loaded, image, top_k=1000)}
    titles = [f"#{r.target} {r.label}\np = {probabilities.get(r.target, 0):.1%}" for r in results]
    panels = [(results[0].view, f"{T.text('original', lang)}\n{method_title(results[0], lang)}")]
    panels += _panels(results, opacity, cmap, titles)
    return strip(panels)


@user_errors
def run_stability(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
                  method: str, noise_percent: float, top_k: float, layer: str, steps: float,
                  baseline: str, cmap: str, window: float | None = None, stride: float | None = None,
                  request: gr.Request = None):
    """Original map, map with noise, their difference, and the two stability numbers."""
    lang = request_language(request, ctx.lang)
    loaded = ctx.models.get(model)
    report = measure_stability(loaded, ctx.examples.resolve(example, upload), method=method,
                               target=check_target(loaded.categories, target=target),
                               noise=_fraction(noise_percent), top_k=top_k,
                               **method_options(layer, steps, baseline, window, stride))
    picture = strip([(heatmap(report.original.map, cmap=cmap), T.text("pic.original_map", lang)),
                     (heatmap(report.noisy.map, cmap=cmap),
                      T.text("pic.noisy", lang, noise=noise_percent)),
                     (heatmap(report.difference, cmap="gray"), T.text("pic.difference", lang))])
    text = T.text("stability.text", lang, method=METHOD_TITLES[method], rho=report.rank_correlation,
                  k=top_k, overlap=report.top_k_overlap)
    return picture, text


@user_errors
def run_stability_all(ctx: TabContext, example: str, upload: str | None, model: str,
                      target: float, noise_percent: float, top_k: float, layer: str, steps: float,
                      baseline: str, window: float | None = None, stride: float | None = None,
                      progress=gr.Progress(), request: gr.Request = None) -> str:
    """The stability numbers for every method, as a table: which method is the most stable?"""
    lang = request_language(request, ctx.lang)
    loaded = ctx.models.get(model)
    image = ctx.examples.resolve(example, upload)
    index = check_target(loaded.categories, target=target)
    noise = _fraction(noise_percent)
    rows = [T.text("stability.head", lang, k=top_k), "|---|---:|---:|"]
    for i, method in enumerate(METHODS):
        progress(i / len(METHODS), desc=T.text("stability.progress", lang, method=METHOD_TITLES[method]))
        report = measure_stability(loaded, image, method=method, target=index, noise=noise,
                                   top_k=top_k, **method_options(layer, steps, baseline, window, stride))
        rows.append(f"| {METHOD_TITLES[method]} | {report.rank_correlation:.3f} | "
                    f"{report.top_k_overlap:.1f} % |")
    intro = T.text("stability.intro", lang, noise=noise_percent, name=_name(ctx, model, index))
    return intro + "\n".join(rows)


def _fraction(percent: float | None) -> float | None:
    """The noise from a percentage field as a fraction of the pixel range (core checks it)."""
    return None if percent is None else percent / 100


def _timings(results: tuple[Explanation, ...], lang: str) -> str:
    parts = [f"{METHOD_TITLES[r.method]} {r.seconds:.2f} s" for r in results]
    return T.text("timings", lang, parts=" · ".join(parts))
