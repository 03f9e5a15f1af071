"""Turn the errors a student can cause into readable messages in the browser."""

from __future__ import annotations

import functools
import logging
from typing import Callable, TypeVar

import gradio as gr

from core.weights import WeightsUnavailableError

F = TypeVar("F", bound=Callable)
log = logging.getLogger("lab")


def user_errors(handler: F) -> F:
    """Wrap an event handler: ``ValueError`` and missing weights become ``gr.Error`` sentences.

    Anything else is logged with its traceback on the server and shown as a short apology,
    so no stack trace reaches the browser and the process keeps serving others.
    """

    @functools.wraps(handler)
    def wrapper(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except gr.Error:
            raise
        except (ValueError, WeightsUnavailableError) as error:
            raise gr.Error(str(error), print_exception=False) from None
        except Exception:
            log.exception("unexpected error in %s", handler.__name__)
            raise gr.Error(
                "Something went wrong on the server while computing this. "
                "Please try again or choose other settings.", print_exception=False,
            ) from None

    return wrapper  # type: ignore[return-value]
