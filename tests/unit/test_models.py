"""The model manager, layer listing, and the real offline model."""

from __future__ import annotations

import threading

import pytest

from core.activations import compute_activations
from core.images import load_image
from core.models import ModelManager
from core.models.weights import WeightsUnavailableError
from lab import EXAMPLE_IMAGES_DIR


def test_loaded_once_frozen_and_in_eval(manager):
    results = []
    threads = [threading.Thread(target=lambda: results.append(manager.get("tiny")))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(model is results[0] for model in results)
    network = results[0].network
    assert not network.training
    assert not any(p.requires_grad for p in network.parameters())
    assert manager.status("tiny") == "ready"


def test_missing_weights_fall_back_with_a_sentence(manager):
    assert manager.status("seedmodel") == "unavailable offline"
    assert manager.default_model("seedmodel") == "tiny"
    with pytest.raises(WeightsUnavailableError, match="missing.pth"):
        manager.get("seedmodel")
    model, missing = manager.get_or_fallback("seedmodel")
    assert model.name == "tiny"
    assert missing.title == "Seed model" and missing.filename == "missing.pth"
    assert manager.status("seedmodel") == "unavailable offline"


def test_unknown_model_is_a_value_error(manager):
    with pytest.raises(ValueError,
                       match="Unknown model 'resnet9000'. Choose one of: tiny, seedmodel"):
        manager.get("resnet9000")


def test_layers_like_named_modules_with_shapes_and_blocks(manager):
    layers = {info.name: info for info in manager.layers("tiny")}
    assert layers["conv1"].shape == (8, 32, 32) and layers["conv1"].block == "stem & head"
    assert layers["layer1.0"].kind == "Conv2d" and layers["layer1.0"].block == "layer1"
    assert layers["layer2"].shape == (32, 8, 8)
    assert "fc" not in layers and "pool" in layers  # only 4-D outputs
    with pytest.raises(ValueError, match="no layer 'layer9'"):
        manager.layer("tiny", "layer9")


def test_real_registry_offline_status(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    models = ModelManager(device="cpu", offline=True)
    assert models.status("resnet50") == "unavailable offline"
    assert models.status("efficientnet_lite0") == "cached"
    assert models.status("efficientnet_lite2") == "cached"
    assert models.default_model("resnet50") == "efficientnet_lite0"
    with pytest.raises(WeightsUnavailableError, match=r"resnet50-11ad3fa6\.pth.*prefetch"):
        models.get("resnet50")


@pytest.fixture(scope="module")
def bundled():
    return ModelManager(device="cpu", offline=True)


@pytest.mark.parametrize("model", ["efficientnet_lite0", "efficientnet_lite2"])
@pytest.mark.parametrize("image, expected", [
    ("coffee.png", {"espresso"}),
    ("puppies.jpg", {"Labrador retriever"}),
    ("chelsea.png", {"tabby", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat"}),
])
def test_bundled_models_predict_the_bundled_images(bundled, model, image, expected):
    result = compute_activations(bundled.get(model), load_image(EXAMPLE_IMAGES_DIR / image),
                                 layer="blocks.6")
    assert result.predictions[0].label in expected
    assert result.predictions[0].probability > 0.3


def test_status_line_names_the_bundled_models(tmp_path, monkeypatch):
    from lab.status import status_summary

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    models = ModelManager(device="cpu", offline=True)
    english = status_summary(models, "en")
    assert "seed models: weights unavailable offline, replaced by **EfficientNet-Lite0**" in english
    assert "bundled: EfficientNet-Lite0, EfficientNet-Lite2" in english
    assert "mitgeliefert: EfficientNet-Lite0, EfficientNet-Lite2" in status_summary(models, "de")
