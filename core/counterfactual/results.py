"""What the counterfactual methods hand back: typed results, distances a student can read, and
the exception that ends a cancelled run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.counterfactual.targets import Target, reaches
from core.predictions import Prediction

Distance = Literal["l2", "l1"]
DISTANCES: tuple[Distance, ...] = ("l2", "l1")
CHANGED_LEVELS = 2
"""A pixel counts as changed when one of its channels moved by more than 2 of 255 levels."""


class CounterfactualCancelled(Exception):
    """Raised inside a search when ``should_stop()`` became true (the student pressed Cancel)."""


def stop_check(should_stop) -> None:
    if should_stop is not None and should_stop():
        raise CounterfactualCancelled("Stopped.")


@dataclass(frozen=True)
class PixelParams:
    """Method 1's knobs (Wachter et al. 2017), already checked
    (:func:`core.counterfactual.pixel_params`).

    ``weight``: the proximity weight λ; ``distance``: ``l2`` = root mean square change,
    ``l1`` = mean absolute change, both in 0–255 pixel units; ``smoothness``: weight of the
    total variation of the change; ``step_size``: Adam's learning rate in 0–255 units (about
    the largest change of a pixel per step); ``threshold``: stop once the target's
    probability reaches it.
    """

    weight: float = 1.0
    distance: Distance = "l2"
    smoothness: float = 0.0
    step_size: float = 1.0
    max_steps: int = 100
    threshold: float = 0.5


@dataclass(frozen=True)
class Distances:
    """How far the counterfactual is from the original, in 0–255 pixel units.

    ``rms``: the L2 distance as a root mean square over all values; ``norm``: the plain
    Euclidean norm; ``linf``: the largest change of any value; ``mean_abs``: the L1 distance
    per value; ``changed``: share (0–1) of pixels with a channel changed by > 2 levels.
    """

    rms: float
    norm: float
    linf: float
    mean_abs: float
    changed: float


def measure_distances(original: np.ndarray, changed: np.ndarray) -> Distances:
    """:class:`Distances` between two ``(H, W, 3)`` uint8 images of the same shape."""
    if original.shape != changed.shape:
        raise ValueError("Both images must have the same size to measure their distance.")
    difference = changed.astype(np.float64) - original.astype(np.float64)
    return Distances(rms=float(np.sqrt(np.mean(difference ** 2))),
                     norm=float(np.sqrt(np.sum(difference ** 2))),
                     linf=float(np.abs(difference).max(initial=0.0)),
                     mean_abs=float(np.abs(difference).mean()),
                     changed=float((np.abs(difference) > CHANGED_LEVELS).any(axis=-1).mean()))


@dataclass(frozen=True)
class PixelProgress:
    """The state after ``step`` gradient steps, one row per proximity weight still running.

    ``images``: (B, S, S, 3) uint8; ``p_original``, ``p_target``, ``distance`` (0–255 units,
    as in the loss): (B,) float32; ``weights``: the B weights; ``done``: (B,) bool.
    """

    step: int
    weights: tuple[float, ...]
    images: np.ndarray
    p_original: np.ndarray
    p_target: np.ndarray
    distance: np.ndarray
    done: np.ndarray


@dataclass(frozen=True)
class Counterfactual:
    """One pixel-space counterfactual (method 1) for one proximity weight.

    ``view`` and ``image``: (S, S, 3) uint8, the original as the model sees it and the
    counterfactual rounded to 8-bit pixels; ``mask``: (S, S) bool, where pixels were allowed
    to change (``None``: everywhere); ``p_original``, ``p_target``, ``distance``: (steps + 1,)
    float32, the curves during the optimisation (index 0 = the start). ``predictions`` (top 5),
    ``target_probability`` and ``reached`` describe the 8-bit ``image``; ``closest`` is the
    highest target probability seen during the optimisation.
    """

    model: str
    target: Target
    original_label: str
    params: PixelParams
    seed: int
    view: np.ndarray
    image: np.ndarray
    mask: np.ndarray | None
    steps: int
    p_original: np.ndarray
    p_target: np.ndarray
    distance: np.ndarray
    predictions: tuple[Prediction, ...]
    target_probability: float
    closest: float
    distances: Distances
    seconds: float

    @property
    def reached(self) -> bool:
        """Whether the 8-bit counterfactual counts as the target (:func:`reaches`)."""
        return reaches(self.target_probability, self.params.threshold)

    @property
    def switched_to(self) -> Prediction | None:
        """The new top class when it belongs to the target, else ``None``."""
        top = self.predictions[0]
        return top if top.index in self.target else None


@dataclass(frozen=True)
class TradeOff:
    """Method 1 for several proximity weights on the same image, in the order asked."""

    runs: tuple[Counterfactual, ...]

    @property
    def weights(self) -> tuple[float, ...]:
        return tuple(run.params.weight for run in self.runs)
