"""Layer-wise Relevance Propagation through Zennit: the rule composites a lecture shows and the
canonizers each architecture needs.

Bach, Binder, Montavon, Klauschen, Müller & Samek 2015, "On Pixel-Wise Explanations for
Non-Linear Classifier Decisions by Layer-Wise Relevance Propagation" (PLOS ONE); the composites
follow Montavon, Binder, Lapuschkin, Samek & Müller 2019, "Layer-Wise Relevance Propagation: An
Overview" (LNCS 11700) and Kohlbrenner et al. 2020 (arXiv:1910.09840):

- ``epsilon_plus_flat``: the flat rule for the first layer, z⁺ for the other convolutions, ε for
  the fully connected layers (Zennit's ``EpsilonPlusFlat``);
- ``epsilon_gamma_box``: the z^B (box) rule for the first layer with the pixel range [0, 1]
  as its bounds, γ = 0.25 for the other convolutions, ε for the fully connected layers
  (Zennit's ``EpsilonGammaBox``).

The rules are Zennit's; this module picks the canonizers, starts the relevance at the target's
logit (so the relevance of the pixels adds up to that logit: conservation) and removes every
hook and canonizer in ``finally``. Canonizers change the network (BatchNorm merged into the
convolution before it, residual sums made into modules): the caller holds the model's lock.

Canonizers per architecture:

- torchvision ResNet: Zennit's ``ResNetCanonizer`` (BatchNorm merged, the skip sums of its
  blocks become ``Sum`` modules that the Norm rule splits in proportion to both summands);
- torchvision VGG and plain CNNs: Zennit's ``VGGCanonizer`` (merges a BatchNorm that follows a
  convolution in a ``Sequential``);
- in both, Zennit 0.4 keeps the merged norm's ε, so the merged norm still divides by
  √(1 + ε) and the canonized network's logit differs from the real one; our merge sets ε to 0
  while merged (the same canonizers composed with that change);
- timm's EfficientNet (the offline EfficientNet-Lite0): written here, in the style of Zennit's
  ResNet canonizer, because Zennit has none. Its BatchNorm (timm's ``BatchNormAct2d``, a norm
  with the ReLU6 inside) is not a leaf module, so the pairs to merge are found by a probe pass
  (:func:`core.models.fold.conv_norm_pairs`) and merged with Zennit's ``NamedMergeBatchNorm``;
  again with ε = 0 while merged (timm's TF ports use ε = 10⁻³: every merged norm would shrink
  its output by 0.05 %, the logit by a few per cent). The residual sum of a block
  (``x + branch``) becomes a ``Sum`` module, as in the ResNet
  canonizer.

Checked for EfficientNet-Lite0 (tests/unit/test_lrp.py): ReLU6 gets Zennit's pass rule like
every activation, which is exact here — where ReLU6 outputs 0 the next layer's rule gives 0
relevance anyway, and where it saturates at 6 the relevance passes on instead of being cut off
by the zero gradient; depthwise convolutions and TF "same" padding need nothing, because each
rule reruns the module's own ``forward`` (groups and padding included) with modified weights.
Models with other activations (SiLU), squeeze-and-excitation gates or unknown residual blocks
are refused with a sentence (:func:`check_lrp`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn
from zennit.canonizers import (
    Canonizer,
    CompositeCanonizer,
    MergeBatchNorm,
    NamedMergeBatchNorm,
    SequentialMergeBatchNorm,
)
from zennit.composites import EpsilonGammaBox, EpsilonPlusFlat
from zennit.core import Composite
from zennit.layer import Sum
from zennit.torchvision import ResNetBasicBlockCanonizer, ResNetBottleneckCanonizer

from core.checks import InputError
from core.models.fold import conv_norm_pairs
from core.models.manager import LoadedModel

LrpComposite = Literal["epsilon_plus_flat", "epsilon_gamma_box"]
COMPOSITES: tuple[LrpComposite, ...] = ("epsilon_plus_flat", "epsilon_gamma_box")

_RELU_LIKE = (nn.ReLU, nn.ReLU6)
"""Activations for which Zennit's pass rule is exact (0 exactly where the output is 0)."""
_PLAIN = (nn.Conv2d, nn.Linear, nn.BatchNorm2d, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d,
          nn.Identity, nn.Dropout, nn.Flatten, *_RELU_LIKE)
"""Leaf modules whose relevance Zennit's rules (or plain gradients) pass on correctly."""


@dataclass(frozen=True)
class Conservation:
    """LRP's conservation check: the pixels' relevance should add up to the target's logit.

    ``relevance_sum``: Σ of the input relevance; ``logit``: the target's score that the
    relevance started from. Biases and the ε rule absorb what is missing.
    """

    relevance_sum: float
    logit: float

    @property
    def share(self) -> float:
        """``relevance_sum / logit`` (1 = everything conserved; NaN for a zero logit)."""
        return self.relevance_sum / self.logit if self.logit else float("nan")


# ---------------------------------------------------------------------------------------------
# canonizers


class _ExactMerge(MergeBatchNorm):
    """Zennit's BatchNorm merge with the merged norm's ε set to 0 (restored on ``remove``), so
    that the merged norm is exactly the identity (mixed into Zennit's merge canonizers)."""

    eps = 0.0

    def register(self, linears, batch_norm):
        self.eps = batch_norm.eps
        super().register(linears, batch_norm)
        batch_norm.eps = 0.0

    def remove(self):
        self.batch_norm.eps = self.eps
        super().remove()


class _ExactNamedMerge(_ExactMerge, NamedMergeBatchNorm):
    """Zennit's ``NamedMergeBatchNorm`` (pairs given by name), merged exactly."""


class _ExactSequentialMerge(_ExactMerge, SequentialMergeBatchNorm):
    """Zennit's ``SequentialMergeBatchNorm`` (what its ``VGGCanonizer`` is), merged exactly."""


class _ResidualSum(Canonizer):
    """Makes the skip sum of a timm block (``has_skip``) a Zennit ``Sum`` module: the block
    computes its branch alone, and a forward hook returns ``Sum(stack([input, branch]))``."""

    def __init__(self):
        self.block: nn.Module | None = None
        self.handle: torch.utils.hooks.RemovableHandle | None = None

    def apply(self, root_module: nn.Module) -> list[Canonizer]:
        instances: list[Canonizer] = []
        for module in root_module.modules():
            if getattr(module, "has_skip", False) is True:
                instance = _ResidualSum()
                instance.register(module)
                instances.append(instance)
        return instances

    def register(self, block: nn.Module) -> None:
        self.block = block
        setattr(block, "has_skip", False)  # noqa: B010 (a plain attribute of timm's block)
        block.add_module("canonizer_sum", Sum())
        self.handle = block.register_forward_hook(_add_skip)

    def remove(self) -> None:
        if self.block is None or self.handle is None:
            return
        self.handle.remove()
        del self.block.canonizer_sum
        setattr(self.block, "has_skip", True)  # noqa: B010

    def copy(self) -> _ResidualSum:
        return _ResidualSum()


def _add_skip(block: nn.Module, inputs: tuple, branch: torch.Tensor) -> torch.Tensor:
    """The block's output: its input and its branch through the ``Sum`` module."""
    summed = block.get_submodule("canonizer_sum")
    return summed(torch.stack([inputs[0], block.get_submodule("drop_path")(branch)], dim=-1))


def _is_timm_block(module: nn.Module) -> bool:
    return type(module).__module__.startswith("timm.") and hasattr(module, "has_skip")


def _is_resnet_block(module: nn.Module) -> bool:
    from torchvision.models.resnet import BasicBlock, Bottleneck

    return isinstance(module, (BasicBlock, Bottleneck))


def check_lrp(network: nn.Module, title: str, composite: LrpComposite) -> None:
    """``InputError`` saying why LRP with ``composite`` is not offered for ``network`` (named
    ``title``): an activation other than ReLU/ReLU6, a gate (squeeze-and-excitation), a module
    Zennit's rules do not cover, or, for ``epsilon_gamma_box``, linear bottlenecks."""
    for name, module in network.named_modules():
        if _is_timm_block(module) and not isinstance(getattr(module, "se", nn.Identity()),
                                                     nn.Identity):
            raise InputError(
                f"LRP is not offered for {title}: its squeeze-and-excitation gates multiply "
                "two signals, which no LRP rule here splits correctly.",
                f"LRP wird für {title} nicht angeboten: Seine Squeeze-and-Excitation-Gates "
                "multiplizieren zwei Signale, und keine LRP-Regel hier teilt das richtig auf.")
        if list(module.children()) or _is_timm_block(module) or _is_resnet_block(module):
            continue
        if not isinstance(module, _PLAIN):
            kind = type(module).__name__
            raise InputError(
                f"LRP is not offered for {title}: its layer '{name}' ({kind}) has no LRP rule "
                "here (the rules assume convolutions, linear layers and ReLU-like activations).",
                f"LRP wird für {title} nicht angeboten: Für seine Schicht '{name}' ({kind}) gibt "
                "es hier keine LRP-Regel (die Regeln setzen Faltungen, lineare Schichten und "
                "ReLU-artige Aktivierungen voraus).")
    if composite == "epsilon_gamma_box" and any(_is_timm_block(m) for m in network.modules()):
        raise InputError(
            f"LRP EpsilonGammaBox is not offered for {title}: its γ rule assumes that every "
            "convolution sees values ≥ 0 (after a ReLU), but the linear bottlenecks of "
            "EfficientNet pass negative values on, and the relevance explodes. Use "
            "EpsilonPlusFlat, whose z⁺ rule handles both signs.",
            f"LRP EpsilonGammaBox wird für {title} nicht angeboten: Seine γ-Regel setzt voraus, "
            "dass jede Faltung Werte ≥ 0 sieht (nach einer ReLU), aber die linearen Engpässe "
            "von EfficientNet geben negative Werte weiter, und die Relevanz explodiert. Nimm "
            "EpsilonPlusFlat, dessen z⁺-Regel beide Vorzeichen behandelt.")


_REFUSALS: dict[tuple[int, LrpComposite], tuple[nn.Module, tuple[str, str] | None]] = {}


def check_shared_lrp(model: LoadedModel, composite: LrpComposite) -> None:
    """:func:`check_lrp` for a shared model, worked out once per network and composite under
    the model's lock: while another request's LRP runs, its canonizers have added modules to
    the network (``canonizer_sum``) that the check must not see."""
    network = model.network
    key = (id(network), composite)
    entry = _REFUSALS.get(key)
    if entry is None:
        with model.lock:
            try:
                check_lrp(network, model.spec.title, composite)
                sentences = None
            except InputError as error:
                sentences = (error.sentences["en"], error.sentences["de"])
        entry = _REFUSALS.setdefault(key, (network, sentences))  # the network keeps its id
    if entry[1] is not None:
        raise InputError(*entry[1])


_PAIRS: dict[int, tuple[nn.Module, list[tuple[str, str]]]] = {}
_PAIRS_LOCK = threading.Lock()
_PAIRS_KEPT = 4
"""How many networks' conv→norm pairs are kept (the shared models and a few private copies)."""


def _merge_pairs(network: nn.Module, example: torch.Tensor) -> list[tuple[str, str]]:
    """:func:`core.models.fold.conv_norm_pairs` of ``network``, found once per network (the
    network is kept with its pairs, so that its ``id`` stays unique)."""
    with _PAIRS_LOCK:
        entry = _PAIRS.get(id(network))
    if entry is not None:
        return entry[1]
    pairs = conv_norm_pairs(network, example)
    with _PAIRS_LOCK:
        while len(_PAIRS) >= _PAIRS_KEPT:
            _PAIRS.pop(next(iter(_PAIRS)))
        _PAIRS[id(network)] = (network, pairs)
    return pairs


def canonizers(network: nn.Module, example: torch.Tensor) -> list[Canonizer]:
    """The canonizers ``network``'s architecture needs (see the module's docstring).

    ``example`` is a probe input of the network's size, used to find timm's conv→norm pairs.
    """
    modules = list(network.modules())
    if any(_is_resnet_block(m) for m in modules):  # Zennit's ResNetCanonizer, merged exactly
        return [CompositeCanonizer([_ExactSequentialMerge(), ResNetBottleneckCanonizer(),
                                    ResNetBasicBlockCanonizer()])]
    if any(_is_timm_block(m) for m in modules):
        pairs = _merge_pairs(network, example)
        return [_ExactNamedMerge([((conv,), norm) for conv, norm in pairs]), _ResidualSum()]
    return [_ExactSequentialMerge()]  # Zennit's VGGCanonizer, merged exactly


def make_composite(kind: LrpComposite, network: nn.Module, *, low: torch.Tensor,
                   high: torch.Tensor, example: torch.Tensor) -> Composite:
    """Zennit's composite ``kind`` with the canonizers of ``network``; ``low`` and ``high``
    are the normalised images of an all-black and an all-white input (the box rule's
    bounds)."""
    found = canonizers(network, example)
    if kind == "epsilon_plus_flat":
        return EpsilonPlusFlat(canonizers=found)
    if kind == "epsilon_gamma_box":
        return EpsilonGammaBox(low=low, high=high, canonizers=found)
    raise ValueError(f"Unknown LRP composite {kind!r}.")


@contextmanager
def composite_on(network: nn.Module, composite: Composite) -> Iterator[nn.Module]:
    """Zennit's ``composite.context(network)``, and the composite removed once more in
    ``finally``: Zennit's context does not undo what ``register`` did before an error inside
    it (a canonizer applied, some rules registered). ``remove`` is idempotent."""
    try:
        with composite.context(network) as modified:
            yield modified
    finally:
        composite.remove()


def lrp_relevance(network: nn.Module, inputs: torch.Tensor, *, target: int,
                  composite: Composite) -> tuple[torch.Tensor, float]:
    """The relevance of ``inputs`` (1, 3, S, S), normalised, for class ``target`` under
    ``composite``, starting from the target's logit; returns the relevance (1, 3, S, S) and
    that logit. The caller holds the model's lock when ``network`` is shared."""
    inputs = inputs.detach().clone().requires_grad_(True)
    with composite_on(network, composite), torch.enable_grad():
        output = network(inputs)
        start = torch.zeros_like(output)
        start[:, target] = output[:, target]
        (relevance,) = torch.autograd.grad(output, inputs, grad_outputs=start)
    return relevance.detach(), float(output[0, target].detach())


def lrp_map(network: nn.Module, inputs: torch.Tensor, *, target: int, composite: LrpComposite,
            low: torch.Tensor, high: torch.Tensor) -> tuple[np.ndarray, Conservation]:
    """LRP with ``composite`` for ``inputs`` (1, 3, S, S), normalised; ``low``/``high`` as in
    :func:`make_composite`. Returns the signed relevance per pixel (S, S) float32, summed over
    the colour channels, and the conservation check. The caller holds the model's lock when
    ``network`` is shared."""
    rules = make_composite(composite, network, low=low, high=high, example=inputs.detach())
    relevance, logit = lrp_relevance(network, inputs, target=target, composite=rules)
    per_pixel = relevance[0].sum(dim=0).float().cpu().numpy().astype(np.float32)
    return per_pixel, Conservation(relevance_sum=float(relevance.sum()), logit=logit)
