"""The lab's layout as Gradio's frontend needs it."""

from __future__ import annotations

import gradio as gr

from core.models import ModelManager
from lab.app import build_lab
from lab.settings import Settings


def _blocks(block: gr.blocks.Block):
    yield block
    for child in getattr(block, "children", []):
        yield from _blocks(child)


def test_every_child_of_a_tabs_block_is_a_tab():
    """Any other child (a ``gr.State`` made after its ``gr.Tab`` closed) makes the browser
    draw the wrong tab buttons: choosing one sub-tab copied its button over the next."""
    lab = build_lab(Settings(device="cpu", offline=True), ModelManager(device="cpu",
                                                                      offline=True))
    groups = [block for block in _blocks(lab.demo) if isinstance(block, gr.Tabs)]
    assert len(groups) >= 5  # the pages and the sub-tabs of attribution, counterfactual, …
    strays = {(group.elem_id, type(child).__name__) for group in groups
              for child in group.children if not isinstance(child, gr.Tab)}
    assert not strays
