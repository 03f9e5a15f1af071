"""One way to run a long job for a tab: in a worker thread, streamed, cancellable.

A handler that is a generator cannot check a Cancel button itself while a computation runs.
:func:`stream_job` runs the job in a worker thread and hands every partial result to the
generator as it arrives; the job sees ``should_stop()`` and stops within one step when the
student presses Cancel (:meth:`CancelSwitches.cancel`), starts another run, or closes the
stream (Gradio closes the generator when an event is cancelled). :func:`progressive` does
this for a view whose result comes in parts (each shown as soon as it exists, the complete
outputs marked :class:`~tabs.common.view.Final`), and :func:`status` words its line on what
is ready.

While a run streams, the outputs it has nothing for yet get ``None``, which also clears the
previous run's results; never ``gr.skip()``, which makes Gradio keep another copy of the
component in the session's state on every run (ARCHITECTURE.md, rule 10).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import uuid4

from core.progress import Stopped
from tabs.common.i18n import Texts
from tabs.common.inflight import computing, exiting
from tabs.common.view import Call, Final, View

P = TypeVar("P")
T = TypeVar("T")
Job = Callable[[Callable[[], bool], Callable[[P], None]], T]
"""``job(should_stop, emit)``: checks ``should_stop()`` between steps, ``emit``s partial
results of type ``P`` and returns its result of type ``T``."""


class Switch(threading.Event):
    """A run's stop switch; ``superseded`` when the same session started a newer run."""

    superseded = False


class CancelSwitches:
    """One stop switch per browser session for the run it has in progress.

    Not user data: only the Cancel button of a session reaches its own worker through it.
    """

    def __init__(self) -> None:
        self._running: dict[str, Switch] = {}
        self._lock = threading.Lock()

    def begin(self, session: str | None) -> tuple[Switch, Callable[[], None]]:
        """A fresh switch for this session's new run (a run still going is stopped first, as
        superseded: it ends without another word, so it cannot overwrite the new run's
        outputs).

        Returns the switch and a function that forgets it when the run ends.
        """
        event = Switch()
        key = session or uuid4().hex  # API callers without a session cancel by closing
        with self._lock:
            previous = self._running.get(key)
            if previous is not None:
                previous.superseded = True
                previous.set()
            self._running[key] = event

        def release() -> None:
            event.set()
            with self._lock:
                if self._running.get(key) is event:
                    del self._running[key]

        return event, release

    def cancel(self, session: str | None) -> bool:
        """Stop this session's run; ``True`` when one was running."""
        with self._lock:
            event = self._running.pop(session, None) if session else None
        if event is not None:
            event.set()
        return event is not None

    def __len__(self) -> int:
        with self._lock:
            return len(self._running)


@dataclass(frozen=True)
class Partial(Generic[P]):
    """What the worker emitted on its way."""

    value: P


@dataclass(frozen=True)
class Done(Generic[T]):
    """The worker's result."""

    value: T


def stream_job(job: Job[P, T], *, switches: CancelSwitches, session: str | None,
               name: str = "job") -> Iterator[Partial[P] | Done[T]]:
    """Run ``job(should_stop, emit)`` in a worker thread; yield a :class:`Partial` per
    ``emit`` and finally :class:`Done` with the job's return value.

    An exception in the job is raised here, in the view's thread (where it becomes a
    sentence), unless the job stopped because the session started a newer run: then the
    stream just ends. When the generator is closed or the session cancels, the switch
    is set and the job stops at its next ``should_stop()`` check, as it does when the process
    exits (:mod:`tabs.common.inflight`).
    """
    stop, release = switches.begin(session)
    inbox: queue.Queue = queue.Queue()

    def should_stop() -> bool:
        return stop.is_set() or exiting.is_set()

    def work() -> None:
        try:
            with computing():
                inbox.put(("done", job(should_stop, lambda item: inbox.put(("item", item)))))
        except BaseException as error:  # handed to the generator, which raises it
            inbox.put(("error", error))

    threading.Thread(target=work, daemon=True, name=name).start()
    try:
        while True:
            kind, value = inbox.get()
            if kind == "error":
                if stop.superseded:
                    return
                raise value
            if kind == "done":
                yield Done(value)
                return
            yield Partial(value)
    finally:
        release()  # a cancelled or closed stream stops the worker within one step


def progressive(job: Job[P, T], *, switches: CancelSwitches, session: str | None, name: str,
                partial: Callable[[list[P]], object | None], final: Callable[[T], object],
                stopped: Callable[[list[P]], object]) -> Iterator[object]:
    """The outputs of a view that shows each part of its result as soon as it exists: runs
    ``job`` through :func:`stream_job` and yields ``partial(parts)`` after each part (the parts
    so far, in the order they came; ``None`` yields nothing, e.g. when every part is there and
    the result follows), then :class:`~tabs.common.view.Final` outputs ``final(result)``, or
    ``stopped(parts)`` when the job was stopped (Cancel, or the lab exiting)."""
    parts: list[P] = []
    try:
        for update in stream_job(job, switches=switches, session=session, name=name):
            if isinstance(update, Done):
                yield Final(final(update.value))
                return
            parts.append(update.value)
            outputs = partial(parts)
            if outputs is not None:
                yield outputs
    except Stopped:
        yield stopped(parts)


def status(call: Call, key: str, done: Sequence[str], every: Sequence[str]) -> str:
    """The line under a view that is still computing or was stopped: the view's words for
    ``key`` with ``done`` of ``every`` part (counted, from their titles) and the ``pending``
    ones named."""
    pending = ", ".join(title for title in every if title not in done)
    return call.text(key, done=len(done), total=len(every), pending=pending)


@dataclass(frozen=True)
class NoSettings:
    """What a Cancel button sends: nothing (the session comes with the request)."""


def stopper(view: View, switches: CancelSwitches, texts: Texts) -> View:
    """A private view for a Cancel button: it stops this session's run of ``view`` (whose job
    runs with ``switches``) at its next step, so the run ends with its own "stopped" outputs.
    """

    def stop(call: Call[NoSettings]) -> None:
        switches.cancel(call.session)

    return View(f"{view.name}_cancel", NoSettings, stop, texts, public=False, session=True)
