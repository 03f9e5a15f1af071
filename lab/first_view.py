"""The first screen teaches: every tab shows the result for its default example as soon as a
page opens, and the shell computes those results once in the background after start-up, so
the cache serves them to every student without anyone waiting.

A tab's first view is a chain of its own named events (``FIRST_VIEWS``): e.g. load the model
and its layers, then run the main view with the defaults. The same handlers run as when a
student clicks; nothing is duplicated in the shell.
"""

from __future__ import annotations

import inspect
import logging
import threading
from typing import Mapping

import gradio as gr

from core.models import ModelManager
from lab.links import LinkFields, restorer
from tabs.common.inflight import computing, exiting

log = logging.getLogger("lab")

#: tab → events run one after the other when a page opens (the last one shows the result).
FIRST_VIEWS: Mapping[str, tuple[str, ...]] = {
    # the notebook method beside the regularized one: structure, not a grid of noise
    "ascent": ("ascent_model", "ascent_compare_modes"),
    "activations": ("activations_model", "activations"),
    "attribution": ("attribution_model", "attribution_predict", "attribution_compare"),
    "counterfactual": ("counterfactual_model", "counterfactual_predict", "counterfactual"),
    "clip": ("clip_similarity",),
    "pdp": ("pdp_data", "pdp_1d"),
}


def _events(demo: gr.Blocks) -> dict[str, object]:
    return {fn.api_name: fn for fn in demo.fns.values() if isinstance(fn.api_name, str)}


def _usable(tab: str, chain: tuple[str, ...], events: dict, models: ModelManager) -> bool:
    """The app has the tab's events, and CLIP's weights for CLIP's first view (without them
    the tab shows its notice instead)."""
    return all(name in events for name in chain) and (
        tab != "clip" or all(models.is_usable(name) for name in models.names("clip")))


def wire_first_views(demo: gr.Blocks, models: ModelManager,
                     links: Mapping[str, LinkFields] | None = None) -> None:
    """Run each tab's first-view chain when a page opens. Call inside ``with demo:``.

    With the tab's link fields, the chain starts by setting them from the page's address and
    sets them again before its last step (the setup steps choose defaults, such as a model's
    default layer or the top class), so that a link's view is the one computed.
    """
    events = _events(demo)
    for tab, chain in FIRST_VIEWS.items():
        fields = (links or {}).get(tab)
        steps = [(events[name].fn, events[name].inputs, events[name].outputs) for name in chain] \
            if _usable(tab, chain, events, models) else []
        if fields:
            restore = (restorer(tab, fields), None, list(fields.values()))
            steps = [restore, *steps[:-1], restore, *steps[-1:]] if len(steps) > 1 \
                else [restore, *steps]
        listener = demo.load
        for fn, inputs, outputs in steps:
            listener = listener(fn, inputs, outputs, api_visibility="private",
                                show_progress="hidden").then


def _value(item: object, current: object) -> object:
    """What an output sets: a component's or update's value, a plain value, or nothing."""
    if isinstance(item, gr.components.Component):
        return getattr(item, "value", current)
    if isinstance(item, dict) and item.get("__type__") == "update":
        return item.get("value", current)
    return item


def _unfilled(fn, given: int) -> list[None]:
    """``None`` for each required parameter after the ``given`` inputs: what Gradio fills in
    by type (the ``gr.Request``); without one a handler answers in the lab's language."""
    later = list(inspect.signature(fn).parameters.values())[given:]
    return [None for p in later if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                                      p.POSITIONAL_OR_KEYWORD)]


def _first_view(tab: str, steps: list) -> None:
    """Run one tab's chain as a page load does; stop early once the process exits."""
    values: dict = {}
    try:
        for step in steps:
            if exiting.is_set():
                return
            args = []
            for component in step.inputs:
                default = values.get(component, getattr(component, "value", None))
                args.append(default() if callable(default) else default)
            result = step.fn(*args, *_unfilled(step.fn, len(args)))
            if inspect.isgenerator(result):
                last = None
                for last in result:
                    pass
                result = last
            items = result if isinstance(result, tuple) else (result,)
            for component, item in zip(step.outputs, items):
                values[component] = _value(item, values.get(component))
        log.info("warm-up: %s ready", tab)
    except Exception:  # noqa: BLE001 - the lab serves without a warm cache too
        log.exception("warm-up of %s failed; its first view is computed on demand", tab)


def warm_up(demo: gr.Blocks, models: ModelManager) -> threading.Thread:
    """Compute every tab's first view once, in a background thread (the caches keep them).

    Replays each chain with the components' default values, passing each step's outputs on
    to the next step's inputs, as a page load does. A failure is logged, never raised. It
    counts as running until it ends, and it ends at the next step once the process exits.
    """
    events = _events(demo)

    def run() -> None:
        with computing():
            for tab, chain in FIRST_VIEWS.items():
                if _usable(tab, chain, events, models):
                    _first_view(tab, [events[name] for name in chain])

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread
