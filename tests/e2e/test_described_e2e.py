"""In a real browser: a result picture's text alternative is the sentence its caption shows
under it, computed from the result, in the page's language (the Partial dependence tab opens
with its 1D plot; screenshots copied to /tmp/screens for a human)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SCREENS = Path("/tmp/screens")


@pytest.mark.parametrize("lang, start", [("en", "PDP of LSTAT (Random forest)"),
                                         ("de", "PDP von LSTAT (Random Forest)")])
def test_the_plot_alt_is_its_caption_in_the_page_language(browser, lab_url, loaded_image,
                                                          tmp_path, lang, start):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        page.goto(f"{lab_url}?tab=pdp&lang={lang}")
        image = loaded_image(page, "pdp-1d")
        page.wait_for_function("start => document.querySelector('#pdp-1d img').alt"
                               ".startsWith(start)", arg=start)
        alt = image.get_attribute("alt")
        caption = page.locator('#pdp-1d-words p[data-for="pdp-1d"]')
        assert caption.is_visible() and caption.inner_text() == alt
        assert ("falling" if lang == "en" else "fallend") in alt  # price falls with LSTAT
        # Gradio wraps the picture in a button, which is named by it
        assert image.evaluate("img => img.closest('button').getAttribute('aria-label')") == alt
        caption.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / f"described-{lang}.png"))
        SCREENS.mkdir(exist_ok=True)
        shutil.copy(tmp_path / f"described-{lang}.png", SCREENS / f"described-pdp-{lang}.png")
    finally:
        context.close()
