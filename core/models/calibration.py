"""Batch sizes by measurement: how many images one pass of a network should take on this machine.

A fixed batch is not the fastest everywhere. On our 2-core CPU EfficientNet-Lite0 cost 33, 24,
32, 39 and 38 ms per image forward at batches of 1, 2, 4, 8 and 16, and 78, 55, 49, 55 and 51 ms
forward and backward (two threads); with BatchNorm folded the forward cost hardly depends on the
batch; a GPU keeps gaining up to 64. So each network measures itself, once per process, model,
device and kind of pass, when a batch is first needed (the lab's warm-up does this for the
bundled model before students come):

1. one untimed warm-up pass at batch 1 (lazy initialisation, first allocations);
2. one timed pass at each batch of 1, 2, 4, 8, 16 (and 32, 64 on a GPU, up to the first that
   does not fit in its memory), of fixed random input at the model's input size; a batch that
   costs more than :data:`TURN` times the best so far per image is timed once more, since a new
   shape's first pass is slower. Every batch is measured: the cost need not fall or rise
   steadily (on one thread of our CPU the folded EfficientNet-Lite0 costs about 12 ms per
   image at batches 1 to 8 and 7 ms at 16);
3. the batches within :data:`TURN` of the best, timed again in descending order
   (:data:`REPEATS` rounds in all, each the reverse of the last, so that a slow spell of a
   shared machine hits all alike); a batch's cost is its fastest pass divided by the batch;
4. the choice is the batch with the lowest cost; a tie goes to the smaller batch.

``"forward"`` passes run under ``torch.no_grad`` (Occlusion, deletion and insertion, on the
BatchNorm-folded copy); ``"backward"`` passes also take the gradient of one logit with respect
to the input (Integrated Gradients on the model's own network; the filter ascent, which runs a
folded copy up to its layer, takes that batch too). The model's own network and a private copy
(folded) are measured apart. Where torch runs on one CPU thread per request (the lab on a small
machine, ``lab.threads``) the passes are timed in the thread's CPU time, which other processes
do not inflate; elsewhere by the wall clock (on a GPU after synchronising). The model's lock is
held while measuring; EfficientNet-Lite0 takes about five seconds on our CPU, most of them for
the forward and backward passes at batch 16, longer when other work shares the cores
(``bench/bench_cpu_settings.py``). Results do not depend on the batch beyond float rounding.

``XAI_LAB_BATCH=N`` fixes every batch to N and measures nothing (reproducible runs, tests).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import torch
from torch import nn

from core.checks import count_from_environment
from core.models.manager import LoadedModel

Pass = Literal["forward", "backward"]

CPU_LADDER = (1, 2, 4, 8, 16)
GPU_LADDER = (*CPU_LADDER, 32, 64)
REPEATS = 2
TURN = 1.25
"""A batch that costs 25 % more per image than the best is out of the running."""
FIXED_BATCH = "XAI_LAB_BATCH"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Calibration:
    """One network's measured cost per image for one kind of pass, and the batch chosen.

    ``shared``: the model's own network (else a private copy); ``costs``: batch → seconds per
    image (the fastest repeat) for the batches measured, ascending; ``batch``: the choice;
    ``seconds``: how long measuring took, by the wall clock.
    """

    model: str
    device: str
    kind: Pass
    shared: bool
    costs: Mapping[int, float]
    batch: int
    seconds: float


_CHOICES: dict[tuple[str, str, Pass, bool], Calibration] = {}
_LOCK = threading.Lock()


def batch_size(model: LoadedModel, kind: Pass, network: nn.Module | None = None) -> int:
    """Images per ``kind`` pass of ``network`` (default: the model's own; a private copy of it
    such as the BatchNorm-folded one): ``XAI_LAB_BATCH`` when set, else measured."""
    return fixed_batch() or calibration(model, kind, network).batch


def fixed_batch() -> int | None:
    """The batch ``XAI_LAB_BATCH`` fixes, or ``None`` when it is not set."""
    return count_from_environment(FIXED_BATCH)


def calibration(model: LoadedModel, kind: Pass, network: nn.Module | None = None) -> Calibration:
    """The :class:`Calibration` of ``kind`` passes of ``network`` (default: the model's own),
    measured on first use.

    Kept for the life of the process, per model name, device, kind and whether it is the
    model's own network. Callers that arrive while it is measured wait (behind the model's
    lock, which measuring holds anyway) and then read the same result.
    """
    network = model.network if network is None else network
    key = (model.name, str(model.device), kind, network is model.network)
    found = _CHOICES.get(key)
    if found is None:
        with model.lock, _LOCK:  # the model's lock first, like everyone who runs the model
            found = _CHOICES.get(key)
            if found is None:
                found = _CHOICES[key] = measure(model, kind, network)
                log.info("batch for %s %s passes (%s) on %s: %d (per-image ms %s; %.1f s)",
                         model.name, kind, "own network" if found.shared else "private copy",
                         model.device, found.batch,
                         ", ".join(f"{b}: {c * 1e3:.0f}" for b, c in found.costs.items()),
                         found.seconds)
    return found


def measure(model: LoadedModel, kind: Pass, network: nn.Module | None = None, *,
            timer: Callable[[], float] | None = None) -> Calibration:
    """Measure the cost per image of ``kind`` passes of ``network`` (default: the model's own)
    on the model's device, holding the model's lock.

    Steps as in the module docstring; ``timer`` defaults to :func:`default_timer`.
    """
    network = model.network if network is None else network
    timer = timer or default_timer(model.device)
    start = time.perf_counter()
    size = model.spec.input_size
    ladder = GPU_LADDER if model.device.type == "cuda" else CPU_LADDER
    generator = torch.Generator().manual_seed(0)
    images = (torch.randn(ladder[-1], 3, size, size, generator=generator) * 0.5).to(model.device)

    def run(batch: int) -> None:
        inputs = images[:batch]
        if kind == "forward":
            with torch.no_grad():
                network(inputs)
        else:
            with torch.enable_grad():
                inputs = inputs.clone().requires_grad_(True)
                torch.autograd.grad(network(inputs)[:, 0].sum(), inputs)
        if model.device.type == "cuda":
            torch.cuda.synchronize(model.device)

    with model.lock:
        run(1)
        costs = per_image_costs(run, ladder, timer=timer)
    return Calibration(model=model.name, device=str(model.device), kind=kind,
                       shared=network is model.network, costs=MappingProxyType(costs),
                       batch=pick(costs), seconds=time.perf_counter() - start)


def per_image_costs(run: Callable[[int], object], ladder: Sequence[int], *,
                    repeats: int = REPEATS,
                    timer: Callable[[], float] = time.perf_counter) -> dict[int, float]:
    """Seconds per image at the batches of ``ladder`` (ascending): the fastest timed
    ``run(batch)`` call, divided by the batch.

    The first round times each batch once, twice when it costs more than :data:`TURN` times
    the best so far (a new shape's first pass is slower), and ends at a batch that does not fit
    in GPU memory. ``repeats - 1`` further rounds time the batches within :data:`TURN` of the
    best again (the others are too far behind), each in the opposite order to the last, so
    that a slow spell of a shared machine hits small and large batches alike.
    """
    times: dict[int, list[float]] = {}

    def timed(batch: int) -> float:
        begin = timer()
        run(batch)
        times.setdefault(batch, []).append((timer() - begin) / batch)
        return times[batch][-1]

    def best() -> float:
        return min((min(t) for t in times.values()), default=float("inf"))

    for batch in ladder:
        try:
            if timed(batch) > TURN * best():
                timed(batch)
        except torch.cuda.OutOfMemoryError:
            torch.cuda.empty_cache()
            break
    contenders = [batch for batch, t in times.items() if min(t) <= TURN * best()]
    for _ in range(repeats - 1):
        contenders.reverse()
        for batch in contenders:
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
    """The batch with the lowest cost per image; of equal costs, the smallest batch."""
    return min(costs, key=lambda batch: (costs[batch], batch))
