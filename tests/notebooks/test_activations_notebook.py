"""The Activations grid's notebook, executed, prints the lab's numbers: the top-5 classes, the
layer's shape and colour range, and the strongest shown channels.

Tolerances: the notebook runs the same network (timm's, with the package's weights) on the same
pixels in one unbatched pass as the lab does; only float rounding can differ. Probabilities are
printed in percent with two decimals (±0.01 points), the range with three significant digits
and the channel means with four (±1e-3 relative).
"""

from __future__ import annotations

import re

import nbformat
import numpy as np

from core.activations import compute_activations, order_channels
from core.models import ModelManager
from lab import EXAMPLE_IMAGES_DIR
from tabs.activations.views import MAPS, MapsSettings
from tabs.common.code_panel import notebook_for
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.running import make_call
from tests.notebooks.conftest import execute


def test_the_notebook_prints_the_labs_maps_and_classes():
    ctx = TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                     examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    settings = MapsSettings(example="puppies.jpg", model="efficientnet_lite0", layer="blocks.1",
                            count="8", order="mean activation")
    call = make_call(MAPS, ctx, settings, lang="de")
    printed = execute(nbformat.reads(notebook_for(MAPS, call).decode(), as_version=4))

    result = compute_activations(ctx.models.get("efficientnet_lite0"),
                                 ctx.examples.resolve("puppies.jpg", None), layer="blocks.1")
    lines = printed.splitlines()
    assert len(lines) == 9, printed
    for line, prediction in zip(lines, result.predictions):
        match = re.fullmatch(r"\d\. (.+) \(#(\d+)\): ([\d.]+)%", line)
        assert match, line
        assert (match[1], int(match[2])) == (prediction.label, prediction.index)
        assert abs(float(match[3]) - 100 * prediction.probability) <= 0.01 + 1e-9
    channels = order_channels(result.maps, count=8, order="mean")
    shown = result.maps[channels]
    c, h, w = result.shape
    assert lines[5] == (f"blocks.1: {c} feature maps of {h}×{w}; 8 shown, "
                        f"from {shown.min():.3g} to {shown.max():.3g}")
    means = shown.reshape(8, -1).mean(axis=1)
    for line, rank in zip(lines[6:], np.argsort(-means)[:3]):
        match = re.fullmatch(r"channel (\d+): mean ([-\d.e+]+)", line)
        assert match, line
        assert int(match[1]) == int(channels[rank])
        assert abs(float(match[2]) - means[rank]) <= 1e-3 * abs(means[rank]) + 1e-6
