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
class Start:
    """The start every method shares: the image, the model and what counts as the target."""

    example: str = linked("image", EXAMPLE)
    upload: str | None = None
    model: str = linked("model", MODEL)
    kind: str = linked("method", KIND)
    class_index: float | None = linked("target", CLASS_INDEX)


@dataclass(frozen=True)
class Knobs:
    """Method 1's knobs, the last fields of its views."""

    weight: float = _PIXEL.weight
    distance: str = _PIXEL.distance.upper()
    smoothness: float = _PIXEL.smoothness
    step_size: float = _PIXEL.step_size
    max_steps: int = _PIXEL.max_steps
    threshold: float = _PIXEL.threshold
    seed: int | None = 0

    def params(self) -> PixelParams:
        """The knobs as checked core parameters (core refuses what is wrong)."""
        return pixel_params(weight=self.weight, distance=str(self.distance).lower(),
                            smoothness=self.smoothness, step_size=self.step_size,
                            max_steps=self.max_steps, threshold=self.threshold)

    @property
    def random_seed(self) -> int:
        """The seed (0 for an empty field; core checks the rest)."""
        return 0 if self.seed in (None, "") else self.seed


# A view's own fields come before the knobs: a dataclass collects fields from the end of its
# bases (``class PixelSettings(Knobs, _Region)``: the fields of ``_Region``, then the knobs).


@dataclass(frozen=True)
class _Region(Start):
    use_region: bool = False
    editor: dict | None = None


@dataclass(frozen=True)
class PixelSettings(Knobs, _Region):
    """Method 1 (Wachter et al.): the start, an optional painted region and the knobs."""


@dataclass(frozen=True)
class _Sweep(_Region):
    weights: str = WEIGHTS


@dataclass(frozen=True)
class TradeoffSettings(Knobs, _Sweep):
    """Method 1 for several proximity weights (``weights`` replaces the single ``weight``)."""


@dataclass(frozen=True)
class SwapSettings(Start):
    """Method 2 (Goyal et al.): the start and a picture of the target to take cells from."""

    dog_example: str = DOG
    dog_upload: str | None = None
    max_cells: int = _SWAP.max_cells
    candidates: int = _SWAP.candidates
    threshold: float = _SWAP.threshold
