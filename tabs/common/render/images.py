"""Colour maps, feature-map grids and overlays, as uint8 RGB arrays (no pyplot)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from matplotlib import colormaps
from PIL import Image, ImageDraw, ImageFont

from core.checks import check_number
from tabs.common.colours import SEQUENTIAL

ColourScale = Literal["shared", "per map"]
MIN_TILE = 96
MAX_GRID_SIDE = 2400
MARGIN = 4


def colorize(values: np.ndarray, *, low: float, high: float, cmap: str = SEQUENTIAL) -> np.ndarray:
    """Map a 2-D float array to RGB uint8 ``(H, W, 3)`` with ``low``→ first colour, ``high``→
    last."""
    span = high - low
    scaled = (values - low) / span if span > 0 else np.zeros_like(values, dtype=np.float64)
    rgba = colormaps[cmap](np.clip(scaled, 0.0, 1.0))
    return (rgba[..., :3] * 255).round().astype(np.uint8)


def resize_map(values: np.ndarray, size: tuple[int, int], *, smooth: bool = True) -> np.ndarray:
    """Resize a 2-D float map to ``size`` = (height, width): bilinear, or nearest for crisp
    tiles."""
    image = Image.fromarray(values.astype(np.float32))  # float32: Pillow's mode "F"
    resample = Image.Resampling.BILINEAR if smooth else Image.Resampling.NEAREST
    return np.asarray(image.resize((size[1], size[0]), resample), dtype=np.float32)


def overlay(view: np.ndarray, values: np.ndarray, *, opacity: float = 0.5, cmap: str = SEQUENTIAL,
            low: float | None = None, high: float | None = None) -> np.ndarray:
    """Blend a heat map (any resolution) over ``view`` (H, W, 3) uint8; returns the same shape."""
    check_opacity(opacity)
    heat = resize_map(values, view.shape[:2])
    coloured = colorize(heat, low=float(heat.min()) if low is None else low,
                        high=float(heat.max()) if high is None else high, cmap=cmap)
    blend = (1.0 - opacity) * view.astype(np.float32) + opacity * coloured.astype(np.float32)
    return blend.round().clip(0, 255).astype(np.uint8)


def check_opacity(opacity: object) -> float:
    """``opacity`` as a float in [0, 1]; an ``InputError`` with a sentence otherwise."""
    return check_number(("Opacity", "Die Deckkraft"), opacity, 0.0, 1.0)


@dataclass(frozen=True)
class GridLayout:
    """Where each channel sits in a grid image: tile size, columns and channel order."""

    channels: tuple[int, ...]
    columns: int
    tile: int
    margin: int = MARGIN

    def channel_at(self, x: int, y: int) -> int | None:
        """The channel whose tile contains pixel (x, y), or ``None`` for a margin or empty cell."""
        step = self.tile + self.margin
        column, row = x // step, y // step
        if x % step >= self.tile or y % step >= self.tile or column >= self.columns:
            return None
        position = row * self.columns + column
        return self.channels[position] if position < len(self.channels) else None


def tile_grid(tiles: Sequence[np.ndarray | None], *, columns: int, margin: int = MARGIN,
              background: int = 255, pending: tuple[int, int, int] = (48, 48, 48),
              labels: Sequence[str] | None = None, font_size: int = 12) -> np.ndarray:
    """Square RGB uint8 tiles ``(t, t, 3)`` in rows of ``columns`` with ``margin`` px between them.

    The one grid builder of the lab (feature maps, ascent tiles, kernels). A ``None`` tile (not
    computed yet) is filled with ``pending``; the gaps with ``background``. ``labels`` are
    written white on black in each tile's top-left corner (left out for tiles under 24 px).
    Returns ``(rows·(t+margin)−margin, columns·(t+margin)−margin, 3)`` uint8.
    """
    size = next(t for t in tiles if t is not None).shape[0]
    rows = math.ceil(len(tiles) / columns)
    step = size + margin
    grid = np.full((rows * step - margin, columns * step - margin, 3), background, np.uint8)
    for position, tile in enumerate(tiles):
        row, column = divmod(position, columns)
        grid[row * step: row * step + size, column * step: column * step + size] = (
            pending if tile is None else tile)
    if labels is not None and size >= 24:
        _label_tiles(grid, labels, columns, size, margin, font_size)
    return grid


def _label_tiles(grid: np.ndarray, labels: Sequence[str], columns: int, size: int, margin: int,
                 font_size: int) -> None:
    """Write each label in its tile's top-left corner (white on a black box inside the tile)."""
    image = Image.fromarray(grid)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=font_size)
    step = size + margin
    for position, text in enumerate(labels):
        row, column = divmod(position, columns)
        x, y = column * step + 2, row * step + 1
        box = draw.textbbox((x, y), text, font=font)
        draw.rectangle((box[0] - 2, box[1] - 1, min(box[2] + 2, column * step + size - 1),
                        box[3] + 1), fill=(0, 0, 0))
        draw.text((x, y), text, fill=(255, 255, 255), font=font)
    grid[:] = np.asarray(image)


def feature_grid(maps: np.ndarray, channels: np.ndarray, *, scale: ColourScale = "shared",
                 cmap: str = SEQUENTIAL) -> tuple[np.ndarray, GridLayout]:
    """Tile the chosen channels of ``maps`` (C, H, W) into one labelled RGB image.

    Each tile carries its channel index. ``shared`` colours all tiles on one scale (compare
    strengths); ``per map`` stretches each tile to its own range (see patterns in weak maps).
    Returns the grid (uint8) and its :class:`GridLayout` for mapping clicks back to channels.
    """
    columns = math.ceil(math.sqrt(len(channels)))
    height = maps.shape[1]
    tile = max(height, MIN_TILE) if height >= MIN_TILE else height * math.ceil(MIN_TILE / height)
    tile = min(tile, max(8, (MAX_GRID_SIDE - (columns - 1) * MARGIN) // columns))
    chosen = maps[channels]
    low, high = float(chosen.min()), float(chosen.max())
    tiles = []
    for channel in channels:
        values = maps[channel]
        if scale == "per map":
            low, high = float(values.min()), float(values.max())
        tiles.append(colorize(resize_map(values, (tile, tile), smooth=False), low=low, high=high,
                              cmap=cmap))
    grid = tile_grid(tiles, columns=columns, labels=[str(int(c)) for c in channels],
                     font_size=max(9, min(14, tile // 5)))
    return grid, GridLayout(channels=tuple(int(c) for c in channels), columns=columns, tile=tile)
