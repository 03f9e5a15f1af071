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


@pytest.mark.parametrize("lang, sentence", [
    ("en", "ALE: from -1 at 0 to 4 at 3, rising; highest 4 at 3."),
    ("de", "ALE: von -1 bei 0 bis 4 bei 3, steigend; am höchsten 4 bei 3.")])
def test_a_rising_curve_says_rising(lang, sentence):
    assert alt_text.curve("ALE", np.arange(4), np.array([-1.0, 0.5, 2.0, 4.0]), lang) == sentence
    assert "about flat" in alt_text.curve("c", [0, 1, 2], [1.0, 1.5, 1.02], "en")


def test_points_without_a_value_are_left_out_of_a_curve():
    assert alt_text.curve("ρ", [0, 1, 2], [1.0, np.nan, 0.2], "en") \
        == "ρ: from 1 at 0 to 0.2 at 2, falling; highest 1 at 0."
    assert alt_text.curve("ρ", [0, 1], [np.nan, np.nan], "de") == "ρ: keine Werte."


def test_filters_are_ranked_by_their_activation_in_both_languages():
    scores = {3: 0.5, 7: 2.25, 9: 1.0, 12: -1.0}
    assert alt_text.ranked("Ascent", scores, "en", item="filter", count=2) == \
        "Ascent: the strongest are filter 7 (activation 2.25), filter 9 (activation 1) (of 4 " \
        "shown)."
    assert alt_text.ranked("Aufstieg", scores, "de", item="filter", count=1) == \
        "Aufstieg: am stärksten sind Filter 7 (Aktivierung 2.25) (von 4 gezeigten)."


def test_a_map_strong_at_two_edges_is_not_called_central():
    values = np.full((90, 90), 0.01)
    values[:10, 30:60] = 1.0  # 300 pixels in the upper centre ninth
    values[80:, :] = 0.6  # the bottom edge: at most 257 of its pixels are in the half
    # (their average position would be the middle of the picture)
    assert "strongest in the upper centre" in alt_text.where("m", values, "en")
