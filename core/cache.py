"""A bounded, thread-safe result cache that computes each key once, even under a rush.

``functools.lru_cache`` would let 100 simultaneous requests for the same key compute it 100
times; here the first caller computes and the others wait for its result ("single flight").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


class ResultCache:
    """Least-recently-used cache of at most ``maxsize`` results."""

    def __init__(self, maxsize: int = 64):
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[Hashable, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable):
        """The cached value for ``key`` or ``None``; counts as a use."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the cached value, or compute it once while other callers for ``key`` wait."""
        with self._lock:
            if key in self._items:
                self.hits += 1
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
            gate = self._pending.setdefault(key, threading.Lock())
        with gate:
            cached = self.get(key)
            if cached is not None:
                with self._lock:
                    self.hits += 1
                return cached
            try:
                value = compute()
                self.put(key, value)
                with self._lock:
                    self.misses += 1
                return value
            finally:
                with self._lock:
                    self._pending.pop(key, None)
