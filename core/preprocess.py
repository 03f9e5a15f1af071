"""From an RGB image to the tensor a model expects, and back to what the model saw."""

from __future__ import annotations

import hashlib

import numpy as np
import torch
from PIL import Image

from core.registry import ModelSpec


def model_view(image: np.ndarray, size: int) -> np.ndarray:
    """The whole image resized (bicubic) to ``(size, size, 3)`` uint8: what the model sees.

    We resize instead of the notebook's centre crop so that nothing at the borders (the cat
    in ``both.png``) is cut away and heatmaps cover the full picture.
    """
    if image.shape[:2] == (size, size):
        return image.copy()
    return np.asarray(Image.fromarray(image).resize((size, size), Image.BICUBIC))


def to_tensor(view: np.ndarray, spec: ModelSpec, device: torch.device | str = "cpu") -> torch.Tensor:
    """A normalised ``(1, 3, S, S)`` float tensor from a ``(S, S, 3)`` uint8 model view."""
    pixels = torch.tensor(view).permute(2, 0, 1).float() / 255.0
    mean = torch.tensor(spec.mean).view(3, 1, 1)
    std = torch.tensor(spec.std).view(3, 1, 1)
    return ((pixels - mean) / std).unsqueeze(0).to(device)


def image_digest(image: np.ndarray) -> str:
    """A short content hash, used as a cache key for an image."""
    digest = hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=16)
    digest.update(str(image.shape).encode())
    return digest.hexdigest()
