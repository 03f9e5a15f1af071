"""Filter ascent, Activations and Partial dependence through gradio_client: English by default
(exactly as before), German for a client that asks for it, and the German labels in the page."""

from __future__ import annotations

import json
import urllib.request

import pytest
from gradio_client import Client

NOTEBOOK = "notebook (seed 000)"
SMALL = (3, 10.0, 3, 0.05, 1, 0.0, 64, 1, 8, 0)  # nb_steps … seed, as in test_ascent_app


@pytest.fixture(scope="module")
def german(lab_url) -> Client:
    """A client whose requests say what a German browser says."""
    return Client(lab_url, verbose=False, headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})


def test_english_by_default(client):
    text, _, _ = client.predict("efficientnet_lite0", "blocks.1.0.conv_pw",
                                api_name="/ascent_weights")
    assert text.startswith("**blocks.1.0.conv_pw** (Conv2d) outputs 96 feature maps; it holds "
                           "1,536 parameters.\nConvolution weights (filters × input channels × "
                           "height × width):")
    _, _, grid_text, _, _ = client.predict("coffee.png", None, "efficientnet_lite0", "blocks.1",
                                           "8", "mean activation", "per map",
                                           api_name="/activations")
    assert grid_text == ("**blocks.1** (Sequential) outputs **24 feature maps of 56×56** "
                         "(channels × height × width = 24×56×56). Showing 8, ordered by mean "
                         "activation; colour scale per map. Click a map to see it large over "
                         "the image.")
    _, text, _ = client.predict(True, "RM", "LSTAT", "random_forest", 20, "recursion",
                                api_name="/pdp_2d")
    assert text.startswith("Predicted MEDV from **") and "20 × 20 grid (recursion)" in text


def test_a_german_client_gets_german_sentences(german):
    _, text, _, _, _ = german.predict("efficientnet_lite0", "blocks.1", "0-1", NOTEBOOK, *SMALL,
                                      api_name="/ascent")
    assert "2/2 Filter fertig" in text and "Notebook: 3 Schritte der Größe 10" in text
    _, caption, _ = german.predict("puppies.jpg", None, "efficientnet_lite0", "blocks.2", 3, 0.5,
                                   api_name="/activations_channel")
    assert caption.startswith("Kanal 3 von blocks.2: Mittel")
    _, text, _ = german.predict(True, "LSTAT", "random_forest", 10, False, 20, api_name="/pdp_1d")
    assert text.startswith("PDP (mittlere Vorhersage) von **") and "10 ICE-Kurven" in text
    dropdowns = german.predict(False, "B", "RM", "LSTAT", "RM", "RM", "LSTAT",
                               api_name="/pdp_features")
    assert ["RM: Zimmer pro Wohnung", "RM"] in [list(c) for c in dropdowns[1]["choices"]]


def test_the_page_carries_the_german_labels(lab_url):
    with urllib.request.urlopen(f"{lab_url}config", timeout=30) as answer:
        translations = json.loads(answer.read())["i18n_translations"]
    assert translations["de"]["ascent.run"] == "Filter visualisieren"
    assert translations["de"]["activations.order_mean"] == "mittlere Aktivierung"
    assert translations["de"]["pdp.tab_2d"] == "2D: zwei Merkmale"
    assert translations["en"]["layer_picker.model"] == "Model"
