"""Links to a view: values from an address go into the components they fit, only for the
tab the link names."""

from __future__ import annotations

import gradio as gr
import pytest

from lab.links import CopyLink, copy_script
from tabs.common.links import MAX_TEXT, linked_values, parse


def skipped(value) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update" and len(value) == 1


def test_numbers_take_finite_numbers_and_whole_ones_where_whole_ones_belong():
    whole = gr.Number(precision=0)
    assert parse(whole, "285") == 285
    assert parse(whole, "285.0") == 285
    for bad in ("2.5", "nan", "inf", "cat", ""):
        assert skipped(parse(whole, bad)), bad
    assert parse(gr.Number(), "0.25") == 0.25


def test_choices_must_be_offered_unless_the_list_is_filled_later():
    fixed = gr.Dropdown([("Saliency", "saliency"), ("Grad-CAM", "gradcam")], value="gradcam")
    assert parse(fixed, "saliency") == "saliency"
    assert skipped(parse(fixed, "Saliency"))  # the label is not a value
    assert parse(gr.Dropdown([], allow_custom_value=False), "blocks.5") == "blocks.5"
    assert parse(gr.Dropdown(["a"], allow_custom_value=True), "b") == "b"
    radio = gr.Radio(["all layers", "last layer only"])
    assert skipped(parse(radio, "every layer"))
    boxes = gr.CheckboxGroup(["saliency", "gradcam", "occlusion"])
    assert parse(boxes, "gradcam,nonsense,occlusion") == ["gradcam", "occlusion"]
    assert skipped(parse(boxes, "nonsense"))


def test_texts_are_cut_to_a_bound():
    assert parse(gr.Textbox(), "a cat\na dog") == "a cat\na dog"
    assert len(parse(gr.Textbox(), "x" * 50_000)) == MAX_TEXT


def test_only_a_link_to_the_tab_sets_its_fields():
    with gr.Blocks():
        fields = {"target": gr.Number(precision=0), "layer": gr.Dropdown([])}
    target, layer = fields.values()
    linked = linked_values("attribution", fields, dict(tab="attribution", target="7",
                                                       layer="blocks.6"))
    assert linked == {target: 7, layer: "blocks.6"}
    assert linked_values("attribution", fields, dict(embed="attribution", target="7")) \
        == {target: 7}
    assert linked_values("attribution", fields, dict(tab="ascent", target="7")) == {}
    assert linked_values("attribution", fields, dict(tab="attribution")) == {}
    assert linked_values("attribution", fields, {}) == {}
    assert linked_values("attribution", fields, dict(tab="attribution", target="x")) == {}


def test_a_tab_with_an_unknown_key_is_refused_when_built():
    with gr.Blocks():
        copy = CopyLink.create("pdp")
        with pytest.raises(ValueError, match="unknown keys"):
            copy.wire({"colour": gr.Textbox()})


def test_the_link_keeps_language_and_embedding_and_names_the_tab():
    script = copy_script("pdp", {"feature": gr.Textbox()})
    assert '["lang", "embed"]' in script and 'query.set("tab", "pdp")' in script
    assert '["feature"]' in script
