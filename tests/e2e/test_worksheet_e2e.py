"""In a real browser: a shipped worksheet beside the tabs. Open a step's view, answer wrongly
then rightly, reload (the answers stay in this browser), download the answers file; a second
browser keeps its own answers. Screenshots also go to /tmp/screens for a human."""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.e2e.conftest import wait_for_image

SCREENS = Path("/tmp/screens")
WRONG = "Between 4 and 5 rooms."
RIGHT = "Above about 6.5 rooms, where it climbs steeply."


def _shot(page, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path))
    SCREENS.mkdir(exist_ok=True)
    shutil.copy(path, SCREENS / path.name)


def _open_worksheet(browser, url: str, *, width: int = 1400):
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{url}?worksheet=pdp-en")
    page.locator("#ws-header").get_by_text("Partial dependence on house prices").wait_for()
    return context, page


def _check(page, option: str, verdict: str) -> str:
    """Choose ``option``, check it, and wait for feedback that starts with ``verdict``."""
    page.locator("#ws-single").get_by_label(option).check()
    page.locator("#ws-check").click()
    page.wait_for_function("(verdict) => document.querySelector('#ws-feedback')"
                           "?.innerText.trim().startsWith(verdict)", arg=verdict)
    return page.locator("#ws-feedback").inner_text()


def test_worksheet_step_answers_reload_and_download(browser, lab_url, tmp_path):
    context, page = _open_worksheet(browser, lab_url)
    try:
        page.locator("#ws-next").click()
        page.locator("#ws-body").get_by_role("heading", name="2. Rooms per dwelling: RM").wait_for()
        page.locator("#ws-open").click()  # the step's link: the page opens that view
        page.wait_for_url("**feature=RM**")
        query = parse_qs(urlsplit(page.url).query)
        assert query == {"tab": ["pdp"], "feature": ["RM"], "model": ["random_forest"],
                         "worksheet": ["pdp-en"]}
        page.locator("#ws-body").get_by_role("heading", name="2. Rooms per dwelling: RM").wait_for()
        # the view matches the link: the PDP tab, RM chosen, its plot drawn for RM
        assert page.get_by_role("tab", name="Partial dependence").get_attribute(
            "aria-selected") == "true"
        page.wait_for_function("() => document.querySelector('#pdp-1d-feature input')"
                               "?.value.startsWith('RM')")
        wait_for_image(page, "pdp-1d", min_width=100)
        # its sentence: "PDP (…) from … at RM = … to … at RM = …"
        page.wait_for_function("() => document.querySelector('#tab-pdp').innerText"
                               ".includes(' at RM = ')")

        wrong = _check(page, WRONG, "✗ Not quite.")
        assert f"Expected: {RIGHT}" in wrong
        assert "Below about 6.5 rooms the forest predicts" in wrong  # the explanation
        _shot(page, tmp_path, "worksheet-wrong")
        right = _check(page, RIGHT, "✓ Right.")
        assert "Below about 6.5 rooms" in right
        assert "1 of 5 questions answered, 1 right." in page.locator("#ws-header").inner_text()

        page.reload()  # the answers are in this browser, nothing on the server
        page.locator("#ws-body").get_by_role("heading", name="2. Rooms per dwelling: RM").wait_for()
        page.locator("#ws-header").get_by_text("1 of 5 questions answered, 1 right.").wait_for()
        assert page.locator("#ws-single").get_by_label(RIGHT).is_checked()
        assert page.locator("#ws-feedback").inner_text().startswith("✓ Right.")
        _shot(page, tmp_path, "worksheet-reloaded")

        page.locator("#ws-download").click()
        links = page.locator("#ws-files a")
        links.nth(1).wait_for()
        files = {Path(urlsplit(a.get_attribute("href")).path).suffix:
                 page.request.get(a.get_attribute("href")).text()
                 for a in links.all()}
        markdown, html = files[".md"], files[".html"]
        assert markdown.startswith("# Answers: Partial dependence on house prices")
        assert "1 of 5 questions answered, 1 right." in markdown
        step = markdown.split("## 2. Rooms per dwelling: RM", 1)[1].split("\n## ", 1)[0]
        assert "**Question:** Where does the PDP for RM change most?" in step
        assert f"> {RIGHT}" in step and "**Status:** checked: right" in step
        assert "?tab=pdp&feature=RM&model=random_forest&worksheet=pdp-en>" in step
        assert "](data:image/jpeg;base64," in step  # the plot the student saw
        assert "## 1. The default view: LSTAT" in markdown and "not answered" in markdown
        assert '<img src="data:image/jpeg;base64,' in html and "<h2>2. Rooms per dwelling" in html
        _shot(page, tmp_path, "worksheet-download")
        page.set_content(html)  # the file as a student's browser shows it
        page.locator("img").first.wait_for()
        assert page.locator("img").first.evaluate("img => img.naturalWidth") > 100
        page.screenshot(path=str(tmp_path / "worksheet-answers-file.png"), full_page=True)
        shutil.copy(tmp_path / "worksheet-answers-file.png", SCREENS)
    finally:
        context.close()


def test_two_browsers_keep_their_own_answers(browser, lab_url, tmp_path):
    first, one = _open_worksheet(browser, lab_url)
    second, two = _open_worksheet(browser, lab_url, width=390)
    try:
        for page, option, verdict in ((one, RIGHT, "✓"), (two, WRONG, "✗")):
            page.locator("#ws-next").click()
            page.locator("#ws-body").get_by_role("heading", name="2. Rooms per dwelling: RM") \
                .wait_for()
            _check(page, option, verdict)
        one.reload()
        two.reload()
        one.locator("#ws-header").get_by_text("1 of 5 questions answered, 1 right.").wait_for()
        two.locator("#ws-header").get_by_text("1 of 5 questions answered, 0 right.").wait_for()
        assert one.locator("#ws-single").get_by_label(RIGHT).is_checked()
        assert two.locator("#ws-single").get_by_label(WRONG).is_checked()
        _shot(two, tmp_path, "worksheet-phone")
    finally:
        first.close()
        second.close()


def test_embedded_german_worksheet_by_keyboard(browser, lab_url, tmp_path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        page.goto(f"{lab_url}embed/pdp?lang=de")  # an embedded tab alone: no panel, no toggle
        page.locator("#try-pdp").wait_for()
        page.wait_for_function("() => document.body.classList.contains('xai-embed')")
        assert not page.locator("#worksheet").is_visible()
        page.goto(f"{lab_url}embed/pdp?worksheet=pdp-de&lang=de")
        header = page.locator("#ws-header")
        header.get_by_text("Partielle Abhängigkeit bei Hauspreisen").wait_for()
        header.get_by_text("0 von 5 Fragen beantwortet, 0 richtig.").wait_for()
        opener = page.get_by_role("button", name="Diesen Schritt öffnen")
        opener.focus()  # a plain button: Tab reaches it, Enter presses it
        assert page.evaluate("() => document.activeElement.id") == "ws-open"
        _shot(page, tmp_path, "worksheet-embed-de")
        page.keyboard.press("Enter")
        page.wait_for_url("**feature=LSTAT**")
        query = parse_qs(urlsplit(page.url).query)
        assert query["embed"] == ["pdp"] and query["lang"] == ["de"]
        assert query["worksheet"] == ["pdp-de"] and query["tab"] == ["pdp"]
        header.get_by_text("Partielle Abhängigkeit bei Hauspreisen").wait_for()
        page.get_by_role("button", name="Antwort prüfen").wait_for()
    finally:
        context.close()
