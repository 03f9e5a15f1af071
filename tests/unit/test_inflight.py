"""A process finishes its running computations before it exits, instead of aborting."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tabs.common.errors import user_errors
from tabs.common.inflight import counted_steps, running

ROOT = Path(__file__).resolve().parents[2]

# A request that is inside torch's backward pass in a daemon thread when the main thread ends.
BUSY_HANDLER = """
import threading, torch
from tabs.common.errors import user_errors

started = threading.Event()

@user_errors
def handler():
    started.set()
    x = torch.randn(512, 512, requires_grad=True)
    for _ in range(100):
        (x @ x).sum().backward()
    print("finished", flush=True)

threading.Thread(target=handler, daemon=True).start()
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


def test_a_handler_counts_as_running_only_while_it_computes():
    seen = []

    @user_errors
    def handler():
        seen.append(running())
        return "ok"

    assert running() == 0 and handler() == "ok" and seen == [1] and running() == 0


def test_a_stream_counts_while_it_computes_an_item_and_closing_it_closes_the_handler():
    seen, closed = [], []

    def steps():
        try:
            for i in range(3):
                seen.append(running())
                yield i
        finally:
            closed.append(True)

    stream = counted_steps(steps())
    assert next(stream) == 0 and seen == [1]
    assert running() == 0  # suspended: waiting for the client is not computing
    stream.close()
    assert closed == [True] and running() == 0
