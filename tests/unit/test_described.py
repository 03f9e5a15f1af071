"""Pictures with words: a view's caption is written from the sentences its pictures come with,
in the order of the pictures, and a stream keeps the words of a picture it leaves as it was."""

from __future__ import annotations

import re
from pathlib import Path

import gradio as gr
import numpy as np
import pytest

from tabs.common.described import Described, caption, captions, is_captions
from tabs.common.outputs import finish

PICTURE = np.zeros((4, 4, 3), np.uint8)


def _components():
    return [gr.Image(elem_id="one"), gr.Markdown(), gr.Image(elem_id="two"),
            captions("words")]


def _paragraphs(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<p data-for="([^"]+)">([^<]*)</p>', html)


def test_the_caption_names_each_picture_in_the_order_shown():
    components = _components()
    assert is_captions(components[-1]) and not is_captions(gr.HTML())
    first, text, second, words = finish(
        (Described(PICTURE, "Second & last"), "**text**", Described(PICTURE, "Other")),
        components).values
    assert Path(first).exists() and first == second and text == "**text**"
    assert "aria-live" not in words  # the announcer speaks a result once, not its caption
    assert _paragraphs(words) == [("one", "Second &amp; last"), ("two", "Other")]


def test_a_stream_keeps_the_words_of_a_picture_it_leaves_as_it_was():
    components, sentences = _components(), {}
    finish((Described(PICTURE, "early"), "a", None), components, sentences)
    *_, words = finish((None, "b", Described(PICTURE, "late")), components, sentences).values
    assert _paragraphs(words) == [("one", "early"), ("two", "late")]


def test_without_components_the_pictures_come_without_words():
    picture, text = finish((Described(PICTURE, "words"), "t"), ()).values
    assert picture is PICTURE and text == "t"
    assert finish(Described(PICTURE, "w"), ()).values is PICTURE


def test_a_described_picture_needs_an_id_and_a_caption():
    with pytest.raises(ValueError, match="elem_id"):
        finish(Described(PICTURE, "w"), [gr.Image(), captions("w")])
    with pytest.raises(ValueError, match="caption"):
        finish(Described(PICTURE, "w"), [gr.Image(elem_id="alone")])


def test_empty_sentences_are_left_out():
    assert caption([("a", ""), ("b", "<b>")]) == \
        '<div><p data-for="b">&lt;b&gt;</p></div>'
