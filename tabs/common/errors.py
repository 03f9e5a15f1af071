"""Turn the errors a student can cause into readable messages in the browser."""

from __future__ import annotations

import functools
import inspect
import logging
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import gradio as gr

from core.models import WeightsUnavailableError

F = TypeVar("F", bound=Callable)
log = logging.getLogger("lab")


def user_errors(handler: F) -> F:
    """Wrap an event handler: ``ValueError`` and missing weights become ``gr.Error`` sentences.

    Anything else is logged with its traceback on the server and shown as a short apology,
    so no stack trace reaches the browser and the process keeps serving others. Generator
    handlers (streaming results) stay generators.
    """

    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def streaming(*args, **kwargs):
            with _translated(handler.__name__):
                yield from handler(*args, **kwargs)

        return streaming  # type: ignore[return-value]

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        with _translated(handler.__name__):
            return handler(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@contextmanager
def _translated(name: str) -> Iterator[None]:
    try:
        yield
    except gr.Error:
        raise
    except (ValueError, WeightsUnavailableError) as error:
        raise gr.Error(str(error), print_exception=False) from None
    except Exception:
        log.exception("unexpected error in %s", name)
        raise gr.Error(
            "Something went wrong on the server while computing this. "
            "Please try again or choose other settings.", print_exception=False,
        ) from None
