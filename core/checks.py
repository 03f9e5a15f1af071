"""Small helpers every part of ``core`` uses to validate inputs and protect shared results."""

from __future__ import annotations

import math
import numbers
import os
from typing import SupportsInt, cast

import numpy as np

#: A name or phrase in both languages: English, German. A plain string is used for both.
Words = str | tuple[str, str]


class InputError(ValueError):
    """A value the student can fix, said in English (``str(error)``) and in German.

    ``core`` knows no requests; the tabs pick the sentence in the request's language.
    """

    def __init__(self, en: str, de: str):
        super().__init__(en)
        self.sentences = {"en": en, "de": de}

    def in_language(self, lang: str) -> str:
        """The sentence in ``lang`` (English for a language we do not speak)."""
        return self.sentences.get(lang, self.sentences["en"])


def _pair(words: Words) -> tuple[str, str]:
    return (words, words) if isinstance(words, str) else words


def read_only(array: np.ndarray) -> np.ndarray:
    """``array`` as a contiguous array nobody can write to (results are shared by students)."""
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


def excerpt(text: object, limit: int = 40) -> str:
    """``text`` as a message may quote it: control characters and runs of whitespace become one
    space, and at most ``limit`` characters are kept ("…" marks a cut). A 10 000-character paste
    or a terminal escape sequence is not repeated back to the student."""
    printable = "".join(ch if ch.isprintable() else " " for ch in str(text))
    cleaned = " ".join(printable.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def as_whole(value: object) -> int | None:
    """``value`` as an int when it is a whole number (``50.0`` from a slider too), else
    ``None``; ``True``/``False``, NaN and fractions are not whole numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        # typeshed's numbers.Real declares no __int__; float, numpy and Fraction all have it
        return int(cast(SupportsInt, value))
    return None


def whole(name: Words, value: object) -> int:
    """``value`` as an int; :class:`InputError` saying the field is empty or not whole."""
    en, de = _pair(name)
    if value is None or value == "":
        raise InputError(f"{en} is empty; fill in a whole number.",
                         f"{de} ist leer; trag eine ganze Zahl ein.")
    number = as_whole(value)
    if number is None:
        raise InputError(f"{en} must be a whole number, got {value!r}.",
                         f"{de} muss eine ganze Zahl sein, nicht {value!r}.")
    return number


def finite(name: Words, value: object) -> float:
    """``value`` as a finite float; :class:`InputError` saying the field is empty or not a
    finite number."""
    en, de = _pair(name)
    if value is None or value == "":
        raise InputError(f"{en} is empty; fill in a number.",
                         f"{de} ist leer; trag eine Zahl ein.")
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value):
        raise InputError(f"{en} must be a finite number, got {value!r}.",
                         f"{de} muss eine endliche Zahl sein, nicht {value!r}.")
    return float(value)


def count_from_environment(variable: str) -> int | None:
    """The whole number ≥ 1 that the environment ``variable`` sets, ``None`` when it is unset
    or blank; ``ValueError`` for anything else (a setting of whoever runs the lab)."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{variable} must be a whole number of at least 1, not {text!r}.")
    return int(text)


def check_int(name: Words, value: object, low: int, high: int, what: Words = "") -> int:
    """``value`` as an int in ``[low, high]``; :class:`InputError` with a sentence otherwise.

    Whole floats (``50.0`` from a slider) are accepted; ``True``/``False``, NaN, fractions
    and anything out of range are not.
    """
    number = as_whole(value)
    if number is None or not low <= number <= high:
        (name_en, name_de), (what_en, what_de) = _pair(name), _pair(what)
        raise InputError(
            f"{name_en} must be a whole number from {low} to {high}{what_en}, got {value!r}.",
            f"{name_de} muss eine ganze Zahl von {low} bis {high}{what_de} sein, nicht {value!r}.")
    return number


def check_number(name: Words, value: object, low: float, high: float, what: Words = "") -> float:
    """``value`` as a finite float in ``[low, high]``; :class:`InputError` otherwise."""
    number = float(value) if isinstance(value, numbers.Real) and not isinstance(value, bool) \
        else math.nan
    if not math.isfinite(number) or not low <= number <= high:
        (name_en, name_de), (what_en, what_de) = _pair(name), _pair(what)
        raise InputError(
            f"{name_en} must be a number from {low:g} to {high:g}{what_en}, got {value!r}.",
            f"{name_de} muss eine Zahl von {low:g} bis {high:g}{what_de} sein, nicht {value!r}.")
    return number
