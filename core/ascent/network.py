"""The network seen by the ascent: evaluated only up to the target layer, BatchNorm folded.

A forward hook on the layer captures its output and raises a private exception that ends the
forward pass (works for any architecture). The hook lives only inside
:func:`truncated_forward`, under the model's lock, and is removed in ``finally``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress

import torch

from core.ascent.params import AscentMode, AscentParams, check_filters, check_params
from core.checks import InputError
from core.models import LoadedModel
from core.models.fold import FoldedNetworks
from core.models.hooks import forward_hooks

# Images are fed in channels-last layout: oneDNN's convolutions (and cuDNN's) are faster on
# NHWC; on our 2-core CPU this took a step from about 25 to 16 ms per image.
CHANNELS_LAST = torch.channels_last

_FOLDED = FoldedNetworks()


class _LayerReached(Exception):
    """Ends the forward pass once the target layer has produced its output."""


@contextmanager
def truncated_forward(model: LoadedModel,
                      layer: str) -> Iterator[Callable[[torch.Tensor], torch.Tensor]]:
    """Yield ``run(batch) -> output of layer``, evaluating the network only up to ``layer``.

    Runs on a copy with BatchNorm folded into the convolutions when that gives the same layer
    output (:mod:`core.models.fold`), about twice as fast on a CPU. Holds the model's lock while the
    hook exists; the hook is removed on exit, also after an error. Gradients flow from the
    output back to ``batch``.
    """
    captured: list[torch.Tensor] = []

    def hook(_module, _inputs, output):
        captured.append(output)
        raise _LayerReached

    with model.lock:
        network = _FOLDED.get(model.network, layer=layer, example=lambda: _probe(model))
        with forward_hooks(network, {layer: hook}):
            yield _runner(network, layer, captured)


def _probe(model: LoadedModel) -> torch.Tensor:
    """A fixed random input of the model's size, used to find and check foldable layers."""
    generator = torch.Generator().manual_seed(0)
    size = model.spec.input_size
    return (torch.randn(1, 3, size, size, generator=generator) * 0.5).to(model.device)


def _runner(network: torch.nn.Module, layer: str,
            captured: list[torch.Tensor]) -> Callable[[torch.Tensor], torch.Tensor]:
    def run(batch: torch.Tensor) -> torch.Tensor:
        captured.clear()
        with suppress(_LayerReached):
            network(batch)
        if not captured:
            raise InputError(f"Layer '{layer}' was not reached by the forward pass.",
                             f"Die Schicht „{layer}“ wird beim Vorwärtsdurchlauf nicht erreicht.")
        output = captured[0]
        if not isinstance(output, torch.Tensor) or output.dim() != 4:
            raise InputError(
                f"Layer '{layer}' does not output feature maps; pick another layer.",
                f"Die Schicht „{layer}“ gibt keine Feature-Maps aus; wähle eine andere Schicht.")
        return output

    return run


def forward(model: LoadedModel, layer: str, batch: torch.Tensor) -> torch.Tensor:
    with truncated_forward(model, layer) as run:
        return run(batch)


def filter_means(act: torch.Tensor, filters: torch.Tensor, border: int) -> torch.Tensor:
    """Mean of ``act[i, filters[i]]`` without ``border`` pixels per side, per image ``(B,)``."""
    maps = act[torch.arange(act.shape[0], device=act.device), filters]
    height, width = maps.shape[1:]
    return maps[:, border:height - border, border:width - border].mean(dim=(1, 2))


def output_size(model: LoadedModel, *, layer: str, size: int) -> tuple[int, int, int]:
    """``(channels, height, width)`` of ``layer`` for a ``size``×``size`` input; ``InputError`` if
    the input is too small for the layer."""
    probe = torch.zeros(1, 3, size, size, device=model.device)
    try:
        with torch.no_grad():
            out = forward(model, layer, probe)
    except RuntimeError as error:
        if "size" not in str(error).lower():  # not a too-small input: a real failure
            raise
        raise InputError(
            f"An image of {size} px is smaller than what layer '{layer}' needs to see; "
            "choose a larger image size.",
            f"Ein Bild mit {size} px ist kleiner, als die Schicht „{layer}“ sehen muss; "
            "wähle eine größere Bildgröße.") from None
    _, channels, height, width = out.shape
    return channels, height, width


def validate(model: LoadedModel, *, layer: str, filters: Sequence[int], mode: AscentMode,
             params: AscentParams) -> tuple[int, int, int]:
    """Check everything a student can get wrong; returns the layer's output shape at this size."""
    check_params(params, mode)
    if not filters:
        raise InputError("Choose at least one filter.", "Wähle mindestens einen Filter.")
    channels, height, width = output_size(model, layer=layer, size=params.size)
    check_filters(filters, channels)
    if min(height, width) - 2 * params.border < 1:
        raise InputError(
            f"At {params.size} px, layer '{layer}' outputs {height}×{width} maps; without a "
            f"border of {params.border} px nothing is left. "
            "Use a larger image or a smaller border.",
            f"Bei {params.size} px gibt die Schicht „{layer}“ Karten mit {height}×{width} Pixeln "
            f"aus; ohne einen Rand von {params.border} px bleibt nichts übrig. Nimm ein größeres "
            "Bild oder einen kleineren Rand.")
    return channels, height, width
