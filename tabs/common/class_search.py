"""Finding a target class by name: the search box and match list of the attribution and
counterfactual tabs."""

from __future__ import annotations

import gradio as gr

from core.predictions import find_class
from tabs.common.context import TabContext
from tabs.common.errors import user_errors


@user_errors
def search_classes(ctx: TabContext, model: str, query: str):
    """Classes whose name contains ``query`` (like the notebook's ``find_class``), as the
    choices of the match list, the first one chosen."""
    matches = find_class(ctx.models.get(model).categories, query)
    return gr.Dropdown(choices=[(f"#{m.index} {m.label}", m.index) for m in matches],
                       value=matches[0].index)


def use_match(match: int | None, current: float | None):
    """The chosen match as the class index (``current`` while none is chosen)."""
    return current if match is None else int(match)
