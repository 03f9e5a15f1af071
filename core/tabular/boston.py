"""The Boston housing data that ships with the lab (the tab describes its features).

The feature ``B`` encodes the share of Black residents of a town; scikit-learn removed the
data set for that reason, and the lab trains without ``B`` unless a student asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from core.checks import read_only

DEFAULT_DATA_PATH = Path(__file__).resolve().parent / "data" / "boston_house_prices.csv"
TARGET = "MEDV"

#: The features in the order of the data's columns (the tab words them).
FEATURES: tuple[str, ...] = ("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD",
                             "TAX", "PTRATIO", "B", "LSTAT")


@dataclass(frozen=True, eq=False)
class BostonData:
    """The Boston housing data: ``X`` (506, 13) float DataFrame, ``y`` (506,) MEDV in $1000s."""

    X: pd.DataFrame
    y: np.ndarray
    feature_names: tuple[str, ...]


@lru_cache(maxsize=4)
def _load_boston_cached(path: Path) -> BostonData:
    if not path.is_file():
        raise FileNotFoundError(
            f"The Boston housing data was not found at {path}. It ships with the lab in "
            "core/tabular/data/boston_house_prices.csv; restore that file from the repository."
        )
    frame = pd.read_csv(path, skiprows=1)  # first line: scikit-learn's count header "506,13"
    expected = [*FEATURES, TARGET]
    if list(frame.columns) != expected:
        raise ValueError(f"{path} has columns {list(frame.columns)}, expected {expected}.")
    X = frame[list(FEATURES)].astype(float)  # float: sklearn refuses PDPs on integer columns
    y = frame[TARGET].to_numpy(dtype=float)
    return BostonData(
        X=X,
        y=read_only(y),
        feature_names=FEATURES,
    )


def load_boston(path: Path | None = None) -> BostonData:
    """Load the bundled Boston housing data (cached per path).

    Returns ``BostonData`` with ``X`` (506, 13) float DataFrame of all features (B included),
    ``y`` (506,) MEDV in $1000s and ``feature_names`` (13,).
    """
    return _load_boston_cached(Path(path or DEFAULT_DATA_PATH).resolve())
