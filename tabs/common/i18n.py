"""The languages of the lab, and picking the text of the request's language."""

from __future__ import annotations

from typing import Literal, Mapping, TypeVar, get_args

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
T = TypeVar("T")


def in_language(texts: Mapping[str, T], lang: str) -> T:
    """``texts[lang]`` for a known language, else the English text."""
    return texts[lang if lang in LANGUAGES else "en"]
