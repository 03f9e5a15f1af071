"""Partial dependence (PDP, ICE, 2D PDP) and ALE on the bundled Boston housing data.

scikit-learn's ``partial_dependence`` does the PDP/ICE work; this module loads the data,
trains the two models once, validates inputs, and caches the typed results.
Friedman (2001), "Greedy function approximation: a gradient boosting machine", Ann. Statist.
29(5) (PDP); Goldstein et al. (2015), "Peeking inside the black box", JCGS 24(1) (ICE).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal, get_args

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.inspection import partial_dependence
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split

from core.ale import ALE1D, ale_from_estimator
from core.cache import ResultCache

__all__ = [
    "ALE1D",
    "BostonData",
    "DEFAULT_DATA_PATH",
    "MODEL_NAMES",
    "MODEL_TITLES",
    "Method",
    "ModelComparison",
    "ModelName",
    "ModelScores",
    "PDP1D",
    "PDP2D",
    "SUPPORT_RADIUS",
    "TARGET",
    "TARGET_LABEL",
    "TrainedModels",
    "ale_1d",
    "clear_caches",
    "compare_models",
    "feature_label",
    "load_boston",
    "pdp_1d",
    "pdp_2d",
    "train_models",
]

ModelName = Literal["random_forest", "gradient_boosting"]
Method = Literal["auto", "brute", "recursion"]
MODEL_NAMES: tuple[str, ...] = get_args(ModelName)
MODEL_TITLES = {"random_forest": "Random forest", "gradient_boosting": "Gradient boosting"}

DEFAULT_DATA_PATH = Path(__file__).resolve().parents[1] / "lab" / "data" / "boston_house_prices.csv"
TARGET = "MEDV"
TARGET_LABEL = {"en": "MEDV (in $1000s)", "de": "MEDV (in 1000 $)"}
#: A 2D grid point counts as "outside the data" when no training row lies within this
#: Euclidean distance of it, measured in standard deviations of the two features.
SUPPORT_RADIUS = 0.35
TEST_SIZE = 0.25
MAX_GRID = 200

# feature -> (English description, German description, short axis label en, de)
_FEATURES: dict[str, tuple[str, str, str, str]] = {
    "CRIM": (
        "Per-capita crime rate of the town (crimes per resident).",
        "Kriminalitätsrate der Stadt pro Kopf (Straftaten je Einwohner).",
        "CRIM: crime rate (per capita)",
        "CRIM: Kriminalitätsrate (pro Kopf)",
    ),
    "ZN": (
        "Share of residential land zoned for lots over 25,000 sq. ft. (in %).",
        "Anteil des Wohnbaulands für Grundstücke über 25.000 sq. ft. (in %).",
        "ZN: land for large lots (%)",
        "ZN: Bauland für große Grundstücke (%)",
    ),
    "INDUS": (
        "Share of the town's acres used by non-retail business (in %).",
        "Anteil der Fläche der Stadt für Gewerbe außer Einzelhandel (in %).",
        "INDUS: non-retail business land (%)",
        "INDUS: Gewerbefläche (%)",
    ),
    "CHAS": (
        "Charles River dummy: 1 if the tract borders the river, otherwise 0.",
        "Charles River: 1, wenn der Bezirk an den Fluss grenzt, sonst 0.",
        "CHAS: borders Charles River (0/1)",
        "CHAS: grenzt an Charles River (0/1)",
    ),
    "NOX": (
        "Nitric oxides concentration (parts per 10 million).",
        "Stickoxid-Konzentration (Teile pro 10 Millionen).",
        "NOX: nitric oxides (parts per 10 million)",
        "NOX: Stickoxide (Teile pro 10 Mio.)",
    ),
    "RM": (
        "Average number of rooms per dwelling.",
        "Durchschnittliche Anzahl der Zimmer pro Wohnung.",
        "RM: rooms per dwelling",
        "RM: Zimmer pro Wohnung",
    ),
    "AGE": (
        "Share of owner-occupied units built before 1940 (in %).",
        "Anteil der selbst bewohnten Häuser, die vor 1940 gebaut wurden (in %).",
        "AGE: built before 1940 (%)",
        "AGE: vor 1940 gebaut (%)",
    ),
    "DIS": (
        "Weighted distance to five Boston employment centres (distance index).",
        "Gewichtete Entfernung zu fünf Bostoner Arbeitszentren (Entfernungsindex).",
        "DIS: distance to job centres (index)",
        "DIS: Entfernung zu Arbeitszentren (Index)",
    ),
    "RAD": (
        "Index of accessibility to radial highways (1 = worst, 24 = best).",
        "Index der Erreichbarkeit von Ausfallstraßen (1 = schlecht, 24 = gut).",
        "RAD: highway access (index 1-24)",
        "RAD: Autobahnzugang (Index 1-24)",
    ),
    "TAX": (
        "Full-value property-tax rate (in $ per $10,000).",
        "Grundsteuersatz (in $ je 10.000 $ Wert).",
        "TAX: property tax ($ per $10,000)",
        "TAX: Grundsteuer ($ je 10.000 $)",
    ),
    "PTRATIO": (
        "Pupil-teacher ratio of the town (pupils per teacher).",
        "Schüler-Lehrer-Verhältnis der Stadt (Schüler je Lehrkraft).",
        "PTRATIO: pupils per teacher",
        "PTRATIO: Schüler je Lehrkraft",
    ),
    "B": (
        "1000·(Bk − 0.63)², where Bk is the share of Black residents of the town. An encoding "
        "of race; see the note on B. Left out by default.",
        "1000·(Bk − 0,63)², wobei Bk der Anteil schwarzer Einwohner der Stadt ist. Eine "
        "Kodierung von Herkunft; siehe den Hinweis zu B. Standardmäßig weggelassen.",
        "B: 1000·(Bk − 0.63)² (see note)",
        "B: 1000·(Bk − 0,63)² (siehe Hinweis)",
    ),
    "LSTAT": (
        "Share of the population with lower social status (in %).",
        "Anteil der Bevölkerung mit niedrigem sozialem Status (in %).",
        "LSTAT: lower-status population (%)",
        "LSTAT: niedriger Sozialstatus (%)",
    ),
}


def feature_label(feature: str, lang: Literal["en", "de"] = "en") -> str:
    """Short axis label with unit for ``feature`` (e.g. 'RM: rooms per dwelling')."""
    info = _FEATURES.get(feature)
    if info is None:
        return feature
    return info[3] if lang == "de" else info[2]


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class BostonData:
    """The Boston housing data: ``X`` (506, 13) float DataFrame, ``y`` (506,) MEDV in $1000s."""

    X: pd.DataFrame
    y: np.ndarray
    feature_names: tuple[str, ...]
    descriptions: Mapping[str, str]
    descriptions_de: Mapping[str, str]
    path: Path


@dataclass(frozen=True, eq=False)
class ModelScores:
    """Test-split quality of one model: R² and mean absolute error (in $1000s)."""

    r2: float
    mae: float


@dataclass(frozen=True, eq=False)
class TrainedModels:
    """Both fitted models with their split. Shared by all users: never mutate the frames."""

    random_forest: RandomForestRegressor
    gradient_boosting: GradientBoostingRegressor
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    drop_b: bool
    seed: int
    scores: Mapping[str, ModelScores]
    train_seconds: float

    def estimator(self, model: ModelName) -> RandomForestRegressor | GradientBoostingRegressor:
        """The fitted scikit-learn estimator called ``model``."""
        _check_model(model)
        return getattr(self, model)


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
    """PDPs of one feature from both models on one ``grid`` (G,).

    ``averages`` maps model name -> (G,) PDP; ``scores`` the models' test scores;
    ``feature_values`` (n_train,) for a rug.
    """

    feature: str
    grid: np.ndarray
    averages: Mapping[str, np.ndarray]
    scores: Mapping[str, ModelScores]
    feature_values: np.ndarray


# --------------------------------------------------------------------------- caching

_MODEL_CACHE = ResultCache(maxsize=4)
_RESULT_CACHE = ResultCache(maxsize=256)


def clear_caches() -> None:
    """Forget trained models and cached results (tests, benchmarks)."""
    global _MODEL_CACHE, _RESULT_CACHE
    _MODEL_CACHE = ResultCache(maxsize=4)
    _RESULT_CACHE = ResultCache(maxsize=256)


def _read_only(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


# --------------------------------------------------------------------------- validation


def _check_model(model: str) -> None:
    if model not in MODEL_NAMES:
        raise ValueError(f"Unknown model {model!r}. Choose 'random_forest' or 'gradient_boosting'.")


def _check_feature(models: TrainedModels, feature: object) -> str:
    if feature == "B" and "B" not in models.feature_names:
        raise ValueError(
            "The models were trained without the feature 'B' (it encodes the share of Black "
            "residents, see the note on B). Train with B included to look at it."
        )
    if not isinstance(feature, str) or feature not in models.feature_names:
        raise ValueError(
            f"Unknown feature {feature!r}. Choose one of: {', '.join(models.feature_names)}."
        )
    return feature


def _check_int(name: str, value: object, low: int, high: int, what: str = "") -> int:
    whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not whole or not low <= value <= high:
        raise ValueError(
            f"{name} must be a whole number from {low} to {high}{what}, got {value!r}."
        )
    return int(value)


def _check_grid(grid_resolution: object) -> int:
    return _check_int("The grid resolution", grid_resolution, 2, MAX_GRID)


# --------------------------------------------------------------------------- data + models


@lru_cache(maxsize=4)
def _load_boston_cached(path: Path) -> BostonData:
    if not path.is_file():
        raise FileNotFoundError(
            f"The Boston housing data was not found at {path}. It ships with the lab in "
            "lab/data/boston_house_prices.csv; restore that file from the repository."
        )
    frame = pd.read_csv(path, skiprows=1)  # first line: scikit-learn's count header "506,13"
    expected = [*_FEATURES, TARGET]
    if list(frame.columns) != expected:
        raise ValueError(f"{path} has columns {list(frame.columns)}, expected {expected}.")
    X = frame[list(_FEATURES)].astype(float)  # float: sklearn refuses PDPs on integer columns
    y = frame[TARGET].to_numpy(dtype=float)
    return BostonData(
        X=X,
        y=_read_only(y),
        feature_names=tuple(_FEATURES),
        descriptions=MappingProxyType({f: v[0] for f, v in _FEATURES.items()}),
        descriptions_de=MappingProxyType({f: v[1] for f, v in _FEATURES.items()}),
        path=path,
    )


def load_boston(path: Path | None = None) -> BostonData:
    """Load the bundled Boston housing data (cached per path).

    Returns ``BostonData`` with ``X`` (506, 13) float DataFrame of all features (B included),
    ``y`` (506,) MEDV in $1000s, ``feature_names`` (13,), and English/German descriptions.
    """
    return _load_boston_cached(Path(path or DEFAULT_DATA_PATH).resolve())


def _train(data: BostonData, drop_b: bool, seed: int) -> TrainedModels:
    start = time.perf_counter()
    X = data.X.drop(columns=["B"]) if drop_b else data.X
    X_train, X_test, y_train, y_test = train_test_split(
        X, data.y, test_size=TEST_SIZE, random_state=seed
    )
    rf = RandomForestRegressor(n_estimators=200, random_state=seed, n_jobs=1)
    gb = GradientBoostingRegressor(
        n_estimators=300, learning_rate=0.05, max_depth=3, random_state=seed
    )
    scores = {}
    for name, est in (("random_forest", rf), ("gradient_boosting", gb)):
        est.fit(X_train, y_train)
        pred = est.predict(X_test)
        scores[name] = ModelScores(
            r2=float(r2_score(y_test, pred)), mae=float(mean_absolute_error(y_test, pred))
        )
    return TrainedModels(
        random_forest=rf,
        gradient_boosting=gb,
        X_train=X_train,
        X_test=X_test,
        y_train=_read_only(np.asarray(y_train)),
        y_test=_read_only(np.asarray(y_test)),
        feature_names=tuple(X.columns),
        drop_b=drop_b,
        seed=seed,
        scores=MappingProxyType(scores),
        train_seconds=time.perf_counter() - start,
    )


def train_models(
    data: BostonData | None = None, *, drop_b: bool = True, seed: int = 0
) -> TrainedModels:
    """Train a random forest and a gradient boosting regressor once per (data, drop_b, seed).

    Split: 75 % train / 25 % test (``random_state=seed``). Random forest: 200 trees, full depth;
    gradient boosting: 300 trees of depth 3, learning rate 0.05. Returns ``TrainedModels``
    (the same object for the same arguments; about 1 s the first time).
    """
    data = data if data is not None else load_boston()
    if not isinstance(drop_b, bool):
        raise ValueError(f"drop_b must be True or False, got {drop_b!r}.")
    seed = _check_int("The seed", seed, 0, 2**31 - 1)
    return _MODEL_CACHE.get_or_compute((data, drop_b, seed), lambda: _train(data, drop_b, seed))


# --------------------------------------------------------------------------- PDP / ICE


def pdp_1d(
    models: TrainedModels,
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
    _check_model(model)
    _check_feature(models, feature)
    n_rows = len(models.X_train)
    ice_samples = _check_int(
        "The number of ICE curves", ice_samples, 0, n_rows, " (the training rows)"
    )
    grid_resolution = _check_grid(grid_resolution)
    seed = _check_int("The seed", seed, 0, 2**31 - 1)
    centered = bool(centered)
    key = ("pdp_1d", models, model, feature, ice_samples, grid_resolution, centered, seed)

    def compute() -> PDP1D:
        result = partial_dependence(
            models.estimator(model),
            models.X_train,
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
            grid=_read_only(grid),
            average=_read_only(average),
            ice=_read_only(ice.reshape(ice_samples, grid.size)),
            ice_rows=_read_only(rows),
            centered=centered,
            feature_values=_read_only(models.X_train[feature].to_numpy(dtype=float)),
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
    models: TrainedModels,
    *,
    model: ModelName,
    features: tuple[str, str] = ("RM", "LSTAT"),
    grid_resolution: int = 50,
    method: Method = "auto",
) -> PDP2D:
    """PDP of a pair of features on a grid_resolution × grid_resolution grid.

    ``method``: "brute" averages predictions over all training rows; "recursion" walks the
    trees once (fast; weights each split by the training rows in the node, so it can differ from
    "brute" where features are correlated); "auto" = "recursion" (both models allow it). For
    gradient boosting the constant initial prediction that scikit-learn's recursion leaves out
    is added back. Returns ``PDP2D`` with ``average`` (G1, G2) and ``outside`` (G1, G2). Cached.
    """
    _check_model(model)
    if not isinstance(features, (tuple, list)) or len(features) != 2:
        raise ValueError(f"A 2D plot needs exactly two features, got {features!r}.")
    f1, f2 = (_check_feature(models, f) for f in features)
    if f1 == f2:
        raise ValueError(f"Choose two different features for a 2D plot (got {f1!r} twice).")
    grid_resolution = _check_grid(grid_resolution)
    if method not in get_args(Method):
        raise ValueError(f"Unknown method {method!r}. Choose 'auto', 'brute' or 'recursion'.")
    used = "recursion" if method == "auto" else method
    key = ("pdp_2d", models, model, f1, f2, grid_resolution, used)

    def compute() -> PDP2D:
        est = models.estimator(model)
        result = partial_dependence(
            est, models.X_train, [f1, f2], grid_resolution=grid_resolution, method=used
        )
        average = np.asarray(result["average"][0], dtype=float)
        if used == "recursion" and isinstance(est, GradientBoostingRegressor):
            average = average + float(est.init_.predict(models.X_train.iloc[:1])[0])
        grid_1, grid_2 = (np.asarray(g, dtype=float) for g in result["grid_values"])
        v1 = models.X_train[f1].to_numpy(dtype=float)
        v2 = models.X_train[f2].to_numpy(dtype=float)
        return PDP2D(
            model=model,
            features=(f1, f2),
            grid_1=_read_only(grid_1),
            grid_2=_read_only(grid_2),
            average=_read_only(average),
            values_1=_read_only(v1),
            values_2=_read_only(v2),
            outside=_read_only(_outside_support(grid_1, grid_2, v1, v2, SUPPORT_RADIUS)),
            support_radius=SUPPORT_RADIUS,
            method=used,
        )

    return _RESULT_CACHE.get_or_compute(key, compute)


def compare_models(
    models: TrainedModels, *, feature: str, grid_resolution: int = 50
) -> ModelComparison:
    """PDPs (brute, all training rows) of ``feature`` from both models on the same grid.

    Returns ``ModelComparison`` with ``grid`` (G,) and ``averages[model]`` (G,). Cached.
    """
    _check_feature(models, feature)
    grid_resolution = _check_grid(grid_resolution)
    key = ("compare", models, feature, grid_resolution)

    def compute() -> ModelComparison:
        grid = None
        averages = {}
        for name in MODEL_NAMES:
            result = partial_dependence(
                models.estimator(name),  # type: ignore[arg-type]
                models.X_train,
                [feature],
                grid_resolution=grid_resolution,
                method="brute",
            )
            values = np.asarray(result["grid_values"][0], dtype=float)
            if grid is not None and not np.array_equal(grid, values):
                raise RuntimeError("The two models' PDP grids differ; this is a bug.")
            grid = values
            averages[name] = _read_only(np.asarray(result["average"][0], dtype=float))
        return ModelComparison(
            feature=feature,
            grid=_read_only(grid),
            averages=MappingProxyType(averages),
            scores=models.scores,
            feature_values=_read_only(models.X_train[feature].to_numpy(dtype=float)),
        )

    return _RESULT_CACHE.get_or_compute(key, compute)


# --------------------------------------------------------------------------- ALE


def ale_1d(models: TrainedModels, *, model: ModelName, feature: str, bins: int = 20) -> ALE1D:
    """Accumulated local effects of ``feature`` on the training rows (see ``core.ale``).

    Apley & Zhu (2020), JRSS-B 82(4), https://doi.org/10.1111/rssb.12377. Returns ``ALE1D``
    with ``edges`` and ``effect`` of shape (K+1,), K <= bins, centred to mean 0. Cached.
    """
    _check_model(model)
    _check_feature(models, feature)
    bins = _check_int("The number of ALE bins", bins, 2, 100)
    key = ("ale_1d", models, model, feature, bins)
    return _RESULT_CACHE.get_or_compute(
        key,
        lambda: ale_from_estimator(
            models.estimator(model), models.X_train, feature=feature, bins=bins, model_name=model
        ),
    )
