"""core.attribution.sanity: cascading randomization on tiny models, on a private copy only."""

from __future__ import annotations

import copy
import hashlib

import numpy as np
import pytest
import torch
from torch import nn

from core import attribution as A
from core.attribution import sanity
from core.attribution.sanity import randomization_stages, randomize_stage
from core.cache import clear_all
from core.models import ModelManager
from core.models.hooks import count_hooks
from tests.conftest import tiny_spec

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")


class NormNet(nn.Module):
    """A tiny CNN with BatchNorm (so the private copy is folded) and ResNet-like names."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = nn.Sequential(nn.Conv2d(8, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16),
                                    nn.ReLU(), nn.MaxPool2d(2))
        self.layer2 = nn.Sequential(nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16),
                                    nn.ReLU())
        self.fc = nn.Linear(16, 10)
        for norm in (self.bn1, self.layer1[1], self.layer2[1]):  # "trained" statistics
            norm.running_mean.uniform_(-0.5, 0.5)
            norm.running_var.uniform_(0.5, 2.0)
            norm.weight.data.uniform_(0.5, 1.5)
            norm.bias.data.uniform_(-0.2, 0.2)

    def forward(self, x):
        x = self.layer2(self.layer1(torch.relu(self.bn1(self.conv1(x)))))
        return self.fc(x.mean(dim=(2, 3)))


@pytest.fixture
def norm_model():
    return ModelManager(device="cpu", specs={"norm": tiny_spec("norm", NormNet)},
                        fallback="norm").get("norm")


@pytest.fixture
def image():
    return np.random.default_rng(2).integers(0, 256, (32, 32, 3), dtype=np.uint8)


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_all()
    yield
    clear_all()


def checksum(network: nn.Module) -> str:
    digest = hashlib.sha256()
    for name, tensor in network.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().numpy().tobytes())
    return digest.hexdigest()


def test_stages_go_from_the_output_down(tiny_model, norm_model):
    stages = randomization_stages(copy.deepcopy(tiny_model.network), input_size=32)
    assert [s.name for s in stages] == ["head", "layer2", "layer1", "stem"]
    assert stages[0].prefixes == ("fc",)
    stages = randomization_stages(copy.deepcopy(norm_model.network), input_size=32)
    assert [s.name for s in stages] == ["head", "layer2", "layer1", "stem"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fully_random_model_gives_unrelated_maps(tiny_model, image, seed):
    before = checksum(tiny_model.network)
    report = A.cascading_randomization(tiny_model, image, target=2, steps=8, seed=seed,
                                       window=4, stride=2)
    assert report.stages == ("trained", "head", "layer2", "layer1", "stem")
    assert report.rows == (*A.METHODS, "guided_backprop")  # Guided Grad-CAM's guided factor too
    rows = len(A.METHODS) + 1
    assert report.maps.shape == (rows, 5, 32, 32) and report.correlations.shape == (rows, 5)
    assert np.all(report.correlations[:, 0] == 1.0)
    final = dict(zip(report.rows, report.correlations[:, -1]))
    # maps that depend on the model's gradients or outputs alone lose their ranking
    assert abs(final["saliency"]) < 0.3 and abs(final["occlusion"]) < 0.3
    # the paper's finding in miniature: with only the head random, guided backprop is unmoved
    after_head = dict(zip(report.rows, report.correlations[:, 1]))
    assert after_head["guided_backprop"] > after_head["saliency"] + 0.3
    assert not report.maps.flags.writeable
    assert checksum(tiny_model.network) == before
    assert count_hooks(tiny_model.network) == 0


def test_shared_model_is_unchanged_and_no_hook_is_left(norm_model, image, monkeypatch):
    copies = []
    original = sanity.private_folded_copy
    monkeypatch.setattr(sanity, "private_folded_copy",
                        lambda *a, **k: copies.append(original(*a, **k)) or copies[-1])
    before = checksum(norm_model.network)
    report = A.cascading_randomization(norm_model, image, target=1, steps=4, window=8, stride=4)
    assert checksum(norm_model.network) == before
    assert count_hooks(norm_model.network) == 0 and count_hooks(copies[0]) == 0
    assert copies[0] is not norm_model.network
    assert not any(isinstance(m, nn.BatchNorm2d) for m in copies[0].modules())  # folded
    assert checksum(copies[0]) != before
    assert np.all(np.isfinite(report.maps))


def test_no_hook_is_left_after_an_error(norm_model, image, monkeypatch):
    copies = []
    original = sanity.private_folded_copy

    def broken_copy(*args, **kwargs):
        twin = original(*args, **kwargs)
        calls = []

        def forward(x):  # the third forward pass of the copy fails, mid-captum
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("boom")
            return nn.Linear.forward(twin.fc, x)

        twin.fc.forward = forward
        copies.append(twin)
        return twin

    monkeypatch.setattr(sanity, "private_folded_copy", broken_copy)
    before = checksum(norm_model.network)
    with pytest.raises(RuntimeError, match="boom"):
        A.cascading_randomization(norm_model, image, target=1, methods=["guided_gradcam"])
    assert count_hooks(copies[0]) == 0 and count_hooks(norm_model.network) == 0
    assert checksum(norm_model.network) == before


def test_progressive_randomization_equals_starting_from_scratch(norm_model):
    network = norm_model.network
    stages = randomization_stages(copy.deepcopy(network), input_size=32)
    progressive, done = copy.deepcopy(network), set()
    probe = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    for k, stage in enumerate(stages, start=1):
        randomize_stage(progressive, stage, seed=5, step=k, done=done)
        scratch, fresh = copy.deepcopy(network), set()
        for j, earlier in enumerate(stages[:k], start=1):
            randomize_stage(scratch, earlier, seed=5, step=j, done=fresh)
        assert checksum(scratch) == checksum(progressive)
    with torch.no_grad():
        assert not torch.allclose(progressive(probe), network(probe))
    assert done == {name for name, _ in network.named_parameters()}


def test_folded_copy_randomizes_like_the_original(norm_model, image):
    """Re-drawing a folded convolution = re-drawing it and resetting its BatchNorm: the maps of
    the progressive folded copy equal those of an unfolded copy randomized from scratch."""
    report = A.cascading_randomization(norm_model, image, target=1, methods=["saliency"])
    stages = randomization_stages(copy.deepcopy(norm_model.network), input_size=32)
    pixels = A.model_pixels(norm_model, image)
    for k in range(1, len(stages) + 1):
        scratch, done = copy.deepcopy(norm_model.network), set()
        for j, stage in enumerate(stages[:k], start=1):
            randomize_stage(scratch, stage, seed=0, step=j, done=done)
        options = A.methods.check_options(norm_model, method="saliency", target=1)
        expected = A.methods.attribute(norm_model, scratch, pixels, **options).map
        np.testing.assert_allclose(report.maps[0, k], expected, rtol=1e-3, atol=1e-5)


def test_result_is_seeded_and_cached(tiny_model, image):
    options = dict(target=3, methods=["saliency", "gradcam"], layer="layer1")
    first = A.cascading_randomization(tiny_model, image, seed=4, **options)
    assert A.cascading_randomization(tiny_model, image, seed=4, **options) is first
    clear_all()
    again = A.cascading_randomization(tiny_model, image, seed=4, **options)
    np.testing.assert_array_equal(first.maps, again.maps)
    other = A.cascading_randomization(tiny_model, image, seed=5, **options)
    assert not np.array_equal(first.maps[:, 1:], other.maps[:, 1:])
    trained = A.explain(tiny_model, image, method="gradcam", target=3, layer="layer1")
    np.testing.assert_array_equal(first.maps[1, 0], trained.map)


@pytest.mark.parametrize("kwargs, message", [
    (dict(methods=[]), "at least one method"),
    (dict(methods=["occlusion"], window=0), "occlusion window"),
    (dict(methods=["gradcam"], layer="nope"), "no layer 'nope'"),
    (dict(target=-1), "out of range"),
])
def test_bad_input_is_a_sentence(tiny_model, image, kwargs, message):
    with pytest.raises(ValueError, match=message):
        A.cascading_randomization(tiny_model, image, **{"target": 0, **kwargs})
