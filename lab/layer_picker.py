"""Model → block → layer dropdown handlers, shared by the tabs that work on one layer."""

from __future__ import annotations

import gradio as gr

from core.registry import LayerRole
from lab.context import LabContext
from lab.errors import user_errors


def blocks(ctx: LabContext, model: str) -> list[str]:
    """The model's layer groups (``stem & head``, ``layer1`` …) in execution order."""
    return list(dict.fromkeys(info.block for info in ctx.models.layers(model)))


def layers_in(ctx: LabContext, model: str, block: str) -> list[tuple[str, str]]:
    """(label, name) dropdown choices for the layers of one block."""
    return [(info.label, info.name) for info in ctx.models.layers(model) if info.block == block]


@user_errors
def choose_model(ctx: LabContext, role: LayerRole, model: str):
    """Load the model (or fall back to the offline one); list its blocks and layers.

    Preselects the model's default layer for ``role``. Returns updates for the model,
    block and layer dropdowns.
    """
    loaded, notice = ctx.models.get_or_fallback(model)
    if notice:
        gr.Warning(notice)
    layer = ctx.models.layer(loaded.name, loaded.spec.default_layers[role])
    return (
        gr.Dropdown(value=loaded.name),
        gr.Dropdown(choices=blocks(ctx, loaded.name), value=layer.block),
        gr.Dropdown(choices=layers_in(ctx, loaded.name, layer.block), value=layer.name),
    )


@user_errors
def choose_block(ctx: LabContext, model: str, block: str):
    """List the layers of one block; the block's last layer (its output) is preselected."""
    layers = layers_in(ctx, model, block)
    return gr.Dropdown(choices=layers, value=layers[-1][1] if layers else None)
