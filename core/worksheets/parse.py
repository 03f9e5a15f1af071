"""Reading a worksheet file: front matter between ``---`` lines, then steps that start with a
numbered heading (``## 2. Title``), each with text, at most one ``view:`` line and at most one
fenced ``question`` block in YAML. The format is in README.md ("Worksheets").

Written by hand: Markdown libraries give a document tree without the source lines, and every
sentence about a bad file must name its line. YAML is read by PyYAML, whose marks give the lines.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.checks import excerpt
from core.worksheets.model import KINDS, LANGUAGES, Problem, Question, Step, Worksheet

STEP = re.compile(r"^##\s+(\d+)\.\s*(.*)$")
VIEW = re.compile(r"^view:\s*(.*)$")
FENCE = re.compile(r"^(```+|~~~+)\s*(\S*)")
FRONT_KEYS = ("title", "language", "course")
QUESTION_KEYS = ("type", "text", "options", "answer", "tolerance", "explanation", "from")
#: Largest worksheet file read (a few hundred steps of text; a stray binary file is refused).
MAX_BYTES = 512 * 1024


def read(path: Path) -> tuple[Worksheet | None, list[Problem]]:
    """The worksheet in ``path`` (its name is the file's name without ``.md``) and the problems
    found; the worksheet is ``None`` when the file cannot be read as one at all."""
    try:
        if path.stat().st_size > MAX_BYTES:
            return None, [Problem(1, f"The file is larger than {MAX_BYTES // 1024} kB.",
                                  f"Die Datei ist grösser als {MAX_BYTES // 1024} kB.")]
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(1, "The file is not UTF-8 text.", "Die Datei ist kein UTF-8-Text.")]
    except OSError as error:
        return None, [Problem(1, f"The file cannot be read ({error.strerror}).",
                              f"Die Datei lässt sich nicht lesen ({error.strerror}).")]
    return parse(text, name=path.stem)


@dataclass
class _Draft:
    """A step while its lines are read."""

    number: int
    title: str
    line: int
    text: list[str] = field(default_factory=list)
    view: str | None = None
    view_line: int = 0
    question: Question | None = None

    def step(self) -> Step:
        return Step(self.number, self.title, "\n".join(self.text).strip(), self.line,
                    self.view, self.view_line, self.question)


def parse(text: str, *, name: str) -> tuple[Worksheet | None, list[Problem]]:
    """The worksheet written in ``text`` and the problems found (each naming its line)."""
    lines = text.splitlines()
    problems: list[Problem] = []
    front, body_start = _front_matter(lines, problems)
    if front is None:
        return None, problems
    intro: list[str] = []
    drafts: list[_Draft] = []
    index = body_start
    while index < len(lines):
        line, number = lines[index], index + 1
        fence = FENCE.match(line)
        current = drafts[-1] if drafts else None
        if fence:
            end = _fence_end(lines, index, fence.group(1))
            if end is None:
                problems.append(Problem(number, "This fenced block is never closed.",
                                        "Dieser Block mit ``` wird nie geschlossen."))
                end = len(lines)
            if fence.group(2) == "question":
                _question_block(lines[index + 1:end], number, current, problems)
            else:
                (current.text if current else intro).extend(lines[index:end + 1])
            index = end + 1
            continue
        heading = STEP.match(line)
        view = VIEW.match(line)
        if heading:
            drafts.append(_Draft(int(heading.group(1)), heading.group(2).strip(), number))
        elif view and current is None:
            problems.append(Problem(number, "A view link belongs to a step (after '## 1. …').",
                                    "Ein Ansichts-Link gehört zu einem Schritt (nach '## 1. …')."))
        elif view and current is not None:
            if current.view is not None:
                problems.append(Problem(number, f"Step {current.number} already has a view "
                                        f"link (line {current.view_line}); a step has one.",
                                        f"Schritt {current.number} hat schon einen Ansichts-Link "
                                        f"(Zeile {current.view_line}); ein Schritt hat einen."))
            else:
                current.view, current.view_line = view.group(1).strip(), number
        else:
            (current.text if current else intro).append(line)
        index += 1
    _numbering(drafts, body_start, problems)
    worksheet = Worksheet(name=name, title=str(front.get("title") or name),
                          language=str(front.get("language") or "en"),
                          course=str(front.get("course") or ""),
                          intro="\n".join(intro).strip(),
                          steps=tuple(draft.step() for draft in drafts))
    return worksheet, sorted(problems, key=lambda problem: problem.line)


def _fence_end(lines: list[str], start: int, marker: str) -> int | None:
    """The index of the line closing the fence opened by ``marker`` at ``start``."""
    for index in range(start + 1, len(lines)):
        closing = lines[index].strip()
        if closing.startswith(marker) and set(closing) == {marker[0]}:
            return index
    return None


def _yaml(block: str, first_line: int, problems: list[Problem]) -> yaml.Node | None:
    """The YAML ``block`` (starting at file line ``first_line``) as a node, or ``None`` with a
    problem at the line PyYAML names."""
    try:
        return yaml.compose(block, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        reason = getattr(error, "problem", None) or "invalid YAML"
        problems.append(Problem(line, f"This is not valid YAML ({reason}).",
                                f"Das ist kein gültiges YAML ({reason})."))
        return None


def _mapping(node: yaml.Node | None, first_line: int, what: tuple[str, str],
             problems: list[Problem]) -> tuple[dict, dict[str, int]] | None:
    """A YAML mapping node as ``(values, key → file line)``; a problem if it is not one."""
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(first_line, f"The {what[0]} must be lines of 'key: value'.",
                                f"{what[1]} besteht aus Zeilen 'Schlüssel: Wert'."))
        return None
    values = yaml.SafeLoader(yaml.serialize(node)).get_single_data()
    lines = {str(key.value): first_line + key.start_mark.line for key, _ in node.value}
    return values, lines


def _front_matter(lines: list[str], problems: list[Problem]) -> tuple[dict | None, int]:
    """The front matter's values and the index of the first body line."""
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(1, "A worksheet starts with front matter: a line '---', then "
                                "title, language and course, then '---' again.",
                                "Ein Arbeitsblatt beginnt mit einem Kopf: eine Zeile '---', "
                                "dann title, language und course, dann wieder '---'."))
        return None, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.append(Problem(1, "The front matter is never closed by a line '---'.",
                                "Der Kopf wird nie mit einer Zeile '---' geschlossen."))
        return None, 0
    node = _yaml("\n".join(lines[1:end]), 2, problems)
    if node is None and any(p.line <= end for p in problems):
        return None, end + 1
    found = _mapping(node, 2, ("front matter", "Der Kopf"), problems)
    if found is None:
        return None, end + 1
    values, key_lines = found
    for key in values:
        if key not in FRONT_KEYS:
            problems.append(Problem(key_lines[str(key)], f"Unknown front matter key "
                                    f"'{excerpt(key)}'; the keys are {', '.join(FRONT_KEYS)}.",
                                    f"Unbekannter Schlüssel '{excerpt(key)}' im Kopf; die "
                                    f"Schlüssel sind {', '.join(FRONT_KEYS)}."))
    if not values.get("title"):
        problems.append(Problem(1, "The front matter has no title.", "Dem Kopf fehlt title."))
    language = values.get("language")
    if not language:
        problems.append(Problem(1, "The front matter has no language: add 'language: en' or "
                                "'language: de'.", "Dem Kopf fehlt die Sprache: "
                                "'language: de' oder 'language: en' ergänzen."))
    elif language not in LANGUAGES:
        problems.append(Problem(key_lines["language"], f"Unknown language '{excerpt(language)}'; "
                                "the lab speaks en and de.", f"Unbekannte Sprache "
                                f"'{excerpt(language)}'; das Lab spricht de und en."))
    return values, end + 1


def _numbering(drafts: list[_Draft], body_start: int, problems: list[Problem]) -> None:
    if not drafts:
        problems.append(Problem(body_start + 1, "The worksheet has no steps: start each with a "
                                "heading like '## 1. Open the view'.",
                                "Das Arbeitsblatt hat keine Schritte: jeder beginnt mit einer "
                                "Überschrift wie '## 1. Ansicht öffnen'."))
    for expected, draft in enumerate(drafts, start=1):
        if draft.number != expected:
            problems.append(Problem(draft.line, f"Steps are numbered 1, 2, 3, …: this one should "
                                    f"be {expected}, not {draft.number}.",
                                    f"Schritte werden 1, 2, 3, … nummeriert: dieser sollte "
                                    f"{expected} sein, nicht {draft.number}."))


def _question_block(block: list[str], fence_line: int, step: _Draft | None,
                    problems: list[Problem]) -> None:
    if step is None:
        problems.append(Problem(fence_line, "A question belongs to a step (after '## 1. …').",
                                "Eine Frage gehört zu einem Schritt (nach '## 1. …')."))
        return
    if step.question is not None:
        problems.append(Problem(fence_line, f"Step {step.number} already has a question "
                                f"(line {step.question.line}); a step has one.",
                                f"Schritt {step.number} hat schon eine Frage "
                                f"(Zeile {step.question.line}); ein Schritt hat eine."))
        return
    node = _yaml("\n".join(block), fence_line + 1, problems)
    if node is None and any(p.line > fence_line for p in problems):
        return
    found = _mapping(node, fence_line + 1, ("question", "Die Frage"), problems)
    if found is not None:
        step.question = _question(*found, fence_line, problems)


def _question(values: dict, lines: dict[str, int], fence_line: int,
              problems: list[Problem]) -> Question | None:
    """The question in ``values``, or ``None`` when it cannot be marked as written."""
    def say(key: str | None, en: str, de: str) -> None:
        problems.append(Problem(lines.get(key, fence_line) if key else fence_line, en, de))

    for key in values:
        if key not in QUESTION_KEYS:
            say(str(key), f"Unknown question key '{excerpt(key)}'; the keys are "
                f"{', '.join(QUESTION_KEYS)}.", f"Unbekannter Schlüssel '{excerpt(key)}' in der "
                f"Frage; die Schlüssel sind {', '.join(QUESTION_KEYS)}.")
    kind = values.get("type")
    if kind not in KINDS:
        say("type" if "type" in values else None,
            f"A question needs a type: {', '.join(KINDS)}.",
            f"Eine Frage braucht einen Typ (type): {', '.join(KINDS)}.")
        return None
    if not values.get("text"):
        say(None, "The question has no text: add 'text: …' with the question itself.",
            "Der Frage fehlt der Text: 'text: …' mit der Frage selbst ergänzen.")
    source = values.get("from")
    explanation = str(values.get("explanation") or "")
    if kind in ("single", "multiple", "number") and not explanation:
        say(None, f"A {kind} question needs an explanation, shown after checking.",
            f"Eine Frage vom Typ {kind} braucht eine Erklärung (explanation), die nach dem "
            "Prüfen erscheint.")
    if source is not None and "answer" in values:
        say("from", "A question takes its answer either from 'answer' or from the student's "
            "result ('from'), not both.", "Eine Frage nimmt ihre Antwort entweder aus "
            "'answer' oder aus dem Ergebnis der Studierenden ('from'), nicht aus beiden.")
    options: tuple[str, ...] = ()
    answer: str | tuple[str, ...] | float | None = None
    tolerance = None
    if kind in ("single", "multiple"):
        options, answer = _choice(kind, values, say)
        if source is not None:
            say("from", "Only text and number questions take their answer from a result.",
                "Nur Fragen vom Typ text und number nehmen ihre Antwort aus einem Ergebnis.")
    elif kind == "number":
        answer, tolerance = _number(values, source, say)
    elif "answer" in values:
        say("answer", "A free-text question has no answer to check; use 'from' to compare "
            "with the student's result, or a choice question.", "Eine Freitext-Frage hat keine "
            "Antwort zum Prüfen; 'from' vergleicht mit dem Ergebnis, sonst eine Auswahlfrage.")
    return Question(kind=kind, text=str(values.get("text") or ""), line=fence_line,
                    options=options, answer=answer, tolerance=tolerance,
                    explanation=explanation, source=None if source is None else str(source),
                    lines=tuple(lines.items()))


def _choice(kind: str, values: dict, say) -> tuple[tuple[str, ...], str | tuple[str, ...]]:
    raw = values.get("options")
    if not isinstance(raw, list) or len(raw) < 2:
        say("options" if "options" in values else None, "A choice question needs a list of at "
            "least two options ('options:' with lines '- …').", "Eine Auswahlfrage braucht "
            "mindestens zwei Optionen ('options:' mit Zeilen '- …').")
        raw = raw if isinstance(raw, list) else []
    options = tuple(str(option) for option in raw)
    given = values.get("answer")
    if kind == "single":
        answers = [] if given is None else [str(given)]
    else:
        answers = [str(a) for a in given] if isinstance(given, list) else \
            ([] if given is None else [str(given)])
    if not answers:
        say(None, "A choice question needs its answer ('answer: …', one of the options).",
            "Eine Auswahlfrage braucht ihre Antwort ('answer: …', eine der Optionen).")
    for wrong in [a for a in answers if a not in options]:
        say("answer", f"The answer '{excerpt(wrong)}' is not one of the options.",
            f"Die Antwort '{excerpt(wrong)}' ist keine der Optionen.")
    return options, (answers[0] if kind == "single" and answers else tuple(answers))


def _number(values: dict, source: object, say) -> tuple[float | None, float | None]:
    answer = values.get("answer")
    number = None
    if source is None:
        if isinstance(answer, (int, float)) and not isinstance(answer, bool) \
                and math.isfinite(answer):
            number = float(answer)
        else:
            say("answer" if "answer" in values else None, "A number question needs its answer "
                "as a number ('answer: 4.5') or 'from' a result.", "Eine Zahlenfrage braucht "
                "ihre Antwort als Zahl ('answer: 4.5') oder 'from' ein Ergebnis.")
    tolerance = values.get("tolerance")
    if tolerance is None:
        say(None, "A number question needs a tolerance ('tolerance: 0.5'; 0 for exactly).",
            "Eine Zahlenfrage braucht eine Toleranz ('tolerance: 0.5'; 0 für genau).")
        return number, None
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) \
            or not math.isfinite(tolerance) or tolerance < 0:
        say("tolerance", "The tolerance must be a number of at least 0.",
            "Die Toleranz muss eine Zahl ab 0 sein.")
        return number, None
    return number, float(tolerance)
