"""The Activations endpoints, called through gradio_client against the real (offline) lab."""

from __future__ import annotations

import pytest
from gradio_client import handle_file

from tabs.common.render.colour_bar import BAR_WIDTH


def test_model_endpoint_falls_back_to_the_offline_model(client):
    model, block, layer = client.predict("resnet50", api_name="/activations_model")
    assert model["value"] == "efficientnet_lite0"
    assert block["value"] == "blocks.1" and layer["value"] == "blocks.1"
    assert ["blocks.6", "blocks.6"] in block["choices"]


def test_activations_endpoint_predicts_and_draws(client):
    predictions, grid, text, channel, _ = client.predict(
        "coffee.png", None, "efficientnet_lite0", "blocks.1", "8", "mean activation", "shared",
        api_name="/activations",
    )
    assert predictions["label"] == "espresso (#967)"
    assert "24 feature maps of 56×56" in text
    assert grid.endswith(".png")
    from PIL import Image

    width, height = Image.open(grid).size
    assert width > 100 and height > 100


def test_selected_channel_overlay(client):
    image, caption, _ = client.predict("puppies.jpg", None, "efficientnet_lite0", "blocks.2", 3,
                                       0.5, api_name="/activations_channel")
    assert "Channel 3 of blocks.2" in caption
    from PIL import Image

    assert Image.open(image).size == (224 + BAR_WIDTH, 224)  # the overlay and its colour bar


def test_upload_of_a_non_image_gives_a_sentence(client, tmp_path):
    bogus = tmp_path / "notes.png"
    bogus.write_text("not a picture")
    with pytest.raises(Exception, match="not an image Pillow can read"):
        client.predict("coffee.png", handle_file(str(bogus)), "efficientnet_lite0", "blocks.1",
                       "8", "channel index", "shared", api_name="/activations")


def test_unknown_layer_is_reported(client):
    with pytest.raises(Exception, match="has no layer 'no.such.layer'"):
        client.predict("coffee.png", None, "efficientnet_lite0", "no.such.layer", "8",
                       "channel index", "shared", api_name="/activations")


def test_out_of_range_channel_is_reported(client):
    with pytest.raises(Exception, match="Channel must be a whole number from 0 to 23"):
        client.predict("coffee.png", None, "efficientnet_lite0", "blocks.1", 9999, 0.5,
                       api_name="/activations_channel")


def test_the_server_keeps_serving_after_errors(client):
    predictions, *_ = client.predict("chelsea.png", None, "efficientnet_lite0", "blocks.6", "16",
                                     "channel index", "per map", api_name="/activations")
    assert "cat" in predictions["label"]


def test_concurrent_students_get_sequential_results_and_no_hooks_leak(lab_server):
    from concurrent.futures import ThreadPoolExecutor

    from gradio_client import Client
    from PIL import Image

    from core.models.hooks import count_hooks

    url, models = lab_server
    jobs = [(image, layer) for image in ("coffee.png", "puppies.jpg", "chelsea.png", "both.png")
            for layer in ("blocks.2", "blocks.5.0")]

    def ask(job):
        client = Client(url, verbose=False)  # one client per student
        predictions, grid, _text, _channel, _ = client.predict(
            job[0], None, "efficientnet_lite0", job[1], "16", "channel index", "per map",
            api_name="/activations")
        return predictions["label"], Image.open(grid).tobytes()

    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(ask, jobs))
    sequential = [ask(job) for job in jobs]
    assert parallel == sequential
    assert count_hooks(models.get("efficientnet_lite0").network) == 0
