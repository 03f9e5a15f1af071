"""The Attribution tab's figures and pictures: the bar chart of Grad-CAM's channel weights,
deletion/insertion curves and the sanity check's rows and correlation plot (object-oriented
matplotlib, no pyplot), labelled in the request's language (``lang``) from the words in
:data:`P`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from core.attribution import METHOD_TITLES
from core.attribution.faithfulness import RANDOM, FaithfulnessReport
from core.attribution.sanity import GUIDED_BACKPROP, SanityReport
from tabs.common.colours import REFERENCE, SEQUENTIAL, series_styles
from tabs.common.i18n import Language, Texts
from tabs.common.render.colour_bar import relevance_bar, with_colour_bars
from tabs.common.render.maps import TITLE_HEIGHT, heatmap, overlay_map, stack, strip

P = Texts("attribution_pictures", en={
    "channel": "channel k of {layer}", "weight": "weight α_k",
    "weights": "2–3. Gradients averaged per map: one weight α_k per channel for '{label}' "
               "(red: the {highlight} largest)",
    "deletion": "Deletion: most important first (small area = faithful)",
    "insertion": "Insertion into the {image} (large area = faithful)",
    "replaced": "% of pixels replaced by the {image}", "put_back": "% of pixels put back",
    "area": "area under the curve:\ndeletion ↓ / insertion ↑", "random": "random",
    "image.black": "black image", "image.white": "white image",
    "image.noise": "noise image", "image.blurred": "blurred image",
    "hot": "{title}\nmap: high = deleted first", "random_row": "random order\n(the reference)",
    "deleted": "{fraction:.0%} deleted\np = {p:.3f}",
    "cascade": "randomized from the output down (each step adds one stage)",
    "rho": "Spearman ρ with the trained map",
    "sanity": "Sanity check: do the maps of #{target} {label} depend on the weights?",
    "trained": "{title}\ntrained", "constant": "+ {stage}\nrho: map is constant",
    "guided_backprop": "Guided backprop (inside Guided Grad-CAM)",
    "guided_backprop.short": "Guided backprop",
    "waiting": "{title}\n(computing…)", "stopped": "{title}\n(stopped)",
}, de={
    "channel": "Kanal k von {layer}", "weight": "Gewicht α_k",
    "weights": "2–3. Gradienten je Map gemittelt: ein Gewicht α_k pro Kanal für "
               "„{label}“ (rot: die {highlight} größten)",
    "deletion": "Deletion: wichtigste zuerst (kleine Fläche = treu)",
    "insertion": "Insertion in das {image} (große Fläche = treu)",
    "replaced": "% der Pixel durch das {image} ersetzt",
    "put_back": "% der Pixel wieder eingesetzt",
    "area": "Fläche unter der Kurve:\nDeletion ↓ / Insertion ↑", "random": "zufällig",
    "image.black": "schwarze Bild", "image.white": "weiße Bild",
    "image.noise": "Rauschbild", "image.blurred": "weichgezeichnete Bild",
    "hot": "{title}\nMap: hoch = zuerst gelöscht",
    "random_row": "zufällige Reihenfolge\n(die Referenz)",
    "deleted": "{fraction:.0%} gelöscht\np = {p:.3f}",
    "cascade": "vom Ausgang her randomisiert (jeder Schritt nimmt eine Stufe dazu)",
    "rho": "Spearman ρ mit der trainierten Map",
    "sanity": "Sanity-Check: Hängen die Maps von #{target} {label} von den Gewichten ab?",
    "trained": "{title}\ntrainiert", "constant": "+ {stage}\nrho: Map ist konstant",
    "guided_backprop": "Guided Backprop (innerhalb von Guided Grad-CAM)",
    "guided_backprop.short": "Guided Backprop",
    "waiting": "{title}\n(wird berechnet ...)", "stopped": "{title}\n(angehalten)",
})
"""The words drawn into the figures and pictures."""


def weights_figure(weights: np.ndarray, *, layer: str, label: str, highlight: int = 5,
                   lang: Language = "en") -> Figure:
    """Grad-CAM step 3: one bar per channel (α_k), the ``highlight`` largest in red."""
    figure = Figure(figsize=(7, 2.6), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    channels = np.arange(len(weights))
    colours = np.full(len(weights), "#7f8fa6", dtype=object)
    colours[np.argsort(-weights)[:highlight]] = "#c0392b"
    axes.bar(channels, weights, color=list(colours), width=1.0)
    axes.axhline(0, color="black", linewidth=0.6)
    axes.set_xlabel(P.text("channel", lang, layer=layer))
    axes.set_ylabel(P.text("weight", lang))
    axes.set_title(P.text("weights", lang, label=label, highlight=highlight), fontsize=10)
    axes.set_xlim(-0.5, len(weights) - 0.5)
    return figure


# ---------------------------------------------------------------------------------------------
# deletion/insertion and sanity checks

METHOD_STYLES = series_styles(("gradcam", "guided_gradcam", "saliency", "integrated_gradients",
                               "guided_backprop", "occlusion", "lrp_epsilon_plus_flat",
                               "lrp_epsilon_gamma_box"))
"""Each method's line: colour, line style and marker (Grad-CAM and Guided Grad-CAM, the pair
most often compared, get the two colours furthest apart under colour blindness)."""


def line_style(name: str) -> dict:
    """The keyword arguments of ``Axes.plot`` for a method's curve, or the random order's."""
    return REFERENCE if name == RANDOM else METHOD_STYLES[name]


def row_title(name: str, lang: Language = "en", *, short: bool = False) -> str:
    """The title of a curve or a row in ``lang``: a method's name, the random order, or guided
    backpropagation (``short``: without saying it is inside Guided Grad-CAM)."""
    if name == RANDOM:
        return P.text("random", lang)
    if name == GUIDED_BACKPROP:
        return P.text("guided_backprop.short" if short else "guided_backprop", lang)
    return METHOD_TITLES[name]


def row_titles(report: SanityReport, lang: Language = "en", *,
               short: bool = False) -> tuple[str, ...]:
    """The sanity check's row titles in ``lang``."""
    return tuple(row_title(row, lang, short=short) for row in report.rows)


def curves_figure(report: FaithfulnessReport, *, lang: Language = "en") -> Figure:
    """Deletion (left) and insertion (right): probability of the target against the share of
    pixels replaced or put back, one line per method, the random order dashed; the legend on
    the right gives both areas under the curves."""
    image = P.text(f"image.{report.replacement}", lang)
    figure = Figure(figsize=(11, 3.8), dpi=100, layout="constrained")
    deletion, insertion = figure.subplots(1, 2, sharey=True)
    percent = 100 * report.fractions
    for curves in report.curves:
        areas = f"{curves.deletion_area:.3f} / {curves.insertion_area:.3f}"
        deletion.plot(percent, curves.deletion, **line_style(curves.name),
                      label=f"{row_title(curves.name, lang)}\n{areas}")
        insertion.plot(percent, curves.insertion, **line_style(curves.name))
    deletion.set_title(P.text("deletion", lang), fontsize=10)
    insertion.set_title(P.text("insertion", lang, image=image), fontsize=10)
    deletion.set_xlabel(P.text("replaced", lang, image=image))
    insertion.set_xlabel(P.text("put_back", lang))
    deletion.set_ylabel(f"p(#{report.target} {report.label})")
    for axes in (deletion, insertion):
        axes.set_xlim(0, 100)
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
    figure.legend(loc="outside right upper", fontsize=8, title_fontsize=8,
                  title=P.text("area", lang))
    return figure


def deletion_picture(report: FaithfulnessReport, *, cmap: str = SEQUENTIAL, tile: int = 160,
                     lang: Language = "en", rows: Sequence[str] = (),
                     stopped: bool = False) -> np.ndarray:
    """One row per method (random order last): its map, then the image with the shown
    fractions of its most important pixels replaced, with the target's probability.

    ``rows`` names the rows of a report still being computed (default: its curves): a method
    without its curves gets grey panels (after its map, once that exists), titled as never
    computed when the run was ``stopped``."""
    maps = {e.method: e.map for e in report.explanations}
    measured = {c.name: c for c in report.curves}
    lines = []
    for name in rows or measured:
        title = row_title(name, lang)
        if name in maps:
            first = (heatmap(maps[name], cmap=cmap), P.text("hot", lang, title=title))
        elif name == RANDOM:
            first = (report.view, P.text("random_row", lang))
        else:
            first = waiting(title, lang, stopped=stopped)
        curves = measured.get(name)
        if curves is None:
            shown = [waiting(f"{fraction:.0%}", lang, stopped=stopped)
                     for fraction in report.shown_fractions]
        else:
            shown = [(image, P.text("deleted", lang, fraction=fraction, p=p)) for image, fraction, p
                     in zip(curves.images, report.shown_fractions, curves.shown)]
        lines.append(strip([first, *shown], tile=tile))
    return with_colour_bars(stack(lines), (relevance_bar(cmap, lang),), top=TITLE_HEIGHT)


def waiting(title: str, lang: Language, *, stopped: bool = False) -> tuple[np.ndarray, str]:
    """A grey panel for a part still being computed, or never computed (``stopped``)."""
    return np.full((8, 8, 3), 200, dtype=np.uint8), \
        P.text("stopped" if stopped else "waiting", lang, title=title)


def correlation_figure(report: SanityReport, *, lang: Language = "en",
                       pending: Sequence[str] = ()) -> Figure:
    """Spearman rank correlation of each method's map with the trained model's map, after
    each stage of the cascade (left: trained, right: every weight random); the ``pending``
    stages of a cascade still being computed are named on the axis, without points."""
    figure = Figure(figsize=(10, 3.8), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    steps = np.arange(len(report.stages))
    for row, title, values in zip(report.rows, row_titles(report, lang), report.correlations):
        axes.plot(steps, values, label=title, **line_style(row))
    axes.axhline(0, color="black", linewidth=0.6)
    stages = (*report.stages, *pending)
    axes.set_xticks(np.arange(len(stages)),
                    [s if i == 0 else f"+ {s}" for i, s in enumerate(stages)],
                    rotation=30, ha="right", fontsize=8)
    axes.set_xlabel(P.text("cascade", lang))
    axes.set_ylabel(P.text("rho", lang))
    axes.set_ylim(min(-0.2, float(np.nanmin(report.correlations)) - 0.05), 1.05)
    axes.set_title(P.text("sanity", lang, target=report.target, label=report.label),
                   fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return figure


def sanity_picture(report: SanityReport, *, cmap: str = SEQUENTIAL, opacity: float = 0.7,
                   tile: int = 128, lang: Language = "en", pending: Sequence[str] = (),
                   stopped: bool = False) -> np.ndarray:
    """One row per method: the trained model's map over the image, then the map after each
    stage of the cascade with its rank correlation ("rho": PIL's default font has no Greek);
    grey panels for the ``pending`` stages of a cascade still being computed (or ``stopped``)."""
    rows = []
    titles = row_titles(report, lang, short=True)
    for title, maps, values in zip(titles, report.maps, report.correlations):
        panels = [(overlay_map(report.view, maps[0], opacity=opacity, cmap=cmap),
                   P.text("trained", lang, title=title))]
        panels += [(heatmap(m, cmap=cmap), f"+ {stage}\nrho = {rho:.2f}" if np.isfinite(rho)
                    else P.text("constant", lang, stage=stage))
                   for m, stage, rho in zip(maps[1:], report.stages[1:], values[1:])]
        panels += [waiting(f"+ {stage}", lang, stopped=stopped) for stage in pending]
        rows.append(strip(panels, tile=tile))
    return with_colour_bars(stack(rows), (relevance_bar(cmap, lang),), top=TITLE_HEIGHT)
