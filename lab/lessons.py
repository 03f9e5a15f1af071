"""Lesson texts are Markdown files: ``lab/lessons/<lang>/<tab>.md`` (the whole lesson) and
``lab/lessons/<lang>/try/<tab>.md`` (a short "try this" shown above the tab's controls)."""

from __future__ import annotations

from lab import PACKAGE_DIR
from tabs.common.i18n import LANGUAGES, Language

LESSONS_DIR = PACKAGE_DIR / "lessons"


def lesson(tab: str, lang: Language) -> str:
    """The lesson text of ``tab`` in ``lang``; ``FileNotFoundError`` if it was never written."""
    return (LESSONS_DIR / lang / f"{tab}.md").read_text(encoding="utf-8")


def try_this(tab: str, lang: Language) -> str:
    """The short "try this" of ``tab`` in ``lang``."""
    return (LESSONS_DIR / lang / "try" / f"{tab}.md").read_text(encoding="utf-8").strip()


def lesson_translations(tabs: list[str]) -> dict[str, dict[str, str]]:
    """``{lang: {"lesson.<tab>": text, "try.<tab>": text}}`` for ``gr.I18n``: the browser then
    shows each lesson in its language without asking the server again."""
    return {lang: {**{f"lesson.{tab}": lesson(tab, lang) for tab in tabs},
                   **{f"try.{tab}": try_this(tab, lang) for tab in tabs}}
            for lang in LANGUAGES}
