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
    Target,
    find_counterfactual,
    pixel_params,
    resolve_target,
    trade_off,
)
from core.counterfactual.checks import check_counterfactual
from core.counterfactual.targets import dog_classes
from core.predictions import Prediction, check_target, classify, find_class
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.layer_picker import load_model
from tabs.common.render.attribution import strip
from tabs.common.render.counterfactual import (
    comparison,
    gradcam_pair,
    tradeoff_figure,
)
from tabs.common.streaming import CancelSwitches, stream_job
from tabs.counterfactual import describe

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


def start(ctx: TabContext, example, upload, model, kind, class_index):
    """The model (or the offline one), the start image and the checked target."""
    loaded = load_model(ctx, model)
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
def choose_model(ctx: TabContext, model: str):
    return gr.Dropdown(value=load_model(ctx, model).name)


@user_errors
def predict(ctx: TabContext, example: str, upload: str | None, model: str):
    """The start image's top 5, and a sentence naming the class a counterfactual must leave."""
    loaded = ctx.models.get(model)
    predictions = classify(loaded, ctx.examples.resolve(example, upload))
    top = predictions[0]
    return scores(predictions), (f"The model sees **{top.label}** (#{top.index}, p = "
                                  f"{top.probability:.2f}): the counterfactual must leave it.")


@user_errors
def describe_target(ctx: TabContext, model: str, kind: str, class_index: float | None) -> str:
    """What counts as success, and the dog classes with their indices."""
    loaded = ctx.models.get(model)
    kind = TARGETS.get(kind, kind)
    if kind == "class":
        if class_index is None:
            return "Type a class index or search a name."
        index = check_target(loaded.categories, target=class_index)
        return f"Target: **#{index} {loaded.categories[index]}**."
    if kind == "other":
        return "Target: **any class but the one the model sees now**."
    dogs = dog_classes(loaded.categories)
    names = ", ".join(f"#{i} {loaded.categories[i]}" for i in dogs)
    return (f"Target: **any dog**, the {len(dogs)} ImageNet dog breeds #{dogs[0]}–#{dogs[-1]} "
            f"together (their probabilities are added up):\n\n{names}")


@user_errors
def search_classes(ctx: TabContext, model: str, query: str):
    matches = find_class(ctx.models.get(model).categories, query)
    return gr.Dropdown(choices=[(f"#{m.index} {m.label}", m.index) for m in matches],
                       value=matches[0].index)


def use_match(match: int | None):
    return gr.Number() if match is None else gr.Number(value=int(match))


def editor_background(ctx: TabContext, example: str, upload: str | None):
    """Put the start image into the region editor (painting starts afresh)."""
    try:
        image = ctx.examples.resolve(example, upload)
    except ValueError:
        return gr.skip()
    return {"background": image, "layers": [], "composite": image}


def cancel(session: str | None) -> str:
    SWITCHES.cancel(session)
    return "Stopped."


CURVES = {"o": "original class", "t": "target"}
CURVE_COLOURS = {"original class": "#2c7fb8", "target": "#e6550d"}


def _curves(rows: list) -> pd.DataFrame:
    """The per-step probabilities as a table for ``gr.LinePlot`` (series: original, target)."""
    return pd.DataFrame(rows, columns=["step", "probability", "class"]).replace(
        {"class": CURVES})


@user_errors
def run_pixel(ctx: TabContext, session: str | None, example: str, upload: str | None, model: str,
              kind: str, class_index: float | None, use_region: bool, editor: dict | None,
              weight: float, distance: str, smoothness: float, step_size: float, max_steps: float,
              threshold: float, seed: float):
    """Method 1, streamed: the image as it changes and the curves, then the result and checks.

    Yields (live image, curves, text, comparison, slider, top 5, checks table, Grad-CAM).
    """
    knobs = Knobs(weight, distance, smoothness, step_size, max_steps, threshold, seed)
    loaded, image, target = start(ctx, example, upload, model, kind, class_index)
    params, mask = knobs.params(), painted_mask(use_region, editor)
    original = loaded.categories[target.original]
    skip = (gr.skip(),) * 5

    def job(should_stop, emit) -> Counterfactual:
        return find_counterfactual(loaded, image, target=target, params=params, mask=mask,
                                   seed=knobs.random_seed, should_stop=should_stop, on_step=emit)

    rows: list = []
    shown = 0.0
    yield (gr.skip(), gr.skip(), f"Optimising towards {target.label} on {loaded.spec.title}…",
           *skip)
    try:
        for update in stream_job(job, switches=SWITCHES, session=session, name="counterfactual"):
            if update.done:
                yield _pixel_result(ctx, loaded, update.value, rows, original)
                return
            step: PixelProgress = update.value
            rows += [(step.step, float(step.p_original[0]), "o"),
                     (step.step, float(step.p_target[0]), "t")]
            if time.monotonic() - shown >= LIVE_INTERVAL or step.done[0]:
                shown = time.monotonic()
                yield (step.images[0], _curves(rows),
                       f"Step {step.step} of at most {params.max_steps}: p({target.label}) = "
                       f"{step.p_target[0]:.3f}, p({original}) = {step.p_original[0]:.3f}, "
                       f"distance {step.distance[0]:.2f} grey levels ({params.distance.upper()}).",
                       *skip)
    except CounterfactualCancelled:
        steps = rows[-1][0] if rows else 0
        yield gr.skip(), gr.skip(), f"Stopped after {steps} steps.", *skip


def _pixel_result(ctx, loaded, result: Counterfactual, rows, original):
    checks = check_counterfactual(ctx.models, loaded, result)
    if not rows:  # served from the cache: draw the stored curves
        rows = [(s, float(v), c) for c, values in (("o", result.p_original), ("t", result.p_target))
                for s, v in enumerate(values)]
    top = result.predictions[0]
    picture = comparison(result.view, result.image, mask=result.mask,
                         before=result.original_label, after=f"{top.label} ({top.probability:.2f})")
    maps = [(checks.gradcam_original.map, f"Grad-CAM: #{result.target.original}\n{original}"),
            (checks.gradcam_target.map,
             f"Grad-CAM: #{checks.gradcam_target.target}\n{checks.gradcam_target.label}")]
    table = describe.checks_table(checks, result.target_probability, result.target,
                                  what="The counterfactual image, shown to a second model, "
                                       "compressed as JPEG and shifted by 2 pixels.")
    return (result.image, _curves(rows), describe.pixel_summary(result),
            picture, (result.view, result.image), scores(result.predictions), table,
            gradcam_pair(result.image, maps))


@user_errors
def run_tradeoff(ctx: TabContext, session: str | None, example: str, upload: str | None,
                 model: str, kind: str, class_index: float | None, use_region: bool,
                 editor: dict | None, weights: str, weight: float, distance: str,
                 smoothness: float, step_size: float, max_steps: float, threshold: float,
                 seed: float):
    """Several proximity weights in one batch; yields (plot, images in a row, table).

    ``weight`` (tab 1's single weight) is not used: ``weights`` replaces it.
    """
    knobs = Knobs(weight, distance, smoothness, step_size, max_steps, threshold, seed)
    loaded, image, target = start(ctx, example, upload, model, kind, class_index)
    params, mask = knobs.params(), painted_mask(use_region, editor)

    def job(should_stop, emit):
        return trade_off(loaded, image, target=target, weights=weights, params=params, mask=mask,
                         seed=knobs.random_seed, should_stop=should_stop, on_step=emit)

    yield gr.skip(), gr.skip(), "Optimising every weight in one batch…"
    shown = 0.0
    latest: dict[float, object] = {}  # the newest image per weight (finished ones stay)
    try:
        for update in stream_job(job, switches=SWITCHES, session=session, name="tradeoff"):
            if update.done:
                yield _tradeoff_result(update.value, target)
                return
            step: PixelProgress = update.value
            latest.update(zip(step.weights, step.images))
            if time.monotonic() - shown >= LIVE_INTERVAL:
                shown = time.monotonic()
                running = ", ".join(f"λ = {w:g}: {p:.2f}" for w, p in zip(step.weights, step.p_target))
                row = strip([(im, f"lambda = {w:g}") for w, im in latest.items()], tile=160)
                yield (gr.skip(), row,  # (the bitmap font of the titles has no λ)
                       f"Step {step.step}: p({target.label}) of the weights still running — "
                       f"{running}")
    except CounterfactualCancelled:
        yield gr.skip(), gr.skip(), "Stopped."


def _tradeoff_result(result, target: Target):
    runs = result.runs
    figure = tradeoff_figure([r.distances.rms for r in runs], [r.target_probability for r in runs],
                             result.weights, threshold=runs[0].params.threshold, target=target.label)
    row = strip([(r.image, f"lambda = {r.params.weight:g}: {r.predictions[0].label}\n"
                           f"p = {r.target_probability:.2f}, L2 {r.distances.rms:.2f}") for r in runs],
                tile=180)
    lines = ["| λ | steps | switched? | top class | p(target) | L2 | L∞ | pixels changed |",
             "|---:|---:|:---:|---|---:|---:|---:|---:|"]
    for r in runs:
        lines.append(f"| {r.params.weight:g} | {r.steps} | {'yes' if r.reached else 'no'} | "
                     f"{r.predictions[0].label} | {r.target_probability:.2f} | {r.distances.rms:.2f} "
                     f"| {r.distances.linf:.0f} | {100 * r.distances.changed:.1f} % |")
    return figure, row, "\n".join(lines) + f"\n\nTarget: {target.label}; distances in grey levels."
