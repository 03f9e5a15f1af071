"""Benchmark: batch sizes by measurement and CPU threads per request, against the fixed batch of
16 and torch's default threads, on this machine (EfficientNet-Lite0, the bundled model).

(a) The calibration table, as the lab measures it: per-image ms at each batch, forward+backward
    (IG, filter ascent) and forward on the BatchNorm-folded copy that Occlusion and
    deletion/insertion run, and for comparison forward on the model's own network.
(b) One image (both.png) and its top class: Integrated Gradients (32 steps) and Occlusion (32 px
    windows, stride 16) with the internal batch of 16 against the calibrated batch; best of
    ``REPEATS`` alternating runs, caches bypassed, in wall-clock and in CPU seconds (with one
    thread the CPU time is what the work costs, whatever else the machine runs). (a) and (b)
    run with the threads the lab gives one request (``lab.threads``), as when it serves.
(c) Two IG requests at once (32 steps, calibrated batch) with torch's default threads in each
    against the chosen threads per request, as throughput. The two run on two copies of the
    model, like two students on two models: IG requests on one model take turns on its lock.
    One IG request alone is timed too: fewer threads make a lone request slower.

Run from the repository root: ``python bench/bench_cpu_settings.py`` (a few minutes on a 2-core
CPU). Last line: ``speedup: <old ÷ new>x``, where old is (b) at batch 16 plus (c) with default
threads and new is (b) at the calibrated batch plus (c) with the chosen threads; exits non-zero
when it could not measure.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
import warnings

from _common import ROOT, report_speedup, run

warnings.filterwarnings("ignore", message="Setting backward hooks")

import torch  # noqa: E402

from core import attribution as A  # noqa: E402
from core.attribution.inference import inference_network  # noqa: E402
from core.images import load_image  # noqa: E402
from core.models import OFFLINE_MODEL, ModelManager, calibration  # noqa: E402
from core.predictions import classify  # noqa: E402
from lab.threads import cpu_cores, threads_per_request  # noqa: E402

STEPS = 32
REPEATS = 3
HEAVY = 2  # heavy requests of one model group at once on a CPU (lab.app.heavy_limit)


def table(model) -> dict[str, int]:
    """Print (a); return the chosen batch per kind."""
    chosen = {}
    for kind, network, title in (("backward", None, "forward+backward"),
                                 ("forward", inference_network(model), "forward, folded copy"),
                                 ("forward", None, "forward, own network")):
        if kind == "forward" and network is None:  # for comparison: forward work runs folded
            result = calibration.measure(model, kind)
        else:
            result = calibration.calibration(model, kind, network)  # what the lab does
            chosen[kind] = calibration.batch_size(model, kind, network)
        print(f"{title + ' (ms)':<24}"
              + "".join(f"{b:>4}: {c * 1e3:5.1f}" for b, c in result.costs.items())
              + f"   → {result.batch}, measured in {result.seconds:.1f} s")
    return chosen


def clocks(function) -> tuple[float, float, object]:
    """Wall-clock and calling-thread CPU seconds of one call, and its result."""
    wall, cpu = time.perf_counter(), time.thread_time()
    result = function()
    return time.perf_counter() - wall, time.thread_time() - cpu, result


def one_image(model, image, target: int, batches: dict[str, int]) -> tuple[float, float]:
    """Print (b); return the wall seconds of IG + Occlusion at batch 16 and calibrated."""
    totals = [0.0, 0.0]
    for method, options, kind in (("integrated_gradients", dict(steps=STEPS), "backward"),
                                  ("occlusion", {}, "forward")):
        def explain(batch: int | None, method=method, options=options):
            return A.explain(model, image, method=method, target=target, use_cache=False,
                             internal_batch_size=batch, **options)

        runs: dict[int | None, list] = {16: [], None: []}
        for _ in range(REPEATS):  # alternating, so that both see the same background load
            for batch, bucket in runs.items():
                bucket.append(clocks(lambda batch=batch: explain(batch)))
        (wall_old, cpu_old), (wall_new, cpu_new) = (
            (min(r[0] for r in bucket), min(r[1] for r in bucket)) for bucket in runs.values())
        old, new = (bucket[0][2].map for bucket in runs.values())
        gap = float(abs(old - new).max() / max(float(old.max()), 1e-12))
        print(f"{method}: batch 16 {wall_old:.2f} s ({cpu_old:.2f} s CPU), calibrated "
              f"{batches[kind]} {wall_new:.2f} s ({cpu_new:.2f} s CPU), ratio "
              f"{wall_old / wall_new:.2f}x (CPU {cpu_old / cpu_new:.2f}x); largest map "
              f"difference {gap:.1e} of the peak")
        totals[0] += wall_old
        totals[1] += wall_new
    return totals[0], totals[1]


def at_once(models, image, target: int, threads: int) -> float:
    """Seconds until ``len(models)`` IG requests started together, each in a thread with
    ``threads`` torch threads, have all ended."""
    start = threading.Barrier(len(models) + 1)

    def request(model) -> None:
        torch.set_num_threads(threads)
        start.wait()
        A.explain(model, image, method="integrated_gradients", target=target, steps=STEPS,
                  use_cache=False)

    workers = [threading.Thread(target=request, args=(m,)) for m in models]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    return time.perf_counter() - began


def concurrent(models, image, target: int, default: int, chosen: int) -> tuple[float, float]:
    """Print (c); return the wall seconds of the pair with default and with chosen threads."""
    at_once(models, image, target, chosen)  # warm-up of the second copy
    settings = (("torch's default", default), ("chosen", chosen))
    pairs: list[list[float]] = [[], []]
    alone: list[list[float]] = [[], []]
    for _ in range(REPEATS):
        for i, (_, threads) in enumerate(settings):
            pairs[i].append(at_once(models, image, target, threads))
            alone[i].append(at_once(models[:1], image, target, threads))
    for (label, threads), pair, single in zip(settings, pairs, alone):
        print(f"two IG requests at once, {label} {threads} thread(s) each: {min(pair):.2f} s, "
              f"{2 / min(pair):.2f} requests/s (median {statistics.median(pair):.2f} s); "
              f"one alone {min(single):.2f} s (median {statistics.median(single):.2f} s)")
    return min(pairs[0]), min(pairs[1])


def main() -> int:
    default = torch.get_num_threads()
    cores = cpu_cores()
    chosen = threads_per_request(HEAVY, cores)
    torch.set_num_threads(chosen)  # as lab.threads.use_threads does when the lab serves
    models = [ModelManager(device="cpu").get(OFFLINE_MODEL) for _ in range(2)]
    model = models[0]
    image = load_image(ROOT / "lab" / "assets" / "images" / "both.png")
    target = classify(model, image)[0].index
    print(f"model: {model.spec.title} on {model.device}; {cores} cores, load average "
          f"{os.getloadavg()[0]:.1f}; torch's default {default} threads, the lab's {chosen} "
          f"per request ({HEAVY} heavy requests at once); both.png, target #{target} "
          f"{model.categories[target]}; IG {STEPS} steps; best of {REPEATS}; calibration "
          f"timed by {calibration.default_timer(model.device).__name__}")
    if calibration.fixed_batch():
        print(f"note: {calibration.FIXED_BATCH} is set, so 'calibrated' means that batch")
    batches = table(model)
    print(f"chosen batches: forward {batches['forward']} (Occlusion, deletion/insertion), "
          f"forward+backward {batches['backward']} (IG, filter ascent)")
    old_one, new_one = one_image(model, image, target, batches)
    old_pair, new_pair = concurrent(models, image, target, default, chosen)
    return report_speedup(old_one + old_pair, new_one + new_pair)


if __name__ == "__main__":
    run(main)
