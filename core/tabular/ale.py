"""Accumulated local effects (ALE) for one feature of a fitted regressor.

Apley, D. W. and Zhu, J. (2020): "Visualizing the effects of predictor variables in black box
supervised learning models", Journal of the Royal Statistical Society, Series B 82(4),
1059-1086. https://doi.org/10.1111/rssb.12377
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from core.checks import InputError, check_int, excerpt, read_only

__all__ = ["ALE1D", "Regressor", "ale_from_estimator"]


class Regressor(Protocol):
    """Anything with a scikit-learn style ``predict(X) -> (n,)``."""

    def predict(self, X: pd.DataFrame) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class ALE1D:
    """First-order ALE of one feature.

    ``edges`` (K+1,) are the bin edges (quantiles of the data), ``effect`` (K+1,) the centred
    accumulated effect at each edge (in the target's unit, here MEDV in $1000s; draw it as a
    line through the edges), ``bin_counts`` (K,) the number of rows in each bin and
    ``feature_values`` (n,) the feature's data values (for a rug).
    """

    model: str
    feature: str
    edges: np.ndarray
    effect: np.ndarray
    bin_counts: np.ndarray
    feature_values: np.ndarray


def ale_from_estimator(
    estimator: Regressor,
    X: pd.DataFrame,
    *,
    feature: str,
    bins: int = 20,
    model_name: str = "model",
) -> ALE1D:
    """First-order accumulated local effects of ``feature``, as estimated by Apley & Zhu (2020).

    1. Bin edges z_0 < ... < z_K are quantiles of the feature (duplicates dropped, so K <= bins;
       a feature with few distinct values, such as CHAS, gets fewer bins).
    2. For every row in bin k = (z_{k-1}, z_k] (the first bin also holds z_0), predict twice:
       with the feature set to z_k and to z_{k-1}, all other features as they are. The mean
       difference in bin k is the local effect: the model is only asked about rows that really
       lie in that bin, so no unrealistic feature combinations are created (unlike a PDP).
    3. Accumulate the local effects from the left (the effect at z_0 is 0) and centre the curve
       so that its mean over the data is 0 (each bin's value is the mean of its two edges,
       weighted by the rows in the bin).

    Returns an ``ALE1D`` with ``edges`` and ``effect`` of shape (K+1,), ``bin_counts`` (K,).
    ``X`` is not modified.
    """
    if feature not in X.columns:
        raise InputError(f"Unknown feature '{excerpt(feature)}'. "
                         f"Choose one of: {', '.join(X.columns)}.",
                         f"Unbekanntes Merkmal '{excerpt(feature)}'. "
                         f"Wähle eines von: {', '.join(X.columns)}.")
    bins = check_int(("The number of ALE bins", "Die Zahl der ALE-Intervalle"), bins, 2, 100)
    x = X[feature].to_numpy(dtype=float)
    edges = np.unique(np.quantile(x, np.linspace(0.0, 1.0, int(bins) + 1)))
    if edges.size < 2:
        raise InputError(
            f"The feature {feature!r} has only one value, so it has no effect to show.",
            f"Das Merkmal {feature!r} hat nur einen einzigen Wert, also gibt es keinen Effekt "
            "zu zeigen.",
        )
    n_bins = edges.size - 1
    # bin k (1-based) holds z_{k-1} < x <= z_k; x == z_0 joins the first bin.
    k = np.clip(np.searchsorted(edges, x, side="left"), 1, n_bins)
    lower, upper = X.copy(), X.copy()
    lower[feature] = edges[k - 1]
    upper[feature] = edges[k]
    diff = np.asarray(estimator.predict(upper), dtype=float) - np.asarray(
        estimator.predict(lower), dtype=float
    )
    counts = np.bincount(k - 1, minlength=n_bins)
    sums = np.bincount(k - 1, weights=diff, minlength=n_bins)
    local = np.divide(sums, counts, out=np.zeros(n_bins), where=counts > 0)
    accumulated = np.concatenate([[0.0], np.cumsum(local)])
    bin_means = 0.5 * (accumulated[:-1] + accumulated[1:])
    effect = accumulated - np.average(bin_means, weights=counts)
    return ALE1D(
        model=model_name,
        feature=feature,
        edges=read_only(edges),
        effect=read_only(effect),
        bin_counts=read_only(counts),
        feature_values=read_only(x),
    )
