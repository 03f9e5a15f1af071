"""Forward hooks that cannot outlive the call that registered them (ARCHITECTURE.md, "Hooks")."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import torch
from torch import nn

from core.checks import InputError, excerpt

Hook = Callable[[nn.Module, tuple, object], object]


@contextmanager
def forward_hooks(model: nn.Module, hooks: Mapping[str, Hook]) -> Iterator[None]:
    """Register ``hooks`` (module name → hook) on ``model`` and remove them all on exit.

    Raises ``InputError`` naming the first unknown module (or saying that none was chosen)
    before anything runs. The caller holds the model's lock.
    """
    modules = dict(model.named_modules())
    if any(not name for name in hooks):  # "" names the whole network, never a layer
        raise InputError("No layer was chosen. Pick one from the layer list.",
                         "Es ist keine Schicht gewählt. Wähle eine aus der Liste der Schichten.")
    unknown = [name for name in hooks if name not in modules]
    if unknown:
        raise InputError(f"The model has no layer named '{excerpt(unknown[0])}'.",
                         f"Das Modell hat keine Schicht namens '{excerpt(unknown[0])}'.")
    handles = []
    try:
        for name, hook in hooks.items():
            handles.append(modules[name].register_forward_hook(hook))
        yield
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def capture_outputs(model: nn.Module, names: list[str]) -> Iterator[dict[str, torch.Tensor]]:
    """Yield a dict that the next forward pass fills with each named layer's output tensor."""
    captured: dict[str, torch.Tensor] = {}

    def keep(name: str) -> Hook:
        def hook(_module, _inputs, output):
            captured[name] = output

        return hook

    with forward_hooks(model, {name: keep(name) for name in names}):
        yield captured


def count_hooks(model: nn.Module) -> int:
    """How many forward, pre-forward and backward hooks are registered anywhere in ``model``."""
    return sum(
        len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
        + len(m._backward_pre_hooks)
        for m in model.modules()
    )
