"""A region given by numbers instead of a brush: the keyboard's way to say which pixels a
counterfactual may change (painting needs a mouse or a finger).

Written by hand: a rectangle of an array is one slice; what needs care is turning percentages
into whole pixels and refusing, in both languages, a rectangle that does not fit the image.
"""

from __future__ import annotations

import numpy as np

from core.checks import InputError, Words, check_number

_EDGES: dict[str, tuple[str, str]] = {
    "left": ("The left edge", "Der linke Rand"),
    "top": ("The top edge", "Der obere Rand"),
    "width": ("The width", "Die Breite"),
    "height": ("The height", "Die Höhe"),
}
_PERCENT: Words = (" (percent of the image)", " (Prozent des Bildes)")


def _pixels(start: float, size: float, length: int) -> slice:
    """Percent ``start`` and ``size`` of ``length`` pixels as a slice of at least one pixel."""
    first = min(int(round(start / 100 * length)), length - 1)
    last = int(round((start + size) / 100 * length))
    return slice(first, max(last, first + 1))


def rectangle_mask(shape: tuple[int, ...], *, left: object, top: object, width: object,
                   height: object) -> np.ndarray:
    """A rectangle given in percent of the image (left and top edge, width and height) as an
    (H, W) bool mask of an image of ``shape`` (H, W[, C]), like a painted region.

    Edges are rounded to the nearest pixel; a rectangle keeps at least one pixel. Raises
    :class:`InputError` for a value that is not a number from 0 to 100, an empty width or
    height, and a rectangle that reaches past the image's right or bottom edge.
    """
    values = {name: check_number(words, value, 0.0, 100.0, _PERCENT)
              for (name, words), value in zip(_EDGES.items(), (left, top, width, height))}
    for name in ("width", "height"):
        if values[name] == 0:
            en, de = _EDGES[name]
            raise InputError(f"{en} of the rectangle is 0 %; it must be more than 0 %.",
                             f"{de} des Rechtecks ist 0 %; sie muss mehr als 0 % sein.")
    for start, size, edge in (("left", "width", ("right", "rechten")),
                              ("top", "height", ("bottom", "unteren"))):
        if values[start] + values[size] > 100 + 1e-9:  # 33.3 + 66.7 fits
            (start_en, start_de), (size_en, size_de) = (
                tuple(words[0].lower() + words[1:] for words in _EDGES[name])
                for name in (start, size))
            raise InputError(
                f"The rectangle reaches past the image's {edge[0]} edge: {start_en} "
                f"({values[start]:g} %) plus {size_en} ({values[size]:g} %) is more "
                "than 100 %.",
                f"Das Rechteck ragt über den {edge[1]} Bildrand hinaus: {start_de} "
                f"({values[start]:g} %) plus {size_de} ({values[size]:g} %) ist mehr "
                "als 100 %.")
    image_height, image_width = shape[:2]
    mask = np.zeros((image_height, image_width), dtype=bool)
    mask[_pixels(values["top"], values["height"], image_height),
         _pixels(values["left"], values["width"], image_width)] = True
    return mask
