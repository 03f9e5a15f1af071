"""Languages: the request's language is ?lang=, else the browser's, else the lab's default."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tabs.common.i18n import Texts, request_language, translations


def _request(query: dict | None = None, accept: str = ""):
    return SimpleNamespace(query_params=query or {}, headers={"accept-language": accept})


@pytest.mark.parametrize("query, accept, default, expected", [
    ({"lang": "de"}, "en-US,en;q=0.9", "en", "de"),
    ({"lang": "EN"}, "de-DE", "de", "en"),
    ({"lang": "fr"}, "de-DE,de;q=0.9,en;q=0.8", "en", "de"),
    ({}, "fr-FR,fr;q=0.9,en;q=0.5,de;q=0.7", "en", "de"),
    ({}, "fr-FR", "de", "de"),
    ({}, "", "en", "en"),
    ({}, "de;q=bogus,en", "de", "en"),
])
def test_request_language(query, accept, default, expected):
    assert request_language(_request(query, accept), default) == expected


def test_no_request_means_the_default():
    assert request_language(None, "de") == "de"


def test_texts_format_in_each_language_and_fall_back_to_english():
    texts = Texts("test-i18n", en={"steps": "{n} steps"}, de={"steps": "{n} Schritte"})
    assert texts.text("steps", "de", n=3) == "3 Schritte"
    assert texts.text("steps", "fr", n=3) == "3 steps"
    assert texts.label("steps").key == "test-i18n.steps"
    with pytest.raises(KeyError):
        texts.label("missing")


def test_a_table_must_have_every_key_in_both_languages():
    with pytest.raises(ValueError, match="not in both languages"):
        Texts("test-broken", en={"a": "A", "b": "B"}, de={"a": "A"})


def test_translations_merge_every_table_and_extra_texts():
    Texts("test-merge", en={"k": "key"}, de={"k": "Schlüssel"})
    merged = translations({"en": {"lesson.x": "Lesson"}, "de": {"lesson.x": "Lektion"}})
    assert merged.translations_dict["de"]["test-merge.k"] == "Schlüssel"
    assert merged.translations_dict["en"]["lesson.x"] == "Lesson"
