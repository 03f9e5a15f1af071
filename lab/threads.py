"""CPU threads per request: torch's intra-op threads, set when the lab serves so that the heavy
requests allowed to run at once do not oversubscribe the cores.

By default torch gives every operation as many threads as there are cores. The queue lets
``heavy_limit`` requests of a model group run at the same time (2 on a CPU, 4 on a GPU), so two
requests would run 2 × cores threads on the cores, and OpenMP threads that wait for a partner
which is not running waste the time they were meant to save. The shell therefore gives each
request ``cores // heavy_limit`` threads (at least 1); ``--threads N`` or ``XAI_LAB_THREADS``
overrides that. ``torch.set_num_threads`` in the main thread, before any worker thread has used
torch, sets the count every worker thread starts with.
"""

from __future__ import annotations

import logging
import os

import torch

from core.checks import count_from_environment

THREADS = "XAI_LAB_THREADS"

log = logging.getLogger("lab")


def cpu_cores() -> int:
    """The cores this process may run on (its CPU affinity, e.g. a container's cpuset)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def threads_per_request(heavy_limit: int, cores: int) -> int:
    """``cores // heavy_limit``, at least 1: threads × requests at once ≤ cores."""
    return max(1, cores // heavy_limit)


def threads_from_environment() -> int | None:
    """The count ``XAI_LAB_THREADS`` sets, or ``None`` when it is not set; a wrong value ends
    the start with its sentence."""
    try:
        return count_from_environment(THREADS)
    except ValueError as error:
        raise SystemExit(str(error)) from None


def use_threads(heavy_limit: int, threads: int | None = None) -> int:
    """Set torch's threads per request: ``threads`` (``--threads``), else ``XAI_LAB_THREADS``,
    else :func:`threads_per_request`. Logs the choice and returns it."""
    cores = cpu_cores()
    chosen = threads or threads_from_environment() or threads_per_request(heavy_limit, cores)
    torch.set_num_threads(chosen)
    log.info("torch uses %d CPU thread(s) per request: %d core(s), up to %d heavy requests of a "
             "model group at once", chosen, cores, heavy_limit)
    return chosen
