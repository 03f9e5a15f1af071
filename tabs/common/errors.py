"""Turn the errors a student can cause into readable messages in the browser."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr

from core.checks import InputError
from core.models import WeightsUnavailableError
from tabs.common.i18n import Texts

TEXTS = Texts("errors", en={
    "apology": "Something went wrong on the server while computing this. "
               "Please try again or choose other settings.",
}, de={
    "apology": "Auf dem Server ist bei dieser Berechnung etwas schiefgegangen. "
               "Bitte versuche es noch einmal oder wähle andere Einstellungen.",
})

log = logging.getLogger("lab")


@contextmanager
def translated(name: str, lang: str) -> Iterator[None]:
    """Inside, an :class:`~core.checks.InputError` or missing weights become a ``gr.Error``
    sentence in ``lang``; anything else (a plain ``ValueError`` included: only our own code can
    cause one) is logged with its traceback and shown as a short apology, so no stack trace
    reaches the browser and the process keeps serving the others."""
    try:
        yield
    except gr.Error:
        raise
    except (InputError, WeightsUnavailableError) as error:
        raise gr.Error(error.in_language(lang), print_exception=False) from None
    except Exception:
        log.exception("unexpected error in %s", name)
        raise gr.Error(TEXTS.text("apology", lang), print_exception=False) from None
