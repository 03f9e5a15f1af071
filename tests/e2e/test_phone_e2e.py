"""The lab on a phone (390 × 844), at 200 % zoom, and inside an iframe: results first, nothing
wider than the screen, every tab reachable, and an embed that tells its page its height."""

from __future__ import annotations

import pytest

SLUGS = ["ascent", "activations", "attribution", "counterfactual", "clip", "pdp"]
PAGE_WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - window.innerWidth"


def _open(browser, url: str, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(url)
    return context, page


def _first_result_shown(page, slug: str) -> None:
    """Waits until the tab's first view has put a picture into its results column."""
    page.wait_for_function(
        "slug => [...document.querySelectorAll(`#tab-${slug} .xai-results img`)]"
        ".some(e => e.complete && e.naturalWidth > 0)", arg=slug)


# Filter ascent and Counterfactual compute on request (their first view is the input and the
# prediction), and the offline lab has no CLIP weights.
@pytest.mark.parametrize("slug", ["activations", "attribution", "pdp"])
def test_a_phone_shows_results_before_the_settings(browser, lab_url, slug, tmp_path):
    context, page = _open(browser, f"{lab_url}?tab={slug}",
                          viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        _first_result_shown(page, slug)
        results = page.locator(f"#tab-{slug} .xai-results").first.bounding_box()
        controls = page.locator(f"#tab-{slug} .xai-controls").first.bounding_box()
        assert results and controls
        assert results["y"] < controls["y"], "settings stand above the results on a phone"
        assert results["x"] >= 0 and results["x"] + results["width"] <= 390 + 1
        assert page.evaluate(PAGE_WIDER_THAN_SCREEN) <= 0, "the page scrolls sideways"
        for name in ["Filter ascent", "Activations", "Attribution", "Counterfactual", "CLIP",
                     "Partial dependence"]:  # all six tabs on the wrapped tab bar, none hidden
            assert page.get_by_role("tab", name=name).is_visible()
        page.screenshot(path=str(tmp_path / f"phone-{slug}.png"), full_page=True)
    finally:
        context.close()


def test_a_tab_without_results_yet_keeps_its_button_in_reach(browser, lab_url, tmp_path):
    # Filter ascent computes on request: its empty frames must not push the button down.
    context, page = _open(browser, f"{lab_url}?tab=ascent",
                          viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page.locator("#try-ascent").wait_for()
        button = page.get_by_role("button", name="Visualize filters")
        results = page.locator("#tab-ascent .xai-results").first.bounding_box()
        assert button.bounding_box()["y"] < results["y"]
        page.screenshot(path=str(tmp_path / "phone-ascent.png"), full_page=True)
    finally:
        context.close()


def test_200_percent_zoom_reflows_without_sideways_scrolling(browser, lab_url, tmp_path):
    # A 1280 px wide window zoomed to 200 % lays the page out in 640 CSS pixels.
    context, page = _open(browser, f"{lab_url}?tab=attribution",
                          viewport={"width": 640, "height": 400}, device_scale_factor=2)
    try:
        _first_result_shown(page, "attribution")
        assert page.evaluate(PAGE_WIDER_THAN_SCREEN) <= 0
        tab = page.get_by_role("tab", name="Partial dependence")
        tab.click()
        _first_result_shown(page, "pdp")
        assert page.evaluate(PAGE_WIDER_THAN_SCREEN) <= 0
        page.screenshot(path=str(tmp_path / "zoom-200.png"), full_page=True)
    finally:
        context.close()


def test_an_embedded_tab_tells_its_page_how_tall_it_is(browser, lab_url, tmp_path):
    host = f"""<!doctype html><html lang="en"><head><title>Course page</title></head><body>
    <iframe id="lab" title="XAI Lab: partial dependence" src="{lab_url}embed/pdp"
            style="width:100%;border:0" height="300"></iframe>
    <script>
      window.heights = [];
      window.addEventListener("message", (event) => {{
        if (event.data && event.data.type === "xai-lab:height") {{
          window.heights.push(event.data.height);
          document.getElementById("lab").height = event.data.height;
        }}
      }});
    </script></body></html>"""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        page.set_content(host)
        frame = page.frame_locator("#lab")
        frame.locator("#try-pdp").wait_for()
        frame.locator("#tab-pdp .xai-results img").first.wait_for()
        page.wait_for_function("() => window.heights.some(h => h > 600)")
        height = page.evaluate("() => window.heights.at(-1)")
        inner = page.frame_locator("#lab").locator("body")
        content_height = inner.evaluate("b => document.documentElement.scrollHeight")
        assert abs(height - content_height) <= 2, (height, content_height)
        page.screenshot(path=str(tmp_path / "embedded.png"), full_page=True)
    finally:
        context.close()
