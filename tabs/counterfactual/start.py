"""What the Counterfactual tab's three methods share: the start of a run (model, image,
target), the painted region, the top 5 as label values and the cancel switches."""

from __future__ import annotations

from typing import cast

import numpy as np

from core.counterfactual import Target, TargetKind, resolve_target
from core.models import LoadedModel
from core.predictions import Prediction, classify
from tabs.common.layer_picker import load_model
from tabs.common.streaming import CancelSwitches
from tabs.common.view import Call
from tabs.counterfactual.settings import TARGETS, Start

SWITCHES = CancelSwitches()
"""One stop switch per browser session, shared by the three cancellable streams."""


def scores(predictions: tuple[Prediction, ...]) -> dict[str, float]:
    """Predictions as ``gr.Label`` values: "label (#index)" → probability."""
    return {f"{p.label} (#{p.index})": p.probability for p in predictions}


def start(call: Call[Start]) -> tuple[LoadedModel, np.ndarray, Target]:
    """The model (or the offline one, with a warning), the start image and the checked
    target."""
    s, ctx = call.settings, call.ctx
    loaded = load_model(ctx, s.model, call.lang)
    image = ctx.examples.resolve(s.example, s.upload)
    original = classify(loaded, image)[0].index
    kind = TARGETS.get(s.kind, cast(TargetKind, s.kind))  # an unknown kind: core refuses it
    target = resolve_target(loaded.categories, kind=kind,
                            original=original, class_index=s.class_index)
    return loaded, image, target


def painted_mask(use_region: bool, editor: dict | None,
                 shape: tuple[int, ...]) -> np.ndarray | None:
    """Where the student painted in the editor (any layer's opaque pixels); ``None`` without a
    region. An empty painting is passed on as an empty mask of the image's ``shape``, which
    core refuses with a sentence."""
    if not use_region:
        return None
    layers = [np.asarray(layer) for layer in (editor or {}).get("layers") or []
              if layer is not None]
    masks = [layer[..., 3] > 0 for layer in layers if layer.ndim == 3 and layer.shape[2] == 4]
    if not masks:
        return np.zeros(shape[:2], dtype=bool)
    return np.logical_or.reduce(masks)
