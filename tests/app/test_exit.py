"""A process finishes its running computations before it exits, instead of aborting (real
processes, so not in the fast unit tier)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A request that is inside torch's backward pass in a daemon thread when the main thread ends.
BUSY_HANDLER = """
import threading, torch
from dataclasses import dataclass
from tabs.common.errors import TEXTS
from tabs.common.running import answer, make_call
from tabs.common.view import View

started = threading.Event()

@dataclass(frozen=True)
class Nothing:
    pass

def handler(call):
    started.set()
    x = torch.randn(512, 512, requires_grad=True)
    for _ in range(100):
        (x @ x).sum().backward()
    print("finished", flush=True)

view = View("busy", Nothing, handler, TEXTS)
call = make_call(view, None, Nothing(), lang="en")
threading.Thread(target=answer, args=(view, call, ()), daemon=True).start()
started.wait()
"""

# A streaming job that would run for minutes: at exit it is asked to stop.
LONG_STREAM = """
import time, torch
from tabs.common.streaming import CancelSwitches, stream_job

def job(should_stop, emit):
    x = torch.randn(256, 256, requires_grad=True)
    for step in range(100_000):
        if should_stop():
            print("stopped at exit", flush=True)
            return step
        (x @ x).sum().backward()
        emit(step)

updates = stream_job(job, switches=CancelSwitches(), session="s")
next(updates)  # the job runs; the main thread ends without closing the stream
"""


def _exit_of(script: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_request_inside_torch_is_finished_before_the_process_exits():
    done = _exit_of(BUSY_HANDLER)
    assert "terminate called" not in done.stderr
    assert done.returncode == 0 and done.stdout == "finished\n"


def test_a_streaming_job_is_stopped_at_exit_and_the_process_ends_cleanly():
    start = time.perf_counter()
    done = _exit_of(LONG_STREAM)
    assert "terminate called" not in done.stderr
    assert done.returncode == 0 and done.stdout == "stopped at exit\n"
    assert time.perf_counter() - start < 60  # it stopped; it did not run its 100,000 steps
