"""The Activations notebooks, executed, print the lab's numbers: the grid's prints the top-5
classes, the layer's shape and colour range, and the strongest shown channels; the enlarged
map's prints the channel's mean and maximum as its caption gives them.

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
from tabs.activations.views import CHANNEL, MAPS, ChannelSettings, MapsSettings
from tabs.common.code_panel import notebook_for
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.running import make_call
from tests.notebooks.conftest import execute


def _context() -> TabContext:
    return TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                      examples=ExampleImages(EXAMPLE_IMAGES_DIR))


def _percent_lines(lines: list[str], predictions) -> None:
    for line, prediction in zip(lines, predictions):
        match = re.fullmatch(r"\d\. (.+) \(#(\d+)\): ([\d.]+)%", line)
        assert match, line
        assert (match[1], int(match[2])) == (prediction.label, prediction.index)
        assert abs(float(match[3]) - 100 * prediction.probability) <= 0.01 + 1e-9


def _executed(view, settings, lang: str):
    """The lines the view's notebook prints, the lab's maps for the same settings, the call."""
    ctx = _context()
    call = make_call(view, ctx, settings, lang=lang)
    printed = execute(nbformat.reads(notebook_for(view, call).decode(), as_version=4))
    result = compute_activations(ctx.models.get(settings.model),
                                 ctx.examples.resolve(settings.example, None),
                                 layer=settings.layer)
    return printed.splitlines(), result, call


def test_the_notebook_prints_the_labs_maps_and_classes():
    lines, result, _ = _executed(MAPS, MapsSettings(
        example="puppies.jpg", model="efficientnet_lite0", layer="blocks.1", count="8",
        order="mean activation"), "de")
    printed = "\n".join(lines)
    assert len(lines) == 9, printed
    _percent_lines(lines, result.predictions)
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


def test_the_channel_notebook_prints_the_captions_mean_and_maximum():
    lines, result, call = _executed(CHANNEL, ChannelSettings(
        example="both.png", model="efficientnet_lite0", layer="blocks.2", channel=7,
        opacity=0.4), "en")
    assert len(lines) == 6, lines
    _percent_lines(lines, result.predictions)
    match = re.fullmatch(r"blocks\.2, channel 7: mean ([-\d.e+]+), max ([-\d.e+]+)", lines[5])
    assert match, lines[5]
    values = result.channel(7)
    for printed_value, lab in ((float(match[1]), values.mean()), (float(match[2]), values.max())):
        assert abs(printed_value - lab) <= 1e-3 * abs(lab) + 1e-6
    caption = CHANNEL.run(call)[1]
    assert f"mean {values.mean():.3g}, max {values.max():.3g}" in caption
