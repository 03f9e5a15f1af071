"""Telling screen readers that a result arrived.

A student who starts a view by keyboard keeps the focus on its button while the result is
computed (the attribution comparison takes seconds) and learns nothing when it arrives. So
every event a student asks for by a button or by Enter in a text field (not the cascades that
follow a changed value, which would speak up while a page opens) is followed, when it
succeeded and showed its progress, by a step that runs in the browser only: it hands the
event's outputs to the page script's ``xaiAnnounce`` (``lab/assets/accessibility.js``), which
says "Result ready:" in the page's language in a polite live region, with the outputs' gist
(the first sentence of a picture's caption, else a label's top class, else the first sentence
of the first text). No request reaches the server; a page without the script announces
nothing.

Why not a live region per view: Gradio replaces an output's whole markup on each update, and
screen readers announce changes to a live region that was already there, not a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr

SCRIPT = "(...values) => { window.xaiAnnounce?.(values); }"
"""The browser-only step: the outputs' values, in the event's output order."""


ASKED = ("click", "submit")
"""The events by which a student asks for a result."""


def asked(triggers: Any) -> bool:
    """Whether ``triggers`` (an event listener or a list of them) include a student's request."""
    listeners = triggers if isinstance(triggers, (list, tuple)) else [triggers]
    return any(getattr(listener, "event_name", None) in ASKED for listener in listeners)


def announce_after(dependency: Any, outputs: Sequence[gr.components.Component]) -> None:
    """After ``dependency`` succeeds, announce its ``outputs`` (see the module's docstring)."""
    dependency.success(None, inputs=list(outputs), js=SCRIPT, queue=False,
                       show_progress="hidden", api_visibility="private")
