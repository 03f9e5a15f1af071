"""Text alternatives computed from results: a map whose hot spot is known gives the sentence
that names it, in both languages."""

from __future__ import annotations

import numpy as np
import pytest

from tabs.common import alt_text


def _hot_spot(row: slice, column: slice, size: int = 90) -> np.ndarray:
    values = np.full((size, size), 0.01)
    values[row, column] = 1.0
    return values


@pytest.mark.parametrize("lang, words", [("en", "strongest in the upper left"),
                                         ("de", "am stärksten oben links")])
def test_a_hot_spot_in_a_corner_is_named_and_concentrated(lang, words):
    sentence = alt_text.where("Grad-CAM", _hot_spot(slice(0, 15), slice(0, 15)), lang)
    assert sentence.startswith("Grad-CAM: " + words)
    assert ("very concentrated" if lang == "en" else "sehr konzentriert") in sentence
    assert " 2 %" in sentence  # half of the total lies in 152 of the spot's 225 of 8100 pixels


def test_other_places_and_a_flat_map():
    assert "lower right" in alt_text.where("m", _hot_spot(slice(70, 90), slice(70, 90)), "en")
    assert "in the centre" in alt_text.where("m", _hot_spot(slice(40, 50), slice(40, 50)), "en")
    flat = alt_text.where("m", np.ones((30, 30)), "en")
    assert flat == "m: about evenly spread over the image (half of it takes 50 % of the image)."
    assert alt_text.where("m", np.zeros((4, 4)), "de") == "m: die Karte ist leer (kein Wert " \
        "über null)."


def test_the_strongest_channels_are_named_by_their_mean():
    maps = np.zeros((6, 4, 4))
    maps[4] += 3.0
    maps[1] += 2.0
    sentence = alt_text.strongest("Feature maps", maps, [0, 1, 2, 3, 4, 5], "en", count=2)
    assert sentence == "Feature maps: the strongest are channel 4 (mean 3), channel 1 (mean 2) " \
        "(of 6 shown)."


def test_a_curve_is_told_by_its_ends_trend_and_peak():
    sentence = alt_text.curve("PDP", [0, 1, 2, 3], [5.0, 4.0, 2.0, 1.0], "en")
    assert sentence == "PDP: from 5 at 0 to 1 at 3, falling; highest 5 at 0."
    assert "steigend" in alt_text.curve("PDP", [0, 1], [1.0, 2.0], "de")


def test_a_change_names_its_share_place_and_size():
    before = np.zeros((20, 20, 3), np.uint8)
    after = before.copy()
    after[15:20, 15:20] = 40
    sentence = alt_text.change("Difference", before, after, "en")
    assert sentence == "Difference: 6.2 % of the pixels changed, most in the lower right; the " \
        "largest change is 40 of 255."
    assert alt_text.change("D", before, before, "en") == "D: no pixel changed."
