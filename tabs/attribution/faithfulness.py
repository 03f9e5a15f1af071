"""Handlers of the Attribution tab's two tests of an explanation: deletion/insertion curves
(is the map faithful to the model?) and the sanity check (does the map depend on the weights?)."""

from __future__ import annotations

import math
import time

import gradio as gr
import numpy as np

from core.attribution import METHOD_TITLES, RANDOM, cascading_randomization, deletion_insertion
from core.predictions import check_target
from tabs.attribution.handlers import method_options
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.render.attribution import (
    correlation_figure,
    curves_figure,
    deletion_picture,
    sanity_picture,
)


def _reporter(progress):
    return lambda fraction, text: progress(fraction, desc=text)


def percentages(text: str | None) -> list[float]:
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
            raise ValueError(f"'{part}' is not a percentage; write numbers such as 5, 10, 25.") from None
    return values


@user_errors
def run_deletion(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
                 methods: list[str], replacement: str, shown: str, layer: str, steps: float,
                 baseline: str, window: float | None, stride: float | None, cmap: str,
                 progress=gr.Progress()):
    """Deletion and insertion curves per method, the areas as a table, the deleted images."""
    start = time.perf_counter()
    loaded = ctx.models.get(model)
    report = deletion_insertion(loaded, ctx.examples.resolve(example, upload),
                                target=check_target(loaded.categories, target=target),
                                methods=methods or [], replacement=replacement,
                                shown=percentages(shown),
                                **method_options(layer, steps, baseline, window, stride),
                                progress=_reporter(progress))
    best_deletion = min(c.deletion_area for c in report.curves)
    best_insertion = max(c.insertion_area for c in report.curves)
    shown_head = "".join(f" p at {f:.0%} deleted |" for f in report.shown_fractions)
    rows = [f"| order | deletion area ↓ | insertion area ↑ |{shown_head}",
            "|---|---:|---:|" + "---:|" * len(report.shown_fractions)]
    for c in report.curves:
        deletion = _bold(f"{c.deletion_area:.3f}", c.deletion_area == best_deletion)
        insertion = _bold(f"{c.insertion_area:.3f}", c.insertion_area == best_insertion)
        name = "random (reference)" if c.name == RANDOM else METHOD_TITLES[c.name]
        rows.append(f"| {name} | {deletion} | {insertion} |" + "".join(f" {p:.3f} |" for p in c.shown))
    full = report.curves[0].deletion[0]
    empty = report.curves[0].deletion[-1]
    note = (f"\n\np(#{report.target} {report.label}) is **{full:.3f}** for the image and "
            f"**{empty:.3f}** for the {report.replacement} image; {len(report.fractions) - 1} "
            f"steps of {100 / (len(report.fractions) - 1):g} %. A method beats the random order "
            "when its deletion area is smaller and its insertion area larger. "
            f"This took {time.perf_counter() - start:.1f} s (repeating it comes from the cache).")
    return curves_figure(report), "\n".join(rows) + note, deletion_picture(report, cmap=cmap)


@user_errors
def run_sanity(ctx: TabContext, example: str, upload: str | None, model: str, target: float,
               methods: list[str], layer: str, steps: float, baseline: str,
               window: float | None, stride: float | None, cmap: str, progress=gr.Progress()):
    """Cascading randomization: each method's map after each stage, and its rank correlation."""
    start = time.perf_counter()
    loaded = ctx.models.get(model)
    report = cascading_randomization(loaded, ctx.examples.resolve(example, upload),
                                     target=check_target(loaded.categories, target=target),
                                     methods=methods or [],
                                     **method_options(layer, steps, baseline, window, stride),
                                     progress=_reporter(progress))
    rows = ["| stage | " + " | ".join(_short(t) for t in report.titles) + " |",
            "|---|" + "---:|" * len(report.rows)]
    for k, stage in enumerate(report.stages[1:], start=1):
        rows.append(f"| + {stage} | " + " | ".join(_rho(v) for v in report.correlations[:, k]) + " |")
    first = int(np.nanargmax(np.nan_to_num(report.correlations[:, 1], nan=-2.0)))
    summary = (f"Spearman ρ of each map with the trained model's map of **#{report.target} "
               f"{report.label}**; each row randomizes one more stage, from the output down (on a "
               "private copy: the model everyone uses is unchanged). After only the head is "
               f"random, the map most like the trained one is **{report.titles[first]}** "
               f"(ρ = {report.correlations[first, 1]:.2f}). This took {time.perf_counter() - start:.1f} s.")
    return correlation_figure(report), sanity_picture(report, cmap=cmap), \
        summary + "\n\n" + "\n".join(rows)


def _bold(text: str, condition: bool) -> str:
    return f"**{text}**" if condition else text


def _short(title: str) -> str:
    return title.replace(" (inside Guided Grad-CAM)", "")


def _rho(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.2f}"
