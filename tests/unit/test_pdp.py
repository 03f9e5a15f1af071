"""Partial dependence, ICE, 2D PDP, ALE on the Boston data, and their figures (no pyplot)."""

from __future__ import annotations

import dataclasses
import io
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.inspection import partial_dependence

from core import tabular as B
from core.tabular import pdp as P
from core.tabular.ale import ale_from_estimator
from tabs.pdp.render import (
    MODEL_COLOURS,
    render_ale_vs_pdp,
    render_model_comparison,
    render_pdp_1d,
    render_pdp_2d,
)
from tabs.pdp.texts import FEATURE_WORDS, T

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def models() -> B.TrainedModels:
    return B.train_models()


@pytest.fixture(scope="module")
def models_with_b() -> B.TrainedModels:
    return B.train_models(drop_b=False)


# ----------------------------------------------------------------------------- data + models


def test_bundled_data_loads_with_units_and_descriptions():
    data = B.load_boston()
    assert data.X.shape == (506, 13)
    assert data.y.shape == (506,) and data.y.min() == 5.0 and data.y.max() == 50.0
    assert all(dtype == np.float64 for dtype in data.X.dtypes)  # sklearn refuses int columns
    assert data.feature_names == tuple(data.X.columns)
    # the tab describes every feature in both languages
    assert set(FEATURE_WORDS) == set(data.feature_names)
    assert "rooms" in T.text("meaning_RM", "en") and "Zimmer" in T.text("meaning_RM", "de")
    assert B.load_boston() is data


def test_missing_data_file_names_where_it_looked(tmp_path):
    with pytest.raises(FileNotFoundError, match="boston_house_prices.csv"):
        B.load_boston(tmp_path / "nothing.csv")


def test_models_score_above_a_sane_floor(models):
    assert len(models.X_train) == 379 and len(models.X_test) == 127
    for name in ("random_forest", "gradient_boosting"):
        assert models.scores[name].r2 > 0.7, name
        assert 0 < models.scores[name].mae < 3.5, name


def test_models_are_trained_once(models):
    assert B.train_models() is models
    assert B.train_models(drop_b=True, seed=0) is models


def test_removing_b_removes_it_everywhere(models, models_with_b):
    assert "B" not in models.feature_names and "B" not in models.X_train.columns
    for name in ("random_forest", "gradient_boosting", "neural_network"):
        estimator = models.estimator(name)
        assert estimator.n_features_in_ == 12 and "B" not in estimator.feature_names_in_
        assert models_with_b.estimator(name).n_features_in_ == 13
    assert "B" in models_with_b.feature_names
    message = "trained without the feature 'B'"
    with pytest.raises(ValueError, match=message):
        P.pdp_1d(models, model="random_forest", feature="B")
    with pytest.raises(ValueError, match=message):
        P.pdp_2d(models, model="random_forest", features=("B", "LSTAT"))
    with pytest.raises(ValueError, match=message):
        P.compare_models(models, feature="B")
    with pytest.raises(ValueError, match=message):
        P.ale_1d(models, model="gradient_boosting", feature="B")
    assert P.pdp_1d(models_with_b, model="gradient_boosting", feature="B",
                    ice_samples=0).grid.size > 1


# ----------------------------------------------------------------------------- PDP / ICE


@pytest.mark.parametrize("model", ["random_forest", "gradient_boosting", "neural_network"])
def test_pdp_1d_equals_sklearn(models, model):
    ours = P.pdp_1d(models, model=model, feature="LSTAT", ice_samples=20)
    theirs = partial_dependence(models.estimator(model), models.X_train, ["LSTAT"],
                                grid_resolution=50, kind="both")
    np.testing.assert_allclose(ours.grid, theirs["grid_values"][0])
    np.testing.assert_allclose(ours.average, theirs["average"][0])
    np.testing.assert_allclose(ours.ice, theirs["individual"][0][ours.ice_rows])
    assert ours.grid.shape == (50,) and ours.ice.shape == (20, 50)
    assert ours.feature_values.shape == (379,)


def test_centred_ice_starts_at_zero(models):
    plain = P.pdp_1d(models, model="gradient_boosting", feature="RM", ice_samples=30)
    centred = P.pdp_1d(models, model="gradient_boosting", feature="RM", ice_samples=30,
                       centered=True)
    np.testing.assert_array_equal(centred.ice[:, 0], 0.0)
    assert centred.average[0] == 0.0
    np.testing.assert_allclose(centred.ice, plain.ice - plain.ice[:, :1])
    np.testing.assert_allclose(centred.average, plain.average - plain.average[0])


def test_ice_sample_is_reproducible_and_adjustable(models):
    a = P.pdp_1d(models, model="gradient_boosting", feature="RM", ice_samples=30, seed=1)
    b = P.pdp_1d(models, model="gradient_boosting", feature="RM", ice_samples=30, seed=2)
    assert len(set(a.ice_rows)) == 30 and not np.array_equal(a.ice_rows, b.ice_rows)
    none = P.pdp_1d(models, model="gradient_boosting", feature="RM", ice_samples=0)
    assert none.ice.shape == (0, 50)
    every = P.pdp_1d(models, model="gradient_boosting", feature="RM", ice_samples=379)
    np.testing.assert_allclose(every.ice.mean(axis=0), every.average)


def test_discrete_feature_uses_its_values(models):
    result = P.pdp_1d(models, model="gradient_boosting", feature="CHAS", ice_samples=5)
    np.testing.assert_array_equal(result.grid, [0.0, 1.0])
    assert result.ice.shape == (5, 2)


def test_pdp_2d_default_grid_and_mask(models):
    result = P.pdp_2d(models, model="gradient_boosting")
    assert result.features == ("RM", "LSTAT") and result.method == "recursion"
    assert result.grid_1.shape == (50,) and result.grid_2.shape == (50,)
    assert result.average.shape == (50, 50) and result.outside.shape == (50, 50)
    assert result.outside.dtype == bool and 0 < result.outside.mean() < 0.5
    # Many rooms together with a poor neighbourhood does not occur in Boston: extrapolated.
    assert result.outside[-1, -1] and not result.outside[25, 25]
    # every grid cell next to a training row (within the grid's range) is inside the data
    rows = ((result.values_1 >= result.grid_1[0]) & (result.values_1 <= result.grid_1[-1])
            & (result.values_2 >= result.grid_2[0]) & (result.values_2 <= result.grid_2[-1]))
    i = np.abs(result.grid_1[:, None] - result.values_1[None, rows]).argmin(axis=0)
    j = np.abs(result.grid_2[:, None] - result.values_2[None, rows]).argmin(axis=0)
    assert rows.sum() > 250 and not result.outside[i, j].any()
    # rows follow the first feature: the price rises with RM at low LSTAT
    assert result.average[-1, 0] > result.average[0, 0] + 5


@pytest.mark.parametrize("model", ["random_forest", "gradient_boosting"])
def test_pdp_2d_equals_sklearn(models, model):
    estimator = models.estimator(model)
    brute = P.pdp_2d(models, model=model, grid_resolution=8, method="brute")
    theirs = partial_dependence(estimator, models.X_train, ["RM", "LSTAT"],
                                grid_resolution=8, method="brute")
    np.testing.assert_allclose(brute.average, theirs["average"][0])
    np.testing.assert_allclose(brute.grid_1, theirs["grid_values"][0])
    fast = P.pdp_2d(models, model=model, grid_resolution=8)
    theirs = partial_dependence(estimator, models.X_train, ["RM", "LSTAT"],
                                grid_resolution=8, method="recursion")
    # scikit-learn's recursion leaves out gradient boosting's constant start value; we add it
    offset = models.y_train.mean() if model == "gradient_boosting" else 0.0
    np.testing.assert_allclose(fast.average, theirs["average"][0] + offset)


def test_recursion_equals_brute_for_stumps(models):
    """With depth-1 trees both methods agree exactly, which pins down the added offset."""
    stumps = GradientBoostingRegressor(n_estimators=40, max_depth=1, random_state=0)
    stumps.fit(models.X_train, models.y_train)
    swapped = dataclasses.replace(models, gradient_boosting=stumps)
    fast = P.pdp_2d(swapped, model="gradient_boosting", grid_resolution=6, method="recursion")
    brute = P.pdp_2d(swapped, model="gradient_boosting", grid_resolution=6, method="brute")
    np.testing.assert_allclose(fast.average, brute.average, atol=1e-9)


def test_pdp_2d_of_the_network_is_brute_force(models):
    """The network has no trees: "auto" falls back to brute, "recursion" is refused."""
    auto = P.pdp_2d(models, model="neural_network", grid_resolution=8)
    assert auto.method == "brute"
    assert P.pdp_2d(models, model="neural_network", grid_resolution=8, method="brute") is auto
    theirs = partial_dependence(models.neural_network, models.X_train, ["RM", "LSTAT"],
                                grid_resolution=8, method="brute")
    np.testing.assert_array_equal(auto.average, theirs["average"][0])
    np.testing.assert_array_equal(auto.grid_2, theirs["grid_values"][1])
    with pytest.raises(ValueError, match="neural network has none. Choose 'brute'"):
        P.pdp_2d(models, model="neural_network", method="recursion")
    assert P.pdp_2d(models, model="random_forest", grid_resolution=8).method == "recursion"


def test_ice_and_ale_work_on_the_network(models):
    result = P.pdp_1d(models, model="neural_network", feature="LSTAT", ice_samples=379)
    np.testing.assert_allclose(result.ice.mean(axis=0), result.average)
    assert result.average[0] > result.average[-1] + 5  # more LSTAT, lower price
    ale = P.ale_1d(models, model="neural_network", feature="LSTAT", bins=20)
    assert ale.edges.shape == (21,) and ale.effect[0] > ale.effect[-1]


def test_compare_models_shares_the_grid(models):
    result = P.compare_models(models, feature="RM")
    assert set(result.averages) == {"random_forest", "gradient_boosting", "neural_network"}
    single = P.pdp_1d(models, model="random_forest", feature="RM", ice_samples=0)
    np.testing.assert_allclose(result.grid, single.grid)
    np.testing.assert_allclose(result.averages["random_forest"], single.average)
    assert result.averages["gradient_boosting"].shape == result.grid.shape
    network = P.pdp_1d(models, model="neural_network", feature="RM", ice_samples=0)
    np.testing.assert_array_equal(result.averages["neural_network"], network.average)


# ----------------------------------------------------------------------------- ALE


class AdditiveModel:
    """An sklearn-style regressor that is exactly y = x1² + 3·x2."""

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return X["x1"].to_numpy() ** 2 + 3 * X["x2"].to_numpy()


@pytest.fixture(scope="module")
def correlated_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x1 = rng.uniform(-2, 2, 400)
    return pd.DataFrame({"x1": x1, "x2": 0.8 * x1 + rng.normal(0, 0.3, 400)})


def test_ale_recovers_an_additive_function(correlated_frame):
    before = correlated_frame.copy()
    ale = ale_from_estimator(AdditiveModel(), correlated_frame, feature="x1", bins=20)
    assert ale.edges.shape == ale.effect.shape == (21,) and ale.bin_counts.sum() == 400
    shape = ale.edges**2
    np.testing.assert_allclose(ale.effect - ale.effect[0], shape - shape[0], atol=1e-9)
    # centred: the data-weighted mean effect is zero
    bin_means = 0.5 * (ale.effect[:-1] + ale.effect[1:])
    assert abs(np.average(bin_means, weights=ale.bin_counts)) < 1e-9
    linear = ale_from_estimator(AdditiveModel(), correlated_frame, feature="x2", bins=10)
    np.testing.assert_allclose(np.diff(linear.effect) / np.diff(linear.edges), 3.0)
    pd.testing.assert_frame_equal(correlated_frame, before)  # input untouched


def test_ale_on_the_models(models):
    ale = P.ale_1d(models, model="random_forest", feature="LSTAT", bins=20)
    assert ale.edges.shape == (21,) and ale.effect[0] > ale.effect[-1]  # more LSTAT, lower price
    chas = P.ale_1d(models, model="random_forest", feature="CHAS")
    assert chas.edges.shape == (2,)  # a 0/1 feature has a single bin


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: P.pdp_1d(m, model="random_forest", feature="FOO"),
         r"Unknown feature 'FOO'\. Choose one of: CRIM, ZN"),
        (lambda m: P.pdp_1d(m, model="svm", feature="RM"), "Unknown model 'svm'"),
        (lambda m: P.pdp_1d(m, model="random_forest", feature="RM", ice_samples=-1),
         "ICE curves must be a whole number from 0 to 379"),
        (lambda m: P.pdp_1d(m, model="random_forest", feature="RM", ice_samples=380),
         "ICE curves must be a whole number from 0 to 379"),
        (lambda m: P.pdp_1d(m, model="random_forest", feature="RM", grid_resolution=1),
         "grid resolution must be a whole number from 2 to 200"),
        (lambda m: P.pdp_2d(m, model="random_forest", grid_resolution=201),
         "grid resolution must be a whole number from 2 to 200"),
        (lambda m: P.pdp_2d(m, model="random_forest", features=("RM", "RM")),
         "two different features.*'RM' twice"),
        (lambda m: P.pdp_2d(m, model="random_forest", features=("RM",)),
         "exactly two features"),
        (lambda m: P.pdp_2d(m, model="random_forest", method="fast"), "Unknown method 'fast'"),
        (lambda m: P.ale_1d(m, model="random_forest", feature="RM", bins=1),
         "ALE bins must be a whole number from 2 to 100"),
    ],
)
def test_bad_input_gets_a_clear_message(models, call, message):
    with pytest.raises(ValueError, match=message):
        call(models)


# ----------------------------------------------------------------------------- caching


def test_results_are_cached_and_read_only(models):
    first = P.pdp_1d(models, model="gradient_boosting", feature="DIS", ice_samples=10)
    assert P.pdp_1d(models, model="gradient_boosting", feature="DIS", ice_samples=10) is first
    assert P.pdp_1d(models, model="gradient_boosting", feature="DIS", ice_samples=11) is not first
    default = P.pdp_2d(models, model="gradient_boosting")
    assert P.pdp_2d(models, model="gradient_boosting", method="recursion") is default
    assert P.ale_1d(models, model="gradient_boosting", feature="DIS") is P.ale_1d(
        models, model="gradient_boosting", feature="DIS")
    with pytest.raises(ValueError):
        first.average[0] = 1.0  # shared between users: nobody may write into it


def test_concurrent_requests_compute_once(models):
    results: list[object] = []
    barrier = threading.Barrier(6)

    def ask() -> None:
        barrier.wait()
        results.append(P.pdp_1d(models, model="gradient_boosting", feature="NOX", ice_samples=7))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6 and all(r is results[0] for r in results)


# ----------------------------------------------------------------------------- rendering


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def test_render_1d_pdp_with_ice_and_histogram(models):
    result = P.pdp_1d(models, model="random_forest", feature="LSTAT", ice_samples=20)
    fig = render_pdp_1d(result)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    plot, hist = fig.axes
    assert len(plot.lines) == 1  # the PDP
    (ice,) = [c for c in plot.collections if isinstance(c, LineCollection)]
    assert len(ice.get_segments()) == 20
    assert "MEDV (in $1000s)" in plot.get_ylabel() and "%" in hist.get_xlabel()
    assert len(hist.patches) > 0
    assert _png(fig).startswith(b"\x89PNG")
    centred = render_pdp_1d(P.pdp_1d(models, model="random_forest", feature="LSTAT",
                                     ice_samples=20, centered=True), lang="de")
    assert "Änderung" in centred.axes[0].get_ylabel()


def test_render_2d_contour_points_and_outside_region(models):
    fig = render_pdp_2d(P.pdp_2d(models, model="random_forest"))
    assert len(fig.axes) == 2  # plot + colour bar
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("RM") and ax.get_ylabel().startswith("LSTAT")
    assert len(ax.texts) > 0  # labelled isolines
    hatched = [c for c in ax.collections if any(getattr(c, "hatches", None) or [])]
    assert hatched, "the region outside the data must be hatched"
    assert "MEDV (in $1000s)" in fig.axes[1].get_ylabel()
    assert _png(fig).startswith(b"\x89PNG")


def test_render_comparison_and_ale(models):
    fig = render_model_comparison(P.compare_models(models, feature="RM"))
    assert len(fig.axes) == 2 and len(fig.axes[0].lines) == 3  # one curve per model
    assert [line.get_color() for line in fig.axes[0].lines] == [
        MODEL_COLOURS[name] for name in B.MODEL_NAMES]
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert "R²" in legend[0] and legend[2].startswith("Neural network (MLP): test R²")
    german = render_model_comparison(P.compare_models(models, feature="RM"), lang="de")
    assert "Neuronales Netz" in german.axes[0].get_legend().get_texts()[2].get_text()
    ale = P.ale_1d(models, model="random_forest", feature="RM")
    pdp = P.pdp_1d(models, model="random_forest", feature="RM", ice_samples=0)
    fig = render_ale_vs_pdp(ale, pdp)
    assert len(fig.axes) == 2
    assert len(fig.axes[0].lines) == 1 and len(fig.axes[1].lines) == 3  # ALE, PDP, zero line
    assert _png(fig).startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="ALE is for"):
        render_ale_vs_pdp(P.ale_1d(models, model="random_forest", feature="LSTAT"), pdp)
