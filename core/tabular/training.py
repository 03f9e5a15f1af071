"""The three models the Partial dependence tab explains, trained once per process.

Random forest, gradient boosting and a small neural network (``core.tabular.mlp``, trained with
PyTorch Lightning) on the Boston data (``core.tabular.boston``), with a fixed 75/25 split and
seed, so every student sees the same models and scores.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeAlias, get_args

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import train_test_split

from core.cache import ResultCache
from core.checks import InputError, check_int, read_only
from core.progress import Progress, report, within
from core.tabular.boston import BostonData, load_boston
from core.tabular.mlp import NeuralNetworkRegressor

ModelName = Literal["random_forest", "gradient_boosting", "neural_network"]
MODEL_NAMES: tuple[ModelName, ...] = get_args(ModelName)
#: The models made of decision trees (scikit-learn's "recursion" PDP works only for these).
TREE_MODELS: tuple[str, ...] = ("random_forest", "gradient_boosting")
TEST_SIZE = 0.25
Estimator: TypeAlias = RandomForestRegressor | GradientBoostingRegressor | NeuralNetworkRegressor

_MODEL_CACHE = ResultCache("pdp.models", maxsize=4)


@dataclass(frozen=True, eq=False)
class ModelScores:
    """Test-split quality of one model: R² and mean absolute error (in $1000s)."""

    r2: float
    mae: float


@dataclass(frozen=True, eq=False)
class TrainedModels:
    """The three fitted models with their split. Shared by all users: never mutate the frames.

    ``fit_seconds`` maps model name -> how long its training took (wall clock, this process).
    """

    random_forest: RandomForestRegressor
    gradient_boosting: GradientBoostingRegressor
    neural_network: NeuralNetworkRegressor
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    drop_b: bool
    seed: int
    scores: Mapping[str, ModelScores]
    fit_seconds: Mapping[str, float]

    def estimator(self, model: ModelName) -> Estimator:
        """The fitted scikit-learn estimator called ``model``."""
        check_model(model)
        return getattr(self, model)


def check_model(model: str) -> None:
    """:class:`InputError` unless ``model`` names one of the three trained models."""
    if model not in MODEL_NAMES:
        raise InputError(f"Unknown model {model!r}. Choose 'random_forest', 'gradient_boosting' "
                         "or 'neural_network'.",
                         f"Unbekanntes Modell {model!r}. Wähle 'random_forest', "
                         "'gradient_boosting' oder 'neural_network'.")


def _train(data: BostonData, drop_b: bool, seed: int, progress: Progress | None) -> TrainedModels:
    X = data.X.drop(columns=["B"]) if drop_b else data.X
    X_train, X_test, y_train, y_test = train_test_split(
        X, data.y, test_size=TEST_SIZE, random_state=seed
    )
    estimators = {
        "random_forest": RandomForestRegressor(n_estimators=200, random_state=seed, n_jobs=1),
        "gradient_boosting": GradientBoostingRegressor(
            n_estimators=300, learning_rate=0.05, max_depth=3, random_state=seed),
        "neural_network": NeuralNetworkRegressor(random_state=seed),
    }
    # where each model's training starts on the progress bar (the network reports its epochs)
    starts = {"random_forest": 0.0, "gradient_boosting": 0.2, "neural_network": 0.35}
    scores, seconds = {}, {}
    for name, est in estimators.items():
        report(progress, starts[name], "train", model=name,
               trees=getattr(est, "n_estimators", None))
        options = {}
        if name == "neural_network":
            importlib.import_module("core.tabular.lightning_fit")  # once per process, not timed
            options["progress"] = within(progress, 0.35, 0.65)
        start = time.perf_counter()
        est.fit(X_train, y_train, **options)
        seconds[name] = time.perf_counter() - start
        pred = est.predict(X_test)
        scores[name] = ModelScores(
            r2=float(r2_score(y_test, pred)), mae=float(mean_absolute_error(y_test, pred))
        )
    return TrainedModels(
        **estimators,
        X_train=X_train,
        X_test=X_test,
        y_train=read_only(np.asarray(y_train)),
        y_test=read_only(np.asarray(y_test)),
        feature_names=tuple(X.columns),
        drop_b=drop_b,
        seed=seed,
        scores=MappingProxyType(scores),
        fit_seconds=MappingProxyType(seconds),
    )


def train_models(
    data: BostonData | None = None, *, drop_b: bool = True, seed: int = 0,
    progress: Progress | None = None,
) -> TrainedModels:
    """Train the three models once per (data, drop_b, seed); concurrent callers train once.

    Split: 75 % train / 25 % test (``random_state=seed``). Random forest: 200 trees, full depth;
    gradient boosting: 300 trees of depth 3, learning rate 0.05; neural network: see
    ``NeuralNetworkRegressor`` (two hidden layers of 64 SiLU units, AdamW, early stopping on 20 %
    of the training rows, CPU). Returns ``TrainedModels`` (the same object for the same
    arguments; a few seconds the first time, plus importing Lightning once per process).
    ``progress(fraction, step)`` hears how far the first caller's training is.
    """
    data = data if data is not None else load_boston()
    if not isinstance(drop_b, bool):
        raise InputError(f"drop_b must be True or False, got {drop_b!r}.",
                         f"drop_b („Ohne B trainieren“) muss True oder False sein, nicht "
                         f"{drop_b!r}.")
    seed = check_int(("The seed", "Der Seed"), seed, 0, 2**31 - 1)
    return _MODEL_CACHE.get_or_compute((data, drop_b, seed),
                                       lambda: _train(data, drop_b, seed, progress))

