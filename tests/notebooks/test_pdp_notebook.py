"""The PDP/ICE, 2D PDP, ALE, SHAP and model comparison notebooks, executed, print the lab's
numbers: the first and last PDP values; the 2D PDP's range and its corners; the ALE's bins and
effect; SHAP's expected value, the three most important features and one house's largest
contributions; each model's PDP ends and where the three differ most.

The notebook trains the same scikit-learn estimators on the same split with the same seeds
(``n_jobs=1``), and the lab's neural network written out (the same Lightning training from the
same seed, on one CPU thread), so the numbers are equal; they are printed with four decimals
(±1e-4).
"""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from core.models import ModelManager
from core.tabular import load_boston, train_models
from core.tabular.pdp import ale_1d, compare_models, pdp_1d, pdp_2d
from core.tabular.shapley import one_house, shap_values
from lab import EXAMPLE_IMAGES_DIR
from tabs.common.code_panel import notebook_for
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.running import make_call
from tabs.pdp.shap_view import SHAP, Shap
from tabs.pdp.views import ALE, COMPARE, PDP_1D, PDP_2D, Ale, Compare, Pdp1d, Pdp2d
from tests.notebooks.conftest import execute


@pytest.fixture(scope="module")
def ctx():
    return TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                      examples=ExampleImages(EXAMPLE_IMAGES_DIR))


@pytest.mark.parametrize(("model", "centered"), [("gradient_boosting", True),
                                               ("random_forest", False),
                                               ("neural_network", False)])
def test_the_notebook_prints_the_labs_pdp(ctx, model, centered):
    settings = Pdp1d(drop_b=True, feature="RM", model=model, ice_samples=5, centered=centered,
                     grid_resolution=10)
    call = make_call(PDP_1D, ctx, settings, lang="en")
    printed = execute(nbformat.reads(notebook_for(PDP_1D, call).decode(), as_version=4))

    lab = pdp_1d(train_models(load_boston(), drop_b=True, seed=0), model=model, feature="RM",
                 ice_samples=5, grid_resolution=10, centered=centered, seed=0)
    match = re.fullmatch(r"PDP: ([-\d.]+) at RM = ([\d.]+), ([-\d.]+) at RM = ([\d.]+) "
                         r"\((\d+) ICE curves\)\n", printed)
    assert match, printed
    first, low, last, high, curves = match.groups()
    assert abs(float(first) - lab.average[0]) <= 1e-4
    assert abs(float(last) - lab.average[-1]) <= 1e-4
    assert float(low) == pytest.approx(lab.grid[0], abs=1e-3)
    assert float(high) == pytest.approx(lab.grid[-1], abs=1e-3)
    assert int(curves) == 5


@pytest.mark.parametrize(("model", "method"), [("gradient_boosting", "auto"),
                                             ("random_forest", "brute")])
def test_the_2d_notebook_prints_the_labs_surface(ctx, model, method):
    """Gradient boosting with recursion needs its constant first prediction added back."""
    settings = Pdp2d(drop_b=False, feature_x="RM", feature_y="LSTAT", model=model,
                     grid_resolution=8, method=method)
    call = make_call(PDP_2D, ctx, settings, lang="de")
    printed = execute(nbformat.reads(notebook_for(PDP_2D, call).decode(), as_version=4))

    lab = pdp_2d(train_models(load_boston(), drop_b=False, seed=0), model=model,
                 features=("RM", "LSTAT"), grid_resolution=8, method=method)
    number = r"([-\d.]+)"
    match = re.fullmatch(rf"2D PDP on 8×8 grid values: from {number} to {number}; "
                         rf"{number} at \({number}, {number}\), "
                         rf"{number} at \({number}, {number}\)\n", printed)
    assert match, printed
    low, high, first, *_, last, _, _ = (float(x) for x in match.groups())
    average = lab.average
    for printed_value, value in ((low, average.min()), (high, average.max()),
                                 (first, average[0, 0]), (last, average[-1, -1])):
        assert abs(printed_value - value) <= 1e-4, (printed, value)


def test_the_shap_notebook_prints_the_labs_values(ctx):
    settings = Shap(drop_b=True, model="gradient_boosting", feature="LSTAT", house=7)
    call = make_call(SHAP, ctx, settings, lang="en")
    printed = execute(nbformat.reads(notebook_for(SHAP, call).decode(), as_version=4))

    result = shap_values(train_models(load_boston(), drop_b=True, seed=0),
                         model="gradient_boosting", seed=0)
    house = one_house(result, house=7)
    importance = np.abs(result.values).mean(axis=0)
    top = np.argsort(-importance, kind="stable")[:3]
    expected = f"{result.expected_value:.4f}"
    assert printed.splitlines() == [
        f"expected value {expected}; largest gap to the predictions "
        f"{printed.split('predictions ')[1].splitlines()[0]}",
        "mean |SHAP|: " + ", ".join(f"{result.feature_names[i]} {importance[i]:.4f}"
                                    for i in top),
        f"house 7: {house.prediction:.4f} = {expected} + "
        + " + ".join(f"{name} ({value:+.4f})"
                     for name, value in zip(house.features[:3], house.contributions[:3]))
        + " + …"]
    assert float(printed.split("predictions ")[1].split()[0]) < 1e-3  # exact for the trees


def test_the_ale_notebook_prints_the_labs_effect(ctx):
    settings = Ale(drop_b=True, feature="LSTAT", model="random_forest", bins=12)
    call = make_call(ALE, ctx, settings, lang="de")
    printed = execute(nbformat.reads(notebook_for(ALE, call).decode(), as_version=4))

    ale = ale_1d(train_models(load_boston(), drop_b=True, seed=0), model="random_forest",
                 feature="LSTAT", bins=12)
    counts, effect, edges = ale.bin_counts, ale.effect, ale.edges
    assert printed == (
        f"ALE of LSTAT: {counts.size} bins with {counts.min()} to {counts.max()} rows; "
        f"effect from {effect.min():.4f} to {effect.max():.4f} "
        f"({effect[0]:.4f} at {edges[0]:.4g}, {effect[-1]:.4f} at {edges[-1]:.4g})\n")


def test_the_comparison_notebook_prints_where_the_three_models_differ(ctx):
    call = make_call(COMPARE, ctx, Compare(drop_b=True, feature="LSTAT"), lang="de")
    printed = execute(nbformat.reads(notebook_for(COMPARE, call).decode(), as_version=4))

    lab = compare_models(train_models(load_boston(), drop_b=True, seed=0), feature="LSTAT",
                         grid_resolution=50)
    lines = printed.splitlines()
    assert len(lines) == 4, printed
    for line, (name, average) in zip(lines, lab.averages.items()):
        match = re.fullmatch(rf"{name}: ([-\d.]+) at LSTAT = [\d.]+, ([-\d.]+) at LSTAT = "
                             r"[\d.]+", line)
        assert match, line
        assert abs(float(match[1]) - average[0]) <= 1e-4 and \
            abs(float(match[2]) - average[-1]) <= 1e-4, (line, average[[0, -1]])
    curves = np.stack(list(lab.averages.values()))
    spread = curves.max(axis=0) - curves.min(axis=0)
    match = re.fullmatch(r"largest difference ([\d.]+) at LSTAT = ([\d.]+); (\d+) of (\d+) "
                         r"training rows within ±[\d.]+; mean difference ([\d.]+)", lines[3])
    assert match, lines[3]
    assert abs(float(match[1]) - spread.max()) <= 1e-4
    assert float(match[2]) == pytest.approx(lab.grid[spread.argmax()], abs=1e-3)
    assert int(match[4]) == lab.feature_values.size
    assert abs(float(match[5]) - spread.mean()) <= 1e-4
    text = COMPARE.run(call)[1]
    assert f"**{match[3]} von {match[4]}**" in text  # the rows near it, as the page says
