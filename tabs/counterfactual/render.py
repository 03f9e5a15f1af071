"""Counterfactuals as pictures: original, counterfactual and their difference side by side, the
swapped cells of the region swap, the trade-off plot (object-oriented matplotlib, no pyplot)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from PIL import Image, ImageDraw, ImageFont

from core.counterfactual.targets import reaches
from tabs.common.colours import DIVERGING, OKABE_ITO, REFERENCE, SEQUENTIAL
from tabs.common.i18n import Language, Texts
from tabs.common.render.colour_bar import relevance_bar, signed_bar
from tabs.common.render.images import colorize
from tabs.common.render.maps import barred_strip, overlay_map

AMPLIFY = 10
"""The change is shown as 0.5 + 10 × change: grey where nothing changed."""
SWAP_COLOURS = ((230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
                (145, 30, 180), (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212))
PICTURES = Texts("counterfactual_pictures", en={
    # the titles drawn into pictures stay ASCII: the default bitmap font has no umlauts, − or ×
    "original": "original", "region": " (region bright)", "counterfactual": "counterfactual",
    "difference": "difference (mean of R, G, B)\nred +{span:.0f}, blue -{span:.0f} levels",
    "change": "change x {factor}\ngrey = unchanged",
    "threshold": "stop threshold {threshold:g}",
    "distance": "distance to the original (L2, root mean square, 0–255 grey levels)",
    "tradeoff": "Trade-off: a larger proximity weight λ keeps the image closer",
    "cells": "cells swapped",
    "bar.difference": "change in grey levels (mean of R, G, B)",
    "reached": "reaches the target", "missed": "misses the target",
}, de={
    "original": "Original", "region": " (Region hell)", "counterfactual": "Counterfactual",
    "difference": "Differenz (Mittel aus R, G, B)\nrot +{span:.0f}, blau -{span:.0f} Stufen",
    "change": "Abweichung x {factor}\ngrau = gleich geblieben",
    "threshold": "Stoppschwelle {threshold:g}",
    "distance": "Abstand zum Original (L2, quadratisches Mittel, 0–255 Graustufen)",
    "tradeoff": "Trade-off: Ein größeres Nähe-Gewicht λ hält das Bild näher am Original",
    "cells": "getauschte Zellen",
    "bar.difference": "Änderung in Graustufen (Mittel aus R, G, B)",
    "reached": "erreicht das Ziel", "missed": "verfehlt das Ziel",
})
"""The words of the pictures and figures."""


def signed_difference(view: np.ndarray, image: np.ndarray) -> tuple[np.ndarray, float]:
    """The change averaged over the colour channels as a heat map (red brighter, blue darker),
    stretched so that its largest absolute value is a full colour; returns it with that value
    in grey levels (0–255)."""
    change = image.astype(np.float32).mean(axis=2) - view.astype(np.float32).mean(axis=2)
    span = max(float(np.abs(change).max()), 1.0)
    return colorize(change, low=-span, high=span, cmap=DIVERGING), span


def amplified_change(view: np.ndarray, image: np.ndarray, factor: float = AMPLIFY) -> np.ndarray:
    """The change per colour channel as a picture: 128 + ``factor`` × change (grey = unchanged)."""
    change = image.astype(np.float32) - view.astype(np.float32)
    return np.clip(128 + factor * change, 0, 255).round().astype(np.uint8)


def comparison(view: np.ndarray, image: np.ndarray, *, before: str, after: str,
               mask: np.ndarray | None = None, lang: Language) -> np.ndarray:
    """Original (dimmed outside ``mask``), counterfactual, signed difference and amplified
    change in one strip, titled in ``lang``."""
    def word(key: str, **values: object) -> str:
        return PICTURES.text(key, lang, **values)

    heat, span = signed_difference(view, image)
    region = "" if mask is None else word("region")
    return barred_strip([(with_mask(view, mask), f"{word('original')}{region}\n{before}"),
                         (image, f"{word('counterfactual')}\n{after}"),
                         (heat, word("difference", span=span)),
                         (amplified_change(view, image), word("change", factor=AMPLIFY))],
                        (signed_bar(DIVERGING, word("bar.difference"), f"{span:.0f}", lang),))


def with_mask(view: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """``view`` with the pixels outside ``mask`` dimmed (the region that may change stays
    bright)."""
    if mask is None:
        return view
    dimmed = view.astype(np.float32)
    dimmed[~mask] = dimmed[~mask] * 0.35
    return dimmed.round().astype(np.uint8)


def gradcam_pair(image: np.ndarray, maps: Sequence[tuple[np.ndarray, str]], *,
                 lang: Language) -> np.ndarray:
    """Grad-CAM maps over the counterfactual, one panel per (map, title)."""
    return barred_strip([(image, PICTURES.text("counterfactual", lang))]
                        + [(overlay_map(image, values, opacity=0.6), title)
                           for values, title in maps], (relevance_bar(SEQUENTIAL, lang),))


def _cell_box(cell: int, grid: tuple[int, int], size: int,
              offset: int) -> tuple[int, int, int, int]:
    row, column = divmod(int(cell), grid[1])
    height, width = size / grid[0], size / grid[1]
    return (offset + round(column * width), round(row * height),
            offset + round((column + 1) * width) - 1, round((row + 1) * height) - 1)


def swap_picture(view: np.ndarray, dog_view: np.ndarray, swaps: Sequence[tuple[int, int]],
                 grid: tuple[int, int], *, size: int = 336, gap: int = 12) -> np.ndarray:
    """The start image (left) and the dog image (right) with the feature grid drawn faintly and
    every swapped pair outlined in one colour and numbered in the order it was found."""
    canvas = Image.new("RGB", (2 * size + gap, size), (255, 255, 255))
    for offset, picture in ((0, view), (size + gap, dog_view)):
        resized = Image.fromarray(picture).resize((size, size), Image.Resampling.BILINEAR)
        canvas.paste(resized, (offset, 0))
    draw = ImageDraw.Draw(canvas, "RGBA")
    for offset in (0, size + gap):
        for r in range(1, grid[0]):
            y = round(r * size / grid[0])
            draw.line([(offset, y), (offset + size, y)], fill=(255, 255, 255, 90))
        for c in range(1, grid[1]):
            x = offset + round(c * size / grid[1])
            draw.line([(x, 0), (x, size)], fill=(255, 255, 255, 90))
    font = ImageFont.load_default(size=max(10, min(18, size // grid[0] // 2)))
    for number, (cat_cell, dog_cell) in enumerate(swaps, start=1):
        colour = SWAP_COLOURS[(number - 1) % len(SWAP_COLOURS)]
        for cell, offset in ((cat_cell, 0), (dog_cell, size + gap)):
            box = _cell_box(cell, grid, size, offset)
            draw.rectangle(box, outline=colour + (255,), width=3)
            draw.rectangle((box[0] + 3, box[1] + 3, box[0] + 3 + 8 * len(str(number)) + 4,
                            box[1] + 3 + 16), fill=(0, 0, 0, 170))
            draw.text((box[0] + 5, box[1] + 3), str(number), fill=colour + (255,), font=font)
    return np.asarray(canvas)


def tradeoff_figure(distances: Sequence[float], probabilities: Sequence[float],
                    weights: Sequence[float], *, threshold: float, target: str,
                    lang: Language) -> Figure:
    """Distance to the original (x) against the target probability (y), one point per weight."""
    figure = Figure(figsize=(6.4, 3.4), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.plot(distances, probabilities, color="#9aa5b1", linewidth=1, zorder=1)
    reached = np.array([reaches(p, threshold) for p in probabilities], dtype=bool)
    xs, ys = np.asarray(distances, dtype=float), np.asarray(probabilities, dtype=float)
    for hit, colour, marker, key in ((True, OKABE_ITO["vermillion"], "o", "reached"),
                                     (False, OKABE_ITO["blue"], "X", "missed")):
        if (reached == hit).any():
            axes.scatter(xs[reached == hit], ys[reached == hit], color=colour, marker=marker,
                         s=60, zorder=2, edgecolors="black", label=PICTURES.text(key, lang))
    for x, y, weight in zip(distances, probabilities, weights):
        axes.annotate(f"λ = {weight:g}", (x, y), textcoords="offset points", xytext=(6, 6),
                      fontsize=9)
    axes.axhline(threshold, **REFERENCE,
                 label=PICTURES.text("threshold", lang, threshold=threshold))
    axes.set_xlabel(PICTURES.text("distance", lang))
    axes.set_ylabel(f"p({target})")
    axes.set_ylim(0, 1.05)
    axes.margins(x=0.15)
    axes.set_xlim(left=0)
    axes.legend(loc="upper left", fontsize=8)
    axes.set_title(PICTURES.text("tradeoff", lang), fontsize=10)
    return figure


def swap_curve(probabilities: Sequence[float], *, threshold: float, target: str,
               lang: Language) -> Figure:
    """The target probability before and after each swapped cell."""
    figure = Figure(figsize=(6.4, 2.6), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    axes.plot(range(len(probabilities)), probabilities, marker="o", color=OKABE_ITO["blue"])
    axes.axhline(threshold, **REFERENCE,
                 label=PICTURES.text("threshold", lang, threshold=threshold))
    axes.set_xlabel(PICTURES.text("cells", lang))
    axes.set_ylabel(f"p({target})")
    axes.set_ylim(0, 1.05)
    axes.legend(loc="upper left", fontsize=8)
    return figure
