"""Opening a tab: its first view, computed with the page's values and the link in the address.

A tab declares its first view (``role="first"``) and the setup steps before it
(``role="setup"``: load the model and list its layers, classify the image to pick the target
class). :func:`opening_event` turns them into one streamed event: it puts the linked values
into their fields, runs the setup steps, puts the linked values in again (the setup chose
defaults, such as the model's default layer), then runs the first view and streams its
outputs. Each step runs the same view a student's click runs; its outputs go on to the next
step's inputs. The shell decides *when* a tab opens (when it is first shown); nothing here
knows about other tabs. A student who runs the first view themselves while the tab is still
opening keeps their result: the opening then leaves its own out (:mod:`tabs.common.asks`).

:func:`warm` runs the same opening without a page, so the caches hold the first views before
the first student arrives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import gradio as gr

from tabs.common.asks import ASKS
from tabs.common.form import Form, Wired
from tabs.common.links import linked_values
from tabs.common.running import answer, answer_stream, make_call, session_of
from tabs.common.view import View

Component = gr.components.Component


def _value(item: object, current: object) -> object:
    """What an output sets: a component's or update's value, a plain value. (A component made
    in an event is only its constructor's arguments: Gradio skips the rest of its set-up.)"""
    if isinstance(item, Component):
        return item.constructor_args.get("value", current)
    if isinstance(item, dict) and item.get("__type__") == "update":
        return item.get("value", current)
    return item


def _items(wired: Wired, result: object) -> dict[Component, object]:
    outputs = wired.outputs
    items = result if isinstance(result, tuple) and len(outputs) > 1 else (result,)
    return dict(zip(outputs, items))


@dataclass(frozen=True)
class Opening:
    """A tab's opening: its steps (setup, then the first view), the fields the steps read and
    the link fields; empty when the tab has no first view."""

    slug: str
    steps: tuple[Wired, ...]
    links: Mapping[str, Component]
    run_first: Callable[..., Iterator[Any]] | None

    @classmethod
    def of(cls, form: Form) -> Opening:
        steps = form.opening
        first = steps[-1] if steps and steps[-1].view.role == "first" else None
        return cls(form.slug, steps, form.links,
                   None if first is None else _first_runner(form, first))

    @property
    def view(self) -> View | None:
        """The view that shows the tab's first result (``None`` when it has none)."""
        last = self.steps[-1].view if self.steps else None
        return last if last is not None and last.role == "first" else None

    @property
    def inputs(self) -> list[Component]:
        """Every component a step reads, once."""
        seen: dict[int, Component] = {}
        for step in self.steps:
            for component in step.inputs:
                seen.setdefault(id(component), component)
        return list(seen.values())

    @property
    def outputs(self) -> list[Component]:
        """Every component a step or a link sets, once."""
        seen: dict[int, Component] = {}
        for component in [*self.links.values(), *(c for s in self.steps for c in s.outputs)]:
            seen.setdefault(id(component), component)
        return list(seen.values())

    def run(self, form: Form, values: dict[Component, object], *, query: Mapping[str, str],
            request: gr.Request | None = None, lang: str | None = None,
            superseded: Callable[[], bool] = lambda: False) -> Iterator[dict]:
        """The opening as a stream of ``{component: value}`` updates for the page. The first
        view is left out, or its stream ended, as soon as ``superseded()`` says that the
        student has run it themselves since (:mod:`tabs.common.asks`)."""
        first = self.steps[-1] if self.steps[-1].view.role == "first" else None
        linked, shown = self.set_up(form, values, query=query, request=request, lang=lang)
        if shown:
            yield shown
        if linked and len(self.steps) > (1 if first else 0):
            yield dict(linked)
        if first is None or superseded():
            return
        call = self._call(form, first, values, request, lang)
        assert self.run_first is not None
        results = self.run_first(call.settings, call.lang, call.session)
        try:
            for result in results:
                if superseded():
                    return
                yield _items(first, result)
        finally:
            getattr(results, "close", lambda: None)()

    def set_up(self, form: Form, values: dict[Component, object], *, query: Mapping[str, str],
               request: gr.Request | None = None, lang: str | None = None,
               ) -> tuple[dict[Component, object], dict[Component, object]]:
        """Put the link's values into ``values``, run the setup steps (``values`` takes their
        outputs) and put the link's values in again. Returns the linked values and what the
        page shows after the setup steps."""
        linked = linked_values(self.slug, self.links, query)
        values.update(linked)
        first = self.steps[-1] if self.steps[-1].view.role == "first" else None
        shown: dict[Component, object] = dict(linked)
        for step in self.steps[:-1] if first else self.steps:
            call = self._call(form, step, values, request, lang)
            for component, item in _items(step, answer(step.view, call, step.outputs)).items():
                shown[component] = item
                values[component] = _value(item, values.get(component))
        values.update(linked)
        return linked, shown

    @staticmethod
    def _call(form: Form, step: Wired, values: dict, request, lang):
        view = step.view
        args = [values.get(c, getattr(c, "value", None)) for c in step.inputs]
        return make_call(view, form.ctx, view.settings(*args), request=request, lang=lang,
                         session=session_of(request) if view.session else None)


def _first_runner(form: Form, first: Wired) -> Callable[..., Iterator[Any]]:
    """The first view's outputs from plain values (settings, language, session), so that on
    ZeroGPU only this part runs under the GPU lease: its arguments and results cross into the
    GPU worker, the page's components never do."""

    view = first.view

    def run_first(settings: Any, lang: str, session: str | None) -> Iterator[Any]:
        call = make_call(view, form.ctx, settings, lang=lang, session=session)
        if view.streams:
            yield from answer_stream(view, call, first.outputs)
        else:
            yield answer(view, call, first.outputs)

    if view.gpu_seconds and form.ctx.gpu is not None:
        return form.ctx.gpu(run_first, view.gpu_seconds)
    return run_first


OPENINGS_AT_ONCE = 8


def wire_opening(form: Form, trigger: Any) -> bool:
    """Open ``form``'s tab on ``trigger`` (an event listener); ``False`` when the tab has
    nothing to open with. Openings of a tab run in a concurrency group of their own, up to
    :data:`OPENINGS_AT_ONCE` at a time: a class opening the lab mostly gets first views the
    lab has computed before, which should not wait behind other students' heavy requests (a
    first view computed for the first time is computed once for all, and hooked work holds
    its model's lock anyway). On ZeroGPU the first view runs under its GPU seconds. A student
    who runs the first view before the opening has shown it keeps their own result."""
    opening = Opening.of(form)
    if not opening.steps:
        return False
    inputs = opening.inputs
    first = opening.view.name if opening.view is not None else ""

    def open_tab(request: gr.Request, *values: Any) -> Iterator[dict]:
        # Gradio passes the request first: it fills a request parameter where it stands.
        began, session = time.monotonic(), session_of(request)
        query = dict(request.query_params) if request is not None else {}
        yield from opening.run(form, dict(zip(inputs, values)), query=query, request=request,
                               superseded=lambda: ASKS.since(session, first, began))

    trigger(open_tab, inputs, opening.outputs, api_visibility="private",
            show_progress="hidden", concurrency_id=f"open-{form.slug}",
            concurrency_limit=OPENINGS_AT_ONCE)
    return True


def warm(form: Form, lang: str) -> bool:
    """Run ``form``'s opening as a page with default values and no link would, in ``lang``;
    ``False`` when the tab has no first view."""
    opening = Opening.of(form)
    if opening.view is None:
        return False
    for _ in opening.run(form, {}, query={}, lang=lang):
        pass
    return True
