"""Activation extraction, hook hygiene, caching and concurrency on a tiny CNN."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from core.activations import compute_activations, order_channels
from core.cache import ResultCache, clear_all
from core.checks import InputError
from core.models.hooks import capture_outputs, count_hooks
from core.preprocess import to_tensor

RNG = np.random.default_rng(0)


def _image(seed: int = 0, size=(40, 50)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*size, 3), dtype=np.uint8)


def test_maps_have_the_layers_shape_and_match_a_plain_forward(manager, tiny_model):
    image = _image()
    result = compute_activations(tiny_model, image, layer="layer1")
    assert result.shape == manager.layer("tiny", "layer1").shape == (16, 16, 16)
    expected = tiny_model.network.layer1(
        tiny_model.network.relu(tiny_model.network.conv1(to_tensor(result.view, tiny_model.spec)))
    )[0].numpy()
    np.testing.assert_allclose(result.maps, expected, rtol=1e-5, atol=1e-6)
    probabilities = [p.probability for p in result.predictions]
    assert len(probabilities) == 5 and probabilities == sorted(probabilities, reverse=True)
    assert count_hooks(tiny_model.network) == 0


def test_hooks_are_removed_after_an_exception(tiny_model):
    network = tiny_model.network
    with (
        pytest.raises(RuntimeError, match="boom"),
        capture_outputs(network, ["layer1", "layer2"]),
    ):
        assert count_hooks(network) == 2
        raise RuntimeError("boom")
    assert count_hooks(network) == 0
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        compute_activations(tiny_model, _image(1), layer="nope")
    assert count_hooks(network) == 0


def test_hooks_are_removed_when_the_forward_pass_fails(tiny_model):
    network = tiny_model.network
    with pytest.raises(RuntimeError), capture_outputs(network, ["layer1"]):
        network(torch.zeros(1, 5, 32, 32))  # wrong channel count: conv1 raises
    assert count_hooks(network) == 0


def test_caller_image_is_not_mutated_and_results_are_read_only(tiny_model):
    image = _image(2)
    before = image.copy()
    result = compute_activations(tiny_model, image, layer="layer2")
    np.testing.assert_array_equal(image, before)
    assert not result.maps.flags.writeable
    assert compute_activations(tiny_model, image.copy(), layer="layer2") is result  # cache hit


def test_concurrent_requests_equal_sequential_ones(tiny_model):
    images = [_image(seed) for seed in range(10, 18)]
    layers = ["layer1", "layer2", "conv1", "layer2.0"]
    jobs = [(img, layer) for img in images for layer in layers]
    clear_all()
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(
            lambda job: compute_activations(tiny_model, job[0], layer=job[1]).maps, jobs))
    clear_all()
    sequential = [compute_activations(tiny_model, img, layer=layer).maps for img, layer in jobs]
    for a, b in zip(parallel, sequential):
        np.testing.assert_array_equal(a, b)
    assert count_hooks(tiny_model.network) == 0


def test_order_channels():
    maps = np.zeros((4, 2, 2), dtype=np.float32)
    maps[2] = 5.0
    maps[0] = 1.0
    assert order_channels(maps, count=2, order="index").tolist() == [0, 1]
    assert order_channels(maps, count=2, order="mean").tolist() == [2, 0]
    assert len(order_channels(maps, count=None)) == 4
    assert len(order_channels(maps, count=64)) == 4
    with pytest.raises(ValueError, match="at least one"):
        order_channels(maps, count=0)


def test_single_flight_cache_computes_once_under_a_rush():
    cache = ResultCache("test", maxsize=4)
    calls = []

    def slow():
        import time

        calls.append(1)
        time.sleep(0.2)
        return object()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: cache.get_or_compute("key", slow), range(10)))
    assert len(calls) == 1 and all(r is results[0] for r in results)
    for key in range(6):
        cache.put(key, key)
    assert cache.get("key") is None and cache.get(5) == 5  # least recently used evicted


def test_an_empty_layer_gets_a_sentence_before_the_network_runs(tiny_model, monkeypatch):
    image = np.zeros((32, 32, 3), dtype=np.uint8)

    def must_not_run(*args, **kwargs):
        raise AssertionError("the whole network ran for an empty layer name")

    monkeypatch.setattr(tiny_model.network, "forward", must_not_run)
    with pytest.raises(InputError, match="No layer was chosen") as refused:
        compute_activations(tiny_model, image, layer="")
    assert "keine Schicht gewählt" in refused.value.in_language("de")
    assert count_hooks(tiny_model.network) == 0
