"""How much an attribution map changes when the image changes by a little noise.

The critical reflection of seed 001 says saliency maps are unstable; here that becomes numbers:
the Spearman rank correlation of the two maps (1 = same ranking of pixels, 0 = unrelated,
−1 = reversed) and the overlap of their top-k % most important pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy.stats import spearmanr

from core.attribution.methods import (
    AttributionMethod,
    Baseline,
    Explanation,
    MethodOptions,
    explain,
    explain_pixels,
    model_pixels,
)
from core.checks import InputError
from core.models import LoadedModel

MAX_NOISE = 1.0


@dataclass(frozen=True)
class StabilityReport:
    """The map of the original image, the map of the noisy image and how alike they are.

    ``difference``: (S, S) float32 |original − noisy| after scaling each map to [0, 1] by its
    maximum; ``rank_correlation`` in [−1, 1] (NaN when a map is constant); ``top_k_overlap``
    in percent; ``noise`` is the standard deviation as a fraction of the pixel range.
    """

    original: Explanation
    noisy: Explanation
    difference: np.ndarray
    noise: float
    top_k: float
    rank_correlation: float
    top_k_overlap: float


def add_noise(pixels: torch.Tensor, *, noise: float, seed: int = 0) -> torch.Tensor:
    """A new tensor: ``pixels`` (values in [0, 1]) plus Gaussian noise of standard deviation
    ``noise`` (0.01 = 1 % of the pixel range), clipped to [0, 1]. The input is not changed."""
    check_noise(noise)
    if noise == 0:
        return pixels.clone()
    generator = torch.Generator().manual_seed(seed)
    jitter = torch.randn(pixels.shape, generator=generator).to(pixels) * noise
    return (pixels + jitter).clamp(0.0, 1.0)


def check_noise(noise: float) -> float:
    """``noise`` as a float in [0, 1] (a fraction of the pixel range); ``InputError`` otherwise."""
    number = isinstance(noise, (int, float)) and not isinstance(noise, bool)
    if not number or not math.isfinite(noise) or noise < 0:
        percent = f" = {100 * noise:g} %" if number else ""
        raise InputError(f"The noise strength must be 0 or more, that is 0 % or more of the pixel "
                         f"range (you gave {noise}{percent}); 0.01 means 1 %.",
                         f"Die Rauschstärke muss 0 oder mehr sein, also 0 % oder mehr des "
                         f"Pixelbereichs (du hast {noise}{percent} angegeben); 0.01 bedeutet 1 %.")
    if noise > MAX_NOISE:
        raise InputError("The noise strength can be at most 1 (100 % of the pixel range).",
                         "Die Rauschstärke darf höchstens 1 sein (100 % des Pixelbereichs).")
    return float(noise)


def rank_correlation(first: np.ndarray, second: np.ndarray) -> float:
    """Spearman's rank correlation of two maps of the same shape (all pixels).

    1.0 for identical maps; NaN when one map is constant (no ranking to compare).
    """
    a, b = _pair(first, second)
    if np.array_equal(a, b):
        return 1.0
    if a.min() == a.max() or b.min() == b.max():
        return float("nan")
    return float(spearmanr(a, b).statistic)


def top_k_overlap(first: np.ndarray, second: np.ndarray, *, k: float = 10.0) -> float:
    """Percentage of the top ``k`` % pixels of ``first`` that are also top ``k`` % in ``second``.

    Ties are broken by position, so identical maps give exactly 100.
    """
    k = check_top_k(k)
    a, b = _pair(first, second)
    count = max(1, int(round(a.size * k / 100)))
    top_a = np.argsort(-a, kind="stable")[:count]
    top_b = np.argsort(-b, kind="stable")[:count]
    return 100.0 * np.intersect1d(top_a, top_b).size / count


def check_top_k(k: float) -> float:
    """``k`` as a float percentage in (0, 100]; ``InputError`` otherwise."""
    number = isinstance(k, (int, float)) and not isinstance(k, bool)
    if not number or not 0 < k <= 100:
        raise InputError("k must be a percentage between 0 and 100.",
                         "k muss ein Prozentwert zwischen 0 und 100 sein.")
    return float(k)


def _pair(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if first.shape != second.shape:
        raise ValueError("The two maps must have the same shape "
                         f"({first.shape} vs {second.shape}).")
    return (np.asarray(first, dtype=np.float64).ravel(),
            np.asarray(second, dtype=np.float64).ravel())


def measure_stability(model: LoadedModel, image: np.ndarray, *, method: AttributionMethod,
                      target: int, noise: float = 0.01, seed: int = 0, top_k: float = 10.0,
                      layer: str | None = None, steps: int = 50, baseline: Baseline = "black",
                      internal_batch_size: int | None = None, window: int | None = None,
                      stride: int | None = None) -> StabilityReport:
    """Explain ``image`` and the same image with noise, and compare the two maps.

    The original map comes from the attribution cache when it was computed before.
    """
    check_noise(noise)
    check_top_k(top_k)
    options = MethodOptions(layer=layer, steps=steps, baseline=baseline,
                            internal_batch_size=internal_batch_size, window=window, stride=stride)
    original = explain(model, image, method=method, target=target, **options)
    noisy_pixels = add_noise(model_pixels(model, image), noise=noise, seed=seed)
    noisy = explain_pixels(model, noisy_pixels, method=method, target=target, **options)
    difference = np.abs(_unit(original.map) - _unit(noisy.map)).astype(np.float32)
    difference.setflags(write=False)
    return StabilityReport(
        original=original, noisy=noisy, difference=difference, noise=float(noise), top_k=top_k,
        rank_correlation=rank_correlation(original.map, noisy.map),
        top_k_overlap=top_k_overlap(original.map, noisy.map, k=top_k),
    )


def _unit(values: np.ndarray) -> np.ndarray:
    peak = float(values.max())
    return values / peak if peak > 0 else np.zeros_like(values)
