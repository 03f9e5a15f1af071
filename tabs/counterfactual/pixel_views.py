"""The Counterfactual tab's views of method 1 (Wachter et al.): one proximity weight,
streamed step by step with the curves, then the result and its checks; and the trade-off,
several weights in one batch. Both stream through ``stream_job`` and stop on Cancel."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from core.counterfactual import (
    Counterfactual,
    CounterfactualCancelled,
    TradeOff,
    find_counterfactual,
    trade_off,
)
from core.counterfactual.checks import check_counterfactual
from core.models import LoadedModel
from tabs.common import alt_text
from tabs.common.colours import OKABE_ITO
from tabs.common.described import Described
from tabs.common.i18n import LANGUAGES, Language
from tabs.common.render.maps import strip
from tabs.common.streaming import Done, stream_job
from tabs.common.view import Call, View
from tabs.counterfactual import describe, words
from tabs.counterfactual.code import pixel_code, tradeoff_code
from tabs.counterfactual.render import comparison, gradcam_pair, tradeoff_figure
from tabs.counterfactual.settings import PixelSettings, TradeoffSettings
from tabs.counterfactual.start import SWITCHES, painted_mask, scores, start
from tabs.counterfactual.texts import T

LIVE_EVERY = 5
"""The live picture shows the first steps, then every fifth (every step enters the curves):
fixed steps, not a time interval, so the same run sends the same pictures every time."""


def _shown_live(step: int) -> bool:
    return step < LIVE_EVERY or step % LIVE_EVERY == 0
CURVES = {"o": "curve.original", "t": "curve.target"}
CURVE_COLOURS = {T.text(key, lang): colour for lang in LANGUAGES
                 for key, colour in (("curve.original", OKABE_ITO["blue"]),
                                     ("curve.target", OKABE_ITO["vermillion"]))}
"""The series' colours under their names in every language (a plot shows the ones it has)."""

Row = tuple[int, float, str]


def _curves(rows: list[Row], lang: Language) -> pd.DataFrame:
    """The per-step probabilities as a table for ``gr.LinePlot`` (series: original, target)."""
    return pd.DataFrame(rows, columns=["step", "probability", "class"]).replace(
        {"class": {code: T.text(key, lang) for code, key in CURVES.items()}})


def run_pixel(call: Call[PixelSettings]) -> Iterator[tuple]:
    """Method 1, streamed: the image as it changes and the curves, then the result and checks.

    Yields (live image, curves, text, comparison, slider, top 5, checks table, Grad-CAM).
    """
    s, lang = call.settings, call.lang
    loaded, image, target = start(call)
    params = s.params()
    mask = painted_mask(s.use_region, s.editor, image.shape)
    seed = s.random_seed
    original = loaded.categories[target.original]
    name = describe.target_name(target, original, lang=lang)
    blank = (None,) * 5  # the result outputs, empty until the run ends (see streaming.py)

    def job(should_stop, emit) -> Counterfactual:
        return find_counterfactual(loaded, image, target=target, params=params, mask=mask,
                                   seed=seed, should_stop=should_stop, on_step=emit)

    rows: list[Row] = []
    live = None
    yield None, None, call.text("pixel.start", target=name, model=loaded.spec.title), *blank
    try:
        for update in stream_job(job, switches=SWITCHES, session=call.session,
                                 name="counterfactual"):
            if isinstance(update, Done):
                yield _pixel_result(call, loaded, update.value, rows, original)
                return
            step = update.value
            rows += [(step.step, float(step.p_original[0]), "o"),
                     (step.step, float(step.p_target[0]), "t")]
            if _shown_live(step.step) or step.done[0]:
                line = call.text("pixel.step", step=step.step, most=params.max_steps,
                                 target=name, p_target=step.p_target[0], original=original,
                                 p_original=step.p_original[0], distance=step.distance[0],
                                 kind=params.distance.upper())
                live = Described(step.images[0], line)
                yield live, _described_curves(rows, lang), line, *blank
    except CounterfactualCancelled:
        steps = rows[-1][0] if rows else 0
        yield (live, _described_curves(rows, lang) if rows else None,
               call.text("stopped.after", steps=steps), *blank)


def _described_curves(rows: list[Row], lang: Language) -> Described:
    """The curves' table with how they ran, in words."""
    return Described(_curves(rows, lang), words.curves(rows, lang))


def _pixel_result(call: Call[PixelSettings], loaded: LoadedModel, result: Counterfactual,
                  rows: list[Row], original: str) -> tuple:
    """The last yield of :func:`run_pixel`: the result, its pictures and its checks."""
    lang = call.lang
    checks = check_counterfactual(call.ctx.models, loaded, result)
    if not rows:  # served from the cache: draw the stored curves
        rows = [(s, float(v), c) for c, values in (("o", result.p_original),
                                                    ("t", result.p_target))
                for s, v in enumerate(values)]
    top = result.predictions[0]
    picture = comparison(result.view, result.image, mask=result.mask, lang=lang,
                         before=result.original_label, after=f"{top.label} ({top.probability:.2f})")
    on_original, on_target = checks.gradcams
    maps = [(on_original.map, f"Grad-CAM: #{result.target.original}\n{original}"),
            (on_target.map, f"Grad-CAM: #{on_target.target}\n{on_target.label}")]
    cams = " ".join(alt_text.where(call.text("words.gradcam", index=index, name=name),
                                   values, lang)
                    for values, index, name in ((on_original.map, result.target.original,
                                                 original),
                                                (on_target.map, on_target.target,
                                                 on_target.label)))
    table = describe.checks_table(checks, result.target_probability,
                                  describe.target_name(result.target, original, lang=lang),
                                  what=call.text("pixel.checks"), lang=lang)
    return (Described(result.image, words.changed(result, "words.compare", lang)),
            _described_curves(rows, lang), describe.pixel_summary(result, lang=lang),
            Described(picture, words.changed(result, "words.compare", lang)),
            Described((result.view, result.image), words.changed(result, "words.slider", lang)),
            scores(result.predictions), table,
            Described(gradcam_pair(result.image, maps, lang=lang), cams))


def run_tradeoff(call: Call[TradeoffSettings]) -> Iterator[tuple]:
    """Several proximity weights in one batch; yields (plot, images in a row, table).

    ``weight`` (tab 1's single weight) is not used: ``weights`` replaces it.
    """
    s, lang = call.settings, call.lang
    loaded, image, target = start(call)
    params = s.params()
    mask = painted_mask(s.use_region, s.editor, image.shape)
    seed = s.random_seed
    name = describe.target_name(target, loaded.categories[target.original], lang=lang)

    def job(should_stop, emit) -> TradeOff:
        return trade_off(loaded, image, target=target, weights=s.weights, params=params,
                         mask=mask, seed=seed, should_stop=should_stop, on_step=emit)

    yield None, None, call.text("sweep.start")
    row = None
    latest: dict[float, np.ndarray] = {}  # the newest image per weight (finished ones stay)
    try:
        for update in stream_job(job, switches=SWITCHES, session=call.session, name="tradeoff"):
            if isinstance(update, Done):
                yield _tradeoff_result(call, update.value, name)
                return
            step = update.value
            latest.update(zip(step.weights, step.images))
            if _shown_live(step.step):
                running = ", ".join(f"λ = {w:g}: {p:.2f}"
                                    for w, p in zip(step.weights, step.p_target))
                line = call.text("sweep.step", step=step.step, target=name, running=running)
                # (the bitmap font of the titles has no λ)
                row = Described(strip([(im, f"lambda = {w:g}") for w, im in latest.items()],
                                      tile=160), line)
                yield None, row, line
    except CounterfactualCancelled:
        yield None, row, call.text("stopped")


def _tradeoff_result(call: Call[TradeoffSettings], result: TradeOff,
                     target: str) -> tuple[Described, Described, str]:
    """The last yield of :func:`run_tradeoff`: the plot, one image per weight, the table."""
    runs, lang = result.runs, call.lang
    figure = tradeoff_figure([r.distances.rms for r in runs],
                             [r.target_probability for r in runs], result.weights,
                             threshold=runs[0].params.threshold, target=target, lang=lang)
    row = strip([(r.image, f"lambda = {r.params.weight:g}: {r.predictions[0].label}\n"
                           f"p = {r.target_probability:.2f}, L2 {r.distances.rms:.2f}")
                 for r in runs], tile=180)
    lines = [call.text("sweep.head"), "|---:|---:|:---:|---|---:|---:|---:|---:|"]
    for r in runs:
        switched = call.text("yes" if r.reached else "no")
        lines.append(f"| {r.params.weight:g} | {r.steps} | {switched} | "
                     f"{r.predictions[0].label} | {r.target_probability:.2f} | "
                     f"{r.distances.rms:.2f} | {r.distances.linf:.0f} | "
                     f"{100 * r.distances.changed:.1f} % |")
    return (Described(figure, words.tradeoff(result, target, lang)),
            Described(row, words.tradeoff_images(result, lang)),
            "\n".join(lines) + "\n\n" + call.text("sweep.foot", target=target))


PIXEL = View("counterfactual", PixelSettings, run_pixel, T, role="first", group="image-models",
             gpu_seconds=60, session=True, code=pixel_code)
TRADEOFF = View("counterfactual_tradeoff", TradeoffSettings, run_tradeoff, T,
                group="image-models", gpu_seconds=120, session=True, code=tradeoff_code)
