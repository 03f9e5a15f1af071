"""The Counterfactual tab's event handlers: form values → one ``core.counterfactual`` call →
pictures, plots and sentences. Method 1 and the trade-off stream through ``stream_job``."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

import gradio as gr
import numpy as np
import pandas as pd

from core.counterfactual import (
    Counterfactual,
    CounterfactualCancelled,
    PixelProgress,
    find_counterfactual,
    pixel_params,
    resolve_target,
    trade_off,
)
from core.counterfactual.checks import check_counterfactual
from core.counterfactual.targets import dog_classes
from core.predictions import Prediction, check_target, classify
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.i18n import LANGUAGES, request_language
from tabs.common.layer_picker import load_model
from tabs.common.render.attribution import strip
from tabs.common.render.counterfactual import (
    comparison,
    gradcam_pair,
    tradeoff_figure,
)
from tabs.common.streaming import CancelSwitches, stream_job
from tabs.counterfactual import describe
from tabs.counterfactual.texts import T

TARGETS = {"any dog": "dog", "one class": "class", "any class but the current one": "other"}
LIVE_INTERVAL = 0.25
"""Seconds between two live updates of the picture (every step still enters the curves)."""

SWITCHES = CancelSwitches()


@dataclass(frozen=True)
class Knobs:
    """Method 1's settings as typed by the student, in the order of their components
    (``KNOBS``); turned into checked core parameters in one place (:meth:`params`)."""

    weight: object
    distance: object
    smoothness: object
    step_size: object
    max_steps: object
    threshold: object
    seed: object

    def params(self):
        """The checked core parameters (core explains what is wrong)."""
        return pixel_params(weight=self.weight, distance=str(self.distance).lower(),
                            smoothness=self.smoothness, step_size=self.step_size,
                            max_steps=self.max_steps, threshold=self.threshold)

    @property
    def random_seed(self) -> object:
        return 0 if self.seed in (None, "") else self.seed


KNOBS = tuple(f.name for f in fields(Knobs))


def scores(predictions: tuple[Prediction, ...]) -> dict[str, float]:
    return {f"{p.label} (#{p.index})": p.probability for p in predictions}


def start(ctx: TabContext, example, upload, model, kind, class_index, request=None):
    """The model (or the offline one), the start image and the checked target."""
    loaded = load_model(ctx, model, request)
    image = ctx.examples.resolve(example, upload)
    original = classify(loaded, image)[0].index
    target = resolve_target(loaded.categories, kind=TARGETS.get(kind, kind), original=original,
                            class_index=class_index)
    return loaded, image, target


def painted_mask(use_region: bool, editor: dict | None) -> np.ndarray | None:
    """Where the student painted in the editor (any layer's opaque pixels); ``None`` without a
    region. An empty painting is passed on as an empty mask, which core refuses with a sentence."""
    if not use_region:
        return None
    layers = [np.asarray(layer) for layer in (editor or {}).get("layers") or [] if layer is not None]
    masks = [layer[..., 3] > 0 for layer in layers if layer.ndim == 3 and layer.shape[2] == 4]
    if not masks:
        return np.zeros((1, 1), dtype=bool)
    return np.logical_or.reduce(masks)


@user_errors
def choose_model(ctx: TabContext, model: str, request: gr.Request = None):
    return gr.Dropdown(value=load_model(ctx, model, request).name)


@user_errors
def predict(ctx: TabContext, example: str, upload: str | None, model: str,
            request: gr.Request = None):
    """The start image's top 5, and a sentence naming the class a counterfactual must leave."""
    loaded = ctx.models.get(model)
    predictions = classify(loaded, ctx.examples.resolve(example, upload))
    top = predictions[0]
    return scores(predictions), T.text("must_leave", request_language(request, ctx.lang),
                                       label=top.label, index=top.index, p=top.probability)


@user_errors
def describe_target(ctx: TabContext, model: str, kind: str, class_index: float | None,
                    request: gr.Request = None) -> str:
    """What counts as success, and the dog classes with their indices."""
    lang = request_language(request, ctx.lang)
    loaded = ctx.models.get(model)
    kind = TARGETS.get(kind, kind)
    if kind == "class":
        if class_index is None:
            return T.text("no_class", lang)
        index = check_target(loaded.categories, target=class_index)
        return T.text("target.one", lang, index=index, name=loaded.categories[index])
    if kind == "other":
        return T.text("target.other", lang)
    dogs = dog_classes(loaded.categories)
    names = ", ".join(f"#{i} {loaded.categories[i]}" for i in dogs)
    return T.text("target.dogs", lang, count=len(dogs), first=dogs[0], last=dogs[-1], names=names)


def editor_background(ctx: TabContext, example: str, upload: str | None):
    """Put the start image into the region editor (painting starts afresh)."""
    try:
        image = ctx.examples.resolve(example, upload)
    except ValueError:
        return gr.skip()
    return {"background": image, "layers": [], "composite": image}


def cancel(ctx: TabContext, session: str | None, request: gr.Request = None) -> str:
    SWITCHES.cancel(session)
    return T.text("stopped", request_language(request, ctx.lang))


CURVES = {"o": "curve.original", "t": "curve.target"}
CURVE_COLOURS = {T.text(key, lang): colour for lang in LANGUAGES
                 for key, colour in (("curve.original", "#2c7fb8"), ("curve.target", "#e6550d"))}
"""The series' colours under their names in every language (a plot shows the ones it has)."""


def _curves(rows: list, lang: str) -> pd.DataFrame:
    """The per-step probabilities as a table for ``gr.LinePlot`` (series: original, target)."""
    return pd.DataFrame(rows, columns=["step", "probability", "class"]).replace(
        {"class": {code: T.text(key, lang) for code, key in CURVES.items()}})


@user_errors
def run_pixel(ctx: TabContext, session: str | None, example: str, upload: str | None, model: str,
              kind: str, class_index: float | None, use_region: bool, editor: dict | None,
              weight: float, distance: str, smoothness: float, step_size: float, max_steps: float,
              threshold: float, seed: float, request: gr.Request = None):
    """Method 1, streamed: the image as it changes and the curves, then the result and checks.

    Yields (live image, curves, text, comparison, slider, top 5, checks table, Grad-CAM).
    """
    lang = request_language(request, ctx.lang)
    knobs = Knobs(weight, distance, smoothness, step_size, max_steps, threshold, seed)
    loaded, image, target = start(ctx, example, upload, model, kind, class_index, request)
    params, mask = knobs.params(), painted_mask(use_region, editor)
    original = loaded.categories[target.original]
    name = describe.target_name(target, original, lang=lang)
    blank = (None,) * 5  # the result outputs, empty until the run ends (see streaming.py)

    def job(should_stop, emit) -> Counterfactual:
        return find_counterfactual(loaded, image, target=target, params=params, mask=mask,
                                   seed=knobs.random_seed, should_stop=should_stop, on_step=emit)

    rows: list = []
    shown, live = 0.0, None
    yield None, None, T.text("pixel.start", lang, target=name, model=loaded.spec.title), *blank
    try:
        for update in stream_job(job, switches=SWITCHES, session=session, name="counterfactual"):
            if update.done:
                yield _pixel_result(ctx, loaded, update.value, rows, original, lang)
                return
            step: PixelProgress = update.value
            rows += [(step.step, float(step.p_original[0]), "o"),
                     (step.step, float(step.p_target[0]), "t")]
            if time.monotonic() - shown >= LIVE_INTERVAL or step.done[0]:
                shown, live = time.monotonic(), step.images[0]
                yield (live, _curves(rows, lang),
                       T.text("pixel.step", lang, step=step.step, most=params.max_steps,
                              target=name, p_target=step.p_target[0], original=original,
                              p_original=step.p_original[0], distance=step.distance[0],
                              kind=params.distance.upper()), *blank)
    except CounterfactualCancelled:
        steps = rows[-1][0] if rows else 0
        yield (live, _curves(rows, lang) if rows else None,
               T.text("stopped.after", lang, steps=steps), *blank)


def _pixel_result(ctx, loaded, result: Counterfactual, rows, original, lang):
    checks = check_counterfactual(ctx.models, loaded, result)
    if not rows:  # served from the cache: draw the stored curves
        rows = [(s, float(v), c) for c, values in (("o", result.p_original), ("t", result.p_target))
                for s, v in enumerate(values)]
    top = result.predictions[0]
    picture = comparison(result.view, result.image, mask=result.mask, lang=lang,
                         before=result.original_label, after=f"{top.label} ({top.probability:.2f})")
    maps = [(checks.gradcam_original.map, f"Grad-CAM: #{result.target.original}\n{original}"),
            (checks.gradcam_target.map,
             f"Grad-CAM: #{checks.gradcam_target.target}\n{checks.gradcam_target.label}")]
    table = describe.checks_table(checks, result.target_probability,
                                  describe.target_name(result.target, original, lang=lang),
                                  what=T.text("pixel.checks", lang), lang=lang)
    return (result.image, _curves(rows, lang), describe.pixel_summary(result, lang=lang),
            picture, (result.view, result.image), scores(result.predictions), table,
            gradcam_pair(result.image, maps, lang=lang))


@user_errors
def run_tradeoff(ctx: TabContext, session: str | None, example: str, upload: str | None,
                 model: str, kind: str, class_index: float | None, use_region: bool,
                 editor: dict | None, weights: str, weight: float, distance: str,
                 smoothness: float, step_size: float, max_steps: float, threshold: float,
                 seed: float, request: gr.Request = None):
    """Several proximity weights in one batch; yields (plot, images in a row, table).

    ``weight`` (tab 1's single weight) is not used: ``weights`` replaces it.
    """
    lang = request_language(request, ctx.lang)
    knobs = Knobs(weight, distance, smoothness, step_size, max_steps, threshold, seed)
    loaded, image, target = start(ctx, example, upload, model, kind, class_index, request)
    params, mask = knobs.params(), painted_mask(use_region, editor)
    name = describe.target_name(target, loaded.categories[target.original], lang=lang)

    def job(should_stop, emit):
        return trade_off(loaded, image, target=target, weights=weights, params=params, mask=mask,
                         seed=knobs.random_seed, should_stop=should_stop, on_step=emit)

    yield None, None, T.text("sweep.start", lang)
    shown, row = 0.0, None
    latest: dict[float, object] = {}  # the newest image per weight (finished ones stay)
    try:
        for update in stream_job(job, switches=SWITCHES, session=session, name="tradeoff"):
            if update.done:
                yield _tradeoff_result(update.value, name, lang)
                return
            step: PixelProgress = update.value
            latest.update(zip(step.weights, step.images))
            if time.monotonic() - shown >= LIVE_INTERVAL:
                shown = time.monotonic()
                running = ", ".join(f"λ = {w:g}: {p:.2f}" for w, p in zip(step.weights, step.p_target))
                row = strip([(im, f"lambda = {w:g}") for w, im in latest.items()], tile=160)
                yield (None, row,  # (the bitmap font of the titles has no λ)
                       T.text("sweep.step", lang, step=step.step, target=name, running=running))
    except CounterfactualCancelled:
        yield None, row, T.text("stopped", lang)


def _tradeoff_result(result, target: str, lang: str):
    runs = result.runs
    figure = tradeoff_figure([r.distances.rms for r in runs], [r.target_probability for r in runs],
                             result.weights, threshold=runs[0].params.threshold, target=target,
                             lang=lang)
    row = strip([(r.image, f"lambda = {r.params.weight:g}: {r.predictions[0].label}\n"
                           f"p = {r.target_probability:.2f}, L2 {r.distances.rms:.2f}") for r in runs],
                tile=180)
    lines = [T.text("sweep.head", lang), "|---:|---:|:---:|---|---:|---:|---:|---:|"]
    for r in runs:
        switched = T.text("yes" if r.reached else "no", lang)
        lines.append(f"| {r.params.weight:g} | {r.steps} | {switched} | {r.predictions[0].label} | "
                     f"{r.target_probability:.2f} | {r.distances.rms:.2f} "
                     f"| {r.distances.linf:.0f} | {100 * r.distances.changed:.1f} % |")
    return figure, row, "\n".join(lines) + "\n\n" + T.text("sweep.foot", lang, target=target)
