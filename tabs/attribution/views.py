"""The Attribution tab's views: the model and its predictions (the setup of the tab's first
view), every method side by side (the first view), IG baselines, Grad-CAM across depth and
step by step, two classes on one image. Instability is in :mod:`tabs.attribution.stability`,
deletion/insertion and the sanity check in :mod:`tabs.attribution.faithfulness`."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

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
)
from core.models import LoadedModel
from core.models.layers import stage_layers
from core.predictions import check_target, classify
from core.progress import Stopped
from tabs.attribution.render import weights_figure
from tabs.attribution.settings import (
    BaselinesSettings,
    ClassesSettings,
    CompareSettings,
    DepthSettings,
    ImageChoice,
    ImageTarget,
    ModelChoice,
    PredictionPick,
    RedrawSettings,
    StepsSettings,
    TargetChoice,
)
from tabs.attribution.texts import T, baseline_name, method_title
from tabs.common.class_search import class_search_views
from tabs.common.layer_picker import chosen_model, load_model
from tabs.common.render.images import colorize, feature_grid
from tabs.common.render.maps import heatmap, overlay_map, stack, strip
from tabs.common.streaming import CancelSwitches, Done, stream_job
from tabs.common.view import Call, Final, View

METHOD_CHOICES = [(METHOD_TITLES[m], m) for m in METHODS]
"""(name, value) choices of the method pickers."""


SWITCHES = CancelSwitches()
"""The run of each browser session that a new run or Cancel stops."""

def explained(call: Call[ImageTarget]) -> tuple[LoadedModel, np.ndarray, int]:
    """The model, the image and the checked target class of a view that explains one image."""
    s = call.settings
    loaded = call.ctx.models.get(s.model)
    image = call.ctx.examples.resolve(s.example, s.upload)
    return loaded, image, check_target(loaded.categories, target=s.target)


def class_name(loaded: LoadedModel, target: int) -> str:
    """``#index name`` of a class."""
    return f"#{target} {loaded.categories[target]}"


def overlays(results: tuple[Explanation, ...], opacity: float, cmap: str,
             titles: list[str]) -> list[tuple[np.ndarray, str]]:
    """Each result's map over its image, under its title: panels for :func:`strip`."""
    return [(overlay_map(r.view, r.map, opacity=opacity, cmap=cmap), title)
            for r, title in zip(results, titles)]


def choose_model(call: Call[ModelChoice]):
    """Load the model (or the offline one), list its layers and preselect the Grad-CAM layer
    and one layer per stage. Returns updates for the model, layer and depth dropdowns."""
    ctx = call.ctx
    loaded = load_model(ctx, call.settings.model, call.lang)
    layers = ctx.models.layers(loaded.name)
    choices = [(info.label, info.name) for info in layers]
    default = loaded.spec.default_layers["gradcam"]
    return (chosen_model(call.ctx.models, loaded.name),
            gr.Dropdown(choices=choices, value=default),
            gr.Dropdown(choices=[info.name for info in layers], value=list(stage_layers(layers)),
                        multiselect=True))


def predict(call: Call[ImageChoice]):
    """Top-5 predictions; the top class becomes the target, the second the comparison class.

    Returns the scores by label, the two class indices, and the class index behind each shown
    label (for :func:`pick_prediction`).
    """
    s = call.settings
    loaded = call.ctx.models.get(s.model)
    predictions = classify(loaded, call.ctx.examples.resolve(s.example, s.upload))
    shown = {f"{p.label} (#{p.index})": p for p in predictions}
    scores = {label: p.probability for label, p in shown.items()}
    indices = {label: p.index for label, p in shown.items()}
    return scores, predictions[0].index, predictions[1 % len(predictions)].index, indices


def describe_target(call: Call[TargetChoice]) -> str:
    """The chosen class with its index and name."""
    loaded = call.ctx.models.get(call.settings.model)
    index = check_target(loaded.categories, target=call.settings.target)
    return call.text("target.text", index=index, name=loaded.categories[index])


def pick_prediction(call: Call[PredictionPick]) -> float | None:
    """The class of the clicked prediction (its index comes from :func:`predict`) as the
    target; the current target when the click names no shown class."""
    indices, current = call.settings.shown_classes or {}, call.settings.target
    return current if call.selected is None else indices.get(str(call.selected.value), current)


def run_compare(call: Call[CompareSettings]) -> Iterator[object]:
    """Original and every method side by side for one target (the notebook's compare_methods),
    streamed: each method's panels as soon as it is computed (the cheap ones first), the
    pending ones grey.

    Yields the picture, a line on what is ready and, at the end, the computing times and the
    results (for :func:`redraw_compare`).
    """
    s = call.settings
    loaded, image, target = explained(call)

    def job(should_stop, emit) -> tuple[Explanation, ...]:
        return compare_methods(loaded, image, target=target, **s.method_options(),
                               on_result=emit, should_stop=should_stop)

    done: dict[str, Explanation] = {}
    try:
        for update in stream_job(job, switches=SWITCHES, session=call.session, name="compare"):
            if isinstance(update, Done):
                results = update.value
                parts = " · ".join(f"{METHOD_TITLES[r.method]} {r.seconds:.2f} s"
                                   for r in results)
                yield Final((render_compare(results, s.opacity, s.cmap, call.lang),
                             call.text("timings", parts=parts), results))
                return
            done[update.value.method] = update.value
            if len(done) < len(METHODS):  # the last one arrives with the result
                yield (*_partial_compare(call, done), None)
    except Stopped:
        yield render_compare(_in_order(done), s.opacity, s.cmap, call.lang), \
            call.text("stopped", done=len(done), total=len(METHODS)), None


def _in_order(done: dict[str, Explanation]) -> tuple[Explanation | None, ...]:
    return tuple(done.get(method) for method in METHODS)


def _partial_compare(call: Call[CompareSettings], done: dict[str, Explanation]):
    """The comparison so far and a line naming what is still being computed."""
    pending = ", ".join(METHOD_TITLES[m] for m in METHODS if m not in done)
    return (render_compare(_in_order(done), call.settings.opacity, call.settings.cmap,
                           call.lang),
            call.text("partial", done=len(done), total=len(METHODS), pending=pending))


def redraw_compare(call: Call[RedrawSettings]) -> np.ndarray | None:
    """The comparison drawn again with another opacity or colour map (no recomputation)."""
    s = call.settings
    return render_compare(s.results, s.opacity, s.cmap, call.lang)


def render_compare(results: Sequence[Explanation | None] | None, opacity: float, cmap: str,
                   lang: str) -> np.ndarray | None:
    """Overlays over heatmaps of every method, titled in ``lang``; a method still being
    computed (``None``) is a grey panel. ``None`` without any result."""
    ready = [r for r in results or () if r is not None]
    if not ready:
        return None
    first = ready[0]
    waiting = np.full_like(first.view, 200)
    top = [(first.view, f"{T.text('original', lang)}\n#{first.target} {first.label}")]
    bottom = [(first.view, T.text("pic.heatmaps", lang))]
    for method, result in zip(METHODS, results or ()):
        if result is None:
            title = T.text("pic.waiting", lang, method=METHOD_TITLES[method])
            top.append((waiting, title))
            bottom.append((waiting, title))
            continue
        top += overlays((result,), opacity, cmap, [method_title(result, lang, separator="\n")])
        bottom.append((heatmap(result.map, cmap=cmap),
                       T.text("pic.heatmap", lang, method=METHOD_TITLES[result.method])))
    return stack([strip(top), strip(bottom)])


def run_baselines(call: Call[BaselinesSettings]):
    """IG with black, white, noise and blurred baselines. Returns the picture and the
    completeness check as a table."""
    s = call.settings
    loaded, image, target = explained(call)
    results = compare_baselines(loaded, image, target=target, steps=s.steps,
                                progress=call.report)
    names = [baseline_name(str(r.baseline), call.lang) for r in results]
    picture = strip(overlays(results, s.opacity, s.cmap,
                             [call.text("pic.baseline", baseline=name) for name in names]))
    rows = [call.text("completeness.head"), "|---|---:|---:|---:|---:|---:|---:|"]
    for r, name in zip(results, names):
        c = r.completeness
        assert c is not None  # Integrated Gradients always reports it
        error = abs(c.delta) / abs(c.difference) * 100 if c.difference else math.nan
        rows.append(f"| {name} | {c.attribution_sum:.3f} | {c.score_input:.3f} | "
                    f"{c.score_baseline:.3f} | {c.difference:.3f} | {c.delta:+.3f} | "
                    f"{error:.1f} % |")
    note = call.text("completeness.note", name=class_name(loaded, target),
                     steps=results[0].steps)
    return picture, "\n".join(rows) + note


def run_depth(call: Call[DepthSettings]) -> np.ndarray:
    """Grad-CAM for the same target at several depths, shallow to deep (core names the layers
    the model does not have)."""
    s = call.settings
    loaded, image, target = explained(call)
    listed = call.ctx.models.layers(loaded.name)
    position = {info.name: i for i, info in enumerate(listed)}
    chosen = [s.layers] if isinstance(s.layers, str) else list(s.layers or ())
    ordered = sorted(chosen, key=lambda name: position.get(name, len(position)))
    results = gradcam_depth(loaded, image, target=target, layers=ordered, progress=call.report)
    shapes = {info.name: info.shape for info in listed}
    titles = [call.text("pic.cells", layer=r.layer, h=shapes[r.layer][1], w=shapes[r.layer][2])
              if r.layer in shapes else str(r.layer) for r in results]
    return strip(overlays(results, s.opacity, s.cmap, titles))


def run_steps(call: Call[StepsSettings]):
    """Grad-CAM's five steps: feature maps, channel weights, weighted sum, ReLU, upsampled
    overlay. Returns the grid of the strongest maps, the weights' bar chart, the picture of
    steps 4–5 and the explanation."""
    s = call.settings
    loaded, image, target = explained(call)
    steps = gradcam_steps(loaded, image, target=target, layer=s.layer)
    strongest = np.argsort(-steps.weights)[:8]
    grid, _ = feature_grid(steps.feature_maps, strongest, scale="per map")
    span = float(np.abs(steps.weighted_sum).max()) or 1.0
    signed = colorize(steps.weighted_sum, low=-span, high=span, cmap="coolwarm")
    picture = strip([(signed, call.text("pic.weighted")),
                     (heatmap(steps.relu, cmap=s.cmap), call.text("pic.relu")),
                     (overlay_map(steps.view, steps.upsampled, opacity=s.opacity, cmap=s.cmap),
                      call.text("pic.upsampled"))])
    c, h, w = steps.feature_maps.shape
    text = call.text("steps.text", layer=steps.layer, c=c, h=h, w=w,
                     channels=", ".join(map(str, strongest)),
                     name=class_name(loaded, steps.target),
                     positive=int((steps.weights > 0).sum()), largest=steps.weights.max(),
                     removed=100 * (steps.weighted_sum <= 0).mean())
    figure = weights_figure(steps.weights, layer=steps.layer, label=steps.label, lang=call.lang)
    return grid, figure, picture, text


def run_classes(call: Call[ClassesSettings]) -> np.ndarray:
    """The same method for two classes on one image, side by side, with names, indices and
    probabilities."""
    s = call.settings
    loaded, image, target = explained(call)
    targets = [target, check_target(loaded.categories, target=s.second)]
    results = compare_targets(loaded, image, targets=targets, method=s.method,
                              **s.method_options())
    probabilities = {p.index: p.probability for p in classify(loaded, image, top_k=1000)}
    titles = [f"#{r.target} {r.label}\np = {probabilities.get(r.target, 0):.1%}"
              for r in results]
    first = (results[0].view, f"{call.text('original')}\n{method_title(results[0], call.lang)}")
    return strip([first, *overlays(results, s.opacity, s.cmap, titles)])


MODEL = View("attribution_model", ModelChoice, choose_model, T, role="setup")
PREDICT = View("attribution_predict", ImageChoice, predict, T, role="setup", gpu_seconds=5)
TARGET = View("attribution_target", TargetChoice, describe_target, T, public=False)
PICK = View("attribution_pick", PredictionPick, pick_prediction, T, public=False, select=True)
FIND, USE_MATCH = class_search_views("attribution", T)
COMPARE = View("attribution_compare", CompareSettings, run_compare, T, role="first",
               group="image-models", gpu_seconds=60, session=True, keep=True)
REDRAW = View("attribution_redraw", RedrawSettings, redraw_compare, T, public=False)
BASELINES = View("attribution_baselines", BaselinesSettings, run_baselines, T,
                 group="image-models", gpu_seconds=60, progress=True, keep=True)
DEPTH = View("attribution_depth", DepthSettings, run_depth, T, group="image-models",
             gpu_seconds=60, progress=True, keep=True)
STEPS = View("attribution_steps", StepsSettings, run_steps, T, group="image-models",
             gpu_seconds=30, keep=True)
CLASSES = View("attribution_classes", ClassesSettings, run_classes, T, group="image-models",
               gpu_seconds=60, keep=True)
