"""Maps as pictures, shared by the tabs that show attribution or relevance maps: each map scaled
to [0, 1] on its own, heatmaps, overlays, and labelled strips of panels (no pyplot)."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from core.checks import InputError
from tabs.common.colours import COLORMAPS, SEQUENTIAL
from tabs.common.render.colour_bar import Bar, with_colour_bars
from tabs.common.render.images import check_opacity, colorize, resize_map

CLIP_PERCENTILE = 99.5
TITLE_HEIGHT = 34
GAP = 6
# PIL's default font has no umlauts: titles drawn into pictures spell them out
_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                          "ß": "ss"})


def unit_scale(values: np.ndarray, *, clip_percentile: float = CLIP_PERCENTILE) -> np.ndarray:
    """Scale one map to [0, 1]: its minimum → 0, its ``clip_percentile`` percentile → 1.

    Clipping the top 0.5 % keeps one extreme pixel from making the rest of a saliency map black.
    A constant map becomes all zeros. Returns float32 of the same shape.
    """
    values = np.asarray(values, dtype=np.float32)
    low = float(values.min())
    high = float(np.percentile(values, clip_percentile))
    if high <= low:
        high = float(values.max())
    if high <= low:
        return np.zeros_like(values)
    return np.clip((values - low) / (high - low), 0.0, 1.0)


def heatmap(values: np.ndarray, *, cmap: str = SEQUENTIAL,
            size: tuple[int, int] | None = None) -> np.ndarray:
    """A map normalised on its own as an RGB uint8 picture, optionally resized to (H, W)."""
    unit = unit_scale(values)
    if size is not None and unit.shape != size:
        unit = resize_map(unit, size)
    return colorize(unit, low=0.0, high=1.0, cmap=_check_cmap(cmap))


def overlay_map(view: np.ndarray, values: np.ndarray, *, opacity: float = 0.5,
                cmap: str = SEQUENTIAL) -> np.ndarray:
    """Blend the normalised heatmap over ``view`` (H, W, 3) uint8.

    Each pixel's opacity is ``opacity`` × its normalised value, so unimportant regions keep
    the photo and the most important ones show the colour map at full ``opacity``.
    """
    check_opacity(opacity)
    _check_cmap(cmap)
    unit = unit_scale(values)
    if unit.shape != view.shape[:2]:
        unit = resize_map(unit, view.shape[:2])
    coloured = colorize(unit, low=0.0, high=1.0, cmap=cmap).astype(np.float32)
    alpha = (opacity * np.clip(unit, 0.0, 1.0))[..., None]
    blend = (1.0 - alpha) * view.astype(np.float32) + alpha * coloured
    return blend.round().clip(0, 255).astype(np.uint8)


def strip(panels: list[tuple[np.ndarray, str]], *, tile: int = 224) -> np.ndarray:
    """Pictures side by side, each scaled to ``tile``×``tile`` under a one- or two-line title."""
    if not panels:
        raise ValueError("Nothing to show.")
    width = len(panels) * tile + (len(panels) - 1) * GAP
    canvas = Image.new("RGB", (width, tile + TITLE_HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=12)
    for i, (picture, title) in enumerate(panels):
        x = i * (tile + GAP)
        image = Image.fromarray(picture).resize((tile, tile), Image.Resampling.BILINEAR)
        canvas.paste(image, (x, TITLE_HEIGHT))
        for line_no, line in enumerate(title.translate(_SPELLED).split("\n")[:2]):
            draw.text((x + 2, 2 + 15 * line_no), _fit(draw, line, font, tile - 4), fill=(0, 0, 0),
                      font=font)
    return np.asarray(canvas)


def barred_strip(panels: list[tuple[np.ndarray, str]], bars: tuple[Bar, ...], *,
                 tile: int = 224) -> np.ndarray:
    """:func:`strip` with colour bars to its right, level with the pictures under the titles."""
    return with_colour_bars(strip(panels, tile=tile), bars, top=TITLE_HEIGHT)


def stack(rows: list[np.ndarray]) -> np.ndarray:
    """Strips of equal width one under the other, with a white gap."""
    gap = np.full((GAP, rows[0].shape[1], 3), 255, dtype=np.uint8)
    parts = [part for row in rows for part in (row, gap)][:-1]
    return np.concatenate(parts, axis=0)


def _check_cmap(cmap: str) -> str:
    if cmap not in COLORMAPS:
        raise InputError(f"Unknown colour map '{cmap}'. Choose one of: {', '.join(COLORMAPS)}.",
                         f"Unbekannte Farbskala '{cmap}'. Wähle eine von: {', '.join(COLORMAPS)}.")
    return cmap


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"
