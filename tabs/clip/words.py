"""What the CLIP tab's result pictures show, in words: their text alternatives, computed
from the results with :mod:`tabs.common.alt_text`."""

from __future__ import annotations

from collections.abc import Mapping

from core.clip import IMAGE_METHODS, ImageRelevance, Similarity
from core.clip.agreement import Deletion
from tabs.clip.render import WORDS
from tabs.clip.texts import T
from tabs.common import alt_text
from tabs.common.i18n import Language

BEST = 3
"""How many descriptions the chart's words name, best first."""


def ranking(result: Similarity, lang: Language) -> str:
    """The best descriptions with their probability and cosine."""
    best = "; ".join(T.text("words.score", lang, text=result.descriptions[i],
                            p=100 * result.probabilities[i], cosine=result.cosine[i])
                     for i in list(result.ranking)[:BEST])
    return T.text("words.chart", lang, best=best, count=len(result.descriptions))


def regions(maps: ImageRelevance, titles: Mapping[str, str], lang: Language) -> str:
    """Where each image map computed so far is strongest, for the chosen description."""
    shape = maps.view.shape[:2]
    return " ".join(alt_text.where(T.text("words.map", lang, method=titles[m],
                                          description=maps.description),
                                   maps.image_map(m, shape), lang)
                    for m in IMAGE_METHODS if m in maps.patches)


def deletion(result: Deletion, titles: Mapping[str, str], lang: Language) -> str:
    """How the cosine runs as the most relevant patches are removed, per method and for the
    random order."""
    curves = {**{titles.get(m, m): values for m, values in result.curves.items()},
              WORDS.text("random", lang, count=result.random_orders): result.random}
    percent = 100 * result.fractions
    return " ".join(alt_text.curve(T.text("words.deletion", lang, method=name), percent,
                                   values, lang) for name, values in curves.items())
