"""In a real browser: the SHAP sub-tab of Partial dependence explains the random forest: the
beeswarm, LSTAT's SHAP dependence beside its PDP, one house's waterfall, each picture with its
text alternative (screenshots also copied to /tmp/screens for a human)."""

from __future__ import annotations

import shutil
from pathlib import Path

SCREENS = Path("/tmp/screens")
PICTURES = ("pdp-shap-summary", "pdp-shap-dependence", "pdp-shap-house")


def test_shap_beside_the_pdp_in_the_browser(page, tmp_path, loaded_image):
    page.get_by_role("tab", name="Partial dependence").click()
    page.get_by_role("tab", name="SHAP: each house").click()
    # the background sample is stated before anything runs
    page.get_by_text("background sample of 50 training rows drawn at random").wait_for()
    assert page.locator("#pdp-shap-feature input").input_value().startswith("LSTAT")
    page.locator("#pdp-shap-run").click()

    images = [loaded_image(page, elem_id, min_width=1000) for elem_id in PICTURES]
    page.get_by_text("Exact SHAP values").wait_for()
    # the page script gives every picture its sentence from the result as alt text
    page.wait_for_function(
        "() => document.querySelector('#pdp-shap-summary img').alt.includes('SHAP')")
    alts = [image.get_attribute("alt") for image in images]
    assert alts[0].startswith("Mean |SHAP value| per feature, largest first: LSTAT")
    assert "PDP of LSTAT" in alts[1] and "SHAP values of LSTAT" in alts[1]
    assert alts[2].startswith("Tract #") and "the largest steps:" in alts[2]
    dependence = images[1].evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert dependence[0] > 2 * dependence[1]  # PDP and SHAP dependence side by side

    for elem_id, image in zip(PICTURES, images):
        image.scroll_into_view_if_needed()
        image.screenshot(path=str(tmp_path / f"{elem_id}.png"))
    images[0].scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "pdp-shap.png"), full_page=True)
    SCREENS.mkdir(parents=True, exist_ok=True)
    for shot in tmp_path.glob("pdp-shap*.png"):
        shutil.copy(shot, SCREENS / shot.name)
