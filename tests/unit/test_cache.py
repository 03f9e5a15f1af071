"""The result cache is bounded by entries and by bytes, and can be cleared."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.cache import Registry, ResultCache, footprint


@dataclass(frozen=True)
class Result:
    maps: np.ndarray
    view: np.ndarray
    label: str


def _result(megabytes: int) -> Result:
    return Result(np.zeros(megabytes * 2**20, np.uint8), np.zeros((2, 2, 3), np.uint8), "x")


def test_footprint_counts_the_arrays_inside_results():
    assert footprint(_result(3)) >= 3 * 2**20
    assert footprint((np.zeros(10, np.float32), [np.zeros(5, np.float64)])) == 40 + 40


def test_bytes_bound_evicts_the_least_recently_used():
    cache = ResultCache("test", maxsize=100, max_bytes=10 * 2**20)
    for key in range(4):
        cache.put(key, _result(3))
    assert len(cache) == 3 and cache.get(0) is None and cache.get(3) is not None
    assert cache.nbytes <= 10 * 2**20


def test_a_result_larger_than_the_bound_is_computed_but_not_kept():
    cache = ResultCache("test", maxsize=4, max_bytes=2**20)
    value = cache.get_or_compute("big", lambda: _result(2))
    assert value.maps.nbytes == 2 * 2**20
    assert cache.get("big") is None and len(cache) == 0


def test_clear_forgets_everything():
    cache = ResultCache("test", maxsize=4)
    cache.put("a", _result(1))
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0 and cache.get("a") is None


def test_caches_share_one_budget_and_the_least_recently_used_result_goes_first():
    registry = Registry(budget=10 * 2**20)
    first = ResultCache("first", registry=registry)
    second = ResultCache("second", registry=registry)
    first.put("old", _result(4))
    second.put("a", _result(4))
    first.get("old")  # used again: now "a" of the other cache is the oldest
    second.put("b", _result(4))
    assert first.get("old") is not None and second.get("a") is None
    assert second.get("b") is not None and registry.nbytes <= 10 * 2**20


def test_clear_all_empties_every_cache_but_those_kept():
    registry = Registry()
    models = ResultCache("models", registry=registry)
    results = ResultCache("results", registry=registry)
    models.put("m", _result(1))
    results.put("r", _result(1))
    registry.clear_all(keep=("models",))
    assert models.get("m") is not None and results.get("r") is None
    registry.clear_all()
    assert len(models) == 0 and registry.nbytes == 0
