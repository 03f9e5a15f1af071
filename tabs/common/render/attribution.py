"""Attribution maps as pictures: each map scaled to [0, 1] on its own, heatmaps, overlays, labelled strips,
the bar chart of Grad-CAM's channel weights, deletion/insertion curves and the sanity check's
rows and correlation plot (object-oriented matplotlib, no pyplot). Figures and pictures are
labelled in the request's language (``lang``)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from PIL import Image, ImageDraw, ImageFont

from core.attribution.faithfulness import RANDOM, FaithfulnessReport
from core.attribution.sanity import GUIDED_BACKPROP, SanityReport
from core.checks import InputError
from tabs.common.i18n import Language, in_language
from tabs.common.render.images import check_opacity, colorize, resize_map

COLORMAPS = ("jet", "inferno", "hot", "viridis", "gray")
CLIP_PERCENTILE = 99.5
TITLE_HEIGHT = 34
GAP = 6
# PIL's default font has no umlauts: titles drawn into pictures spell them out
_SPELLED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                          "ß": "ss"})
_TEXT = {
    "en": {"channel": "channel k of {layer}", "weight": "weight α_k",
           "weights": "2–3. Gradients averaged per map: one weight α_k per channel for '{label}' "
                      "(red: the {highlight} largest)",
           "deletion": "Deletion: most important first (small area = faithful)",
           "insertion": "Insertion into the {image} (large area = faithful)",
           "replaced": "% of pixels replaced by the {image}", "put_back": "% of pixels put back",
           "area": "area under the curve:\ndeletion ↓ / insertion ↑", "random": "random",
           "image.black": "black image", "image.white": "white image",
           "image.noise": "noise image", "image.blurred": "blurred image",
           "hot": "{title}\nmap: deleted first = hot", "random_row": "random order\n(the reference)",
           "deleted": "{fraction:.0%} deleted\np = {p:.3f}",
           "cascade": "randomized from the output down (each step adds one stage)",
           "rho": "Spearman ρ with the trained map",
           "sanity": "Sanity check: do the maps of #{target} {label} depend on the weights?",
           "trained": "{title}\ntrained", "constant": "+ {stage}\nrho: map is constant",
           "guided_backprop": "Guided backprop (inside Guided Grad-CAM)"},
    "de": {"channel": "Kanal k von {layer}", "weight": "Gewicht α_k",
           "weights": "2–3. Gradienten je Map gemittelt: ein Gewicht α_k pro Kanal für "
                      "„{label}“ (rot: die {highlight} größten)",
           "deletion": "Deletion: wichtigste zuerst (kleine Fläche = treu)",
           "insertion": "Insertion in das {image} (große Fläche = treu)",
           "replaced": "% der Pixel durch das {image} ersetzt",
           "put_back": "% der Pixel wieder eingesetzt",
           "area": "Fläche unter der Kurve:\nDeletion ↓ / Insertion ↑", "random": "zufällig",
           "image.black": "schwarze Bild", "image.white": "weiße Bild",
           "image.noise": "Rauschbild", "image.blurred": "weichgezeichnete Bild",
           "hot": "{title}\nMap: heiß = zuerst gelöscht",
           "random_row": "zufällige Reihenfolge\n(die Referenz)",
           "deleted": "{fraction:.0%} gelöscht\np = {p:.3f}",
           "cascade": "vom Ausgang her randomisiert (jeder Schritt nimmt eine Stufe dazu)",
           "rho": "Spearman ρ mit der trainierten Map",
           "sanity": "Sanity-Check: Hängen die Maps von #{target} {label} von den Gewichten ab?",
           "trained": "{title}\ntrainiert", "constant": "+ {stage}\nrho: Map ist konstant",
           "guided_backprop": "Guided Backprop (innerhalb von Guided Grad-CAM)"},
}


def unit_scale(values: np.ndarray, *, clip_percentile: float = CLIP_PERCENTILE) -> np.ndarray:
    """Scale one map to [0, 1]: its minimum → 0, its ``clip_percentile`` percentile → 1.

    Clipping the top 0.5 % keeps one extreme pixel from making the rest of a saliency map black.
    A constant map becomes all zeros. Returns float32 of the same shape.
    """
    values = np.asarray(values, dtype=np.float32)
    low = float(values.min())
    high = float(np.percentile(values, clip_percentile))
    if high <= low:
        high = float(values.max())
    if high <= low:
        return np.zeros_like(values)
    return np.clip((values - low) / (high - low), 0.0, 1.0)


def heatmap(values: np.ndarray, *, cmap: str = "jet", size: tuple[int, int] | None = None) -> np.ndarray:
    """A map normalised on its own as an RGB uint8 picture, optionally resized to (H, W)."""
    unit = unit_scale(values)
    if size is not None and unit.shape != size:
        unit = resize_map(unit, size)
    return colorize(unit, low=0.0, high=1.0, cmap=_check_cmap(cmap))


def overlay_map(view: np.ndarray, values: np.ndarray, *, opacity: float = 0.5,
                cmap: str = "jet") -> np.ndarray:
    """Blend the normalised heatmap over ``view`` (H, W, 3) uint8.

    Each pixel's opacity is ``opacity`` × its normalised value, so unimportant regions keep
    the photo and the most important ones show the colour map at full ``opacity``.
    """
    check_opacity(opacity)
    _check_cmap(cmap)
    unit = unit_scale(values)
    if unit.shape != view.shape[:2]:
        unit = resize_map(unit, view.shape[:2])
    coloured = colorize(unit, low=0.0, high=1.0, cmap=cmap).astype(np.float32)
    alpha = (opacity * np.clip(unit, 0.0, 1.0))[..., None]
    blend = (1.0 - alpha) * view.astype(np.float32) + alpha * coloured
    return blend.round().clip(0, 255).astype(np.uint8)


def strip(panels: list[tuple[np.ndarray, str]], *, tile: int = 224) -> np.ndarray:
    """Pictures side by side, each scaled to ``tile``×``tile`` under a one- or two-line title."""
    if not panels:
        raise ValueError("Nothing to show.")
    width = len(panels) * tile + (len(panels) - 1) * GAP
    canvas = Image.new("RGB", (width, tile + TITLE_HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default(size=12)
    for i, (picture, title) in enumerate(panels):
        x = i * (tile + GAP)
        image = Image.fromarray(picture).resize((tile, tile), Image.BILINEAR)
        canvas.paste(image, (x, TITLE_HEIGHT))
        for line_no, line in enumerate(title.translate(_SPELLED).split("\n")[:2]):
            draw.text((x + 2, 2 + 15 * line_no), _fit(draw, line, font, tile - 4), fill=(0, 0, 0),
                      font=font)
    return np.asarray(canvas)


def stack(rows: list[np.ndarray]) -> np.ndarray:
    """Strips of equal width one under the other, with a white gap."""
    gap = np.full((GAP, rows[0].shape[1], 3), 255, dtype=np.uint8)
    parts = [part for row in rows for part in (row, gap)][:-1]
    return np.concatenate(parts, axis=0)


def weights_figure(weights: np.ndarray, *, layer: str, label: str, highlight: int = 5,
                   lang: Language = "en") -> Figure:
    """Grad-CAM step 3: one bar per channel (α_k), the ``highlight`` largest in red."""
    text = in_language(_TEXT, lang)
    figure = Figure(figsize=(7, 2.6), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    channels = np.arange(len(weights))
    colours = np.full(len(weights), "#7f8fa6", dtype=object)
    colours[np.argsort(-weights)[:highlight]] = "#c0392b"
    axes.bar(channels, weights, color=list(colours), width=1.0)
    axes.axhline(0, color="black", linewidth=0.6)
    axes.set_xlabel(text["channel"].format(layer=layer))
    axes.set_ylabel(text["weight"])
    axes.set_title(text["weights"].format(label=label, highlight=highlight), fontsize=10)
    axes.set_xlim(-0.5, len(weights) - 0.5)
    return figure


def _check_cmap(cmap: str) -> str:
    if cmap not in COLORMAPS:
        raise InputError(f"Unknown colour map '{cmap}'. Choose one of: {', '.join(COLORMAPS)}.",
                         f"Unbekannte Farbskala '{cmap}'. Wähle eine von: {', '.join(COLORMAPS)}.")
    return cmap


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """Shorten ``text`` with an ellipsis until it fits ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


# ---------------------------------------------------------------------------------------------
# deletion/insertion and sanity checks

METHOD_COLOURS = {"saliency": "#1f77b4", "integrated_gradients": "#ff7f0e", "gradcam": "#2ca02c",
                  "guided_gradcam": "#d62728", "occlusion": "#9467bd", "guided_backprop": "#8c564b"}
RANDOM_STYLE = dict(color="#7f8c8d", linestyle="--", linewidth=1.6)


def _style(name: str) -> dict:
    if name == RANDOM:
        return RANDOM_STYLE
    dotted = dict(linestyle=":") if name == "guided_backprop" else {}
    return dict(color=METHOD_COLOURS.get(name, "black"), linewidth=1.8, **dotted)


def _title(name: str, title: str, text: dict) -> str:
    """A curve's or row's title in the language of ``text``."""
    return {RANDOM: text["random"], GUIDED_BACKPROP: text["guided_backprop"]}.get(name, title)


def row_titles(report: SanityReport, lang: Language = "en") -> tuple[str, ...]:
    """The sanity check's row titles in ``lang``."""
    text = in_language(_TEXT, lang)
    return tuple(_title(row, title, text) for row, title in zip(report.rows, report.titles))


def curves_figure(report: FaithfulnessReport, *, lang: Language = "en") -> Figure:
    """Deletion (left) and insertion (right): probability of the target against the share of
    pixels replaced or put back, one line per method, the random order dashed; the legend on
    the right gives both areas under the curves."""
    text = in_language(_TEXT, lang)
    image = text[f"image.{report.replacement}"]
    figure = Figure(figsize=(11, 3.8), dpi=100, layout="constrained")
    deletion, insertion = figure.subplots(1, 2, sharey=True)
    percent = 100 * report.fractions
    for curves in report.curves:
        deletion.plot(percent, curves.deletion, **_style(curves.name),
                      label=f"{_title(curves.name, curves.title, text)}\n{curves.deletion_area:.3f} / {curves.insertion_area:.3f}")
        insertion.plot(percent, curves.insertion, **_style(curves.name))
    deletion.set_title(text["deletion"], fontsize=10)
    insertion.set_title(text["insertion"].format(image=image), fontsize=10)
    deletion.set_xlabel(text["replaced"].format(image=image))
    insertion.set_xlabel(text["put_back"])
    deletion.set_ylabel(f"p(#{report.target} {report.label})")
    for axes in (deletion, insertion):
        axes.set_xlim(0, 100)
        axes.set_ylim(bottom=0)
        axes.grid(alpha=0.3)
    figure.legend(loc="outside right upper", fontsize=8, title_fontsize=8,
                  title=text["area"])
    return figure


def deletion_picture(report: FaithfulnessReport, *, cmap: str = "jet", tile: int = 160,
                     lang: Language = "en") -> np.ndarray:
    """One row per method (random order last): its map, then the image with the shown
    fractions of its most important pixels replaced, with the target's probability."""
    text = in_language(_TEXT, lang)
    maps = {e.method: e.map for e in report.explanations}
    rows = []
    for curves in report.curves:
        first = ((heatmap(maps[curves.name], cmap=cmap), text["hot"].format(title=curves.title))
                 if curves.name in maps else (report.view, text["random_row"]))
        shown = [(image, text["deleted"].format(fraction=fraction, p=p))
                 for image, fraction, p in zip(curves.images, report.shown_fractions, curves.shown)]
        rows.append(strip([first, *shown], tile=tile))
    return stack(rows)


def correlation_figure(report: SanityReport, *, lang: Language = "en") -> Figure:
    """Spearman rank correlation of each method's map with the trained model's map, after
    each stage of the cascade (left: trained, right: every weight random)."""
    text = in_language(_TEXT, lang)
    figure = Figure(figsize=(10, 3.8), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    steps = np.arange(len(report.stages))
    for row, title, values in zip(report.rows, row_titles(report, lang), report.correlations):
        axes.plot(steps, values, marker="o", label=title, **_style(row))
    axes.axhline(0, color="black", linewidth=0.6)
    axes.set_xticks(steps, [s if i == 0 else f"+ {s}" for i, s in enumerate(report.stages)],
                    rotation=30, ha="right", fontsize=8)
    axes.set_xlabel(text["cascade"])
    axes.set_ylabel(text["rho"])
    axes.set_ylim(min(-0.2, float(np.nanmin(report.correlations)) - 0.05), 1.05)
    axes.set_title(text["sanity"].format(target=report.target, label=report.label), fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return figure


def sanity_picture(report: SanityReport, *, cmap: str = "jet", opacity: float = 0.7,
                   tile: int = 128, lang: Language = "en") -> np.ndarray:
    """One row per method: the trained model's map over the image, then the map after each
    stage of the cascade with its rank correlation ("rho": PIL's default font has no Greek)."""
    text = in_language(_TEXT, lang)
    rows = []
    for title, maps, values in zip(row_titles(report, lang), report.maps, report.correlations):
        panels = [(overlay_map(report.view, maps[0], opacity=opacity, cmap=cmap),
                   text["trained"].format(title=title.split(" (")[0]))]
        panels += [(heatmap(m, cmap=cmap), f"+ {stage}\nrho = {rho:.2f}" if np.isfinite(rho)
                    else text["constant"].format(stage=stage))
                   for m, stage, rho in zip(maps[1:], report.stages[1:], values[1:])]
        rows.append(strip(panels, tile=tile))
    return stack(rows)
