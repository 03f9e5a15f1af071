"""The Attribution endpoints, called through gradio_client against the real (offline) lab."""

from __future__ import annotations

import pytest
from PIL import Image

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")

MODEL = "efficientnet_lite0"
STEPS = 4  # few IG steps keep this file fast on a small CPU


def _size(path: str) -> tuple[int, int]:
    assert path.endswith(".png")
    return Image.open(path).size


def test_model_endpoint_defaults_to_the_gradcam_layer_and_stages(client):
    model, layer, stages = client.predict("resnet18", api_name="/attribution_model")
    assert model["value"] == MODEL
    assert layer["value"] == "blocks.6"
    assert stages["value"][0] == "blocks.0" and stages["value"][-1] == "blocks.6"


def test_predict_sets_top_class_as_target(client):
    scores, target, second = client.predict("coffee.png", None, MODEL, api_name="/attribution_predict")
    assert scores["label"] == "espresso (#967)"
    assert target == 967 and second != 967


def test_find_class_like_the_notebook(client):
    matches = client.predict(MODEL, "tabby", api_name="/attribution_find_class")
    assert matches["value"] == 281
    assert any("tabby" in label for label, _ in matches["choices"])


def test_compare_view_draws_original_and_four_methods(client):
    image, text, *_ = client.predict("both.png", None, MODEL, 281, "blocks.6", STEPS, "black", 0.5,
                                     "jet", api_name="/attribution_compare")
    width, height = _size(image)
    assert width > 4 * 224 and height > 224
    assert "Guided Grad-CAM" in text


def test_baselines_show_completeness_numbers(client):
    image, table = client.predict("both.png", None, MODEL, 281, STEPS, 0.5, "jet",
                                  api_name="/attribution_baselines")
    assert _size(image)[0] > 3 * 224
    for baseline in ("black", "white", "noise", "blurred"):
        assert f"| {baseline} |" in table
    assert "captum δ" in table and "#281 tabby" in table


def test_steps_and_depth(client):
    grid, plot, image, text = client.predict("both.png", None, MODEL, 281, "blocks.6", 0.5, "jet",
                                             api_name="/attribution_steps")
    assert "320 feature maps of 7×7" in text
    assert plot is not None
    depth = client.predict("both.png", None, MODEL, 281, ["blocks.2", "blocks.6"], 0.5, "jet",
                           api_name="/attribution_depth")
    assert _size(depth)[0] > 2 * 224


def test_two_classes_and_stability(client):
    pair = client.predict("both.png", None, MODEL, 281, 243, "gradcam", "blocks.6", STEPS, 0.5,
                          "jet", api_name="/attribution_classes")
    assert _size(pair)[0] > 3 * 224
    image, text = client.predict("both.png", None, MODEL, 281, "gradcam", 1.0, 10, "blocks.6",
                                 STEPS, "black", "jet", api_name="/attribution_stability")
    assert "Spearman rank correlation" in text and "top-10 % overlap" in text


@pytest.mark.parametrize("args, api, message", [
    (("both.png", None, MODEL, 1000, "blocks.6", STEPS, "black", 0.5, "jet"),
     "/attribution_compare", "out of range"),
    (("both.png", None, MODEL, 281, "blocks.6", 0, "black", 0.5, "jet"),
     "/attribution_compare", "at least 1 step"),
    ((MODEL, "zebrafish-unicorn"), "/attribution_find_class", "No class name contains"),
    (("both.png", None, MODEL, 281, "saliency", -1.0, 10, "blocks.6", STEPS, "black", "jet"),
     "/attribution_stability", "0 % or more"),
])
def test_bad_input_gives_a_sentence(client, args, api, message):
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name=api)
