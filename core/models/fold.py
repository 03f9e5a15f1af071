"""A faster copy of a network for gradient ascent: BatchNorm folded into the convolutions.

In eval mode a BatchNorm right after a convolution is a fixed per-channel scale and shift, so
it can be merged into the convolution's weights and bias (torch's ``fuse_conv_bn_eval`` does
the arithmetic). Gradient ascent runs the network forward *and* backward hundreds of times; on
a CPU the BatchNorm passes are memory-bound and cost about as much as the convolutions
(EfficientNet-Lite0 up to ``blocks.4``: 17.7 → 9.4 ms per image and step).

Torch's whole-model helper, ``torch.fx.experimental.optimization.fuse``, needs a model that
``torch.fx`` can trace and only fuses plain ``BatchNorm2d`` modules; timm's EfficientNet uses
``BatchNormAct2d`` (norm, dropout and activation in one module) and not every model traces.
So finding the pairs is written here: one forward pass with hooks records which BatchNorm
consumes which convolution's output tensor, and ``fuse_conv_bn_eval`` merges each pair.

The shared model is never changed: the folding happens on a deep copy, one per network plus
one per convolution chosen as the target layer (it must keep its raw output), at most
``maxsize`` copies in all, the oldest evicted first. For each target layer the copy is checked
once against the original on a test input; a layer whose output differs (say, a folded conv
that also feeds a residual sum) runs on the original.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from contextlib import suppress

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from core.models.hooks import forward_hooks

TOLERANCE = 1e-3
"""Largest allowed difference of the target layer's output, relative to its largest value."""


class _AfterNorm(nn.Module):
    """What is left of a norm-plus-activation module (timm's ``BatchNormAct2d``) once folded."""

    def __init__(self, drop: nn.Module, act: nn.Module):
        super().__init__()
        self.drop = drop
        self.act = act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.drop(x))


def _replacement(norm: nn.BatchNorm2d) -> nn.Module | None:
    if type(norm) is nn.BatchNorm2d:
        return nn.Identity()
    act, drop = getattr(norm, "act", None), getattr(norm, "drop", None)
    if isinstance(act, nn.Module) and isinstance(drop, nn.Module):
        return _AfterNorm(drop, act)
    return None


class _Reached(Exception):
    """Ends a probe forward pass at the target layer."""


def output_at(network: nn.Module, layer: str | None, example: torch.Tensor,
              hooks=None) -> torch.Tensor | None:
    """``layer``'s output for ``example``, running the network only up to that layer.

    With ``layer=None`` the whole network runs (for the ``hooks``) and ``None`` is returned.
    """
    captured = []

    def stop(_module, _inputs, output):
        captured.append(output)
        raise _Reached

    stops = {} if layer is None else {layer: stop}
    with forward_hooks(network, {**(hooks or {}), **stops}), torch.no_grad(), suppress(_Reached):
        network(example)
    return captured[0] if captured else None


def conv_norm_pairs(network: nn.Module, example: torch.Tensor, *,
                    keep: str | None = None) -> list[tuple[str, str]]:
    """(conv, norm) name pairs where a BatchNorm2d's input *is* a Conv2d's output tensor.

    A convolution whose output tensor also reaches another module is left out, and so is the
    convolution named ``keep``.
    """
    producer: dict[int, str] = {}
    consumers: dict[int, list[str]] = {}
    alive: list[torch.Tensor] = []  # keeps every seen tensor alive, so no id() is reused
    modules = dict(network.named_modules())

    def after_conv(name):
        def hook(_module, _inputs, output):
            alive.append(output)
            producer[id(output)] = name

        return hook

    def before_any(name):
        def hook(_module, inputs):
            if inputs and isinstance(inputs[0], torch.Tensor):
                alive.append(inputs[0])
                consumers.setdefault(id(inputs[0]), []).append(name)

        return hook

    hooks = {name: after_conv(name) for name, m in modules.items()
             if isinstance(m, nn.Conv2d) and name != keep}
    pre = [m.register_forward_pre_hook(before_any(name)) for name, m in modules.items()
           if name and (isinstance(m, nn.BatchNorm2d) or not list(m.children()))]
    try:
        output_at(network, None, example, hooks)
    finally:
        for handle in pre:
            handle.remove()
    pairs = []
    for tensor_id, conv in producer.items():
        users = consumers.get(tensor_id, [])
        if len(users) == 1 and isinstance(modules[users[0]], nn.BatchNorm2d):
            pairs.append((conv, users[0]))
    return pairs


def folded_copy(network: nn.Module, *, example: torch.Tensor,
                keep: str | None = None) -> nn.Module | None:
    """A copy of ``network`` with every foldable conv→BN pair folded; ``None`` if none folds.

    The convolution named ``keep`` (a target layer) is left as it is, so it keeps its raw
    output. The probe pass runs on the copy; ``network`` itself is neither run nor changed.
    """
    if not any(isinstance(module, nn.BatchNorm2d) for module in network.modules()):
        return None
    twin = copy.deepcopy(network).eval()
    modules = dict(twin.named_modules())
    folded = 0
    for conv_name, norm_name in conv_norm_pairs(twin, example, keep=keep):
        norm = modules[norm_name]
        replacement = _replacement(norm)
        if replacement is None:
            continue
        conv = modules[conv_name]
        fused = fuse_conv_bn_eval(conv, norm)
        conv.weight, conv.bias = fused.weight, fused.bias
        parent_name, _, child = norm_name.rpartition(".")
        setattr(twin.get_submodule(parent_name) if parent_name else twin, child, replacement)
        folded += 1
    twin.requires_grad_(False).to(memory_format=torch.channels_last)  # faster convolutions
    return twin if folded else None


def same_output(original: nn.Module, twin: nn.Module, layer: str, example: torch.Tensor) -> bool:
    """Whether ``layer`` outputs the same for ``example`` in both (within :data:`TOLERANCE`)."""
    if layer not in dict(twin.named_modules()):
        return False
    a, b = (output_at(net, layer, example) for net in (original, twin))
    if a is None or b is None:
        raise ValueError(f"Layer {layer!r} gave no output for the example input.")
    scale = float(a.abs().max()) or 1.0
    return a.shape == b.shape and float((a - b).abs().max()) <= TOLERANCE * scale


class FoldedNetworks:
    """Folded copies made on first use: one per network, plus one per convolution chosen as the
    target; at most ``maxsize``, the oldest evicted first (FIFO). Each target layer is checked
    once against the original before its copy is used."""

    def __init__(self, maxsize: int = 3):
        self.maxsize = maxsize
        # (id(network), kept conv) -> (network, copy or None, {layer: copy is usable}); the
        # original network is kept in the value so that its id() stays unique.
        self._copies: dict[tuple[int, str | None],
                           tuple[nn.Module, nn.Module | None, dict[str, bool]]] = {}
        self._lock = threading.Lock()

    def get(self, network: nn.Module, *, layer: str,
            example: Callable[[], torch.Tensor]) -> nn.Module:
        """The network to run for ``layer``: the folded copy where it gives the same output.

        ``example()`` makes the probe input, only when something is new. The caller holds the
        model's lock (probing registers hooks). Falls back to ``network`` on any doubt.
        """
        try:
            is_conv = isinstance(network.get_submodule(layer), nn.Conv2d)
        except AttributeError:
            return network  # an unknown layer: the caller's hook registration reports it
        key = (id(network), layer if is_conv else None)
        with self._lock:
            entry = self._copies.get(key)
        if entry is None:
            entry = (network, folded_copy(network, example=example(), keep=key[1]), {})
            with self._lock:
                while len(self._copies) >= self.maxsize:
                    self._copies.pop(next(iter(self._copies)))
                entry = self._copies.setdefault(key, entry)
        _, twin, usable = entry
        if twin is None:
            return network
        if layer not in usable:
            usable[layer] = same_output(network, twin, layer, example())
        return twin if usable[layer] else network
