"""Input fields that cannot convert a value say so in a sentence naming the field."""

from __future__ import annotations

import gradio as gr
import pytest

from lab.guards import guard_inputs
from tabs.attribution.texts import T


def test_values_gradio_cannot_convert_get_a_sentence_naming_the_field():
    with gr.Blocks() as demo:
        target = gr.Number(precision=0, minimum=0, label=T.label("target"))
        opacity = gr.Slider(0, 1, label="Opacity")
        unused = gr.Number(label="Not an input")
        out = gr.Textbox()
        gr.Button().click(lambda a, b: f"{a} {b}", [target, opacity], out)
    assert guard_inputs(demo) == 2
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
