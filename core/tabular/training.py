"""The two tree models the Partial dependence tab explains, trained once per process.

Random forest and gradient boosting on the Boston data (``core.tabular.boston``), with a fixed
75/25 split and seed, so every student sees the same models and scores.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split

from core.cache import ResultCache
from core.checks import check_int, read_only
from core.tabular.boston import BostonData, load_boston

ModelName = Literal["random_forest", "gradient_boosting"]
MODEL_NAMES: tuple[str, ...] = get_args(ModelName)
MODEL_TITLES = {"random_forest": "Random forest", "gradient_boosting": "Gradient boosting"}
TEST_SIZE = 0.25

_MODEL_CACHE = ResultCache(maxsize=4)


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

    def estimator(self, model: ModelName) -> RandomForestRegressor | GradientBoostingRegressor:
        """The fitted scikit-learn estimator called ``model``."""
        check_model(model)
        return getattr(self, model)


def check_model(model: str) -> None:
    """``ValueError`` unless ``model`` names one of the two trained models."""
    if model not in MODEL_NAMES:
        raise ValueError(f"Unknown model {model!r}. Choose 'random_forest' or 'gradient_boosting'.")


def _train(data: BostonData, drop_b: bool, seed: int) -> TrainedModels:
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


def clear_cache() -> None:
    """Forget the trained models so the next call trains again (tests, benchmarks)."""
    _MODEL_CACHE.clear()
