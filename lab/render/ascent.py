"""Pictures for the Filter ascent tab: the seed's 8×8 grid, loss curves, kernels (no pyplot)."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from PIL import Image, ImageDraw, ImageFont

from lab.render.images import GridLayout

SEED_MARGIN = 5  # the seed's margin between tiles
COLUMNS = 8
PENDING = (48, 48, 48)


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
    rows = math.ceil(len(filters) / columns)
    step = size + margin
    grid = np.zeros((rows * step - margin, columns * step - margin, 3), dtype=np.uint8)
    for position, tile in enumerate(tiles):
        row, column = divmod(position, columns)
        cell = grid[row * step: row * step + size, column * step: column * step + size]
        cell[:] = PENDING if tile is None else tile
    if labels and size >= 24:
        values = activations if activations is not None else [None] * len(filters)
        _label(grid, filters, values, columns, size, margin)
    layout = GridLayout(channels=tuple(int(f) for f in filters), columns=columns, tile=size,
                        margin=margin)
    return grid, layout


def _label(grid: np.ndarray, filters, values, columns: int, size: int, margin: int) -> None:
    image = Image.fromarray(grid)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(9, min(14, size // 9)))
    step = size + margin
    for position, (index, value) in enumerate(zip(filters, values)):
        row, column = divmod(position, columns)
        text = f"#{int(index)}" + ("" if value is None else f" {float(value):.3g}")
        x, y = column * step + 2, row * step + 1
        box = draw.textbbox((x, y), text, font=font)
        draw.rectangle((box[0] - 2, box[1] - 1, min(box[2] + 2, column * step + size - 1),
                        box[3] + 1), fill=(0, 0, 0))
        draw.text((x, y), text, fill=(255, 255, 255), font=font)
    grid[:] = np.asarray(image)


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


def loss_figure(losses: np.ndarray, filters: Sequence[int], *, title: str = "") -> Figure:
    """Mean activation of each filter over the steps (thin lines) and their mean (bold)."""
    fig = Figure(figsize=(6.4, 3.4), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    steps = np.arange(losses.shape[1])
    for index, curve in zip(filters, losses):
        ax.plot(steps, curve, linewidth=0.8, alpha=0.45 if len(filters) > 8 else 0.9,
                label=f"#{index}" if len(filters) <= 8 else None)
    ax.plot(steps, losses.mean(axis=0), color="black", linewidth=2.2, label="mean")
    ax.set_xlabel("step")
    ax.set_ylabel("mean activation of the filter")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=3)
    return fig


def kernel_grid(kernels: np.ndarray, *, scale: int = 10, margin: int = 2) -> np.ndarray:
    """Kernels ``(C, k, k, 3)`` in [0, 1] as RGB patches, ``scale``× enlarged, in a square grid."""
    tiles = [np.repeat(np.repeat((k * 255).round().astype(np.uint8), scale, 0), scale, 1)
             for k in kernels]
    count = len(tiles)
    columns = math.ceil(math.sqrt(count))
    size = tiles[0].shape[0]
    step = size + margin
    rows = math.ceil(count / columns)
    grid = np.full((rows * step - margin, columns * step - margin, 3), 255, np.uint8)
    for position, tile in enumerate(tiles):
        row, column = divmod(position, columns)
        grid[row * step: row * step + size, column * step: column * step + size] = tile
    return grid
