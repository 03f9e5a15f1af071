"""What the hostile-input barrage found in ``core``, pinned down without a lab (milliseconds).

A refusal quotes at most a short, printable excerpt of what was typed (a 10 000-character
paste or a terminal escape sequence is not sent back), and a whole-number field says so
without quoting the limits of a 32-bit integer.
"""

from __future__ import annotations

import pytest

from core.ascent.params import params_for, parse_filters
from core.checks import excerpt
from core.clip.tokens import parse_descriptions
from core.counterfactual.pixel import parse_weights
from core.predictions import find_class
from tests.hostile.corpus import TEXTS

LONG = TEXTS["10000 characters"]
CONTROL = TEXTS["control characters"]


def test_excerpt_is_short_and_printable():
    assert excerpt("tabby") == "tabby"
    assert excerpt(CONTROL) == "a dog in [31m a park"
    cut = excerpt(LONG)
    assert len(cut) == 40 and cut.endswith("…") and LONG.startswith(cut[:-1])
    assert excerpt(None) == "None"


@pytest.mark.parametrize("refuse", [
    lambda text: parse_filters(text, channels=24),
    lambda text: find_class(("tabby cat", "dog"), text),
    lambda text: parse_weights(text),
])
def test_refusals_quote_an_excerpt(refuse):
    for text in (LONG, CONTROL, TEXTS["500 lines"]):
        with pytest.raises(ValueError) as refused:
            refuse(text)
        message = str(refused.value)
        assert len(message) < 200 and message.isprintable(), message


def test_descriptions_lose_their_control_characters():
    assert parse_descriptions(CONTROL + "\n\x00\n" + TEXTS["emoji and right-to-left"]) == (
        "a dog in [31m a park", "🐶🐱 كلب قطة כלב חתול")


@pytest.mark.parametrize("steps, message", [
    (2.5, "Steps must be a whole number, got 2.5."),
    (float("nan"), "Steps must be a whole number, got nan."),
    (10**12, "At most 2000 steps"),
    (0, "at least one gradient-ascent step"),
])
def test_ascent_whole_numbers(steps, message):
    with pytest.raises(ValueError, match=message):
        params_for("notebook", steps=steps, size=64, border=1, crop=8)
    assert params_for("notebook", steps=3.0, size=64, border=1, crop=8).steps == 3
