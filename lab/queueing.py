"""Which events share a model, and so a concurrency group of the queue.

Events that run the image classifiers (four tabs share them), CLIP, or the tabular models each
form one group that runs at most ``limit`` requests at once; hooked work on one model is
serialised by its lock anyway, and a bounded group keeps a class of heavy requests from
starving everything else. Light events (listing layers, searching a class, previews) are in
no group, so a student's dropdown never waits behind someone else's 30-second ascent.
"""

from __future__ import annotations

from typing import Mapping

import gradio as gr

GROUPS: Mapping[str, tuple[str, ...]] = {
    "image-models": (
        "activations", "activations_channel",
        "ascent", "ascent_compare_modes", "ascent_compare_layers",
        "attribution_compare", "attribution_baselines", "attribution_depth",
        "attribution_steps", "attribution_classes", "attribution_stability",
        "attribution_stability_all", "attribution_deletion", "attribution_sanity",
        "counterfactual", "counterfactual_swap", "counterfactual_tradeoff",
    ),
    "clip": ("clip_similarity", "clip_zero_shot", "clip_explain", "clip_tokens",
             "clip_agreement"),
    "tabular": ("pdp_data", "pdp_1d", "pdp_2d", "pdp_compare", "pdp_ale"),
}


def group_of(api_name: object) -> str | None:
    """The concurrency group of an event, or ``None`` for a light event."""
    return next((group for group, names in GROUPS.items() if api_name in names), None)


def apply_groups(demo: gr.Blocks, *, limit: int) -> dict[str, str]:
    """Put every heavy event of ``demo`` into its group with ``limit`` concurrent runs.

    Returns ``{api_name: group}`` for the events it placed.
    """
    placed = {}
    for block_fn in demo.fns.values():
        group = group_of(block_fn.api_name)
        if group is not None:
            block_fn.concurrency_id = group
            block_fn.concurrency_limit = limit
            placed[block_fn.api_name] = group
    return placed
