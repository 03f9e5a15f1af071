"""The CLIP endpoints through gradio_client: on a second lab whose CLIP is a tiny one built in
memory (the real weights cannot be downloaded here), and the offline message on the real lab."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.clip_tiny import tiny_clip_lab

MODEL = "clip-vit-base-patch32"
SLIDES = "a cute dog in a park\na large German Shepherd\na small kitten on a chair"


@pytest.fixture(scope="module")
def tiny_client():
    from gradio_client import Client

    with tiny_clip_lab() as (url, _models):
        yield Client(url, verbose=False)


def test_similarity_ranks_the_descriptions(tiny_client):
    table, chart, note, chosen, _ = tiny_client.predict("both.png", None, MODEL, SLIDES + "\n\n",
                                                        api_name="/clip_similarity")
    lines = [line for line in table.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(lines) == 3  # the empty lines are ignored
    assert lines[0].split("|")[2].strip() == chosen["value"]  # the best one is preselected
    assert [c[1] for c in chosen["choices"]] == SLIDES.splitlines()
    percentages = [float(line.split("|")[5].strip(" %")) for line in lines]
    assert sum(percentages) == pytest.approx(100, abs=0.2)
    assert chart is not None and "softmax over *these* descriptions" in note


def test_long_descriptions_are_cut_with_a_visible_warning(tiny_client):
    _, _, note, _, _ = tiny_client.predict("both.png", None, MODEL, "a cat\n" + "dog " * 90,
                                           api_name="/clip_similarity")
    assert "Description 2" in note and "at most 77" in note


@pytest.mark.parametrize("descriptions, message", [
    ("\n   \n", "at least one description"),
    ("\n".join(f"thing {i}" for i in range(21)), "at most 20"),
])
def test_bad_descriptions_give_a_sentence(tiny_client, descriptions, message):
    with pytest.raises(Exception, match=message):
        tiny_client.predict("both.png", None, MODEL, descriptions, api_name="/clip_similarity")


def test_explain_highlights_tokens_and_draws_four_maps(tiny_client):
    tokens, picture, text, _ = tiny_client.predict(
        "both.png", None, MODEL, SLIDES, "a small kitten on a chair", "grad_eclip", "all layers",
        0.6, api_name="/clip_explain")
    assert tokens.count("<span title=") >= 15 and "kitten" in tokens and "rgba(" in tokens
    assert picture.endswith(".png")
    width, height = Image.open(picture).size
    assert width > 4 * 224 and height > 224  # what CLIP sees + four maps
    assert "a small kitten on a chair" in text and "4×4 patches" in text


def test_switching_the_token_method(tiny_client):
    attention = tiny_client.predict("both.png", None, MODEL, SLIDES, "attention", "last layer only",
                                    api_name="/clip_tokens")
    chefer = tiny_client.predict("both.png", None, MODEL, SLIDES, "chefer", "last layer only",
                                 api_name="/clip_tokens")
    assert "start token" in attention and "start token" not in chefer
    assert attention != chefer


def test_zero_shot_next_to_the_cnn(tiny_client):
    clip_top, cnn_top, text = tiny_client.predict("coffee.png", None, MODEL, "efficientnet_lite0",
                                                  api_name="/clip_zero_shot")
    assert len(clip_top["confidences"]) == 5
    assert cnn_top["label"] == "espresso (#967)"
    assert "1000 sentences" in text and "EfficientNet-Lite0" in text


def test_agreement_of_the_explanations(tiny_client):
    table, plot, text, _ = tiny_client.predict("both.png", None, MODEL, SLIDES, "all layers",
                                               api_name="/clip_agreement")
    assert "Top description" in table and "Chefer et al. 2021 vs Grad-ECLIP" in table
    assert plot is not None and "random order" in text


def test_without_weights_the_tab_says_how_to_prefetch(client):
    """The default lab runs offline with empty caches: CLIP cannot load, the tab says why."""
    with pytest.raises(Exception, match="prefetch") as caught:
        client.predict("both.png", None, MODEL, SLIDES, api_name="/clip_similarity")
    assert "openai/clip-vit-base-patch32" in str(caught.value)
    # the rest of the lab keeps working
    scores, *_ = client.predict("coffee.png", None, "efficientnet_lite0",
                                api_name="/attribution_predict")
    assert scores["label"] == "espresso (#967)"


def test_the_tab_shows_a_notice_when_clip_cannot_load(lab_server):
    """What the tab shows on page load: the missing-weights sentence, or nothing when usable."""
    from lab import EXAMPLE_IMAGES_DIR
    from tabs.clip.views import NOTICE
    from tabs.common.context import TabContext
    from tabs.common.examples import ExampleImages
    from tests.views import call_view

    _, models = lab_server
    ctx = TabContext(models=models, lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    text = call_view(NOTICE, ctx, MODEL)
    assert "cannot be used here" in text and "python -m lab prefetch" in text
    assert "other tabs keep working" in text
