"""The Boston housing data that ships with the lab, with its feature descriptions (en/de).

The feature ``B`` encodes the share of Black residents of a town; scikit-learn removed the
data set for that reason, and the lab trains without ``B`` unless a student asks for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from core.checks import read_only

DEFAULT_DATA_PATH = Path(__file__).resolve().parent / "data" / "boston_house_prices.csv"
TARGET = "MEDV"
TARGET_LABEL = {"en": "MEDV (in $1000s)", "de": "MEDV (in 1000 $)"}

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


def feature_label(feature: str, lang: str = "en") -> str:
    """Short axis label with unit for ``feature`` (e.g. "RM: rooms per dwelling"); German for
    ``lang="de"``, else English."""
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


@lru_cache(maxsize=4)
def _load_boston_cached(path: Path) -> BostonData:
    if not path.is_file():
        raise FileNotFoundError(
            f"The Boston housing data was not found at {path}. It ships with the lab in "
            "core/tabular/data/boston_house_prices.csv; restore that file from the repository."
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
    )


def load_boston(path: Path | None = None) -> BostonData:
    """Load the bundled Boston housing data (cached per path).

    Returns ``BostonData`` with ``X`` (506, 13) float DataFrame of all features (B included),
    ``y`` (506,) MEDV in $1000s, ``feature_names`` (13,), and English/German descriptions.
    """
    return _load_boston_cached(Path(path or DEFAULT_DATA_PATH).resolve())
