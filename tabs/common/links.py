"""Links to a view: the state a student would share lives in the page's address.

``?tab=attribution&image=both.png&layer=blocks.6&target=281`` opens the Attribution tab with
that example, layer and class. A view's settings declare which fields a link carries
(:func:`tabs.common.view.linked`); the form knows the component behind each key. When a tab
opens (:mod:`tabs.common.opening`), the linked values go into those components before its
first view runs, and once more after the setup steps that pick defaults (a model's default
layer, the top class), so the view computed is the linked one.

Values are only placed into components here; whatever a run does with them is checked in
``core`` like any typed value, so a hand-edited link gets the same sentences as the form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import gradio as gr

#: Address keys a view may carry ("filter": the one compared, "filters": the ones run).
KEYS = ("image", "model", "block", "layer", "method", "target", "filter", "filters", "feature",
        "text")
#: Keys the link keeps from the page's own address.
KEPT = ("lang", "embed")
#: Longest text taken from an address (twenty descriptions fit easily).
MAX_TEXT = 2000

LinkFields = Mapping[str, gr.components.Component]

def _choice_values(component: gr.components.Component) -> list:
    return [choice[1] if isinstance(choice, (tuple, list)) else choice
            for choice in getattr(component, "choices", None) or []]


def parse(component: gr.components.Component, raw: str):
    """The value ``raw`` (from an address) gives ``component``, or ``gr.skip()`` when it
    cannot be one (a word in a number field, a choice the component does not offer)."""
    if isinstance(component, gr.Number):
        try:
            number = float(raw)
        except ValueError:
            return gr.skip()
        if not math.isfinite(number):
            return gr.skip()
        if component.precision == 0:
            return int(number) if number.is_integer() else gr.skip()
        return number
    if isinstance(component, gr.CheckboxGroup):
        offered = [str(value) for value in _choice_values(component)]
        chosen = [value for value in raw.split(",") if value in offered]
        return chosen or gr.skip()
    if isinstance(component, (gr.Dropdown, gr.Radio)):
        # Choices filled per session (layers) are empty here: the run checks those values.
        custom = getattr(component, "allow_custom_value", False)
        values = [str(value) for value in _choice_values(component)]
        return raw[:MAX_TEXT] if custom or not values or raw in values else gr.skip()
    return raw[:MAX_TEXT]


def linked_values(slug: str, fields: LinkFields, query: Mapping[str, str]) -> dict:
    """``{component: value}`` for the fields a link to tab ``slug`` sets (``?tab=`` or
    ``?embed=`` names the tab); values a field cannot take are left out."""
    if slug not in (query.get("tab"), query.get("embed")):
        return {}
    values = {}
    for key, component in fields.items():
        raw = query.get(key)
        if raw:
            value = parse(component, raw)
            if not _skipped(value):
                values[component] = value
    return values


def _skipped(value: object) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update"
