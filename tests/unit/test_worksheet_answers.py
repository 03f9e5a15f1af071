"""What the browser keeps for a worksheet and the answers file made from it."""

from __future__ import annotations

from core.worksheets import parse
from lab.worksheets import record, report
from tests.unit.test_worksheets import GOOD

PICTURE = "data:image/jpeg;base64,/9j/AAAA"


def _worksheet():
    worksheet, problems = parse(GOOD, name="dogs")
    assert not problems
    return worksheet


def test_a_tampered_record_is_cleaned_not_trusted():
    stored = {"sheet": 3, "sheets": {"dogs": {"step": "2", "answers": {
        "1": {"answer": "x" * 9000, "correct": "yes", "picture": "javascript:alert(1)"},
        "2": "not an answer"}}, "other": []}}
    clean = record.clean(stored)
    assert clean["sheet"] is None and list(clean["sheets"]) == ["dogs"]
    answer = clean["sheets"]["dogs"]["answers"]["1"]
    assert len(answer["answer"]) == record.MAX_ANSWER
    assert answer["correct"] is None and answer["picture"] == "" and not answer["checked"]
    assert clean["sheets"]["dogs"]["step"] == 1 and "2" not in clean["sheets"]["dogs"]["answers"]
    assert record.clean(None) == {"sheet": None, "sheets": {}}


def test_answers_are_kept_per_worksheet_and_step():
    progress = record.with_step(record.clean({}), "dogs", 2)
    progress = record.with_answer(progress, "dogs", 1, {
        "answer": "golden retriever", "checked": True, "correct": True, "link": "http://x/?a=1",
        "picture": PICTURE})
    assert progress["sheet"] == "dogs" and record.sheet(progress, "dogs")["step"] == 1
    assert record.tally(_worksheet(), record.sheet(progress, "dogs")["answers"]) == (1, 4, 1)
    assert record.sheet(progress, "other") == {"step": 1, "answers": {}}


def test_the_answers_file_lists_each_question_answer_check_link_and_picture():
    answers = record.with_answer(record.clean({}), "dogs", 1, {
        "answer": "German shepherd", "checked": True, "correct": False,
        "expected": "golden retriever", "link": "http://lab/?tab=attribution&worksheet=dogs",
        "picture": PICTURE})
    answers = record.with_answer(answers, "dogs", 3, {"answer": "<b>my</b> words"})
    kept = record.sheet(answers, "dogs")["answers"]
    markdown = report.markdown(_worksheet(), kept, "en")
    first = markdown.split("## 1. Open the view", 1)[1].split("\n## ", 1)[0]
    assert "**Question:** Which dog is class 207?" in first
    assert "> German shepherd" in first
    assert "**Status:** checked: wrong (expected golden retriever)" in first
    assert "**View:** <http://lab/?tab=attribution&worksheet=dogs>" in first
    assert f"]({PICTURE})" in first
    assert "## 2. Count" in markdown and "not answered" in markdown
    assert "2 of 4 questions answered, 0 right." in markdown
    html = report.html(_worksheet(), kept, "en")
    assert f'<img src="{PICTURE}"' in html and "&lt;b&gt;my&lt;/b&gt; words" in html
    assert "<b>my</b>" not in html  # a student's HTML is shown, never rendered
    german = report.markdown(_worksheet(), kept, "de")
    assert "**Stand:** geprüft: falsch (erwartet golden retriever)" in german
