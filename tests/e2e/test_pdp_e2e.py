"""In a real browser: open the Partial dependence tab, draw the 2D PDP of RM × LSTAT, see it."""

from __future__ import annotations


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
    assert image.get_attribute("src").startswith("data:image/png;base64,")
    # crisp: the PNG has at least as many pixels as it is shown with (here it is scaled down)
    assert natural[0] >= 1000 and natural[0] >= shown[0] > 500
    page.get_by_text("50 × 50 grid (recursion)").wait_for()
    image.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "pdp_2d.png"), full_page=True)
    image.screenshot(path=str(tmp_path / "pdp_2d_plot.png"))
