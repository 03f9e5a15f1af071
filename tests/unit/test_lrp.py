"""LRP through Zennit (core.attribution.lrp): conservation, canonizers that leave the network as
they found it, hooks removed after success and error, the rules' fit to EfficientNet-Lite0's
architecture, and concurrent requests."""

from __future__ import annotations

import copy
import threading
from dataclasses import replace

import numpy as np
import pytest
import timm
import torch
from torch import nn
from torchvision.models import resnet18, vgg11_bn
from zennit.canonizers import Canonizer
from zennit.composites import EpsilonPlusFlat

from core import attribution as A
from core.attribution.lrp import (
    COMPOSITES,
    check_lrp,
    check_shared_lrp,
    composite_on,
    lrp_map,
    make_composite,
)
from core.cache import clear_all
from core.checks import InputError
from core.models import LoadedModel, ModelManager
from core.models.hooks import count_hooks
from core.models.registry import _layers
from tests.conftest import tiny_spec


class BiasFree(nn.Module):
    """A small ReLU CNN without biases (conv, max pool, average pool, linear): LRP's rules
    must hand the whole logit down to the pixels."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.ReLU(),
            nn.Conv2d(8, 16, 3, padding=1, bias=False), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10, bias=False)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def _no_biases(network: nn.Module) -> nn.Module:
    """``network`` with every bias and BatchNorm shift 0: merged, every bias stays 0, so no
    rule may lose relevance."""
    with torch.no_grad():
        for module in network.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.zero_()
                module.bias.zero_()
            elif getattr(module, "bias", None) is not None:
                module.bias.zero_()
    return network.eval().requires_grad_(False)


def _bounds(size: int) -> dict[str, torch.Tensor]:
    """The box rule's bounds for inputs normalised with mean = std = 0.5."""
    return {"low": torch.full((1, 3, size, size), -1.0),
            "high": torch.full((1, 3, size, size), 1.0)}


def _input(size: int, seed: int = 0) -> torch.Tensor:
    return torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def _state(network: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in network.state_dict().items()}


def _eps(network: nn.Module) -> list[float]:
    return [m.eps for m in network.modules() if isinstance(m, nn.BatchNorm2d)]


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_all()
    yield
    clear_all()


@pytest.mark.parametrize("composite", COMPOSITES)
def test_relevance_of_a_bias_free_relu_network_adds_up_to_the_logit(composite):
    torch.manual_seed(0)
    network = BiasFree().eval()
    x = _input(16)
    with torch.no_grad():
        logits = network(x)
    target = int(logits.argmax())
    relevance, conservation = lrp_map(network, x, target=target, composite=composite,
                                      **_bounds(16))
    assert conservation.logit == pytest.approx(float(logits[0, target]), rel=1e-5)
    assert conservation.relevance_sum == pytest.approx(conservation.logit, rel=1e-3)
    assert float(relevance.sum()) == pytest.approx(conservation.logit, rel=1e-3)
    assert relevance.shape == (16, 16) and relevance.dtype == np.float32


@pytest.mark.parametrize("build, size", [
    (lambda: timm.create_model("tf_efficientnet_lite0", num_classes=10), 64),
    (lambda: resnet18(num_classes=10), 64),
    (lambda: vgg11_bn(num_classes=10), 32),
])
def test_canonizers_conserve_relevance_through_batchnorm_and_skip_sums(build, size):
    """EfficientNet-Lite0 (ReLU6, depthwise convolutions, TF "same" padding, linear
    bottlenecks with skip sums), ResNet and VGG with BatchNorm: with all biases 0 the merged
    network has none either, so EpsilonPlusFlat must conserve the logit exactly. A skip sum
    left to plain gradients would count its relevance twice; a ReLU6 gradient would drop what
    lies above 6. In float64: these random scales amplify float32 rounding through 16 blocks."""
    torch.manual_seed(0)
    network = _no_biases(build()).double()
    with torch.no_grad():
        for module in network.modules():  # trained-like scales, so some ReLU6 saturate
            if isinstance(module, nn.BatchNorm2d):
                module.weight.uniform_(0.5, 3.0)
                module.running_var.uniform_(0.5, 2.0)
    x = _input(size, seed=1).double()
    with torch.no_grad():
        logits = network(x)
    target = int(logits.argmax())
    bounds = {k: v.double() for k, v in _bounds(size).items()}
    _, conservation = lrp_map(network, x, target=target, composite="epsilon_plus_flat", **bounds)
    assert conservation.logit == pytest.approx(float(logits[0, target]), rel=1e-9)
    assert conservation.relevance_sum == pytest.approx(conservation.logit, rel=1e-4)


def test_the_network_is_left_as_it_was_after_success_and_after_an_error():
    torch.manual_seed(0)
    network = timm.create_model("tf_efficientnet_lite0", num_classes=10).eval()
    before, eps = _state(network), _eps(network)
    skips = [m.has_skip for m in network.modules() if hasattr(m, "has_skip")]
    x = _input(64)
    with torch.no_grad():
        expected = network(x)
    lrp_map(network, x, target=1, composite="epsilon_plus_flat", **_bounds(64))
    with pytest.raises(IndexError):  # the target does not exist: fails with the rules on
        lrp_map(network, x, target=99, composite="epsilon_plus_flat", **_bounds(64))
    assert count_hooks(network) == 0
    assert _eps(network) == eps
    assert [m.has_skip for m in network.modules() if hasattr(m, "has_skip")] == skips
    assert not any(name.endswith("canonizer_sum") for name, _ in network.named_modules())
    after = _state(network)
    assert all(torch.equal(before[k], after[k]) for k in before)
    with torch.no_grad():
        assert torch.equal(network(x), expected)


class _Failing(Canonizer):
    """A canonizer that fails when it is applied (after the ones before it were)."""

    def apply(self, root_module):
        raise RuntimeError("canonizer failed")

    def register(self):
        pass

    def remove(self):
        pass


def test_composite_on_undoes_a_registration_that_failed_half_way():
    torch.manual_seed(0)
    network = resnet18(num_classes=10).eval()
    before = _state(network)
    from zennit.torchvision import ResNetCanonizer

    composite = EpsilonPlusFlat(canonizers=[ResNetCanonizer(), _Failing()])
    with pytest.raises(RuntimeError, match="canonizer failed"), composite_on(network, composite):
        pass
    assert count_hooks(network) == 0
    after = _state(network)
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_rules_that_do_not_fit_an_architecture_are_refused_with_a_reason():
    lite0 = timm.create_model("tf_efficientnet_lite0", num_classes=10)
    check_lrp(lite0, "Lite0", "epsilon_plus_flat")  # offered
    with pytest.raises(InputError, match="linear bottlenecks") as error:
        check_lrp(lite0, "Lite0", "epsilon_gamma_box")
    assert "Engpässe" in error.value.in_language("de")
    with pytest.raises(InputError, match="squeeze-and-excitation"):
        check_lrp(timm.create_model("efficientnet_b0", num_classes=10, act_layer=nn.ReLU), "B0",
                  "epsilon_plus_flat")
    silu = nn.Sequential(nn.Conv2d(3, 4, 3), nn.SiLU(), nn.Flatten())
    with pytest.raises(InputError, match="SiLU"):
        check_lrp(silu, "SiLU net", "epsilon_plus_flat")
    check_lrp(resnet18(), "ResNet-18", "epsilon_gamma_box")


def test_the_check_of_a_shared_model_waits_for_a_running_lrp():
    """While one request's LRP runs, its canonizers add ``canonizer_sum`` modules to the shared
    network; another request's check must wait for the lock instead of refusing those."""
    lite0 = timm.create_model("tf_efficientnet_lite0", num_classes=10).eval()
    model = LoadedModel(spec=tiny_spec("lite0", lambda: lite0), network=lite0,
                        categories=tuple(map(str, range(10))), device=torch.device("cpu"))
    lock = model.lock
    attached, release = threading.Event(), threading.Event()

    def running_lrp():
        composite = make_composite("epsilon_plus_flat", lite0, low=torch.zeros(1, 3, 64, 64),
                                   high=torch.ones(1, 3, 64, 64),
                                   example=torch.zeros(1, 3, 64, 64))
        with lock, composite_on(lite0, composite):
            attached.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=running_lrp)
    holder.start()
    assert attached.wait(timeout=30)
    assert any(name.endswith("canonizer_sum") for name, _ in lite0.named_modules())
    errors: list[Exception] = []
    checker = threading.Thread(target=lambda: _collect(errors, lambda: check_shared_lrp(
        model, "epsilon_plus_flat")))
    checker.start()
    checker.join(timeout=0.3)
    assert checker.is_alive()  # waits while the canonizers are on
    release.set()
    holder.join(timeout=30)
    checker.join(timeout=30)
    assert errors == []
    with pytest.raises(InputError, match="linear bottlenecks"):  # a refusal is remembered too
        check_shared_lrp(model, "epsilon_gamma_box")


def _collect(errors: list[Exception], call) -> None:
    try:
        call()
    except Exception as error:  # the test reports it
        errors.append(error)


def test_gamma_box_really_fails_on_linear_bottlenecks():
    """Why EpsilonGammaBox is refused for EfficientNet: Zennit's γ rule divides by sums of
    signed inputs and the relevance explodes (or vanishes), far from the logit."""
    torch.manual_seed(0)
    network = _no_biases(timm.create_model("tf_efficientnet_lite0", num_classes=10))
    x = _input(64, seed=2)
    composite = make_composite("epsilon_gamma_box", network, example=x, **_bounds(64))
    from core.attribution.lrp import lrp_relevance

    relevance, logit = lrp_relevance(network, x, target=0, composite=composite)
    assert not abs(float(relevance.sum()) - logit) <= 0.05 * abs(logit)


@pytest.fixture
def bias_free_model():
    return ModelManager(device="cpu", specs={"bf": tiny_spec("bf", BiasFree, )},
                        fallback="bf").get("bf")


@pytest.mark.parametrize("method", list(A.LRP_METHODS))
def test_explain_reports_the_signed_relevance_and_its_conservation(bias_free_model, method):
    image = np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    result = A.explain(bias_free_model, image, method=method, target=3)
    assert result.relevance is not None and result.conservation is not None
    assert result.relevance.shape == result.map.shape == (32, 32)
    np.testing.assert_array_equal(result.map, np.clip(result.relevance, 0, None))
    assert result.conservation.relevance_sum == pytest.approx(result.conservation.logit, rel=1e-3)
    assert not result.map.flags.writeable and not result.relevance.flags.writeable
    assert count_hooks(bias_free_model.network) == 0


def test_lite0_offers_one_composite_and_says_why_not_the_other():
    spec = replace(tiny_spec("lite", lambda: timm.create_model("tf_efficientnet_lite0",
                                                                num_classes=10)),
                   default_layers=_layers(gradcam="blocks.6"))
    model = ModelManager(device="cpu", specs={"lite": spec}, fallback="lite").get("lite")
    assert "lrp_epsilon_plus_flat" in A.offered_methods(model)
    assert "lrp_epsilon_gamma_box" not in A.offered_methods(model)
    assert set(A.unavailable_methods(model)) == {"lrp_epsilon_gamma_box"}
    image = np.zeros((32, 32, 3), dtype=np.uint8)
    with pytest.raises(InputError, match="EpsilonGammaBox"):
        A.explain(model, image, method="lrp_epsilon_gamma_box", target=0)
    assert [r.method for r in A.compare_methods(model, image, target=0, steps=2)] \
        == list(A.offered_methods(model))


def test_concurrent_lrp_requests_equal_sequential_ones(tiny_model):
    images = [np.random.default_rng(seed).integers(0, 256, (32, 32, 3), dtype=np.uint8)
              for seed in range(4)]
    requests = [(image, method) for image in images for method in A.LRP_METHODS]
    sequential = [A.explain(tiny_model, image, method=method, target=1, use_cache=False)
                  for image, method in requests]
    results: list = [None] * len(requests)
    network_before = copy.deepcopy(tiny_model.network.state_dict())

    def run(i: int) -> None:
        image, method = requests[i]
        results[i] = A.explain(tiny_model, image, method=method, target=1, use_cache=False)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for got, want in zip(results, sequential):
        np.testing.assert_array_equal(got.relevance, want.relevance)
        assert got.conservation == want.conservation
    assert count_hooks(tiny_model.network) == 0
    after = tiny_model.network.state_dict()
    assert all(torch.equal(network_before[k], after[k]) for k in after)
