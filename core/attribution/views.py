"""The Attribution tab's views, each built from :func:`core.attribution.methods.explain` or
captum's layer methods: all methods side by side, IG baselines, Grad-CAM across depth, two
target classes on one image, and Grad-CAM taken apart step by step. Deletion/insertion and
the sanity check live in ``faithfulness`` and ``sanity``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from captum.attr import LayerActivation, LayerAttribution, LayerGradientXActivation

from core.attribution.methods import (
    BASELINES,
    CHEAP_FIRST,
    AttributionMethod,
    Baseline,
    Explanation,
    cached,
    check_layer,
    explain,
    module_named,
    normalised,
    offered_methods,
)
from core.checks import InputError, excerpt
from core.models import LoadedModel
from core.predictions import check_target
from core.preprocess import check_rgb, image_digest, view_and_pixels
from core.progress import Progress, report, stop_if


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


def compare_methods(model: LoadedModel, image: np.ndarray, *, target: int,
                    layer: str | None = None, steps: int = 50, baseline: Baseline = "black",
                    internal_batch_size: int | None = None, window: int | None = None,
                    stride: int | None = None, progress: Progress | None = None,
                    on_result: Callable[[Explanation], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> tuple[Explanation, ...]:
    """Every method offered for the model (the notebook's ``compare_methods`` plus Occlusion and
    LRP; :func:`~core.attribution.methods.offered_methods`) for the same target, in METHODS
    order. They are computed cheapest first (:data:`CHEAP_FIRST`); ``on_result`` gets each as
    soon as it exists, and ``should_stop()`` is asked before each (``Stopped``)."""
    offered = offered_methods(model)
    order = [m for m in CHEAP_FIRST if m in offered]
    results = {}
    for i, method in enumerate(order):
        stop_if(should_stop)
        report(progress, i / len(order), "method", method=method)
        results[method] = explain(model, image, method=method, target=target, layer=layer,
                                  steps=steps, baseline=baseline,
                                  internal_batch_size=internal_batch_size, window=window,
                                  stride=stride)
        _hand_over(on_result, results[method])
    report(progress, 1.0, "done")
    return tuple(results[method] for method in offered)


def compare_baselines(model: LoadedModel, image: np.ndarray, *, target: int, steps: int = 50,
                      internal_batch_size: int | None = None, seed: int = 0,
                      progress: Progress | None = None,
                      on_result: Callable[[Explanation], None] | None = None,
                      should_stop: Callable[[], bool] | None = None) -> tuple[Explanation, ...]:
    """Integrated Gradients with each of the four baselines, with their completeness numbers.
    ``on_result`` gets each as soon as it exists, and ``should_stop()`` is asked before each
    (``Stopped``)."""
    results = []
    for i, baseline in enumerate(BASELINES):
        stop_if(should_stop)
        report(progress, i / len(BASELINES), "baseline", baseline=baseline)
        results.append(explain(model, image, method="integrated_gradients", target=target,
                               steps=steps, baseline=baseline, seed=seed,
                               internal_batch_size=internal_batch_size))
        _hand_over(on_result, results[-1])
    report(progress, 1.0, "done")
    return tuple(results)


def gradcam_depth(model: LoadedModel, image: np.ndarray, *, target: int, layers: Sequence[str],
                  progress: Progress | None = None,
                  on_result: Callable[[Explanation], None] | None = None,
                  should_stop: Callable[[], bool] | None = None) -> tuple[Explanation, ...]:
    """Grad-CAM for the same target at each of ``layers``, in the order given (the caller
    sorts them shallow to deep). ``InputError`` naming the layers the model does not have.
    ``on_result`` gets each map as soon as it exists, and ``should_stop()`` is asked before
    each (``Stopped``)."""
    layers = check_layers(model, layers)
    results = []
    for i, layer in enumerate(layers):
        stop_if(should_stop)
        report(progress, i / len(layers), "gradcam_layer", layer=layer)
        results.append(explain(model, image, method="gradcam", target=target, layer=layer))
        _hand_over(on_result, results[-1])
    report(progress, 1.0, "done")
    return tuple(results)


def _hand_over(on_result: Callable[[Explanation], None] | None, result: Explanation) -> None:
    if on_result is not None:
        on_result(result)


def check_layers(model: LoadedModel, layers: Sequence[str]) -> tuple[str, ...]:
    """``layers`` (one name or several) without repeats; ``InputError`` when there is none,
    or one sentence naming every layer the model does not have."""
    names = [layers] if isinstance(layers, str) else list(layers or ())
    chosen = tuple(dict.fromkeys(str(layer) for layer in names))
    modules = dict(model.network.named_modules())
    unknown = [layer for layer in chosen if not layer or layer not in modules]
    if unknown:
        title = model.spec.title
        en, de = _quoted(unknown)
        raise InputError(
            f"{title} has no {'layer' if len(unknown) == 1 else 'layers'} {en}. "
            "Pick layers from the list.",
            f"{title} hat keine {'Schicht' if len(unknown) == 1 else 'Schichten'} {de}. "
            "Wähle Schichten aus der Liste.")
    if not chosen:
        raise InputError("Choose at least one layer for Grad-CAM.",
                         "Wähle mindestens eine Schicht für Grad-CAM.")
    return chosen


def _quoted(names: Sequence[str], limit: int = 5) -> tuple[str, str]:
    """The first ``limit`` names quoted, and how many more: in English and in German."""
    shown = ", ".join(f"'{excerpt(name)}'" for name in names[:limit])
    more = len(names) - limit
    if more <= 0:
        return shown, shown
    return f"{shown} and {more} more", f"{shown} und {more} weitere"


def compare_targets(model: LoadedModel, image: np.ndarray, *, targets: Sequence[int],
                    method: AttributionMethod = "gradcam", layer: str | None = None,
                    steps: int = 50, baseline: Baseline = "black", window: int | None = None,
                    stride: int | None = None,
                    on_result: Callable[[Explanation], None] | None = None,
                    should_stop: Callable[[], bool] | None = None) -> tuple[Explanation, ...]:
    """The same method for several classes on one image (e.g. dog vs cat on ``both.png``),
    in the order given. ``on_result`` gets each map as soon as it exists, and
    ``should_stop()`` is asked before each (``Stopped``)."""
    results = []
    for t in targets:
        stop_if(should_stop)
        results.append(explain(model, image, method=method, target=t, layer=layer, steps=steps,
                               baseline=baseline, window=window, stride=stride))
        _hand_over(on_result, results[-1])
    return tuple(results)


def gradcam_steps(model: LoadedModel, image: np.ndarray, *, target: int,
                  layer: str | None = None) -> GradCamSteps:
    """Grad-CAM taken apart into its five steps, through captum's layer methods.

    Step 1 ``LayerActivation`` (feature maps), step 2 ``LayerGradientXActivation`` without the
    activation factor (∂y/∂A), step 3 the spatial mean (weights), step 4 the weighted sum and
    ReLU, step 5 ``LayerAttribution.interpolate``. Equals ``LayerGradCam`` (tested).
    """
    check_rgb(image)
    layer = check_layer(model, layer or model.spec.default_layers["gradcam"])
    target = check_target(model.categories, target=target)
    key = ("steps", model.name, image_digest(image), target, layer)
    return cached(key, lambda: _gradcam_steps(model, image, target, layer))


def _gradcam_steps(model: LoadedModel, image: np.ndarray, target: int, layer: str) -> GradCamSteps:
    view, pixels = view_and_pixels(image, model.spec.input_size)
    inputs = normalised(model, pixels).requires_grad_(True)
    module = module_named(model.network, layer)
    with model.lock:
        activations = LayerActivation(model.network, module).attribute(inputs)
        gradients = LayerGradientXActivation(model.network, module, multiply_by_inputs=False
                                             ).attribute(inputs, target=target)
    if activations.dim() != 4:
        raise InputError(f"Layer '{layer}' does not output feature maps; "
                         "pick a convolutional layer.",
                         f"Die Schicht '{layer}' gibt keine Merkmalskarten aus; wähle eine "
                         "Faltungsschicht.")
    weights = gradients.mean(dim=(2, 3), keepdim=True)
    weighted = (weights * activations).sum(dim=1, keepdim=True)
    relu = weighted.clamp(min=0)
    upsampled = LayerAttribution.interpolate(relu, tuple(inputs.shape[2:]),
                                             interpolate_mode="bilinear")
    arrays = [t.detach().float().cpu().numpy() for t in
              (activations[0], weights.flatten(), weighted[0, 0], relu[0, 0], upsampled[0, 0])]
    for array in (*arrays, view):
        array.setflags(write=False)
    feature_maps, alphas, weighted_sum, relu_map, upsampled_map = arrays
    return GradCamSteps(model.name, layer, target, model.categories[target], feature_maps, alphas,
                        weighted_sum, relu_map, upsampled_map, view=view)

