"""What counts as running: a view while it computes, a stream only while it computes an item
(the process finishes those before it exits; tests/app/test_exit.py runs real processes)."""

from __future__ import annotations

from dataclasses import dataclass

from tabs.common.errors import TEXTS
from tabs.common.inflight import counted_steps, running
from tabs.common.view import Call, View
from tests.views import call_view


@dataclass(frozen=True)
class Nothing:
    pass


def test_a_view_counts_as_running_only_while_it_computes(tiny_ctx):
    seen = []

    def handler(call: Call[Nothing]) -> str:
        seen.append(running())
        return "ok"

    view = View("counted", Nothing, handler, TEXTS)
    assert running() == 0 and call_view(view, tiny_ctx) == "ok" and seen == [1]
    assert running() == 0


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
