"""Attribution maps through captum: saliency, Integrated Gradients, Grad-CAM, Guided Grad-CAM.

Every method runs through captum (we do not re-implement them); this module prepares the
input, picks the layer, holds the shared model's lock for the whole captum call (captum
registers hooks on the model) and turns the result into a frozen dataclass of numpy arrays.

Papers: saliency — Simonyan et al. 2013 (arXiv:1312.6034); Integrated Gradients — Sundararajan
et al. 2017 (arXiv:1703.01365); Grad-CAM and Guided Grad-CAM — Selvaraju et al. 2017
(arXiv:1610.02391); guided backpropagation — Springenberg et al. 2014 (arXiv:1412.6806).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from typing import Callable, Literal, Sequence

import numpy as np
import torch
import torchvision.transforms.functional as TF
from captum.attr import (
    GuidedBackprop,
    GuidedGradCam,
    IntegratedGradients,
    LayerActivation,
    LayerAttribution,
    LayerGradCam,
    LayerGradientXActivation,
    Saliency,
)
from torch import nn

warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU activations")

from core.cache import ResultCache
from core.layers import TOP_LEVEL_GROUP, LayerInfo
from core.models import LoadedModel
from core.predictions import Prediction, top_predictions
from core.preprocess import check_rgb, image_digest, model_view, normalise, to_pixels

Method = Literal["saliency", "integrated_gradients", "gradcam", "guided_gradcam"]
Baseline = Literal["black", "white", "noise", "blurred"]
Progress = Callable[[float, str], None]

METHODS: tuple[Method, ...] = ("saliency", "integrated_gradients", "gradcam", "guided_gradcam")
METHOD_TITLES = {"saliency": "Saliency", "integrated_gradients": "Integrated Gradients",
                 "gradcam": "Grad-CAM", "guided_gradcam": "Guided Grad-CAM"}
BASELINES: tuple[Baseline, ...] = ("black", "white", "noise", "blurred")
MAX_STEPS = 1000
DEFAULT_BATCH = 16

_CACHE = ResultCache(maxsize=128)


@dataclass(frozen=True)
class ClassMatch:
    """A class whose name contains the search text."""

    index: int
    label: str


@dataclass(frozen=True)
class Completeness:
    """IG's completeness check: ``attribution_sum`` should equal ``score_input - score_baseline``.

    Scores are the target's logit; ``delta`` is captum's convergence delta (sum − difference).
    """

    attribution_sum: float
    score_input: float
    score_baseline: float
    delta: float

    @property
    def difference(self) -> float:
        return self.score_input - self.score_baseline


@dataclass(frozen=True)
class Explanation:
    """One attribution map.

    ``map``: (S, S) float32, ≥ 0, at the model's input size (|grad| or |IG| max over colour
    channels; Grad-CAM after ReLU, upsampled bilinearly); ``view``: (S, S, 3) uint8, the picture
    the model saw; ``completeness`` only for Integrated Gradients. Arrays are read-only.
    """

    model: str
    method: Method
    target: int
    label: str
    map: np.ndarray
    view: np.ndarray
    layer: str | None = None
    baseline: Baseline | None = None
    steps: int | None = None
    completeness: Completeness | None = None
    seconds: float = 0.0

    @property
    def title(self) -> str:
        extra = {"integrated_gradients": f" ({self.baseline}, {self.steps} steps)",
                 "gradcam": f" @ {self.layer}", "guided_gradcam": f" @ {self.layer}"}
        return METHOD_TITLES[self.method] + extra.get(self.method, "")


@dataclass(frozen=True)
class GradCamSteps:
    """Grad-CAM's five steps for one target at one layer.

    ``feature_maps``: (C, h, w) activations A_k; ``weights``: (C,) α_k = mean of ∂y/∂A_k over
    positions; ``weighted_sum``: (h, w) Σ_k α_k A_k; ``relu``: (h, w) max(0, ·);
    ``upsampled``: (S, S) the ReLU map interpolated bilinearly to the input size.
    """

    model: str
    layer: str
    target: int
    label: str
    feature_maps: np.ndarray
    weights: np.ndarray
    weighted_sum: np.ndarray
    relu: np.ndarray
    upsampled: np.ndarray
    view: np.ndarray


# ---------------------------------------------------------------------------------------------
# classes


def find_class(categories: Sequence[str], query: str, *, limit: int = 10) -> tuple[ClassMatch, ...]:
    """Classes whose name contains ``query`` (case-insensitive), like the notebook's find_class.

    A whole number is accepted as a class index. Raises ``ValueError`` when nothing matches.
    """
    text = (query or "").strip()
    if not text:
        raise ValueError("Type part of a class name to search for, e.g. 'cat'.")
    if text.lstrip("#").isdigit():
        index = check_target(categories, target=int(text.lstrip("#")))
        return (ClassMatch(index, categories[index]),)
    matches = [ClassMatch(i, name) for i, name in enumerate(categories) if text.lower() in name.lower()]
    if not matches:
        raise ValueError(f"No class name contains '{text}'. Try a shorter or an English word.")
    return tuple(matches[:limit])


def check_target(categories: Sequence[str], *, target: int | float | None) -> int:
    """The class index as an int; ``ValueError`` when it is missing, fractional or out of range."""
    count = len(categories)
    if target is None or int(target) != target:
        raise ValueError(f"The target class must be a whole number from 0 to {count - 1}.")
    if not 0 <= int(target) < count:
        raise ValueError(f"Class index {int(target)} is out of range: this model knows "
                         f"classes 0 to {count - 1}.")
    return int(target)


def classify(model: LoadedModel, image: np.ndarray, *, top_k: int = 5) -> tuple[Prediction, ...]:
    """The model's ``top_k`` classes for ``image`` (RGB uint8), best first (cached)."""
    check_rgb(image)
    key = ("classify", model.name, image_digest(image), top_k)

    def compute():
        view, pixels = _pixels(model, image)
        with model.lock, torch.no_grad():
            logits = model.network(_normalise(model, pixels))
        return top_predictions(logits, model.categories, top_k)

    return _CACHE.get_or_compute(key, compute)


# ---------------------------------------------------------------------------------------------
# one method


def explain(model: LoadedModel, image: np.ndarray, *, method: Method, target: int,
            layer: str | None = None, steps: int = 50, baseline: Baseline = "black",
            internal_batch_size: int = DEFAULT_BATCH, seed: int = 0,
            use_cache: bool = True) -> Explanation:
    """One attribution map of ``image`` (RGB uint8, any size) for class ``target``.

    ``layer`` (Grad-CAM, Guided Grad-CAM) defaults to the model's Grad-CAM layer; ``steps``,
    ``baseline``, ``internal_batch_size`` and ``seed`` (noise baseline) are for IG. Results are
    cached by their inputs; ``use_cache=False`` always computes.
    """
    check_rgb(image)
    options = _options(model, method=method, target=target, layer=layer, steps=steps,
                       baseline=baseline, internal_batch_size=internal_batch_size)
    key = ("explain", model.name, image_digest(image), tuple(sorted(options.items())), seed)
    compute = lambda: _explain_pixels(model, *_pixels(model, image), seed=seed, **options)
    return _CACHE.get_or_compute(key, compute) if use_cache else compute()


def explain_pixels(model: LoadedModel, pixels: torch.Tensor, *, method: Method, target: int,
                   layer: str | None = None, steps: int = 50, baseline: Baseline = "black",
                   internal_batch_size: int = DEFAULT_BATCH, seed: int = 0) -> Explanation:
    """Like :func:`explain` for a ``(1, 3, S, S)`` float tensor of pixels in [0, 1] (not cached).

    Used for inputs that are not exact uint8 images, e.g. with a little noise added.
    """
    if pixels.dim() != 4 or pixels.shape[:2] != (1, 3):
        raise ValueError("Expected pixels of shape (1, 3, S, S) with values in [0, 1].")
    options = _options(model, method=method, target=target, layer=layer, steps=steps,
                       baseline=baseline, internal_batch_size=internal_batch_size)
    size = model.spec.input_size
    if pixels.shape[2:] != (size, size):
        pixels = torch.nn.functional.interpolate(pixels, size=(size, size), mode="bilinear",
                                                 align_corners=False)
    pixels = pixels.detach().float().cpu().clamp(0, 1).contiguous()
    view = (pixels[0].permute(1, 2, 0) * 255).round().byte().numpy()
    return _explain_pixels(model, view, pixels, seed=seed, **options)


def _options(model: LoadedModel, *, method, target, layer, steps, baseline,
             internal_batch_size) -> dict:
    """Validate and normalise the options; unused ones are set to None (better cache keys)."""
    if method not in METHODS:
        raise ValueError(f"Unknown method '{method}'. Choose one of: {', '.join(METHODS)}.")
    target = check_target(model.categories, target=target)
    options = dict(method=method, target=target, layer=None, steps=None, baseline=None,
                   internal_batch_size=None)
    if method in ("gradcam", "guided_gradcam"):
        options["layer"] = _check_layer(model, layer or model.spec.default_layers["gradcam"])
    if method == "integrated_gradients":
        if steps is None or int(steps) != steps or not 1 <= steps <= MAX_STEPS:
            raise ValueError(f"Integrated Gradients needs between 1 and {MAX_STEPS} steps "
                             f"(you asked for {steps}).")
        if baseline not in BASELINES:
            raise ValueError(f"Unknown baseline '{baseline}'. Choose one of: {', '.join(BASELINES)}.")
        if internal_batch_size < 1:
            raise ValueError("The internal batch size must be at least 1.")
        options.update(steps=int(steps), baseline=baseline,
                       internal_batch_size=int(internal_batch_size))
    return options


def _explain_pixels(model: LoadedModel, view: np.ndarray, pixels: torch.Tensor, *, method: Method,
                    target: int, layer: str | None, steps: int | None, baseline: Baseline | None,
                    internal_batch_size: int | None, seed: int) -> Explanation:
    start = time.perf_counter()
    network = model.network
    inputs = _normalise(model, pixels).requires_grad_(True)
    size = tuple(inputs.shape[2:])
    completeness = None
    with model.lock:
        if method == "saliency":
            raw = Saliency(network).attribute(inputs, target=target, abs=True)
            values = raw[0].max(dim=0).values
        elif method == "integrated_gradients":
            reference = _normalise(model, baseline_pixels(pixels, kind=baseline, seed=seed))
            raw, delta = IntegratedGradients(network).attribute(
                inputs, baselines=reference, target=target, n_steps=steps,
                internal_batch_size=internal_batch_size, return_convergence_delta=True)
            with torch.no_grad():
                scores = network(torch.cat([inputs.detach(), reference]))[:, target]
            completeness = Completeness(
                attribution_sum=float(raw.detach().sum()), score_input=float(scores[0]),
                score_baseline=float(scores[1]), delta=float(delta.detach().sum()))
            values = raw[0].abs().max(dim=0).values
        elif method == "gradcam":
            cam = LayerGradCam(network, _module(network, layer)).attribute(
                inputs, target=target, relu_attributions=True)
            values = LayerAttribution.interpolate(cam, size, interpolate_mode="bilinear")[0, 0]
        else:
            explainer = GuidedGradCam(network, _module(network, layer))
            explainer.guided_backprop = _GuidedBackprop(network)
            raw = explainer.attribute(inputs, target=target, interpolate_mode="bilinear")
            values = raw[0].abs().max(dim=0).values
    result = values.detach().float().cpu().numpy().astype(np.float32)
    result.setflags(write=False)
    view.setflags(write=False)
    return Explanation(model=model.name, method=method, target=target,
                       label=model.categories[target], map=result, view=view, layer=layer,
                       baseline=baseline, steps=steps, completeness=completeness,
                       seconds=time.perf_counter() - start)


class _GuidedBackprop(GuidedBackprop):
    """captum's guided backpropagation, also applied to ReLU6 (EfficientNet-Lite, MobileNet).

    captum only overrides the gradient of ``nn.ReLU``; in a ReLU6 network Guided Grad-CAM
    would silently fall back to the plain gradient. The rule (pass only positive gradients)
    is captum's own ``_backward_hook``.
    """

    def _register_hooks(self, module: nn.Module) -> None:
        if isinstance(module, nn.ReLU6):
            from captum._utils.common import _register_backward_hook

            self.backward_hooks.extend(_register_backward_hook(module, self._backward_hook, self))
        else:
            super()._register_hooks(module)


# ---------------------------------------------------------------------------------------------
# the tab's views


def compare_methods(model: LoadedModel, image: np.ndarray, *, target: int,
                    layer: str | None = None, steps: int = 50, baseline: Baseline = "black",
                    internal_batch_size: int = DEFAULT_BATCH,
                    progress: Progress | None = None) -> tuple[Explanation, ...]:
    """All four methods for the same target (the notebook's ``compare_methods``), in METHODS order."""
    results = []
    for i, method in enumerate(METHODS):
        _report(progress, i / len(METHODS), f"{METHOD_TITLES[method]}…")
        results.append(explain(model, image, method=method, target=target, layer=layer,
                               steps=steps, baseline=baseline,
                               internal_batch_size=internal_batch_size))
    _report(progress, 1.0, "done")
    return tuple(results)


def compare_baselines(model: LoadedModel, image: np.ndarray, *, target: int, steps: int = 50,
                      internal_batch_size: int = DEFAULT_BATCH, seed: int = 0,
                      progress: Progress | None = None) -> tuple[Explanation, ...]:
    """Integrated Gradients with each of the four baselines, with their completeness numbers."""
    results = []
    for i, baseline in enumerate(BASELINES):
        _report(progress, i / len(BASELINES), f"IG with the {baseline} baseline…")
        results.append(explain(model, image, method="integrated_gradients", target=target,
                               steps=steps, baseline=baseline, seed=seed,
                               internal_batch_size=internal_batch_size))
    _report(progress, 1.0, "done")
    return tuple(results)


def stage_layers(layers: Sequence[LayerInfo], *, limit: int = 8) -> tuple[str, ...]:
    """One layer per stage (``layer1``..``layer4`` in a ResNet, ``blocks.0``.. in an EfficientNet).

    A stage is a block of :class:`LayerInfo`; its own module when listed, else its last layer.
    At most ``limit`` stages, spread evenly and always keeping the deepest.
    """
    names = {info.name for info in layers}
    blocks = [b for b in dict.fromkeys(info.block for info in layers) if b != TOP_LEVEL_GROUP]
    stages = [b if b in names else [i.name for i in layers if i.block == b][-1] for b in blocks]
    if len(stages) > limit:
        picks = np.linspace(0, len(stages) - 1, limit).round().astype(int)
        stages = [stages[i] for i in dict.fromkeys(picks)]
    return tuple(stages)


def gradcam_depth(model: LoadedModel, image: np.ndarray, *, target: int, layers: Sequence[str],
                  progress: Progress | None = None) -> tuple[Explanation, ...]:
    """Grad-CAM for the same target at each of ``layers`` (shallow to deep)."""
    if not layers:
        raise ValueError("Choose at least one layer for Grad-CAM.")
    results = []
    for i, layer in enumerate(layers):
        _report(progress, i / len(layers), f"Grad-CAM at {layer}…")
        results.append(explain(model, image, method="gradcam", target=target, layer=layer))
    _report(progress, 1.0, "done")
    return tuple(results)


def compare_targets(model: LoadedModel, image: np.ndarray, *, targets: Sequence[int],
                    method: Method = "gradcam", layer: str | None = None,
                    steps: int = 50, baseline: Baseline = "black") -> tuple[Explanation, ...]:
    """The same method for several classes on one image (e.g. dog vs cat on ``both.png``)."""
    return tuple(explain(model, image, method=method, target=t, layer=layer, steps=steps,
                         baseline=baseline) for t in targets)


def gradcam_steps(model: LoadedModel, image: np.ndarray, *, target: int,
                  layer: str | None = None) -> GradCamSteps:
    """Grad-CAM taken apart into its five steps, through captum's layer methods.

    Step 1 ``LayerActivation`` (feature maps), step 2 ``LayerGradientXActivation`` without the
    activation factor (∂y/∂A), step 3 the spatial mean (weights), step 4 the weighted sum and
    ReLU, step 5 ``LayerAttribution.interpolate``. Equals ``LayerGradCam`` (tested).
    """
    check_rgb(image)
    layer = _check_layer(model, layer or model.spec.default_layers["gradcam"])
    target = check_target(model.categories, target=target)
    key = ("steps", model.name, image_digest(image), target, layer)
    return _CACHE.get_or_compute(key, lambda: _gradcam_steps(model, image, target, layer))


def _gradcam_steps(model: LoadedModel, image: np.ndarray, target: int, layer: str) -> GradCamSteps:
    view, pixels = _pixels(model, image)
    inputs = _normalise(model, pixels).requires_grad_(True)
    module = _module(model.network, layer)
    with model.lock:
        activations = LayerActivation(model.network, module).attribute(inputs)
        gradients = LayerGradientXActivation(model.network, module, multiply_by_inputs=False
                                             ).attribute(inputs, target=target)
    if activations.dim() != 4:
        raise ValueError(f"Layer '{layer}' does not output feature maps; pick a convolutional layer.")
    weights = gradients.mean(dim=(2, 3), keepdim=True)
    weighted = (weights * activations).sum(dim=1, keepdim=True)
    relu = weighted.clamp(min=0)
    upsampled = LayerAttribution.interpolate(relu, tuple(inputs.shape[2:]),
                                             interpolate_mode="bilinear")
    arrays = [t.detach().float().cpu().numpy() for t in
              (activations[0], weights.flatten(), weighted[0, 0], relu[0, 0], upsampled[0, 0])]
    for array in (*arrays, view):
        array.setflags(write=False)
    return GradCamSteps(model.name, layer, target, model.categories[target], *arrays, view=view)


# ---------------------------------------------------------------------------------------------
# inputs


def baseline_pixels(pixels: torch.Tensor, *, kind: Baseline, seed: int = 0) -> torch.Tensor:
    """The IG reference image in PIXEL space [0, 1], same shape as ``pixels`` (1, 3, S, S).

    black = all 0, white = all 1, noise = uniform in [0, 1] (seeded), blurred = the image under
    a Gaussian blur (σ = S/22, about 10 px at 224) — normalise it like any input afterwards.
    """
    if kind == "black":
        return torch.zeros_like(pixels)
    if kind == "white":
        return torch.ones_like(pixels)
    if kind == "noise":
        generator = torch.Generator().manual_seed(seed)
        return torch.rand(pixels.shape, generator=generator).to(pixels)
    if kind == "blurred":
        sigma = pixels.shape[-1] / 22
        kernel = int(2 * round(3 * sigma) + 1)
        return TF.gaussian_blur(pixels, [kernel, kernel], [sigma, sigma])
    raise ValueError(f"Unknown baseline '{kind}'. Choose one of: {', '.join(BASELINES)}.")


def model_pixels(model: LoadedModel, image: np.ndarray) -> torch.Tensor:
    """``image`` as the model sees it: a (1, 3, S, S) float tensor in [0, 1] on the CPU."""
    check_rgb(image)
    return _pixels(model, image)[1]


def _pixels(model: LoadedModel, image: np.ndarray) -> tuple[np.ndarray, torch.Tensor]:
    view = model_view(image, model.spec.input_size)
    return view, to_pixels(view)


def _normalise(model: LoadedModel, pixels: torch.Tensor) -> torch.Tensor:
    return normalise(pixels, model.spec, model.device)


def _check_layer(model: LoadedModel, layer: str) -> str:
    modules = dict(model.network.named_modules())
    if not layer or layer not in modules:
        raise ValueError(f"{model.spec.title} has no layer '{layer}'. Pick one from the layer list.")
    return layer


def _module(network: nn.Module, layer: str) -> nn.Module:
    return dict(network.named_modules())[layer]


def _report(progress: Progress | None, fraction: float, text: str) -> None:
    if progress is not None:
        progress(fraction, text)


def clear_cache() -> None:
    """Forget cached results (benchmarks measure cold runs with it)."""
    global _CACHE
    _CACHE = ResultCache(maxsize=128)
