"""Every lesson exists in both languages and every tab's lesson is there."""

from __future__ import annotations

from lab.lessons import LESSONS_DIR, lesson


def test_each_lesson_has_an_english_and_a_german_version():
    english = {path.stem for path in (LESSONS_DIR / "en").glob("*.md")}
    german = {path.stem for path in (LESSONS_DIR / "de").glob("*.md")}
    assert english == german and "activations" in english
    for name in english:
        en, de = lesson(name, "en"), lesson(name, "de")
        assert len(en.splitlines()) >= 15 and len(de.splitlines()) >= 15
        assert en != de
