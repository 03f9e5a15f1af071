"""In a real browser: score the slides' descriptions, then see the words and regions that decide.

The default lab has no CLIP weights (offline), so this module serves a lab whose CLIP is a tiny
one built in memory; the ``page`` fixture opens it because ``lab_url`` is overridden here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.clip_tiny import tiny_clip_lab

SCREENS = Path("/tmp/screens")


@pytest.fixture(scope="module")
def lab_url():
    with tiny_clip_lab() as (url, _models):
        yield url


def test_clip_scores_and_explains_in_the_browser(page, tmp_path, loaded_image):
    page.get_by_role("tab", name="CLIP").click()
    page.locator("#clip-score").click()
    table = page.locator("#clip-table table")
    table.wait_for()
    assert table.locator("tbody tr").count() == 3
    assert "a small kitten on a chair" in table.inner_text()
    loaded_image(page, "clip-chart", min_width=300)  # the ranking as a bar chart
    _screenshot(page, tmp_path, "similarity")

    page.get_by_role("tab", name="Words and regions").click()
    page.get_by_label("3 · Grad-ECLIP (Zhao et al. 2024)").check()
    page.locator("#clip-explain").click()
    image = loaded_image(page, "clip-maps", min_width=1000)
    natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural[0] > 4 * 224 and natural[1] > 224  # what CLIP sees + four maps
    tokens = page.locator("#clip-tokens")
    tokens.get_by_text("kitten").first.wait_for()
    assert tokens.locator("span[title]").count() >= 15

    image.scroll_into_view_if_needed()
    _screenshot(page, tmp_path, "explain")

    page.get_by_role("tab", name="Do the explanations agree?").click()
    page.get_by_role("button", name="Check the top description").click()
    page.get_by_text("Area under the deletion curve").wait_for()
    loaded_image(page, "clip-deletion", min_width=300)
    _screenshot(page, tmp_path, "agreement")


def _screenshot(page, folder: Path, name: str) -> None:
    """Save the whole page in pytest's tmp dir and a copy in /tmp/screens for a human to look at."""
    shot = folder / f"clip-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENS / shot.name)
