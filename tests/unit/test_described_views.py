"""Every result picture of every view of the six tabs comes with words: the view ends its
outputs with a caption, and a successful call writes a sentence for each picture it shows, in
English and in German (walked over the views the tabs declare, with the tiny models)."""

from __future__ import annotations

import re
import warnings

import gradio as gr
import pytest

from core.attribution import METHODS
from core.models import ModelManager
from lab import EXAMPLE_IMAGES_DIR
from tabs import activations, ascent, attribution, clip, counterfactual, pdp
from tabs.common.context import TabContext
from tabs.common.described import is_captions
from tabs.common.examples import ExampleImages
from tabs.common.form import Form, Wired
from tests.clip_tiny import tiny_clip_spec
from tests.conftest import tiny_spec
from tests.views import call_view

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")

PICTURES = (gr.Image, gr.Gallery, gr.ImageSlider, gr.LinePlot, gr.Plot)
STUDENTS_OWN = {"act_preview", "attr_preview", "cf_preview", "cf-dog_preview", "clip_preview",
                "counterfactual_editor"}
"""Views that show the student's own picture (the chosen image, the region editor), not a
result: their pictures are named by their fields."""

SMALL = (3, 10.0, 3, 0.05, 1, 0.0, 32, 1, 4, 0)  # ascent knobs for the tiny net
FLAT = (*SMALL[:7], 0, *SMALL[8:])  # no border: the tiny net's deep layer has 1×1 maps
IMAGE = ("both.png", None, "tiny", 3)
METHOD_OPTIONS = ("layer2", 4, "black", 8, 4)
CAT = ("chelsea.png", None, "tiny", "one class", 3)
KNOBS = (0.0, "L2", 0.0, 8.0, 4, 0.5, 0)  # counterfactual: weight … seed
SLIDES = "a cute dog in a park\na large German Shepherd\na small kitten on a chair"
ARGS: dict[str, tuple] = {
    "ascent_weights": ("tiny", "layer2"),
    "ascent": ("tiny", "layer2", "0-1", "notebook (seed 000)", *SMALL),
    "ascent_compare_modes": ("tiny", "layer2", 1, *SMALL),
    "ascent_compare_layers": ("tiny", 0, "regularized (Olah et al. 2017)", *FLAT),
    "activations": ("coffee.png", None, "tiny", "layer1", "8", "mean activation", "shared"),
    "activations_channel": ("coffee.png", None, "tiny", "layer1", 3, 0.5),
    "attribution_compare": (*IMAGE, "layer2", 4, "black", 0.5, "jet", 8, 4),
    "attribution_baselines": (*IMAGE, 4, 0.5, "jet"),
    "attribution_depth": (*IMAGE, ["layer2", "conv1", "layer1"], 0.7, "jet"),
    "attribution_steps": (*IMAGE, "layer2", 0.5, "jet"),
    "attribution_classes": (*IMAGE, 5, "integrated_gradients", "layer2", 4, 0.7, "jet", 8, 4),
    "attribution_stability": (*IMAGE, "saliency", 1.0, 10, "layer2", 4, "black", "jet"),
    "attribution_deletion": (*IMAGE, list(METHODS), "blurred", "5, 25", *METHOD_OPTIONS,
                             "jet"),
    "attribution_sanity": (*IMAGE, ["saliency", "guided_gradcam"], *METHOD_OPTIONS, "jet"),
    "attribution_lrp": IMAGE,
    "attribution_concepts": (*IMAGE, "layer1", 4),
    "counterfactual": (*CAT, False, None, *KNOBS),
    "counterfactual_swap": (*CAT, "puppies.jpg", None, 4, 16, 0.95),
    "counterfactual_tradeoff": (*CAT, False, None, "0, 10", *KNOBS),
    "clip_similarity": ("both.png", None, "clip", SLIDES),
    "clip_explain": ("both.png", None, "clip", SLIDES, None, "chefer", "last layer only", 0.6),
    "clip_agreement": ("both.png", None, "clip", SLIDES, "all layers"),
    "pdp_1d": (True, "LSTAT", "random_forest", 5, False, 10),
    "pdp_2d": (True, "RM", "LSTAT", "random_forest", 10, "auto"),
    "pdp_compare": (True, "RM"),
    "pdp_ale": (True, "RM", "random_forest", 10),
    "pdp_shap": (True, "gradient_boosting", "LSTAT", 3),
}
"""Settings the tiny models accept, per view (field order)."""
AFTER = {"ascent_tile_large": ("ascent", lambda state: (state, 1)),
         "attribution_redraw": ("attribution_compare", lambda results: (results, 0.3, "gray"))}
"""Views that draw what another view computed: that view, and their settings from its
state output."""


@pytest.fixture(scope="module")
def lab():
    """The tiny models to call the views with, and the views as the real lab's tabs wire them
    (by name; the first wiring of each)."""
    specs = {"tiny": tiny_spec(), "clip": tiny_clip_spec("clip")}
    examples = ExampleImages(EXAMPLE_IMAGES_DIR)
    ctx = TabContext(models=ModelManager(device="cpu", specs=specs, fallback="tiny"), lang="en",
                     examples=examples)
    real = TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                      examples=examples)
    forms = []
    for tab in (ascent, activations, attribution, counterfactual, clip, pdp):
        with gr.Blocks(), gr.Tab(tab.TITLE):
            form = Form(real, tab.__name__)
            tab.build(form)
        forms.append(form)
    described: dict[str, Wired] = {}
    for form in forms:
        for wired in form.wired:
            if wired.view.name not in STUDENTS_OWN and _pictures(wired):
                described.setdefault(wired.view.name, wired)
    return ctx, described


def _pictures(wired: Wired) -> list:
    return [c for c in wired.outputs if isinstance(c, PICTURES)]


def _run(ctx: TabContext, wired: Wired, args: tuple, lang: str) -> tuple:
    """The outputs the page gets at the end of a call (a stream's last)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outputs = call_view(wired.view, ctx, *args, lang=lang, outputs=wired.outputs)
    return outputs[-1] if wired.view.streams else outputs


def _sentences(caption: str) -> dict[str, str]:
    return dict(re.findall(r'<p data-for="([^"]+)">([^<]*)</p>', caption))


def test_every_result_picture_has_an_id_and_the_view_a_caption(lab):
    _, described = lab
    assert set(described) == set(ARGS) | set(AFTER)
    for name, wired in described.items():
        assert is_captions(wired.outputs[-1]), name
        ids = [picture.elem_id for picture in _pictures(wired)]
        assert all(ids) and len(set(ids)) == len(ids), (name, ids)


@pytest.mark.parametrize("name", [*ARGS, *AFTER])
def test_every_picture_a_call_shows_comes_with_words_in_both_languages(lab, name):
    ctx, described = lab
    wired = described[name]
    words = {}
    for lang in ("en", "de"):
        if name in AFTER:
            first, settings = AFTER[name]
            before = described[first]
            state = _run(ctx, before, ARGS[first], lang)[-2]  # the state, before the caption
            outputs = _run(ctx, wired, settings(state), lang)
        else:
            outputs = _run(ctx, wired, ARGS[name], lang)
        values = dict(zip(wired.outputs, outputs))
        sentences = _sentences(values[wired.outputs[-1]])
        shown = [p.elem_id for p in _pictures(wired) if values[p] is not None]
        assert shown, f"{name} showed no picture"
        assert all(sentences.get(elem_id, "").strip() for elem_id in shown), (shown, sentences)
        words[lang] = [sentences[elem_id] for elem_id in shown]
    assert all(en != de for en, de in zip(words["en"], words["de"])), words
