"""The Partial dependence tab's SHAP view: the summary of all features, one feature's SHAP
dependence beside its PDP and ICE, and one house's prediction taken apart."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.tabular import MODEL_NAMES, ModelName
from core.tabular.pdp import PDP1D, pdp_1d
from core.tabular.shapley import (
    PERMUTATION_EVALS,
    HouseExplanation,
    ShapDependence,
    ShapValues,
    one_house,
    shap_dependence,
    shap_values,
)
from tabs.common import alt_text
from tabs.common.described import Described
from tabs.common.view import Call, View
from tabs.pdp.code import shap_code
from tabs.pdp.shap_render import render_shap_dependence, render_shap_summary, render_waterfall
from tabs.pdp.texts import T
from tabs.pdp.views import DEFAULTS, SEED, Pdp1d, trained_models

#: The pictures' element ids.
PICTURES = ("pdp-shap-summary", "pdp-shap-dependence", "pdp-shap-house")
#: Features a house's sentence names (the waterfall shows more).
NAMED_STEPS = 3


@dataclass(frozen=True)
class Shap:
    """SHAP values of one model: all features, one feature beside its PDP, one house."""

    drop_b: bool = True
    model: ModelName = MODEL_NAMES[0]
    feature: str = DEFAULTS[5]
    house: int = 0


def plot_shap(call: Call[Shap]) -> tuple[Described, Described, Described, str]:
    """The three SHAP pictures, each with its words, and a summary in words."""
    s = call.settings
    trained = trained_models(call, s.drop_b)
    ice = Pdp1d()
    pdp = pdp_1d(trained, model=s.model, feature=s.feature, ice_samples=ice.ice_samples,
                 grid_resolution=ice.grid_resolution, seed=SEED)  # checks the feature first
    result = shap_values(trained, model=s.model, seed=SEED, progress=call.report)
    dependence = shap_dependence(trained, result, feature=s.feature)
    house = one_house(result, house=s.house)
    text = "\n\n".join([_about(call, result), _about_dependence(call, pdp, dependence),
                        _about_house(call, house)])
    summary, curves, steps = _words(call, result, pdp, dependence, house)
    return (Described(render_shap_summary(result, lang=call.lang), summary),
            Described(render_shap_dependence(pdp, dependence, lang=call.lang), curves),
            Described(render_waterfall(house, lang=call.lang), steps), text)


def _about(call: Call[Shap], result: ShapValues) -> str:
    rows = result.background_size
    explainer = call.text(f"explainer_{result.explainer}", evals=PERMUTATION_EVALS)
    background = call.text(f"background_{result.explainer}", rows=rows, seed=result.seed)
    gap = np.abs(result.expected_value + result.values.sum(axis=1) - result.predictions).max()
    return call.text("shap", explainer=explainer, model=call.text(f"model_{result.model}"),
                     houses=len(result.tracts), background=background,
                     expected=result.expected_value, gap=float(gap))


def _about_dependence(call: Call[Shap], pdp: PDP1D, dependence: ShapDependence) -> str:
    return call.text("shap_dependence", feature=dependence.feature,
                     pdp=float(np.ptp(pdp.average)), low=float(dependence.contributions.min()),
                     high=float(dependence.contributions.max()), partner=dependence.partner)


def _about_house(call: Call[Shap], house: HouseExplanation) -> str:
    steps = ", ".join(f"{feature} = {value:.3g} ({change:+.1f})"
                      for feature, value, change in zip(house.features[:NAMED_STEPS],
                                                        house.values, house.contributions))
    return call.text("shap_house", tract=house.tract, position=house.position,
                     prediction=house.prediction, price=house.price,
                     expected=house.expected_value, steps=steps)


def _words(call: Call[Shap], result: ShapValues, pdp: PDP1D, dependence: ShapDependence,
           house: HouseExplanation) -> tuple[str, str, str]:
    """Each picture's text alternative, computed from the result."""
    lang, feature = call.lang, dependence.feature
    order = np.argsort(dependence.values, kind="stable")
    summary = alt_text.ranking(call.text("summary_what"), result.feature_names,
                               np.abs(result.values).mean(axis=0), lang)
    curves = " ".join([
        alt_text.curve(call.text("pdp_what", feature=feature), pdp.grid, pdp.average, lang),
        alt_text.curve(call.text("dependence_what", feature=feature),
                       dependence.values[order], dependence.contributions[order], lang)])
    steps = alt_text.steps(call.text("house_what", tract=house.tract), house.expected_value,
                           house.features, house.contributions, lang)
    return summary, curves, steps


SHAP = View("pdp_shap", Shap, plot_shap, T, group="tabular", progress=True, keep=True,
            code=shap_code)
