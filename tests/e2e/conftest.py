"""A headless Chromium page (Debian's chromium, driven by Playwright) for browser tests."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
MISSING = ("Browser tests need Debian's chromium (apt-get install chromium); "
           f"not found at {CHROMIUM}.")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        # CI installs chromium, so there a missing browser is a failure, not a skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(MISSING)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, lab_url):
    """A fresh page with the lab open and its first tab rendered."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(lab_url)
    page.get_by_text("XAI Lab").first.wait_for()
    try:
        yield page
    finally:
        context.close()


def wait_for_image(page, elem_id: str, *, min_width: int = 0):
    """The ``<img>`` inside ``#elem_id`` once it has loaded a picture wider than ``min_width``."""
    image = page.locator(f"#{elem_id} img")
    image.wait_for()
    page.wait_for_function(
        "([id, width]) => { const img = document.querySelector(`#${id} img`);"
        " return img && img.complete && img.naturalWidth > width; }", arg=[elem_id, min_width])
    return image


@pytest.fixture
def loaded_image():
    """:func:`wait_for_image`, for tests: ``loaded_image(page, "pdp-2d")``."""
    return wait_for_image
