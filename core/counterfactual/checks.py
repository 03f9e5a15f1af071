"""Is it real or is it noise? Three checks for a counterfactual.

(a) A *second* model: does another ImageNet classifier also see the target? (b) Robustness:
does it stay the target after JPEG compression at quality 75 (Pillow) and after a shift by 2
pixels (torchvision's ``affine``)? (c) Grad-CAM (captum, through ``core.attribution.explain``)
for the original and the target class on the counterfactual. A check keeps the target by the
rule the run itself stops by (:func:`~core.counterfactual.targets.reaches` at the run's
threshold).

A pixel-space counterfactual (method 1) is an image: the checks classify the changed image.
A region swap (method 2) is a change of features: the checks replay the same cell pairs on the
compressed or shifted pictures, or in the second model's own feature grid
(``core.counterfactual.swap.replay``). Adversarial changes usually fail (a) and (b): they are
tuned to the exact pixels and the exact model (Szegedy et al. 2013, arXiv:1312.6199; Guo et
al. 2017 on JPEG as a defence, arXiv:1711.00117).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
import torchvision.transforms.functional as TF
from PIL import Image

from core.attribution import Explanation, explain
from core.cache import ResultCache
from core.checks import read_only
from core.counterfactual.results import Counterfactual
from core.counterfactual.swap import CannotSwap, RegionSwap, replay
from core.counterfactual.targets import (
    Target,
    best_in_target,
    reaches,
    target_log_probability,
)
from core.models import LoadedModel, ModelManager, WeightsUnavailableError
from core.predictions import Prediction, top_predictions
from core.preprocess import image_digest, normalise, view_and_pixels

JPEG_QUALITY = 75
SHIFT = 2
_CACHE = ResultCache("counterfactual.checks", maxsize=32)

CheckKind = Literal["second_model", "jpeg", "shift"]
"""The checks: another classifier, JPEG at :data:`JPEG_QUALITY`, a shift by :data:`SHIFT`
pixels."""
SkipReason = Literal["no_second_model", "grid", "head"]
"""Why the second-model check did not run: no other classifier with the same classes has its
weights here; or the second model cannot replay a region swap (:class:`CannotSwap`)."""


@dataclass(frozen=True)
class Skipped:
    """Why a check could not run, with what a sentence about it needs.

    ``no_second_model``: ``wanted`` are the titles of the classifiers whose weights would do;
    ``grid``: the second model's ``layer`` has the ``grid`` (h, w), not the swap's
    ``expected`` one; ``head``: the second model's network does not work on the output of
    ``layer`` alone.
    """

    reason: SkipReason
    wanted: tuple[str, ...] = ()
    layer: str = ""
    grid: tuple[int, int] = (0, 0)
    expected: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class CheckOutcome:
    """One check of ``kind``: what the model says under it, and whether the target survives.

    ``model`` is the second model's title (kind ``second_model``, once one was found);
    ``holds`` is ``None`` when the check could not run (``skipped`` says why).
    """

    kind: CheckKind
    holds: bool | None
    prediction: Prediction | None = None
    target_probability: float | None = None
    model: str = ""
    skipped: Skipped | None = None


@dataclass(frozen=True)
class RealityChecks:
    """(a) second model, (b) JPEG and shift as ``outcomes``; (c) Grad-CAM maps (method 1 only)
    for the original class and the target class on the counterfactual."""

    outcomes: tuple[CheckOutcome, ...]
    gradcam_original: Explanation | None = None
    gradcam_target: Explanation | None = None

    @property
    def gradcams(self) -> tuple[Explanation, Explanation]:
        """The Grad-CAM maps (original class, target class) of a pixel counterfactual."""
        if self.gradcam_original is None or self.gradcam_target is None:
            raise ValueError("Only the checks of a pixel counterfactual have Grad-CAM maps.")
        return self.gradcam_original, self.gradcam_target

    @property
    def passed(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.holds)

    @property
    def ran(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.holds is not None)


def jpeg(image: np.ndarray, quality: int = JPEG_QUALITY) -> np.ndarray:
    """``image`` (H, W, 3) uint8 after saving and loading it as a JPEG of ``quality`` (Pillow)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    return read_only(np.asarray(Image.open(buffer).convert("RGB")))


def shift(image: np.ndarray, pixels: int = SHIFT) -> np.ndarray:
    """``image`` moved ``pixels`` to the right and down (torchvision ``affine``, black border)."""
    tensor = torch.from_numpy(np.array(image, dtype=np.uint8)).permute(2, 0, 1)
    moved = TF.affine(tensor, angle=0.0, translate=[pixels, pixels], scale=1.0, shear=[0.0, 0.0])
    return read_only(moved.permute(1, 2, 0).numpy())


def second_model(models: ModelManager,
                 model: LoadedModel) -> tuple[LoadedModel | None, tuple[str, ...]]:
    """Another usable classifier with the same classes, preferring the offline model, and no
    titles; else ``None`` and the titles of the other classifiers (whose weights the check would
    need). Never downloads: only models whose weights are here."""
    names = [name for name in models.names("classifier") if name != model.name]
    names.sort(key=lambda name: name != models.fallback)
    for name in names:
        if models.status(name) not in ("ready", "cached"):
            continue
        try:
            other = models.get(name)
        except WeightsUnavailableError:
            continue
        if len(other.categories) == len(model.categories):
            return other, ()
    return None, tuple(models.spec(n).title for n in names)


def _outcome(kind: CheckKind, model: LoadedModel, logits: torch.Tensor, target: Target,
             threshold: float, title: str = "") -> CheckOutcome:
    """What ``model`` says for ``logits`` (1, classes); the target holds when its probability
    reaches ``threshold``."""
    top = top_predictions(logits, model.categories, 1)[0]
    probability = float(target_log_probability(logits, target.indices(logits.device)).exp())
    return CheckOutcome(kind=kind, holds=reaches(probability, threshold), prediction=top,
                        target_probability=probability, model=title)


def _logits(model: LoadedModel, images: list[np.ndarray]) -> torch.Tensor:
    pixels = torch.cat([view_and_pixels(image, model.spec.input_size)[1] for image in images])
    with model.lock, torch.inference_mode():
        return model.network(normalise(pixels, model.spec, model.device)).float()


def check_counterfactual(models: ModelManager, model: LoadedModel,
                         result: Counterfactual) -> RealityChecks:
    """The three checks for a method-1 result (cached by model, image, target and threshold)."""
    key = ("pixel", model.name, image_digest(result.image), result.target,
           result.params.threshold)
    return _CACHE.get_or_compute(key, lambda: _check_pixels(models, model, result))


def _on_second_model(models: ModelManager, model: LoadedModel, target: Target, threshold: float,
                     logits_of: Callable[[LoadedModel], torch.Tensor]) -> CheckOutcome:
    """The result under another classifier (``logits_of(other)``), or why that check could not
    run (no second model here, or one that cannot replay the swap)."""
    other, wanted = second_model(models, model)
    if other is None:
        return CheckOutcome(kind="second_model", holds=None,
                            skipped=Skipped("no_second_model", wanted=wanted))
    title = other.spec.title
    try:
        return _outcome("second_model", other, logits_of(other), target, threshold, title)
    except CannotSwap as error:
        return CheckOutcome(kind="second_model", holds=None, model=title,
                            skipped=Skipped(error.reason, layer=error.layer, grid=error.grid,
                                            expected=error.expected))


def _check_pixels(models, model, result: Counterfactual) -> RealityChecks:
    target, threshold = result.target, result.params.threshold
    first = _on_second_model(models, model, target, threshold,
                             lambda other: _logits(other, [result.image]))
    logits = _logits(model, [jpeg(result.image), shift(result.image)])
    robust = (_outcome("jpeg", model, logits[:1], target, threshold),
              _outcome("shift", model, logits[1:], target, threshold))
    probabilities = _logits(model, [result.image])[0].softmax(dim=0)
    goal = best_in_target(probabilities, target)
    maps = [explain(model, result.image, method="gradcam", target=index)
            for index in (target.original, goal)]
    return RealityChecks(outcomes=(first, *robust), gradcam_original=maps[0],
                         gradcam_target=maps[1])


def check_swap(models: ModelManager, model: LoadedModel, result: RegionSwap) -> RealityChecks:
    """The checks for a region swap: its cell pairs replayed under a second model, on JPEG
    compressed and on shifted pictures (cached)."""
    key = ("swap", model.name, image_digest(result.view), image_digest(result.dog_view),
           result.swaps, result.layer, result.target, result.threshold)
    return _CACHE.get_or_compute(key, lambda: _check_swap(models, model, result))


def _check_swap(models, model, result: RegionSwap) -> RealityChecks:
    target, threshold = result.target, result.threshold
    first = _on_second_model(models, model, target, threshold, lambda other: replay(
        other, result.view, result.dog_view, result.swaps, grid=result.grid))
    outcomes = [first]
    changes: tuple[tuple[CheckKind, Callable[[np.ndarray], np.ndarray]], ...] = (
        ("jpeg", jpeg), ("shift", shift))
    for kind, change in changes:
        logits = replay(model, change(result.view), change(result.dog_view), result.swaps,
                        layer=result.layer, grid=result.grid)
        outcomes.append(_outcome(kind, model, logits, target, threshold))
    return RealityChecks(outcomes=tuple(outcomes))

