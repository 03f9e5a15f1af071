"""What a result picture shows, in a sentence computed from the result (its text alternative).

Written here because no library words a heatmap: :func:`where` says where a map's strongest
values lie and how concentrated it is, :func:`strongest` which channels respond most,
:func:`ranked` which numbered items (filters, kernels, …) score highest,
:func:`curve` how a curve runs, :func:`change` what a changed image changed, :func:`ranking`
which named quantities are largest, :func:`steps` how a total is built from its parts.
Sentences are in the page's language; the caption of a view (:mod:`tabs.common.described`)
carries them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from tabs.common.i18n import Texts

WORDS = Texts("alt_text", en={
    "where": "{what}: strongest in the {region}; half of it lies in {share:.0f} % of the image "
             "({spread}).",
    "nothing": "{what}: the map is empty (no value above zero).",
    "even": "{what}: about evenly spread over the image (half of it takes {share:.0f} % of the "
            "image).",
    "upper": "upper", "middle": "middle", "lower": "lower",
    "left": "left", "centre": "centre", "right": "right",
    "middle centre": "centre",
    "region": "{row} {column}",
    "very concentrated": "very concentrated", "concentrated": "concentrated",
    "spread": "spread out",
    "strongest": "{what}: the strongest are {items} (of {shown} shown).",
    "channel": "channel {index} (mean {value:.3g})",
    "filter": "filter {index} (activation {value:.3g})",
    "kernel": "kernel {index} (contrast {value:.2g})",
    "weight": "channel {index} (weight {value:.3g})",
    "rising": "rising", "falling": "falling", "flat": "about flat",
    "curve": "{name}: from {start:.3g} at {x0:.3g} to {end:.3g} at {x1:.3g}, {trend}; "
             "highest {top:.3g} at {x_top:.3g}.",
    "no curve": "{name}: no values.",
    "change": "{what}: {changed:.1f} % of the pixels changed, most in the {region}; the "
              "largest change is {largest:.0f} of 255.",
    "unchanged": "{what}: no pixel changed.",
    "ranking": "{what}, largest first: {items} (of {count}).",
    "steps": "{what}: from {start:.3g} to {end:.3g}; the largest steps: {items}.",
}, de={
    "where": "{what}: am stärksten {region}; die Hälfte davon liegt in {share:.0f} % des "
             "Bildes ({spread}).",
    "nothing": "{what}: die Karte ist leer (kein Wert über null).",
    "even": "{what}: etwa gleichmäßig über das Bild verteilt (die Hälfte davon nimmt "
            "{share:.0f} % des Bildes ein).",
    "upper": "oben", "middle": "Mitte", "lower": "unten",
    "left": "links", "centre": "Mitte", "right": "rechts",
    "middle centre": "in der Mitte",
    "region": "{row} {column}",
    "very concentrated": "sehr konzentriert", "concentrated": "konzentriert",
    "spread": "verteilt",
    "strongest": "{what}: am stärksten sind {items} (von {shown} gezeigten).",
    "channel": "Kanal {index} (Mittel {value:.3g})",
    "filter": "Filter {index} (Aktivierung {value:.3g})",
    "kernel": "Kernel {index} (Kontrast {value:.2g})",
    "weight": "Kanal {index} (Gewicht {value:.3g})",
    "rising": "steigend", "falling": "fallend", "flat": "etwa flach",
    "curve": "{name}: von {start:.3g} bei {x0:.3g} bis {end:.3g} bei {x1:.3g}, {trend}; "
             "am höchsten {top:.3g} bei {x_top:.3g}.",
    "no curve": "{name}: keine Werte.",
    "change": "{what}: {changed:.1f} % der Pixel verändert, am meisten {region}; die größte "
              "Änderung beträgt {largest:.0f} von 255.",
    "unchanged": "{what}: kein Pixel verändert.",
    "ranking": "{what}, die größten zuerst: {items} (von {count}).",
    "steps": "{what}: von {start:.3g} bis {end:.3g}; die größten Schritte: {items}.",
})

Numbers = Sequence[float] | np.ndarray
"""Values of a curve or a ranking: a list or a 1-D array."""

TOP = 0.9
"""The largest changes: those above this quantile of the changed pixels (their top 10 %)."""


def region(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, ...], lang: str) -> str:
    """The ninth of the picture (upper/middle/lower × left/centre/right) that holds most of
    the points (row and column indices; the first such ninth on a tie). Not their average:
    points along two opposite edges do not make the centre."""
    height, width = shape[:2]
    row_third = np.minimum(2, (3 * np.asarray(rows, dtype=np.float64) / height).astype(int))
    column_third = np.minimum(2, (3 * np.asarray(columns, dtype=np.float64) / width).astype(int))
    most = int(np.bincount(3 * row_third + column_third, minlength=9).argmax())
    row = ("upper", "middle", "lower")[most // 3]
    column = ("left", "centre", "right")[most % 3]
    if (row, column) == ("middle", "centre"):
        return WORDS.text("middle centre", lang)
    return WORDS.text("region", lang, row=WORDS.text(row, lang),
                      column=WORDS.text(column, lang))


def half_of_it(values: np.ndarray) -> np.ndarray:
    """The pixels (a boolean mask) that hold half of the map's total, largest values first:
    few for a concentrated map, half of them for a flat one."""
    flat = values.ravel()
    order = np.argsort(-flat)  # which of equal values come first does not change the share
    held = int(np.searchsorted(np.cumsum(flat[order]), float(flat.sum()) / 2)) + 1
    mask = np.zeros(flat.size, dtype=bool)
    mask[order[:held]] = True
    return mask.reshape(values.shape)


def where(what: str, values: np.ndarray, lang: str) -> str:
    """Where a map (H, W; larger = more important; negative values count as zero) is
    strongest, and how concentrated it is: the share of the picture that holds half of it."""
    values = np.clip(np.asarray(values, dtype=np.float64), 0.0, None)
    if not values.any():
        return WORDS.text("nothing", lang, what=what)
    half = half_of_it(values)
    share = float(half.mean())
    if share >= 0.35:
        return WORDS.text("even", lang, what=what, share=100 * share)
    spread = "very concentrated" if share < 0.05 else "concentrated" if share < 0.15 \
        else "spread"
    rows, columns = np.nonzero(half)
    return WORDS.text("where", lang, what=what, region=region(rows, columns, values.shape, lang),
                      share=100 * share, spread=WORDS.text(spread, lang))


Item = Literal["channel", "filter", "kernel", "weight"]
"""What :func:`ranked` ranks (how it words each item)."""


def ranked(what: str, scores: Mapping[int, float], lang: str, *, item: Item = "channel",
           count: int = 3) -> str:
    """The ``count`` numbered items (channels, filters, kernels, channel weights) with the
    highest scores."""
    best = sorted(scores, key=lambda index: -scores[index])[:count]
    named = ", ".join(WORDS.text(item, lang, index=index, value=scores[index])
                      for index in best)
    return WORDS.text("strongest", lang, what=what, items=named, shown=len(scores))


def strongest(what: str, maps: np.ndarray, channels: Iterable[int], lang: str,
              count: int = 3) -> str:
    """Which of the shown channels of feature maps (C, H, W) have the largest mean."""
    return ranked(what, {int(c): float(maps[c].mean()) for c in channels}, lang, count=count)


def curve(name: str, x: ArrayLike, y: ArrayLike, lang: str) -> str:
    """How a curve runs: its start, end, trend and highest point (points without a value,
    NaN, left out)."""
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    known = np.isfinite(ys)
    if not known.any():
        return WORDS.text("no curve", lang, name=name)
    xs, ys = xs[known], ys[known]
    span = float(ys.max() - ys.min()) or 1.0
    rise = float(ys[-1] - ys[0]) / span
    trend = "rising" if rise > 0.1 else "falling" if rise < -0.1 else "flat"
    top = int(ys.argmax())
    return WORDS.text("curve", lang, name=name, start=ys[0], x0=xs[0], end=ys[-1], x1=xs[-1],
                      trend=WORDS.text(trend, lang), top=ys[top], x_top=xs[top])


def change(what: str, before: np.ndarray, after: np.ndarray, lang: str) -> str:
    """What changed between two pictures (H, W, 3) uint8 of the same size."""
    difference = np.abs(after.astype(np.int16) - before.astype(np.int16)).max(axis=2)
    changed = difference > 0
    if not changed.any():
        return WORDS.text("unchanged", lang, what=what)
    rows, columns = np.nonzero(difference >= np.quantile(difference[changed], TOP))
    return WORDS.text("change", lang, what=what, changed=100 * float(changed.mean()),
                      region=region(rows, columns, difference.shape, lang),
                      largest=float(difference.max()))


def ranking(what: str, names: Sequence[str], values: Numbers, lang: str,
            count: int = 3) -> str:
    """The ``count`` largest of named values (a bar chart, a ranking of features)."""
    order = np.argsort(-np.asarray(values, dtype=np.float64), kind="stable")[:count]
    items = ", ".join(f"{names[i]} ({float(values[i]):.3g})" for i in order)
    return WORDS.text("ranking", lang, what=what, items=items, count=len(names))


def steps(what: str, start: float, names: Sequence[str], values: Numbers, lang: str,
          count: int = 3) -> str:
    """How a total is built: from ``start`` by signed steps (a waterfall), the ``count``
    largest of them by size."""
    sizes = np.abs(np.asarray(values, dtype=np.float64))
    order = np.argsort(-sizes, kind="stable")[:count]
    items = ", ".join(f"{names[i]} {float(values[i]):+.3g}" for i in order)
    return WORDS.text("steps", lang, what=what, start=start, end=start + float(np.sum(values)),
                      items=items)
