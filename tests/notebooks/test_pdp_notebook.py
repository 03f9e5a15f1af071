"""The PDP/ICE notebook, executed, prints the lab's first and last PDP values.

The notebook trains the same scikit-learn estimators on the same split with the same seeds
(``n_jobs=1``), so the numbers are equal; they are printed with four decimals (±1e-4).
"""

from __future__ import annotations

import re

import nbformat
import pytest

from core.models import ModelManager
from core.tabular import load_boston, train_models
from core.tabular.pdp import pdp_1d
from lab import EXAMPLE_IMAGES_DIR
from tabs.common.code_panel import notebook_for
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.running import make_call
from tabs.pdp.views import PDP_1D, Pdp1d
from tests.notebooks.conftest import execute


@pytest.mark.parametrize(("model", "centered"), [("gradient_boosting", True),
                                               ("random_forest", False)])
def test_the_notebook_prints_the_labs_pdp(model, centered):
    ctx = TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                     examples=ExampleImages(EXAMPLE_IMAGES_DIR))
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
