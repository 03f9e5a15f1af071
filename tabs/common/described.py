"""Words for pictures: a view's caption says what each of its result pictures shows.

A handler returns a result picture as :class:`Described` (the picture and the sentence that
says what it shows, from :mod:`tabs.common.alt_text`). A view whose outputs show pictures ends
its outputs with one caption (:func:`captions`, placed under the pictures); the handler returns
no value for it: :func:`tabs.common.outputs.finish` gives each picture its component and writes
the caption from the sentences, visible to everyone (a screen reader hears a result's arrival
from the page's announcer, :mod:`tabs.common.announce`, not from here). Each sentence names
the picture it describes (``data-for``: the picture's ``elem_id``); the page's script
(:mod:`lab.accessibility`) makes it that picture's ``alt`` text. Gradio's own ``alt_text`` of
``gr.Image`` is a property, which a handler could change only by returning a new component
(ARCHITECTURE.md, rule 10).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

import gradio as gr

CAPTIONS = "xai-described"
"""The class that marks a view's caption output."""


@dataclass(frozen=True)
class Described:
    """A result picture (an array, a figure, a pair for a slider, a gallery's list) and what
    it shows, in the page's language."""

    picture: object
    text: str


def captions(elem_id: str) -> gr.HTML:
    """The caption output of a view (place it under the view's pictures, last in its
    outputs)."""
    return gr.HTML(elem_id=elem_id, elem_classes=CAPTIONS, padding=False)


def is_captions(component: object) -> bool:
    """Whether ``component`` is a view's caption output."""
    return isinstance(component, gr.HTML) and CAPTIONS in (component.elem_classes or [])


def caption(sentences: Iterable[tuple[str, str]]) -> str:
    """The caption's HTML: ``(picture elem_id, what it shows)`` per picture, in order."""
    paragraphs = "".join(f'<p data-for="{html.escape(elem_id)}">{html.escape(text)}</p>'
                         for elem_id, text in sentences if text)
    return f"<div>{paragraphs}</div>"


def plain(value: object) -> object:
    """``value`` (one output's value) without its words."""
    return value.picture if isinstance(value, Described) else value
