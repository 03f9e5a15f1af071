"""In a real browser: open the Attribution tab, run the comparison view, see the picture."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")


def test_attribution_comparison_in_the_browser(page, tmp_path, loaded_image):
    page.get_by_role("tab", name="Attribution").click()
    # the page load predicts both.png and makes the top class the target
    page.get_by_text("Target class: #").first.wait_for()
    # clicking a prediction makes it the target (here the cat in the dog-and-cat picture)
    page.get_by_text("tiger cat (#282)").first.click()
    page.get_by_text("282 tiger cat").first.wait_for()
    page.locator("#attr-compare-run").click()

    image = loaded_image(page, "attr-compare", min_width=1000)
    natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural[0] > 5 * 224 and natural[1] > 224  # original + four methods side by side
    assert image.get_attribute("src").split("?")[0].endswith(".png")
    page.get_by_text("Guided Grad-CAM").first.wait_for()
    assert page.get_by_label("Target class index").input_value() == "282"
    image.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "attribution_compare.png"), full_page=True)


def test_a_found_class_becomes_the_target(page, tmp_path):
    page.get_by_role("tab", name="Attribution").click()
    page.get_by_text("Target class: #").first.wait_for()
    page.get_by_label("Search a class name").fill("goldfish")
    page.get_by_role("button", name="Find", exact=True).click()
    matches = page.get_by_label("Matching classes (#index name)")
    page.wait_for_function("() => [...document.querySelectorAll('input')].some("
                           "i => i.value === '#1 goldfish')")
    matches.click()
    page.get_by_role("option", name="#1 goldfish").click()
    page.get_by_text("Target class: #1 goldfish").wait_for()
    assert page.get_by_label("Target class index").input_value() == "1"
    page.screenshot(path=str(tmp_path / "attribution_found_class.png"))


def test_the_comparison_shows_its_cheap_maps_first(page, tmp_path, loaded_image):
    page.get_by_role("tab", name="Attribution").click()
    target = page.get_by_label("Target class index")
    page.get_by_text("Computed (0 s = from cache)").first.wait_for()  # the tab's first view
    before = target.input_value()
    page.get_by_label("Example image").first.click()
    page.get_by_role("option", name="grace_hopper.jpg").click()  # not computed before
    page.wait_for_function("([id, old]) => document.querySelector(`#${id} input`).value !== old",
                           arg=["attr-target", before])  # the new image's top class
    page.get_by_label("IG steps").fill("48")  # new settings: nothing comes from a cache
    page.locator("#attr-compare-run").click()
    progress = page.get_by_text("methods ready; still computing").first
    progress.wait_for()  # the cheap maps are shown while the others are computed
    assert "Occlusion" in progress.inner_text()  # the slowest comes last
    loaded_image(page, "attr-compare", min_width=1000)
    page.screenshot(path=str(tmp_path / "attribution_partial.png"), full_page=True)
    page.get_by_text("Computed (0 s = from cache)").first.wait_for()
    assert "still computing" not in page.locator("#attr-compare-text").inner_text()
    page.screenshot(path=str(tmp_path / "attribution_complete.png"), full_page=True)
