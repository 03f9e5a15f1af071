"""Occlusion (Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks",
arXiv:1311.2901) through captum's ``Occlusion``: slide a square window over the image, cover it,
and record how much the class score drops.

The window covers all three colour channels and is filled with 0 in normalised space, i.e.
the mean colour of the training data (grey for EfficientNet-Lite0, whose mean is 0.5). Each
pixel gets the average score drop of all windows that covered it; we keep the positive part
(covering it lowered the score), like Grad-CAM's ReLU. One forward pass per window position,
``perturbations_per_eval`` positions per batch.
"""

from __future__ import annotations

import math

import torch
from captum.attr import Occlusion
from torch import nn

from core.checks import InputError, check_int

MAX_WINDOWS = 1024
"""Most window positions (forward passes) one map may take: 32×32 positions."""


def default_window(size: int) -> int:
    """The default window for an input of ``size`` pixels: a seventh of it (32 at 224)."""
    return max(1, round(size / 7))


def window_positions(size: int, window: int, stride: int) -> int:
    """Positions per side, as captum counts them: the last window may be cut off at the border."""
    return math.ceil((size - window) / stride) + 1


def check_occlusion(size: int, window: int | None, stride: int | None) -> tuple[int, int]:
    """``(window, stride)`` in pixels for an input of ``size``; defaults when ``None``.

    The window must fit the image, the stride must be at least 1 and at most the window (or
    some pixels would never be covered), and there may be at most :data:`MAX_WINDOWS` positions.
    """
    window = default_window(size) if window is None else window
    window = check_int(("The occlusion window", "Das Occlusion-Fenster"), window, 1, size,
                       (f" pixels: the model sees {size}×{size} pixels, the window must fit inside",
                        f" Pixel (das Modell sieht {size}×{size} Pixel, das Fenster muss "
                        "hineinpassen)"))
    stride = max(1, window // 2) if stride is None else stride
    stride = check_int(("The occlusion stride", "Die Occlusion-Schrittweite"), stride, 1, window,
                       (f" pixels: at least 1 and at most the window ({window} px), so that every "
                        "pixel is covered",
                        f" Pixel (mindestens 1 und höchstens das Fenster, {window} px, damit jedes "
                        "Pixel abgedeckt wird)"))
    count = window_positions(size, window, stride) ** 2
    if count > MAX_WINDOWS:
        raise InputError(f"A {window} px window moved by {stride} px takes {count} positions, one "
                         f"forward pass each; at most {MAX_WINDOWS} are allowed. Use a larger "
                         "window or stride.",
                         f"Ein {window}-px-Fenster, das um {stride} px verschoben wird, nimmt "
                         f"{count} Positionen ein, mit je einem Forward-Pass; erlaubt sind "
                         f"höchstens {MAX_WINDOWS}. Nimm ein größeres Fenster oder eine größere "
                         "Schrittweite.")
    return window, stride


def occlusion_map(network: nn.Module, inputs: torch.Tensor, *, target: int, window: int,
                  stride: int, batch: int) -> torch.Tensor:
    """The (S, S) occlusion map of ``inputs`` (1, 3, S, S), normalised, for class ``target``.

    Values ≥ 0: the average drop of the target's logit when a window covering the pixel is
    replaced by 0. The caller holds the lock when ``network`` is shared.
    """
    channels = inputs.shape[1]
    raw = Occlusion(network).attribute(
        inputs.detach(), sliding_window_shapes=(channels, window, window),
        strides=(channels, stride, stride), baselines=0.0, target=target,
        perturbations_per_eval=batch)
    return raw[0].mean(dim=0).clamp(min=0)
