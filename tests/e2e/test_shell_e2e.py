"""The shell in a real browser: deep links to a tab, a tab alone for embedding, and two
students in two languages at the same time."""

from __future__ import annotations

import pytest


def _open(browser, url: str, *, locale: str = "en-US"):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return context, page


def test_tab_in_the_address_opens_that_tab(browser, lab_url):
    context, page = _open(browser, f"{lab_url}?tab=pdp")
    try:
        page.locator("#try-pdp").get_by_text("Try this").wait_for()
        pdp_tab = page.get_by_role("tab", name="Partial dependence")
        assert pdp_tab.get_attribute("aria-selected") == "true"
        assert not page.locator("#try-ascent").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("slug", ["ascent", "activations", "attribution", "counterfactual", "clip",
                                  "pdp"])
def test_embed_path_serves_that_tab_alone(browser, lab_url, slug, tmp_path):
    context, page = _open(browser, f"{lab_url}embed/{slug}")
    try:
        page.locator(f"#try-{slug}").wait_for()
        assert "embed=" + slug in page.url
        page.wait_for_function("() => getComputedStyle(document.querySelector("
                               "'#lab-tabs > .tab-wrapper')).display === 'none'")
        assert not page.locator("#model-status").is_visible()  # no header, no status line
        visible_tries = [e.get_attribute("id") for e in page.locator("[id^='try-']").all()
                     if e.is_visible()]
        assert visible_tries == [f"try-{slug}"]
        page.screenshot(path=str(tmp_path / f"embed-{slug}.png"))
    finally:
        context.close()


def test_two_students_in_two_languages_at_the_same_time(browser, lab_url, tmp_path):
    german, page_de = _open(browser, f"{lab_url}?lang=de&tab=counterfactual")
    english, page_en = _open(browser, f"{lab_url}?tab=counterfactual", locale="en-US")
    browser_german, page_browser_de = _open(browser, lab_url, locale="de-DE")
    try:
        page_de.locator("#try-counterfactual").get_by_text("Probier es aus").wait_for()
        page_en.locator("#try-counterfactual").get_by_text("Try this").wait_for()
        page_browser_de.get_by_text("ein Blick in neuronale Netze").wait_for()
        assert page_de.get_by_role("tab", name="Kontrafaktisch").is_visible()
        assert page_en.get_by_role("tab", name="Counterfactual").is_visible()
        assert "Probier es aus" not in page_en.locator("#try-counterfactual").inner_text()
        assert "Try this" not in page_de.locator("#try-counterfactual").inner_text()
        page_de.screenshot(path=str(tmp_path / "german.png"))
        page_en.screenshot(path=str(tmp_path / "english.png"))
    finally:
        for context in (german, english, browser_german):
            context.close()


def test_gradio_busy_sentence_appears_in_the_page_language(browser, lab_url):
    from lab.language import BUSY, GRADIO_BUSY

    context, page = _open(browser, f"{lab_url}?lang=de")
    try:
        page.get_by_text("ein Blick in neuronale Netze").wait_for()
        # what Gradio's client puts on the page when the queue is full
        page.evaluate("text => { const d = document.createElement('div'); d.id = 'busy-probe';"
                      " d.textContent = text; document.body.appendChild(d); }", GRADIO_BUSY)
        page.wait_for_function("() => !document.querySelector('#busy-probe')"
                               ".textContent.includes('currently busy')")
        assert page.locator("#busy-probe").inner_text() == BUSY.text("busy", "de")
    finally:
        context.close()


LINKED = {"tab": "attribution", "image": "chelsea.png", "layer": "blocks.5", "target": "285",
          "method": "saliency"}


def _pixels(data: bytes):
    import io

    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def test_a_link_opens_its_view_and_copy_link_writes_the_view(browser, lab_url, client):
    from urllib.parse import parse_qsl, urlencode, urlsplit

    import httpx

    from tabs.attribution.settings import CompareSettings
    from tests.e2e.conftest import wait_for_image

    context, page = _open(browser, f"{lab_url}?{urlencode(LINKED)}")
    try:
        image = wait_for_image(page, "attr-compare", min_width=300)
        page.locator("#attr-compare-text").get_by_text("Computed").wait_for()  # not a part
        assert page.locator("#attr-target input").input_value() == "285"
        assert page.locator("#attr-layer input").input_value().startswith("blocks.5")
        model = page.locator("#tab-attribution").get_by_label("Model").input_value()
        # The first view was computed with the linked values: the same picture as the API's.
        shown = httpx.get(image.get_attribute("src"), timeout=30).content
        d = CompareSettings()  # the page's defaults for what the link does not set
        expected = client.predict("chelsea.png", None, "efficientnet_lite0", 285, "blocks.5",
                                  d.steps, d.baseline, d.opacity, d.cmap, d.window, d.stride,
                                  api_name="/attribution_compare")[0]
        with open(expected, "rb") as file:
            assert _pixels(shown) == _pixels(file.read())

        page.locator("#link-attribution-copy").click()
        box = page.locator("#link-attribution textarea")
        page.wait_for_function("() => document.querySelector('#link-attribution textarea')"
                               ".value.includes('tab=attribution')")
        link = box.input_value()
        assert dict(parse_qsl(urlsplit(link).query)) == {**LINKED, "model": "efficientnet_lite0"}
        assert "EfficientNet" in model
    finally:
        context.close()

    # Another student opens the copied link: the same view.
    context, page = _open(browser, link)
    try:
        wait_for_image(page, "attr-compare", min_width=300)
        assert page.locator("#attr-target input").input_value() == "285"
        assert page.locator("#attr-layer input").input_value().startswith("blocks.5")
    finally:
        context.close()


FIRST_RESULTS = {  # tab → the output its first view fills (CLIP says why it cannot, offline)
    "ascent": "ascent-pair", "activations": "act-grid", "attribution": "attr-compare",
    "counterfactual": "cf-compare", "pdp": "pdp-1d",
}


@pytest.mark.parametrize("slug", [*FIRST_RESULTS, "clip"])
def test_every_tab_opens_with_its_default_result(browser, lab_url, slug, tmp_path):
    from tests.e2e.conftest import wait_for_image

    context, page = _open(browser, f"{lab_url}?tab={slug}")
    try:
        if slug == "clip":
            page.locator("#clip-notice").get_by_text("cannot be used here").wait_for()
        else:
            wait_for_image(page, FIRST_RESULTS[slug], min_width=200)  # nobody clicked anything
        page.screenshot(path=str(tmp_path / f"first-{slug}.png"))
    finally:
        context.close()
