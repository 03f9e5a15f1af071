"""The seed notebook's gradient ascent (seed 000, parts c–e), batched over filters.

Uniform noise in [-0.125, 0.125], the mean activation of one filter without a border, steps
of ``step_size`` on the RMS-normalised gradient, the seed's de-processing. Like the seed, the
raw image tensor is fed to the network without ImageNet normalisation.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from core.ascent.network import CHANNELS_LAST, filter_means, forward
from core.ascent.params import AscentParams, filter_seed
from core.ascent.results import AscentChunk, stop_check
from core.checks import InputError
from core.models import LoadedModel


def initialize_images(filters: Sequence[int], *, size: int, seed: int,
                      device: torch.device | str = "cpu") -> torch.Tensor:
    """The seed's ``initialize_image`` for each filter: uniform noise in [-0.125, 0.125],
    ``(N, 3, size, size)``; image ``i`` equals ``torch.rand`` after
    ``torch.manual_seed(filter_seed(seed, filters[i]))``."""
    images = [torch.rand((1, 3, size, size), generator=torch.Generator().manual_seed(
        filter_seed(seed, f))) for f in filters]
    return ((torch.cat(images) - 0.5) * 0.25).to(device)


def deprocess_image(image: np.ndarray, *, crop: int = 25) -> np.ndarray:
    """The seed's ``deprocess_image``: ``(3, H, W)`` float → ``(H - 2·crop, W - 2·crop, 3)`` uint8.

    Zero mean, standard deviation 0.15 (torch's unbiased std, as in the seed), crop, +0.5,
    clip to [0, 1], ×255, truncate to uint8. The input is not modified.
    """
    if image.ndim != 3 or image.shape[0] != 3:
        raise ValueError("Expected an image of shape (3, H, W).")
    if min(image.shape[1:]) <= 2 * crop:
        raise InputError(f"The image is too small to crop {crop} px from each side.",
                         f"Das Bild ist zu klein, um auf jeder Seite {crop} px abzuschneiden.")
    img = torch.tensor(np.asarray(image, dtype=np.float32))
    img -= img.mean()
    img /= img.std() + 1e-5
    img *= 0.15
    if crop:
        img = img[:, crop:-crop, crop:-crop]
    img += 0.5
    img = torch.clamp(img, 0, 1)
    img *= 255
    return torch.clamp(img, 0, 255).byte().numpy().transpose(1, 2, 0).copy()


def notebook_chunk(model: LoadedModel, layer: str, filters: Sequence[int], params: AscentParams,
                    seed: int, should_stop) -> AscentChunk:
    device = model.device
    index = torch.tensor(list(filters), device=device)
    img = initialize_images(filters, size=params.size, seed=seed, device=device)
    losses = []
    for _ in range(params.steps):
        stop_check(should_stop)
        img = img.contiguous(memory_format=CHANNELS_LAST).requires_grad_(True)
        means = filter_means(forward(model, layer, img), index, params.border)
        (grad,) = torch.autograd.grad(means.sum(), img)
        rms = torch.sqrt(torch.mean(grad ** 2, dim=(1, 2, 3), keepdim=True))
        img = (img.detach() + params.step_size * grad / (rms + 1e-5)).detach()
        losses.append(means.detach())
    with torch.no_grad():
        final = filter_means(forward(model, layer, img), index, params.border)
    final_images = img.cpu().numpy()
    images = np.stack([deprocess_image(one, crop=params.crop) for one in final_images])[:, None]
    history = torch.stack(losses, dim=1).float().cpu().numpy()
    return AscentChunk(filters=tuple(filters), images=images, initial=history[:, 0].copy(),
                       final=final.float().cpu().numpy(), losses=history)
