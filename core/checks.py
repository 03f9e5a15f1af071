"""Small helpers every part of ``core`` uses to validate inputs and protect shared results."""

from __future__ import annotations

import math

import numpy as np


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


def check_int(name: str, value: object, low: int, high: int, what: str = "") -> int:
    """``value`` as an int in ``[low, high]``; ``ValueError`` with a sentence otherwise.

    Whole floats (``50.0`` from a slider) are accepted; ``True``/``False``, NaN, fractions
    and anything out of range are not.
    """
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        value = int(value)
    whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not whole or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}{what}, got {value!r}.")
    return int(value)


def check_number(name: str, value: object, low: float, high: float, what: str = "") -> float:
    """``value`` as a finite float in ``[low, high]``; ``ValueError`` with a sentence otherwise."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or not low <= float(value) <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}{what}, got {value!r}.")
    return float(value)
