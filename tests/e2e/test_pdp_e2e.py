"""In a real browser: open the Partial dependence tab, draw the 2D PDP of RM × LSTAT, see it;
compare the three models' PDPs of RM (screenshots also copied to /tmp/screens for a human)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from tabs.pdp.render import MODEL_COLOURS

SCREENS = Path("/tmp/screens")


def test_pdp_2d_in_the_browser(page, tmp_path, loaded_image):
    page.get_by_role("tab", name="Partial dependence").click()
    page.get_by_role("tab", name="2D: two features").click()
    # the defaults are the seed's exercise: RM × LSTAT on a 50 × 50 grid
    assert page.locator("#pdp-2d-x input").input_value().startswith("RM")
    assert page.locator("#pdp-2d-y input").input_value().startswith("LSTAT")
    page.locator("#pdp-2d-run").click()

    image = loaded_image(page, "pdp-2d")
    natural, shown = image.evaluate(
        "img => [[img.naturalWidth, img.naturalHeight], [img.clientWidth, img.clientHeight]]")
    assert image.get_attribute("src").endswith(".png")  # a picture saved once, served by path
    # crisp: the PNG has at least as many pixels as it is shown with (here it is scaled down)
    assert natural[0] >= 1000 and natural[0] >= shown[0] > 500
    page.get_by_text("50 × 50 grid (recursion)").wait_for()
    image.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "pdp_2d.png"), full_page=True)
    image.screenshot(path=str(tmp_path / "pdp_2d_plot.png"))


def _colour_pixels(png: bytes, colour: str) -> int:
    """How many pixels of the PNG are (almost) the colour ``#rrggbb``."""
    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    target = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(rgb - target).sum(axis=-1) < 40).sum())


def test_compare_three_models_in_the_browser(page, tmp_path, loaded_image):
    page.get_by_role("tab", name="Partial dependence").click()
    page.get_by_role("tab", name="Compare models").click()
    assert page.locator("#pdp-compare-feature input").input_value().startswith("RM")
    page.locator("#pdp-compare-run").click()

    image = loaded_image(page, "pdp-compare", min_width=1000)
    page.get_by_text("The 3 PDPs differ by at most").wait_for()
    png = page.request.get(image.get_attribute("src")).body()
    for model, colour in MODEL_COLOURS.items():  # random forest, gradient boosting, network
        assert _colour_pixels(png, colour) > 300, f"no {model} curve"
    image.scroll_into_view_if_needed()
    _screenshot(page, tmp_path, "pdp-compare")
    image.screenshot(path=str(tmp_path / "pdp-compare-plot.png"))
    shutil.copy(tmp_path / "pdp-compare-plot.png", SCREENS / "pdp-compare-plot.png")

    # the data panel scores the network next to the trees and says how it was trained
    page.get_by_text("Data and models: Boston housing").click()
    scores = page.locator("#pdp-scores")
    scores.get_by_text("Neural network (MLP)").wait_for()
    assert "PyTorch Lightning" in scores.inner_text()
    scores.scroll_into_view_if_needed()
    _screenshot(page, tmp_path, "pdp-data")


def _screenshot(page, folder: Path, name: str) -> None:
    """The whole page in pytest's tmp dir, and a copy in /tmp/screens for a human to look at."""
    shot = folder / f"{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENS / shot.name)
