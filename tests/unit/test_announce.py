"""A result a student asked for (a button, Enter in a text field) is announced to screen
readers by a browser-only step after its event; cascades and quiet updates are not."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from tabs.common.announce import SCRIPT
from tabs.common.errors import TEXTS
from tabs.common.form import Form
from tabs.common.view import Call, View


@dataclass(frozen=True)
class Word:
    word: str = "cat"


def echo(call: Call[Word]) -> str:
    return call.settings.word


ECHO = View("echo", Word, echo, TEXTS)


def _announcements(build) -> list[dict]:
    """The browser-only announcing steps of a page ``build(form, word, out)`` wires."""
    with gr.Blocks() as demo:
        word, out = gr.Textbox("cat"), gr.Markdown()
        form = Form(ctx=None, slug="t")  # type: ignore[arg-type]  # echo needs no context
        form.add(word=word)
        build(form, word, out)
    config = demo.get_config_file()
    return [d for d in config["dependencies"] if d.get("js") == SCRIPT]


def test_a_requested_result_is_announced_in_the_browser_only():
    def build(form, word, out):
        run = gr.Button("Run")
        form.wire(ECHO, run.click, out)
        form.wire(ECHO, word.submit, out)

    announcing = _announcements(build)
    assert len(announcing) == 2
    for step in announcing:
        assert step["backend_fn"] is False  # nothing reaches the server
        assert step["api_visibility"] == "private" and step["trigger_after"] is not None
        assert step["trigger_only_on_success"] is True
        assert len(step["inputs"]) == 1  # the event's output, handed to the page script
    assert "xaiAnnounce" in SCRIPT


def test_cascades_and_quiet_updates_are_not_announced():
    def build(form, word, out):
        run = gr.Button("Run")
        form.wire(ECHO, word.change, out)  # follows a value, also one set by the page
        form.wire(ECHO, run.click, out, show_progress="hidden")  # updates nobody waits for
        form.wire(ECHO, run.click, None)  # nothing comes back (a Cancel)

    assert _announcements(build) == []
