"""The worksheet panel's handlers, called as Gradio calls them: a step's link keeps the page's
language and embedding, a result question is marked against the student's own result, and
the answer comes back for the browser to keep."""

from __future__ import annotations

from dataclasses import dataclass, field

import gradio as gr
import pytest

from core.worksheets import parse
from lab.worksheets import Library
from lab.worksheets.panel import WorksheetPanel, result_text
from tests.unit.test_worksheets import GOOD


@dataclass
class FakeRequest:
    query_params: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


@pytest.fixture
def panel():
    worksheet, _ = parse(GOOD, name="dogs")
    with gr.Blocks():
        reached = gr.Label()
        return WorksheetPanel.create(Library({"dogs": worksheet}),
                                     {"counterfactual.reached": reached}, "en")


def at_step(step: int) -> dict:
    return {"sheet": "dogs", "sheets": {"dogs": {"step": step, "answers": {}}}}


def test_a_result_question_accepts_the_class_this_student_reached(panel):
    label = {"label": "golden retriever (#207)", "confidences": []}
    assert result_text(label) == "golden retriever (#207)"
    feedback, _, _, kept = panel.marked(FakeRequest(), at_step(3), "207", None, None, "",
                                        "http://lab/", label)
    assert feedback.startswith("✓ **Right.**")
    answer = kept["sheets"]["dogs"]["answers"]["3"]
    assert answer["correct"] is True and answer["expected"] == "golden retriever (#207)"
    feedback, *_ = panel.marked(FakeRequest(), at_step(3), "208", None, None, "", "", label)
    assert "Expected: golden retriever (#207)" in feedback


def test_without_a_result_the_student_is_told_to_run_the_view_first(panel):
    request = FakeRequest({"lang": "de"})
    feedback, header, steps, kept = panel.marked(request, at_step(3), "207", None, None, "",
                                                 "", None)
    assert feedback.startswith("Das Lab hat für diesen Schritt noch kein Ergebnis")
    assert kept["sheets"]["dogs"]["answers"] == {}  # nothing kept


def test_the_step_link_keeps_language_and_embedding_and_the_answer_keeps_it(panel):
    request = FakeRequest({"lang": "de", "embed": "pdp", "worksheet": "dogs"})
    shown = panel.show(at_step(1), "dogs", "de", request)
    link = shown[panel.screen.index(panel.link)]
    assert link == ("?tab=attribution&image=both.png&target=207&method=gradcam&lang=de"
                    "&embed=attribution&worksheet=dogs")
    _, _, _, kept = panel.marked(request, at_step(1), "", "golden retriever", None,
                                 "data:image/jpeg;base64,AAAA", "http://lab/", None)
    answer = kept["sheets"]["dogs"]["answers"]["1"]
    assert answer["link"] == f"http://lab/{link}" and answer["picture"].endswith("AAAA")


def test_an_unknown_worksheet_name_is_said_not_hidden(panel):
    opened = panel.opened({}, FakeRequest({"worksheet": "nope"}))
    assert "There is no worksheet called 'nope'." in opened[3 + panel.screen.index(panel.header)]

