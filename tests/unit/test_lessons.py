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


def test_each_tab_has_a_short_try_this_in_both_languages():
    from lab.app import TABS, tab_slug
    from lab.lessons import lesson_translations, try_this

    for tab in map(tab_slug, TABS):
        en, de = try_this(tab, "en"), try_this(tab, "de")
        assert en != de and 80 < len(en) < 500 and 80 < len(de) < 500
    table = lesson_translations([tab_slug(tab) for tab in TABS])
    assert set(table["de"]) == set(table["en"])
    assert table["de"]["lesson.pdp"].startswith("#") and "lesson.clip" in table["en"]
