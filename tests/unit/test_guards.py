"""Input fields that cannot convert a value say so in a sentence naming the field."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import pytest

from tabs.attribution.texts import T
from tabs.common.form import Form
from tabs.common.view import View


@dataclass(frozen=True)
class Pair:
    target: float = 0
    opacity: float = 0.5


def test_values_gradio_cannot_convert_get_a_sentence_naming_the_field(tiny_ctx):
    view = View("pair", Pair, lambda call: f"{call.settings.target} {call.settings.opacity}", T)
    with gr.Blocks():
        target = gr.Number(precision=0, minimum=0, label=T.label("target"))
        opacity = gr.Slider(0, 1, label="Opacity")
        unused = gr.Number(label="Not an input")
        form = Form(tiny_ctx, "attribution")
        form.add(target=target, opacity=opacity)
        form.wire(view, gr.Button().click, gr.Textbox())
    assert target.preprocess(3.0) == 3 and opacity.preprocess(0.5) == 0.5
    with pytest.raises(gr.Error, match="“Target class index”"):
        target.preprocess(float("nan"))
    with pytest.raises(gr.Error, match="“Opacity”.*None"):
        opacity.preprocess(None)
    # a text or file that may name a server path is not quoted back
    with pytest.raises(gr.Error) as refused:
        target.preprocess("/etc/passwd")
    assert "Target class index" in str(refused.value) and "/etc" not in str(refused.value)
    # Gradio's own sentence for a value out of bounds passes through unchanged
    with pytest.raises(gr.Error, match="less than minimum value 0"):
        target.preprocess(-3)
    assert hasattr(target.preprocess, "__wrapped__")
    assert not hasattr(unused.preprocess, "__wrapped__")  # no event takes it: left alone
