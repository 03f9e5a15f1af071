"""The Counterfactual and CLIP endpoints through gradio_client: English without a language
(gradio_client sends no Accept-Language), German for a client whose browser asks for it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")

MODEL = "efficientnet_lite0"
START = ("chelsea.png", None, MODEL, "one class", 232)
# weight, distance, smoothness, step size, maximum steps, threshold, seed
KNOBS = (1.0, "L2", 0.0, 1.0, 2, 0.95, 0)


@pytest.fixture(scope="module")
def german(lab_url):
    from gradio_client import Client

    return Client(lab_url, verbose=False, headers={"Accept-Language": "de-DE,de;q=0.9"})


def test_english_stays_the_default(client):
    _, sentence = client.predict("chelsea.png", None, MODEL, api_name="/counterfactual_predict")
    assert sentence == ("The model sees **Egyptian cat** (#285, p = "
                        f"{sentence.split('p = ')[1][:4]}): the counterfactual must leave it.")
    assert client.predict(MODEL, "one class", 232, api_name="/counterfactual_targets") == \
        "Target: **#232 Border collie**."
    *_, text, _, _, _, checks, _, _ = client.predict(*START, False, None, *KNOBS,
                                                     api_name="/counterfactual")
    assert "Did not switch within 2 steps" in text and "grey levels" in text
    assert "**Is it real or is it noise?**" in checks and "| check | the model says |" in checks


def test_a_german_browser_gets_german(german):
    _, sentence = german.predict("chelsea.png", None, MODEL, api_name="/counterfactual_predict")
    assert sentence.startswith("Das Modell sieht **Egyptian cat** (#285")
    assert german.predict(MODEL, "any class but the current one", 232,
                          api_name="/counterfactual_targets") == \
        "Ziel: **jede Klasse außer der, die das Modell jetzt sieht**."
    _, curves, text, *_, checks, _, _ = german.predict(*START, False, None, *KNOBS,
                                                       api_name="/counterfactual")
    assert "In 2 Schritten kein Wechsel" in text and "Graustufen" in text
    assert {row[2] for row in curves["data"]} == {"Originalklasse", "Ziel"}
    assert "JPEG, Qualität 75" in checks and "um 2 Pixel verschoben" in checks


def test_the_page_carries_both_languages(lab_url):
    """Labels reach the browser as keys (choice values unchanged); the page's table has them in
    both languages."""
    import httpx

    config = httpx.get(f"{lab_url}config", timeout=30).json()
    props = {c["props"].get("elem_id"): c["props"] for c in config["components"]}
    assert [value for _, value in props["cf-kind"]["choices"]] == \
        ["any dog", "one class", "any class but the current one"]
    assert '"key": "counterfactual.kind.dog"' in props["cf-kind"]["choices"][0][0]
    assert '"key": "counterfactual.run"' in props["cf-run"]["value"]
    assert '"key": "clip.descriptions"' in props["clip-descriptions"]["label"]
    table = config["i18n_translations"]
    assert table["de"]["counterfactual.run"] == "Counterfactual finden"
    assert table["en"]["counterfactual.kind.dog"] == "any dog"
    assert table["de"]["clip.tab.agree"] == "Stimmen die Erklärungen überein?"
