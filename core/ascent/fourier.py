"""Regularized feature visualization: a Fourier image parameterization with decorrelated colour,
and random transformations that make the optimised image robust (transformation robustness).

This follows Olah, Mordvintsev & Schubert, "Feature Visualization", Distill 2017
(https://distill.pub/2017/feature-visualization/) and the design of the lucid/lucent libraries
(``optvis/param`` and ``transform.py``), written by hand here: lucent is not a maintained
dependency we want, and its module-level device globals do not fit a shared server.

The pieces are small closures, like lucent's:

- :func:`fft_image` returns ``(params, image_f)``: the trainable spectrum and a function that
  turns it into an RGB image in ``[0, 1]`` of shape ``(B, 3, H, W)``.
- :func:`random_transform` returns a function that jitters, scales and rotates each image of a
  batch with its own random numbers (drawn from that image's ``torch.Generator``), so an image's
  result does not depend on which other images share its batch.
- :func:`diversity_penalty` is lucent's diversity objective (cosine similarity of Gram matrices)
  computed within groups of images that optimise the same filter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F

# Square root of the colour correlation matrix of ImageNet images (from lucid/lucent): mapping
# decorrelated channels through it gives natural colour statistics.
COLOR_CORRELATION_SVD_SQRT = np.asarray(
    [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], dtype=np.float32
)
_COLOR_NORMALIZED = COLOR_CORRELATION_SVD_SQRT / np.max(
    np.linalg.norm(COLOR_CORRELATION_SVD_SQRT, axis=0)
)
FFT_MAGIC = 4.0  # lucent divides the inverse FFT by 4 to start near grey

ImageFn = Callable[[], torch.Tensor]


def rfft2d_freqs(height: int, width: int) -> np.ndarray:
    """Spatial frequency magnitude of each ``rfft2`` coefficient, shape ``(H, W // 2 + 1)``."""
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    return np.sqrt(fx * fx + fy * fy)


def fft_image(generators: Sequence[torch.Generator], *, size: int, decay_power: float = 1.0,
              sd: float = 0.01,
              device: torch.device | str = "cpu") -> tuple[list[torch.Tensor], ImageFn]:
    """A batch of images parameterized by their Fourier spectrum, one image per generator.

    Each coefficient is scaled by ``1 / frequency ** decay_power``, so plain gradient steps
    change low frequencies more than high ones (this is what removes the high-frequency noise
    of naive ascent). Colours are decorrelated with the ImageNet colour matrix and squashed
    by a sigmoid. Returns ``(params, image_f)``; ``image_f()`` gives ``(B, 3, size, size)``
    in ``[0, 1]``.
    """
    freqs = rfft2d_freqs(size, size)
    spectrum_shape = (3, *freqs.shape, 2)
    init = torch.stack([torch.randn(spectrum_shape, generator=g) * sd for g in generators])
    spectrum = init.to(device).requires_grad_(True)
    scale = 1.0 / np.maximum(freqs, 1.0 / size) ** decay_power
    scale_t = torch.tensor(scale, dtype=torch.float32, device=device)[None, None, :, :, None]
    color = torch.tensor(_COLOR_NORMALIZED, device=device)

    def image_f() -> torch.Tensor:
        scaled = torch.view_as_complex((scale_t * spectrum).contiguous())
        image = torch.fft.irfftn(scaled, s=(size, size), norm="ortho") / FFT_MAGIC
        image = torch.einsum("bchw,dc->bdhw", image, color)  # linear colour decorrelation
        return torch.sigmoid(image)

    return [spectrum], image_f


#: The default scales, 0.9 to 1.1 (a constant: mypy misreads a generator in a default value).
_SCALES = tuple(1 + (i - 5) / 50 for i in range(11))


def random_transform(generators: Sequence[torch.Generator], *, jitter: int = 8,
                     scales: Sequence[float] = _SCALES,
                     angles: Sequence[float] = tuple(range(-10, 11)) + (0,) * 5,
                     ) -> Callable[[torch.Tensor], torch.Tensor]:
    """Jitter (shift by up to ``jitter`` px), random scale and random rotation, per image.

    Lucent's standard transforms (pad, jitter 8, scale 0.9–1.1, rotate ±10°, jitter 4) are
    merged here into one affine warp per image (bilinear ``grid_sample``); pixels from outside
    the image are grey (0.5), like lucent's padding. The image keeps its size. Image ``i``
    draws its random numbers from ``generators[i]``.
    """

    def pick(values: Sequence[float], generator: torch.Generator) -> float:
        return float(values[int(torch.randint(len(values), (1,), generator=generator))])

    def transform(image: torch.Tensor) -> torch.Tensor:
        batch, _, height, width = image.shape
        thetas = []
        for generator in generators:
            dx, dy = (torch.randint(-jitter, jitter + 1, (2,), generator=generator).tolist()
                      if jitter > 0 else (0, 0))
            scale = pick(scales, generator)
            angle = math.radians(pick(angles, generator))
            cos, sin = math.cos(angle) / scale, math.sin(angle) / scale
            thetas.append([[cos, -sin, 2 * dx / width], [sin, cos, 2 * dy / height]])
        theta = torch.tensor(thetas, dtype=image.dtype, device=image.device)
        grid = F.affine_grid(theta, [batch, 3, height, width], align_corners=False)
        warped = F.grid_sample(image - 0.5, grid, mode="bilinear", padding_mode="zeros",
                               align_corners=False)
        return warped + 0.5

    return transform


def diversity_penalty(activations: torch.Tensor, groups: int) -> torch.Tensor:
    """Mean cosine similarity between the Gram matrices of images in the same group.

    ``activations``: ``(groups * variants, C, h, w)``, the variants of a group adjacent.
    Returns one value per image, shape ``(groups * variants,)``; subtracting it (times a
    weight) from the objective pushes the variants of one filter apart (lucent's
    ``diversity`` objective).
    """
    batch, channels = activations.shape[:2]
    variants = batch // groups
    if variants < 2:
        return activations.new_zeros(batch)
    flat = activations.reshape(batch, channels, -1)
    grams = flat @ flat.transpose(1, 2)
    grams = grams.reshape(batch, -1)
    grams = grams / (grams.norm(dim=1, keepdim=True) + 1e-8)
    grams = grams.reshape(groups, variants, -1)
    similarity = grams @ grams.transpose(1, 2)  # (groups, V, V)
    off_diagonal = similarity.sum(dim=2) - similarity.diagonal(dim1=1, dim2=2)
    return (off_diagonal / (variants - 1)).reshape(batch)
