"""The Counterfactual tab's settings: one frozen dataclass per view, its fields in the order of
the API's positional parameters, its defaults those of the page (core's ``PixelParams()`` and
``SwapParams()``)."""

from __future__ import annotations

from dataclasses import dataclass

from core.counterfactual import PixelParams, TargetKind, pixel_params
from core.counterfactual.swap import SwapParams
from tabs.common.view import linked

#: The target radio's values (what the API sends) → core's target kinds.
TARGETS: dict[str, TargetKind] = {"any dog": "dog", "one class": "class",
                                  "any class but the current one": "other"}
EXAMPLE, DOG, MODEL, KIND, CLASS_INDEX = "chelsea.png", "puppies.jpg", "vgg16", "any dog", 207
WEIGHTS = "0, 1, 3, 10"
_PIXEL, _SWAP = PixelParams(), SwapParams()


@dataclass(frozen=True)
class ModelSettings:
    """The model to load (the offline one when its weights are missing)."""

    model: str = MODEL


@dataclass(frozen=True)
class ImageSettings:
    """The start image and the model that classifies it."""

    example: str = EXAMPLE
    upload: str | None = None
    model: str = MODEL


@dataclass(frozen=True)
class PictureSettings:
    """The start image alone (the region editor's background)."""

    example: str = EXAMPLE
    upload: str | None = None


@dataclass(frozen=True)
class TargetSettings:
    """What counts as the target."""

    model: str = MODEL
    kind: str = KIND
    class_index: float | None = CLASS_INDEX


@dataclass(frozen=True)
class NoSettings:
    """A view that reads no field (Cancel: only the session)."""


@dataclass(frozen=True)
class PixelSettings:
    """Method 1 (Wachter et al.): the start, an optional painted region and the knobs."""

    example: str = linked("image", EXAMPLE)
    upload: str | None = None
    model: str = linked("model", MODEL)
    kind: str = linked("method", KIND)
    class_index: float | None = linked("target", CLASS_INDEX)
    use_region: bool = False
    editor: dict | None = None
    weight: float = _PIXEL.weight
    distance: str = _PIXEL.distance.upper()
    smoothness: float = _PIXEL.smoothness
    step_size: float = _PIXEL.step_size
    max_steps: int = _PIXEL.max_steps
    threshold: float = _PIXEL.threshold
    seed: int | None = 0


@dataclass(frozen=True)
class TradeoffSettings:
    """Method 1 for several proximity weights (``weights`` replaces the single ``weight``)."""

    example: str = EXAMPLE
    upload: str | None = None
    model: str = MODEL
    kind: str = KIND
    class_index: float | None = CLASS_INDEX
    use_region: bool = False
    editor: dict | None = None
    weights: str = WEIGHTS
    weight: float = _PIXEL.weight
    distance: str = _PIXEL.distance.upper()
    smoothness: float = _PIXEL.smoothness
    step_size: float = _PIXEL.step_size
    max_steps: int = _PIXEL.max_steps
    threshold: float = _PIXEL.threshold
    seed: int | None = 0


@dataclass(frozen=True)
class SwapSettings:
    """Method 2 (Goyal et al.): the start and a picture of the target to take cells from."""

    example: str = EXAMPLE
    upload: str | None = None
    model: str = MODEL
    kind: str = KIND
    class_index: float | None = CLASS_INDEX
    dog_example: str = DOG
    dog_upload: str | None = None
    max_cells: int = _SWAP.max_cells
    candidates: int = _SWAP.candidates
    threshold: float = _SWAP.threshold


Start = PixelSettings | TradeoffSettings | SwapSettings
"""Settings with a start: image, model and target."""
Knobs = PixelSettings | TradeoffSettings
"""Settings with method 1's knobs."""


def core_params(settings: Knobs) -> PixelParams:
    """Method 1's knobs as checked core parameters (core refuses what is wrong)."""
    s = settings
    return pixel_params(weight=s.weight, distance=str(s.distance).lower(),
                        smoothness=s.smoothness, step_size=s.step_size,
                        max_steps=s.max_steps, threshold=s.threshold)


def random_seed(settings: Knobs) -> int:
    """The seed typed (0 for an empty field; core checks the rest)."""
    return 0 if settings.seed in (None, "") else settings.seed
