"""What the Counterfactual tab's result pictures show, in words: their text alternatives,
computed from the results with :mod:`tabs.common.alt_text`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.counterfactual import Counterfactual, TradeOff
from core.counterfactual.swap import RegionSwap
from tabs.common import alt_text
from tabs.common.i18n import Language
from tabs.counterfactual.texts import T


def curves(rows: Sequence[tuple[int, float, str]], lang: Language) -> str:
    """How the probabilities of the original class (code ``o``) and of the target (``t``) ran
    over the steps."""
    sentences = []
    for code, key in (("o", "curve.original"), ("t", "curve.target")):
        steps = [step for step, _, series in rows if series == code]
        values = [p for _, p, series in rows if series == code]
        if steps:
            sentences.append(alt_text.curve(
                T.text("words.curve", lang, series=T.text(key, lang)), steps, values, lang))
    return " ".join(sentences)


def changed(result: Counterfactual, key: str, lang: Language) -> str:
    """What the counterfactual changed in the picture the model saw, and how much."""
    return alt_text.change(T.text(key, lang), result.view, result.image, lang)


def swapped(result: RegionSwap, lang: Language) -> str:
    """How many cells were swapped, where most of them lie, and what it did to the target."""
    start, end = float(result.p_target[0]), float(result.p_target[-1])
    if not result.swaps:
        return T.text("words.swap_none", lang, start=start)
    rows, columns = result.grid
    cells = np.array([cell for cell, _ in result.swaps])
    where = alt_text.region(cells // columns + 0.5, cells % columns + 0.5, result.grid, lang)
    return T.text("words.swap", lang, count=len(result.swaps), cells=rows * columns,
                  region=where, start=start, end=end)


def swap_curve(result: RegionSwap, target: str, lang: Language) -> str:
    """How the target's probability ran as cells were swapped."""
    return alt_text.curve(T.text("words.swap_curve", lang, target=target),
                          range(len(result.p_target)), result.p_target, lang)


def tradeoff(result: TradeOff, target: str, lang: Language) -> str:
    """Each weight's distance to the original and the target's probability."""
    points = "; ".join(T.text("words.point", lang, weight=r.params.weight,
                              distance=r.distances.rms, p=r.target_probability)
                       for r in result.runs)
    return T.text("words.tradeoff", lang, target=target, points=points)


def tradeoff_images(result: TradeOff, lang: Language) -> str:
    """What each weight's counterfactual changed."""
    return " ".join(alt_text.change(T.text("words.weight", lang, weight=r.params.weight),
                                    r.view, r.image, lang) for r in result.runs)
