"""In a real browser: a closed code panel sends nothing when a setting changes; open it, change
a setting, see the code follow, and download the notebook."""

from __future__ import annotations

import json
import time

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")


# CodeMirror only renders the lines in sight; the panel's own download link holds the whole text.
WHOLE = """async () => {
  const link = document.querySelector('#attr-compare-code-code a.download-link');
  return link ? await (await fetch(link.href)).text() : '';
}"""


def code_text(page) -> str:
    return page.evaluate(WHOLE)


def wait_for_code(page, part: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while part not in code_text(page):
        assert time.monotonic() < deadline, f"the code never showed {part!r}"
        page.wait_for_timeout(250)


def test_the_code_panel_follows_the_settings_and_downloads_the_notebook(page, tmp_path):
    page.get_by_role("tab", name="Attribution").click()
    page.get_by_text("Computed (0 s = from cache)").first.wait_for()  # the tab's first view
    page.wait_for_timeout(1000)
    joined: list[str] = []
    page.on("request", lambda r: joined.append(r.url) if "/queue/join" in r.url else None)
    steps = page.get_by_label("IG steps")
    steps.fill("40")
    steps.press("Tab")
    page.wait_for_timeout(1500)
    assert joined == []  # the closed panels heard the change in the browser only

    page.locator("#attr-compare-code").get_by_text("Code: reproduce this view").click()
    wait_for_code(page, "TARGET =")
    assert "IntegratedGradients" in code_text(page)
    assert "LAYER, STEPS, BASELINE = " in code_text(page) and ", 40, 'black'" in code_text(page)
    page.screenshot(path=str(tmp_path / "code_panel.png"), full_page=True)

    steps.fill("48")
    steps.press("Tab")
    wait_for_code(page, ", 48, 'black'")

    page.locator("#attr-compare-code-download").click()
    link = page.locator("#attr-compare-code-file a").first
    link.wait_for()
    with page.expect_download() as download:
        link.click()
    path = tmp_path / "notebook.ipynb"
    download.value.save_as(path)
    notebook = json.loads(path.read_text())
    code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    assert any(", 48, 'black'" in cell for cell in code)
    assert any(cell.startswith("# both.png\nIMAGE_PNG") for cell in code)
    page.locator("#attr-compare-code").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "code_panel_changed.png"), full_page=True)
