"""The computations running in this process, so that it finishes them before it exits.

Python stops daemon threads wherever they stand when the interpreter shuts down. A worker
thread that is inside torch at that moment (a student's request, a streaming job) cannot be
unwound through torch's C++ frames, and the whole process aborts with "terminate called
without an active exception". So every handler and streaming job counts itself here, and at
exit the process asks streaming jobs to stop and waits for the count to reach zero.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

EXIT_WAIT_S = 60.0
"""How long an exiting process waits for running computations (a heavy CPU request is ~10 s)."""

exiting = threading.Event()
"""Set once the process exits: streaming jobs stop at their next check."""

_changed = threading.Condition()
_running = 0
log = logging.getLogger("lab")


@contextmanager
def computing() -> Iterator[None]:
    """Count the enclosed work as running."""
    global _running
    with _changed:
        _running += 1
    try:
        yield
    finally:
        with _changed:
            _running -= 1
            _changed.notify_all()


def running() -> int:
    """How many computations are running now."""
    with _changed:
        return _running


def counted_steps(steps: Generator[T, None, None]) -> Iterator[T]:
    """Yield what ``steps`` yields, counting it as running only while it computes an item: a
    stream that waits for a slow (or vanished) client does not hold up the exit."""
    try:
        while True:
            with computing():
                try:
                    item = next(steps)
                except StopIteration:
                    return
            yield item
    finally:
        steps.close()


def wait_until_idle(timeout: float) -> bool:
    """Wait until nothing is running; ``False`` if something still is after ``timeout`` s."""
    with _changed:
        return _changed.wait_for(lambda: _running == 0, timeout)


def _finish_before_exit() -> None:
    exiting.set()
    if wait_until_idle(0):
        return
    log.info("waiting for %d running computations before exiting", running())
    if not wait_until_idle(EXIT_WAIT_S):
        log.warning("exiting with %d computations still running", running())


atexit.register(_finish_before_exit)
