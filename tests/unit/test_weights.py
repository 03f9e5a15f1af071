"""Weight resolution: cache hit, download, and the typed error when neither works."""

from __future__ import annotations

from urllib.error import URLError

import pytest

from core.models.weights import UrlWeights, WeightsUnavailableError

URL = "https://download.example.org/models/tinynet-0123abcd.pth"


def test_cache_hit_needs_no_download(tmp_path):
    (tmp_path / "tinynet-0123abcd.pth").write_bytes(b"weights")

    def forbidden(url, dst):
        raise AssertionError("a cached file must not be downloaded again")

    path = UrlWeights(URL).resolve(title="TinyNet", offline=False, cache_dir=tmp_path,
                                   download=forbidden)
    assert path == tmp_path / "tinynet-0123abcd.pth"
    assert UrlWeights(URL).status(offline=True, cache_dir=tmp_path) == "cached"


def test_offline_miss_names_file_place_and_remedy(tmp_path):
    with pytest.raises(WeightsUnavailableError) as caught:
        UrlWeights(URL).resolve(title="TinyNet", offline=True, cache_dir=tmp_path)
    message = str(caught.value)
    assert "tinynet-0123abcd.pth" in message
    assert str(tmp_path) in message
    assert "python -m lab prefetch" in message and "EfficientNet-Lite0" in message
    assert UrlWeights(URL).status(offline=True, cache_dir=tmp_path) == "unavailable offline"


def test_download_into_cache(tmp_path):
    def fake_download(url, dst):
        assert url == URL
        with open(dst, "wb") as handle:
            handle.write(b"fresh")

    path = UrlWeights(URL).resolve(title="TinyNet", offline=False, cache_dir=tmp_path / "new",
                                   download=fake_download)
    assert path.read_bytes() == b"fresh"


def test_failed_download_leaves_no_partial_file(tmp_path):
    def broken(url, dst):
        with open(dst, "wb") as handle:
            handle.write(b"half")
        raise URLError("Name or service not known")

    with pytest.raises(WeightsUnavailableError, match="download from download.example.org failed"):
        UrlWeights(URL).resolve(title="TinyNet", offline=False, cache_dir=tmp_path, download=broken)
    assert not (tmp_path / "tinynet-0123abcd.pth").exists()


def test_hugging_face_model_missing_offline_is_the_same_typed_error():
    from core.models.registry import REGISTRY

    clip = REGISTRY["clip-vit-base-patch32"]
    assert clip.source.status(offline=True) == "unavailable offline"
    with pytest.raises(WeightsUnavailableError) as caught:
        clip.source.load(title=clip.title, offline=True)
    message = str(caught.value)
    assert "openai/clip-vit-base-patch32" in message and "prefetch" in message
