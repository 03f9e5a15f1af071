"""WCAG 2.1 A/AA audit with axe-core in the browser: every tab and every sub-view, with its
results shown, in English and German. Fails on any critical or serious violation.

axe-core's script comes from the ``axe-playwright-python`` package (it bundles ``axe.min.js``),
so CI needs no npm; it is injected into the page as it stands.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.clip_tiny import tiny_clip_lab

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PATIENCE_S = 45
CANCEL = re.compile("^(Cancel|Abbrechen)$")
LINK_EXTRAS = {"ascent": "&filters=0-3"}  # four filters show every part of the view, sooner
BUSY = ("() => !document.querySelector('.pending, .generating, .progress-text, .eta-bar')")


@pytest.fixture(scope="module")
def axe_script() -> str:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()


@pytest.fixture(scope="module")
def clip_lab_url():
    """The offline lab has no CLIP weights: CLIP's results come from a tiny CLIP."""
    with tiny_clip_lab() as (url, _models):
        yield url


def _settle(page) -> None:
    page.wait_for_timeout(500)
    page.wait_for_function(BUSY, timeout=300_000)
    page.wait_for_timeout(300)


COUNT_EVENTS = """(() => {
  // Counts the events the page has sent to the queue and those the server said are complete
  // (the "process_completed" messages of Gradio's result stream, read from a copy of it).
  window.xaiEvents = {joined: 0, completed: 0};
  const fetched = window.fetch.bind(window);
  window.fetch = async (...args) => {
    const url = String(args[0]?.url ?? args[0]);
    if (url.includes("/queue/join")) window.xaiEvents.joined += 1;
    const response = await fetched(...args);
    if (url.includes("/queue/data") && response.body) {
      const reader = response.clone().body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      (async () => {
        for (;;) {
          const {done, value} = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, {stream: true});
          const messages = buffer.split("\\n\\n");
          buffer = messages.pop();
          window.xaiEvents.completed +=
            messages.filter(m => m.includes('"process_completed"')).length;
        }
      })();
    }
    return response;
  };
})()"""
IDLE = "() => window.xaiEvents.completed >= window.xaiEvents.joined"


def _run(page, panel, button) -> None:
    """Clicks ``button`` and waits until every event the page has sent is complete (a view
    that streams shows partial results without Gradio's busy markers, so the page's markers
    alone do not say it). A run still going after ``PATIENCE_S`` (the sanity check, say) is
    audited with its partial results and cancelled, so that it does not hold up the next
    audits."""
    joined = page.evaluate("() => window.xaiEvents.joined")
    button.click()
    with contextlib.suppress(PlaywrightTimeout):  # else the button runs in the browser only
        page.wait_for_function(f"() => window.xaiEvents.joined > {joined}", timeout=5_000)
    try:
        page.wait_for_function(IDLE, timeout=PATIENCE_S * 1000)
    except PlaywrightTimeout:
        for cancel in panel.get_by_role("button", name=CANCEL).all():
            if cancel.is_visible():
                cancel.click()
    _settle(page)


def _serious(page, axe_script: str) -> list[str]:
    page.evaluate(axe_script)
    result = page.evaluate("tags => axe.run(document, {runOnly: tags})", WCAG_21_AA)
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])}×: {v['nodes'][0]['target']})"
            for v in result["violations"] if v["impact"] in ("critical", "serious")]


def _audit_tab(browser, url: str, slug: str, lang: str, axe_script: str, shots: Path) -> dict:
    """Opens the tab, then each of its sub-views, runs what the sub-view's main buttons run and
    audits the page with the results shown; returns the violations per sub-view."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(COUNT_EVENTS)
    page = context.new_page()
    page.set_default_timeout(300_000)
    found: dict[str, list[str]] = {}
    try:
        page.goto(f"{url}?tab={slug}&lang={lang}{LINK_EXTRAS.get(slug, '')}")
        page.locator(f"#try-{slug}").wait_for()
        _settle(page)
        panel = page.locator(f"#tab-{slug}")
        sub_views = panel.locator("button[role=tab]")
        names = [sub_views.nth(i).inner_text() for i in range(sub_views.count())] or [""]
        for index, name in enumerate(names):
            if name:
                sub_views.nth(index).click()
            for button in panel.locator("button.primary:visible").all():
                _run(page, panel, button)
            found[name or slug] = _serious(page, axe_script)
            page.screenshot(path=str(shots / f"{lang}-{slug}-{index}.png"))
        return found
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("slug", ["ascent", "activations", "attribution", "counterfactual",
                                  "clip", "pdp"])
def test_no_serious_wcag_violation_with_results_shown(browser, request, slug, lang, axe_script,
                                                      tmp_path):
    url = request.getfixturevalue("clip_lab_url" if slug == "clip" else "lab_url")
    found = _audit_tab(browser, url, slug, lang, axe_script, tmp_path)
    assert len(found) >= 1
    assert {view: v for view, v in found.items() if v} == {}
