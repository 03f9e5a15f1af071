"""What a student asks the filter ascent for: the filters, the method and its knobs.

Everything is checked here once (the tab passes the values through), with a sentence that
says what to change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from core.checks import InputError, excerpt, finite, whole

AscentMode = Literal["notebook", "regularized"]
MODES: tuple[AscentMode, ...] = ("notebook", "regularized")
MAX_FILTERS = 64


@dataclass(frozen=True)
class AscentParams:
    """The knobs of both methods; the defaults are the seed notebook's values.

    ``steps``, ``size`` (input side in px), ``border`` (pixels of the feature map left out of
    the loss on each side) and ``crop`` (pixels cut from each side of the result) apply to both
    modes. ``step_size`` is the notebook's learning rate; ``lr``, ``decay_power``, ``jitter``,
    ``max_angle``, ``max_scale``, ``variants`` and ``diversity`` apply to the regularized mode.
    """

    steps: int = 30
    step_size: float = 10.0
    size: int = 224
    border: int = 2
    crop: int = 25
    lr: float = 0.05
    decay_power: float = 1.0
    jitter: int = 8
    max_angle: int = 10
    max_scale: float = 0.1
    variants: int = 1
    diversity: float = 0.0


def parse_filters(text: str, *, channels: int) -> tuple[int, ...]:
    """Filter indices from ``"5"``, ``"0-15"``, ``"3, 7, 9"`` or ``"first 64"``.

    Raises :class:`~core.checks.InputError` for text it cannot read, an index outside
    ``0..channels-1``, or more than 64 filters.
    """
    text = (text or "").strip().lower()
    found: list[int] = []
    if match := re.fullmatch(r"(?:first|erste)\s*(\d+)", text):
        found = list(range(min(int(match.group(1)), channels)))
        if not found:
            raise InputError("Choose at least one filter.", "Wähle mindestens einen Filter.")
    else:
        for part in filter(None, (p.strip() for p in text.split(","))):
            if match := re.fullmatch(r"(\d+)\s*(?:-|–|\.\.)\s*(\d+)", part):
                low, high = int(match.group(1)), int(match.group(2))
                if high < low:
                    raise InputError(
                        f"The range '{part}' goes backwards; write it as {high}-{low}.",
                        f"Der Bereich „{part}“ läuft rückwärts; schreib ihn als {high}-{low}.")
                found.extend(range(low, high + 1))
            elif part.isdigit():
                found.append(int(part))
            else:
                raise InputError(
                    f"Cannot read '{excerpt(part)}' as filters. Write a number (5), "
                    "a range (0-15), a list (3, 7, 9) or 'first 64'.",
                    f"„{excerpt(part)}“ lässt sich nicht als Filter lesen. Schreib eine Zahl (5), "
                    "einen Bereich (0-15), eine Liste (3, 7, 9) oder „erste 64“.")
    if not found:
        raise InputError("Choose at least one filter, e.g. 0, 0-15 or 'first 64'.",
                         "Wähle mindestens einen Filter, z. B. 0, 0-15 oder „erste 64“.")
    unique = tuple(dict.fromkeys(found))
    if len(unique) > MAX_FILTERS:
        raise InputError(
            f"At most {MAX_FILTERS} filters at once (you chose {len(unique)}).",
            f"Höchstens {MAX_FILTERS} Filter auf einmal (du hast {len(unique)} gewählt).")
    check_filters(unique, channels)
    return unique


def check_filters(filters: Sequence[int], channels: int) -> None:
    bad = [f for f in filters if not 0 <= f < channels]
    if bad:
        raise InputError(
            f"Filter {bad[0]} does not exist: this layer has {channels} filters, "
            f"numbered 0 to {channels - 1}.",
            f"Filter {bad[0]} gibt es nicht: Diese Schicht hat {channels} Filter, "
            f"nummeriert von 0 bis {channels - 1}.")


def check_params(params: AscentParams, mode: str) -> None:
    if mode not in MODES:
        raise _unknown_mode(mode)
    if params.steps < 1:
        raise InputError(
            "Take at least one gradient-ascent step (steps must be 1 or more).",
            "Mach mindestens einen Schritt des Gradientenaufstiegs (Schritte: 1 oder mehr).")
    if params.steps > 2000:
        raise InputError("At most 2000 steps, please.", "Bitte höchstens 2000 Schritte.")
    if params.border < 0 or params.crop < 0:
        raise InputError("Border and crop cannot be negative.",
                         "Rand und Zuschnitt dürfen nicht negativ sein.")
    if params.size > 1024:
        raise InputError(
            "Images larger than 1024 px would take too long; choose a smaller size.",
            "Bilder über 1024 px würden zu lange dauern; wähle eine kleinere Bildgröße.")
    if params.size - 2 * params.crop < 8:
        raise InputError(
            f"An image of {params.size} px is too small to cut {params.crop} px from each side "
            f"(the seed's de-processing crop); use at least {2 * params.crop + 8} px.",
            f"Ein Bild mit {params.size} px ist zu klein, um auf jeder Seite {params.crop} px "
            f"abzuschneiden (der Zuschnitt beim De-Processing des Seed-Notebooks); nimm "
            f"mindestens {2 * params.crop + 8} px.")
    if mode == "notebook" and params.step_size <= 0:
        raise InputError("The step size must be positive.", "Die Schrittweite muss positiv sein.")
    if mode == "regularized" and not 0 < params.lr <= 10:
        raise InputError("The learning rate must be between 0 and 10.",
                         "Die Lernrate muss zwischen 0 und 10 liegen.")
    if not 1 <= params.variants <= 4:
        raise InputError("Variants per filter must be between 1 and 4.",
                         "Die Zahl der Varianten pro Filter muss zwischen 1 und 4 liegen.")
    if params.jitter < 0 or params.max_angle < 0 or not 0 <= params.max_scale < 0.5:
        raise InputError(
            "Jitter and angle must be ≥ 0 and the scale range between 0 and 0.5.",
            "Jitter und Winkel müssen ≥ 0 sein und der Skalierungsbereich zwischen 0 und 0,5 "
            "liegen.")


def filter_seed(seed: int, filter_index: int, variant: int = 0) -> int:
    """The seed of one image's generator; the same image for a filter in any batch."""
    return (seed * 1_000_003 + filter_index * 101 + variant) % (2**63)


def params_for(mode: str, *, steps: object, size: object, border: object, crop: object,
               step_size: object = 10.0, lr: object = 0.05, variants: object = 1,
               diversity: object = 0.0) -> AscentParams:
    """:class:`AscentParams` for ``mode`` from the values of a form, checked with sentences.

    Knobs of the other mode keep their defaults, so a cache key only depends on what matters.
    Empty fields, NaN, fractions where whole numbers belong and out-of-range values raise
    :class:`~core.checks.InputError`.
    """
    if mode not in MODES:
        raise _unknown_mode(mode)
    shared = dict(steps=whole(("Steps", "Die Zahl der Schritte"), steps),
                  size=whole(("The image size", "Die Bildgröße"), size),
                  border=whole(("The border", "Der Rand"), border),
                  crop=whole(("The crop", "Der Zuschnitt"), crop))
    if mode == "notebook":
        params = AscentParams(step_size=finite(("The step size", "Die Schrittweite"), step_size),
                              **shared)
    else:
        params = AscentParams(lr=finite(("The learning rate", "Die Lernrate"), lr),
                              variants=whole(VARIANTS, variants),
                              diversity=finite(DIVERSITY, diversity), **shared)
    check_params(params, mode)
    return params


VARIANTS = ("Variants per filter", "Die Zahl der Varianten pro Filter")
DIVERSITY = ("The diversity weight", "Das Gewicht der Vielfalt")


def _unknown_mode(mode: object) -> InputError:
    return InputError(f"Unknown mode '{mode}'; use 'notebook' or 'regularized'.",
                      f"Unbekannte Methode „{mode}“; nimm „notebook“ oder „regularized“.")
