"""What a browser may fetch from the lab: our outputs, yes; source files, system files and
uploads (another student's or one's own), no."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHELSEA = ROOT / "lab" / "assets" / "images" / "chelsea.png"


def _get(base: str, path: str) -> int:
    try:
        with urllib.request.urlopen(base.rstrip("/") + path, timeout=15) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _upload(base: str, file: Path) -> str:
    with file.open("rb") as handle:
        answer = httpx.post(base.rstrip("/") + "/gradio_api/upload",
                            files={"files": (file.name, handle, "image/png")}, timeout=30)
    answer.raise_for_status()
    return answer.json()[0]


@pytest.mark.parametrize("path", [
    "/etc/passwd",
    str(ROOT / "core" / "cache.py"),
    "core/cache.py",
    "../../../../etc/passwd",
    str(ROOT / "README.md"),
])
def test_files_outside_the_allowed_paths_are_refused(lab_url, path):
    assert _get(lab_url, f"/gradio_api/file={path}") == 403


def test_an_upload_is_not_served_back(lab_url, client):
    uploaded = _upload(lab_url, CHELSEA)  # "another session": a plain HTTP client
    assert Path(uploaded).is_file()
    assert _get(lab_url, f"/gradio_api/file={uploaded}") == 403


def test_our_outputs_are_served(lab_url, client):
    _, grid, _, _, _ = client.predict("coffee.png", None, "efficientnet_lite0", "blocks.1", "8",
                                      "channel index", "shared", api_name="/activations")
    assert _get(lab_url, f"/gradio_api/file={grid}") == 200


def test_an_oversized_upload_is_refused_with_a_sentence(lab_url, tmp_path):
    big = tmp_path / "big.png"
    big.write_bytes(CHELSEA.read_bytes() + b"\0" * (30 * 2**20))
    with big.open("rb") as handle:
        answer = httpx.post(lab_url.rstrip("/") + "/gradio_api/upload",
                            files={"files": (big.name, handle, "image/png")}, timeout=60)
    assert answer.status_code == 413
    assert "maximum allowed size" in answer.text


def test_embed_path_redirects_to_the_tab_alone(lab_url):
    answer = httpx.get(lab_url.rstrip("/") + "/embed/pdp?lang=de", follow_redirects=False)
    assert answer.status_code in (302, 307)
    assert answer.headers["location"].endswith("/?lang=de&embed=pdp")


def test_pages_carry_the_language_scripts(lab_url):
    from lab.language import BUSY

    plain = httpx.get(lab_url).text
    german = httpx.get(lab_url + "?lang=de").text
    assert BUSY.text("busy", "de") in plain and "navigator,'language'" not in plain
    assert "navigator,'language',{get:()=>'de'}" in german


def test_static_files_are_kept_by_the_browser_and_pages_are_not(lab_url):
    import re

    import httpx

    page = httpx.get(lab_url, timeout=30)
    assert "immutable" not in page.headers.get("cache-control", "")
    asset = re.search(r'/assets/[\w.-]+\.(?:js|css)', page.text)
    assert asset, "the page names no hashed asset"
    answer = httpx.get(lab_url.rstrip("/") + asset.group(0), timeout=30)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    missing = httpx.get(lab_url.rstrip("/") + "/assets/no-such-file.js", timeout=30)
    assert "immutable" not in missing.headers.get("cache-control", "")
