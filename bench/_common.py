"""Shared helpers for the benchmark scripts: repo root on sys.path, timing, the last line."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

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


def _synchronise() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(function: Callable[[], object]) -> tuple[float, object]:
    """Wall-clock seconds of one call (GPU work finished before and after) and its result."""
    _synchronise()
    start = time.perf_counter()
    result = function()
    _synchronise()
    return time.perf_counter() - start, result


def best_pair(first: Callable[[], object], second: Callable[[], object], repeats: int,
              before: Callable[[], None] | None = None):
    """The fastest of ``repeats`` runs of each as ``(seconds, result)``, alternating the two so
    that both see the same background load on a shared machine; ``before`` runs before every
    run (e.g. to empty the caches)."""
    runs: tuple[list, list] = ([], [])
    for _ in range(repeats):
        for function, bucket in ((first, runs[0]), (second, runs[1])):
            if before is not None:
                before()
            bucket.append(timed(function))
    return min(runs[0], key=lambda run: run[0]), min(runs[1], key=lambda run: run[0])


def report_speedup(straightforward: float, ours: float) -> int:
    """Print the closing ``speedup:`` line; return the exit status (1 if unmeasurable)."""
    if not (straightforward > 0 and ours > 0):
        print("speedup: could not measure", file=sys.stderr)
        return 1
    print(f"speedup: {straightforward / ours:.2f}x")
    return 0


def run(main: Callable[[], int]) -> None:
    """Exit with ``main()``'s status; an error ends the run as "could not measure", never as a
    number."""
    try:
        status = main()
    except Exception as error:  # noqa: BLE001 - a benchmark reports, it does not pretend
        print(f"could not measure: {type(error).__name__}: {error}")
        status = 1
    sys.exit(status)


def pick_model(preferred: str) -> str:
    """``preferred`` when its weights are cached here, else the bundled offline model."""
    from core.models import ModelManager

    models = ModelManager(device="auto")
    return preferred if models.status(preferred) == "cached" else models.fallback
