"""Errors a student can cause in the Filter ascent and CLIP tabs come in English and German.

The English sentence (``str(error)``) is unchanged; ``in_language("de")`` says the same thing,
with the same numbers, in German.
"""

from __future__ import annotations

import numpy as np

from core.ascent.notebook import deprocess_image
from core.ascent.params import params_for, parse_filters
from core.clip.relevance import ImageRelevance
from core.clip.tokens import MAX_CHARACTERS, MAX_DESCRIPTIONS, parse_descriptions
from tests.sentences import german, raised

SHARED = {"size": 224, "border": 2, "crop": 25}


def test_unreadable_filters():
    error = raised(parse_filters, "abc", channels=32)
    assert str(error) == ("Cannot read 'abc' as filters. Write a number (5), a range (0-15), "
                          "a list (3, 7, 9) or 'first 64'.")
    german(error, "Filter", "„abc“", "Bereich", "0-15", "3, 7, 9", "64")


def test_filter_beyond_the_layers_channels():
    error = raised(parse_filters, "40", channels=32)
    assert str(error) == "Filter 40 does not exist: this layer has 32 filters, numbered 0 to 31."
    german(error, "Schicht", "gibt es nicht", "40", "32", "31")


def test_too_many_filters_and_backwards_range():
    error = raised(parse_filters, "0-99", channels=128)
    assert str(error) == "At most 64 filters at once (you chose 100)."
    german(error, "Höchstens", "Filter", "64", "100")
    error = raised(parse_filters, "9-3", channels=32)
    assert str(error) == "The range '9-3' goes backwards; write it as 3-9."
    german(error, "Bereich", "rückwärts", "„9-3“", "3-9")


def test_zero_steps():
    error = raised(params_for, "notebook", steps=0, **SHARED)
    assert str(error) == "Take at least one gradient-ascent step (steps must be 1 or more)."
    german(error, "Gradientenaufstieg", "Schritt", "1")


def test_fractional_steps():
    error = raised(params_for, "notebook", steps=2.5, **SHARED)
    assert str(error) == "Steps must be a whole number, got 2.5."
    german(error, "Schritte", "ganze Zahl", "2.5")


def test_image_too_small_for_the_crop():
    error = raised(params_for, "notebook", steps=30, size=40, border=2, crop=25)
    assert str(error) == ("An image of 40 px is too small to cut 25 px from each side (the seed's "
                          "de-processing crop); use at least 58 px.")
    german(error, "Bild", "zu klein", "40 px", "25 px", "58 px")
    error = raised(deprocess_image, np.zeros((3, 40, 40), np.float32), crop=25)
    assert str(error) == "The image is too small to crop 25 px from each side."
    german(error, "Bild", "zu klein", "25 px")


def test_unknown_mode():
    error = raised(params_for, "dream", steps=30, **SHARED)
    assert str(error) == "Unknown mode 'dream'; use 'notebook' or 'regularized'."
    german(error, "Unbekannte Methode", "„dream“", "notebook", "regularized")


def test_empty_descriptions():
    error = raised(parse_descriptions, "  \n\n ")
    assert str(error) == ("Type at least one description of the image, one per line, "
                          "e.g. 'a cute dog in a park'.")
    german(error, "Beschreibung", "eine pro Zeile", "a cute dog in a park")


def test_too_many_descriptions():
    count = MAX_DESCRIPTIONS + 3
    error = raised(parse_descriptions, "\n".join(f"a photo of thing {i}" for i in range(count)))
    assert str(error) == (f"You gave {count} descriptions; at most {MAX_DESCRIPTIONS} are scored "
                          "at once. Remove some lines and try again.")
    german(error, "Beschreibungen", "Du hast", str(count), str(MAX_DESCRIPTIONS))


def test_description_too_long():
    error = raised(parse_descriptions, ["a dog", "x" * (MAX_CHARACTERS + 1)])
    assert str(error) == (f"Description 2 has {MAX_CHARACTERS + 1} characters; keep each "
                          f"description under {MAX_CHARACTERS} (CLIP reads only about 50 words "
                          "anyway).")
    german(error, "Beschreibung 2", "Zeichen", str(MAX_CHARACTERS + 1), str(MAX_CHARACTERS))


def test_unknown_image_method():
    maps = ImageRelevance(description="a dog", patches={}, view=np.zeros((4, 4, 3), np.uint8),
                          image_shape=(4, 4), cosine=0.0)
    error = raised(maps.image_map, "lime")
    assert str(error) == ("Unknown method 'lime'. Choose one of: attention, rollout, chefer, "
                          "grad_eclip.")
    german(error, "Unbekannte Methode", "„lime“", "Wähle", "grad_eclip")


def test_english_for_other_languages():
    error = raised(parse_filters, "abc", channels=32)
    assert error.in_language("en") == error.in_language("fr") == str(error)
