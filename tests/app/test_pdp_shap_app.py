"""The SHAP view of the Partial dependence tab (``/pdp_shap``), through gradio_client against
the real lab."""

from __future__ import annotations

import re

import pytest
from PIL import Image

DROP_B = True


def _size(path: str) -> tuple[int, int]:
    image = Image.open(path)
    assert image.format == "PNG"
    return image.size


def test_tree_shap_explains_a_house_beside_the_pdp(client):
    summary, dependence, house, text, captions = client.predict(
        DROP_B, "gradient_boosting", "LSTAT", 3, api_name="/pdp_shap")
    assert _size(summary)[1] > 900  # one row per feature (12 without B)
    width, height = _size(dependence)
    assert width > 2 * height  # PDP/ICE and SHAP dependence side by side
    _size(house)
    assert "**Exact SHAP values** (shap's TreeExplainer)" in text
    assert "on the 127 test houses" in text and "379 training rows" in text
    gap = float(re.search(r"largest difference ([0-9.e+-]+)\)", text).group(1))
    assert gap < 1e-6  # SHAP values add up to the prediction minus the average
    assert re.search(r"\*\*Tract #\d+\*\* \(test row 3\) is predicted at \*\*", text)
    assert "Colour: " in text
    for picture in ("pdp-shap-summary", "pdp-shap-dependence", "pdp-shap-house"):
        assert f'data-for="{picture}"' in captions
    assert "Mean |SHAP value| per feature, largest first: LSTAT" in captions
    assert "from the average prediction to its own" in captions


def test_network_names_its_background_in_german(lab_url):
    from gradio_client import Client

    german = Client(lab_url, verbose=False, headers={"Accept-Language": "de-DE,de;q=0.9"})
    *_, text, captions = german.predict(DROP_B, "neural_network", "RM", 0, api_name="/pdp_shap")
    assert "**Geschätzte SHAP-Werte** (shaps PermutationExplainer, 500 Modellaufrufe" in text
    assert "Hintergrund: 50 zufällig gezogene Trainingszeilen (Seed 0)" in text
    assert "Mittlerer |SHAP-Wert| je Merkmal" in captions


@pytest.mark.parametrize("args, message", [
    ((DROP_B, "random_forest", "B", 0), "trained without the feature 'B'"),
    ((DROP_B, "random_forest", "LSTAT", 127), "greater than maximum value 126"),
    ((DROP_B, "boosted_trees", "LSTAT", 0), "is not in the list of choices"),
])
def test_refusals_are_sentences(client, args, message):
    with pytest.raises(Exception, match=re.escape(message)):
        client.predict(*args, api_name="/pdp_shap")
