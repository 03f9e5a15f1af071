"""SHAP figures for the Partial dependence tab: the summary (beeswarm), the dependence plot next
to the PDP and ICE of the same feature, and one house as a waterfall.

Drawn here with matplotlib's object-oriented API because shap's own plots draw into pyplot's
global state, which many students' requests in one process would share. The beeswarm layout
follows shap's: points of one feature are binned along the x axis and stacked up and down
within a bin.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from core.tabular.pdp import PDP1D
from core.tabular.shapley import HouseExplanation, ShapDependence, ShapValues
from tabs.common.i18n import Language, Texts
from tabs.pdp.render import (
    PDP_COLOUR,
    axis_feature,
    draw_pdp_ice,
    model_title,
    new_figure,
    rug,
    target_label,
)

#: Perceptually uniform and readable with every common colour-vision deficiency.
COLOUR_MAP = "viridis"
#: Okabe-Ito vermillion and blue: contributions that raise and lower the price (the bars also
#: carry their signed value, so colour is never the only cue).
RAISES, LOWERS = "#D55E00", "#0072B2"
#: Bars of a waterfall: the largest contributions, then the rest as one bar.
WATERFALL_BARS = 10
BINS = 100  # x bins of a beeswarm row

WORDS = Texts("pdp_shap_pictures", en={
    "title_summary": "{model}: SHAP values of {houses} test houses",
    "shap_axis": "SHAP value: {effect}",
    "feature_value": "feature value",
    "low": "low", "high": "high",
    "title_dependence": "SHAP dependence: each house's {feature}",
    "shap_of": "SHAP value of {feature}",
    "centred_pdp": "PDP, shifted to mean 0",
    "title_pdp": "PDP and ICE: the average effect",
    "others": "{count} other features",
    "expected": "average prediction E[f(X)] = {value:.1f}",
    "prediction": "this house f(x) = {value:.1f}",
    "title_house": "{model}: why does tract #{tract} cost {prediction:.1f}? (true {price:.1f})",
}, de={
    "title_summary": "{model}: SHAP-Werte von {houses} Testhäusern",
    "shap_axis": "SHAP-Wert: {effect}",
    "feature_value": "Merkmalswert",
    "low": "niedrig", "high": "hoch",
    "title_dependence": "SHAP-Abhängigkeit: {feature} jedes Hauses",
    "shap_of": "SHAP-Wert von {feature}",
    "centred_pdp": "PDP, auf Mittelwert 0 verschoben",
    "title_pdp": "PDP und ICE: der mittlere Effekt",
    "others": "{count} weitere Merkmale",
    "expected": "mittlere Vorhersage E[f(X)] = {value:.1f}",
    "prediction": "dieses Haus f(x) = {value:.1f}",
    "title_house": "{model}: Warum kostet Bezirk #{tract} {prediction:.1f}? (wahr {price:.1f})",
})

__all__ = ["render_shap_dependence", "render_shap_summary", "render_waterfall"]


def _swarm_offsets(values: np.ndarray, height: float = 0.4) -> np.ndarray:
    """Vertical offsets (N,) that stack the points of one row up and down within each of
    :data:`BINS` x bins, scaled to at most ``height``."""
    span = float(values.max() - values.min()) or 1.0
    bins = np.round(BINS * (values - values.min()) / span)
    offsets = np.zeros(values.size)
    order = np.argsort(bins, kind="stable")
    layer, last = 0, None
    for index in order:
        layer = 0 if bins[index] != last else layer + 1
        offsets[index] = np.ceil(layer / 2) * (1 if layer % 2 else -1)
        last = bins[index]
    largest = float(np.abs(offsets).max())
    return offsets * (height / largest) if largest else offsets


def _scaled(column: np.ndarray) -> np.ndarray:
    """A feature's values in [0, 1] between its 5th and 95th percentile (as shap colours
    them), so one outlier does not wash out the others' colours."""
    low, high = np.percentile(column, [5, 95])
    if high <= low:
        low, high = float(column.min()), float(column.max())
    return np.clip((column - low) / ((high - low) or 1.0), 0.0, 1.0)


def render_shap_summary(result: ShapValues, *, lang: Language = "en") -> Figure:
    """The beeswarm: one row per feature (largest mean |SHAP| on top), one point per test
    house at its SHAP value, coloured by the house's value of that feature. Returns a Figure
    with two axes: the swarm and the colour bar (low to high feature value)."""
    order = np.argsort(np.abs(result.values).mean(axis=0), kind="stable")  # weakest first
    fig = new_figure(7.2, 0.42 * len(order) + 1.6)
    ax = fig.add_subplot()
    norm = Normalize(0.0, 1.0)
    points: PathCollection | None = None
    for row, feature in enumerate(order):
        values = result.values[:, feature]
        points = ax.scatter(values, row + _swarm_offsets(values), s=10,
                            c=_scaled(result.data[:, feature]), cmap=COLOUR_MAP, norm=norm,
                            linewidths=0, alpha=0.9, rasterized=True)
    ax.axvline(0.0, color="0.4", linewidth=0.8)
    ax.set_yticks(range(len(order)), [result.feature_names[i] for i in order])
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.set_xlabel(WORDS.text("shap_axis", lang, effect=target_label("effect", lang)))
    ax.set_title(WORDS.text("title_summary", lang, model=model_title(result.model, lang),
                            houses=len(result.tracts)))
    ax.grid(axis="x", alpha=0.3)
    if points is not None:
        colour_bar = fig.colorbar(points, ax=ax, ticks=[0.0, 1.0], aspect=30)
        colour_bar.ax.set_yticklabels([WORDS.text("low", lang), WORDS.text("high", lang)])
        colour_bar.set_label(WORDS.text("feature_value", lang))
    return fig


def render_shap_dependence(pdp: PDP1D, dependence: ShapDependence, *,
                           lang: Language = "en") -> Figure:
    """PDP and ICE of a feature (left) beside its SHAP dependence plot (right): each test
    house's SHAP value at its feature value, coloured by the partner feature, with the PDP
    shifted to mean 0 over the training rows drawn over it (dashed). Returns a Figure with
    three axes: PDP/ICE, SHAP dependence, the partner's colour bar."""
    if pdp.feature != dependence.feature:
        raise ValueError(f"The PDP is for {pdp.feature!r}, the SHAP values for "
                         f"{dependence.feature!r}.")
    fig = new_figure(11.0, 4.6)
    left, right = fig.subplots(1, 2, sharex=True)
    draw_pdp_ice(left, pdp, lang)
    left.set_title(WORDS.text("title_pdp", lang))
    points = right.scatter(dependence.values, dependence.contributions, s=14,
                           c=dependence.partner_values, cmap=COLOUR_MAP, edgecolors="0.2",
                           linewidths=0.3)
    shifted = pdp.average - np.interp(pdp.feature_values, pdp.grid, pdp.average).mean()
    right.plot(pdp.grid, shifted, color=PDP_COLOUR, linewidth=1.8, linestyle="--",
               label=WORDS.text("centred_pdp", lang))
    right.axhline(0.0, color="0.4", linewidth=0.8, linestyle=":")
    right.set_ylabel(WORDS.text("shap_of", lang, feature=dependence.feature))
    right.set_title(WORDS.text("title_dependence", lang, feature=dependence.feature))
    right.legend(loc="best", fontsize=9, framealpha=0.85)
    colour_bar = fig.colorbar(points, ax=right)
    colour_bar.set_label(axis_feature(dependence.partner, lang))
    for ax in (left, right):
        rug(ax, pdp.feature_values)
        ax.set_xlabel(axis_feature(pdp.feature, lang))
        ax.grid(alpha=0.3)
    fig.suptitle(model_title(pdp.model, lang))
    return fig


def _waterfall_bars(house: HouseExplanation, lang: Language) -> tuple[list[str], np.ndarray]:
    """Labels and widths of the bars, bottom to top: the rest together (if any), then the
    :data:`WATERFALL_BARS` - 1 largest contributions, the largest on top."""
    shown = WATERFALL_BARS - 1 if len(house.features) > WATERFALL_BARS else WATERFALL_BARS
    labels = [f"{feature} = {value:.3g}" for feature, value
              in zip(house.features[:shown], house.values[:shown])]
    widths = list(house.contributions[:shown])
    rest = len(house.features) - shown
    if rest > 0:
        labels.append(WORDS.text("others", lang, count=rest))
        widths.append(float(house.contributions[shown:].sum()))
    return labels[::-1], np.asarray(widths[::-1])


def render_waterfall(house: HouseExplanation, *, lang: Language = "en") -> Figure:
    """One house's prediction built from the average prediction (bottom) by each feature's
    SHAP value, one bar each, up to the house's prediction (top). Returns a Figure with one
    axis whose patches are the bars, bottom to top."""
    labels, widths = _waterfall_bars(house, lang)
    starts = house.expected_value + np.concatenate([[0.0], np.cumsum(widths)[:-1]])
    fig = new_figure(7.2, 0.42 * len(widths) + 1.8)
    ax: Axes = fig.add_subplot()
    rows = np.arange(len(widths))
    ax.barh(rows, widths, left=starts, height=0.7,
            color=[RAISES if width >= 0 else LOWERS for width in widths])
    span = float(np.ptp(np.concatenate([starts, starts + widths]))) or 1.0
    for row, start, width in zip(rows, starts, widths):
        end = start + width
        ax.text(max(start, end) + 0.01 * span, float(row), f"{width:+.2f}", va="center",
                fontsize=9)
    ax.set_yticks(rows, labels)
    for value, key, style in ((house.expected_value, "expected", ":"),
                              (house.prediction, "prediction", "--")):
        ax.axvline(value, color="0.25", linewidth=1.0, linestyle=style,
                   label=WORDS.text(key, lang, value=value))
    ax.set_xlim(min(starts.min(), (starts + widths).min()) - 0.05 * span,
                max(starts.max(), (starts + widths).max()) + 0.15 * span)
    ax.set_xlabel(target_label("predicted", lang))
    ax.set_title(WORDS.text("title_house", lang, model=model_title(house.model, lang),
                            tract=house.tract, prediction=house.prediction, price=house.price),
                 fontsize=10)
    fig.legend(loc="outside lower center", ncols=2, fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return fig
