"""A bounded, thread-safe result cache that computes each key once, even under a rush.

``functools.lru_cache`` would let 100 simultaneous requests for the same key compute it 100
times, is bounded only by the number of entries (one 64-filter ascent result is megabytes),
and cannot be cleared from outside without reaching into the decorated function; here the first
caller computes and the others wait for its result ("single flight"), the cache is bounded by
entries *and* bytes, and ``clear()`` empties it (tests and benchmarks measure cold runs).
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

import numpy as np

T = TypeVar("T")
DEFAULT_MAX_BYTES = 256 * 2**20


def footprint(value: object, _depth: int = 0) -> int:
    """About how many bytes ``value`` holds: numpy arrays and tensors by their data, dataclasses,
    tuples, lists and dicts by their parts (four levels deep), anything else by ``getsizeof``."""
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


class ResultCache:
    """Least-recently-used cache of at most ``maxsize`` results and ``max_bytes`` bytes.

    A result larger than ``max_bytes`` on its own is returned but not kept.
    """

    def __init__(self, maxsize: int = 64, *, max_bytes: int = DEFAULT_MAX_BYTES):
        self.maxsize = maxsize
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._sizes: dict[Hashable, int] = {}
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    @property
    def nbytes(self) -> int:
        """The bytes the kept results hold (as :func:`footprint` counts them)."""
        with self._lock:
            return sum(self._sizes.values())

    def get(self, key: Hashable):
        """The cached value for ``key`` or ``None``; counts as a use."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: Hashable, value: object) -> None:
        size = footprint(value)
        with self._lock:
            self._items.pop(key, None)
            self._sizes.pop(key, None)
            if size > self.max_bytes:
                return
            self._items[key] = value
            self._sizes[key] = size
            total = sum(self._sizes.values())
            while len(self._items) > self.maxsize or total > self.max_bytes:
                oldest, _ = self._items.popitem(last=False)
                total -= self._sizes.pop(oldest)

    def clear(self) -> None:
        """Forget every result (computations in flight still finish and are stored)."""
        with self._lock:
            self._items.clear()
            self._sizes.clear()

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the cached value, or compute it once while other callers for ``key`` wait."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
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
