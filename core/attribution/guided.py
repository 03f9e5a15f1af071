"""captum's guided backpropagation, extended to ReLU6 (EfficientNet-Lite, MobileNet).

captum only overrides the gradient of ``nn.ReLU``; in a ReLU6 network Guided Grad-CAM would
silently fall back to the plain gradient. This subclass hooks ReLU6 too, with captum's own
rule (``_backward_hook``: pass only positive gradients). The sanity check also shows guided
backpropagation on its own (:func:`guided_backprop_map`). It overrides captum's private
``_register_hooks``, so ``requirements.txt`` pins captum to the minor range it was tested
with, and ``tests/unit/test_attribution.py`` shows the ReLU6 difference.
"""

from __future__ import annotations

import warnings

import torch
from captum.attr import GuidedBackprop, GuidedGradCam
from torch import nn

# captum warns on every guided call that backward hooks on ReLU change the gradient: that is
# the point of guided backpropagation, so the warning is silenced for captum's module only.
warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU activations",
                        module=r"captum\.")


class GuidedBackpropReLU6(GuidedBackprop):
    """Guided backpropagation that also applies captum's ReLU rule to ``nn.ReLU6``."""

    def _register_hooks(self, module: nn.Module) -> None:
        if isinstance(module, nn.ReLU6):
            from captum._utils.common import _register_backward_hook

            self.backward_hooks.extend(_register_backward_hook(module, self._backward_hook, self))
        else:
            super()._register_hooks(module)


def guided_gradcam(network: nn.Module, layer: nn.Module) -> GuidedGradCam:
    """captum's ``GuidedGradCam`` whose guided backpropagation also handles ReLU6."""
    explainer = GuidedGradCam(network, layer)
    explainer.guided_backprop = GuidedBackpropReLU6(network)
    return explainer


def guided_backprop_map(network: nn.Module, inputs: torch.Tensor, *, target: int) -> torch.Tensor:
    """Guided backpropagation alone, the sharp factor inside Guided Grad-CAM: (S, S), the
    largest |value| over colour channels, for normalised ``inputs`` (1, 3, S, S). The caller
    holds the lock when ``network`` is shared."""
    raw = GuidedBackpropReLU6(network).attribute(inputs.detach().requires_grad_(True),
                                                 target=target)
    return raw[0].abs().max(dim=0).values
