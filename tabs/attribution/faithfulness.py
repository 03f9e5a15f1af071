"""The Attribution tab's two tests of an explanation: deletion/insertion curves (is the map
faithful to the model?) and the sanity check (does the map depend on the weights?)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import numpy as np

from core.attribution import (
    METHOD_TITLES,
    RANDOM,
    AttributionMethod,
    FaithfulnessReport,
    PartialCascade,
    SanityReport,
    cascading_randomization,
    deletion_insertion,
    unavailable_methods,
)
from core.attribution.faithfulness import check_methods
from core.checks import excerpt
from core.models import LoadedModel
from tabs.attribution.inputs import explained
from tabs.attribution.render import (
    correlation_figure,
    curves_figure,
    deletion_picture,
    row_titles,
    sanity_picture,
)
from tabs.attribution.settings import DeletionSettings, SanitySettings
from tabs.attribution.texts import T
from tabs.attribution.words import (
    deleted_images,
    deletion_curves,
    sanity_curves,
    sanity_maps,
)
from tabs.common.described import Described
from tabs.common.streaming import CancelSwitches, progressive, status
from tabs.common.view import Call, View


def percentages(call: Call[DeletionSettings]) -> list[float]:
    """The fractions to show from the text field: "5, 10, 25" → [0.05, 0.1, 0.25] (core checks
    the range); a word that is no number is refused with a sentence."""
    values = []
    for part in (call.settings.shown or "").replace(";", ",").split(","):
        part = part.strip().rstrip("%").strip()
        if not part:
            continue
        try:
            values.append(float(part) / 100)
        except ValueError:
            raise call.refuse("not_percent", part=excerpt(part)) from None
    return values


def offered(call: Call, loaded: LoadedModel,
            chosen) -> tuple[tuple[AttributionMethod, ...], str]:
    """The chosen methods that are offered for ``loaded``, and the sentences saying why the
    others are not (an LRP composite whose rules do not fit the model); when none is left, the
    first of those sentences as the refusal."""
    methods = check_methods(chosen or [])
    refused = unavailable_methods(loaded)
    kept = tuple(m for m in methods if m not in refused)
    if not kept:
        raise refused[methods[0]]
    notes = "".join("\n\n" + call.text("not_offered", method=METHOD_TITLES[m],
                                        reason=refused[m].in_language(call.lang))
                    for m in methods if m in refused)
    return kept, notes


def run_deletion(call: Call[DeletionSettings]) -> Iterator[object]:
    """Deletion and insertion curves per method, streamed: the random order first, then each
    method's map and curves as soon as they exist (the cheap methods first). Yields the
    curves' figure, the areas as a table with a note (while computing: a line on what is
    ready) and the picture of the deleted images."""
    s = call.settings
    start = time.perf_counter()
    shown = percentages(call)
    loaded, image, target = explained(call)
    methods, notes = offered(call, loaded, s.methods)
    every = [METHOD_TITLES[m] for m in methods]

    def job(should_stop, emit) -> FaithfulnessReport:
        return deletion_insertion(loaded, image, target=target, methods=methods,
                                  replacement=s.replacement, shown=shown, **s.method_options(),
                                  on_result=emit, should_stop=should_stop)

    def so_far(parts: list[FaithfulnessReport], *, stopped: bool = False) -> tuple:
        report = parts[-1] if parts else None
        done = [METHOD_TITLES[c.name] for c in report.curves if c.name != RANDOM] \
            if report else []
        line = status(call, "stopped.deletion" if stopped else "partial.deletion", done, every)
        if report is None:
            return None, line, None
        return (curves(report), _areas(call, report) + "\n\n" + line,
                Described(deletion_picture(report, cmap=s.cmap, lang=call.lang,
                                           rows=[*methods, RANDOM], stopped=stopped),
                          deleted_images(report, call.lang)))

    def curves(report: FaithfulnessReport) -> Described:
        return Described(curves_figure(report, lang=call.lang),
                         deletion_curves(report, call.lang))

    def final(report: FaithfulnessReport) -> tuple:
        table = _areas(call, report) + _note(call, report, start) + notes
        return (curves(report), table,
                Described(deletion_picture(report, cmap=s.cmap, lang=call.lang),
                          deleted_images(report, call.lang)))

    yield from progressive(job, switches=DELETION_RUNS, session=call.session, name="deletion",
                           partial=lambda parts: None if len(parts[-1].curves) > len(methods)
                           else so_far(parts),
                           final=final, stopped=lambda parts: so_far(parts, stopped=True))


def _areas(call: Call[DeletionSettings], report: FaithfulnessReport) -> str:
    """The areas under the curves measured, and the probabilities at the shown fractions, as a
    table (the best areas bold)."""
    best_deletion = min(c.deletion_area for c in report.curves)
    best_insertion = max(c.insertion_area for c in report.curves)
    shown_head = "".join(call.text("deletion.shown", fraction=f) for f in report.shown_fractions)
    rows = [call.text("deletion.head") + shown_head,
            "|---|---:|---:|" + "---:|" * len(report.shown_fractions)]
    for c in report.curves:
        deletion = _bold(f"{c.deletion_area:.3f}", c.deletion_area == best_deletion)
        insertion = _bold(f"{c.insertion_area:.3f}", c.insertion_area == best_insertion)
        name = call.text("random") if c.name == RANDOM else METHOD_TITLES[c.name]
        rows.append(f"| {name} | {deletion} | {insertion} |"
                    + "".join(f" {p:.3f} |" for p in c.shown))
    return "\n".join(rows)


def _note(call: Call[DeletionSettings], report: FaithfulnessReport, start: float) -> str:
    """What the table's numbers mean, with the probabilities of the image and of the
    replacement and how long it took since ``start``."""
    steps = len(report.fractions) - 1
    return call.text("deletion.note", target=report.target, label=report.label,
                     full=report.curves[0].deletion[0], empty=report.curves[0].deletion[-1],
                     image=call.text(f"image.{report.replacement}"), steps=steps,
                     step=100 / steps, seconds=time.perf_counter() - start)


def run_sanity(call: Call[SanitySettings]) -> Iterator[object]:
    """Cascading randomization, streamed: the trained maps, then each stage as soon as it is
    randomized. Yields the correlations' figure, each method's map after each stage, and a
    summary (while computing: a line on what is ready) with the correlations as a table."""
    s = call.settings
    start = time.perf_counter()
    loaded, image, target = explained(call)
    methods, notes = offered(call, loaded, s.methods)

    def job(should_stop, emit) -> SanityReport:
        return cascading_randomization(loaded, image, target=target, methods=methods,
                                       **s.method_options(), on_result=emit,
                                       should_stop=should_stop)

    def so_far(parts: list[PartialCascade], *, stopped: bool = False) -> tuple:
        if not parts:
            return None, None, call.text("stopped.trained")
        report, stages = parts[-1].report, parts[-1].stages
        pending = stages[len(report.stages):]
        line = status(call, "stopped.sanity" if stopped else "partial.sanity",
                      report.stages[1:], stages[1:])
        return (Described(correlation_figure(report, lang=call.lang, pending=pending),
                          sanity_curves(report, call.lang)),
                Described(sanity_picture(report, cmap=s.cmap, lang=call.lang, pending=pending,
                                         stopped=stopped), sanity_maps(report, call.lang)),
                line + "\n\n" + _correlations(call, report))

    def final(report: SanityReport) -> tuple:
        titles = row_titles(report, call.lang)
        first = int(np.nanargmax(np.nan_to_num(report.correlations[:, 1], nan=-2.0)))
        summary = call.text("sanity.summary", target=report.target, label=report.label,
                            title=titles[first], rho=report.correlations[first, 1],
                            seconds=time.perf_counter() - start)
        return (Described(correlation_figure(report, lang=call.lang),
                          sanity_curves(report, call.lang)),
                Described(sanity_picture(report, cmap=s.cmap, lang=call.lang),
                          sanity_maps(report, call.lang)),
                summary + "\n\n" + _correlations(call, report) + notes)

    yield from progressive(job, switches=SANITY_RUNS, session=call.session, name="sanity",
                           partial=lambda parts: None if parts[-1].report.stages
                           == parts[-1].stages else so_far(parts),
                           final=final, stopped=lambda parts: so_far(parts, stopped=True))


def _correlations(call: Call[SanitySettings], report: SanityReport) -> str:
    """Each row's rank correlation after each stage randomized so far, as a table."""
    short = row_titles(report, call.lang, short=True)
    rows = [f"| {call.text('sanity.stage')} | " + " | ".join(short) + " |",
            "|---|" + "---:|" * len(report.rows)]
    for k, stage in enumerate(report.stages[1:], start=1):
        rows.append(f"| + {stage} | " + " | ".join(_rho(v) for v in report.correlations[:, k])
                    + " |")
    return "\n".join(rows)


def _bold(text: str, condition: bool) -> str:
    return f"**{text}**" if condition else text


def _rho(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"


DELETION_RUNS = CancelSwitches()
SANITY_RUNS = CancelSwitches()
DELETION = View("attribution_deletion", DeletionSettings, run_deletion, T,
                group="image-models", gpu_seconds=90, session=True, keep=True)
SANITY = View("attribution_sanity", SanitySettings, run_sanity, T, group="image-models",
              gpu_seconds=120, session=True, keep=True)
