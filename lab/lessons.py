"""Lesson texts are Markdown files: ``lab/lessons/<lang>/<tab>.md``."""

from __future__ import annotations

from lab import PACKAGE_DIR
from tabs.common.i18n import Language

LESSONS_DIR = PACKAGE_DIR / "lessons"


def lesson(tab: str, lang: Language) -> str:
    """The lesson text of ``tab`` in ``lang``; ``FileNotFoundError`` if it was never written."""
    return (LESSONS_DIR / lang / f"{tab}.md").read_text(encoding="utf-8")
