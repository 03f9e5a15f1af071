"""A tab's opening gives way to the student: a first view the student ran while the tab was
still opening keeps its result, and an early click runs on the default layer."""

from __future__ import annotations

import time
from dataclasses import dataclass

import gradio as gr
import pytest

from core.models import ModelManager
from lab import EXAMPLE_IMAGES_DIR
from tabs import activations
from tabs.activations.views import MAPS
from tabs.common.asks import ASKS, Asks
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.form import Form
from tabs.common.i18n import Texts
from tabs.common.opening import Opening
from tabs.common.view import View
from tests.conftest import tiny_spec
from tests.views import call_view


def test_asks_says_whether_a_session_ran_a_view_since_a_moment():
    asks = Asks(size=2)
    before = time.monotonic()
    asks.note("s1", "activations")
    assert asks.since("s1", "activations", before)
    assert not asks.since("s1", "activations", time.monotonic())
    assert not asks.since("s2", "activations", before)
    assert not asks.since("s1", "ascent", before)
    asks.note(None, "activations")  # an API call without a session is not remembered
    assert not asks.since(None, "activations", before) and len(asks) == 1
    asks.note("s2", "activations")
    asks.note("s3", "activations")  # the oldest pair is forgotten
    assert len(asks) == 2 and not asks.since("s1", "activations", before)


def test_a_run_of_a_first_view_is_noted_for_its_session(tiny_ctx):
    before = time.monotonic()
    call_view(MAPS, tiny_ctx, "coffee.png", None, "tiny", "layer1", session="student-a")
    assert ASKS.since("student-a", MAPS.name, before)
    assert not ASKS.since("student-b", MAPS.name, before)


def test_a_click_before_the_layers_are_listed_runs_on_the_default_layer(tiny_ctx):
    """The layer field is empty (``None``) until the tab's opening has listed the layers."""
    early = call_view(MAPS, tiny_ctx, "coffee.png", None, "tiny", None)
    chosen = call_view(MAPS, tiny_ctx, "coffee.png", None, "tiny", "layer1")
    assert early[2] == chosen[2] and "layer1" in early[2]  # the summary names the layer
    assert early[0] == chosen[0]  # the same predictions


@pytest.fixture
def seed_named_ctx():
    """The tabs as they are built, with a tiny network under their default model's name."""
    models = ModelManager(device="cpu", specs={"resnet50": tiny_spec("resnet50")},
                          fallback="resnet50")
    return TabContext(models=models, lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR))


def _opening(ctx, tab) -> tuple[Form, Opening]:
    with gr.Blocks(), gr.Tab(tab.TITLE):
        form = Form(ctx, tab.__name__.rsplit(".", 1)[-1])
        tab.build(form)
    return form, Opening.of(form)


def _first_outputs(opening: Opening, updates: list[dict]) -> list[dict]:
    outputs = set(map(id, opening.steps[-1].outputs))
    return [u for u in updates if any(id(c) in outputs for c in u)]


@pytest.mark.parametrize("superseded", [False, True])
def test_the_opening_leaves_out_a_first_view_the_student_ran_since(seed_named_ctx, superseded):
    form, opening = _opening(seed_named_ctx, activations)
    updates = list(opening.run(form, {}, query={}, superseded=lambda: superseded))
    assert updates  # the setup steps (the model's layers) still reach the page
    assert len(_first_outputs(opening, updates)) == (0 if superseded else 1)


@dataclass(frozen=True)
class Steps:
    count: float = 3


def _count(call):
    yield from range(int(call.settings.count))


def test_the_opening_stops_its_stream_when_the_student_runs_the_view(tiny_ctx):
    view = View("counting", Steps, _count, Texts("counting", en={}, de={}), role="first")
    with gr.Blocks():
        form = Form(tiny_ctx, "counting")
        form.add(count=gr.Number(3))
        shown = gr.Number()
        form.wire(view, None, shown)
    opening = Opening.of(form)
    assert [update[shown] for update in opening.run(form, {}, query={})] == [0, 1, 2]
    seen: list[int] = []
    stream = opening.run(form, {}, query={}, superseded=lambda: len(seen) > 0)
    for update in stream:
        seen.append(update[shown])
    assert seen == [0]  # the first step, then the student's own run took over
