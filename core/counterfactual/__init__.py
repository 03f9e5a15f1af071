"""Counterfactual explanations for image classifiers (the Counterfactual tab).

``targets`` (what the image should become: any dog, one class, anything but the current class),
``pixel`` (method 1: Wachter et al. 2017, gradient descent on the pixels, batched over
proximity weights), ``swap`` (method 2: Goyal et al. 2019, cells of the last convolutional
feature grid copied from a real dog photo), ``checks`` (is it real or noise: a second model,
JPEG at quality 75, a 2-pixel shift, Grad-CAM), ``region`` (a region given by numbers, the
keyboard's alternative to painting) and ``results`` (typed results, distances).

May import: torch, torchvision, numpy, PIL and ``core`` helpers (models, preprocess,
predictions, attribution, cache, checks). Never gradio, pyplot, ``tabs`` or ``lab``.
"""

from core.counterfactual.pixel import (
    MAX_STEPS,
    MAX_WEIGHTS,
    find_counterfactual,
    model_mask,
    parse_weights,
    pixel_params,
    trade_off,
)
from core.counterfactual.region import rectangle_mask
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
    reaches,
    resolve_target,
    target_log_probability,
)

__all__ = ["DISTANCES", "DOG_FIRST", "DOG_LAST", "MAX_STEPS", "MAX_WEIGHTS", "TARGET_KINDS",
           "Counterfactual", "CounterfactualCancelled", "Distance", "Distances", "PixelParams",
           "PixelProgress", "Target", "TargetKind", "TradeOff", "dog_classes",
           "find_counterfactual", "measure_distances", "model_mask", "parse_weights",
           "pixel_params", "reaches", "rectangle_mask", "resolve_target",
           "target_log_probability", "trade_off"]
