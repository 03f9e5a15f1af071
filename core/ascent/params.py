"""What a student asks the filter ascent for: the filters, the method and its knobs.

Everything is checked here once (the tab passes the values through), with a sentence that
says what to change.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import Literal, Sequence

from core.checks import excerpt

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

    Raises ``ValueError`` for text it cannot read, an index outside ``0..channels-1``, or more
    than 64 filters.
    """
    text = (text or "").strip().lower()
    found: list[int] = []
    if match := re.fullmatch(r"(?:first|erste)\s*(\d+)", text):
        found = list(range(min(int(match.group(1)), channels)))
        if not found:
            raise ValueError("Choose at least one filter.")
    else:
        for part in filter(None, (p.strip() for p in text.split(","))):
            if match := re.fullmatch(r"(\d+)\s*(?:-|–|\.\.)\s*(\d+)", part):
                low, high = int(match.group(1)), int(match.group(2))
                if high < low:
                    raise ValueError(f"The range '{part}' goes backwards; write it as {high}-{low}.")
                found.extend(range(low, high + 1))
            elif part.isdigit():
                found.append(int(part))
            else:
                raise ValueError(
                    f"Cannot read '{excerpt(part)}' as filters. Write a number (5), "
                    "a range (0-15), a list (3, 7, 9) or 'first 64'.")
    if not found:
        raise ValueError("Choose at least one filter, e.g. 0, 0-15 or 'first 64'.")
    unique = tuple(dict.fromkeys(found))
    if len(unique) > MAX_FILTERS:
        raise ValueError(f"At most {MAX_FILTERS} filters at once (you chose {len(unique)}).")
    check_filters(unique, channels)
    return unique


def check_filters(filters: Sequence[int], channels: int) -> None:
    bad = [f for f in filters if not 0 <= f < channels]
    if bad:
        raise ValueError(
            f"Filter {bad[0]} does not exist: this layer has {channels} filters, "
            f"numbered 0 to {channels - 1}.")


def check_params(params: AscentParams, mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"Unknown mode '{mode}'; use 'notebook' or 'regularized'.")
    if params.steps < 1:
        raise ValueError("Take at least one gradient-ascent step (steps must be 1 or more).")
    if params.steps > 2000:
        raise ValueError("At most 2000 steps, please.")
    if params.border < 0 or params.crop < 0:
        raise ValueError("Border and crop cannot be negative.")
    if params.size > 1024:
        raise ValueError("Images larger than 1024 px would take too long; choose a smaller size.")
    if params.size - 2 * params.crop < 8:
        raise ValueError(
            f"An image of {params.size} px is too small to cut {params.crop} px from each side "
            f"(the seed's de-processing crop); use at least {2 * params.crop + 8} px.")
    if mode == "notebook" and params.step_size <= 0:
        raise ValueError("The step size must be positive.")
    if mode == "regularized" and not 0 < params.lr <= 10:
        raise ValueError("The learning rate must be between 0 and 10.")
    if not 1 <= params.variants <= 4:
        raise ValueError("Variants per filter must be between 1 and 4.")
    if params.jitter < 0 or params.max_angle < 0 or not 0 <= params.max_scale < 0.5:
        raise ValueError("Jitter and angle must be ≥ 0 and the scale range between 0 and 0.5.")


def filter_seed(seed: int, filter_index: int, variant: int = 0) -> int:
    """The seed of one image's generator; the same image for a filter in any batch."""
    return (seed * 1_000_003 + filter_index * 101 + variant) % (2**63)


def params_for(mode: str, *, steps: object, size: object, border: object, crop: object,
               step_size: object = 10.0, lr: object = 0.05, variants: object = 1,
               diversity: object = 0.0) -> AscentParams:
    """:class:`AscentParams` for ``mode`` from the values of a form, checked with sentences.

    Knobs of the other mode keep their defaults, so a cache key only depends on what matters.
    Empty fields, NaN, fractions where whole numbers belong and out-of-range values raise
    ``ValueError``.
    """
    if mode not in MODES:
        raise ValueError(f"Unknown mode '{mode}'; use 'notebook' or 'regularized'.")
    shared = dict(steps=_whole("Steps", steps), size=_whole("The image size", size),
                  border=_whole("The border", border), crop=_whole("The crop", crop))
    if mode == "notebook":
        params = AscentParams(step_size=_number("The step size", step_size), **shared)
    else:
        params = AscentParams(lr=_number("The learning rate", lr),
                              variants=_whole("Variants per filter", variants),
                              diversity=_number("The diversity weight", diversity), **shared)
    check_params(params, mode)
    return params


def _whole(name: str, value: object) -> int:
    """A whole number (``50.0`` from a slider too); :func:`check_params` checks the range."""
    if value is None or value == "":
        raise ValueError(f"{name} is empty; fill in a whole number.")
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral) \
            and math.isfinite(value) and float(value).is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}.")
    return int(value)


def _number(name: str, value: object) -> float:
    if value is None or value == "":
        raise ValueError(f"{name} is empty; fill in a number.")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    return float(value)
