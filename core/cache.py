"""Bounded, thread-safe result caches that compute each key once, even under a rush, and share
one memory budget.

``functools.lru_cache`` would let 100 simultaneous requests for the same key compute it 100
times, is bounded only by the number of entries (one 64-filter ascent result is megabytes),
and cannot be cleared from outside without reaching into the decorated function; here the first
caller computes and the others wait for its result ("single flight"), and every cache is
bounded by its entries and by one budget in bytes that all caches of the process share: when
the caches together hold more, the least recently used result of any cache goes first.

The budget (:data:`DEFAULT_BUDGET`, 2 GiB; ``XAI_LAB_CACHE_MB`` changes it) is sized for a
16 GB Space: the models (ResNet-50/18, VGG-16, CLIP ViT-B/32, the offline models and folded
copies) take about 3 GB, torch, Gradio and the working memory of a few concurrent requests
about 3 GB more, which leaves ample room. :func:`clear_all` empties every cache (tests and
benchmarks measure cold runs with it).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

import numpy as np

T = TypeVar("T")
DEFAULT_BUDGET = int(os.environ.get("XAI_LAB_CACHE_MB", "2048")) * 2**20


def footprint(value: object, _depth: int = 0) -> int:
    """About how many bytes ``value`` holds: numpy arrays and tensors by their data, dataclasses,
    tuples, lists and dicts by their parts (four levels deep), bytes by their length, anything
    else by ``getsizeof``."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if hasattr(value, "element_size") and hasattr(value, "nelement"):  # a torch tensor
        return int(value.element_size() * value.nelement())
    if _depth < 4:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return sum(footprint(getattr(value, f.name), _depth + 1)
                       for f in dataclasses.fields(value))
        if isinstance(value, (tuple, list)):
            return sum(footprint(item, _depth + 1) for item in value)
        if isinstance(value, dict):
            return sum(footprint(item, _depth + 1) for item in value.values())
    return sys.getsizeof(value)


class Registry:
    """Every cache of the process and the budget they share."""

    def __init__(self, budget: int = DEFAULT_BUDGET):
        self.budget = budget
        self._caches: weakref.WeakSet[ResultCache] = weakref.WeakSet()
        self._uses = itertools.count()
        self._lock = threading.Lock()

    def add(self, cache: ResultCache) -> None:
        with self._lock:
            self._caches.add(cache)

    def caches(self) -> list[ResultCache]:
        with self._lock:
            return list(self._caches)

    def stamp(self) -> int:
        """A number that grows with every use: the order in which results were last used."""
        return next(self._uses)

    @property
    def nbytes(self) -> int:
        """What all caches hold together."""
        return sum(cache.nbytes for cache in self.caches())

    def make_room(self) -> None:
        """Drop least recently used results, across caches, until the budget holds."""
        while True:
            caches = [(cache, cache.oldest_use()) for cache in self.caches()]
            held = sum(cache.nbytes for cache, _ in caches)
            used = [(stamp, cache) for cache, stamp in caches if stamp is not None]
            if held <= self.budget or not used:
                return
            min(used, key=lambda item: item[0])[1].drop_oldest()

    def clear_all(self, *, keep: tuple[str, ...] = ()) -> None:
        """Empty every cache but those named in ``keep``."""
        for cache in self.caches():
            if cache.name not in keep:
                cache.clear()


REGISTRY = Registry()


def clear_all(*, keep: tuple[str, ...] = ()) -> None:
    """Forget every cached result of the process (but those of the caches named in ``keep``)."""
    REGISTRY.clear_all(keep=keep)


class ResultCache:
    """Least-recently-used cache of at most ``maxsize`` results and ``max_bytes`` bytes, part of
    a :class:`Registry` whose budget all its caches share.

    A result larger than ``max_bytes`` (by default the whole budget) is returned but not kept.
    """

    def __init__(self, name: str, maxsize: int = 64, *, max_bytes: int | None = None,
                 registry: Registry = REGISTRY):
        self.name = name
        self.maxsize = maxsize
        self.max_bytes = registry.budget if max_bytes is None else max_bytes
        self._registry = registry
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._stamps: dict[Hashable, int] = {}
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}
        registry.add(self)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __repr__(self) -> str:
        return f"ResultCache({self.name!r}, {len(self)} results, {self.nbytes} bytes)"

    @property
    def nbytes(self) -> int:
        """The bytes the kept results hold (as :func:`footprint` counts them)."""
        with self._lock:
            return sum(self._sizes.values())

    def keys_by_use(self) -> list[Hashable]:
        """The keys of the kept results, least recently used first."""
        with self._lock:
            return list(self._items)

    def oldest_use(self) -> int | None:
        """When the least recently used result was last used (``None`` when empty)."""
        with self._lock:
            return self._stamps[next(iter(self._items))] if self._items else None

    def drop_oldest(self) -> None:
        """Forget the least recently used result."""
        with self._lock:
            if self._items:
                self._forget(next(iter(self._items)))

    def _forget(self, key: Hashable) -> None:
        self._items.pop(key, None)
        self._sizes.pop(key, None)
        self._stamps.pop(key, None)

    def _use(self, key: Hashable) -> object:
        self._items.move_to_end(key)
        self._stamps[key] = self._registry.stamp()
        return self._items[key]

    def get(self, key: Hashable):
        """The cached value for ``key`` or ``None``; counts as a use."""
        with self._lock:
            return self._use(key) if key in self._items else None

    def put(self, key: Hashable, value: object) -> None:
        size = footprint(value)
        with self._lock:
            self._forget(key)
            if size > self.max_bytes:
                return
            self._items[key] = value
            self._sizes[key] = size
            self._stamps[key] = self._registry.stamp()
            total = sum(self._sizes.values())
            while len(self._items) > self.maxsize or total > self.max_bytes:
                oldest = next(iter(self._items))
                total -= self._sizes[oldest]
                self._forget(oldest)
        self._registry.make_room()

    def clear(self) -> None:
        """Forget every result (computations in flight still finish and are stored)."""
        with self._lock:
            self._items.clear()
            self._sizes.clear()
            self._stamps.clear()

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the cached value, or compute it once while other callers for ``key`` wait."""
        with self._lock:
            if key in self._items:
                return cast(T, self._use(key))
            gate = self._pending.setdefault(key, threading.Lock())
        with gate:
            cached = self.get(key)
            if cached is not None:
                return cached
            try:
                value = compute()
                self.put(key, value)
                return value
            finally:
                with self._lock:
                    self._pending.pop(key, None)
