"""Benchmark: what a page open costs the server, and how soon a linked view appears.

Starts a lab in a subprocess (``python -m lab serve --offline``, warm-up on; or ``--url`` for
a lab that is already running, whose process id is then given with ``--pid``), waits until
the warm-up has computed every first view (its log says so), then opens pages in headless
Chromium one after the other: the plain address (the first tab opens) and a linked
attribution view. For each it prints the wall time until the view's picture is shown and the
server's CPU seconds in the 10 seconds after the request (the server process's user + system
time from ``/proc/<pid>/stat``, minus what the idle server used over the same time). Each page
is opened once before it is measured: the numbers are for results the lab has computed
before, as a class finds them.

The straightforward way to compare with is the lab before page opens became cheap: run this
script against that version (``git stash``/another checkout) and compare the printed lines.
Run from the repository root: ``python bench/bench_page_open.py`` (about a minute).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT

from tests.e2e.conftest import CHROMIUM, FLAGS  # noqa: E402
from tests.reliability.labproc import free_port  # noqa: E402

PAGES = {  # what a student opens → the picture that shows its view
    "first tab": ("", "ascent-pair"),
    "linked view": ("?tab=attribution&image=chelsea.png&layer=blocks.5&target=285",
                    "attr-compare"),
}
WINDOW_S = 10.0
"""CPU is counted from the request for this long: everything the page triggers falls in it."""


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_rate(pid: int, seconds: float = 10.0) -> float:
    """CPU seconds per second the server uses while nobody asks anything."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


def open_page(browser, url: str, picture: str, window: float) -> float:
    """Seconds from the request until ``#picture img`` has loaded a picture; returns once
    ``window`` seconds have passed since the request."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(
        "id => { const img = document.querySelector(`#${id} img`);"
        " return img && img.complete && img.naturalWidth > 0; }", arg=picture)
    shown = time.perf_counter() - start
    time.sleep(max(0.0, window - (time.perf_counter() - start)))
    context.close()
    return shown


def measure(url: str, pid: int, repeats: int, window: float) -> None:
    from playwright.sync_api import sync_playwright

    rate = idle_rate(pid)
    print(f"idle server: {rate * 1000:.1f} ms CPU per second")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for query, picture in PAGES.values():  # the browser's first start; the linked
                open_page(browser, url + query, picture, 0.0)  # view computed once
            rate = idle_rate(pid)
            for name, (query, picture) in PAGES.items():
                shown, cpu = [], []
                for _ in range(repeats):
                    before, began = cpu_seconds(pid), time.perf_counter()
                    shown.append(open_page(browser, url + query, picture, window))
                    spent = time.perf_counter() - began
                    cpu.append(cpu_seconds(pid) - before - rate * spent)
                print(f"{name}: shown after {_listed(shown)} s (median "
                      f"{statistics.median(shown):.2f} s); server CPU per page open "
                      f"{_listed(cpu)} s (median {statistics.median(cpu):.3f} s)")
        finally:
            browser.close()


def _listed(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running lab (then --pid is its server process)")
    parser.add_argument("--pid", type=int)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--window", type=float, default=WINDOW_S,
                        help="seconds of server CPU counted per page open")
    args = parser.parse_args()
    if args.url:
        if not args.pid:
            parser.error("--url needs --pid (the CPU time is read from that process)")
        measure(args.url.rstrip("/") + "/", args.pid, args.repeats, args.window)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        log = Path(folder) / "lab.log"
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "TORCH_HOME": folder, "HF_HOME": folder}  # empty caches: the offline case
        with log.open("w") as sink:
            server = subprocess.Popen(
                [sys.executable, "-m", "lab", "serve", "--offline", "--device", "cpu",
                 "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, env=env, stdout=sink, stderr=sink)
        try:
            _wait_for(log, "warm-up: pdp ready", server)
            measure(f"http://127.0.0.1:{port}/", server.pid, args.repeats, args.window)
        finally:
            server.terminate()
            server.wait(timeout=60)
    return 0


def _wait_for(log: Path, line: str, server: subprocess.Popen, timeout: float = 900) -> None:
    """Wait until the server's log says ``line`` (the warm-up is done)."""
    deadline = time.monotonic() + timeout
    while line not in log.read_text(errors="replace"):
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the lab did not finish its warm-up:\n" + log.read_text()[-3000:])
        time.sleep(1.0)


if __name__ == "__main__":
    sys.exit(main())
