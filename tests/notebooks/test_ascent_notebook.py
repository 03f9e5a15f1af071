"""The filter ascent's notebooks, executed: the exercise sheet's steps print the lab's mean
activations before and after the ascent (for the grid's filters, and for one filter in an
early, a middle and a deep layer); the layer's weights print the lab's shapes.

Tolerances: the notebook starts from the very noise the lab uses (±1e-3 relative, four
significant digits printed) and takes the same steps, but the lab runs a copy with BatchNorm
folded into the convolutions in padded batches: the same function with other float rounding,
which steps of size 10 carry on (``core.ascent.run`` says so): a rounding that flips a ReLU6
at its kink turns the normalised gradient. Measured on this setting: the unfolded network
ends 0.3 % (filter 3) and 4 % (filter 7) away after two steps, at any batch; the test allows
±10 %. After 30 steps single filters can end elsewhere, which the notebook tells the student.
"""

from __future__ import annotations

import re

import nbformat

from core.ascent import visualize_filters
from core.ascent.layer_weights import first_conv, layer_weights
from core.ascent.params import params_for
from core.models import ModelManager
from core.models.layers import early_middle_deep
from lab import EXAMPLE_IMAGES_DIR
from tabs.ascent.views import DEPTHS, RUN, WEIGHTS, DepthSettings, LayerSettings, RunSettings
from tabs.common.code_panel import notebook_for
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.running import make_call
from tests.notebooks.conftest import execute


def close(printed: float, lab: float, relative: float) -> bool:
    return abs(printed - lab) <= relative * abs(lab) + 1e-3


def test_the_notebook_prints_the_labs_activations():
    ctx = TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                     examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    # small settings, so that it runs in seconds: two filters, two steps, 96 px
    settings = RunSettings(model="efficientnet_lite0", layer="blocks.2", filters="3, 7",
                           nb_steps=2, size=96, crop=10, seed=5)
    call = make_call(RUN, ctx, settings, lang="de")
    notebook = nbformat.reads(notebook_for(RUN, call).decode(), as_version=4)
    headings = [c.source.split("\n")[0] for c in notebook.cells if c.cell_type == "markdown"]
    assert [h[:6] for h in headings if h.startswith("## (")] == \
        ["## (a)", "## (b)", "## (c)", "## (d)", "## (e)"]
    printed = execute(notebook)

    lab = visualize_filters(ctx.models.get("efficientnet_lite0"), layer="blocks.2",
                            filters=(3, 7), mode="notebook", seed=5,
                            params=params_for("notebook", steps=2, size=96, border=2, crop=10))
    lines = printed.splitlines()
    assert len(lines) == 2
    for line, f, before, after in zip(lines, (3, 7), lab.initial, lab.final):
        match = re.fullmatch(rf"filter {f}: mean activation ([-\d.e+]+) → ([-\d.e+]+)", line)
        assert match, line
        assert close(float(match[1]), float(before), 1e-3), (line, before)
        assert close(float(match[2]), float(after), 0.10), (line, after)


def test_the_weights_notebook_prints_the_labs_shapes():
    ctx = TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                     examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    call = make_call(WEIGHTS, ctx, LayerSettings(model="efficientnet_lite0", layer="blocks.2"),
                     lang="en")
    printed = execute(nbformat.reads(notebook_for(WEIGHTS, call).decode(), as_version=4))
    loaded = ctx.models.get("efficientnet_lite0")
    lab = layer_weights(loaded, layer="blocks.2")
    stem = layer_weights(loaded, layer=first_conv(loaded) or "")
    assert stem.kernels is not None
    count, height, width = stem.kernels.shape[:3]
    assert printed.splitlines() == [
        f"blocks.2 ({lab.kind}): {lab.parameters:,} parameters",
        *(f"- {name}: {shape}" for name, shape in lab.shapes[:12]),
        f"{stem.layer}: {count} kernels of {height}×{width}"]


def test_the_depths_notebook_prints_the_labs_activations_per_layer():
    ctx = TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                     examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    settings = DepthSettings(model="efficientnet_lite0", filter_index=4, nb_steps=2, size=160,
                             crop=10, seed=2)
    call = make_call(DEPTHS, ctx, settings, lang="de")
    printed = execute(nbformat.reads(notebook_for(DEPTHS, call).decode(), as_version=4))

    loaded = ctx.models.get("efficientnet_lite0")
    layers = early_middle_deep(ctx.models.layers("efficientnet_lite0"))
    lines = printed.splitlines()
    assert len(lines) == 3, printed
    params = params_for("notebook", steps=2, size=160, border=2, crop=10)
    for line, layer in zip(lines, layers):
        lab = visualize_filters(loaded, layer=layer, filters=(4,), mode="notebook", seed=2,
                                params=params)
        match = re.fullmatch(rf"{re.escape(layer)}, filter 4: mean activation ([-\d.e+]+) → "
                             r"([-\d.e+]+)", line)
        assert match, line
        assert close(float(match[1]), float(lab.initial[0]), 1e-3), (line, lab.initial)
        assert close(float(match[2]), float(lab.final[0]), 0.10), (line, lab.final)
