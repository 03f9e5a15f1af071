"""The Counterfactual tab's views: the setup steps of its opening (the model, the start image's
top 5, the region editor's background, what counts as the target), Cancel and the class search
here; the methods in :mod:`tabs.counterfactual.pixel_views` (pixel optimisation, trade-off) and
:mod:`tabs.counterfactual.swap_views` (region swap)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import gradio as gr

from core.counterfactual.targets import dog_classes
from core.predictions import check_target, classify
from tabs.common.class_search import class_search_views
from tabs.common.layer_picker import chosen_model, load_model
from tabs.common.view import Call, View
from tabs.counterfactual.pixel_views import PIXEL, TRADEOFF
from tabs.counterfactual.settings import (
    TARGETS,
    ImageSettings,
    ModelSettings,
    NoSettings,
    PictureSettings,
    TargetSettings,
)
from tabs.counterfactual.start import SWITCHES, scores
from tabs.counterfactual.swap_views import SWAP
from tabs.counterfactual.texts import T

__all__ = ["BACKGROUND", "CANCEL", "FIND_CLASS", "MODEL", "PIXEL", "PREDICT",
           "PREDICT_AFTER_MODEL", "SWAP", "TARGET_TEXT", "TRADEOFF", "USE_MATCH"]


def choose_model(call: Call[ModelSettings]) -> gr.Dropdown:
    """Load the model (or fall back to the offline one); returns the model dropdown's update."""
    loaded = load_model(call.ctx, call.settings.model, call.lang)
    return chosen_model(call.ctx.models, loaded.name)


def predict(call: Call[ImageSettings]) -> tuple[dict[str, float], str]:
    """The start image's top 5, and a sentence naming the class a counterfactual must leave."""
    s = call.settings
    loaded = call.ctx.models.get(s.model)
    predictions = classify(loaded, call.ctx.examples.resolve(s.example, s.upload))
    top = predictions[0]
    return scores(predictions), call.text("must_leave", label=top.label, index=top.index,
                                          p=top.probability)


def describe_target(call: Call[TargetSettings]) -> str:
    """What counts as success: one class, any class but the current one, or the dog classes
    with their indices."""
    s = call.settings
    loaded = call.ctx.models.get(s.model)
    kind = TARGETS.get(s.kind, s.kind)
    if kind == "class":
        if s.class_index is None:
            return call.text("no_class")
        index = check_target(loaded.categories, target=s.class_index)
        return call.text("target.one", index=index, name=loaded.categories[index])
    if kind == "other":
        return call.text("target.other")
    dogs = dog_classes(loaded.categories)
    names = ", ".join(f"#{i} {loaded.categories[i]}" for i in dogs)
    return call.text("target.dogs", count=len(dogs), first=dogs[0], last=dogs[-1], names=names)


def editor_background(call: Call[PictureSettings]) -> Any:
    """The region editor's value with the start image as background (painting starts afresh);
    unchanged when the image cannot be read (the top 5 says why)."""
    try:
        image = call.ctx.examples.resolve(call.settings.example, call.settings.upload)
    except ValueError:
        return gr.skip()
    return {"background": image, "layers": [], "composite": image}


def cancel(call: Call[NoSettings]) -> str:
    """Stop this session's run; returns the sentence for the status line."""
    SWITCHES.cancel(call.session)
    return call.text("stopped")


MODEL = View("counterfactual_model", ModelSettings, choose_model, T, role="setup")
PREDICT = View("counterfactual_predict", ImageSettings, predict, T, role="setup",
               gpu_seconds=5)
PREDICT_AFTER_MODEL = replace(PREDICT, role=None, public=False)
"""The same top 5 once a chosen model is loaded (a private event; the opening runs
``PREDICT`` once)."""
BACKGROUND = View("counterfactual_editor", PictureSettings, editor_background, T, role="setup",
                  public=False)
TARGET_TEXT = View("counterfactual_targets", TargetSettings, describe_target, T, role="setup")
CANCEL = View("counterfactual_cancel", NoSettings, cancel, T, public=False, session=True)
FIND_CLASS, USE_MATCH = class_search_views("counterfactual", T)
