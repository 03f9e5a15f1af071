"""The Attribution tab's LRP view and LRP in the comparison, deletion/insertion and the sanity
check, called as the page calls them (tiny models, both languages)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import timm

from core.cache import clear_all
from core.models import ModelManager
from core.models.hooks import count_hooks
from core.models.registry import _layers
from lab import EXAMPLE_IMAGES_DIR
from tabs.attribution.faithfulness import DELETION, SANITY
from tabs.attribution.lrp import LRP
from tabs.attribution.views import COMPARE
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tests.conftest import tiny_spec
from tests.views import call_view

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_all()
    yield
    clear_all()


@pytest.fixture
def lite_ctx(tiny_specs):
    """The tiny model and EfficientNet-Lite0's architecture (random weights, 32 px)."""
    lite = replace(tiny_spec("lite", lambda: timm.create_model("tf_efficientnet_lite0",
                                                               num_classes=10)),
                   default_layers=_layers(gradcam="blocks.6", activations="blocks.1",
                                          ascent="blocks.4"))
    models = ModelManager(device="cpu", specs={**tiny_specs, "lite": lite}, fallback="tiny")
    return TabContext(models=models, lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR))


def _outputs(elem_id: str) -> list:
    """The view's components as the tab places them: picture, text, caption."""
    import gradio as gr

    from tabs.common.described import captions

    return [gr.Image(elem_id=elem_id), gr.Markdown(), captions(f"{elem_id}-caption")]


def test_lrp_view_shows_both_composites_with_conservation_and_a_caption(tiny_ctx):
    picture, table, described = call_view(LRP, tiny_ctx, "chelsea.png", None, "tiny", 3,
                                          lang="en", outputs=_outputs("attr-lrp"))
    assert picture is not None
    assert table.count("| LRP Epsilon") == 2 and "| composite | Σ relevance | logit |" in table
    assert "Conservation" in table and "Not offered" not in table
    assert 'data-for="attr-lrp"' in described
    assert "LRP EpsilonPlusFlat, relevance for the class" in described
    assert count_hooks(tiny_ctx.models.get("tiny").network) == 0
    _, german, beschrieben = call_view(LRP, tiny_ctx, "chelsea.png", None, "tiny", 3, lang="de",
                                       outputs=_outputs("attr-lrp"))
    assert "Σ Relevanz" in german and "Erhaltung" in german
    assert "Relevanz für die Klasse" in beschrieben


def test_lrp_view_says_why_a_composite_is_not_offered(lite_ctx):
    _, table = call_view(LRP, lite_ctx, "coffee.png", None, "lite", 0, lang="en")
    assert "| LRP EpsilonPlusFlat |" in table and "| LRP EpsilonGammaBox |" not in table
    assert "**Not offered:** LRP EpsilonGammaBox is not offered for Lite" in table
    _, tabelle = call_view(LRP, lite_ctx, "coffee.png", None, "lite", 0, lang="de")
    assert "**Nicht angeboten:** LRP EpsilonGammaBox wird für Lite nicht angeboten" in tabelle


def test_compare_has_lrp_with_its_conservation(tiny_ctx):
    outputs = call_view(COMPARE, tiny_ctx, "chelsea.png", None, "tiny", 3, "layer2", 4,
                        lang="en")
    picture, text, results = outputs[-1]
    assert [r.method for r in results][-2:] == ["lrp_epsilon_plus_flat", "lrp_epsilon_gamma_box"]
    assert "LRP EpsilonPlusFlat: Σ relevance" in text and "conserved" in text
    assert picture.shape[1] > 7 * 224  # original and seven methods


def test_deletion_and_sanity_measure_lrp_and_leave_out_what_is_not_offered(lite_ctx):
    methods = ["saliency", "lrp_epsilon_plus_flat", "lrp_epsilon_gamma_box"]
    *_, (plot, table, image) = call_view(DELETION, lite_ctx, "coffee.png", None, "lite", 0,
                                         methods, lang="en")
    assert "| LRP EpsilonPlusFlat |" in table
    assert "**LRP EpsilonGammaBox not offered:**" in table
    *_, (plot, image, text) = call_view(SANITY, lite_ctx, "coffee.png", None, "lite", 0,
                                        methods, lang="en")
    assert "LRP EpsilonPlusFlat" in text and "**LRP EpsilonGammaBox not offered:**" in text


def test_concepts_view_lists_channels_with_links_to_the_filter_ascent_tab(tiny_ctx):
    from tabs.attribution.concepts import CONCEPT_LAYERS, CONCEPTS

    picker = call_view(CONCEPT_LAYERS, tiny_ctx, "chelsea.png", None, "tiny", 3)
    assert picker.choices and picker.value == "layer2"  # the Filter ascent tab's layer
    picture, table, described = call_view(CONCEPTS, tiny_ctx, "chelsea.png", None, "tiny", 3,
                                          "layer1", 4, lang="en",
                                          outputs=_outputs("attr-concepts"))
    assert picture is not None
    rows = [line for line in table.splitlines() if line.startswith("| ") and "](?" in line]
    assert len(rows) == 4
    assert "[Filter ascent: layer1 #" in rows[0]
    assert "?tab=ascent&model=tiny&layer=layer1&filter=" in rows[0] and "&lang=en" in rows[0]
    assert "**layer1** has 16 channels; 4 shown" in table
    assert described.count("channel ") == 4 and 'data-for="attr-concepts"' in described
    _, tabelle = call_view(CONCEPTS, tiny_ctx, "chelsea.png", None, "tiny", 3, "layer1", 4,
                           lang="de")
    assert "[Filter-Ascent: layer1 #" in tabelle and "&lang=de" in tabelle
    assert "hat 16 Kanäle; 4 gezeigt" in tabelle
    assert count_hooks(tiny_ctx.models.get("tiny").network) == 0
