"""What the ascent hands back: chunks as batches finish, and the assembled result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core.ascent.params import AscentMode, AscentParams


class AscentCancelled(Exception):
    """Raised inside the optimisation loop when ``should_stop()`` became true."""


@dataclass(frozen=True)
class AscentChunk:
    """Results for some filters, as they finish. Shapes: ``images`` (n, V, h, w, 3) uint8,
    ``initial``/``final`` (n,) float32 mean activation before/after, ``losses`` (n, steps)."""

    filters: tuple[int, ...]
    images: np.ndarray
    initial: np.ndarray
    final: np.ndarray
    losses: np.ndarray


@dataclass(frozen=True)
class AscentResult:
    """The visualized filters of one layer.

    ``images``: (N, V, h, w, 3) uint8 (V variants per filter; 1 unless diversity is used);
    ``initial`` / ``final``: (N,) float32 mean activation of the filter (border excluded) on the
    starting and the final image; ``losses``: (N, steps) float32, the objective at each step.
    """

    model: str
    layer: str
    mode: AscentMode
    params: AscentParams
    seed: int
    filters: tuple[int, ...]
    images: np.ndarray
    initial: np.ndarray
    final: np.ndarray
    losses: np.ndarray

    @property
    def first(self) -> np.ndarray:
        """One image per filter, ``(N, h, w, 3)`` uint8."""
        return self.images[:, 0]


def stop_check(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        raise AscentCancelled("Stopped.")


def to_uint8(images: torch.Tensor, crop: int) -> np.ndarray:
    """[0, 1] images ``(B, 3, H, W)`` → cropped ``(B, h, w, 3)`` uint8."""
    if crop:
        images = images[:, :, crop:-crop, crop:-crop]
    return (images.clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
