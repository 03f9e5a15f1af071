"""In a real browser: visualize a few filters, see the grid stream in, enlarge one tile."""

from __future__ import annotations


def _fill(page, elem_id: str, value: str) -> None:
    field = page.locator(f"#{elem_id}").locator("textarea, input").first
    field.fill(value)
    field.press("Tab")


def test_filter_ascent_grid_in_the_browser(page, tmp_path):
    page.get_by_role("tab", name="Filter ascent").click()
    page.wait_for_function(  # the model's layers are listed on page load
        "() => [...document.querySelectorAll('input')].some(i => i.value.startsWith('blocks.4'))")
    _fill(page, "ascent-filters", "0-7")
    _fill(page, "ascent-steps", "5")
    _fill(page, "ascent-size", "96")
    _fill(page, "ascent-crop", "8")
    page.locator("#ascent-run").click()

    page.locator("#ascent-text").get_by_text("8/8 filters done").wait_for()
    grid = page.locator("#ascent-grid img")
    grid.wait_for()
    natural = grid.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural == [8 * 80 + 7 * 5, 80]  # 96 px − 2·8 crop, 5 px margins like the seed
    box = grid.bounding_box()
    assert box and box["width"] > 300

    # Click the middle of the third tile: it is shown large with its filter number.
    scale = box["width"] / natural[0]
    grid.click(position={"x": (2 * 85 + 40) * scale, "y": 40 * scale})  # scrolls into view
    page.locator("#ascent-large-words").get_by_text("Filter 2 of blocks.4 (notebook)").wait_for()
    page.screenshot(path=str(tmp_path / "ascent.png"), full_page=True)
    grid.screenshot(path=str(tmp_path / "ascent_grid.png"))
