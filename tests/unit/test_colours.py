"""Colour-blind-safe by default: maps whose lightness (CIELAB L*, via colorspacious) changes in one
direction, colours that stay apart under simulated deuteranopia, a colour bar beside every map
picture, and plots whose lines differ in style or marker, not only in colour."""

from __future__ import annotations

import numpy as np
import pytest
from colorspacious import cspace_convert
from matplotlib import colormaps
from matplotlib.colors import to_rgb

from core.attribution.faithfulness import RANDOM
from tabs.ascent.render import loss_figure
from tabs.attribution.render import METHOD_STYLES, line_style
from tabs.clip.render import CURVE_STYLES, deletion_figure, relevance_strip
from tabs.common.colours import COLORMAPS, DIVERGING, SEQUENTIAL, series_style
from tabs.common.render.colour_bar import (
    BAR_WIDTH,
    MIN_HEIGHT,
    activation_bar,
    colour_bar,
    relevance_bar,
    signed_bar,
)
from tabs.common.render.maps import GAP, barred_strip, heatmap, strip
from tabs.counterfactual.render import comparison, gradcam_pair
from tabs.counterfactual.texts import T as COUNTERFACTUAL
from tabs.pdp.render import MODEL_STYLES
from tests.views import call_view

DEUTERANOPIA = {"name": "sRGB1+CVD", "cvd_type": "deuteranomaly", "severity": 100}
COLOUR_WORDS = ("blue", "orange", "red", "green", "blau", "rot", "grün")


def lightness(cmap: str) -> np.ndarray:
    """L* of each of the map's colours, from its low end to its high end."""
    colours = colormaps[cmap](np.linspace(0.0, 1.0, colormaps[cmap].N))[:, :3]
    return cspace_convert(colours, "sRGB1", "CIELab")[:, 0]


def delta_e(first: str, second: str, *, deuteranopia: bool = False) -> float:
    """The CIELAB distance of two colours, as seen with normal vision or with deuteranopia."""
    rgb = np.array([to_rgb(first), to_rgb(second)])
    if deuteranopia:
        rgb = np.clip(cspace_convert(rgb, DEUTERANOPIA, "sRGB1"), 0.0, 1.0)
    lab = cspace_convert(rgb, "sRGB1", "CIELab")
    return float(np.linalg.norm(lab[0] - lab[1]))


# --------------------------------------------------------------------------------- the maps

def test_the_default_map_gets_lighter_from_low_to_high():
    values = lightness(SEQUENTIAL)
    assert (np.diff(values) > 0).all()
    assert values[-1] - values[0] > 70  # from dark to bright, not a narrow band


@pytest.mark.parametrize("cmap", [c for c in COLORMAPS if c != "jet"])
def test_every_offered_map_but_jet_has_monotone_lightness(cmap):
    assert (np.diff(lightness(cmap)) > 0).all()


def test_jet_rises_and_falls_in_lightness():
    values = lightness("jet")
    assert (np.diff(values) < -0.5).any() and (np.diff(values) > 0.5).any()
    assert 0.4 < values.argmax() / len(values) < 0.8  # brightest in the middle
    assert abs(values[-1] - values[0]) < 15  # its top about as dark as its bottom


def test_the_diverging_map_is_lightest_at_zero_and_darkens_evenly_to_both_ends():
    values = lightness(DIVERGING)
    half = len(values) // 2
    assert (np.diff(values[:half]) > 0).all() and (np.diff(values[half:]) < 0).all()
    assert abs(values[0] - values[-1]) < 3 and values[half] > 90  # symmetric, white at 0


def test_the_diverging_ends_stay_apart_under_deuteranopia():
    low, high = (colormaps[DIVERGING](x) for x in (0.0, 1.0))
    assert delta_e(low, high, deuteranopia=True) > 50  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- the lines

def test_grad_cam_and_guided_grad_cam_curves_differ_under_deuteranopia():
    assert delta_e("#2ca02c", "#d62728", deuteranopia=True) < 10  # the old green and red
    gradcam, guided = METHOD_STYLES["gradcam"]["color"], METHOD_STYLES["guided_gradcam"]["color"]
    assert delta_e(gradcam, guided, deuteranopia=True) > 60


@pytest.mark.parametrize("styles", [
    {**METHOD_STYLES, RANDOM: line_style(RANDOM)}, CURVE_STYLES, MODEL_STYLES,
    {i: series_style(i) for i in range(8)}], ids=["attribution", "clip", "pdp", "series"])
def test_no_two_series_share_line_style_and_marker(styles):
    shapes = [(s["linestyle"], s.get("marker")) for s in styles.values()]
    assert len(set(shapes)) == len(shapes)


def _lines_apart_without_colour(axes) -> None:
    shapes = [(line.get_linestyle(), line.get_marker()) for line in axes.get_lines()]
    assert len(shapes) > 1 and len(set(shapes)) == len(shapes)


def test_drawn_curves_differ_in_style_not_only_in_colour():
    fractions = np.linspace(0, 1, 6)
    curves = {m: np.linspace(1, k / 10, 6) for k, m in enumerate(("chefer", "grad_eclip"))}
    figure = deletion_figure(fractions, curves, np.linspace(1, 0.5, 6), {}, random_orders=3,
                             lang="en")
    _lines_apart_without_colour(figure.axes[0])
    losses = loss_figure(np.random.default_rng(0).random((4, 10)), [1, 2, 3, 4])
    _lines_apart_without_colour(losses.axes[0])


def test_the_counterfactual_curves_are_named_by_meaning_not_colour():
    for lang in ("en", "de"):
        label = COUNTERFACTUAL.text("curves", lang).lower()
        assert not any(word in label.split() for word in COLOUR_WORDS), label


# ------------------------------------------------------------------------------ the bars

def _near(picture: np.ndarray, colour: tuple[float, ...]) -> np.ndarray:
    """Where ``picture`` shows ``colour`` (RGB in [0, 1]) within a few grey levels (a bar's end
    pixel shows the colour a step inside its end)."""
    target = np.round(np.asarray(colour[:3]) * 255)
    return np.abs(picture.astype(int) - target).max(axis=2) <= 12


@pytest.mark.parametrize("cmap", [SEQUENTIAL, DIVERGING, "jet"])
def test_a_bar_shows_its_map_from_low_at_the_bottom_to_high_on_top(cmap):
    bar = colour_bar(relevance_bar(cmap, "en"), 200)
    assert bar.shape == (200, BAR_WIDTH, 3) and not bar.flags.writeable
    high_rows = np.nonzero(_near(bar, colormaps[cmap](1.0)).any(axis=1))[0]
    low_rows = np.nonzero(_near(bar, colormaps[cmap](0.0)).any(axis=1))[0]
    assert high_rows.size and low_rows.size and high_rows.max() < 40 and low_rows.min() > 160


def test_bar_words_follow_the_page_language():
    assert relevance_bar(SEQUENTIAL, "de").ticks == ("niedrig", "hoch")
    assert relevance_bar(SEQUENTIAL, "de").title.startswith("Relevanz")
    assert activation_bar(SEQUENTIAL, "en", (0.0, 2.5)).ticks == ("0", "2.5")
    assert signed_bar(DIVERGING, "change", "12", "en").ticks == ("−12", "0", "+12")


def _has_bar(picture: np.ndarray, without: np.ndarray, cmap: str = SEQUENTIAL,
             count: int = 1) -> None:
    """``picture`` is ``without`` with ``count`` bars to its right, the last one in ``cmap``."""
    assert picture.shape[1] == without.shape[1] + count * BAR_WIDTH
    assert np.array_equal(picture[:, :without.shape[1]], without)
    assert _near(picture[:, -BAR_WIDTH:], colormaps[cmap](1.0)).any()


def test_map_strips_carry_a_bar_in_their_map():
    panels = [(heatmap(np.random.default_rng(0).random((8, 8)), cmap="inferno"), "map")]
    _has_bar(barred_strip(panels, (relevance_bar("inferno", "en"),)), strip(panels), "inferno")
    view = np.full((32, 32, 3), 120, dtype=np.uint8)
    changed = view.copy()
    changed[:8] = 200
    picture = comparison(view, changed, before="a", after="b", lang="en")
    assert picture.shape[1] == 4 * 224 + 3 * GAP + BAR_WIDTH
    assert _near(picture[:, -BAR_WIDTH:], colormaps[DIVERGING](1.0)).any()
    maps = [(np.random.default_rng(1).random((4, 4)), "Grad-CAM")]
    assert gradcam_pair(view, maps, lang="de").shape[1] == 2 * 224 + GAP + BAR_WIDTH
    clip = relevance_strip(view, {"chefer": np.random.default_rng(2).random((32, 32))},
                           {"chefer": "Chefer"}, lang="en")
    assert clip.shape[1] == 2 * 224 + GAP + BAR_WIDTH


def test_attribution_steps_and_activations_show_their_scales(tiny_ctx):
    from tabs.activations.views import CHANNEL, MAPS
    from tabs.attribution.views import STEPS

    grid, _, picture, _ = call_view(STEPS, tiny_ctx, "chelsea.png", None, "tiny", 3, "layer2",
                                    0.5, lang="de")
    assert picture.shape[1] == 3 * 224 + 2 * GAP + 2 * BAR_WIDTH  # signed sum and relevance
    assert _near(picture[:, -2 * BAR_WIDTH:-BAR_WIDTH], colormaps[DIVERGING](0.0)).any()
    assert _near(picture[:, -BAR_WIDTH:], colormaps[SEQUENTIAL](1.0)).any()
    assert _near(grid[:, -BAR_WIDTH:], colormaps[SEQUENTIAL](1.0)).any()
    _, grid, _, layout, _ = call_view(MAPS, tiny_ctx, "coffee.png", None, "tiny", "layer1", "8",
                                      "mean activation", "shared")
    step = layout.tile + layout.margin
    assert grid.shape[1] == layout.columns * step - layout.margin + BAR_WIDTH
    assert layout.channel_at(grid.shape[1] - BAR_WIDTH // 2, 10) is None  # the bar picks nothing
    large, _ = call_view(CHANNEL, tiny_ctx, "coffee.png", None, "tiny", "layer1", 3, 0.5)
    assert large.shape[0] == MIN_HEIGHT  # the tiny model's 32 px view, padded for the bar
    assert _near(large[:, -BAR_WIDTH:], colormaps[SEQUENTIAL](1.0)).any()

