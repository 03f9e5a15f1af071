"""In a real browser: the Attribution tab's deletion/insertion view and its sanity check.

Small settings keep both fast on a 2-core CPU: 4 IG steps, a 56 px occlusion window moved by
28 px. Screenshots go to pytest's tmp dir and to /tmp/screens/faithfulness-*.png.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")

SCREENS = Path("/tmp/screens")


def open_subtab(page, name: str) -> None:
    """Click a sub-tab, also when it sits in Gradio's "More tabs" (…) menu on a narrow page."""
    for tab in page.get_by_role("tab", name=name, exact=True).all():
        if tab.is_visible():
            tab.click()
            return
    page.locator(".overflow-menu:not(.hide) button[aria-label='More tabs']").first.click()
    page.locator(".overflow-dropdown button", has_text=name).first.click()


def small_settings(page) -> None:
    page.get_by_role("tab", name="Attribution").click()
    page.get_by_text("Target class: #").first.wait_for()
    for label, value in (("IG steps", "4"), ("Occlusion window", "56"), ("Occlusion stride", "28")):
        field = page.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Tab")


def save(page, tmp_path: Path, name: str, element=None) -> None:
    path = tmp_path / f"faithfulness-{name}.png"
    (element or page).screenshot(path=str(path), **({} if element else {"full_page": True}))
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SCREENS / path.name)


def test_deletion_and_insertion_in_the_browser(page, tmp_path, loaded_image):
    small_settings(page)
    open_subtab(page, "Deletion")
    page.locator("#attr-deletion-run").click()
    # the random order's curves and each method's map and curves as soon as they exist
    page.get_by_text("methods measured; still computing").first.wait_for()
    loaded_image(page, "attr-deletion", min_width=600)
    save(page, tmp_path, "deletion-partial")
    page.get_by_text("repeating it comes from the cache").first.wait_for()  # the complete view

    image = loaded_image(page, "attr-deletion", min_width=600)
    width, height = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert width >= 4 * 160 and height >= 6 * 160  # map + 3 images; 5 methods + random
    table = page.locator("#attr-deletion-table")
    table.get_by_text("random (reference)").wait_for()
    for method in ("Saliency", "Integrated Gradients", "Grad-CAM", "Guided Grad-CAM", "Occlusion"):
        assert table.get_by_text(method, exact=True).count() == 1
    plot = page.locator("#attr-deletion-plot img")
    plot.wait_for()
    plot.scroll_into_view_if_needed()
    save(page, tmp_path, "deletion")
    save(page, tmp_path, "deletion-plot", page.locator("#attr-deletion-plot"))


def test_sanity_check_in_the_browser(page, tmp_path, loaded_image):
    small_settings(page)
    open_subtab(page, "Sanity check")
    page.locator("#attr-sanity-run").click()

    image = loaded_image(page, "attr-sanity", min_width=1000)
    width, height = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    # trained + 9 stages; one row per method and one for guided backprop alone
    assert width > 10 * 128 and height >= 6 * 128
    text = page.locator("#attr-sanity-text")
    text.get_by_text("+ stem", exact=True).wait_for()
    for title in ("Guided Grad-CAM", "Guided backprop", "Occlusion"):
        assert text.get_by_text(title, exact=True).count() == 1
    page.locator("#attr-sanity-plot img").wait_for()
    save(page, tmp_path, "sanity")
    save(page, tmp_path, "sanity-plot", page.locator("#attr-sanity-plot"))
