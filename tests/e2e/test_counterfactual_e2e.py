"""In a real browser: a short pixel-optimisation run turns the cat into a dog, the result shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")

SCREENS = Path("/tmp/screens")


def _fill(page, elem_id: str, value: str) -> None:
    field = page.locator(f"#{elem_id}").locator("textarea, input").first
    field.fill(value)
    field.press("Tab")


def test_counterfactual_run_in_the_browser(page, tmp_path, loaded_image):
    page.get_by_role("tab", name="Counterfactual").click()
    page.get_by_text("The model sees Egyptian cat").first.wait_for()  # page load classified it
    _fill(page, "cf-steps", "40")
    page.locator("#cf-run").click()

    picture = loaded_image(page, "cf-compare", min_width=4 * 224)
    natural = picture.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural[0] > 4 * 224 and natural[1] > 224  # original, counterfactual, 2 differences
    status = page.locator("#cf-status")
    status.get_by_text("Switched to").wait_for()
    assert "L∞" in status.inner_text()
    page.locator("#cf-checks").get_by_text("JPEG, quality 75").wait_for()
    loaded_image(page, "cf-live", min_width=100)
    picture.scroll_into_view_if_needed()
    shot = tmp_path / "counterfactual.png"
    page.screenshot(path=str(shot), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENS / "counterfactual-pixel.png")
