"""The Attribution tab's views: the model and its predictions (the setup of the tab's first
view), every method side by side (the first view), IG baselines, Grad-CAM across depth and
step by step, two classes on one image. Instability is in :mod:`tabs.attribution.stability`,
deletion/insertion and the sanity check in :mod:`tabs.attribution.faithfulness`."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import gradio as gr
import numpy as np

from core.attribution import BASELINES as IG_BASELINES
from core.attribution import (
    METHOD_TITLES,
    METHODS,
    Explanation,
    compare_baselines,
    compare_methods,
    compare_targets,
    gradcam_depth,
    gradcam_steps,
    offered_methods,
    unavailable_methods,
)
from core.attribution.views import check_layers
from core.models import LoadedModel
from core.models.layers import stage_layers
from core.predictions import check_target, classify
from tabs.attribution import words
from tabs.attribution.code import (
    baselines_code,
    classes_code,
    compare_code,
    depth_code,
    steps_code,
)
from tabs.attribution.inputs import class_name, explained
from tabs.attribution.render import weights_figure
from tabs.attribution.settings import (
    BaselinesSettings,
    ClassesSettings,
    CompareSettings,
    DepthSettings,
    ImageChoice,
    ModelChoice,
    PredictionPick,
    RedrawSettings,
    StepsSettings,
    TargetChoice,
)
from tabs.attribution.texts import T, baseline_name, method_title
from tabs.common import alt_text
from tabs.common.class_search import class_search_views
from tabs.common.colours import DIVERGING
from tabs.common.described import Described
from tabs.common.i18n import Language
from tabs.common.layer_picker import chosen_model, load_model
from tabs.common.render.colour_bar import (
    activation_bar,
    relevance_bar,
    signed_bar,
    with_colour_bars,
)
from tabs.common.render.images import colorize, feature_grid
from tabs.common.render.maps import TITLE_HEIGHT, barred_strip, heatmap, overlay_map, stack, strip
from tabs.common.streaming import CancelSwitches, progressive, status
from tabs.common.view import Call, View

METHOD_CHOICES = [(METHOD_TITLES[m], m) for m in METHODS]
"""(name, value) choices of the method pickers."""


SWITCHES = CancelSwitches()
"""The comparison each browser session has running, which a new run or Cancel stops (one
such set of switches per view: a run of another view leaves it running)."""
BASELINE_RUNS = CancelSwitches()
DEPTH_RUNS = CancelSwitches()
CLASSES_RUNS = CancelSwitches()

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
    label (for :func:`pick_prediction`). When the ranking is the one shown already (the same
    image and model classified again: passing a dropdown with the Tab key sends its value
    again), the target and the second class stay what the student chose, even one chosen
    while this ran.
    """
    s = call.settings
    loaded = call.ctx.models.get(s.model)
    predictions = classify(loaded, call.ctx.examples.resolve(s.example, s.upload))
    shown = {f"{p.label} (#{p.index})": p for p in predictions}
    scores = {label: p.probability for label, p in shown.items()}
    indices = {label: p.index for label, p in shown.items()}
    if list(indices.items()) == list((s.shown_classes or {}).items()):  # in the same order
        return scores, gr.skip(), gr.skip(), indices
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
    """Original and every method offered for the model side by side for one target (the
    notebook's compare_methods), streamed: each method's panels as soon as it is computed (the
    cheap ones first), the pending ones grey.

    Yields the picture, a line on what is ready and, at the end, the computing times, LRP's
    conservation, why a method is not offered, and the results (for :func:`redraw_compare`).
    """
    s = call.settings
    loaded, image, target = explained(call)
    methods = offered_methods(loaded)

    def job(should_stop, emit) -> tuple[Explanation, ...]:
        return compare_methods(loaded, image, target=target, **s.method_options(),
                               on_result=emit, should_stop=should_stop)

    def so_far(parts: list[Explanation], key: str) -> tuple:
        done = {r.method: r for r in parts}
        line = status(call, key, [METHOD_TITLES[m] for m in methods if m in done],
                      [METHOD_TITLES[m] for m in methods])
        in_order = tuple(done.get(method) for method in methods)
        return render_compare(in_order, s.opacity, s.cmap, call.lang, methods), line, None

    def final(results: tuple[Explanation, ...]) -> tuple:
        parts = " · ".join(f"{METHOD_TITLES[r.method]} {r.seconds:.2f} s" for r in results)
        return (render_compare(results, s.opacity, s.cmap, call.lang),
                call.text("timings", parts=parts) + checks_of(call, loaded, results), results)

    yield from progressive(job, switches=SWITCHES, session=call.session, name="compare",
                           partial=lambda parts: None if len(parts) == len(methods)
                           else so_far(parts, "partial"),
                           final=final, stopped=lambda parts: so_far(parts, "stopped"))


def checks_of(call: Call, loaded: LoadedModel, results: Sequence[Explanation]) -> str:
    """LRP's conservation of each LRP result, and why the methods left out are not offered
    for ``loaded``."""
    lines = [call.text("conservation", method=METHOD_TITLES[r.method],
                       total=r.conservation.relevance_sum, logit=r.conservation.logit,
                       share=r.conservation.share)
             for r in results if r.conservation is not None]
    lines += [call.text("not_offered", method=METHOD_TITLES[method],
                        reason=error.in_language(call.lang))
              for method, error in unavailable_methods(loaded).items()]
    return "".join("\n\n" + line for line in lines)


def panels(results: Sequence[Explanation | None], titles: Sequence[str], opacity: float,
           cmap: str, lang: str, *, stopped: bool = False) -> list[tuple[np.ndarray, str]]:
    """Each result's map over its image under its title; a result still being computed
    (``None``) is a grey panel under the title's first line, marked as never computed when the
    run was ``stopped``."""
    grey = np.full((8, 8, 3), 200, dtype=np.uint8)
    waiting = "pic.stopped" if stopped else "pic.waiting"
    return [overlays((r,), opacity, cmap, [title])[0] if r is not None
            else (grey, T.text(waiting, lang, method=title.split("\n")[0]))
            for r, title in zip(results, titles)]


def redraw_compare(call: Call[RedrawSettings]) -> Described | None:
    """The comparison drawn again with another opacity or colour map (no recomputation)."""
    s = call.settings
    return render_compare(s.results, s.opacity, s.cmap, call.lang)


def render_compare(results: Sequence[Explanation | None] | None, opacity: float, cmap: str,
                   lang: Language, methods: Sequence[str] | None = None) -> Described | None:
    """Overlays over heatmaps of each of ``methods`` (default: the results' own), titled in
    ``lang`` and described in words; a method still being computed (``None``) is a grey panel.
    ``None`` without any result."""
    ready = [r for r in results or () if r is not None]
    if methods is None:
        methods = [r.method for r in ready]
    if not ready:
        return None
    first = ready[0]
    waiting = np.full_like(first.view, 200)
    top = [(first.view, f"{T.text('original', lang)}\n#{first.target} {first.label}")]
    bottom = [(first.view, T.text("pic.heatmaps", lang))]
    for method, result in zip(methods, results or ()):
        if result is None:
            title = T.text("pic.waiting", lang, method=METHOD_TITLES[method])
            top.append((waiting, title))
            bottom.append((waiting, title))
            continue
        top += overlays((result,), opacity, cmap, [method_title(result, lang, separator="\n")])
        bottom.append((heatmap(result.map, cmap=cmap),
                       T.text("pic.heatmap", lang, method=METHOD_TITLES[result.method])))
    return Described(with_colour_bars(stack([strip(top), strip(bottom)]),
                                      (relevance_bar(cmap, lang),), top=TITLE_HEIGHT),
                     words.method_maps(results or (), lang))


def run_baselines(call: Call[BaselinesSettings]) -> Iterator[object]:
    """IG with black, white, noise and blurred baselines, each as soon as it is computed.
    Yields the picture and the completeness check as a table (while computing, the rows so
    far and a line on what is ready)."""
    s = call.settings
    loaded, image, target = explained(call)
    names = [baseline_name(b, call.lang) for b in IG_BASELINES]

    def job(should_stop, emit) -> tuple[Explanation, ...]:
        return compare_baselines(loaded, image, target=target, steps=s.steps, on_result=emit,
                                 should_stop=should_stop)

    def outputs(parts: Sequence[Explanation], ending: str, *, stopped: bool = False) -> tuple:
        done = {str(r.baseline): r for r in parts}
        results = [done.get(b) for b in IG_BASELINES]
        titles = [call.text("pic.baseline", baseline=name) for name in names]
        picture = Described(barred_strip(panels(results, titles, s.opacity, s.cmap, call.lang,
                                                stopped=stopped),
                                         (relevance_bar(s.cmap, call.lang),)),
                            words.maps(results, titles, call.lang)) if parts else None
        return picture, _completeness(call, parts) + ending

    def so_far(parts: list[Explanation], *, stopped: bool = False) -> tuple:
        done = [baseline_name(str(r.baseline), call.lang) for r in parts]
        line = status(call, "stopped.baselines" if stopped else "partial.baselines", done,
                      names)
        return outputs(parts, "\n\n" + line if parts else line, stopped=stopped)

    def final(results: tuple[Explanation, ...]) -> tuple:
        return outputs(results, call.text("completeness.note", name=class_name(loaded, target),
                                          steps=results[0].steps))

    yield from progressive(job, switches=BASELINE_RUNS, session=call.session, name="baselines",
                           partial=lambda parts: None if len(parts) == len(IG_BASELINES)
                           else so_far(parts),
                           final=final, stopped=lambda parts: so_far(parts, stopped=True))


def _completeness(call: Call, results: Sequence[Explanation]) -> str:
    """The completeness check of each baseline computed, as a table (nothing without one)."""
    if not results:
        return ""
    rows = [call.text("completeness.head"), "|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        c = r.completeness
        assert c is not None  # Integrated Gradients always reports it
        error = abs(c.delta) / abs(c.difference) * 100 if c.difference else math.nan
        rows.append(f"| {baseline_name(str(r.baseline), call.lang)} | {c.attribution_sum:.3f} | "
                    f"{c.score_input:.3f} | {c.score_baseline:.3f} | {c.difference:.3f} | "
                    f"{c.delta:+.3f} | {error:.1f} % |")
    return "\n".join(rows)


def depth_order(call: Call[DepthSettings], model: str) -> tuple[str, ...]:
    """The chosen layers, checked (core names those the model does not have) and ordered from
    shallow to deep as the model's layer list runs."""
    depth = {info.name: i for i, info in enumerate(call.ctx.models.layers(model))}
    layers = call.settings.layers
    chosen = [layers] if isinstance(layers, str) else list(layers or ())
    loaded = call.ctx.models.get(model)
    return check_layers(loaded, sorted(chosen, key=lambda name: depth.get(name, len(depth))))


def run_depth(call: Call[DepthSettings]) -> Iterator[object]:
    """Grad-CAM for the same target at several depths, shallow to deep (core names the layers
    the model does not have), each map as soon as it is computed (the others grey)."""
    s = call.settings
    loaded, image, target = explained(call)
    layers = depth_order(call, loaded.name)
    shapes = {info.name: info.shape for info in call.ctx.models.layers(loaded.name)}

    def job(should_stop, emit) -> tuple[Explanation, ...]:
        return gradcam_depth(loaded, image, target=target, layers=layers, on_result=emit,
                             should_stop=should_stop)

    def title(layer: str) -> str:
        return call.text("pic.cells", layer=layer, h=shapes[layer][1], w=shapes[layer][2]) \
            if layer in shapes else layer

    def picture(parts: Sequence[Explanation], *, stopped: bool = False) -> Described | None:
        if not parts:
            return None
        done = {r.layer: r for r in parts}
        results = [done.get(layer) for layer in layers]
        return Described(barred_strip(panels(results, [title(x) for x in layers], s.opacity,
                                             s.cmap, call.lang, stopped=stopped),
                                      (relevance_bar(s.cmap, call.lang),)),
                         words.maps(results, [call.text("words.depth", layer=x) for x in layers],
                                    call.lang))

    yield from progressive(job, switches=DEPTH_RUNS, session=call.session, name="depth",
                           partial=lambda parts: None if len(parts) == len(layers)
                           else picture(parts), final=picture,
                           stopped=lambda parts: picture(parts, stopped=True))


def run_steps(call: Call[StepsSettings]):
    """Grad-CAM's five steps: feature maps, channel weights, weighted sum, ReLU, upsampled
    overlay. Returns the grid of the strongest maps, the weights' bar chart, the picture of
    steps 4–5 and the explanation."""
    s = call.settings
    loaded, image, target = explained(call)
    steps = gradcam_steps(loaded, image, target=target, layer=s.layer)
    strongest = np.argsort(-steps.weights)[:8]
    grid, _ = feature_grid(steps.feature_maps, strongest, scale="per map", cmap=s.cmap)
    grid = with_colour_bars(grid, (activation_bar(s.cmap, call.lang, None),))
    span = float(np.abs(steps.weighted_sum).max()) or 1.0
    signed = colorize(steps.weighted_sum, low=-span, high=span, cmap=DIVERGING)
    picture = barred_strip([(signed, call.text("pic.weighted")),
                            (heatmap(steps.relu, cmap=s.cmap), call.text("pic.relu")),
                            (overlay_map(steps.view, steps.upsampled, opacity=s.opacity,
                                         cmap=s.cmap), call.text("pic.upsampled"))],
                           (signed_bar(DIVERGING, call.text("bar.weighted"), f"{span:.3g}",
                                       call.lang), relevance_bar(s.cmap, call.lang)))
    c, h, w = steps.feature_maps.shape
    text = call.text("steps.text", layer=steps.layer, c=c, h=h, w=w,
                     channels=", ".join(map(str, strongest)),
                     name=class_name(loaded, steps.target),
                     positive=int((steps.weights > 0).sum()), largest=steps.weights.max(),
                     removed=100 * (steps.weighted_sum <= 0).mean())
    figure = weights_figure(steps.weights, layer=steps.layer, label=steps.label, lang=call.lang)
    lang = call.lang
    return (Described(grid, alt_text.strongest(
                call.text("words.grid", count=len(strongest), layer=steps.layer),
                steps.feature_maps, strongest, lang)),
            Described(figure, alt_text.ranked(
                call.text("words.weights", layer=steps.layer),
                dict(enumerate(map(float, steps.weights))), lang, item="weight")),
            Described(picture, alt_text.where(words.one_line(call.text("pic.upsampled")),
                                              steps.upsampled, lang)),
            text)


def run_classes(call: Call[ClassesSettings]) -> Iterator[object]:
    """The same method for two classes on one image, side by side, with names, indices and
    probabilities; the first class's map as soon as it is computed (the second grey)."""
    s = call.settings
    loaded, image, target = explained(call)
    targets = [target, check_target(loaded.categories, target=s.second)]
    probabilities = {p.index: p.probability for p in classify(loaded, image, top_k=1000)}
    titles = [f"#{t} {loaded.categories[t]}\np = {probabilities.get(t, 0):.1%}" for t in targets]

    def job(should_stop, emit) -> tuple[Explanation, ...]:
        return compare_targets(loaded, image, targets=targets, method=s.method,
                               **s.method_options(), on_result=emit, should_stop=should_stop)

    def picture(parts: Sequence[Explanation], *, stopped: bool = False) -> Described | None:
        if not parts:
            return None
        first = (parts[0].view,
                 f"{call.text('original')}\n{method_title(parts[0], call.lang)}")
        results = [*parts, *[None] * (len(targets) - len(parts))]
        names = [call.text("words.class", method=METHOD_TITLES[parts[0].method], target=t,
                           name=loaded.categories[t]) for t in targets]
        return Described(barred_strip([first, *panels(results, titles, s.opacity, s.cmap,
                                                      call.lang, stopped=stopped)],
                                      (relevance_bar(s.cmap, call.lang),)),
                         words.maps(results, names, call.lang))

    yield from progressive(job, switches=CLASSES_RUNS, session=call.session, name="classes",
                           partial=lambda parts: None if len(parts) == len(targets)
                           else picture(parts), final=picture,
                           stopped=lambda parts: picture(parts, stopped=True))


MODEL = View("attribution_model", ModelChoice, choose_model, T, role="setup")
PREDICT = View("attribution_predict", ImageChoice, predict, T, role="setup", gpu_seconds=5)
TARGET = View("attribution_target", TargetChoice, describe_target, T, public=False)
PICK = View("attribution_pick", PredictionPick, pick_prediction, T, public=False, select=True)
FIND, USE_MATCH = class_search_views("attribution", T)
COMPARE = View("attribution_compare", CompareSettings, run_compare, T, role="first",
               group="image-models", gpu_seconds=60, session=True, keep=True,
               code=compare_code)
REDRAW = View("attribution_redraw", RedrawSettings, redraw_compare, T, public=False)
BASELINES = View("attribution_baselines", BaselinesSettings, run_baselines, T,
                 group="image-models", gpu_seconds=60, session=True, keep=True,
                 code=baselines_code)
DEPTH = View("attribution_depth", DepthSettings, run_depth, T, group="image-models",
             gpu_seconds=60, session=True, keep=True, code=depth_code)
STEPS = View("attribution_steps", StepsSettings, run_steps, T, group="image-models",
             gpu_seconds=30, keep=True, code=steps_code)
CLASSES = View("attribution_classes", ClassesSettings, run_classes, T, group="image-models",
               gpu_seconds=60, session=True, keep=True, code=classes_code)
