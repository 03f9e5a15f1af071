"""Marking a student's answer to a worksheet question: choices by the options chosen, numbers
within their tolerance, and questions whose expected value is the student's own result
(``from``) against that result as the lab showed it."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.checks import InputError
from core.worksheets.model import Question

NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?(?:[eE][-+]?\d+)?")
#: A class as the lab labels it: "golden retriever (#207)".
CLASS_LABEL = re.compile(r"^(?P<name>.*?)\s*\(#(?P<index>\d+)\)\s*$")


@dataclass(frozen=True)
class Verdict:
    """A marked answer: ``correct`` is ``None`` for free text (kept, not marked);
    ``expected`` is the value the answer was compared with, as text."""

    correct: bool | None
    expected: str | None = None


def grade(question: Question, answer: str | Sequence[str] | None,
          result: str | None = None) -> Verdict:
    """Mark ``answer`` (text, or the options chosen). ``result`` is the student's result the
    question's ``from`` names, as the page shows it (e.g. ``"golden retriever (#207)"``);
    :class:`InputError` when the answer or that result is missing or not a number."""
    if question.kind == "text" and question.source is None:
        return Verdict(None)
    if question.kind in ("single", "multiple"):
        chosen = [answer] if isinstance(answer, str) else list(answer or [])
        if not chosen:
            raise InputError("Choose an answer first.", "Zuerst eine Antwort wählen.")
        right = [question.answer] if isinstance(question.answer, str) else \
            list(question.answer) if isinstance(question.answer, tuple) else []
        return Verdict(sorted(chosen) == sorted(right), ", ".join(map(str, right)))
    text = answer if isinstance(answer, str) else ", ".join(answer or [])
    if not text.strip():
        raise InputError("Write an answer first.", "Zuerst eine Antwort schreiben.")
    expected = _expected(question, result)
    if question.kind == "number":
        given = _number(text)
        if given is None:
            raise InputError(f"'{text.strip()[:40]}' is not a number.",
                             f"'{text.strip()[:40]}' ist keine Zahl.")
        target = float(expected) if isinstance(expected, float) else _number(expected)
        if target is None:
            raise InputError("Your result shows no number to compare with.",
                             "Dein Ergebnis zeigt keine Zahl zum Vergleichen.")
        return Verdict(abs(given - target) <= (question.tolerance or 0.0), f"{target:g}")
    assert isinstance(expected, str)
    return Verdict(_same_class(text, expected), expected)


def _expected(question: Question, result: str | None) -> str | float:
    if question.source is None:
        assert isinstance(question.answer, float)
        return question.answer
    if not result or not result.strip():
        raise InputError("The lab has no result for this step yet: open the step's view and "
                         "run it, then check.", "Das Lab hat für diesen Schritt noch kein "
                         "Ergebnis: die Ansicht des Schritts öffnen und berechnen, dann prüfen.")
    return result.strip()


def _number(text: str) -> float | None:
    found = NUMBER.search(text)
    if found is None:
        return None
    number = float(found.group().replace(",", "."))
    return number if math.isfinite(number) else None


def _same_class(answer: str, expected: str) -> bool:
    """Whether ``answer`` names ``expected``: the label as shown, its name, or its number
    (``207``, ``#207``), ignoring case and surrounding spaces."""
    forms = {expected}
    label = CLASS_LABEL.match(expected)
    if label:
        forms |= {label["name"], label["index"], f"#{label['index']}"}
    return answer.strip().casefold() in {form.strip().casefold() for form in forms}
