"""A bounded, thread-safe result cache that computes each key once, even under a rush.

``functools.lru_cache`` would let 100 simultaneous requests for the same key compute it 100
times, and it cannot be cleared from outside without reaching into the decorated function;
here the first caller computes and the others wait for its result ("single flight"), and
``clear()`` empties it (tests and benchmarks measure cold runs that way).
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

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

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

    def clear(self) -> None:
        """Forget every result (computations in flight still finish and are stored)."""
        with self._lock:
            self._items.clear()

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
