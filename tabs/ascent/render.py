"""Pictures for the Filter ascent tab: the seed's 8×8 grid, loss curves, kernels (no pyplot)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from tabs.common.colours import series_style
from tabs.common.i18n import Language, Texts, in_language
from tabs.common.render.images import GridLayout, tile_grid

SEED_MARGIN = 5  # the seed's margin between tiles
COLUMNS = 8
PENDING = (48, 48, 48)
MAX_NAMED = 8  # up to this many filters, each curve has its own style and legend entry

WORDS = Texts("ascent_pictures",
              en={"mean": "mean", "step": "step", "activation": "mean activation of the filter"},
              de={"mean": "Mittel", "step": "Schritt",
                  "activation": "mittlere Aktivierung des Filters"})


def ascent_grid(tiles: Sequence[np.ndarray | None], filters: Sequence[int],
                activations: Sequence[float | None] | None = None, *, columns: int = COLUMNS,
                margin: int = SEED_MARGIN, labels: bool = True) -> tuple[np.ndarray, GridLayout]:
    """Stitch tiles ``(h, w, 3)`` uint8 into the seed's grid: ``columns`` per row, ``margin`` px of
    black between them. A ``None`` tile (not computed yet) is drawn dark grey. Each tile is
    labelled with its filter index and final activation. Returns the grid and its layout.
    """
    if len(tiles) != len(filters) or not filters:
        raise ValueError("Need one tile per filter.")
    sample = next((t for t in tiles if t is not None), None)
    if sample is None:
        raise ValueError("At least one tile must be ready.")
    size = sample.shape[0]
    columns = max(1, min(columns, len(filters)))
    texts = None
    if labels:
        values = activations if activations is not None else [None] * len(filters)
        texts = [f"#{int(f)}" + ("" if v is None else f" {float(v):.3g}")
                 for f, v in zip(filters, values)]
    grid = tile_grid(tiles, columns=columns, margin=margin, background=0, pending=PENDING,
                     labels=texts, font_size=max(9, min(14, size // 9)))
    layout = GridLayout(channels=tuple(int(f) for f in filters), columns=columns, tile=size,
                        margin=margin)
    return grid, layout


def enlarge(tile: np.ndarray, *, size: int = 448) -> np.ndarray:
    """A tile scaled up (nearest neighbour, to keep the pixels honest) to about ``size`` px."""
    factor = max(1, size // tile.shape[0])
    return np.repeat(np.repeat(tile, factor, axis=0), factor, axis=1)


def side_by_side(images: Sequence[np.ndarray], *, gap: int = 8) -> np.ndarray:
    """Images of equal height next to each other with a white gap."""
    height = max(i.shape[0] for i in images)
    parts = []
    for position, image in enumerate(images):
        if position:
            parts.append(np.full((height, gap, 3), 255, np.uint8))
        pad = np.full((height, image.shape[1], 3), 255, np.uint8)
        pad[: image.shape[0]] = image
        parts.append(pad)
    return np.concatenate(parts, axis=1)


def loss_figure(losses: np.ndarray, filters: Sequence[int], *, title: str = "",
                lang: Language = "en") -> Figure:
    """Mean activation of each filter over the steps (thin lines) and their mean (bold)."""
    text = in_language(WORDS.words, lang)
    fig = Figure(figsize=(6.4, 3.4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    steps = np.arange(losses.shape[1])
    few = len(filters) <= MAX_NAMED
    for position, (index, curve) in enumerate(zip(filters, losses)):
        style: dict[str, Any] = {**series_style(position), "linewidth": 1.0} if few else \
            dict(color="0.45", linewidth=0.8, alpha=0.45)
        ax.plot(steps, curve, **style, label=f"#{index}" if few else None)
    ax.plot(steps, losses.mean(axis=0), color="black", linewidth=2.2, label=text["mean"])
    ax.set_xlabel(text["step"])
    ax.set_ylabel(text["activation"])
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=3)
    return fig


def kernel_grid(kernels: np.ndarray, *, scale: int = 10, margin: int = 2) -> np.ndarray:
    """Kernels ``(C, k, k, 3)`` in [0, 1] as RGB patches, ``scale``× enlarged, in a square grid."""
    tiles = [np.repeat(np.repeat((k * 255).round().astype(np.uint8), scale, 0), scale, 1)
             for k in kernels]
    return tile_grid(tiles, columns=math.ceil(math.sqrt(len(tiles))), margin=margin)
