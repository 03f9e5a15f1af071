"""Batch sizes by measurement: how many images one pass of a model should take on this machine.

A fixed batch is not the fastest everywhere. On our 2-core CPU EfficientNet-Lite0 cost 33, 24,
32, 39 and 38 ms per image forward at batches of 1, 2, 4, 8 and 16, and 78, 55, 49, 55 and 51 ms
forward and backward; a GPU keeps gaining up to 64. So each model measures itself, once per
process, device and kind of pass, when it first needs a batch (the lab's warm-up does this for
the bundled model before students come):

1. one untimed warm-up pass at batch 1 (lazy initialisation, first allocations);
2. a climb through batches 1, 2, 4, 8, 16 (and 32, 64 on a GPU), one timed pass each of fixed
   random input at the model's input size, which stops after the first batch that costs more
   than :data:`TURN` times the best so far per image: beyond that turn a CPU's larger batches
   only fall further out of its caches, and they would take longest to measure (a batch that
   does not fit in GPU memory stops it too);
3. the batches climbed, timed again in descending order (:data:`REPEATS` rounds in all, each
   the reverse of the last, so that a slow spell of a shared machine hits all alike); a batch's
   cost is its fastest pass divided by the batch;
4. the choice is the smallest batch within :data:`TIE` of the lowest cost: a tie within timing
   noise goes to the smaller batch, which needs less memory and reacts to Cancel sooner.

Where torch runs on one CPU thread per request (the lab on a small machine, ``lab.threads``) the
passes are timed in the thread's CPU time, which other processes do not inflate; elsewhere by
the wall clock (on a GPU after synchronising).

``"forward"`` passes run under ``torch.no_grad`` (Occlusion, deletion and insertion);
``"backward"`` passes also take the gradient of one logit with respect to the input (Integrated
Gradients, the filter ascent). The model's lock is held while it runs; a calibration takes one
or two seconds for EfficientNet-Lite0 on our CPU (``bench/bench_cpu_settings.py``). Results do
not depend on the batch beyond float rounding.

``XAI_LAB_BATCH=N`` fixes every batch to N and measures nothing (reproducible runs, tests).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import torch

from core.models.manager import LoadedModel

Pass = Literal["forward", "backward"]
PASSES: tuple[Pass, ...] = ("forward", "backward")

CPU_LADDER = (1, 2, 4, 8, 16)
GPU_LADDER = (*CPU_LADDER, 32, 64)
REPEATS = 2
TURN = 1.10
"""The climb stops after a batch that costs 10 % more per image than the best so far."""
TIE = 1.05
"""Costs within 5 % of the lowest count as a tie; the smallest such batch is chosen."""
FIXED_BATCH = "XAI_LAB_BATCH"

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Calibration:
    """One model's measured cost per image for one kind of pass, and the batch chosen.

    ``costs``: batch → seconds per image (the fastest repeat), for the batches measured, in
    ascending order; ``batch``: the choice; ``seconds``: how long measuring took.
    """

    model: str
    device: str
    kind: Pass
    costs: Mapping[int, float]
    batch: int
    seconds: float


_CHOICES: dict[tuple[str, str, Pass], Calibration] = {}
_LOCK = threading.Lock()


def batch_size(model: LoadedModel, kind: Pass) -> int:
    """Images per ``kind`` pass of ``model``: ``XAI_LAB_BATCH`` when set, else measured."""
    return fixed_batch() or calibration(model, kind).batch


def fixed_batch() -> int | None:
    """The batch ``XAI_LAB_BATCH`` fixes, or ``None`` when it is not set."""
    text = os.environ.get(FIXED_BATCH, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{FIXED_BATCH} must be a whole number of at least 1, not {text!r}.")
    return int(text)


def calibration(model: LoadedModel, kind: Pass) -> Calibration:
    """``model``'s :class:`Calibration` for ``kind`` on its device, measured on first use.

    Kept for the life of the process. Callers that arrive while it is measured wait for it
    (behind the model's lock, which measuring holds anyway) and then read the same result.
    """
    key = (model.name, str(model.device), kind)
    found = _CHOICES.get(key)
    if found is None:
        with model.lock, _LOCK:  # the model's lock first, like everyone who runs the model
            found = _CHOICES.get(key)
            if found is None:
                found = _CHOICES[key] = measure(model, kind)
                log.info("batch for %s %s passes on %s: %d (per-image ms %s; %.1f s)",
                         model.name, kind, model.device, found.batch,
                         ", ".join(f"{b}: {c * 1e3:.0f}" for b, c in found.costs.items()),
                         found.seconds)
    return found


def measure(model: LoadedModel, kind: Pass, *, prune: bool = True,
            timer: Callable[[], float] | None = None) -> Calibration:
    """Measure ``model``'s cost per image for ``kind`` passes on its device, holding its lock.

    Steps as in the module docstring; ``prune=False`` measures every batch of the ladder;
    ``timer`` defaults to :func:`default_timer`.
    """
    timer = timer or default_timer(model.device)
    start = timer()
    size = model.spec.input_size
    ladder = GPU_LADDER if model.device.type == "cuda" else CPU_LADDER
    generator = torch.Generator().manual_seed(0)
    images = (torch.randn(ladder[-1], 3, size, size, generator=generator) * 0.5).to(model.device)

    def run(batch: int) -> None:
        inputs = images[:batch]
        if kind == "forward":
            with torch.no_grad():
                model.network(inputs)
        else:
            with torch.enable_grad():
                inputs = inputs.clone().requires_grad_(True)
                torch.autograd.grad(model.network(inputs)[:, 0].sum(), inputs)
        if model.device.type == "cuda":
            torch.cuda.synchronize(model.device)

    with model.lock:
        run(1)
        costs = per_image_costs(run, ladder, timer=timer, prune=prune)
    return Calibration(model=model.name, device=str(model.device), kind=kind,
                       costs=MappingProxyType(costs), batch=pick(costs),
                       seconds=timer() - start)


def per_image_costs(run: Callable[[int], object], ladder: Sequence[int], *,
                    repeats: int = REPEATS, prune: bool = True,
                    timer: Callable[[], float] = time.perf_counter) -> dict[int, float]:
    """Seconds per image at the batches of ``ladder`` (ascending): the fastest of ``repeats``
    timed ``run(batch)`` calls, divided by the batch.

    The first round climbs the ladder; with ``prune`` it stops after the first batch that costs
    more than :data:`TURN` times the best so far, and a batch that does not fit in GPU memory
    always stops it. Each further round runs the same batches in the opposite order to the
    last, so that a slow spell of a shared machine hits small and large batches alike.
    """
    times: dict[int, list[float]] = {}

    def timed(batch: int) -> float:
        begin = timer()
        run(batch)
        times.setdefault(batch, []).append((timer() - begin) / batch)
        return times[batch][-1]

    for batch in ladder:
        try:
            cost = timed(batch)
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()
            break
        if prune and cost > TURN * min(min(t) for t in times.values()):
            break
    order = list(times)
    for _ in range(repeats - 1):
        order.reverse()
        for batch in order:
            timed(batch)
    return {batch: min(t) for batch, t in times.items()}


def default_timer(device: torch.device) -> Callable[[], float]:
    """The calling thread's CPU time where torch runs on a CPU with one thread per request
    (:func:`time.thread_time`): the time other processes of a shared machine take does not
    count, only what the passes cost. Elsewhere the wall clock."""
    if device.type == "cpu" and torch.get_num_threads() == 1:
        return time.thread_time
    return time.perf_counter


def pick(costs: Mapping[int, float]) -> int:
    """The smallest batch whose cost per image is within :data:`TIE` of the lowest."""
    lowest = min(costs.values())
    return min(batch for batch, cost in costs.items() if cost <= TIE * lowest)
