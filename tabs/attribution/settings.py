"""The Attribution tab's settings: one frozen dataclass per view, whose field order is the
positional order of its API endpoint and whose field names are the API's parameter names.

The views that explain one class of one image share their first four fields
(:class:`ImageTarget`); those that run several methods read the left column's five method
settings through :class:`MethodOptions`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.attribution import METHODS, AttributionMethod, Baseline
from tabs.common.colours import SEQUENTIAL
from tabs.common.view import linked


class MethodOptions:
    """The methods' settings of the left column (Grad-CAM layer, IG steps and baseline,
    Occlusion window and stride) as keyword arguments of ``core.attribution``, which checks
    them. A view without an IG baseline field uses the black one."""

    layer: str | None
    steps: int
    window: float | None
    stride: float | None
    baseline: Baseline | None = "black"

    def method_options(self) -> dict[str, Any]:
        """``layer``, ``steps``, ``baseline``, ``window`` and ``stride`` for core."""
        return dict(layer=self.layer, steps=self.steps, baseline=self.baseline or "black",
                    window=self.window, stride=self.stride)


@dataclass(frozen=True)
class ModelChoice:
    """The model whose layers the pickers list."""

    model: str = "resnet18"


@dataclass(frozen=True)
class ImageChoice:
    """The image and the model that classifies it, and the class index behind each label the
    last classification showed."""

    example: str = "both.png"
    upload: str | None = None
    model: str = "resnet18"
    shown_classes: dict[str, int] | None = None


@dataclass(frozen=True)
class TargetChoice:
    """The target class to describe."""

    model: str = "resnet18"
    target: float | None = 0


@dataclass(frozen=True)
class PredictionPick:
    """A click on a prediction: the class index behind each shown label, the current target."""

    shown_classes: dict[str, int] | None = None
    target: float | None = 0


@dataclass(frozen=True)
class ImageTarget:
    """The first four fields of every view that explains one image: what a link carries."""

    example: str = linked("image", "both.png")
    upload: str | None = None
    model: str = linked("model", "resnet18")
    target: float | None = linked("target", 0)


@dataclass(frozen=True)
class CompareSettings(MethodOptions, ImageTarget):
    """Every method side by side."""

    layer: str | None = linked("layer", None)
    steps: int = 32
    baseline: Baseline | None = "black"
    opacity: float = 0.7
    cmap: str = SEQUENTIAL
    window: float | None = 32
    stride: float | None = 16


@dataclass(frozen=True)
class RedrawSettings:
    """A computed comparison drawn again."""

    results: tuple | None = None
    opacity: float = 0.7
    cmap: str = SEQUENTIAL


@dataclass(frozen=True)
class BaselinesSettings(ImageTarget):
    """Integrated Gradients with each baseline."""

    steps: int = 32
    opacity: float = 0.7
    cmap: str = SEQUENTIAL


@dataclass(frozen=True)
class DepthSettings(ImageTarget):
    """Grad-CAM at several layers."""

    layers: tuple[str, ...] | list[str] | None = ()
    opacity: float = 0.7
    cmap: str = SEQUENTIAL


@dataclass(frozen=True)
class StepsSettings(ImageTarget):
    """Grad-CAM step by step at one layer."""

    layer: str | None = linked("layer", None)
    opacity: float = 0.7
    cmap: str = SEQUENTIAL


@dataclass(frozen=True)
class ClassesSettings(MethodOptions, ImageTarget):
    """One method for two classes."""

    second: float | None = 1
    method: AttributionMethod = linked("method", "gradcam")
    layer: str | None = linked("layer", None)
    steps: int = 32
    opacity: float = 0.7
    cmap: str = SEQUENTIAL
    window: float | None = 32
    stride: float | None = 16


@dataclass(frozen=True)
class StabilitySettings(MethodOptions, ImageTarget):
    """One method with and without noise."""

    method: AttributionMethod = "saliency"
    noise_percent: float = 1.0
    top_k: float = 10
    layer: str | None = linked("layer", None)
    steps: int = 32
    baseline: Baseline | None = "black"
    cmap: str = SEQUENTIAL
    window: float | None = 32
    stride: float | None = 16


@dataclass(frozen=True)
class StabilityAllSettings(MethodOptions, ImageTarget):
    """Every method with and without noise."""

    noise_percent: float = 1.0
    top_k: float = 10
    layer: str | None = linked("layer", None)
    steps: int = 32
    baseline: Baseline | None = "black"
    window: float | None = 32
    stride: float | None = 16


@dataclass(frozen=True)
class DeletionSettings(MethodOptions, ImageTarget):
    """Deletion and insertion curves of the chosen methods."""

    methods: Sequence[AttributionMethod] | None = METHODS
    replacement: Baseline = "blurred"
    shown: str | None = "5, 10, 25"
    layer: str | None = linked("layer", None)
    steps: int = 32
    baseline: Baseline | None = "black"
    window: float | None = 32
    stride: float | None = 16
    cmap: str = SEQUENTIAL


@dataclass(frozen=True)
class SanitySettings(MethodOptions, ImageTarget):
    """The cascading randomization of the chosen methods."""

    methods: Sequence[AttributionMethod] | None = METHODS
    layer: str | None = linked("layer", None)
    steps: int = 32
    baseline: Baseline | None = "black"
    window: float | None = 32
    stride: float | None = 16
    cmap: str = SEQUENTIAL
