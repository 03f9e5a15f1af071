"""Model → block → layer pickers, shared by the tabs that work on one layer of a model."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TypeVar

import gradio as gr

from core.models import LayerRole, LoadedModel, ModelManager
from tabs.common.context import TabContext
from tabs.common.i18n import Texts
from tabs.common.view import Call, View

S = TypeVar("S")

#: The pickers' labels, for every tab that shows them.
LABELS = Texts("layer_picker", en={
    "model": "Model",
    "block": "Block",
    "layer": "Layer (name · type · output shape)",
    "unavailable": "weights unavailable",
    "fallback": "{title} is unavailable here (its weights {filename} are not cached and cannot "
                "be downloaded); showing {fallback} instead.",
}, de={
    "model": "Modell",
    "block": "Block",
    "layer": "Schicht (Name · Typ · Ausgabeform)",
    "unavailable": "Gewichte nicht verfügbar",
    "fallback": "{title} ist hier nicht verfügbar (seine Gewichte {filename} liegen nicht im "
                "Cache und lassen sich nicht herunterladen); stattdessen siehst du {fallback}.",
})


@dataclass(frozen=True)
class ModelChoice:
    model: str = ""


@dataclass(frozen=True)
class BlockChoice:
    model: str = ""
    block: str = ""


def model_choices(manager: ModelManager, kind: str = "classifier") -> list[tuple[str, str]]:
    """(label, name) pairs for a dropdown; unavailable models say so in their label (the
    browser translates the ``gr.I18n`` key inside the label)."""
    choices = []
    for name in manager.names(kind):
        title = manager.spec(name).title
        usable = manager.is_usable(name)
        choices.append((title if usable else f"{title} ({LABELS.label('unavailable')})", name))
    return choices


def chosen_model(manager: ModelManager, name: str) -> gr.Dropdown:
    """The model dropdown set to ``name`` (with its choices: Gradio warns about a value
    outside them)."""
    return gr.Dropdown(choices=model_choices(manager), value=name)


def blocks(ctx: TabContext, model: str) -> list[str]:
    """The model's layer groups (``stem & head``, ``layer1`` …) in execution order."""
    return list(dict.fromkeys(info.block for info in ctx.models.layers(model)))


def layers_in(ctx: TabContext, model: str, block: str) -> list[tuple[str, str]]:
    """(label, name) dropdown choices for the layers of one block."""
    return [(info.label, info.name) for info in ctx.models.layers(model) if info.block == block]


def load_model(ctx: TabContext, model: str, lang: str) -> LoadedModel:
    """The model, or the offline one with a ``gr.Warning`` (in ``lang``) saying why."""
    loaded, missing = ctx.models.get_or_fallback(model)
    if missing is not None:
        gr.Warning(LABELS.text("fallback", lang, title=missing.title, filename=missing.filename,
                               fallback=loaded.spec.title))
    return loaded


def with_default_layer(ctx: TabContext, settings: S, role: LayerRole) -> S:
    """``settings`` with an empty ``layer`` set to its model's default layer for ``role``: a
    button pressed before the tab's opening has listed the model's layers still runs, on the
    layer the picker will preselect."""
    fields: Any = settings
    if fields.layer:
        return settings
    return replace(fields, layer=ctx.models.spec(fields.model).default_layers[role])


def layer_views(tab: str, role: LayerRole) -> tuple[View, View]:
    """The ``<tab>_model`` and ``<tab>_block`` views of a model → block → layer picker."""

    def choose_model(call: Call[ModelChoice]):
        """Load the model (or fall back to the offline one); list its blocks and layers.

        Preselects the model's default layer for the tab. Returns updates for the model,
        block and layer dropdowns.
        """
        ctx = call.ctx
        loaded = load_model(ctx, call.settings.model, call.lang)
        layer = ctx.models.layer(loaded.name, loaded.spec.default_layers[role])
        return (
            chosen_model(ctx.models, loaded.name),
            gr.Dropdown(choices=blocks(ctx, loaded.name), value=layer.block),
            gr.Dropdown(choices=layers_in(ctx, loaded.name, layer.block), value=layer.name),
        )

    def choose_block(call: Call[BlockChoice]):
        """List the layers of one block; the block's last layer (its output) is preselected."""
        layers = layers_in(call.ctx, call.settings.model, call.settings.block)
        return gr.Dropdown(choices=layers, value=layers[-1][1] if layers else None)

    return (View(f"{tab}_model", ModelChoice, choose_model, LABELS, role="setup"),
            View(f"{tab}_block", BlockChoice, choose_block, LABELS))
