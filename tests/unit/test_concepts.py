"""Concepts through zennit-crp (core.attribution.concepts) on a tiny bias-free network: the
conditional heatmaps add up as zennit-crp documents, reference patches, hooks removed."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from crp.attribution import CondAttribution
from torch import nn

from core import attribution as A
from core.attribution.concepts import _no_stray_hooks
from core.cache import clear_all
from core.checks import InputError
from core.models import ModelManager
from core.models.hooks import count_hooks
from tests.conftest import tiny_spec


class BiasFree(nn.Module):
    """ResNet-like names (conv1, layer1, layer2, fc) without biases: no relevance is lost."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.relu = nn.ReLU()
        self.layer1 = nn.Sequential(nn.Conv2d(8, 12, 3, padding=1, bias=False), nn.ReLU(),
                                    nn.MaxPool2d(2))
        self.layer2 = nn.Sequential(nn.Conv2d(12, 16, 3, padding=1, bias=False), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10, bias=False)

    def forward(self, x):
        x = self.layer2(self.layer1(self.relu(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


@pytest.fixture
def model():
    return ModelManager(device="cpu", specs={"bf": tiny_spec("bf", BiasFree)},
                        fallback="bf").get("bf")


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_all()
    yield
    clear_all()


def _images(count: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    return {f"image{i}.png": rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)
            for i in range(count)}


def test_conditional_heatmaps_add_up_as_zennit_crp_documents(model):
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    every = A.concepts(model, image, target=4, layer="layer1", references=_images(2), count=12)
    assert every.channels == 12 and len(every.concepts) == 12
    relevances = [c.relevance for c in every.concepts]
    assert relevances == sorted(relevances, reverse=True)
    for concept in every.concepts:  # each heatmap adds up to its channel's relevance
        assert float(concept.heatmap.sum()) == pytest.approx(concept.relevance, abs=1e-4)
    # all channels' heatmaps add up to the full heatmap, which holds the whole logit
    total = np.sum([c.heatmap for c in every.concepts], axis=0)
    np.testing.assert_allclose(total, every.heatmap, atol=1e-4)
    assert every.layer_relevance == pytest.approx(every.logit, rel=1e-3)
    assert float(every.heatmap.sum()) == pytest.approx(every.logit, rel=1e-3)
    top = A.concepts(model, image, target=4, layer="layer1", references=_images(2), count=3)
    assert [c.channel for c in top.concepts] == [c.channel for c in every.concepts[:3]]
    assert sum(abs(c.share) for c in every.concepts) == pytest.approx(1.0)
    assert count_hooks(model.network) == 0


def test_reference_patches_come_from_where_a_channel_responds_most(model):
    image = np.zeros((32, 32, 3), dtype=np.uint8)
    references = _images(4)
    report = A.concepts(model, image, target=0, layer="layer2", references=references, count=2)
    for concept in report.concepts:
        assert concept.patches.shape == (3, 6, 6, 3)  # three cells of the 16 × 16 grid, 2 px each
        assert len(set(concept.sources)) == 3 and set(concept.sources) <= set(references)
        assert list(concept.activations) == sorted(concept.activations, reverse=True)
        with torch.no_grad():
            best = concept.sources[0]
            from core.attribution.methods import model_pixels, normalised
            pixels = normalised(model, model_pixels(model, references[best]))
            response = model.network.layer2(model.network.layer1(
                model.network.relu(model.network.conv1(pixels))))[0, concept.channel]
        assert float(response.max()) == pytest.approx(float(concept.activations[0]), rel=1e-5)


def test_hooks_are_removed_after_an_error_inside_zennit_crp(model, monkeypatch):
    image = np.zeros((32, 32, 3), dtype=np.uint8)

    def broken(self, data, on_device=None):
        raise RuntimeError("heatmap failed")

    monkeypatch.setattr(CondAttribution, "heatmap_modifier", broken)
    with pytest.raises(RuntimeError, match="heatmap failed"):
        A.concepts(model, image, target=0, layer="layer1", references={}, count=2)
    assert count_hooks(model.network) == 0


def test_stray_hooks_are_removed_but_older_ones_kept():
    network = BiasFree()
    kept = network.layer1.register_forward_hook(lambda *_: None)
    with pytest.raises(ValueError), _no_stray_hooks(network):
        network.layer2.register_forward_hook(lambda *_: None)
        raise ValueError
    assert count_hooks(network) == 1
    kept.remove()


def test_bad_layers_and_counts_are_refused(model):
    image = np.zeros((32, 32, 3), dtype=np.uint8)
    with pytest.raises(InputError, match="no layer"):
        A.concepts(model, image, target=0, layer="nope", references={})
    with pytest.raises(InputError, match="feature maps"):
        A.concepts(model, image, target=0, layer="fc", references={})
    with pytest.raises(InputError):
        A.concepts(model, image, target=0, layer="layer1", references={}, count=99)
    assert count_hooks(model.network) == 0
