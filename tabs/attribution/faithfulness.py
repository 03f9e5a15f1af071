"""Handlers of the Attribution tab's two tests of an explanation: deletion/insertion curves
(is the map faithful to the model?) and the sanity check (does the map depend on the weights?)."""

from __future__ import annotations

import math
import time

import gradio as gr
import numpy as np

from core.attribution import METHOD_TITLES, RANDOM, cascading_randomization, deletion_insertion
from core.checks import excerpt
from core.predictions import check_target
from tabs.attribution.handlers import method_options
from tabs.attribution.texts import T
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.i18n import request_language
from tabs.common.render.attribution import (
    correlation_figure,
    curves_figure,
    deletion_picture,
    row_titles,
    sanity_picture,
)


def _reporter(progress):
    return lambda fraction, text: progress(fraction, desc=text)


def percentages(text: str | None, lang: str = "en") -> list[float]:
    """"5, 10, 25" → [0.05, 0.1, 0.25] (core checks the range); a word that is no number is
    refused with a sentence."""
    values = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip().rstrip("%").strip()
        if not part:
            continue
        try:
            values.append(float(part) / 100)
        except ValueError:
            raise ValueError(T.text("not_percent", lang, part=excerpt(part))) from None
    return values


@user_errors
def run_deletion(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
                 methods: list[str], replacement: str, shown: str, layer: str, steps: float,
                 baseline: str, window: float | None, stride: float | None, cmap: str,
                 progress=gr.Progress(), request: gr.Request = None):
    """Deletion and insertion curves per method, the areas as a table, the deleted images."""
    lang = request_language(request, ctx.lang)
    start = time.perf_counter()
    loaded = ctx.models.get(model)
    report = deletion_insertion(loaded, ctx.examples.resolve(example, upload),
                                target=check_target(loaded.categories, target=target),
                                methods=methods or [], replacement=replacement,
                                shown=percentages(shown, lang),
                                **method_options(layer, steps, baseline, window, stride),
                                progress=_reporter(progress))
    best_deletion = min(c.deletion_area for c in report.curves)
    best_insertion = max(c.insertion_area for c in report.curves)
    shown_head = "".join(T.text("deletion.shown", lang, fraction=f) for f in report.shown_fractions)
    rows = [T.text("deletion.head", lang) + shown_head,
            "|---|---:|---:|" + "---:|" * len(report.shown_fractions)]
    for c in report.curves:
        deletion = _bold(f"{c.deletion_area:.3f}", c.deletion_area == best_deletion)
        insertion = _bold(f"{c.insertion_area:.3f}", c.insertion_area == best_insertion)
        name = T.text("random", lang) if c.name == RANDOM else METHOD_TITLES[c.name]
        rows.append(f"| {name} | {deletion} | {insertion} |" + "".join(f" {p:.3f} |" for p in c.shown))
    full = report.curves[0].deletion[0]
    empty = report.curves[0].deletion[-1]
    steps = len(report.fractions) - 1
    note = T.text("deletion.note", lang, target=report.target, label=report.label, full=full,
                  empty=empty, image=T.text(f"image.{report.replacement}", lang), steps=steps,
                  step=100 / steps, seconds=time.perf_counter() - start)
    return (curves_figure(report, lang=lang), "\n".join(rows) + note,
            deletion_picture(report, cmap=cmap, lang=lang))


@user_errors
def run_sanity(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
               methods: list[str], layer: str, steps: float, baseline: str,
               window: float | None, stride: float | None, cmap: str, progress=gr.Progress(),
               request: gr.Request = None):
    """Cascading randomization: each method's map after each stage, and its rank correlation."""
    lang = request_language(request, ctx.lang)
    start = time.perf_counter()
    loaded = ctx.models.get(model)
    report = cascading_randomization(loaded, ctx.examples.resolve(example, upload),
                                     target=check_target(loaded.categories, target=target),
                                     methods=methods or [],
                                     **method_options(layer, steps, baseline, window, stride),
                                     progress=_reporter(progress))
    titles = row_titles(report, lang)
    rows = [f"| {T.text('sanity.stage', lang)} | " + " | ".join(_short(t) for t in titles) + " |",
            "|---|" + "---:|" * len(report.rows)]
    for k, stage in enumerate(report.stages[1:], start=1):
        rows.append(f"| + {stage} | " + " | ".join(_rho(v) for v in report.correlations[:, k]) + " |")
    first = int(np.nanargmax(np.nan_to_num(report.correlations[:, 1], nan=-2.0)))
    summary = T.text("sanity.summary", lang, target=report.target, label=report.label,
                     title=titles[first], rho=report.correlations[first, 1],
                     seconds=time.perf_counter() - start)
    return (correlation_figure(report, lang=lang), sanity_picture(report, cmap=cmap, lang=lang),
            summary + "\n\n" + "\n".join(rows))


def _bold(text: str, condition: bool) -> str:
    return f"**{text}**" if condition else text


def _short(title: str) -> str:
    return title.split(" (")[0]


def _rho(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"
