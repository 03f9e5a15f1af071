"""Colour maps, feature-map grids and overlays, as uint8 RGB arrays (no pyplot)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from matplotlib import colormaps
from PIL import Image, ImageDraw, ImageFont

ColourScale = Literal["shared", "per map"]
MIN_TILE = 96
MAX_GRID_SIDE = 2400
MARGIN = 4


def colorize(values: np.ndarray, *, low: float, high: float, cmap: str = "viridis") -> np.ndarray:
    """Map a 2-D float array to RGB uint8 ``(H, W, 3)`` with ``low``→ first colour, ``high``→ last."""
    span = high - low
    scaled = (values - low) / span if span > 0 else np.zeros_like(values, dtype=np.float64)
    rgba = colormaps[cmap](np.clip(scaled, 0.0, 1.0))
    return (rgba[..., :3] * 255).round().astype(np.uint8)


def resize_map(values: np.ndarray, size: tuple[int, int], *, smooth: bool = True) -> np.ndarray:
    """Resize a 2-D float map to ``size`` = (height, width): bilinear, or nearest for crisp tiles."""
    image = Image.fromarray(values.astype(np.float32), mode="F")
    resample = Image.BILINEAR if smooth else Image.NEAREST
    return np.asarray(image.resize((size[1], size[0]), resample), dtype=np.float32)


def overlay(view: np.ndarray, values: np.ndarray, *, opacity: float = 0.5, cmap: str = "jet",
            low: float | None = None, high: float | None = None) -> np.ndarray:
    """Blend a heat map (any resolution) over ``view`` (H, W, 3) uint8; returns the same shape."""
    heat = resize_map(values, view.shape[:2])
    coloured = colorize(heat, low=float(heat.min()) if low is None else low,
                        high=float(heat.max()) if high is None else high, cmap=cmap)
    blend = (1.0 - opacity) * view.astype(np.float32) + opacity * coloured.astype(np.float32)
    return blend.round().clip(0, 255).astype(np.uint8)


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


def feature_grid(maps: np.ndarray, channels: np.ndarray, *, scale: ColourScale = "shared",
                 cmap: str = "viridis") -> tuple[np.ndarray, GridLayout]:
    """Tile the chosen channels of ``maps`` (C, H, W) into one labelled RGB image.

    Each tile carries its channel index. ``shared`` colours all tiles on one scale (compare
    strengths); ``per map`` stretches each tile to its own range (see patterns in weak maps).
    Returns the grid (uint8) and its :class:`GridLayout` for mapping clicks back to channels.
    """
    count = len(channels)
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    height = maps.shape[1]
    tile = max(height, MIN_TILE) if height >= MIN_TILE else height * math.ceil(MIN_TILE / height)
    tile = min(tile, max(8, (MAX_GRID_SIDE - (columns - 1) * MARGIN) // columns))
    chosen = maps[channels]
    low, high = float(chosen.min()), float(chosen.max())
    step = tile + MARGIN
    grid = np.full((rows * step - MARGIN, columns * step - MARGIN, 3), 255, dtype=np.uint8)
    for position, channel in enumerate(channels):
        values = maps[channel]
        if scale == "per map":
            low, high = float(values.min()), float(values.max())
        row, column = divmod(position, columns)
        tile_image = colorize(resize_map(values, (tile, tile), smooth=False), low=low, high=high,
                              cmap=cmap)
        grid[row * step: row * step + tile, column * step: column * step + tile] = tile_image
    _label_tiles(grid, channels, columns, tile)
    return grid, GridLayout(channels=tuple(int(c) for c in channels), columns=columns, tile=tile)


def _label_tiles(grid: np.ndarray, channels: np.ndarray, columns: int, tile: int) -> None:
    """Write each tile's channel index in its top-left corner (white on a dark box)."""
    if tile < 24:
        return
    image = Image.fromarray(grid)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(9, min(14, tile // 5)))
    step = tile + MARGIN
    for position, channel in enumerate(channels):
        row, column = divmod(position, columns)
        x, y = column * step, row * step
        box = draw.textbbox((x + 2, y + 1), str(int(channel)), font=font)
        draw.rectangle((box[0] - 2, box[1] - 1, box[2] + 2, box[3] + 1), fill=(0, 0, 0))
        draw.text((x + 2, y + 1), str(int(channel)), fill=(255, 255, 255), font=font)
    grid[:] = np.asarray(image)
