"""Handlers turn student mistakes into sentences and hide everything else behind an apology."""

from __future__ import annotations

import gradio as gr
import pytest

from tabs.common.errors import user_errors


@user_errors
def plain(kind: str) -> str:
    if kind == "value":
        raise ValueError("Choose a layer from the list.")
    if kind == "bug":
        raise KeyError("internal detail")
    return "ok"


@user_errors
def streaming(kind: str):
    yield "first tile"
    if kind == "value":
        raise ValueError("Filter 900 does not exist.")
    if kind == "bug":
        raise ZeroDivisionError("internal detail")
    yield "done"


def test_plain_handler():
    assert plain("fine") == "ok"
    with pytest.raises(gr.Error, match="Choose a layer from the list."):
        plain("value")
    with pytest.raises(gr.Error) as caught:
        plain("bug")
    assert "internal detail" not in str(caught.value) and "Something went wrong" in str(caught.value)


def test_streaming_handler_stays_a_generator():
    assert list(streaming("fine")) == ["first tile", "done"]
    stream = streaming("value")
    assert next(stream) == "first tile"
    with pytest.raises(gr.Error, match="Filter 900 does not exist."):
        next(stream)
    with pytest.raises(gr.Error, match="Something went wrong"):
        list(streaming("bug"))


def test_the_apology_speaks_the_request_language():
    @user_errors
    def broken(request: gr.Request):
        raise KeyError("internal detail")

    with pytest.raises(gr.Error, match="etwas schiefgegangen") as caught:
        broken(gr.Request(query_params={"lang": "de"}, headers={}))
    assert "internal detail" not in str(caught.value)
    with pytest.raises(gr.Error, match="Something went wrong"):
        broken(request=gr.Request(query_params={}, headers={"accept-language": "en-GB"}))
