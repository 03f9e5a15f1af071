"""Long jobs stream their partial results; Cancel stops them with a sentence, and a newer run
of the same session stops the older one without a word (so it cannot overwrite the newer
run's outputs)."""

from __future__ import annotations

import threading

import pytest

from core.progress import Stopped
from tabs.common.streaming import CancelSwitches, Done, Partial, stream_job


def _counting(started: threading.Event):
    def job(should_stop, emit):
        for step in range(10_000):
            if should_stop():
                raise Stopped
            emit(step)
            started.set()
            threading.Event().wait(0.001)
        return "never"

    return job


def test_partial_results_then_the_result():
    updates = list(stream_job(lambda should_stop, emit: (emit(1), emit(2), "three")[-1],
                              switches=CancelSwitches(), session="a"))
    assert updates == [Partial(1), Partial(2), Done("three")]


def test_cancel_stops_the_run_with_its_error():
    switches, started = CancelSwitches(), threading.Event()
    stream = stream_job(_counting(started), switches=switches, session="s")
    next(stream)
    assert switches.cancel("s")
    with pytest.raises(Stopped):
        for _ in stream:
            pass


def test_a_newer_run_of_the_session_ends_the_older_one_quietly():
    switches, started = CancelSwitches(), threading.Event()
    older = stream_job(_counting(started), switches=switches, session="s")
    next(older)
    newer = stream_job(lambda should_stop, emit: "newer", switches=switches, session="s")
    assert list(newer) == [Done("newer")]
    assert all(isinstance(update, Partial) for update in older)  # ends, raises nothing
    assert len(switches) == 0
