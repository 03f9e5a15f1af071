"""In a real browser, by keyboard alone: a result in Attribution reached with Tab, arrows,
Enter and Space and announced by the live region; radio options that move with the arrow
keys; a dropdown that keeps the focus after a choice; a visible focus ring on text and number
fields; and a counterfactual region typed as numbers instead of painted."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")

SCREENS = Path("/tmp/screens")
FOCUSED = ("(() => { const e = document.activeElement; const label = e.labels && e.labels[0];"
           " return [e.tagName, e.getAttribute('aria-label') || (label && label.innerText)"
           " || e.innerText || ''] })()")


def focused(page) -> tuple[str, str]:
    """The focused element's tag and its name (its label, else its text)."""
    tag, name = page.evaluate(FOCUSED)
    return tag, name.strip()


def tab_to(page, name: str, *, most: int = 80, back: bool = False) -> None:
    """Press Tab (Shift+Tab ``back``) until the focused element's name starts with ``name``;
    the focus never falls to ``<body>`` on the way (the next Tab would start at the top)."""
    trail = []
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        tag, label = focused(page)
        trail.append(f"{tag} {label[:30]}")
        assert tag != "BODY", f"the focus fell to <body> on the way to {name!r}: {trail}"
        if label.startswith(name):
            return
    raise AssertionError(f"{name!r} not reached with {most} Tabs")


def ready(page) -> None:
    """Wait until the page is built (a Tab pressed while it loads starts at its footer)."""
    page.wait_for_function("window.xaiLabReady === true")
    page.get_by_text("Loading...").first.wait_for(state="hidden")


def said(page, words: str) -> str:
    """The live region's latest announcement once one containing ``words`` was made (since
    :data:`RECORD` began recording)."""
    page.wait_for_function("([words]) => window.xaiSaid.some(s => s.includes(words))",
                           arg=[words], timeout=180_000)
    return page.evaluate("window.xaiSaid.at(-1)")


RECORD = """() => { window.xaiSaid = []; const region = document.getElementById('xai-announce');
  new MutationObserver(() => { if (region.textContent) window.xaiSaid.push(region.textContent); })
    .observe(region, {childList: true, characterData: true, subtree: true}); }"""


def shoot(page, tmp_path, name: str) -> None:
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENS / name)


def test_a_result_in_attribution_by_keyboard_alone_is_announced(page, tmp_path):
    ready(page)
    region = page.locator("#xai-announce")
    assert region.get_attribute("aria-live") == "polite" and region.get_attribute("role") \
        == "status"
    page.evaluate(RECORD)
    tab_to(page, "Attribution")
    page.keyboard.press("Enter")
    page.get_by_text("Computed (0 s = from cache)").first.wait_for()  # the tab's first view
    tab_to(page, "tiger cat (#282)")  # a prediction is a button: Space makes it the target
    page.keyboard.press("Space")
    page.get_by_text("282 tiger cat").first.wait_for()
    tab_to(page, "Compare all methods")
    page.keyboard.press("Enter")
    announced = said(page, "Saliency")
    # the first sentence of the pictures' words: where the first method's map is strongest
    assert announced.startswith("Result ready: Saliency") and "strongest" in announced
    assert focused(page) == ("BUTTON", "Compare all methods")  # the focus stayed put
    assert page.locator("#attr-compare img").evaluate("img => img.naturalWidth") > 1000
    assert page.get_by_label("Target class index").input_value() == "282"
    shoot(page, tmp_path, "keyboard-attribution.png")


def test_arrow_keys_move_a_radio_choice(page, tmp_path):
    ready(page)
    page.get_by_role("tab", name="Counterfactual").click()
    page.get_by_text("The model sees Egyptian cat").first.wait_for()
    page.get_by_text("What counts as the target").click()  # shows the target's sentence
    page.get_by_text("Target: any dog").first.wait_for()
    radios = page.locator("#cf-kind input[type=radio]")
    assert len(set(radios.evaluate_all("rs => rs.map(r => r.name)"))) == 1  # one group
    page.get_by_role("tab", name="Counterfactual").focus()
    tab_to(page, "Target class index")
    page.keyboard.press("Shift+Tab")  # back into the group: one Tab stop, the chosen option
    assert page.evaluate("document.activeElement.value") == "any dog"
    page.keyboard.press("ArrowDown")
    page.get_by_text("Target: #207").wait_for()  # the view saw the new choice
    assert radios.evaluate_all("rs => rs.map(r => r.checked)") == [False, True, False]
    assert page.evaluate("document.activeElement.value") == "one class"
    page.keyboard.press("ArrowUp")
    page.get_by_text("Target: any dog").first.wait_for()
    assert page.evaluate("document.activeElement.value") == "any dog"
    shoot(page, tmp_path, "keyboard-radio.png")


def test_the_focus_stays_on_a_dropdown_after_choosing(page, tmp_path):
    ready(page)
    tab_to(page, "Attribution")
    page.keyboard.press("Enter")
    page.get_by_text("Computed (0 s = from cache)").first.wait_for()
    tab_to(page, "Grad-CAM layer")  # its open list is no Tab stop: the next Tab goes on
    layers = page.locator(f"#{page.get_by_label('Grad-CAM layer').get_attribute('aria-controls')}")
    layers.wait_for()  # Gradio opens the list on focus
    page.keyboard.press("Tab")
    assert focused(page) == ("INPUT", "IG steps")
    layers.wait_for(state="hidden")  # and it closes behind the focus
    tab_to(page, "Colour map")
    colour_map = page.get_by_label("Colour map")
    before = colour_map.input_value()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("([old]) => document.activeElement.getAttribute('aria-label') ==="
                           " 'Colour map' && document.activeElement.value !== old",
                           arg=[before])
    assert colour_map.get_attribute("aria-expanded") == "false"  # chosen, and closed again
    page.locator(f"#{colour_map.get_attribute('aria-controls')}").wait_for(state="hidden")
    shoot(page, tmp_path, "keyboard-dropdown.png")
    page.keyboard.press("Tab")  # on from the dropdown, not from the top of the page
    assert focused(page)[1] == "Compare methods"


def test_text_and_number_fields_show_a_focus_ring(page, tmp_path):
    ready(page)
    tab_to(page, "Attribution")
    page.keyboard.press("Enter")
    page.get_by_text("Computed (0 s = from cache)").first.wait_for()
    for name in ("Target class index", "Search a class name", "IG steps"):
        field = page.get_by_label(name, exact=True)
        tab_to(page, name)
        ring = field.evaluate("e => { const s = getComputedStyle(e);"
                              " return [s.outlineStyle, parseFloat(s.outlineWidth),"
                              " s.outlineColor, e.matches(':focus-visible')] }")
        assert ring == ["solid", 3.0, "rgb(55, 48, 163)", True], name
        # the ring is not cut off: nothing around the field clips its 3 + 2 px
        clipped = field.evaluate("""e => { const r = e.getBoundingClientRect();
          for (let n = e.parentElement; n; n = n.parentElement) {
            if (getComputedStyle(n).overflow === 'visible') continue;
            const b = n.getBoundingClientRect();
            if (r.left - 5 < b.left || r.right + 5 > b.right || r.top - 5 < b.top
                || r.bottom + 5 > b.bottom) return n.className; }
          return null; }""")
        assert clipped is None, (name, clipped)
    box = page.get_by_label("IG steps", exact=True).bounding_box()
    page.screenshot(path=str(tmp_path / "ring.png"), clip={
        "x": box["x"] - 20, "y": box["y"] - 40, "width": box["width"] + 40, "height": 100})
    SCREENS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "ring.png", SCREENS / "keyboard-focus-ring.png")


def _type_into(page, name: str, value: str, *, back: bool = False) -> None:
    tab_to(page, name, back=back)
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def test_a_region_by_numbers_replaces_painting(page, tmp_path):
    ready(page)
    page.evaluate(RECORD)
    page.get_by_role("tab", name="Counterfactual").click()
    page.get_by_text("The model sees Egyptian cat").first.wait_for()
    tab_to(page, "Region by numbers")  # the accordion's header
    page.keyboard.press("Enter")
    # Gradio draws an accordion's fields when it first opens: Tab waits for them, as the
    # student's eyes would (on a busy machine it takes a moment)
    page.get_by_label("Left edge (%)").wait_for()
    for name, value in (("Left edge (%)", "10"), ("Top edge (%)", "20"), ("Width (%)", "30"),
                        ("Height (%)", "40")):
        _type_into(page, name, value)
    tab_to(page, "Mark this rectangle")
    page.keyboard.press("Enter")
    said_by_page = page.locator("#cf-rect-said")
    said_by_page.get_by_text("12 % of the image").wait_for()
    assert said(page, "Marked").startswith("Result ready: Marked a rectangle of ")
    assert page.get_by_label("Only change the painted region").is_checked()
    _type_into(page, "Maximum steps", "3")
    tab_to(page, "Find the counterfactual")
    page.keyboard.press("Enter")
    status = page.locator("#cf-status")
    # 12 % of the start image, resized to the model's input
    status.get_by_text(re.compile(r"Only the painted region \(1[123] % of the image\) could "
                                  "change.")).wait_for(timeout=180_000)
    shoot(page, tmp_path, "keyboard-region.png")

    # a rectangle that does not fit is refused with a sentence
    _type_into(page, "Left edge (%)", "80", back=True)
    tab_to(page, "Mark this rectangle")
    page.keyboard.press("Enter")
    page.get_by_text("The rectangle reaches past the image's right edge: the left edge (80 %) "
                     "plus the width (30 %) is more than 100 %.").wait_for()


def test_the_region_by_numbers_speaks_german(browser, lab_url, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(lab_url + "?lang=de&tab=counterfactual")
        page.get_by_text("Das Modell sieht").first.wait_for()
        page.evaluate(RECORD)
        page.get_by_text("Region per Zahlen (statt zu malen").click()
        page.get_by_label("Höhe (%)").fill("90")  # 25 % from the top + 90 % is too much
        page.get_by_role("button", name="Dieses Rechteck markieren").click()
        page.get_by_text("Das Rechteck ragt über den unteren Bildrand hinaus: der obere Rand "
                         "(25 %) plus die Höhe (90 %) ist mehr als 100 %.").wait_for()
        page.get_by_label("Höhe (%)").fill("50")
        page.get_by_role("button", name="Dieses Rechteck markieren").click()
        page.locator("#cf-rect-said").get_by_text("25 % des Bildes").wait_for()
        assert said(page, "Rechteck").startswith("Ergebnis da: Rechteck von ")
        shoot(page, tmp_path, "keyboard-region-de.png")
    finally:
        context.close()
