"""Worksheet files: read, checked against what the lab offers, answers marked; every problem
is a sentence naming its line, in English and German."""

from __future__ import annotations

import pytest

from core.checks import InputError
from core.worksheets import Vocabulary, check, grade, parse

WORDS = Vocabulary(links={"attribution": frozenset({"image", "target", "layer", "method"}),
                          "pdp": frozenset({"feature", "model"})},
                   results=frozenset({"counterfactual.reached"}))

GOOD = """---
title: Two dogs
language: en
course: XAI, lesson 4
---
Work through the steps.

## 1. Open the view
Look at the picture.

view: tab=attribution&image=both.png&target=207&method=gradcam

```question
type: single
text: Which dog is class 207?
options:
  - German shepherd
  - golden retriever
answer: golden retriever
explanation: ImageNet class 207 is the golden retriever.
```

## 2. Count
```python
view: not a link inside code
## 9. not a step inside code
```

```question
type: number
text: How many dogs?
answer: 2
tolerance: 0
explanation: Two.
```

## 3. Your result
```question
type: text
text: Which class did your counterfactual reach?
from: counterfactual.reached
```

## 4. Several
```question
type: multiple
text: Which are dogs?
options: [beagle, tabby, pug]
answer: [beagle, pug]
explanation: A tabby is a cat.
```
"""


def problems_of(text: str) -> list[tuple[int, str]]:
    worksheet, problems = parse(text, name="sheet")
    if worksheet is not None:
        problems += check(worksheet, WORDS)
    for problem in problems:  # every sentence exists in both languages
        assert problem.en and problem.de and problem.en != problem.de
    return [(p.line, p.en) for p in problems]


def test_a_good_worksheet_is_read_step_by_step():
    worksheet, problems = parse(GOOD, name="dogs")
    assert problems == [] and check(worksheet, WORDS) == []
    assert (worksheet.name, worksheet.title, worksheet.language, worksheet.course) == \
        ("dogs", "Two dogs", "en", "XAI, lesson 4")
    assert worksheet.intro == "Work through the steps."
    assert [s.number for s in worksheet.steps] == [1, 2, 3, 4]
    first, second, third, fourth = worksheet.steps
    assert first.view == "tab=attribution&image=both.png&target=207&method=gradcam"
    assert first.view_line == 11 and first.text == "Look at the picture."
    assert first.question.options == ("German shepherd", "golden retriever")
    assert first.question.answer == "golden retriever"
    assert second.view is None and "view: not a link inside code" in second.text
    assert (second.question.answer, second.question.tolerance) == (2.0, 0.0)
    assert third.question.source == "counterfactual.reached" and third.question.checkable
    assert fourth.question.answer == ("beagle", "pug")


def test_a_whole_copied_address_works_as_a_view_link():
    text = GOOD.replace("view: tab=attribution", "view: http://127.0.0.1:7860/?tab=attribution")
    assert problems_of(text) == []


@pytest.mark.parametrize("change, line, words", [
    (("answer: golden retriever", "answer: Labrador"), 19, "'Labrador' is not one of the"),
    (("tolerance: 0\n", ""), 29, "needs a tolerance"),
    (("language: en\n", ""), 1, "has no language"),
    (("language: en", "language: fr"), 3, "Unknown language 'fr'"),
    (("tab=attribution&", "tab=gradcam&"), 11, "Unknown tab 'gradcam'"),
    (("&method=gradcam", "&colour=red"), 11, "Unknown link key 'colour' for the attribution"),
    (("from: counterfactual.reached", "from: clip.best"), 41, "Unknown result 'clip.best'"),
    (("options:\n  - German", "options:\n - German\n  - x: [\n  - German"), 18, "not valid YAML"),
    # PyYAML names the line where it noticed: the unclosed list runs into the next line
    (("title: Two dogs", "title: [Two dogs"), 3, "not valid YAML"),
    (("## 3. Your result", "## 4. Your result"), 37, "should be 3, not 4"),
    (("explanation: A tabby is a cat.\n", ""), 45, "needs an explanation"),
    (("type: number", "type: numeric"), 30, "needs a type"),
    (("answer: 2\n", "answer: two\n"), 32, "its answer as a number"),
    (("tolerance: 0", "tolerance: -1"), 33, "at least 0"),
    (("explanation: Two.", "explanation: Two.\nhint: none"), 35, "Unknown question key 'hint'"),
    (("course: XAI", "teacher: me\ncourse: XAI"), 4, "Unknown front matter key 'teacher'"),
    (("Look at the picture.", "Look.\nview: tab=pdp"), 12, "already has a view link"),
])
def test_each_problem_is_a_sentence_naming_its_line(change, line, words):
    found = problems_of(GOOD.replace(*change, 1))
    assert any(at == line and words in sentence for at, sentence in found), found


def test_german_sentences_name_the_line():
    worksheet, problems = parse(GOOD.replace("tolerance: 0\n", ""), name="x")
    assert problems[0].in_language("de").startswith("Zeile 29: Eine Zahlenfrage braucht")
    assert problems[0].in_language("en").startswith("line 29: A number question needs")


def test_a_file_without_front_matter_or_steps_cannot_be_used():
    worksheet, problems = parse("## 1. Step\ntext\n", name="x")
    assert worksheet is None and problems[0].line == 1 and "front matter" in problems[0].en
    assert problems_of("---\ntitle: t\nlanguage: de\n---\nno steps\n") == [
        (5, "The worksheet has no steps: start each with a heading like '## 1. Open the view'.")]
    assert any("never closed" in s for _, s in problems_of(GOOD + "```question\ntype: text\n"))


def test_choices_are_marked_by_the_options_chosen():
    worksheet, _ = parse(GOOD, name="x")
    single, number, own, multiple = (step.question for step in worksheet.steps)
    assert grade(single, "golden retriever").correct is True
    assert grade(single, "German shepherd").correct is False
    assert grade(multiple, ["pug", "beagle"]).correct is True
    assert grade(multiple, ["pug"]).correct is False
    with pytest.raises(InputError):
        grade(single, None)


def test_numbers_count_within_their_tolerance():
    worksheet, _ = parse(GOOD.replace("tolerance: 0", "tolerance: 0.5"), name="x")
    number = worksheet.steps[1].question
    assert grade(number, "2,4").correct is True and grade(number, "about 1.5").correct is True
    assert grade(number, "2.6").correct is False
    with pytest.raises(InputError, match="not a number"):
        grade(number, "many")


def test_a_result_question_accepts_exactly_the_students_own_result():
    worksheet, _ = parse(GOOD, name="x")
    own = worksheet.steps[2].question
    reached = "golden retriever (#207)"
    for answer in ("golden retriever", "207", "#207", " Golden Retriever (#207) "):
        verdict = grade(own, answer, reached)
        assert verdict.correct is True and verdict.expected == reached
    assert grade(own, "208", reached).correct is False
    assert grade(own, "Labrador retriever", reached).correct is False
    with pytest.raises(InputError, match="no result for this step yet"):
        grade(own, "207", "")


def test_free_text_is_kept_not_marked():
    worksheet, _ = parse(GOOD.replace("from: counterfactual.reached\n", ""), name="x")
    own = worksheet.steps[2].question
    assert not own.checkable and grade(own, "anything").correct is None
