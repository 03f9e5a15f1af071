"""What the Partial dependence tab's plots show, in words: their text alternatives, computed
from the results with :mod:`tabs.common.alt_text`."""

from __future__ import annotations

import numpy as np

from core.tabular.ale import ALE1D
from core.tabular.pdp import PDP1D, PDP2D, ModelComparison
from tabs.common import alt_text
from tabs.common.i18n import Language
from tabs.pdp.texts import T


def _model(name: str, lang: Language) -> str:
    return T.text(f"model_{name}", lang)


def pdp_1d(result: PDP1D, lang: Language) -> str:
    """The PDP's course, and where the ICE curves end."""
    words = alt_text.curve(T.text("words.pdp", lang, feature=result.feature,
                                  model=_model(result.model, lang)),
                           result.grid, result.average, lang)
    if result.ice.size:
        ends = result.ice[:, -1]
        words += " " + T.text("words.ice", lang, count=result.ice.shape[0],
                              low=float(ends.min()), high=float(ends.max()))
    return words


def pdp_2d(result: PDP2D, lang: Language) -> str:
    """The prediction's range over the two features, and where it is highest and lowest."""
    high = np.unravel_index(int(result.average.argmax()), result.average.shape)
    low = np.unravel_index(int(result.average.argmin()), result.average.shape)
    x, y = result.features
    return T.text("words.2d", lang, model=_model(result.model, lang), x=x, y=y,
                  high=float(result.average[high]), x_high=float(result.grid_1[high[0]]),
                  y_high=float(result.grid_2[high[1]]), low=float(result.average[low]),
                  x_low=float(result.grid_1[low[0]]), y_low=float(result.grid_2[low[1]]))


def comparison(result: ModelComparison, lang: Language) -> str:
    """Each model's PDP of the feature."""
    return " ".join(alt_text.curve(T.text("words.pdp", lang, feature=result.feature,
                                          model=_model(name, lang)),
                                   result.grid, values, lang)
                    for name, values in result.averages.items())


def ale_and_pdp(ale: ALE1D, pdp: PDP1D, lang: Language) -> str:
    """The PDP's course (left) and the ALE's (right)."""
    model = _model(ale.model, lang)
    return " ".join([
        alt_text.curve(T.text("words.pdp", lang, feature=pdp.feature, model=model),
                       pdp.grid, pdp.average, lang),
        alt_text.curve(T.text("words.ale", lang, feature=ale.feature, model=model),
                       ale.edges, ale.effect, lang)])
