"""Input fields refuse what they cannot convert with a sentence, not a silent failure.

Gradio converts each input (``Component.preprocess``) before a handler runs: a NaN in a
whole-number field, no value for a slider or a broken file in the region editor fail there,
and with ``show_error=False`` the client learns only that something failed. No browser sends
such values, but any HTTP client can. :class:`tabs.common.form.Form` guards every component a
view reads, once, when the view is wired: a failure becomes a ``gr.Error`` naming the field.
Gradio's own sentences (its bounds check) pass through unchanged.
"""

from __future__ import annotations

import functools
import logging

import gradio as gr
from gradio.i18n import I18nData

from core.checks import excerpt
from tabs.common.i18n import english

log = logging.getLogger("lab")
_GUARDED = "_xai_lab_guarded"


def field_name(component: gr.components.Component) -> str:
    """The field's English label (its type when it has none)."""
    label = component.label
    if isinstance(label, I18nData):
        return english(label.key)
    return str(label) if label else type(component).__name__


def _quoted(payload: object) -> str:
    """A number or nothing is quoted; files and texts are not (they may name server paths)."""
    return f" ({payload!r})" if payload is None or isinstance(payload, (int, float)) else ""


def _guarded(preprocess, name: str):
    @functools.wraps(preprocess)
    def convert(payload):
        try:
            return preprocess(payload)
        except gr.Error:
            raise
        except Exception as error:  # noqa: BLE001 - any failure here is a value we cannot use
            log.info("refused a value for %s: %s", name, excerpt(repr(error), 200))
            raise gr.Error(f"The value sent for “{name}” cannot be used here{_quoted(payload)}. "
                           "Send a value of the kind the field shows: a finite number, a choice "
                           "from its list or an image file.", print_exception=False) from None

    return convert


def guard(component: gr.components.Component) -> None:
    """Give ``component``'s conversion a sentence for values it cannot take (once; a
    ``gr.State`` holds no value a client sends)."""
    if isinstance(component, gr.State) or getattr(component, _GUARDED, False):
        return
    # the wrapped conversion replaces the instance's own (Gradio calls it for this field)
    component.preprocess = _guarded(  # type: ignore[method-assign]
        component.preprocess, field_name(component))
    setattr(component, _GUARDED, True)
