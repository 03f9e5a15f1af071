"""The Partial dependence endpoints, called through gradio_client against the real lab."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tabs.pdp.render import MODEL_COLOURS

DROP_B = True


def _figure(plot) -> Image.Image:
    """A figure comes back as the path of its PNG file (an image output)."""
    image = Image.open(plot)
    assert image.format == "PNG"
    return image


def test_data_panel_shows_scores_and_a_preview_without_b(client):
    scores, preview = client.predict(True, api_name="/pdp_data")
    assert "| Random forest |" in scores and "| Gradient boosting |" in scores
    assert "test R²" in scores and "without B" in scores
    assert preview["headers"][-1] == "MEDV" and "B" not in preview["headers"]
    assert "LSTAT" in preview["headers"] and len(preview["data"]) == 10
    scores, preview = client.predict(False, api_name="/pdp_data")
    assert "with B" in scores and "B" in preview["headers"]


def test_feature_lists_drop_b_and_keep_valid_choices(client):
    without = client.predict(True, "B", "RM", "LSTAT", "CRIM", "B", "B", api_name="/pdp_features")
    assert [d["value"] for d in without] == ["LSTAT", "RM", "LSTAT", "CRIM", "RM", "LSTAT"]
    assert all("B" not in [value for _, value in d["choices"]] for d in without)
    with_b = client.predict(False, "B", "RM", "LSTAT", "CRIM", "NOX", "B",
                            api_name="/pdp_features")
    assert with_b[0]["value"] == "B" and ["B: 1000·(Bk − 0.63)² (see note)", "B"] in [
        list(choice) for choice in with_b[0]["choices"]]


def test_pdp_1d_for_lstat_is_a_labelled_plot(client):
    plot, text, words = client.predict(DROP_B, "LSTAT", "random_forest", 50, False, 50,
                                       api_name="/pdp_1d")
    width, height = _figure(plot).size
    assert width >= 1000 and height >= 700  # 7.2 × 5 in at the tab's 160 dpi
    assert "50 ICE curves" in text and "LSTAT" in text
    assert '<p data-for="pdp-1d">PDP of LSTAT (Random forest)' in words and "falling" in words
    # a larger LSTAT (more lower-status residents) lowers the predicted price
    start, end = (float(part.split("**")[0]) for part in text.split("from **")[1].split("to **"))
    assert end < start - 5


def test_pdp_1d_centred_ice_starts_at_zero(client):
    _, text, _ = client.predict(DROP_B, "LSTAT", "gradient_boosting", 10, True, 20,
                                api_name="/pdp_1d")
    assert "change of the prediction" in text and "from **0.0**" in text


def test_pdp_2d_rm_lstat(client):
    plot, text, _ = client.predict(DROP_B, "RM", "LSTAT", "random_forest", 50, "recursion",
                                   api_name="/pdp_2d")
    assert _figure(plot).size[0] >= 1000
    assert "50 × 50 grid (recursion)" in text and "hatched" in text


def test_compare_models_on_one_axis(client):
    plot, text, _ = client.predict(DROP_B, "RM", api_name="/pdp_compare")
    _figure(plot)
    assert "differ by at most" in text


def test_ale_next_to_pdp(client):
    plot, text, _ = client.predict(DROP_B, "RM", "gradient_boosting", 20, api_name="/pdp_ale")
    assert _figure(plot).size[0] > _figure(plot).size[1] * 2  # two panels side by side
    assert "ALE over" in text and "bins" in text


def _colour_pixels(image: Image.Image, colour: str) -> int:
    """How many pixels of ``image`` are (almost) the colour ``#rrggbb``."""
    rgb = np.asarray(image.convert("RGB"), dtype=int)
    target = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb - target).sum(axis=-1) < 40).sum())


def test_data_panel_scores_the_neural_network_next_to_the_trees(client):
    scores, _ = client.predict(True, api_name="/pdp_data")
    rows = {line.split("|")[1].strip(): line for line in scores.splitlines()
            if line.startswith("| ") and "test R²" not in line}
    assert list(rows) == ["Random forest", "Gradient boosting", "Neural network (MLP)"]
    r2, mae = (float(cell) for cell in rows["Neural network (MLP)"].split("|")[2:4])
    assert r2 > 0.75 and 0 < mae < 3.2
    assert "PyTorch Lightning" in scores and "early stopping" in scores
    assert "the other 76 training rows" in scores and "on the CPU" in scores


def test_pdp_1d_of_the_network(client):
    plot, text, _ = client.predict(DROP_B, "LSTAT", "neural_network", 20, False, 50,
                                   api_name="/pdp_1d")
    assert _figure(plot).size[0] >= 1000 and "20 ICE curves" in text
    start, end = (float(part.split("**")[0]) for part in text.split("from **")[1].split("to **"))
    assert end < start - 5


def test_pdp_2d_of_the_network_is_brute_force(client):
    plot, text, _ = client.predict(DROP_B, "RM", "LSTAT", "neural_network", 20, "auto",
                                   api_name="/pdp_2d")
    _figure(plot)
    assert "20 × 20 grid (brute)" in text
    with pytest.raises(Exception, match="neural network has none"):
        client.predict(DROP_B, "RM", "LSTAT", "neural_network", 20, "recursion",
                       api_name="/pdp_2d")


def test_compare_draws_three_curves(client):
    plot, text, _ = client.predict(DROP_B, "RM", api_name="/pdp_compare")
    image = _figure(plot)
    for model, colour in MODEL_COLOURS.items():
        assert _colour_pixels(image, colour) > 300, model  # a thick line in each model's colour
    assert "The 3 PDPs differ by at most" in text
    near = int(text.split("where **")[1].split(" of 379**")[0])
    assert 0 <= near < 379 and "training rows lie within" in text


def test_ale_of_the_network(client):
    plot, text, _ = client.predict(DROP_B, "LSTAT", "neural_network", 20, api_name="/pdp_ale")
    _figure(plot)
    assert "ALE over 20 bins" in text


def test_b_is_available_when_trained_with_it(client):
    plot, _, _ = client.predict(False, "B", "random_forest", 0, False, 20, api_name="/pdp_1d")
    _figure(plot)


@pytest.mark.parametrize("args, api, message", [
    ((DROP_B, "RM", "RM", "random_forest", 50, "recursion"), "/pdp_2d",
     "Choose two different features"),
    ((DROP_B, "ROOMS", "random_forest", 50, False, 50), "/pdp_1d", "Unknown feature 'ROOMS'"),
    ((DROP_B, "RM", "ROOMS", "random_forest", 50, "recursion"), "/pdp_2d", "Unknown feature"),
    ((DROP_B, "B", "random_forest", 50, False, 50), "/pdp_1d", "trained without the feature 'B'"),
    ((DROP_B, "B"), "/pdp_compare", "trained without the feature 'B'"),
    ((DROP_B, "LSTAT", "random_forest", 2.5, False, 50), "/pdp_1d",
     "number of ICE curves must be a whole number"),
])
def test_bad_input_gives_a_sentence(client, args, api, message):
    with pytest.raises(Exception, match=message):
        client.predict(*args, api_name=api)
