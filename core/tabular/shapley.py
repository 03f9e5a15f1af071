"""SHAP values for the Boston models: how much each feature adds to one house's prediction.

shap's ``TreeExplainer`` computes them exactly for the random forest and gradient boosting
(TreeSHAP, path-dependent: the trees' own record of how many training rows took each branch
stands in for the data, so no background sample is needed); the neural network has no trees,
so shap's model-agnostic ``PermutationExplainer`` estimates them against a background sample
of training rows (:data:`BACKGROUND_SIZE`, drawn with the seed). Both explain every house of
the test split, which the models never saw. Lundberg & Lee (2017), "A unified approach to
interpreting model predictions", NeurIPS, https://arxiv.org/abs/1705.07874; Lundberg et al.
(2020), "From local explanations to global understanding with explainable AI for trees",
Nat. Mach. Intell. 2, https://doi.org/10.1038/s42256-019-0138-9.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from core.cache import ResultCache
from core.checks import check_int, read_only
from core.progress import Progress, report
from core.tabular.pdp import check_feature
from core.tabular.training import TREE_MODELS, ModelName, TrainedModels, check_model

ExplainerKind = Literal["tree", "permutation"]
#: Training rows the permutation explainer replaces "absent" features with (drawn at random).
BACKGROUND_SIZE = 50
#: Model evaluations per house for the permutation explainer (shap's default): with 12
#: features that is 19 random orders, each walked forwards and backwards.
PERMUTATION_EVALS = 500
#: Houses explained per step of the permutation explainer (progress is reported between).
CHUNK = 16

_CACHE = ResultCache("pdp.shap", maxsize=16)


def _shap():
    """shap, imported on first use: the import takes seconds and loads pyplot (for shap's own
    plots, which the lab does not use), so the lab pays it only when a student asks."""
    import shap

    return shap

# shap's PermutationExplainer seeds and draws from numpy's global random state, which every
# thread shares: two explanations at once would take each other's draws. Only one runs at a
# time, so each gives what it gives alone.
_GLOBAL_RANDOM_STATE = threading.Lock()


@dataclass(frozen=True, eq=False)
class ShapValues:
    """SHAP values of one model for the N test houses and F features.

    ``values`` (N, F): what each feature adds to each house's prediction (MEDV in $1000s);
    ``data`` (N, F) the houses' feature values; ``predictions`` (N,) and ``prices`` (N,) the
    model's prediction and the true price; ``tracts`` (N,) the houses' row numbers in the data;
    ``expected_value`` the prediction every explanation starts from, so that
    ``expected_value + values.sum(axis=1) == predictions`` (exact for the trees; for the
    permutation explainer up to float rounding). ``explainer`` says which explainer ran;
    ``background_size`` how many training rows stand for "feature absent" (the tree explainer:
    all training rows, as the trees recorded them).
    """

    model: str
    explainer: ExplainerKind
    feature_names: tuple[str, ...]
    values: np.ndarray
    data: np.ndarray
    predictions: np.ndarray
    prices: np.ndarray
    tracts: np.ndarray
    expected_value: float
    background_size: int
    seed: int

    def feature_index(self, feature: str) -> int:
        return self.feature_names.index(feature)


@dataclass(frozen=True, eq=False)
class HouseExplanation:
    """One house's prediction taken apart: ``expected_value`` plus ``contributions`` (F,) of
    the ``features`` (largest absolute contribution first) gives ``prediction``; ``values``
    (F,) are the house's feature values in the same order, ``price`` the true price."""

    model: str
    tract: int
    position: int
    features: tuple[str, ...]
    contributions: np.ndarray
    values: np.ndarray
    expected_value: float
    prediction: float
    price: float


@dataclass(frozen=True, eq=False)
class ShapDependence:
    """One feature's SHAP dependence over the N test houses: ``values`` (N,) the feature's
    values, ``contributions`` (N,) its SHAP values, ``partner_values`` (N,) the values of the
    ``partner`` feature that colours the points."""

    model: str
    feature: str
    values: np.ndarray
    contributions: np.ndarray
    partner: str
    partner_values: np.ndarray


def shap_values(trained: TrainedModels, *, model: ModelName, seed: int = 0,
                progress: Progress | None = None) -> ShapValues:
    """SHAP values of ``model`` for every test house (see the module docstring for which
    explainer). Returns :class:`ShapValues` with ``values`` (N, F). Cached per models, model
    and seed. On our busy 2-core CPU gradient boosting took 0.2 s, the random forest 3 s and
    the network 6 to 20 s (``bench/bench_pdp.py --shap``)."""
    check_model(model)
    seed = check_int(("The seed", "Der Seed"), seed, 0, 2**31 - 1)
    key = ("shap", trained, model, seed)
    return _CACHE.get_or_compute(key, lambda: _explain(trained, model, seed, progress))


def _explain(trained: TrainedModels, model: ModelName, seed: int,
             progress: Progress | None) -> ShapValues:
    houses = trained.X_test
    estimator = trained.estimator(model)
    if model in TREE_MODELS:
        report(progress, 0.0, "shap_tree", houses=len(houses))
        explainer = _shap().TreeExplainer(estimator, feature_perturbation="tree_path_dependent")
        values = np.asarray(explainer.shap_values(houses), dtype=float)
        expected = float(np.ravel(explainer.expected_value)[0])
        kind: ExplainerKind = "tree"
        background = len(trained.X_train)
    else:
        values, expected = _permutation_values(trained, estimator, seed, progress)
        kind, background = "permutation", BACKGROUND_SIZE
    return ShapValues(
        model=model, explainer=kind, feature_names=tuple(houses.columns),
        values=read_only(values), data=read_only(houses.to_numpy(dtype=float)),
        predictions=read_only(np.asarray(estimator.predict(houses), dtype=float)),
        prices=trained.y_test, tracts=read_only(houses.index.to_numpy()),
        expected_value=expected, background_size=background, seed=seed,
    )


def _permutation_values(trained: TrainedModels, estimator, seed: int,
                        progress: Progress | None) -> tuple[np.ndarray, float]:
    """(N, F) permutation SHAP values of the test houses and the background's mean
    prediction, computed :data:`CHUNK` houses at a time."""
    columns = trained.X_train.columns

    def predict(rows: np.ndarray) -> np.ndarray:
        return estimator.predict(pd.DataFrame(rows, columns=columns))

    shap = _shap()
    background = shap.utils.sample(trained.X_train, BACKGROUND_SIZE, random_state=seed)
    masker = shap.maskers.Independent(background.to_numpy(dtype=float),
                                      max_samples=BACKGROUND_SIZE)
    houses = trained.X_test.to_numpy(dtype=float)
    parts = []
    with _GLOBAL_RANDOM_STATE:
        explainer = shap.PermutationExplainer(predict, masker, seed=seed)
        for start in range(0, len(houses), CHUNK):
            report(progress, start / len(houses), "shap_permutation", done=start,
                   houses=len(houses), background=BACKGROUND_SIZE)
            parts.append(explainer(houses[start:start + CHUNK], max_evals=PERMUTATION_EVALS,
                                   batch_size=PERMUTATION_EVALS, silent=True).values)
    expected = float(predict(background.to_numpy(dtype=float)).mean())
    return np.concatenate(parts), expected


def one_house(result: ShapValues, *, house: int) -> HouseExplanation:
    """The explanation of the test house at ``house`` (0 to N-1), its features ordered by the
    size of their contribution."""
    position = check_int(("The house", "Das Haus"), house, 0, len(result.tracts) - 1,
                         (" (a row of the test split)", " (eine Zeile des Testteils)"))
    contributions = result.values[position]
    order = np.argsort(-np.abs(contributions), kind="stable")
    return HouseExplanation(
        model=result.model, tract=int(result.tracts[position]), position=position,
        features=tuple(result.feature_names[i] for i in order),
        contributions=read_only(contributions[order]),
        values=read_only(result.data[position][order]),
        expected_value=result.expected_value,
        prediction=float(result.predictions[position]), price=float(result.prices[position]),
    )


def shap_dependence(trained: TrainedModels, result: ShapValues, *,
                    feature: str) -> ShapDependence:
    """``feature``'s SHAP values against its values, coloured by the feature whose values best
    explain their vertical spread (shap's ``approximate_interactions``)."""
    index = result.feature_index(check_feature(trained, feature))
    partner = int(_shap().utils.approximate_interactions(index, result.values, result.data)[0])
    return ShapDependence(
        model=result.model, feature=feature, values=read_only(result.data[:, index]),
        contributions=read_only(result.values[:, index]),
        partner=result.feature_names[partner], partner_values=read_only(result.data[:, partner]),
    )
