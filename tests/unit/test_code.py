"""The code panel and the notebook of a view come from one recipe: the panel's code is the
notebook's code, the settings are filled in, comments follow the page's language, and settings
the view refuses get the view's own sentence. (The notebooks are executed in
``tests/notebooks``.)"""

from __future__ import annotations

import base64
import io
import re

import gradio as gr
import nbformat
import numpy as np
import pytest
from PIL import Image

from core.models import ModelManager
from lab import EXAMPLE_IMAGES_DIR
from tabs.attribution.settings import CompareSettings
from tabs.attribution.views import COMPARE
from tabs.common.code_panel import code_text, notebook_for
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.recipe import INSTALL_TAG, panel_text, version
from tabs.common.running import make_call
from tests.views import call_view

LITE0 = dict(model="efficientnet_lite0", example="both.png")


@pytest.fixture(scope="module")
def ctx() -> TabContext:
    """The real registry, offline: the bundled EfficientNet-Lite0."""
    return TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                      examples=ExampleImages(EXAMPLE_IMAGES_DIR))


def recipe(ctx, lang="en", **settings):
    return COMPARE.code(make_call(COMPARE, ctx, CompareSettings(**{**LITE0, **settings}),
                                  lang=lang))


def book(ctx, lang="en", **settings) -> nbformat.NotebookNode:
    call = make_call(COMPARE, ctx, CompareSettings(**{**LITE0, **settings}), lang=lang)
    return nbformat.reads(notebook_for(COMPARE, call).decode(), as_version=4)


def test_every_code_cell_of_the_panel_is_a_cell_of_the_notebook(ctx):
    notebook = book(ctx, target=281)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    shown = recipe(ctx, target=281).code
    assert len(shown) >= 5
    for cell in shown:
        assert cell in code
    assert panel_text(recipe(ctx, target=281)) == "\n\n\n".join(shown) + "\n"
    # the notebook adds the install cell and the image; the numbers come last
    assert code[-1] == shown[-1] and "print(" in code[-1]
    nbformat.validate(notebook)


def test_the_settings_are_filled_in_and_the_panel_follows_them(ctx):
    first = panel_text(recipe(ctx, target=281, layer="blocks.5", steps=16, window=56,
                              stride=28, baseline="white", cmap="viridis", opacity=0.4))
    assert "TARGET = 281  # tabby" in first
    assert "LAYER, STEPS, BASELINE = 'blocks.5', 16, 'white'" in first
    assert "sliding_window_shapes=(3, 56, 56), strides=(3, 28, 28)" in first
    assert "reference = normalize(torch.ones_like(pixels))" in first
    assert "OPACITY, CMAP = 0.4, 'viridis'" in first
    assert "MEAN, STD = (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)" in first  # Lite0's statistics
    second = panel_text(recipe(ctx, target=207, layer=None))
    assert "TARGET = 207  # golden retriever" in second
    assert "'blocks.6'" in second  # the model's Grad-CAM layer when none is chosen
    assert "from core" not in first and "import core" not in first and "tabs." not in first


def test_comments_and_texts_follow_the_page_language(ctx):
    english, german = recipe(ctx, target=281), recipe(ctx, "de", target=281)
    assert "# the five most probable classes" in panel_text(english)
    assert "# die fünf wahrscheinlichsten Klassen" in panel_text(german)
    assert "every method" in english.title and "alle Methoden" in german.title
    assert [c.source for c in english.cells if not c.markdown and "#" not in c.source] == \
        [c.source for c in german.cells if not c.markdown and "#" not in c.source]


def test_the_notebook_installs_the_tested_versions_and_embeds_the_very_image(ctx):
    notebook = book(ctx, target=281)
    install = next(c for c in notebook.cells if INSTALL_TAG in c.metadata.get("tags", []))
    assert f"captum=={version('captum')}" in install.source
    assert f"torch=={version('torch')}" in install.source and "+" not in install.source
    data = next(c.source for c in notebook.cells if c.source.startswith("# both.png"))
    encoded = re.search(r'IMAGE_PNG = "([^"]+)"', data).group(1)
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))).convert("RGB"))
    assert np.array_equal(decoded, ctx.examples.resolve("both.png", None))
    assert notebook.cells[0].cell_type == "markdown"
    assert "attribution_compare" in notebook.cells[0].source


def test_an_upload_is_embedded_under_no_private_name(ctx, tmp_path):
    picture = np.random.default_rng(0).integers(0, 256, (64, 80, 3), dtype=np.uint8)
    path = tmp_path / "my-secret-name.png"
    Image.fromarray(picture).save(path)
    text = notebook_for(COMPARE, make_call(COMPARE, ctx, CompareSettings(
        **LITE0, upload=str(path), target=1), lang="en")).decode()
    assert "my-secret-name" not in text and str(tmp_path) not in text
    encoded = re.search(r'IMAGE_PNG = \\"([^\\]+)\\"', text).group(1)
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded))))
    assert np.array_equal(decoded, picture)


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("bad", [dict(target=5000), dict(layer="no.such.layer"),
                                 dict(steps=0), dict(window=500)])
def test_settings_the_view_refuses_get_its_sentence(ctx, lang, bad):
    settings = CompareSettings(**{**LITE0, "target": 1, "steps": 2, **bad})
    with pytest.raises(gr.Error) as refused:
        call_view(COMPARE, ctx, *[getattr(settings, f) for f in COMPARE.fields], lang=lang)
    sentence = refused.value.message
    shown = code_text(COMPARE, make_call(COMPARE, ctx, settings, lang=lang))
    assert sentence.replace("\n", "\n# ") in shown and shown.startswith("# ")
    with pytest.raises(Exception) as raised:
        notebook_for(COMPARE, make_call(COMPARE, ctx, settings, lang=lang))
    assert raised.value.in_language(lang) == sentence


def pdp_call(lang="en", **settings):
    from tabs.pdp.views import PDP_1D, Pdp1d

    ctx = TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                     examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    base = dict(drop_b=True, feature="RM", model="gradient_boosting", ice_samples=5,
                grid_resolution=10)
    return PDP_1D, make_call(PDP_1D, ctx, Pdp1d(**{**base, **settings}), lang=lang)


def test_the_pdp_recipe_trains_as_the_lab_and_embeds_the_data():
    view, call = pdp_call(centered=True)
    text = panel_text(view.code(call))
    assert "GradientBoostingRegressor(n_estimators=300, learning_rate=0.05, max_depth=3, " \
           "random_state=0)" in text
    assert "train_test_split(X, y, test_size=0.25" in text
    assert 'X = X.drop(columns=["B"])' in text and "average = average - average[0]" in text
    assert "FEATURE, GRID, ICE = 'RM', 10, 5" in text
    notebook = nbformat.reads(notebook_for(view, call).decode(), as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell in code for cell in view.code(call).code)
    data = next(cell for cell in code if cell.startswith("# boston_house_prices.csv"))
    assert data.count("\n") > 506
    kept = panel_text(view.code(pdp_call(drop_b=False, centered=False)[1]))
    assert 'drop(columns=["B"])' not in kept and "average - average[0]" not in kept


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_pdp_panel_refuses_as_the_view_does(lang):
    view, call = pdp_call(lang, feature="B")  # B left out of the training
    with pytest.raises(gr.Error) as refused:
        call_view(view, call.ctx, *[getattr(call.settings, f) for f in view.fields], lang=lang)
    assert refused.value.message.split("\n")[0] in code_text(view, call)
    view, call = pdp_call(lang, model="neural_network")  # the network is written out
    text = code_text(view, call)
    assert "class NetworkRegressor(RegressorMixin, BaseEstimator)" in text
    assert "model = NetworkRegressor(random_state=SEED)" in text


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_shap_panel_leaves_the_network_out_with_a_sentence(lang):
    from tabs.pdp.shap_view import SHAP, Shap

    ctx = TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                     examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    call = make_call(SHAP, ctx, Shap(model="neural_network"), lang=lang)
    assert code_text(SHAP, call).startswith("# ") and "shap" in code_text(SHAP, call)
    tree = make_call(SHAP, ctx, Shap(model="gradient_boosting"), lang=lang)
    assert "shap.TreeExplainer(model" in code_text(SHAP, tree)


def test_the_ascent_recipe_follows_the_exercise_sheet(ctx):
    from tabs.ascent.views import MODES, RUN, RunSettings

    notebook_mode, regularized = list(MODES)
    settings = RunSettings(model="efficientnet_lite0", layer="blocks.3", filters="first 64",
                           mode=notebook_mode, nb_steps=30, seed=3)
    call = make_call(RUN, ctx, settings, lang="de")
    recipe_ = RUN.code(call)
    headings = [c.source.split("\n")[0] for c in recipe_.cells if c.markdown]
    assert [h[:6] for h in headings if h.startswith("## (")] == \
        ["## (a)", "## (b)", "## (c)", "## (d)", "## (e)"]
    text = panel_text(recipe_)
    assert "FILTERS = " + str(list(range(64))) in text
    assert "STEPS, STEP_SIZE = 30, 10.0\nSIZE, SEED = 224, 3" in text
    assert "class FilterActivations(L.LightningModule)" in text and "BORDER = 2" in text
    assert "rows = (len(FILTERS) + 7) // 8" in text
    notebook = nbformat.reads(notebook_for(RUN, call).decode(), as_version=4)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell in code for cell in recipe_.code)
    other = make_call(RUN, ctx, RunSettings(model="efficientnet_lite0", layer="blocks.3",
                                            mode=regularized), lang="en")
    assert "regularized method's code is not written yet" in code_text(RUN, other)
    bad = make_call(RUN, ctx, RunSettings(model="efficientnet_lite0", layer="blocks.3",
                                          filters="0-99"), lang="en")
    assert code_text(RUN, bad).startswith("# ") and "64" in code_text(RUN, bad)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_the_depths_panel_refuses_as_the_view_does(ctx, lang):
    from tabs.ascent.views import DEPTHS, DepthSettings

    for bad in (dict(filter_index=100), dict(size=96)):  # blocks.1 has 24; blocks.6 3×3 maps
        settings = DepthSettings(model="efficientnet_lite0", nb_steps=1, **bad)
        with pytest.raises(gr.Error) as refused:
            call_view(DEPTHS, ctx, *[getattr(settings, f) for f in DEPTHS.fields], lang=lang)
        sentence = refused.value.message
        assert sentence.replace("\n", "\n# ") in code_text(
            DEPTHS, make_call(DEPTHS, ctx, settings, lang=lang)), sentence


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("bad", [dict(noise_percent=-1), dict(top_k=0), dict(target=5000)])
def test_the_stability_panel_refuses_as_the_view_does(ctx, lang, bad):
    from tabs.attribution.settings import StabilitySettings
    from tabs.attribution.stability import STABILITY

    settings = StabilitySettings(**{**LITE0, "target": 243, **bad})
    with pytest.raises(gr.Error) as refused:
        call_view(STABILITY, ctx, *[getattr(settings, f) for f in STABILITY.fields], lang=lang)
    sentence = refused.value.message
    assert sentence.replace("\n", "\n# ") in code_text(
        STABILITY, make_call(STABILITY, ctx, settings, lang=lang)), sentence
