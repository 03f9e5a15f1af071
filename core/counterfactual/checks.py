"""Is it real or is it noise? Three checks for a counterfactual.

(a) A *second* model: does another ImageNet classifier also see the target? (b) Robustness:
does it stay the target after JPEG compression at quality 75 (Pillow) and after a shift by 2
pixels (torchvision's ``affine``)? (c) Grad-CAM (captum, through ``core.attribution.explain``)
for the original and the target class on the counterfactual.

A pixel-space counterfactual (method 1) is an image: the checks classify the changed image.
A region swap (method 2) is a change of features: the checks replay the same cell pairs on the
compressed or shifted pictures, or in the second model's own feature grid
(``core.counterfactual.swap.replay``). Adversarial changes usually fail (a) and (b): they are
tuned to the exact pixels and the exact model (Szegedy et al. 2013, arXiv:1312.6199; Guo et
al. 2017 on JPEG as a defence, arXiv:1711.00117).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch
import torchvision.transforms.functional as TF
from PIL import Image

from core.attribution import Explanation, explain
from core.cache import ResultCache
from core.checks import InputError, read_only
from core.counterfactual.results import Counterfactual
from core.counterfactual.swap import RegionSwap, replay
from core.counterfactual.targets import Target, best_in_target, target_log_probability
from core.models import LoadedModel, ModelManager, WeightsUnavailableError
from core.predictions import Prediction, top_predictions
from core.preprocess import image_digest, normalise, view_and_pixels

JPEG_QUALITY = 75
SHIFT = 2
_CACHE = ResultCache(maxsize=32)


@dataclass(frozen=True)
class CheckOutcome:
    """One check: what the model says under it, and whether the target survives.

    ``holds`` is ``None`` when the check could not run (``note`` says why, in English and
    German).
    """

    name: str
    holds: bool | None
    prediction: Prediction | None = None
    target_probability: float | None = None
    note: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class RealityChecks:
    """(a) second model, (b) JPEG and shift as ``outcomes``; (c) Grad-CAM maps (method 1 only)
    for the original class and the target class on the counterfactual."""

    outcomes: tuple[CheckOutcome, ...]
    gradcam_original: Explanation | None = None
    gradcam_target: Explanation | None = None

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
                 model: LoadedModel) -> tuple[LoadedModel | None, tuple[str, str]]:
    """Another usable classifier with the same classes, preferring the offline model; else
    ``None`` and a sentence (English, German) saying why. Never downloads: only models whose
    weights are here."""
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
            return other, ("", "")
    wanted = ", ".join(models.spec(n).title for n in names)
    return None, (f"No second model with weights available here: the check needs the weights of "
                  f"another classifier with the same classes ({wanted or 'another classifier'}).",
                  "Kein zweites Modell mit Gewichten verfügbar: Die Prüfung braucht die Gewichte "
                  "eines anderen Klassifikators mit denselben Klassen "
                  f"({wanted or 'ein anderer Klassifikator'}).")


def _outcome(name: str, model: LoadedModel, logits: torch.Tensor, target: Target) -> CheckOutcome:
    top = top_predictions(logits, model.categories, 1)[0]
    probability = float(target_log_probability(logits, target.indices(logits.device)).exp())
    return CheckOutcome(name=name, holds=top.index in target, prediction=top,
                        target_probability=probability)


def _logits(model: LoadedModel, images: list[np.ndarray]) -> torch.Tensor:
    pixels = torch.cat([view_and_pixels(image, model.spec.input_size)[1] for image in images])
    with model.lock, torch.inference_mode():
        return model.network(normalise(pixels, model.spec, model.device)).float()


def check_counterfactual(models: ModelManager, model: LoadedModel,
                         result: Counterfactual) -> RealityChecks:
    """The three checks for a method-1 result (cached by model and image)."""
    key = ("pixel", model.name, image_digest(result.image), result.target)
    return _CACHE.get_or_compute(key, lambda: _check_pixels(models, model, result))


def _on_second_model(models: ModelManager, model: LoadedModel, target: Target,
                     logits_of) -> CheckOutcome:
    """The result under another classifier (``logits_of(other)``), or a note saying why that
    check could not run (no second model here, or one that cannot replay the result)."""
    other, why = second_model(models, model)
    if other is None:
        return CheckOutcome(name="second model", holds=None, note=why)
    name = f"second model ({other.spec.title})"
    try:
        return _outcome(name, other, logits_of(other), target)
    except InputError as error:
        return CheckOutcome(name=name, holds=None, note=(str(error), error.in_language("de")))


def _check_pixels(models, model, result: Counterfactual) -> RealityChecks:
    target = result.target
    first = _on_second_model(models, model, target, lambda other: _logits(other, [result.image]))
    logits = _logits(model, [jpeg(result.image), shift(result.image)])
    robust = (_outcome(f"JPEG, quality {JPEG_QUALITY}", model, logits[:1], target),
              _outcome(f"{SHIFT}-pixel shift", model, logits[1:], target))
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
           result.swaps, result.layer, result.target)
    return _CACHE.get_or_compute(key, lambda: _check_swap(models, model, result))


def _check_swap(models, model, result: RegionSwap) -> RealityChecks:
    target = result.target
    first = _on_second_model(models, model, target, lambda other: replay(
        other, result.view, result.dog_view, result.swaps, grid=result.grid))
    outcomes = [first]
    for name, change in ((f"JPEG, quality {JPEG_QUALITY}", jpeg), (f"{SHIFT}-pixel shift", shift)):
        logits = replay(model, change(result.view), change(result.dog_view), result.swaps,
                        layer=result.layer, grid=result.grid)
        outcomes.append(_outcome(name, model, logits, target))
    return RealityChecks(outcomes=tuple(outcomes))


def clear_cache() -> None:
    """Forget cached checks."""
    _CACHE.clear()
