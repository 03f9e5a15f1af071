"""Figures for the Partial Dependence tab (object-oriented matplotlib, never pyplot)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from core.tabular.ale import ALE1D
from core.tabular.pdp import PDP1D, PDP2D, ModelComparison
from tabs.common.colours import OKABE_ITO, series_styles
from tabs.common.i18n import Language, Texts, in_language
from tabs.pdp.texts import T, feature_label

#: Figures are saved as PNG at the dpi they were created with; 160 dpi (1152 px for 7.2 in) lets the
#: browser scale the PNG down to its column, so text stays sharp on HiDPI screens too.
DPI = 160
PDP_COLOUR = OKABE_ITO["vermillion"]
ICE_COLOUR = OKABE_ITO["blue"]
ALE_COLOUR = OKABE_ITO["bluish_green"]
#: One style per model in the comparison: colour, line style and marker.
MODEL_STYLES = series_styles(("random_forest", "gradient_boosting", "neural_network"))
MODEL_COLOURS = {model: style["color"] for model, style in MODEL_STYLES.items()}

WORDS = Texts("pdp_pictures", en={
    "random_forest": "Random forest",
    "gradient_boosting": "Gradient boosting",
    "neural_network": "Neural network (MLP)",
    "pdp": "PDP (average of all rows)",
    "ice": "ICE: {n} sampled rows",
    "cice": "centred ICE: {n} sampled rows",
    "predicted": "predicted {target}",
    "change": "change in predicted {target}",
    "rows": "rows",
    "title_1d": "{model}: partial dependence on {feature}",
    "title_1d_c": "{model}: centred ICE for {feature}",
    "title_2d": "{model}: 2D partial dependence ({method})",
    "recursion": "recursion",
    "brute": "brute",
    "outside": "outside the data (extrapolation)",
    "data": "training rows",
    "title_cmp": "Partial dependence on {feature}: all models",
    "score": "{model}: test R² {r2:.2f}, MAE {mae:.2f}",
    "title_pdp": "PDP: {model}",
    "title_ale": "ALE: {model}",
    "ale": "ALE",
    "pdp_shift": "PDP, shifted to mean 0",
    "effect": "effect on predicted {target}",
}, de={
    "random_forest": "Random Forest",
    "gradient_boosting": "Gradient Boosting",
    "neural_network": "Neuronales Netz (MLP)",
    "pdp": "PDP (Mittel über alle Zeilen)",
    "ice": "ICE: {n} zufällige Zeilen",
    "cice": "zentrierte ICE: {n} zufällige Zeilen",
    "predicted": "vorhergesagter {target}",
    "change": "Änderung des vorhergesagten {target}",
    "rows": "Zeilen",
    "title_1d": "{model}: partielle Abhängigkeit von {feature}",
    "title_1d_c": "{model}: zentrierte ICE für {feature}",
    "title_2d": "{model}: partielle 2D-Abhängigkeit ({method})",
    "recursion": "Rekursion",
    "brute": "Brute Force",
    "outside": "außerhalb der Daten (Extrapolation)",
    "data": "Trainingszeilen",
    "title_cmp": "Partielle Abhängigkeit von {feature}: alle Modelle",
    "score": "{model}: Test-R² {r2:.2f}, MAE {mae:.2f}",
    "title_pdp": "PDP: {model}",
    "title_ale": "ALE: {model}",
    "ale": "ALE",
    "pdp_shift": "PDP, auf Mittelwert 0 verschoben",
    "effect": "Effekt auf den vorhergesagten {target}",
    })


__all__ = ["axis_feature", "draw_pdp_ice", "model_title", "new_figure",
           "render_ale_vs_pdp", "render_model_comparison", "render_pdp_1d", "render_pdp_2d",
           "rug", "target_label"]


def _t(lang: Language) -> dict[str, str]:
    """The words of the figures in ``lang``, their placeholders still to fill."""
    return in_language(WORDS.words, lang)


def target_label(key: str, lang: Language) -> str:
    """An axis label about the predicted price ("predicted MEDV (in $1000s)")."""
    return WORDS.text(key, lang, target=T.text("target_label", lang))


def model_title(model: str, lang: Language) -> str:
    return WORDS.text(model, lang)


def new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _axes_with_histogram(fig: Figure) -> tuple[Axes, Axes]:
    """A main axis on top of a short histogram axis that shares its x axis."""
    grid = fig.add_gridspec(2, 1, height_ratios=(4, 1))
    ax = fig.add_subplot(grid[0])
    hist = fig.add_subplot(grid[1], sharex=ax)
    ax.tick_params(labelbottom=False)
    return ax, hist


def axis_feature(feature: str, lang: Language) -> str:
    """``feature``'s label for an axis: its dollar signs escaped, or matplotlib would read
    "($ per $10,000)" as mathematics."""
    return feature_label(feature, lang).replace("$", r"\$")


def _histogram(hist: Axes, values: np.ndarray, x_range: tuple[float, float], feature: str,
               lang: Language) -> None:
    """Histogram of the data under the plot, limited to the plotted range.

    Features with at most 12 distinct values (CHAS, RAD) get one bar per value.
    """
    low, high = x_range
    inside = values[(values >= low) & (values <= high)]
    uniques, counts = np.unique(inside, return_counts=True)
    pad = 0.02 * (high - low or 1.0)
    if 0 < uniques.size <= 12:
        gap = float(np.diff(uniques).min()) if uniques.size > 1 else 1.0
        hist.bar(uniques, counts, width=0.8 * gap, color="0.6", edgecolor="white")
        pad = max(pad, 0.5 * gap)
    else:
        hist.hist(inside, bins=40, range=(low, high), color="0.6", edgecolor="white",
                  linewidth=0.5)
    hist.set_ylabel(_t(lang)["rows"])
    hist.set_xlabel(axis_feature(feature, lang))
    hist.grid(axis="y", alpha=0.3)
    hist.set_xlim(low - pad, high + pad)


def rug(ax: Axes, values: np.ndarray) -> None:
    """Short ticks at the bottom of ``ax``, one per data row (drawn as one LineCollection)."""
    transform = blended_transform_factory(ax.transData, ax.transAxes)
    ax.vlines(values, 0.0, 0.04, transform=transform, colors="0.3", linewidth=0.6, alpha=0.5)


def draw_pdp_ice(ax: Axes, result: PDP1D, lang: Language) -> None:
    """The PDP (thick line) over its ICE curves (thin, one LineCollection) on ``ax``, with the
    y label, a grid and a legend."""
    text = _t(lang)
    n = result.ice.shape[0]
    handles = []
    if n:
        segments = np.stack([np.broadcast_to(result.grid, result.ice.shape), result.ice], axis=-1)
        alpha = float(np.clip(8.0 / n, 0.12, 0.5))
        ax.add_collection(LineCollection(list(segments), colors=ICE_COLOUR, linewidths=0.8,
                                         alpha=alpha))
        label = text["cice" if result.centered else "ice"].format(n=n)
        handles.append(Line2D([], [], color=ICE_COLOUR, linewidth=0.8, alpha=0.6, label=label))
    every = None if result.grid.size <= 12 else 0.1
    (pdp_line,) = ax.plot(result.grid, result.average, color=PDP_COLOUR, linewidth=3.2,
                          marker="o", markevery=every, label=text["pdp"], zorder=3)
    handles.append(pdp_line)
    if result.centered:
        ax.axhline(0.0, color="0.4", linewidth=0.8, linestyle=":")
    ax.autoscale_view()
    ax.set_ylabel(target_label("change" if result.centered else "predicted", lang))
    ax.grid(alpha=0.3)
    ax.legend(handles=handles, loc="best", fontsize=9, framealpha=0.85)


def render_pdp_1d(result: PDP1D, *, lang: Language = "en") -> Figure:
    """PDP (thick line) over ICE curves (thin, one LineCollection) with a histogram below.

    Returns a Figure with two axes: the plot and the histogram of the feature's training data.
    """
    text = _t(lang)
    fig = new_figure(7.2, 5.0)
    ax, hist = _axes_with_histogram(fig)
    draw_pdp_ice(ax, result, lang)
    title = text["title_1d_c" if result.centered else "title_1d"]
    ax.set_title(title.format(model=model_title(result.model, lang), feature=result.feature))
    _histogram(hist, result.feature_values, (float(result.grid[0]), float(result.grid[-1])),
               result.feature, lang)
    return fig


def render_pdp_2d(result: PDP2D, *, lang: Language = "en", levels: int = 12) -> Figure:
    """Filled contour of the 2D PDP (x: first feature, y: second) with labelled isolines.

    Training rows are drawn as dots, grid cells outside the data hatched grey. Returns a Figure
    with two axes: the plot and its colour bar.
    """
    text = _t(lang)
    fig = new_figure(7.2, 5.6)
    ax = fig.add_subplot()
    z = result.average.T  # contourf wants (y, x) = (G2, G1)
    filled = ax.contourf(result.grid_1, result.grid_2, z, levels=levels, cmap="viridis")
    lines = ax.contour(result.grid_1, result.grid_2, z, levels=filled.levels, colors="k",
                       linewidths=0.6, alpha=0.7)
    ax.clabel(lines, np.asarray(lines.levels)[1::2], inline=True, fontsize=8, fmt="%.1f")
    if result.outside.any():
        ax.contourf(result.grid_1, result.grid_2, result.outside.T.astype(float),
                    levels=[0.5, 1.5], colors=[(0.55, 0.55, 0.55, 0.6)], hatches=["///"])
    ax.scatter(result.values_1, result.values_2, s=9, c="white", edgecolors="k",
               linewidths=0.4, alpha=0.75, zorder=3)
    ax.set_xlim(result.grid_1[0], result.grid_1[-1])
    ax.set_ylim(result.grid_2[0], result.grid_2[-1])
    ax.set_xlabel(axis_feature(result.features[0], lang))
    ax.set_ylabel(axis_feature(result.features[1], lang))
    ax.set_title(text["title_2d"].format(model=model_title(result.model, lang),
                                         method=text[result.method]))
    colorbar = fig.colorbar(filled, ax=ax)
    colorbar.set_label(target_label("predicted", lang))
    handles = [
        Line2D([], [], linestyle="", marker="o", markersize=4, markerfacecolor="white",
               markeredgecolor="k", label=text["data"]),
        Patch(facecolor=(0.55, 0.55, 0.55, 0.6), hatch="///", edgecolor="0.3",
              label=text["outside"]),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=9, frameon=False)
    return fig


def render_model_comparison(result: ModelComparison, *, lang: Language = "en") -> Figure:
    """Every model's PDP of one feature on one axis, with a histogram of the data below.

    Returns a Figure with two axes (plot, histogram); the plot has one line per model, in
    ``MODEL_STYLES`` (colour, line style, marker): the trees' step functions next to the
    network's smooth curve.
    """
    text = _t(lang)
    fig = new_figure(7.2, 5.0)
    ax, hist = _axes_with_histogram(fig)
    for model, average in result.averages.items():
        score = result.scores.get(model)
        name = model_title(model, lang)
        label = text["score"].format(model=name, r2=score.r2, mae=score.mae) if score else name
        ax.plot(result.grid, average, **{**MODEL_STYLES[model], "linewidth": 2.6}, label=label)
    ax.set_ylabel(target_label("predicted", lang))
    ax.set_title(text["title_cmp"].format(feature=result.feature))
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=9, framealpha=0.85)
    _histogram(hist, result.feature_values, (float(result.grid[0]), float(result.grid[-1])),
               result.feature, lang)
    return fig


def render_ale_vs_pdp(ale: ALE1D, pdp: PDP1D, *, lang: Language = "en") -> Figure:
    """PDP (left) and ALE (right) of the same feature side by side, each with a rug.

    The ALE axis also shows the PDP shifted to mean 0 over the data (dashed), so the two
    shapes can be compared directly. Returns a Figure with two axes.
    """
    if ale.feature != pdp.feature:
        raise ValueError(f"ALE is for {ale.feature!r} but the PDP for {pdp.feature!r}.")
    text = _t(lang)
    fig = new_figure(10.0, 4.4)
    left, right = fig.subplots(1, 2)
    model = model_title(pdp.model, lang)
    left.plot(pdp.grid, pdp.average, color=PDP_COLOUR, linewidth=2.8, label=text["pdp"])
    left.set_ylabel(target_label("change" if pdp.centered else "predicted", lang))
    left.set_title(text["title_pdp"].format(model=model))

    right.plot(ale.edges, ale.effect, color=ALE_COLOUR, linewidth=2.8, marker="o", markersize=3,
               label=text["ale"])
    shifted = pdp.average - np.interp(pdp.feature_values, pdp.grid, pdp.average).mean()
    right.plot(pdp.grid, shifted, color=PDP_COLOUR, linewidth=1.6, linestyle="--",
               label=text["pdp_shift"])
    right.axhline(0.0, color="0.4", linewidth=0.8, linestyle=":")
    right.set_ylabel(target_label("effect", lang))
    right.set_title(text["title_ale"].format(model=model_title(ale.model, lang)))
    right.legend(loc="best", fontsize=9, framealpha=0.85)

    low = float(min(ale.edges[0], pdp.grid[0]))
    high = float(max(ale.edges[-1], pdp.grid[-1]))
    pad = 0.02 * (high - low or 1.0)
    for ax, values in ((left, pdp.feature_values), (right, ale.feature_values)):
        rug(ax, values)
        ax.margins(y=0.1)
        ax.set_xlim(low - pad, high + pad)
        ax.set_xlabel(axis_feature(ale.feature, lang))
        ax.grid(alpha=0.3)
    return fig
