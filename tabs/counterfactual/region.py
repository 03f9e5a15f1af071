"""The region method 1 may change, given by numbers: the keyboard's alternative to painting.

A rectangle (in percent of the start image) becomes the region editor's painting: one layer
of the brush's colour, so that the student sees it, can paint on, and the run reads it the
way it reads a painting (:func:`tabs.counterfactual.start.painted_mask`, then core's
``model_mask``). The same mask, through the same path.

Gradio 6.31's editor draws a layer set this way once more, shifted and cut off below the
picture (worth reporting upstream); what it sends back is the rectangle alone (a 5 % rectangle
arrives as 5 %, checked in the browser).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from core.counterfactual import rectangle_mask
from tabs.common.view import Call, View
from tabs.counterfactual.settings import EXAMPLE
from tabs.counterfactual.texts import T

BRUSH = (255, 60, 60, 179)
"""The region editor's brush as RGBA bytes (0.7 opaque)."""
BRUSH_CSS = f"rgba({BRUSH[0]}, {BRUSH[1]}, {BRUSH[2]}, 0.7)"
"""The same brush as the editor takes it."""


@dataclass(frozen=True)
class RectangleSettings:
    """The start image and a rectangle on it, in percent of the image."""

    example: str = EXAMPLE
    upload: str | None = None
    left: float = 25
    top: float = 25
    width: float = 50
    height: float = 50


def painting(image: np.ndarray, mask: np.ndarray) -> dict[str, Any]:
    """The region editor's value for ``mask`` (H, W) on ``image`` (H, W, 3): the image as
    background, one layer painted with the brush where the mask is, their composite."""
    layer = np.zeros((*mask.shape, 4), dtype=np.uint8)
    layer[mask] = BRUSH
    alpha = layer[..., 3:] / 255.0
    composite = (image[..., :3] * (1 - alpha) + layer[..., :3] * alpha).round().astype(np.uint8)
    return {"background": image, "layers": [layer], "composite": composite}


def mark_rectangle(call: Call[RectangleSettings]) -> tuple[dict[str, Any], bool, str]:
    """The rectangle as the editor's painting, the region switched on, and a sentence saying
    which pixels were marked. Core refuses a rectangle that does not fit."""
    s = call.settings
    image = call.ctx.examples.resolve(s.example, s.upload)
    mask = rectangle_mask(image.shape, left=s.left, top=s.top, width=s.width, height=s.height)
    rows, columns = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    sentence = call.text("rect.marked", width=len(columns), height=len(rows),
                         share=100 * mask.mean(), left=columns[0], top=rows[0])
    return painting(image, mask), True, sentence


RECTANGLE = View("counterfactual_rectangle", RectangleSettings, mark_rectangle, T, public=False)
