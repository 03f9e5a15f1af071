"""A view that keeps its outputs answers a repeated request without computing or rendering
anything, and its pictures reach the page as PNG files."""

from __future__ import annotations

from PIL import Image

from core.cache import clear_all
from tabs.activations.views import ChannelSettings
from tabs.common import outputs


def test_a_repeated_view_renders_nothing(client, monkeypatch):
    rendered: list[int] = []
    real = outputs.png_bytes

    def counted(picture):
        rendered.append(1)
        return real(picture)

    monkeypatch.setattr(outputs, "png_bytes", counted)  # the lab serves from this process
    clear_all()
    args = ("coffee.png", None, "efficientnet_lite0", "blocks.4", 7, 0.5)
    first, caption, _ = client.predict(*args, api_name="/activations_channel")
    assert rendered == [1] and Image.open(first).format == "PNG"
    again, same, _ = client.predict(*args, api_name="/activations_channel")
    assert rendered == [1]  # served as it was kept: not computed, not encoded again
    assert Image.open(again).tobytes() == Image.open(first).tobytes() and same == caption


def test_a_removed_file_of_a_kept_view_is_written_again(client):
    from pathlib import Path

    clear_all()
    args = ("puppies.jpg", None, "efficientnet_lite0", "blocks.2", 3, 0.4)
    first, _, _ = client.predict(*args, api_name="/activations_channel")
    view = ("activations_channel", "en", outputs.frozen(ChannelSettings(*args)))
    (key,) = [k for k in outputs.KEPT.keys_by_use() if k[:3] == view]  # kept for the page's outputs
    kept = outputs.KEPT.get(key)
    assert kept is not None and kept.files
    for path, _ in kept.files:  # Gradio's clean-up removed them in the meantime
        Path(path).unlink()
    again, _, _ = client.predict(*args, api_name="/activations_channel")
    assert Image.open(again).tobytes() == Image.open(first).tobytes()
