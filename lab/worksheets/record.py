"""A student's progress as the browser keeps it (``gr.BrowserState``, JSON): which worksheet is
open, the step shown in each worksheet and the answers given. The server keeps nothing; what
comes back from the browser is checked here before it is used, since anyone can edit it.

``{"sheet": "pdp-en", "sheets": {"pdp-en": {"step": 2, "answers": {"2": Answer}}}}`` with an
answer ``{"answer": str | [str], "checked": bool, "correct": bool | None, "expected": str,
"link": str, "picture": "data:image/jpeg;base64,…"}``.
"""

from __future__ import annotations

from typing import Any

from core.worksheets import Worksheet

#: Longest answer text kept, and the largest picture (a data URI) kept per answer.
MAX_ANSWER = 5000
MAX_PICTURE = 200_000
PICTURE_PREFIX = "data:image/jpeg;base64,"


def clean(record: Any) -> dict:
    """``record`` as a well-formed record (anything malformed is dropped)."""
    record = record if isinstance(record, dict) else {}
    raw = record.get("sheets")
    sheets: dict = raw if isinstance(raw, dict) else {}
    kept = {}
    for name, sheet in sheets.items():
        if isinstance(name, str) and isinstance(sheet, dict):
            step = sheet.get("step")
            given = sheet.get("answers")
            answers: dict = given if isinstance(given, dict) else {}
            kept[name] = {"step": step if isinstance(step, int) else 1,
                          "answers": {str(k): _answer(v) for k, v in answers.items()
                                      if isinstance(v, dict)}}
    current = record.get("sheet")
    return {"sheet": current if isinstance(current, str) else None, "sheets": kept}


def _answer(raw: dict) -> dict:
    answer = raw.get("answer")
    if isinstance(answer, list):
        answer = [str(a)[:MAX_ANSWER] for a in answer]
    else:
        answer = str(answer or "")[:MAX_ANSWER]
    picture = raw.get("picture")
    correct = raw.get("correct")
    return {"answer": answer, "checked": raw.get("checked") is True,
            "correct": correct if isinstance(correct, bool) else None,
            "expected": str(raw.get("expected") or "")[:200],
            "link": str(raw.get("link") or "")[:4000],
            "picture": picture if isinstance(picture, str) and picture.startswith(PICTURE_PREFIX)
            and len(picture) <= MAX_PICTURE else ""}


def sheet(record: dict, name: str) -> dict:
    """The progress in worksheet ``name`` (a fresh one if there is none yet)."""
    return record["sheets"].get(name) or {"step": 1, "answers": {}}


def with_step(record: dict, name: str, step: int) -> dict:
    """``record`` with worksheet ``name`` open at ``step``."""
    current = sheet(record, name)
    return {"sheet": name, "sheets": {**record["sheets"], name: {**current, "step": step}}}


def with_answer(record: dict, name: str, step: int, answer: dict) -> dict:
    """``record`` with ``answer`` to step ``step`` of worksheet ``name``."""
    current = sheet(record, name)
    answers = {**current["answers"], str(step): _answer(answer)}
    return {"sheet": name, "sheets": {**record["sheets"],
                                      name: {"step": step, "answers": answers}}}


def tally(worksheet: Worksheet, answers: dict) -> tuple[int, int, int]:
    """``(answered, questions, right)`` for ``worksheet`` with ``answers``."""
    asked = [str(s.number) for s in worksheet.steps if s.question is not None]
    given = [answers[n] for n in asked if n in answers and answers[n]["answer"]]
    return len(given), len(asked), sum(1 for a in given if a["correct"] is True)
