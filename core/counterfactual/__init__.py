"""Counterfactual explanations for image classifiers (the Counterfactual tab).

``targets`` (what the image should become: any dog, one class, anything but the current class),
``pixel`` (method 1: Wachter et al. 2017, gradient descent on the pixels, batched over
proximity weights), ``swap`` (method 2: Goyal et al. 2019, cells of the last convolutional
feature grid copied from a real dog photo), ``checks`` (is it real or noise: a second model,
JPEG at quality 75, a 2-pixel shift, Grad-CAM) and ``results`` (typed results, distances).

May import: torch, torchvision, numpy, PIL and ``core`` helpers (models, preprocess,
predictions, attribution, cache, checks). Never gradio, pyplot, ``tabs`` or ``lab``.
"""

from core.counterfactual import checks as _checks
from core.counterfactual import pixel as _pixel
from core.counterfactual import swap as _swap
from core.counterfactual.pixel import (
    MAX_STEPS,
    MAX_WEIGHTS,
    find_counterfactual,
    model_mask,
    parse_weights,
    pixel_params,
    trade_off,
)
from core.counterfactual.results import (
    DISTANCES,
    Counterfactual,
    CounterfactualCancelled,
    Distance,
    Distances,
    PixelParams,
    PixelProgress,
    TradeOff,
    measure_distances,
)
from core.counterfactual.targets import (
    DOG_FIRST,
    DOG_LAST,
    TARGET_KINDS,
    Target,
    TargetKind,
    dog_classes,
    resolve_target,
    target_log_probability,
)


def clear_cache() -> None:
    """Forget every cached counterfactual, swap and check (tests and benchmarks use this)."""
    for module in (_pixel, _swap, _checks):
        module.clear_cache()


__all__ = ["DISTANCES", "DOG_FIRST", "DOG_LAST", "MAX_STEPS", "MAX_WEIGHTS", "TARGET_KINDS",
           "Counterfactual", "CounterfactualCancelled", "Distance", "Distances", "PixelParams",
           "PixelProgress", "Target", "TargetKind", "TradeOff", "clear_cache", "dog_classes",
           "find_counterfactual", "measure_distances", "model_mask", "parse_weights",
           "pixel_params", "resolve_target", "target_log_probability", "trade_off"]
