"""CLIP results as pictures: highlighted tokens (HTML), the ranking as a bar chart, image maps
over the picture and the deletion curves (object-oriented matplotlib, no pyplot)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from core.clip import IMAGE_METHODS
from tabs.common.colours import REFERENCE, SEQUENTIAL, series_styles
from tabs.common.i18n import Language, Texts
from tabs.common.render.colour_bar import relevance_bar
from tabs.common.render.maps import barred_strip, overlay_map

TOKEN_COLOUR = (214, 39, 40)
CURVE_STYLES = series_styles(IMAGE_METHODS, every=None)
"""Each map's deletion curve: colour, line style and marker (the random order: dashed black)."""
# "sees" titles a picture: ASCII only, the default bitmap font has no umlauts
WORDS = Texts("clip_pictures", en={
    "softmax": "softmax probability among these descriptions",
    "ranking": "Which description fits the image best? (CLIP's ranking)",
    "sees": "what CLIP sees",
    "random": "random order (mean of {count})",
    "removed": "share of image patches removed (most relevant first)",
    "cosine": "cosine similarity",
    "deletion": "Deletion check: the faster the curve falls, the more the map found what the "
                "match depends on",
    "waiting": "{title}\n(computing...)", "stopped": "{title}\n(stopped)",
}, de={
    "softmax": "Softmax-Wahrscheinlichkeit unter diesen Beschreibungen",
    "ranking": "Welche Beschreibung passt am besten? (CLIPs Rangfolge)",
    "sees": "was CLIP sieht",
    "random": "zufällige Reihenfolge (Mittel aus {count})",
    "removed": "Anteil entfernter Bildfelder (die wichtigsten zuerst)",
    "cosine": "Kosinus-Ähnlichkeit",
    "deletion": "Löschtest: Je schneller die Kurve fällt, desto eher fand die Karte, wovon "
                "der Wert abhängt",
    "waiting": "{title}\n(wird berechnet ...)", "stopped": "{title}\n(angehalten)",
})


@dataclass(frozen=True)
class TokenRow:
    """One description to highlight: its title line and, per token, text, score, word end."""

    title: str
    tokens: Sequence[str]
    scores: Sequence[float] | np.ndarray
    word_end: Sequence[bool]
    note: str = ""


# Grey for the quiet parts (titles, start and end tokens, notes): 7.5:1 on white, so that
# small text keeps WCAG AA contrast (#888 had 3.5:1).
QUIET = "#4b5563"
# The strongest token's red is at most this opaque, so that its dark ink keeps 6.5:1.
STRONGEST = 0.6
INK = "#111827"


def token_html(rows: Sequence[TokenRow]) -> str:
    """Each description as a line of tokens, red by score (each line scaled to its own maximum).

    Subword pieces of one word sit together, separated by a thin line; the start and end
    tokens are grey (no method scores them). Hovering a token shows its score.
    """
    parts = ['<div class="clip-tokens" style="line-height:2.1;font-size:15px">']
    for row in rows:
        peak = max((float(s) for s in row.scores), default=0.0)
        parts.append(f'<div style="margin:4px 0 10px 0"><div style="font-size:13px;'
                     f'color:{QUIET}">{html.escape(row.title)}</div>')
        last = len(row.tokens) - 1
        for position, (token, score, end) in enumerate(zip(row.tokens, row.scores, row.word_end)):
            text = html.escape(token)
            if position in (0, last):
                parts.append(f'<span style="color:{QUIET};font-size:11px;padding:0 3px">'
                             f'{text}</span> ')
                continue
            alpha = 0.0 if peak <= 0 else STRONGEST * float(score) / peak
            red, green, blue = TOKEN_COLOUR
            space = " " if end else ""
            edge = "" if end else "border-right:1px dotted #999;"
            parts.append(
                f'<span title="{float(score):.1%}" style="background:rgba({red},{green},{blue},'
                f'{alpha:.3f});color:{INK};padding:2px 1px;border-radius:3px;{edge}">'
                f'{text}</span>{space}')
        if row.note:
            parts.append(f'<div style="font-size:12px;color:{QUIET}">{html.escape(row.note)}</div>')
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def ranking_figure(descriptions: Sequence[str], probabilities: np.ndarray, cosine: np.ndarray,
                   order: Sequence[int], *, lang: Language) -> Figure:
    """Horizontal bars of the softmax probability, best on top, cosine written at each bar."""
    figure = Figure(figsize=(7, 0.5 * len(order) + 1.2), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    shown = list(order)[::-1]
    labels = [_shorten(descriptions[i]) for i in shown]
    values = [float(probabilities[i]) for i in shown]
    colours = ["#c0392b" if i == order[0] else "#7f8fa6" for i in shown]
    axes.barh(range(len(shown)), values, color=colours)
    for y, i in enumerate(shown):
        axes.text(min(float(probabilities[i]), 0.98) + 0.01, y, f"cos {cosine[i]:.3f}",
                  va="center", fontsize=8)
    axes.set_yticks(range(len(shown)), labels, fontsize=9)
    axes.set_xlim(0, 1.15)
    axes.set_xlabel(WORDS.text("softmax", lang))
    axes.set_title(WORDS.text("ranking", lang), fontsize=10)
    return figure


def relevance_strip(view: np.ndarray, maps: Mapping[str, np.ndarray | None],
                    titles: Mapping[str, str], *, opacity: float = 0.6, cmap: str = SEQUENTIAL,
                    lang: Language, stopped: bool = False) -> np.ndarray:
    """The image CLIP saw, then each map (view-sized, float) over it, each scaled on its own;
    a map still being computed (``None``) is a grey panel, titled as never computed when the
    run was ``stopped``."""
    grey = np.full((8, 8, 3), 200, dtype=np.uint8)
    waiting = "stopped" if stopped else "waiting"
    panels = [(view, WORDS.text("sees", lang))]
    panels += [(grey, WORDS.text(waiting, lang, title=titles[method])) if values is None
               else (overlay_map(view, values, opacity=opacity, cmap=cmap), titles[method])
               for method, values in maps.items()]
    return barred_strip(panels, (relevance_bar(cmap, lang),))


def deletion_figure(fractions: np.ndarray, curves: Mapping[str, np.ndarray], random: np.ndarray,
                    titles: Mapping[str, str], *, random_orders: int, lang: Language) -> Figure:
    """Similarity while the most relevant patches are removed first, one line per map."""
    figure = Figure(figsize=(7, 3.2), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    for method, values in curves.items():
        axes.plot(fractions, values, **CURVE_STYLES[method], label=titles.get(method, method))
    axes.plot(fractions, random, **REFERENCE, label=WORDS.text("random", lang, count=random_orders))
    axes.set_xlabel(WORDS.text("removed", lang))
    axes.set_ylabel(WORDS.text("cosine", lang))
    axes.set_title(WORDS.text("deletion", lang), fontsize=9)
    axes.legend(fontsize=8)
    axes.grid(alpha=0.3)
    return figure


def _shorten(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
