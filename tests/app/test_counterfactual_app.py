"""The Counterfactual endpoints, called through gradio_client against the real (offline) lab.

Offline, VGG-16 has no weights, so every call runs on EfficientNet-Lite0, and the second-model
check runs on the other bundled model, EfficientNet-Lite2.
"""

from __future__ import annotations

import pytest
from gradio_client import handle_file
from PIL import Image

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")

MODEL = "efficientnet_lite0"
START = ("chelsea.png", None, "vgg16", "any dog", 207)
# weight, distance, smoothness, step size, maximum steps, threshold, seed
KNOBS = (1.0, "L2", 0.0, 1.0, 30, 0.5, 0)


def _width(path: str) -> int:
    return Image.open(path).size[0]


def test_model_falls_back_and_the_cat_is_seen(client):
    assert client.predict("vgg16", api_name="/counterfactual_model")["value"] == MODEL
    scores, sentence = client.predict("chelsea.png", None, MODEL,
                                      api_name="/counterfactual_predict")
    assert scores["label"] == "Egyptian cat (#285)"
    assert "must leave it" in sentence


def test_targets_list_the_dogs_and_find_a_class(client):
    dogs = client.predict(MODEL, "any dog", 207, api_name="/counterfactual_targets")
    assert "118 ImageNet dog breeds #151–#268" in dogs
    assert "#151 Chihuahua" in dogs and "#268 Mexican hairless" in dogs
    one = client.predict(MODEL, "one class", 232, api_name="/counterfactual_targets")
    assert "#232 Border collie" in one
    matches = client.predict(MODEL, "collie", api_name="/counterfactual_find_class")
    assert any("Border collie" in label for label, _ in matches["choices"])


def test_pixel_counterfactual_switches_and_shows_the_checks(client):
    live, curves, text, picture, slider, top5, checks, gradcam, _ = client.predict(
        *START, False, None, *KNOBS, api_name="/counterfactual")
    assert "Switched to" in text and "steps" in text
    assert "L∞" in text and "% of the pixels" in text
    assert _width(picture) > 4 * 224 and _width(gradcam) > 2 * 224
    assert len(slider) == 2 and _width(slider[0]) == 224
    assert top5["label"] != "Egyptian cat (#285)"
    assert "JPEG, quality 75" in checks and "2-pixel shift" in checks
    assert "second model (EfficientNet-Lite2)" in checks
    steps = {row[0] for row in curves["data"]}
    assert {row[2] for row in curves["data"]} == {"original class", "target"}
    assert 0 in steps and len(steps) > 3


def test_not_reaching_the_target_is_a_result(client):
    *_, text, _, _, _, _, _, _ = client.predict(*START, False, None, 10.0, "L2", 0.0, 1.0, 3,
                                                0.5, 0, api_name="/counterfactual")
    assert "Did not switch within 3 steps" in text and "closest it got" in text


def test_region_swap_and_trade_off(client):
    picture, plot, text, top5, checks, _ = client.predict(
        *START, "puppies.jpg", None, 16, 64, 0.5, api_name="/counterfactual_swap")
    assert _width(picture) > 2 * 224 and plot is not None
    assert "cells" in text and "7×7 cells of `blocks.6`" in text
    assert "JPEG, quality 75" in checks
    figure, row, table, _ = client.predict(*START, False, None, "0, 10", *KNOBS,
                                           api_name="/counterfactual_tradeoff")
    assert figure is not None and _width(row) > 2 * 180
    assert "| 0 |" in table and "| 10 |" in table


@pytest.mark.parametrize("args, api, message", [
    ((*START, False, None, 1.0, "L2", 0.0, 1.0, 0, 0.5, 0), "/counterfactual",
     "number of steps must be a whole number"),
    ((*START, False, None, -1.0, "L2", 0.0, 1.0, 5, 0.5, 0), "/counterfactual",
     "proximity weight must be a number from 0"),
    ((*START, True, None, *KNOBS), "/counterfactual", "painted region is empty"),
    (("chelsea.png", None, MODEL, "one class", 1000, False, None, *KNOBS), "/counterfactual",
     "out of range"),
    ((*START, False, None, "1, x", *KNOBS), "/counterfactual_tradeoff", "not a number"),
])
def test_bad_input_gives_a_sentence(client, args, api, message):
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name=api)


def test_a_dog_picture_that_is_no_image_gives_a_sentence(client, tmp_path):
    bogus = tmp_path / "dog.png"
    bogus.write_text("woof")
    with pytest.raises(Exception, match="not an image"):
        client.predict(*START, "puppies.jpg", handle_file(str(bogus)), 16, 64, 0.5,
                       api_name="/counterfactual_swap")
