"""Words for pictures: a view's caption says what each of its result pictures shows.

A caption is one ``gr.HTML`` output under a view's pictures, visible to everyone and a live
region, so a screen reader announces a result when it arrives. Each sentence names the
picture it describes (``data-for``: the picture's ``elem_id``); the page's script
(:mod:`lab.accessibility`) makes it that picture's ``alt`` text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import gradio as gr


def captions(elem_id: str) -> gr.HTML:
    """The caption output of a view (place it under the view's pictures)."""
    return gr.HTML(elem_id=elem_id, elem_classes="xai-described", padding=False)


def caption(sentences: Sequence[tuple[str, str]]) -> str:
    """The caption's HTML: ``(picture elem_id, what it shows)`` per picture, in order."""
    paragraphs = "".join(f'<p data-for="{html.escape(elem_id)}">{html.escape(text)}</p>'
                         for elem_id, text in sentences if text)
    return f'<div role="status" aria-live="polite">{paragraphs}</div>'
