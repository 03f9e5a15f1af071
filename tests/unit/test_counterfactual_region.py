"""A region given by numbers (the keyboard's alternative to painting): the rectangle's pixels,
its refusals in both languages, and the painting it becomes, which the run reads like one a
student painted."""

from __future__ import annotations

import math

import gradio as gr
import numpy as np
import pytest

from core.checks import InputError
from core.counterfactual import model_mask, rectangle_mask
from tabs.counterfactual.region import BRUSH, RECTANGLE
from tabs.counterfactual.start import painted_mask
from tests.views import call_view


def test_a_rectangle_in_percent_covers_those_pixels():
    mask = rectangle_mask((100, 200, 3), left=25, top=50, width=50, height=50)
    assert mask.shape == (100, 200) and mask.dtype == bool
    expected = np.zeros((100, 200), dtype=bool)
    expected[50:100, 50:150] = True
    assert np.array_equal(mask, expected)


def test_edges_round_to_whole_pixels_and_keep_at_least_one():
    whole = rectangle_mask((7, 9), left=0, top=0, width=100, height=100)
    assert whole.all()
    thirds = rectangle_mask((10, 30), left=33.3, top=0, width=66.7, height=100)  # sums to 100
    assert np.flatnonzero(thirds[0]).tolist() == list(range(10, 30))
    corner = rectangle_mask((10, 10), left=99.9, top=99.9, width=0.1, height=0.1)
    assert list(zip(*np.nonzero(corner))) == [(9, 9)]  # less than a pixel: the nearest one


@pytest.mark.parametrize(("edges", "english", "german"), [
    ({"left": 120}, "The left edge must be a number from 0 to 100 (percent of the image), "
                    "got 120.",
     "Der linke Rand muss eine Zahl von 0 bis 100 (Prozent des Bildes) sein, nicht 120."),
    ({"top": -5}, "The top edge must be a number from 0 to 100", "Der obere Rand muss"),
    ({"width": math.nan}, "The width must be a number from 0 to 100", "Die Breite muss"),
    ({"height": None}, "The height must be a number from 0 to 100", "Die Höhe muss"),
    ({"left": "ten"}, "The left edge must be a number", "Der linke Rand muss eine Zahl"),
    ({"left": True}, "The left edge must be a number", "Der linke Rand muss eine Zahl"),
    ({"width": 0}, "The width of the rectangle is 0 %; it must be more than 0 %.",
     "Die Breite des Rechtecks ist 0 %; sie muss mehr als 0 % sein."),
    ({"height": 0}, "The height of the rectangle is 0 %", "Die Höhe des Rechtecks ist 0 %"),
    ({"left": 30, "width": 80},
     "The rectangle reaches past the image's right edge: the left edge (30 %) plus the width "
     "(80 %) is more than 100 %.",
     "Das Rechteck ragt über den rechten Bildrand hinaus: der linke Rand (30 %) plus die Breite "
     "(80 %) ist mehr als 100 %."),
    ({"top": 60, "height": 50}, "The rectangle reaches past the image's bottom edge: the top "
                                "edge (60 %) plus the height (50 %)",
     "Das Rechteck ragt über den unteren Bildrand hinaus: der obere Rand (60 %) plus die Höhe"),
])
def test_a_rectangle_that_does_not_fit_is_refused_in_both_languages(edges, english, german):
    rectangle = {"left": 10, "top": 10, "width": 20, "height": 20, **edges}
    with pytest.raises(InputError) as refused:
        rectangle_mask((50, 80, 3), **rectangle)
    assert refused.value.in_language("en").startswith(english)
    assert refused.value.in_language("de").startswith(german)


def test_the_marked_rectangle_is_the_painting_the_run_reads(tiny_ctx):
    value, switched_on, sentence = call_view(RECTANGLE, tiny_ctx, "chelsea.png", None,
                                             10, 20, 30, 40)
    image = tiny_ctx.examples.load("chelsea.png")
    expected = rectangle_mask(image.shape, left=10, top=20, width=30, height=40)
    assert switched_on is True
    assert value["background"] is image
    (layer,) = value["layers"]
    assert layer.shape == (*image.shape[:2], 4) and layer.dtype == np.uint8
    assert (layer[expected] == BRUSH).all() and not layer[~expected].any()
    # the composite shows the rectangle tinted by the brush and the rest untouched
    composite = value["composite"].astype(int)
    assert np.array_equal(composite[~expected], image[~expected])
    assert (composite[expected][:, 0] >= image[expected][:, 0]).all()
    # the run reads it like a painting, and core takes it like one
    mask = painted_mask(True, value, image.shape)
    assert np.array_equal(mask, expected)
    assert model_mask(mask, 64, image.shape).any()
    rows, columns = np.flatnonzero(expected.any(axis=1)), np.flatnonzero(expected.any(axis=0))
    assert sentence.startswith(f"Marked a rectangle of {len(columns)} × {len(rows)} pixels "
                               f"(12 % of the image), {columns[0]} px from the left and "
                               f"{rows[0]} px from the top edge.")
    assert columns[0] == round(0.1 * image.shape[1]) and rows[0] == round(0.2 * image.shape[0])


def test_marking_speaks_the_page_language_and_refuses_with_a_sentence(tiny_ctx):
    *_, sentence = call_view(RECTANGLE, tiny_ctx, "chelsea.png", None, 0, 0, 50, 50,
                             lang="de")
    assert sentence.startswith("Rechteck von ") and "25 % des Bildes" in sentence
    with pytest.raises(gr.Error, match="ragt über den rechten Bildrand hinaus"):
        call_view(RECTANGLE, tiny_ctx, "chelsea.png", None, 60, 0, 50, 50, lang="de")
    with pytest.raises(gr.Error, match="The height must be a number from 0 to 100"):
        call_view(RECTANGLE, tiny_ctx, "chelsea.png", None, 0, 0, 50, 101)
