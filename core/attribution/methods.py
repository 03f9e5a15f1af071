"""One attribution map through captum: saliency, Integrated Gradients, Grad-CAM, Guided Grad-CAM,
Occlusion; and through Zennit: LRP with two rule composites (:mod:`core.attribution.lrp`).

Every method runs through captum or Zennit (we do not re-implement them); this module prepares the
input, picks the layer, holds the shared model's lock for the whole captum call (captum
registers hooks on the model) and turns the result into a frozen dataclass of numpy arrays.

Papers: saliency — Simonyan et al. 2013 (arXiv:1312.6034); Integrated Gradients — Sundararajan
et al. 2017 (arXiv:1703.01365); Grad-CAM and Guided Grad-CAM — Selvaraju et al. 2017
(arXiv:1610.02391); guided backpropagation — Springenberg et al. 2014 (arXiv:1412.6806);
Occlusion — Zeiler & Fergus 2014 (arXiv:1311.2901, see :mod:`core.attribution.occlusion`); LRP —
Bach et al. 2015 (PLOS ONE 10(7), see :mod:`core.attribution.lrp`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Literal, NamedTuple, TypedDict, TypeVar

import numpy as np
import torch
import torchvision.transforms.functional as TF
from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam, Saliency
from torch import nn

from core.attribution.guided import guided_gradcam
from core.attribution.inference import forward_network
from core.attribution.lrp import Conservation, LrpComposite, check_shared_lrp, lrp_map
from core.attribution.occlusion import check_occlusion, occlusion_map
from core.cache import ResultCache
from core.checks import InputError, excerpt
from core.models import LoadedModel
from core.models.calibration import batch_size
from core.predictions import check_target
from core.preprocess import check_rgb, image_digest, normalise, view_and_pixels

AttributionMethod = Literal["saliency", "integrated_gradients", "gradcam", "guided_gradcam",
                            "occlusion", "lrp_epsilon_plus_flat", "lrp_epsilon_gamma_box"]
Baseline = Literal["black", "white", "noise", "blurred"]

METHODS: tuple[AttributionMethod, ...] = ("saliency", "integrated_gradients", "gradcam",
                                          "guided_gradcam", "occlusion", "lrp_epsilon_plus_flat",
                                          "lrp_epsilon_gamma_box")
GRADIENT_METHODS: tuple[AttributionMethod, ...] = METHODS[:4]
"""The four methods that backpropagate plain gradients through captum (Occlusion only runs
forward passes, LRP backpropagates relevance through Zennit's rules)."""
LRP_METHODS: dict[AttributionMethod, LrpComposite] = {
    "lrp_epsilon_plus_flat": "epsilon_plus_flat", "lrp_epsilon_gamma_box": "epsilon_gamma_box"}
"""The LRP methods and the Zennit composite each runs."""
CHEAP_FIRST: tuple[AttributionMethod, ...] = ("gradcam", "saliency", "lrp_epsilon_plus_flat",
                                              "lrp_epsilon_gamma_box", "guided_gradcam",
                                              "integrated_gradients", "occlusion")
"""The order methods are computed in: one or two passes first, then IG's steps and the
occlusion windows (tens of passes each)."""
METHOD_TITLES = {"saliency": "Saliency", "integrated_gradients": "Integrated Gradients",
                 "gradcam": "Grad-CAM", "guided_gradcam": "Guided Grad-CAM",
                 "occlusion": "Occlusion", "lrp_epsilon_plus_flat": "LRP EpsilonPlusFlat",
                 "lrp_epsilon_gamma_box": "LRP EpsilonGammaBox"}
"""The methods' names, the same in English and German (a tab words their settings)."""
BASELINES: tuple[Baseline, ...] = ("black", "white", "noise", "blurred")
MAX_STEPS = 1000

_CACHE = ResultCache("attribution", maxsize=128)
_T = TypeVar("_T")


class MethodOptions(TypedDict):
    """The options that :func:`explain` and :func:`explain_pixels` take besides ``method``,
    ``target`` and ``seed`` (one dict passed on with ``**``)."""

    layer: str | None
    steps: int
    baseline: Baseline
    internal_batch_size: int | None
    window: int | None
    stride: int | None


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
    the model saw; ``completeness`` only for Integrated Gradients; Occlusion: mean logit drop
    of the windows covering a pixel, ≥ 0, with ``window`` and ``stride`` in pixels. LRP: the
    positive part of ``relevance`` (S, S) float32, the signed relevance summed over the colour
    channels, with its ``conservation`` check. Arrays are read-only.
    """

    model: str
    method: AttributionMethod
    target: int
    label: str
    map: np.ndarray
    view: np.ndarray
    layer: str | None = None
    baseline: Baseline | None = None
    steps: int | None = None
    completeness: Completeness | None = None
    seconds: float = 0.0
    window: int | None = None
    stride: int | None = None
    conservation: Conservation | None = None
    relevance: np.ndarray | None = None


class Attributed(NamedTuple):
    """What :func:`attribute` computes: the (S, S) map and what some methods add."""

    map: np.ndarray
    completeness: Completeness | None = None
    conservation: Conservation | None = None
    relevance: np.ndarray | None = None


# ---------------------------------------------------------------------------------------------
# one method


def explain(model: LoadedModel, image: np.ndarray, *, method: AttributionMethod, target: int,
            layer: str | None = None, steps: int = 50, baseline: Baseline = "black",
            internal_batch_size: int | None = None, window: int | None = None,
            stride: int | None = None, seed: int = 0, use_cache: bool = True) -> Explanation:
    """One attribution map of ``image`` (RGB uint8, any size) for class ``target``.

    ``layer`` (Grad-CAM, Guided Grad-CAM) defaults to the model's Grad-CAM layer; ``steps``,
    ``baseline`` and ``seed`` (noise baseline) are for IG; ``window`` and ``stride`` (pixels
    of the model's input; default a seventh of it and half of that: 32 and 16 at 224) for
    Occlusion; ``internal_batch_size`` is IG's batch of steps and Occlusion's batch of windows
    (default: measured for the model, :mod:`core.models.calibration`). Results are cached by
    their inputs but the batch, which does not change them; ``use_cache=False`` always computes.
    """
    check_rgb(image)
    options = check_options(model, method=method, target=target, layer=layer, steps=steps,
                            baseline=baseline, internal_batch_size=internal_batch_size,
                            window=window, stride=stride)
    key = ("explain", model.name, image_digest(image), option_key(options), seed)

    def compute() -> Explanation:
        return _explain_pixels(model, *view_and_pixels(image, model.spec.input_size),
                               seed=seed, **options)

    return _CACHE.get_or_compute(key, compute) if use_cache else compute()


def explain_pixels(model: LoadedModel, pixels: torch.Tensor, *, method: AttributionMethod,
                   target: int, layer: str | None = None, steps: int = 50,
                   baseline: Baseline = "black", internal_batch_size: int | None = None,
                   window: int | None = None, stride: int | None = None,
                   seed: int = 0) -> Explanation:
    """Like :func:`explain` for a ``(1, 3, S, S)`` float tensor of pixels in [0, 1] (not cached).

    Used for inputs that are not exact uint8 images, e.g. with a little noise added.
    """
    if pixels.dim() != 4 or pixels.shape[:2] != (1, 3):
        raise ValueError("Expected pixels of shape (1, 3, S, S) with values in [0, 1].")
    options = check_options(model, method=method, target=target, layer=layer, steps=steps,
                            baseline=baseline, internal_batch_size=internal_batch_size,
                            window=window, stride=stride)
    size = model.spec.input_size
    if pixels.shape[2:] != (size, size):
        pixels = torch.nn.functional.interpolate(pixels, size=(size, size), mode="bilinear",
                                                 align_corners=False)
    pixels = pixels.detach().float().cpu().clamp(0, 1).contiguous()
    view = (pixels[0].permute(1, 2, 0) * 255).round().byte().numpy()
    return _explain_pixels(model, view, pixels, seed=seed, **options)


def check_options(model: LoadedModel, *, method, target, layer=None, steps=50, baseline="black",
                  internal_batch_size=None, window=None, stride=None) -> dict:
    """Validate and normalise one method's options; unused ones become None (better cache keys).

    The result is the keyword arguments of :func:`attribute` (without ``seed``).
    """
    if method not in METHODS:
        raise InputError(f"Unknown method '{method}'. Choose one of: {', '.join(METHODS)}.",
                         f"Unbekannte Methode '{method}'. Wähle eine von: {', '.join(METHODS)}.")
    target = check_target(model.categories, target=target)
    if method in LRP_METHODS:
        check_shared_lrp(model, LRP_METHODS[method])
    options = dict(method=method, target=target, layer=None, steps=None, baseline=None,
                   internal_batch_size=None, window=None, stride=None)
    if method in ("gradcam", "guided_gradcam"):
        options["layer"] = check_layer(model, layer or model.spec.default_layers["gradcam"])
    if method == "integrated_gradients":
        whole = isinstance(steps, (int, float)) and not isinstance(steps, bool) \
            and math.isfinite(steps) and int(steps) == steps
        if not whole or not 1 <= steps <= MAX_STEPS:
            raise InputError(f"Integrated Gradients needs at least 1 step and at most {MAX_STEPS}: "
                             f"a whole number between 1 and {MAX_STEPS} (you asked for {steps}).",
                             f"Integrated Gradients braucht mindestens 1 und höchstens {MAX_STEPS} "
                             f"Schritte: eine ganze Zahl von 1 bis {MAX_STEPS} (du hast {steps} "
                             "angegeben).")
        if baseline not in BASELINES:
            raise InputError(f"Unknown baseline '{baseline}'. "
                             f"Choose one of: {', '.join(BASELINES)}.",
                             f"Unbekannte Baseline '{baseline}'. Wähle eine von: "
                             f"{', '.join(BASELINES)}.")
        options.update(steps=int(steps), baseline=baseline)
    if method in ("integrated_gradients", "occlusion") and internal_batch_size is not None:
        if not isinstance(internal_batch_size, int) or internal_batch_size < 1:
            raise InputError("The internal batch size must be at least 1.",
                             "Die interne Batchgröße muss mindestens 1 sein.")
        options["internal_batch_size"] = int(internal_batch_size)
    if method == "occlusion":
        options["window"], options["stride"] = check_occlusion(model.spec.input_size, window,
                                                               stride)
    return options


def option_key(options: dict) -> tuple:
    """``options`` (from :func:`check_options`) as part of a cache key: without the batch size,
    which changes how the work is split, not the result."""
    return tuple(sorted((k, v) for k, v in options.items() if k != "internal_batch_size"))


def _explain_pixels(model: LoadedModel, view: np.ndarray, pixels: torch.Tensor, *, seed: int,
                    **options) -> Explanation:
    start = time.perf_counter()
    if options["method"] == "occlusion":  # forward passes only: the fast folded copy
        with forward_network(model) as network:
            result = attribute(model, network, pixels, seed=seed, **options)
    else:
        with model.lock:  # captum and Zennit register hooks on the shared model
            result = attribute(model, model.network, pixels, seed=seed, **options)
    view.setflags(write=False)
    return Explanation(model=model.name, method=options["method"], target=options["target"],
                       label=model.categories[options["target"]], map=result.map, view=view,
                       layer=options["layer"], baseline=options["baseline"], steps=options["steps"],
                       completeness=result.completeness, seconds=time.perf_counter() - start,
                       window=options["window"], stride=options["stride"],
                       conservation=result.conservation, relevance=result.relevance)


def _given(value: _T | None, option: str, method: str) -> _T:
    """``value``, which :func:`check_options` always sets for ``method``."""
    if value is None:
        raise ValueError(f"{method} needs the option '{option}' (see check_options).")
    return value


def attribute(model: LoadedModel, network: nn.Module, pixels: torch.Tensor, *,
              method: AttributionMethod, target: int, layer: str | None, steps: int | None,
              baseline: Baseline | None, internal_batch_size: int | None, window: int | None,
              stride: int | None, seed: int = 0) -> Attributed:
    """One method's (S, S) map of ``pixels`` (1, 3, S, S) in [0, 1] on ``network``.

    ``network`` is the model's own network or a private copy of it with the same layer names
    (the sanity check's randomized copy): the Grad-CAM layer is looked up by name on
    ``network``. Options as returned by :func:`check_options`. The caller holds the model's
    lock when ``network`` is shared. ``internal_batch_size`` ``None`` takes the batch measured
    for the model (:mod:`core.models.calibration`). Returns a read-only float32 map and, for
    IG, its completeness numbers, for LRP the signed relevance and its conservation.
    """
    inputs = normalised(model, pixels).requires_grad_(True)
    size = tuple(inputs.shape[2:])
    completeness = None
    if method == "saliency":
        raw = Saliency(network).attribute(inputs, target=target, abs=True)
        values = raw[0].max(dim=0).values
    elif method == "integrated_gradients":
        kind: Baseline = _given(baseline, "baseline", method)
        reference = normalised(model, baseline_pixels(pixels, kind=kind, seed=seed))
        raw, delta = IntegratedGradients(network).attribute(
            inputs, baselines=reference, target=target, n_steps=steps,
            internal_batch_size=internal_batch_size or batch_size(model, "backward", network),
            return_convergence_delta=True)
        with torch.no_grad():
            scores = network(torch.cat([inputs.detach(), reference]))[:, target]
        completeness = Completeness(
            attribution_sum=float(raw.detach().sum()), score_input=float(scores[0]),
            score_baseline=float(scores[1]), delta=float(delta.detach().sum()))
        values = raw[0].abs().max(dim=0).values
    elif method == "gradcam":
        module = module_named(network, _given(layer, "layer", method))
        cam = LayerGradCam(network, module).attribute(
            inputs, target=target, relu_attributions=True)
        values = LayerAttribution.interpolate(cam, size, interpolate_mode="bilinear")[0, 0]
    elif method in LRP_METHODS:
        signed, conservation = lrp_map(
            network, inputs, target=target, composite=LRP_METHODS[method],
            low=normalised(model, torch.zeros_like(pixels)),
            high=normalised(model, torch.ones_like(pixels)))
        signed.setflags(write=False)
        positive = np.clip(signed, 0.0, None)
        positive.setflags(write=False)
        return Attributed(positive, conservation=conservation, relevance=signed)
    elif method == "guided_gradcam":
        module = module_named(network, _given(layer, "layer", method))
        explainer = guided_gradcam(network, module)
        raw = explainer.attribute(inputs, target=target, interpolate_mode="bilinear")
        values = raw[0].abs().max(dim=0).values
    else:
        values = occlusion_map(network, inputs, target=target,
                               window=_given(window, "window", method),
                               stride=_given(stride, "stride", method),
                               batch=internal_batch_size or batch_size(model, "forward", network))
    result = values.detach().float().cpu().numpy().astype(np.float32)
    result.setflags(write=False)
    return Attributed(result, completeness)


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
    raise InputError(f"Unknown baseline '{kind}'. Choose one of: {', '.join(BASELINES)}.",
                     f"Unbekannte Baseline '{kind}'. Wähle eine von: {', '.join(BASELINES)}.")


def unavailable_methods(model: LoadedModel) -> dict[AttributionMethod, InputError]:
    """The methods not offered for ``model``, each with the sentence that says why: an LRP
    composite whose rules do not fit its architecture (:func:`core.attribution.lrp.check_lrp`)."""
    refused: dict[AttributionMethod, InputError] = {}
    for method, composite in LRP_METHODS.items():
        try:
            check_shared_lrp(model, composite)
        except InputError as error:
            refused[method] = error
    return refused


def offered_methods(model: LoadedModel) -> tuple[AttributionMethod, ...]:
    """The methods offered for ``model``, in METHODS order."""
    refused = unavailable_methods(model)
    return tuple(m for m in METHODS if m not in refused)


def model_pixels(model: LoadedModel, image: np.ndarray) -> torch.Tensor:
    """``image`` as the model sees it: a (1, 3, S, S) float tensor in [0, 1] on the CPU."""
    check_rgb(image)
    return view_and_pixels(image, model.spec.input_size)[1]


def normalised(model: LoadedModel, pixels: torch.Tensor) -> torch.Tensor:
    return normalise(pixels, model.spec, model.device)


def check_layer(model: LoadedModel, layer: str) -> str:
    modules = dict(model.network.named_modules())
    if not layer or layer not in modules:
        raise InputError(f"{model.spec.title} has no layer '{excerpt(layer)}'. "
                         "Pick one from the layer list.",
                         f"{model.spec.title} hat keine Schicht '{excerpt(layer)}'. "
                         "Wähle eine aus der Liste der Schichten.")
    return layer


def module_named(network: nn.Module, layer: str) -> nn.Module:
    return dict(network.named_modules())[layer]


def cached(key: tuple, compute):
    """The attribution result cache, shared by the views in ``core.attribution.views``."""
    return _CACHE.get_or_compute(key, compute)

