"""BatchNorm folding for gradient ascent: same layer outputs, original untouched, safe fallback."""

from __future__ import annotations

import copy

import torch
from torch import nn

from core.models.fold import FoldedNetworks, conv_norm_pairs, folded_copy, output_at, same_output


def _randomize_norms(network: nn.Module) -> nn.Module:
    generator = torch.Generator().manual_seed(0)
    for module in network.modules():
        if isinstance(module, nn.BatchNorm2d):
            channels = module.num_features
            module.running_mean = torch.randn(channels, generator=generator)
            module.running_var = torch.rand(channels, generator=generator) + 0.5
            module.weight.data = torch.randn(channels, generator=generator)
            module.bias.data = torch.randn(channels, generator=generator)
    return network.eval().requires_grad_(False)


class ConvBnNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.bn2 = nn.BatchNorm2d(8)
        self.head = nn.Linear(8, 2)

    def forward(self, x):
        x = self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))))
        return self.head(x.mean(dim=(2, 3)))


class ResidualTrap(ConvBnNet):
    """conv2's output feeds bn2 *and* a functional add: folding would change the sum."""

    def __init__(self):
        super().__init__()
        self.out = nn.Identity()

    def forward(self, x):
        y = self.conv2(self.relu(self.bn1(self.conv1(x))))
        x = self.out(self.bn2(y) + y)
        return self.head(x.mean(dim=(2, 3)))


EXAMPLE = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(1))


def test_folded_copy_gives_the_same_layer_output_and_leaves_the_original_alone():
    network = _randomize_norms(ConvBnNet())
    before = copy.deepcopy(network.state_dict())
    assert conv_norm_pairs(network, EXAMPLE) == [("conv1", "bn1"), ("conv2", "bn2")]
    twin = folded_copy(network, example=EXAMPLE[:1])
    assert twin is not None and twin is not network
    assert not any(isinstance(m, nn.BatchNorm2d) for m in twin.modules())
    torch.testing.assert_close(output_at(twin, "bn2", EXAMPLE), output_at(network, "bn2", EXAMPLE),
                               rtol=1e-4, atol=1e-5)
    assert all(torch.equal(before[k], v) for k, v in network.state_dict().items())
    assert (isinstance(network.bn1, nn.BatchNorm2d)
            and not any(p.requires_grad for p in twin.parameters()))


def test_a_convolution_chosen_as_the_layer_keeps_its_raw_output():
    network = _randomize_norms(ConvBnNet())
    twin = folded_copy(network, example=EXAMPLE[:1], keep="conv2")
    assert isinstance(twin.bn2, nn.BatchNorm2d) and not isinstance(twin.bn1, nn.BatchNorm2d)
    torch.testing.assert_close(output_at(twin, "conv2", EXAMPLE),
                               output_at(network, "conv2", EXAMPLE),
                               rtol=1e-4, atol=1e-5)


def test_a_fold_that_would_change_the_output_is_refused():
    network = _randomize_norms(ResidualTrap())
    assert conv_norm_pairs(network, EXAMPLE) == [("conv1", "bn1"), ("conv2", "bn2")]
    folded = FoldedNetworks()
    assert folded.get(network, layer="out", example=lambda: EXAMPLE[:1]) is network
    # bn1 comes before the sum
    assert folded.get(network, layer="bn1", example=lambda: EXAMPLE[:1]) is not network


def test_one_copy_serves_every_layer_but_a_convolution_gets_its_own():
    network = _randomize_norms(ConvBnNet())
    head_calls = []
    network.head.register_forward_hook(lambda module, *_: head_calls.append(module))
    folded = FoldedNetworks()
    for_bn1 = folded.get(network, layer="bn1", example=lambda: EXAMPLE[:1])
    assert folded.get(network, layer="bn2", example=lambda: EXAMPLE[:1]) is for_bn1
    for_conv2 = folded.get(network, layer="conv2", example=lambda: EXAMPLE[:1])
    assert for_conv2 is not for_bn1 and isinstance(for_conv2.bn2, nn.BatchNorm2d)
    # Probes run on the copies (which carry a copy of the hook); the shared head never runs.
    assert head_calls and all(module is not network.head for module in head_calls)


def test_networks_without_batchnorm_are_used_as_they_are():
    network = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()).eval()
    assert folded_copy(network, example=EXAMPLE[:1]) is None
    assert FoldedNetworks().get(network, layer="1", example=lambda: EXAMPLE[:1]) is network


def test_the_offline_model_folds_every_norm_before_the_layer():
    from core.models import ModelManager

    model = ModelManager(device="cpu", offline=True).get("efficientnet_lite0")
    example = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(0)) * 0.5
    twin = folded_copy(model.network, example=example)
    folded_prefixes = ("bn1", "blocks.0", "blocks.1", "blocks.2", "blocks.3", "blocks.4")
    norms_left = [name for name, m in twin.named_modules()
                  if isinstance(m, nn.BatchNorm2d) and name.startswith(folded_prefixes)]
    assert twin is not model.network and norms_left == []
    reference = output_at(model.network, "blocks.4", example)
    difference = output_at(twin, "blocks.4", example) - reference
    assert difference.abs().max() < 1e-3 * reference.abs().max()
    assert same_output(model.network, twin, "blocks.4", example)
    assert "blocks.4.0.bn1.act" in dict(twin.named_modules())  # layer names survive
