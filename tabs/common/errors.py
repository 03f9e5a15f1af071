"""Turn the errors a student can cause into readable messages in the browser."""

from __future__ import annotations

import functools
import inspect
import logging
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import gradio as gr

from core.checks import InputError
from core.models import WeightsUnavailableError
from tabs.common.i18n import Texts, request_language

TEXTS = Texts("errors", en={
    "apology": "Something went wrong on the server while computing this. "
               "Please try again or choose other settings.",
}, de={
    "apology": "Auf dem Server ist bei dieser Berechnung etwas schiefgegangen. "
               "Bitte versuche es noch einmal oder wähle andere Einstellungen.",
})

F = TypeVar("F", bound=Callable)
log = logging.getLogger("lab")


def user_errors(handler: F) -> F:
    """Wrap an event handler: ``ValueError`` and missing weights become ``gr.Error`` sentences
    (an :class:`~core.checks.InputError` in the request's language).

    Anything else is logged with its traceback on the server and shown as a short apology,
    so no stack trace reaches the browser and the process keeps serving others. Generator
    handlers (streaming results) stay generators.
    """

    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def streaming(*args, **kwargs):
            with _translated(handler.__name__, _request(args, kwargs)):
                yield from handler(*args, **kwargs)

        return streaming  # type: ignore[return-value]

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        with _translated(handler.__name__, _request(args, kwargs)):
            return handler(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _request(args: tuple, kwargs: dict) -> gr.Request | None:
    """The handler's ``gr.Request`` (for the apology's language), if it takes one."""
    return next((value for value in (*args, *kwargs.values())
                 if isinstance(value, gr.Request)), None)


@contextmanager
def _translated(name: str, request: gr.Request | None) -> Iterator[None]:
    try:
        yield
    except gr.Error:
        raise
    except InputError as error:
        raise gr.Error(error.in_language(request_language(request)), print_exception=False) from None
    except (ValueError, WeightsUnavailableError) as error:
        raise gr.Error(str(error), print_exception=False) from None
    except Exception:
        log.exception("unexpected error in %s", name)
        raise gr.Error(TEXTS.text("apology", request_language(request)),
                       print_exception=False) from None
