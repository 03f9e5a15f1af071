"""Partial dependence (PDP, ICE, 2D PDP), model comparison and ALE for the Boston models.

scikit-learn's ``partial_dependence`` does the PDP/ICE work for the trees and the neural network
alike; this module validates inputs and caches the typed results. Friedman (2001), "Greedy
function approximation: a gradient boosting machine", Ann. Statist. 29(5) (PDP); Goldstein et
al. (2015), "Peeking inside the black box", JCGS 24(1) (ICE).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.inspection import partial_dependence

from core.cache import ResultCache
from core.checks import InputError, check_int, excerpt, read_only
from core.tabular.ale import ALE1D, ale_from_estimator
from core.tabular.training import (
    MODEL_NAMES,
    TREE_MODELS,
    ModelName,
    ModelScores,
    TrainedModels,
    check_model,
)

PDPMethod = Literal["auto", "brute", "recursion"]
#: A 2D grid point counts as "outside the data" when no training row lies within this
#: Euclidean distance of it, measured in standard deviations of the two features.
SUPPORT_RADIUS = 0.35
MAX_GRID = 200

# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class PDP1D:
    """One-feature PDP with ICE curves.

    ``grid`` (G,), ``average`` (G,) the PDP over all training rows, ``ice`` (N, G) the ICE
    curves of the sampled rows ``ice_rows`` (N,) (positions in ``X_train``),
    ``feature_values`` (n_train,) the feature's training values. When ``centered``, every ICE
    curve and the PDP are shifted to start at 0 at ``grid[0]``. G <= grid_resolution: features
    with fewer distinct values (CHAS, RAD) use those values.
    """

    model: str
    feature: str
    grid: np.ndarray
    average: np.ndarray
    ice: np.ndarray
    ice_rows: np.ndarray
    centered: bool
    feature_values: np.ndarray


@dataclass(frozen=True, eq=False)
class PDP2D:
    """Two-feature PDP.

    ``grid_1`` (G1,), ``grid_2`` (G2,), ``average`` (G1, G2) (rows: first feature),
    ``values_1``/``values_2`` (n_train,) the training data of both features, ``outside``
    (G1, G2) True where no training row lies within ``support_radius`` standard deviations
    (the plot extrapolates there), ``method`` the method actually used.
    """

    model: str
    features: tuple[str, str]
    grid_1: np.ndarray
    grid_2: np.ndarray
    average: np.ndarray
    values_1: np.ndarray
    values_2: np.ndarray
    outside: np.ndarray
    support_radius: float
    method: str


@dataclass(frozen=True, eq=False)
class ModelComparison:
    """PDPs of one feature from every model on one ``grid`` (G,).

    ``averages`` maps model name -> (G,) PDP; ``scores`` the models' test scores;
    ``feature_values`` (n_train,) for a rug.
    """

    feature: str
    grid: np.ndarray
    averages: Mapping[str, np.ndarray]
    scores: Mapping[str, ModelScores]
    feature_values: np.ndarray


# --------------------------------------------------------------------------- caching

_RESULT_CACHE = ResultCache("pdp.results", maxsize=256)



# --------------------------------------------------------------------------- validation


def check_feature(trained: TrainedModels, feature: object) -> str:
    """``feature`` if the models were trained on it; else a sentence (one of its own for B)."""
    if feature == "B" and "B" not in trained.feature_names:
        raise InputError(
            "The models were trained without the feature 'B' (it encodes the share of Black "
            "residents, see the note on B). Train with B included to look at it.",
            "Die Modelle wurden ohne das Merkmal 'B' trainiert (es kodiert den Anteil schwarzer "
            "Einwohner, siehe den Hinweis zu B). Trainiere mit B, um es dir anzusehen.",
        )
    if not isinstance(feature, str) or feature not in trained.feature_names:
        raise InputError(
            f"Unknown feature '{excerpt(feature)}'. "
            f"Choose one of: {', '.join(trained.feature_names)}.",
            f"Unbekanntes Merkmal '{excerpt(feature)}'. "
            f"Wähle eines von: {', '.join(trained.feature_names)}.",
        )
    return feature


def _check_grid(grid_resolution: object) -> int:
    return check_int(("The grid resolution", "Die Gitterauflösung"), grid_resolution, 2, MAX_GRID)


# --------------------------------------------------------------------------- PDP / ICE


def pdp_1d(
    trained: TrainedModels,
    *,
    model: ModelName,
    feature: str,
    ice_samples: int = 50,
    grid_resolution: int = 50,
    centered: bool = False,
    seed: int = 0,
) -> PDP1D:
    """PDP and ICE of one feature (``partial_dependence(kind="both")`` on the training rows).

    ``ice_samples`` rows (0 to n_train) are drawn reproducibly with ``seed`` for the ICE curves;
    the PDP averages all training rows. Returns ``PDP1D``: ``grid`` (G,), ``average`` (G,),
    ``ice`` (ice_samples, G), ``feature_values`` (n_train,). Cached.
    """
    check_model(model)
    check_feature(trained, feature)
    n_rows = len(trained.X_train)
    ice_samples = check_int(
        ("The number of ICE curves", "Die Zahl der ICE-Kurven"), ice_samples, 0, n_rows,
        (" (the training rows)", " (die Trainingszeilen)"),
    )
    grid_resolution = _check_grid(grid_resolution)
    seed = check_int(("The seed", "Der Seed"), seed, 0, 2**31 - 1)
    centered = bool(centered)
    key = ("pdp_1d", trained, model, feature, ice_samples, grid_resolution, centered, seed)

    def compute() -> PDP1D:
        result = partial_dependence(
            trained.estimator(model),
            trained.X_train,
            [feature],
            grid_resolution=grid_resolution,
            kind="both",
            method="brute",
        )
        grid = np.asarray(result["grid_values"][0], dtype=float)
        average = np.asarray(result["average"][0], dtype=float)
        rows = np.sort(np.random.default_rng(seed).choice(n_rows, size=ice_samples, replace=False))
        ice = np.asarray(result["individual"][0], dtype=float)[rows]
        if centered:
            average = average - average[0]
            ice = ice - ice[:, :1]
        return PDP1D(
            model=model,
            feature=feature,
            grid=read_only(grid),
            average=read_only(average),
            ice=read_only(ice.reshape(ice_samples, grid.size)),
            ice_rows=read_only(rows),
            centered=centered,
            feature_values=read_only(trained.X_train[feature].to_numpy(dtype=float)),
        )

    return _RESULT_CACHE.get_or_compute(key, compute)


def _outside_support(
    grid_1: np.ndarray, grid_2: np.ndarray, v1: np.ndarray, v2: np.ndarray, radius: float
) -> np.ndarray:
    """(G1, G2) True where the nearest data point is farther than ``radius`` std units."""
    s1, s2 = v1.std() or 1.0, v2.std() or 1.0
    d1 = (grid_1[:, None] - v1[None, :]) / s1  # (G1, n)
    d2 = (grid_2[:, None] - v2[None, :]) / s2  # (G2, n)
    nearest = np.empty((grid_1.size, grid_2.size))
    for i in range(grid_1.size):  # (G2, n) per row keeps memory small
        nearest[i] = np.sqrt(d1[i][None, :] ** 2 + d2**2).min(axis=1)
    return nearest > radius


def pdp_2d(
    trained: TrainedModels,
    *,
    model: ModelName,
    features: tuple[str, str] = ("RM", "LSTAT"),
    grid_resolution: int = 50,
    method: PDPMethod = "auto",
) -> PDP2D:
    """PDP of a pair of features on a grid_resolution × grid_resolution grid.

    ``method``: "brute" averages predictions over all training rows; "recursion" walks the
    trees once (fast; weights each split by the training rows in the node, so it can differ from
    "brute" where features are correlated) and is refused for the neural network, which has no
    trees; "auto" = "recursion" for the tree models, "brute" for the network. For gradient
    boosting the constant initial prediction that scikit-learn's recursion leaves out is added
    back. Returns ``PDP2D`` with ``average`` (G1, G2) and ``outside`` (G1, G2). Cached.
    """
    check_model(model)
    if not isinstance(features, (tuple, list)) or len(features) != 2:
        raise ValueError(f"A 2D plot needs exactly two features, got {features!r}.")
    f1, f2 = (check_feature(trained, f) for f in features)
    if f1 == f2:
        raise InputError(f"Choose two different features for a 2D plot (got {f1!r} twice).",
                         f"Wähle für einen 2D-Plot zwei verschiedene Merkmale ({f1!r} kam "
                         "zweimal vor).")
    grid_resolution = _check_grid(grid_resolution)
    if method not in get_args(PDPMethod):
        raise InputError(f"Unknown method {method!r}. Choose 'auto', 'brute' or 'recursion'.",
                         f"Unbekannte Methode {method!r}. Wähle 'auto', 'brute' oder "
                         "'recursion'.")
    if method == "recursion" and model not in TREE_MODELS:
        raise InputError("The recursion method walks through the trees of a tree model, and the "
                         "neural network has none. Choose 'brute' (or 'auto', which uses brute "
                         "for the network).",
                         "Die Methode 'recursion' geht durch die Bäume eines Baummodells, und das "
                         "neuronale Netz hat keine. Wähle 'brute' (oder 'auto', das für das Netz "
                         "brute nimmt).")
    used = ("recursion" if model in TREE_MODELS else "brute") if method == "auto" else method
    key = ("pdp_2d", trained, model, f1, f2, grid_resolution, used)

    def compute() -> PDP2D:
        est = trained.estimator(model)
        result = partial_dependence(
            est, trained.X_train, [f1, f2], grid_resolution=grid_resolution, method=used
        )
        average = np.asarray(result["average"][0], dtype=float)
        if used == "recursion" and isinstance(est, GradientBoostingRegressor):
            average = average + float(est.init_.predict(trained.X_train.iloc[:1])[0])
        grid_1, grid_2 = (np.asarray(g, dtype=float) for g in result["grid_values"])
        v1 = trained.X_train[f1].to_numpy(dtype=float)
        v2 = trained.X_train[f2].to_numpy(dtype=float)
        return PDP2D(
            model=model,
            features=(f1, f2),
            grid_1=read_only(grid_1),
            grid_2=read_only(grid_2),
            average=read_only(average),
            values_1=read_only(v1),
            values_2=read_only(v2),
            outside=read_only(_outside_support(grid_1, grid_2, v1, v2, SUPPORT_RADIUS)),
            support_radius=SUPPORT_RADIUS,
            method=used,
        )

    return _RESULT_CACHE.get_or_compute(key, compute)


def compare_models(
    trained: TrainedModels, *, feature: str, grid_resolution: int = 50
) -> ModelComparison:
    """PDPs (brute, all training rows) of ``feature`` from all three models on the same grid.

    Returns ``ModelComparison`` with ``grid`` (G,) and ``averages[model]`` (G,). Cached.
    """
    check_feature(trained, feature)
    grid_resolution = _check_grid(grid_resolution)
    key = ("compare", trained, feature, grid_resolution)

    def compute() -> ModelComparison:
        grid: np.ndarray | None = None
        averages: dict[str, np.ndarray] = {}
        for name in MODEL_NAMES:
            result = partial_dependence(
                trained.estimator(name),
                trained.X_train,
                [feature],
                grid_resolution=grid_resolution,
                method="brute",
            )
            values = np.asarray(result["grid_values"][0], dtype=float)
            if grid is not None and not np.array_equal(grid, values):
                raise RuntimeError("The models' PDP grids differ; this is a bug.")
            grid = values
            averages[name] = read_only(np.asarray(result["average"][0], dtype=float))
        if grid is None:
            raise RuntimeError("No model gave a PDP grid; this is a bug.")
        return ModelComparison(
            feature=feature,
            grid=read_only(grid),
            averages=MappingProxyType(averages),
            scores=trained.scores,
            feature_values=read_only(trained.X_train[feature].to_numpy(dtype=float)),
        )

    return _RESULT_CACHE.get_or_compute(key, compute)


# --------------------------------------------------------------------------- ALE


def ale_1d(trained: TrainedModels, *, model: ModelName, feature: str, bins: int = 20) -> ALE1D:
    """Accumulated local effects of ``feature`` on the training rows (see ``core.tabular.ale``).

    Apley & Zhu (2020), JRSS-B 82(4), https://doi.org/10.1111/rssb.12377. Returns ``ALE1D``
    with ``edges`` and ``effect`` of shape (K+1,), K <= bins, centred to mean 0. Cached.
    """
    check_model(model)
    check_feature(trained, feature)
    bins = check_int(("The number of ALE bins", "Die Zahl der ALE-Intervalle"), bins, 2, 100)
    key = ("ale_1d", trained, model, feature, bins)
    return _RESULT_CACHE.get_or_compute(
        key,
        lambda: ale_from_estimator(
            trained.estimator(model), trained.X_train, feature=feature, bins=bins, model_name=model
        ),
    )
