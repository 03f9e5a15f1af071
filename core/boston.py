"""The Boston housing data that ships with the lab, and the two models trained on it.

The feature ``B`` encodes the share of Black residents of a town; scikit-learn removed the
data set for that reason, and the lab trains without ``B`` unless a student asks for it.
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
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split

from core.cache import ResultCache

ModelName = Literal["random_forest", "gradient_boosting"]
MODEL_NAMES: tuple[str, ...] = get_args(ModelName)
MODEL_TITLES = {"random_forest": "Random forest", "gradient_boosting": "Gradient boosting"}

DEFAULT_DATA_PATH = Path(__file__).resolve().parents[1] / "lab" / "data" / "boston_house_prices.csv"
TARGET = "MEDV"
TARGET_LABEL = {"en": "MEDV (in $1000s)", "de": "MEDV (in 1000 $)"}
TEST_SIZE = 0.25

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
        check_model(model)
        return getattr(self, model)


def check_model(model: str) -> None:
    """``ValueError`` unless ``model`` names one of the two trained models."""
    if model not in MODEL_NAMES:
        raise ValueError(f"Unknown model {model!r}. Choose 'random_forest' or 'gradient_boosting'.")


_MODEL_CACHE = ResultCache(maxsize=4)


def forget_models() -> None:
    """Drop the trained models so the next call trains again (tests, benchmarks)."""
    global _MODEL_CACHE
    _MODEL_CACHE = ResultCache(maxsize=4)


def read_only(a: np.ndarray) -> np.ndarray:
    """A contiguous copy-free view of ``a`` that nobody can write to (results are shared)."""
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def check_int(name: str, value: object, low: int, high: int, what: str = "") -> int:
    whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not whole or not low <= value <= high:
        raise ValueError(
            f"{name} must be a whole number from {low} to {high}{what}, got {value!r}."
        )
    return int(value)



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
        y=read_only(y),
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
        y_train=read_only(np.asarray(y_train)),
        y_test=read_only(np.asarray(y_test)),
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
    seed = check_int("The seed", seed, 0, 2**31 - 1)
    return _MODEL_CACHE.get_or_compute((data, drop_b, seed), lambda: _train(data, drop_b, seed))
