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
    scores, target, second = client.predict("coffee.png", None, MODEL,
                                            api_name="/attribution_predict")
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
    image, table, _ = client.predict("both.png", None, MODEL, 281, STEPS, 0.5, "jet",
                                     api_name="/attribution_baselines")
    assert _size(image)[0] > 3 * 224
    for baseline in ("black", "white", "noise", "blurred"):
        assert f"| {baseline} |" in table
    assert "captum δ" in table and "#281 tabby" in table


def test_steps_and_depth(client):
    grid, plot, image, text, _ = client.predict("both.png", None, MODEL, 281, "blocks.6", 0.5,
                                                "jet", api_name="/attribution_steps")
    assert "320 feature maps of 7×7" in text
    assert plot is not None
    depth, _ = client.predict("both.png", None, MODEL, 281, ["blocks.2", "blocks.6"], 0.5, "jet",
                              api_name="/attribution_depth")
    assert _size(depth)[0] > 2 * 224


def test_two_classes_and_stability(client):
    pair, _ = client.predict("both.png", None, MODEL, 281, 243, "gradcam", "blocks.6", STEPS, 0.5,
                             "jet", api_name="/attribution_classes")
    assert _size(pair)[0] > 3 * 224
    image, text, _ = client.predict("both.png", None, MODEL, 281, "gradcam", 1.0, 10, "blocks.6",
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


# --- Occlusion, deletion/insertion and the sanity check (small settings: fast on a 2-core CPU)

WINDOW, STRIDE = 56, 28  # 7 × 7 window positions


@pytest.fixture
def listed(client):
    """The model endpoint fills the layer dropdown's choices ("blocks.6" is only valid after it)."""
    client.predict(MODEL, api_name="/attribution_model")
    return client


def test_compare_view_includes_occlusion_with_its_settings(listed):
    image, text, *_ = listed.predict("both.png", None, MODEL, 281, "blocks.6", STEPS, "black", 0.5,
                                     "jet", WINDOW, STRIDE, api_name="/attribution_compare")
    assert _size(image)[0] > 5 * 224
    assert "Occlusion" in text


def test_old_calls_without_the_occlusion_settings_use_the_defaults(listed):
    image, text, _ = listed.predict("both.png", None, MODEL, 281, "occlusion", 0.0, 10, "blocks.6",
                                    STEPS, "black", "jet", api_name="/attribution_stability")
    assert "**Occlusion**: Spearman rank correlation **1.000**" in text


def test_deletion_endpoint_gives_curves_areas_and_images(listed):
    plot, table, image, _ = listed.predict(
        "both.png", None, MODEL, 281, ["gradcam", "occlusion"], "blurred", "5, 10, 25", "blocks.6",
        STEPS, "black", WINDOW, STRIDE, "jet", api_name="/attribution_deletion")
    assert plot is not None
    for row in ("| Grad-CAM |", "| Occlusion |", "| random (reference) |"):
        assert row in table
    assert "p at 25% deleted" in table and "blurred image" in table
    width, height = _size(image)
    assert width >= 4 * 160 and height >= 3 * 160  # map + 3 images; 2 methods + random


def test_sanity_endpoint_randomizes_every_stage(listed, lab_server):
    import hashlib

    models = lab_server[1]
    network = models.get(MODEL).network

    def digest() -> str:
        weights = b"".join(t.numpy().tobytes() for t in network.state_dict().values())
        return hashlib.sha256(weights).hexdigest()

    before = digest()
    plot, image, text, _ = listed.predict("both.png", None, MODEL, 281, ["saliency", "gradcam"],
                                          "blocks.6", STEPS, "black", WINDOW, STRIDE, "jet",
                                          api_name="/attribution_sanity")
    assert plot is not None and _size(image)[0] > 9 * 128
    assert "| stage | Saliency | Grad-CAM |" in text
    assert "| + head |" in text and "| + blocks.6 |" in text and "| + stem |" in text
    after = digest()
    assert after == before


@pytest.mark.parametrize("args, api, message", [
    (("both.png", None, MODEL, 281, "blocks.6", STEPS, "black", 0.5, "jet", 300, 16),
     "/attribution_compare", "occlusion window"),
    (("both.png", None, MODEL, 281, 243, "occlusion", "blocks.6", STEPS, 0.5, "jet", 32, 0),
     "/attribution_classes", "occlusion stride"),
    (("both.png", None, MODEL, 281, ["gradcam"], "blurred", "5, 150", "blocks.6", STEPS, "black",
      WINDOW, STRIDE, "jet"), "/attribution_deletion", "fraction to show"),
    (("both.png", None, MODEL, 281, ["gradcam"], "blurred", "five", "blocks.6", STEPS, "black",
      WINDOW, STRIDE, "jet"), "/attribution_deletion", "not a percentage"),
    (("both.png", None, MODEL, 281, [], "blocks.6", STEPS, "black", WINDOW, STRIDE, "jet"),
     "/attribution_sanity", "at least one method"),
])
def test_bad_test_settings_give_a_sentence(listed, args, api, message):
    with pytest.raises(Exception, match=message):
        listed.predict(*args, api_name=api)


def test_lrp_endpoint_shows_conservation_and_why_gamma_box_is_not_offered(client):
    image, table, described = client.predict("both.png", None, MODEL, 243,
                                             api_name="/attribution_lrp")
    assert _size(image)[0] > 2 * 224
    assert "| LRP EpsilonPlusFlat |" in table and "| LRP EpsilonGammaBox |" not in table
    assert "EpsilonGammaBox is not offered for EfficientNet-Lite0" in table
    assert "relevance for the class" in described


def test_concepts_endpoint_links_each_channel_to_the_filter_ascent_tab(client):
    image, table, _ = client.predict("both.png", None, MODEL, 243, "blocks.4", 2,
                                     api_name="/attribution_concepts")
    assert image.endswith(".png")
    assert table.count("(?tab=ascent&model=efficientnet_lite0&layer=blocks.4&filter=") == 2
    assert "**blocks.4** has 112 channels; 2 shown" in table
