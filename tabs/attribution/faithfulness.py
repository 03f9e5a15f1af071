"""The Attribution tab's two tests of an explanation: deletion/insertion curves (is the map
faithful to the model?) and the sanity check (does the map depend on the weights?)."""

from __future__ import annotations

import math
import time

import numpy as np

from core.attribution import METHOD_TITLES, RANDOM, cascading_randomization, deletion_insertion
from core.checks import excerpt
from tabs.attribution.render import (
    correlation_figure,
    curves_figure,
    deletion_picture,
    row_titles,
    sanity_picture,
)
from tabs.attribution.settings import DeletionSettings, SanitySettings
from tabs.attribution.texts import T
from tabs.attribution.views import explained
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


def run_deletion(call: Call[DeletionSettings]):
    """Deletion and insertion curves per method. Returns the curves' figure, the areas as a
    table with a note, and the picture of the deleted images."""
    s = call.settings
    start = time.perf_counter()
    shown = percentages(call)
    loaded, image, target = explained(call)
    report = deletion_insertion(loaded, image, target=target, methods=s.methods or [],
                                replacement=s.replacement, shown=shown,
                                **s.method_options(), progress=call.report)
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
    full = report.curves[0].deletion[0]
    empty = report.curves[0].deletion[-1]
    steps = len(report.fractions) - 1
    note = call.text("deletion.note", target=report.target, label=report.label, full=full,
                     empty=empty, image=call.text(f"image.{report.replacement}"), steps=steps,
                     step=100 / steps, seconds=time.perf_counter() - start)
    return (curves_figure(report, lang=call.lang), "\n".join(rows) + note,
            deletion_picture(report, cmap=s.cmap, lang=call.lang))


def run_sanity(call: Call[SanitySettings]):
    """Cascading randomization. Returns the correlations' figure, each method's map after each
    stage, and a summary with the correlations as a table."""
    s = call.settings
    start = time.perf_counter()
    loaded, image, target = explained(call)
    report = cascading_randomization(loaded, image, target=target, methods=s.methods or [],
                                     **s.method_options(), progress=call.report)
    titles = row_titles(report, call.lang)
    short = row_titles(report, call.lang, short=True)
    rows = [f"| {call.text('sanity.stage')} | " + " | ".join(short) + " |",
            "|---|" + "---:|" * len(report.rows)]
    for k, stage in enumerate(report.stages[1:], start=1):
        rows.append(f"| + {stage} | " + " | ".join(_rho(v) for v in report.correlations[:, k])
                    + " |")
    first = int(np.nanargmax(np.nan_to_num(report.correlations[:, 1], nan=-2.0)))
    summary = call.text("sanity.summary", target=report.target, label=report.label,
                        title=titles[first], rho=report.correlations[first, 1],
                        seconds=time.perf_counter() - start)
    return (correlation_figure(report, lang=call.lang),
            sanity_picture(report, cmap=s.cmap, lang=call.lang),
            summary + "\n\n" + "\n".join(rows))


def _bold(text: str, condition: bool) -> str:
    return f"**{text}**" if condition else text


def _rho(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"


DELETION = View("attribution_deletion", DeletionSettings, run_deletion, T,
                group="image-models", gpu_seconds=90, progress=True, keep=True)
SANITY = View("attribution_sanity", SanitySettings, run_sanity, T, group="image-models",
              gpu_seconds=120, progress=True, keep=True)
