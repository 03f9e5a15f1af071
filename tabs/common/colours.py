"""The lab's colour choices, in one place so that every tab draws alike.

Maps: :data:`SEQUENTIAL` (viridis) for unsigned maps and :data:`DIVERGING` (``RdBu_r``, blue
below zero, red above, white at zero) for signed ones. Both have a lightness (CIELAB L*) that
changes monotonically from one end to the other (the diverging one on each side of zero), so
they read in grey and under colour blindness too; ``jet`` stays a choice in the Attribution tab
to show why it misleads (its lightness rises and falls again). Lines: the Okabe–Ito palette,
each series with its own marker and line style as well, so that a curve never depends on colour
alone to be told apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SEQUENTIAL = "viridis"
"""The default map for unsigned values (relevance, activation, probability)."""
DIVERGING = "RdBu_r"
"""The map for signed values, always drawn on a scale symmetric about zero."""
COLORMAPS = ("viridis", "cividis", "inferno", "hot", "gray", "jet")
"""The maps a student may choose; ``jet`` last, for comparison only."""

OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9",
             "bluish_green": "#009E73", "yellow": "#F0E442", "blue": "#0072B2",
             "vermillion": "#D55E00", "reddish_purple": "#CC79A7"}
"""Okabe & Ito's palette, chosen to stay apart under the common kinds of colour blindness."""

REFERENCE: dict[str, Any] = dict(color="#000000", linestyle="--", linewidth=1.4)
"""The style of a reference line (random order, a baseline): black and dashed, no marker."""

_SERIES = (("blue", "-", "o"), ("vermillion", "--", "s"), ("sky_blue", "-.", "^"),
           ("orange", ":", "D"), ("bluish_green", "-", "v"), ("reddish_purple", "--", "P"),
           ("yellow", "-.", "X"), ("sky_blue", ":", "*"))
"""Eight series (colour, line style, marker), no two alike; black is kept for references."""


def series_style(index: int, *, every: int | float | None = 0.1) -> dict[str, Any]:
    """Colour, line style and marker of the ``index``-th series of a plot (keyword arguments
    for ``Axes.plot``). ``every`` spaces the markers (matplotlib's ``markevery``: a share of
    the axis, a step, or ``None`` for every point)."""
    colour, linestyle, marker = _SERIES[index % len(_SERIES)]
    return dict(color=OKABE_ITO[colour], linestyle=linestyle, marker=marker, markersize=5,
                markevery=every, linewidth=1.8)


def series_styles(names: tuple[str, ...], *,
                  every: int | float | None = 0.1) -> Mapping[str, dict[str, Any]]:
    """A fixed style per name, in the order given (the same name keeps its style in every
    plot that uses the same tuple)."""
    return {name: series_style(i, every=every) for i, name in enumerate(names)}
