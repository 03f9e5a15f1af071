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
from tabs.common.inflight import computing, counted_steps

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
    handlers (streaming results) stay generators. A handler that takes no ``gr.Request``
    still gets its sentences in the page's language: the wrapper asks Gradio for the request
    (one more parameter) and does not pass it on. While the handler computes, it counts as
    running (:mod:`tabs.common.inflight`), so the process finishes it before exiting.
    """
    signature = inspect.signature(handler)
    takes = len(signature.parameters) if _asks_for_request(signature) else None

    def split(args: tuple, kwargs: dict) -> tuple[tuple, dict, gr.Request | None]:
        if takes is None:
            return args, kwargs, _request(args, kwargs)
        request = kwargs.pop(_REQUEST, None)
        if len(args) > takes:
            args, request = args[:-1], args[-1]
        return args, kwargs, request

    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def streaming(*args, **kwargs):
            args, kwargs, request = split(args, kwargs)
            with _translated(handler.__name__, request):
                yield from counted_steps(handler(*args, **kwargs))

        wrapped = streaming
    else:

        @functools.wraps(handler)
        def wrapper(*args, **kwargs):
            args, kwargs, request = split(args, kwargs)
            with _translated(handler.__name__, request), computing():
                return handler(*args, **kwargs)

        wrapped = wrapper
    if takes is not None:
        extra = inspect.Parameter(_REQUEST, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                  default=None, annotation=gr.Request)
        wrapped.__signature__ = signature.replace(
            parameters=[*signature.parameters.values(), extra])
        wrapped.__annotations__ = {**handler.__annotations__, _REQUEST: gr.Request}
    return wrapped  # type: ignore[return-value]


_REQUEST = "page_request"


def _asks_for_request(signature: inspect.Signature) -> bool:
    """Whether the wrapper must add a request parameter: the handler takes none (the lab's
    handlers call it ``request``) and can take one more positional parameter."""
    return not any(p.kind in (p.VAR_POSITIONAL, p.KEYWORD_ONLY, p.VAR_KEYWORD)
                   or p.name == "request"
                   for p in signature.parameters.values())


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
    except (InputError, WeightsUnavailableError) as error:
        raise gr.Error(error.in_language(request_language(request)), print_exception=False) from None
    except ValueError as error:
        raise gr.Error(str(error), print_exception=False) from None
    except Exception:
        log.exception("unexpected error in %s", name)
        raise gr.Error(TEXTS.text("apology", request_language(request)),
                       print_exception=False) from None
