"""What a worksheet is once read: front matter, numbered steps, each with an optional view link
and an optional question. Plain frozen data; the sentences about a bad file are
:class:`Problem` objects in English and German."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

QuestionKind = Literal["text", "single", "multiple", "number"]
KINDS: tuple[QuestionKind, ...] = ("text", "single", "multiple", "number")
LANGUAGES = ("en", "de")


@dataclass(frozen=True)
class Problem:
    """Something wrong with a worksheet file, at ``line`` (1-based), in both languages."""

    line: int
    en: str
    de: str

    def in_language(self, lang: str) -> str:
        """The sentence in ``lang`` (English for a language we do not speak), with its line."""
        if lang == "de":
            return f"Zeile {self.line}: {self.de}"
        return f"line {self.line}: {self.en}"


@dataclass(frozen=True)
class Question:
    """A step's question. ``answer``: the right option (``single``), the right options
    (``multiple``), the number (``number``), ``None`` for free text and for a question whose
    expected value is the student's own result (``source``, e.g. ``counterfactual.reached``).
    ``tolerance``: how far a number may be off and still count. ``lines``: where each key
    stands in the file (key → line), for the checker's sentences."""

    kind: QuestionKind
    text: str
    line: int
    options: tuple[str, ...] = ()
    answer: str | tuple[str, ...] | float | None = None
    tolerance: float | None = None
    explanation: str = ""
    source: str | None = None
    lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int:
        """The line of ``key`` in the file (the question's first line if it is not there)."""
        return dict(self.lines).get(key, self.line)

    @property
    def checkable(self) -> bool:
        """Whether an answer can be marked right or wrong (free text without a source cannot)."""
        return self.kind != "text" or self.source is not None


@dataclass(frozen=True)
class Step:
    """Step ``number`` (1, 2, …): a title, Markdown text, an optional view link (the query
    part of a "copy link" address, e.g. ``tab=pdp&feature=LSTAT``) and an optional question."""

    number: int
    title: str
    text: str
    line: int
    view: str | None = None
    view_line: int = 0
    question: Question | None = None


@dataclass(frozen=True)
class Worksheet:
    """One worksheet file: ``name`` is the file's name without ``.md`` (``?worksheet=name``)."""

    name: str
    title: str
    language: str
    course: str
    intro: str
    steps: tuple[Step, ...]
