"""Benchmark: a class at once. Throughput and latency per tab for 16 students on one lab.

Starts a cold lab in a subprocess (``python -m lab serve --offline``, empty weight caches, the
tests' tiny CLIP saved to a temporary folder; or ``--url`` for a lab that is already running),
sends one request per endpoint to load the models (not timed), then, tab by tab, lets
``--clients`` students (one ``gradio_client.Client`` each, all starting at the same moment)
send ``--per-client`` requests each. The requests are distinct variants of the reliability
tests' request mix (``tests/reliability/mix.py``: another image, class, seed, layer,
description...), so most of them compute instead of coming from the cache; the heavy ones are
small (few steps, small images) as in the tests. A last row sends all tabs at once.

Printed per tab: requests, failures, requests per second (requests ÷ wall time of the phase),
and the median and 95th percentile latency a student saw (queueing included). Exits non-zero
when a phase could not be measured (no request succeeded). Run from the repository root:
``python bench/bench_load.py`` (about two minutes on a 2-core CPU).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import ROOT  # noqa: F401  (puts the repository on sys.path)

from tests.reliability.labproc import running_lab, save_tiny_clip  # noqa: E402
from tests.reliability.mix import CLASS_MIX, TABS, VARIANTS, Request, variant  # noqa: E402


def workload(tab: str, clients: int, per_client: int, offset: int) -> list[list[Request]]:
    """Per student, ``per_client`` distinct requests of ``tab`` (all tabs for ``"all"``)."""
    pool = [r for r in CLASS_MIX if (tab == "all" or r.tab == tab) and r.api in VARIANTS]
    jobs = [[] for _ in range(clients)]
    k = offset
    for round_ in range(per_client):
        for student in range(clients):
            request = pool[(round_ * clients + student) % len(pool)]
            jobs[student].append(variant(request, k))
            k += 1
    return jobs


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def run_phase(url: str, jobs: list[list[Request]], downloads: Path) -> dict:
    from gradio_client import Client

    students = [Client(url, verbose=False, download_files=str(downloads)) for _ in jobs]
    for student, requests in zip(students, jobs):
        for api, args in {s for r in requests for s in r.setup}:
            student.predict(*args, api_name=api)
    start = threading.Barrier(len(jobs))
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def serve(i: int) -> None:
        start.wait(timeout=120)
        for request in jobs[i]:
            began = time.perf_counter()
            try:
                students[i].predict(*request.args, api_name=request.api)
                with lock:
                    latencies.append(time.perf_counter() - began)
            except Exception as error:  # counted and shown, the phase goes on
                with lock:
                    failures.append(f"{request.api}: {error}"[:200])

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        list(pool.map(serve, range(len(jobs))))
    wall = time.perf_counter() - began
    return dict(requests=len(latencies) + len(failures), failed=len(failures),
                wall=wall, latencies=latencies, failures=failures)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=2)
    parser.add_argument("--url",
                        help="a running lab (with the tiny or real CLIP) instead of a new one")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        work = Path(folder)
        tempfile.tempdir = str(work)  # gradio_client's per-download scratch folders go here too
        if options.url:
            return measure(options.url.rstrip("/") + "/", options, work)
        print("starting a cold lab (offline, tiny CLIP)…", flush=True)
        with running_lab(work / "labs", clip_dir=save_tiny_clip(work / "tiny-clip")) as lab:
            return measure(lab.url, options, work)


def measure(url: str, options, work: Path) -> int:
    from gradio_client import Client

    began = time.perf_counter()
    warm = Client(url, verbose=False, download_files=str(work / "warm"))
    warmed = set()
    for request in CLASS_MIX:  # load every model once; not timed
        if request.api not in warmed:
            warmed.add(request.api)
            for api, args in request.setup:
                warm.predict(*args, api_name=api)
            warm.predict(*request.args, api_name=request.api)
    print(f"warm-up: {len(warmed)} endpoints in {time.perf_counter() - began:.1f} s", flush=True)

    rows = []
    offset = 1000
    for tab in (*TABS, "all"):
        jobs = workload(tab, options.clients, options.per_client, offset)
        offset += options.clients * options.per_client
        result = run_phase(url, jobs, work / f"phase-{tab}")
        rows.append((tab, result))
        for failure in result["failures"][:3]:
            print(f"  {tab}: {failure}", file=sys.stderr)

    print(f"\n{options.clients} clients × {options.per_client} requests per tab "
          "(distinct variants of tests/reliability/mix.py), latency in seconds")
    print(f"{'tab':<16}{'requests':>9}{'failed':>8}{'req/s':>8}{'p50':>8}{'p95':>8}")
    measured = True
    for tab, result in rows:
        latencies = result["latencies"]
        if not latencies:
            measured = False
            print(f"{tab:<16}{result['requests']:>9}{result['failed']:>8}{'—':>8}{'—':>8}{'—':>8}")
            continue
        print(f"{tab:<16}{result['requests']:>9}{result['failed']:>8}"
              f"{len(latencies) / result['wall']:>8.2f}{statistics.median(latencies):>8.2f}"
              f"{percentile(latencies, 0.95):>8.2f}")
    if not measured:
        print("could not measure every tab", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
