"""How long computations say how far they are: a fraction and a :class:`Step`, a code with its
values that the tab words in the page's language (core writes no display sentences); how they
hand over each part of a result as soon as it exists, and how they stop when asked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    """What a computation is doing: ``code`` (e.g. ``"method"``) and the values its sentence
    needs (e.g. ``{"method": "integrated_gradients"}``)."""

    code: str
    values: Mapping[str, object] = field(default_factory=dict)


Progress = Callable[[float, Step], None]
"""``progress(fraction, step)``: how far (0 to 1) and what is being done."""


def report(progress: Progress | None, fraction: float, code: str, **values: object) -> None:
    """Tell ``progress`` (when there is one) that ``code`` is being done, ``fraction`` of the
    way."""
    if progress is not None:
        progress(fraction, Step(code, values))


class Stopped(Exception):
    """A computation that was asked to stop (its ``should_stop()`` said so) before it ended."""


def stop_if(should_stop: Callable[[], bool] | None) -> None:
    """Raise :class:`Stopped` when ``should_stop()`` says so (between two parts of a result)."""
    if should_stop is not None and should_stop():
        raise Stopped


def within(progress: Progress | None, start: float, share: float) -> Progress | None:
    """``progress`` for a part of the work that covers ``share`` of it from ``start`` on."""
    if progress is None:
        return None
    return lambda fraction, step: progress(start + share * fraction, step)
