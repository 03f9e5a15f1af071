"""Worksheets in the lab: the shipped ones (``lab/worksheets/sheets``) and an instructor's
folder (``--worksheets DIR`` or ``XAI_LAB_WORKSHEETS``), read once at start and checked
against the tabs the lab has. A worksheet with problems is listed with them and never stops
the lab. Reading, checking and marking are :mod:`core.worksheets`; the side panel is
:mod:`lab.worksheets.panel`, the answers file :mod:`lab.worksheets.report`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.worksheets import Problem, Vocabulary, Worksheet, check, read
from tabs.common.form import Form

SHIPPED_DIR = Path(__file__).resolve().parent / "sheets"
log = logging.getLogger("lab")


def vocabulary(forms: Mapping[str, Form]) -> Vocabulary:
    """What the lab's tabs offer a worksheet: each tab's link keys and its named results."""
    return Vocabulary(links={slug: frozenset(form.links) for slug, form in forms.items()},
                      results=frozenset(f"{slug}.{name}" for slug, form in forms.items()
                                        for name in form.results))


def check_file(path: Path, words: Vocabulary) -> tuple[Worksheet | None, list[Problem]]:
    """The worksheet in ``path`` and all its problems (format, links and result names)."""
    worksheet, problems = read(path)
    if worksheet is not None:
        problems = sorted([*problems, *check(worksheet, words)], key=lambda p: p.line)
    return worksheet, problems


@dataclass(frozen=True)
class Broken:
    """A worksheet file that cannot be used, and why."""

    name: str
    path: Path
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class Library:
    """The worksheets a lab offers (name → worksheet) and the files it had to leave out."""

    sheets: Mapping[str, Worksheet] = field(default_factory=dict)
    broken: tuple[Broken, ...] = ()


def folders(extra: str | None) -> list[Path]:
    """The shipped folder, then the instructor's (whose files replace shipped ones of the
    same name)."""
    return [SHIPPED_DIR, *([Path(extra)] if extra else [])]


def load(directories: Iterable[Path], words: Vocabulary) -> Library:
    """Every ``*.md`` in ``directories``; a missing folder is logged and left out."""
    sheets: dict[str, Worksheet] = {}
    broken: list[Broken] = []
    for directory in directories:
        if not directory.is_dir():
            log.warning("worksheet folder %s does not exist; no worksheets read from it",
                        directory)
            continue
        for path in sorted(directory.glob("*.md")):
            worksheet, problems = check_file(path, words)
            if worksheet is None or problems:
                broken.append(Broken(path.stem, path, tuple(problems)))
                log.warning("worksheet %s left out: %s", path,
                            "; ".join(p.in_language("en") for p in problems))
                sheets.pop(path.stem, None)
            else:
                sheets[path.stem] = worksheet
    return Library(sheets, tuple(broken))
