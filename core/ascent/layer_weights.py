"""The weights of a layer, for the Filter ascent tab.

What seed notebook 000 prints with ``target_layer.weight.shape``, and the first convolution's
kernels as RGB patches.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from torch import nn

from core.checks import InputError, excerpt
from core.models import LoadedModel


@dataclass(frozen=True)
class LayerWeights:
    """What the notebook prints about a layer's weights.

    ``shapes``: (parameter name, shape) of the conv weights in the layer; ``kernels``: for a
    convolution that reads the RGB input, its kernels as ``(C_out, k, k, 3)`` float32 in [0, 1]
    (each kernel stretched symmetrically around 0.5), else ``None``.
    """

    layer: str
    kind: str
    shapes: tuple[tuple[str, tuple[int, ...]], ...]
    parameters: int
    kernels: np.ndarray | None = field(default=None)


def layer_weights(model: LoadedModel, *, layer: str) -> LayerWeights:
    """The convolution weights inside ``layer`` (what the notebook prints with ``.shape``).

    For a convolution reading the RGB image (the first conv layer) its kernels are returned
    as RGB patches. Raises :class:`~core.checks.InputError` for an unknown layer.
    """
    modules = dict(model.network.named_modules())
    if layer not in modules:
        raise InputError(f"The model has no layer named '{excerpt(layer)}'.",
                         f"Das Modell hat keine Schicht namens „{excerpt(layer)}“.")
    module = modules[layer]
    shapes = tuple((f"{layer}.{name}" if name else layer, tuple(m.weight.shape))
                   for name, m in module.named_modules()
                   if isinstance(m, nn.Conv2d))
    parameters = sum(p.numel() for p in module.parameters())
    kernels = None
    if isinstance(module, nn.Conv2d) and module.in_channels == 3 and module.groups == 1:
        weight = module.weight.detach().float().cpu().numpy().transpose(0, 2, 3, 1)
        peak = np.abs(weight).reshape(len(weight), -1).max(axis=1).reshape(-1, 1, 1, 1)
        kernels = (0.5 + 0.5 * weight / np.maximum(peak, 1e-12)).astype(np.float32)
    return LayerWeights(layer=layer, kind=type(module).__name__, shapes=shapes,
                        parameters=int(parameters), kernels=kernels)


def first_conv(model: LoadedModel) -> str | None:
    """The name of the first convolution that reads the RGB image."""
    for name, module in model.network.named_modules():
        if isinstance(module, nn.Conv2d) and module.in_channels == 3:
            return name
    return None
