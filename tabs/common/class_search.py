"""Finding a target class by name: the search box and match list of the attribution and
counterfactual tabs, as two views each tab declares for itself (:func:`class_search_views`)."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from core.predictions import find_class
from tabs.common.i18n import Texts
from tabs.common.view import Call, View


@dataclass(frozen=True)
class ClassQuery:
    model: str = ""
    query: str = ""


@dataclass(frozen=True)
class MatchChoice:
    match: int | None = None
    current: float | None = None


def search_classes(call: Call[ClassQuery]) -> gr.Dropdown:
    """Classes whose name contains the query (like the notebook's ``find_class``). Returns the
    match list's update: the matches as choices, the first one chosen."""
    categories = call.ctx.models.get(call.settings.model).categories
    matches = find_class(categories, call.settings.query)
    return gr.Dropdown(choices=[(f"#{m.index} {m.label}", m.index) for m in matches],
                       value=matches[0].index)


def use_match(call: Call[MatchChoice]) -> float | None:
    """The chosen match as the class index (the current index while none is chosen)."""
    match, current = call.settings.match, call.settings.current
    return current if match is None else int(match)


def class_search_views(tab: str, texts: Texts) -> tuple[View, View]:
    """The public ``<tab>_find_class`` view (settings: model, query) and the private
    ``<tab>_use_match`` view (settings: match, current) with the tab's ``texts``."""
    return (View(f"{tab}_find_class", ClassQuery, search_classes, texts),
            View(f"{tab}_use_match", MatchChoice, use_match, texts, public=False))
