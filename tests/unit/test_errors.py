"""Views turn student mistakes into sentences in the page's language and hide everything else
behind an apology."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import pytest

from core.checks import InputError
from tabs.common.errors import TEXTS
from tabs.common.view import Call, View
from tests.views import call_view


@dataclass(frozen=True)
class Kind:
    kind: str = "fine"


def plain(call: Call[Kind]) -> str:
    if call.settings.kind == "input":
        raise InputError("Choose a layer from the list.", "Wähle eine Schicht aus der Liste.")
    if call.settings.kind == "value":
        raise ValueError("an internal check of our own code")
    if call.settings.kind == "bug":
        raise KeyError("internal detail")
    return "ok"


def streaming(call: Call[Kind]):
    yield "first tile"
    if call.settings.kind == "input":
        raise InputError("Filter 900 does not exist.", "Filter 900 gibt es nicht.")
    if call.settings.kind == "bug":
        raise ZeroDivisionError("internal detail")
    yield "done"


PLAIN = View("plain", Kind, plain, TEXTS)
STREAMING = View("streaming", Kind, streaming, TEXTS)


def test_plain_view(tiny_ctx):
    assert call_view(PLAIN, tiny_ctx, "fine") == "ok"
    with pytest.raises(gr.Error, match="Choose a layer from the list."):
        call_view(PLAIN, tiny_ctx, "input")
    with pytest.raises(gr.Error, match="Wähle eine Schicht aus der Liste."):
        call_view(PLAIN, tiny_ctx, "input", lang="de")
    for kind in ("value", "bug"):  # a plain ValueError is our mistake, not the student's
        with pytest.raises(gr.Error) as caught:
            call_view(PLAIN, tiny_ctx, kind)
        assert "internal" not in str(caught.value) and "Something went wrong" in str(caught.value)


def test_streaming_view_stays_a_generator(tiny_ctx):
    from tabs.common.form import event_function
    from tests.views import page

    assert call_view(STREAMING, tiny_ctx, "fine") == ["first tile", "done"]
    stream = event_function(STREAMING, tiny_ctx)("input", page())
    assert next(stream) == "first tile"
    with pytest.raises(gr.Error, match="Filter 900 does not exist."):
        next(stream)
    with pytest.raises(gr.Error, match="Something went wrong"):
        call_view(STREAMING, tiny_ctx, "bug")


def test_the_apology_speaks_the_page_language(tiny_ctx):
    with pytest.raises(gr.Error, match="etwas schiefgegangen") as caught:
        call_view(PLAIN, tiny_ctx, "bug", lang="de")
    assert "internal detail" not in str(caught.value)

