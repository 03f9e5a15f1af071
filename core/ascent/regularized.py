"""Regularized feature visualization (Olah et al., Distill 2017), batched over filters.

A Fourier image with decorrelated colours (:mod:`core.ascent.fourier`), random jitter, scale
and rotation, an optional diversity term, and Adam; the image is normalised with the model's
mean and std.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from core.ascent.fourier import diversity_penalty, fft_image, random_transform
from core.ascent.network import CHANNELS_LAST, filter_means, forward
from core.ascent.params import AscentParams, filter_seed
from core.ascent.results import AscentChunk, stop_check, to_uint8
from core.models import LoadedModel


def regularized_chunk(model: LoadedModel, layer: str, filters: Sequence[int],
                       params: AscentParams, seed: int, should_stop) -> AscentChunk:
    device = model.device
    variants = params.variants
    owners = [f for f in filters for _ in range(variants)]
    generators = [torch.Generator().manual_seed(filter_seed(seed, f, v))
                  for f in filters for v in range(variants)]
    index = torch.tensor(owners, device=device)
    parameters, image_f = fft_image(generators, size=params.size, decay_power=params.decay_power,
                                    device=device)
    scales = tuple(np.linspace(1 - params.max_scale, 1 + params.max_scale, 11).tolist())
    angles = tuple(range(-params.max_angle, params.max_angle + 1)) + (0,) * 5
    transform = random_transform(generators, jitter=params.jitter, scales=scales, angles=angles)
    mean = torch.tensor(model.spec.mean, device=device).view(1, 3, 1, 1)
    std = torch.tensor(model.spec.std, device=device).view(1, 3, 1, 1)
    optimizer = torch.optim.Adam(parameters, lr=params.lr)

    def objective(act: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        means = filter_means(act, index, params.border)
        if params.diversity > 0 and variants > 1:
            return means - params.diversity * diversity_penalty(act, len(filters)), means
        return means, means

    def prepared(image: torch.Tensor) -> torch.Tensor:
        return ((image - mean) / std).contiguous(memory_format=CHANNELS_LAST)

    with torch.no_grad():
        initial = filter_means(forward(model, layer, prepared(image_f())), index, params.border)
    losses = []
    for _ in range(params.steps):
        stop_check(should_stop)
        optimizer.zero_grad()
        act = forward(model, layer, prepared(transform(image_f())))
        value, means = objective(act)
        (-value.sum()).backward()
        optimizer.step()
        losses.append(means.detach())
    with torch.no_grad():
        final_image = image_f()
        final = filter_means(forward(model, layer, prepared(final_image)), index,
                              params.border)
    images = to_uint8(final_image, params.crop)
    images = images.reshape(len(filters), variants, *images.shape[1:])

    def per_filter(t):
        return t.float().cpu().numpy().reshape(len(filters), variants)[:, 0].copy()

    history = torch.stack(losses, dim=1).float().cpu().numpy()
    history = history.reshape(len(filters), variants, -1)[:, 0].copy()
    return AscentChunk(filters=tuple(filters), images=images, initial=per_filter(initial),
                       final=per_filter(final), losses=history)
