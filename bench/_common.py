"""Shared helpers for the benchmark scripts: repo root on sys.path, timing, the last line."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def best_of(function: Callable[[], object], repeats: int = 3) -> float:
    """The fastest of ``repeats`` wall-clock runs of ``function``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def report_speedup(straightforward: float, ours: float) -> int:
    """Print the closing ``speedup:`` line; return the exit status (1 if unmeasurable)."""
    if not (straightforward > 0 and ours > 0):
        print("speedup: could not measure", file=sys.stderr)
        return 1
    print(f"speedup: {straightforward / ours:.2f}x")
    return 0


def pick_model(preferred: str) -> str:
    """``preferred`` when its weights are cached here, else the bundled offline model."""
    from core.models import ModelManager

    models = ModelManager(device="auto")
    return preferred if models.status(preferred) == "cached" else models.fallback
