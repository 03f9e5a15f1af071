"""core.stability: metric values on constructed maps, and noise on a tiny model."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from core import attribution as A
from core.attribution.stability import add_noise, measure_stability, rank_correlation, top_k_overlap

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")


@pytest.fixture
def ramp():
    return np.arange(100, dtype=np.float32).reshape(10, 10)


def test_identical_maps(ramp):
    assert rank_correlation(ramp, ramp.copy()) == 1.0
    assert top_k_overlap(ramp, ramp.copy(), k=10) == 100.0


def test_reversed_ranking(ramp):
    assert rank_correlation(ramp, -ramp) == pytest.approx(-1.0)
    assert top_k_overlap(ramp, -ramp, k=10) == 0.0
    assert top_k_overlap(ramp, -ramp, k=100) == 100.0


def test_monotone_transform_keeps_the_ranking(ramp):
    assert rank_correlation(ramp, np.exp(ramp / 10)) == pytest.approx(1.0)


def test_partial_overlap(ramp):
    shifted = ramp.copy().ravel()
    top = np.argsort(-shifted)[:10]
    shifted[top[:5]] = -1  # half of the top 10 % drop to the bottom
    assert top_k_overlap(ramp, shifted.reshape(10, 10), k=10) == 50.0


def test_constant_map_has_no_ranking(ramp):
    assert math.isnan(rank_correlation(ramp, np.zeros_like(ramp)))


def test_metric_input_checks(ramp):
    with pytest.raises(ValueError, match="same shape"):
        rank_correlation(ramp, ramp[:5])
    with pytest.raises(ValueError, match="percentage"):
        top_k_overlap(ramp, ramp, k=0)


def test_add_noise_is_seeded_and_does_not_mutate():
    pixels = torch.full((1, 3, 4, 4), 0.5)
    noisy = add_noise(pixels, noise=0.01, seed=3)
    assert torch.equal(pixels, torch.full((1, 3, 4, 4), 0.5))
    assert torch.equal(noisy, add_noise(pixels, noise=0.01, seed=3))
    assert 0.001 < float((noisy - pixels).std()) < 0.02
    assert torch.equal(add_noise(pixels, noise=0, seed=3), pixels)
    with pytest.raises(ValueError, match="0 or more"):
        add_noise(pixels, noise=-0.1)


@pytest.fixture
def image():
    return np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)


@pytest.mark.parametrize("method", A.METHODS)
def test_zero_noise_gives_rank_correlation_one(tiny_model, image, method):
    report = measure_stability(tiny_model, image, method=method, target=2, noise=0.0, steps=8)
    assert report.rank_correlation == 1.0 and report.top_k_overlap == 100.0
    assert report.difference.max() == 0


def test_noise_changes_saliency(tiny_model, image):
    report = measure_stability(tiny_model, image, method="saliency", target=2, noise=0.1)
    assert report.rank_correlation < 1.0 and report.top_k_overlap < 100.0
    assert report.noisy.map.shape == report.original.map.shape == report.difference.shape


def test_negative_noise_is_refused(tiny_model, image):
    with pytest.raises(ValueError, match="0 or more"):
        measure_stability(tiny_model, image, method="saliency", target=2, noise=-0.01)
