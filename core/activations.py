"""Feature maps of one layer for one image, and the model's top predictions, in one pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from core import predictions
from core.cache import ResultCache
from core.checks import InputError, check_int
from core.models import LoadedModel
from core.models.hooks import capture_outputs
from core.predictions import Prediction, top_predictions
from core.preprocess import check_rgb, image_digest, model_view, to_tensor

ChannelOrder = Literal["index", "mean"]

_CACHE = ResultCache("activations", maxsize=32)



@dataclass(frozen=True)
class ActivationResult:
    """What a layer computed for an image.

    ``maps``: (C, H, W) float32 feature maps; ``view``: (S, S, 3) uint8 image the model saw;
    ``predictions``: the top classes, best first.
    """

    model: str
    layer: str
    maps: np.ndarray
    view: np.ndarray
    predictions: tuple[Prediction, ...]

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.maps.shape)

    def channel(self, index: object) -> np.ndarray:
        """The (H, W) map of channel ``index``; ``InputError`` unless it is a valid channel."""
        return self.maps[check_int(("Channel", "Kanal"), index, 0, self.shape[0] - 1)]


def compute_activations(model: LoadedModel, image: np.ndarray, *, layer: str,
                        top_k: int = 5) -> ActivationResult:
    """Run ``image`` (RGB uint8, any size) through ``model`` and keep ``layer``'s output.

    Results are cached by (model, image content, layer); the returned arrays are read-only.
    """
    check_rgb(image)
    key = (model.name, image_digest(image), layer, top_k)
    return _CACHE.get_or_compute(key, lambda: _compute(model, image, layer, top_k))


def _compute(model: LoadedModel, image: np.ndarray, layer: str, top_k: int) -> ActivationResult:
    view = model_view(image, model.spec.input_size)
    batch = to_tensor(view, model.spec, model.device)
    with model.lock, capture_outputs(model.network, [layer]) as captured, torch.no_grad():
        logits = model.network(batch)
    output = captured[layer]
    if output.dim() != 4:
        raise InputError(f"Layer '{layer}' does not produce feature maps "
                         f"(output shape {tuple(output.shape)}).",
                         f"Die Schicht '{layer}' erzeugt keine Merkmalskarten "
                         f"(Ausgabeform {tuple(output.shape)}).")
    maps = output[0].float().cpu().numpy()
    maps.setflags(write=False)
    view.setflags(write=False)
    top = top_predictions(logits, model.categories, top_k)
    predictions.remember(model, image, top)
    return ActivationResult(model=model.name, layer=layer, maps=maps, view=view, predictions=top)


def order_channels(maps: np.ndarray, *, count: int | None,
                   order: ChannelOrder = "index") -> np.ndarray:
    """Indices of the channels to show: the first ``count`` by index, or by mean activation.

    ``count=None`` means all channels. Returns an int array of length ``min(count, C)``.
    """
    channels = maps.shape[0]
    if count is not None and count < 1:
        raise InputError("Show at least one feature map.", "Zeige mindestens eine Merkmalskarte.")
    if order == "mean":
        ranking = np.argsort(-maps.reshape(channels, -1).mean(axis=1), kind="stable")
    elif order == "index":
        ranking = np.arange(channels)
    else:
        raise InputError(f"Unknown channel order '{order}'; use 'index' or 'mean'.",
                         f"Unbekannte Kanalreihenfolge '{order}'; nimm 'index' oder 'mean'.")
    return ranking[: channels if count is None else min(count, channels)]
