"""Colour bars for the pictures the lab composes itself (strips and grids of maps): a vertical
bar drawn with matplotlib's object-oriented API, pasted to the right of the picture, with a short
label that says what the colour means in the page's language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from core.checks import read_only
from tabs.common.i18n import Texts

BAR_WIDTH = 92
"""Width in pixels of one bar with its tick labels and title."""
TOOLBAR_CLEARANCE = 30
"""Pixels left free above a bar."""
MIN_HEIGHT = 160
"""The shortest bar drawn (its title must fit along it)."""
DPI = 100
WORDS = Texts("colour_bar", en={
    "low": "low", "high": "high", "zero": "0",
    "relevance": "relevance (each map scaled on its own)",
    "activation": "activation",
    "activation.per_map": "activation (each map scaled on its own)",
}, de={
    "low": "niedrig", "high": "hoch", "zero": "0",
    "relevance": "Relevanz (jede Map für sich skaliert)",
    "activation": "Aktivierung",
    "activation.per_map": "Aktivierung (jede Map für sich skaliert)",
})
"""The words on the bars."""


@dataclass(frozen=True)
class Bar:
    """One colour bar: its map, the title along it and the words (or numbers) at its ticks,
    evenly spaced from the bottom (low) to the top (high)."""

    cmap: str
    title: str
    ticks: tuple[str, ...]


def scaled_bar(cmap: str, title: str, lang: str) -> Bar:
    """The bar of maps each scaled to its own range: "low" at the bottom, "high" on top."""
    return Bar(cmap, title, (WORDS.text("low", lang), WORDS.text("high", lang)))


def relevance_bar(cmap: str, lang: str) -> Bar:
    """The bar of relevance maps scaled each on its own (attribution, CLIP)."""
    return scaled_bar(cmap, WORDS.text("relevance", lang), lang)


def activation_bar(cmap: str, lang: str, shared: tuple[float, float] | None) -> Bar:
    """The bar of a grid of feature maps: their ``shared`` (low, high) range, or ``None`` when
    each map is scaled on its own."""
    if shared is None:
        return scaled_bar(cmap, WORDS.text("activation.per_map", lang), lang)
    return Bar(cmap, WORDS.text("activation", lang), (f"{shared[0]:.3g}", f"{shared[1]:.3g}"))


def signed_bar(cmap: str, title: str, span: str, lang: str) -> Bar:
    """The bar of a signed map drawn symmetric about zero: ``-span``, 0 and ``+span``."""
    return Bar(cmap, title, (f"−{span}", WORDS.text("zero", lang), f"+{span}"))


def with_colour_bars(picture: np.ndarray, bars: tuple[Bar, ...], *, top: int = 0) -> np.ndarray:
    """``picture`` (H, W, 3) uint8 with each bar to its right, spanning rows ``top`` to H; a
    picture too short for a legible bar is first padded with white below (its pixels keep their
    coordinates, so clicks on it still map to the same place)."""
    if picture.shape[0] - top < MIN_HEIGHT:
        padding = np.full((MIN_HEIGHT + top - picture.shape[0], *picture.shape[1:]), 255,
                          dtype=np.uint8)
        picture = np.concatenate([picture, padding])
    height = picture.shape[0]
    drawn = [colour_bar(bar, height - top) for bar in bars]
    white = np.full((top, BAR_WIDTH, 3), 255, dtype=np.uint8)
    return np.concatenate([picture, *(np.concatenate([white, d]) for d in drawn)], axis=1)


@lru_cache(maxsize=128)
def colour_bar(bar: Bar, height: int) -> np.ndarray:
    """The bar as an RGB uint8 picture (``height``, :data:`BAR_WIDTH`, 3), read-only (cached:
    the same bar is drawn for every request)."""
    figure = Figure(figsize=(BAR_WIDTH / DPI, height / DPI), dpi=DPI)
    # more room on top: the image toolbar of the page covers the picture's top-right corner
    bottom, top = min(8, height // 10) / height, min(TOOLBAR_CLEARANCE, height // 6) / height
    axes = figure.add_axes((0.08, bottom, 0.14, 1 - bottom - top))
    scale = ScalarMappable(norm=Normalize(0.0, 1.0), cmap=bar.cmap)
    colour_bar = figure.colorbar(scale, cax=axes)
    colour_bar.set_ticks([float(t) for t in np.linspace(0.0, 1.0, len(bar.ticks))],
                        labels=list(bar.ticks),
                         fontsize=7)
    colour_bar.set_label(bar.title, fontsize=7)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return read_only(np.asarray(canvas.buffer_rgba())[..., :3].copy())
