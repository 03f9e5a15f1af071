"""In a real browser: pick an example, show activations, see the prediction and the maps."""

from __future__ import annotations

import shutil
from pathlib import Path

from tabs.common.render.colour_bar import BAR_WIDTH

SCREENS = Path("/tmp/screens")


def test_activations_in_the_browser(page, tmp_path):
    page.get_by_role("tab", name="Activations").click()
    status = page.locator("#model-status")
    status.get_by_text("weights unavailable offline").first.wait_for()
    assert "EfficientNet-Lite0" in status.inner_text()

    page.get_by_label("Example image").first.click()
    page.get_by_role("option", name="puppies.jpg").click()
    preview = page.locator("#act-preview img")
    preview.wait_for()
    page.wait_for_function(
        "() => document.querySelector('#act-preview img').naturalWidth === 1600")
    page.get_by_role("button", name="Show activations").click()

    # the first browser test: the lab may still be finishing work the app tests left
    page.get_by_text("Labrador retriever (#208)").first.wait_for(timeout=240_000)
    grid = page.locator("#act-grid img")
    grid.wait_for()
    box = grid.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    natural = grid.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural[0] > 100 and natural[1] > 100
    page.get_by_text("Channel 0 of blocks.1:").wait_for()
    # the large map's alt is its caption: where the channel is strongest over the image
    page.wait_for_function("() => document.querySelector('#act-large img')?.alt"
                           ".startsWith('Channel 0 of blocks.1 over the image: ')")

    # Click the middle of the second tile of the first row: the large view switches to it.
    tile = (natural[0] - BAR_WIDTH) / 4  # 16 maps → 4 columns (tiles, thin margins), the bar
    grid.click(position={"x": 1.5 * tile * box["width"] / natural[0],  # scrolls into view
                         "y": 0.5 * tile * box["height"] / natural[1]})
    page.get_by_text("Channel 1 of blocks.1:").wait_for()
    assert grid.get_attribute("alt").startswith("Feature maps of blocks.1: the strongest are")
    page.screenshot(path=str(tmp_path / "activations.png"), full_page=True)
    SCREENS.mkdir(exist_ok=True)
    shutil.copy(tmp_path / "activations.png", SCREENS / "activations-described.png")
