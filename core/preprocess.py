"""From an RGB image to the tensor a model expects, and back to what the model saw."""

from __future__ import annotations

import hashlib

import numpy as np
import torch
from PIL import Image

from core.models.registry import ModelSpec


def model_view(image: np.ndarray, size: int) -> np.ndarray:
    """The whole image resized (bicubic) to ``(size, size, 3)`` uint8: what the model sees.

    We resize instead of the notebook's centre crop so that nothing at the borders (the cat
    in ``both.png``) is cut away and heatmaps cover the full picture.
    """
    if image.shape[:2] == (size, size):
        return image.copy()
    return np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BICUBIC))


def check_rgb(image: np.ndarray) -> None:
    """``ValueError`` unless ``image`` is an RGB uint8 array of shape (H, W, 3)."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 \
            or image.dtype != np.uint8:
        raise ValueError("Expected an RGB uint8 image of shape (H, W, 3); "
                         "use core.images.load_image.")


def to_pixels(view: np.ndarray) -> torch.Tensor:
    """A new contiguous ``(1, 3, S, S)`` float tensor in [0, 1] from a ``(S, S, 3)`` uint8 view."""
    return (torch.tensor(view).permute(2, 0, 1).float() / 255.0).unsqueeze(0).contiguous()


def view_and_pixels(image: np.ndarray, size: int) -> tuple[np.ndarray, torch.Tensor]:
    """The model view ``(size, size, 3)`` uint8 of ``image`` and its ``(1, 3, size, size)``
    pixels."""
    view = model_view(image, size)
    return view, to_pixels(view)


def normalise(pixels: torch.Tensor, spec: ModelSpec,
              device: torch.device | str = "cpu") -> torch.Tensor:
    """``(pixels - mean) / std`` with the model's statistics, on ``device``."""
    mean = torch.tensor(spec.mean).view(1, 3, 1, 1)
    std = torch.tensor(spec.std).view(1, 3, 1, 1)
    return ((pixels - mean) / std).to(device)


def to_tensor(view: np.ndarray, spec: ModelSpec,
              device: torch.device | str = "cpu") -> torch.Tensor:
    """A normalised ``(1, 3, S, S)`` float tensor from a ``(S, S, 3)`` uint8 model view."""
    return normalise(to_pixels(view), spec, device)


def image_digest(image: np.ndarray) -> str:
    """A short content hash, used as a cache key for an image."""
    digest = hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=16)
    digest.update(str(image.shape).encode())
    return digest.hexdigest()
