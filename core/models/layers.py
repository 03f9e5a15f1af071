"""The layers of a network, like ``named_modules()`` in the seed notebook, with output shapes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.checks import InputError
from core.models.hooks import forward_hooks

TOP_LEVEL_GROUP = "stem & head"
_PASS_THROUGH = (nn.Identity, nn.Dropout, nn.Dropout2d)


@dataclass(frozen=True)
class LayerInfo:
    """One module whose output is a stack of feature maps.

    ``shape`` is (channels, height, width) for one input of the model's size; ``block`` is the
    group it belongs to (``layer3`` in a ResNet, ``blocks.4`` in an EfficientNet).
    """

    name: str
    kind: str
    shape: tuple[int, int, int]
    block: str

    @property
    def label(self) -> str:
        channels, height, width = self.shape
        return f"{self.name} · {self.kind} · {channels}×{height}×{width}"


def list_layers(model: nn.Module, *, input_size: int,
                device: torch.device | str = "cpu") -> tuple[LayerInfo, ...]:
    """Run one blank image through ``model`` and return every module with a 4-D output.

    Modules called more than once per forward pass (a ReLU shared inside a ResNet block)
    are left out, their output would be ambiguous; so are pass-throughs (Identity, Dropout).
    Order is the order of execution.
    The caller holds the model's lock (hooks are registered).
    """
    calls: Counter[str] = Counter()
    shapes: dict[str, tuple[int, int, int]] = {}
    order: list[str] = []

    def record(name: str):
        def hook(_module, _inputs, output):
            calls[name] += 1
            if isinstance(output, torch.Tensor) and output.dim() == 4:
                if name not in shapes:
                    order.append(name)
                _, channels, height, width = output.shape
                shapes[name] = (channels, height, width)

        return hook

    names = [name for name, _ in model.named_modules() if name]
    blank = torch.zeros(1, 3, input_size, input_size, device=device)
    with forward_hooks(model, {name: record(name) for name in names}), torch.no_grad():
        model(blank)
    modules = dict(model.named_modules())
    return tuple(
        LayerInfo(name=name, kind=type(modules[name]).__name__, shape=shapes[name],
                  block=_block_of(model, name))
        for name in order
        if calls[name] == 1 and not isinstance(modules[name], _PASS_THROUGH)
    )


def _block_of(model: nn.Module, name: str) -> str:
    """Group a layer by the stage it sits in (``layer3``, ``features``, ``blocks.4``).

    Layers outside any stage container (stem, head) share one group.
    """
    parts = name.split(".")
    top = getattr(model, parts[0])
    if len(parts) == 1 or not isinstance(top, (nn.Sequential, nn.ModuleList)):
        return TOP_LEVEL_GROUP
    if all(isinstance(child, (nn.Sequential, nn.ModuleList)) for child in top.children()):
        return ".".join(parts[:2])
    return parts[0]


def stage_layers(layers: Sequence[LayerInfo], *, limit: int = 8) -> tuple[str, ...]:
    """One layer per stage (``layer1``..``layer4`` in a ResNet, ``blocks.0``.. in an EfficientNet).

    A stage is a block of :class:`LayerInfo` outside the stem & head; it is represented by its
    own module when that is listed, else by its last layer. At most ``limit`` stages, spread
    evenly and always keeping the deepest.
    """
    names = {info.name for info in layers}
    blocks = [b for b in dict.fromkeys(info.block for info in layers) if b != TOP_LEVEL_GROUP]
    stages = [b if b in names else [i.name for i in layers if i.block == b][-1] for b in blocks]
    if len(stages) > limit:
        picks = np.linspace(0, len(stages) - 1, limit).round().astype(int)
        stages = [stages[i] for i in dict.fromkeys(picks)]
    return tuple(stages)


def early_middle_deep(layers: Sequence[LayerInfo]) -> tuple[str, str, str]:
    """An early, a middle and a deep stage (from :func:`stage_layers`) for comparing depths.

    With fewer than three stages (VGG's single ``features``), any three listed layers.
    """
    stages = stage_layers(layers, limit=len(layers))
    pool = stages if len(stages) >= 3 else tuple(info.name for info in layers)
    if len(pool) < 3:
        raise InputError("This model has fewer than three layers to compare.",
                         "Dieses Modell hat weniger als drei Schichten zum Vergleichen.")
    return pool[0], pool[len(pool) // 2], pool[-1]
