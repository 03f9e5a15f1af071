"""The form of a tab: its named components, and the one place where a view's settings are made
from them and its event is created.

A tab adds its components by name (``form.add(layer=gr.Dropdown(...))``); a view's settings
field takes the component of the same name unless the wiring names another. :meth:`Form.wire`
creates the Gradio event: its function receives the components' values in field order, builds
the settings object, asks for the page's request (its language) and runs the view through
:mod:`tabs.common.running` (errors become sentences, the work counts as running); a result a
student asked for is announced to screen readers when it arrives (:mod:`tabs.common.announce`).
The event's parameters are the settings' fields, so the API and MCP name them as the settings
do. The form also records every wired view and the link fields, which the shell reads.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from tabs.common.announce import announce_after, asked
from tabs.common.asks import ASKS
from tabs.common.context import TabContext
from tabs.common.guards import guard
from tabs.common.running import answer, answer_stream, make_call, session_of
from tabs.common.view import Selection, View

Component = gr.components.Component


@dataclass(frozen=True)
class Wired:
    """A view as wired into the page: the components it reads and the ones it sets."""

    view: View
    inputs: tuple[Component, ...]
    outputs: tuple[Component, ...]
    fn: Callable


@dataclass
class Form:
    """The named components of one tab and the views wired to them."""

    ctx: TabContext
    slug: str
    components: dict[str, Any] = field(default_factory=dict)  # Gradio components by name
    wired: list[Wired] = field(default_factory=list)
    ui_links: dict[str, Component] = field(default_factory=dict)
    results: dict[str, Component] = field(default_factory=dict)

    def add(self, **components: Component) -> None:
        """Name components (a settings field of that name reads it)."""
        self.components.update(components)

    def link(self, key: str, component: Component) -> None:
        """A link key that sets a component no view reads (e.g. the block of a layer picker)."""
        self.ui_links[key] = component

    def result(self, name: str, component: Component) -> None:
        """A result a worksheet question may take its expected value from
        (``from: <tab>.<name>``): the value ``component`` shows, e.g. the class a
        counterfactual reached."""
        self.results[name] = component

    def wire(self, view: View, triggers: Any, outputs: Sequence[Component] | Component | None,
             *, inputs: Mapping[str, Component] | None = None, private: bool = False,
             **options: Any) -> Any:
        """Create ``view``'s event on ``triggers``: an event listener (``button.click``), a list
        of them, or a dependency's ``then`` (to run after another event); ``None`` for a setup
        step that runs only when the tab opens (it gets no event of its own).

        ``inputs`` maps settings fields to components whose names differ from the fields;
        ``private`` wires a public view once more as a private event of the page. ``options``
        go to Gradio (``show_progress``, ``cancels`` …). Returns the dependency, so that
        ``.then`` can follow.
        """
        named = {**self.components, **(inputs or {})}
        missing = [name for name in view.fields if name not in named]
        if missing:
            raise ValueError(f"View {view.name}: no component for {missing}")
        components = [named[name] for name in view.fields]
        for component in components:
            guard(component)
        outs: list[Component] = [] if outputs is None else [outputs] \
            if isinstance(outputs, Component) else list(outputs)
        fn = event_function(view, self.ctx, outs)
        if view.gpu_seconds and self.ctx.gpu is not None:
            fn = self.ctx.gpu(fn, view.gpu_seconds)
        visibility = {"api_name": view.name} if view.public and not private \
            else {"api_visibility": "private"}
        group = {"concurrency_id": view.group, "concurrency_limit": self.ctx.heavy_limit} \
            if view.group else {}
        self.wired.append(Wired(view, tuple(components), tuple(outs), fn))
        arguments = dict(fn=fn, inputs=components, outputs=outs or None, **visibility, **group,
                         **options)
        if triggers is None:
            return None
        if isinstance(triggers, (list, tuple)) or hasattr(triggers, "event_name"):
            dependency = gr.on(triggers, **arguments)
        else:  # a dependency's then/success
            dependency = triggers(**arguments)
        if outs and asked(triggers) and options.get("show_progress") != "hidden":
            announce_after(dependency, outs)
        return dependency

    @property
    def links(self) -> dict[str, Component]:
        """``{address key: component}`` for every linked settings field of the wired views,
        and the page-only link keys."""
        found: dict[str, Component] = {}
        for wired in self.wired:
            named = dict(zip(wired.view.fields, wired.inputs))
            for key, name in wired.view.links.items():
                found.setdefault(key, named[name])
        return {**found, **self.ui_links}

    def view(self, name: str) -> Wired:
        """The wired view called ``name``."""
        return next(w for w in self.wired if w.view.name == name)

    @property
    def opening(self) -> tuple[Wired, ...]:
        """The setup steps in wiring order (a view wired on several triggers once), then the
        tab's first view (if it has one)."""
        setup: dict[str, Wired] = {}
        for wired in self.wired:
            if wired.view.role == "setup":
                setup.setdefault(wired.view.name, wired)
        first = [w for w in self.wired if w.view.role == "first"][:1]
        return (*setup.values(), *first)


def event_function(view: View, ctx: TabContext,
                   outputs: Sequence[Component] = ()) -> Callable:
    """The function Gradio calls for ``view``: component values in field order, then what
    Gradio fills in by type (the request: its language, and its browser session for a view
    that Cancel reaches). A run of a tab's first view is noted in :data:`ASKS` (the tab's
    opening gives way to it)."""
    parameters = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD)
                  for name in view.fields]
    special: dict[str, Any] = {"request": gr.Request}
    if view.select:
        special = {"selection": gr.SelectData, **special}
    parameters += [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                     annotation=hint) for name, hint in special.items()]
    if view.progress:
        parameters.append(inspect.Parameter("progress", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                            default=gr.Progress()))
    given = len(view.fields)

    def call(args: tuple):
        rest = dict(zip([*special, *(["progress"] if view.progress else [])], args[given:]))
        selected, request = rest.get("selection"), rest.get("request")
        if view.role == "first":
            ASKS.note(session_of(request), view.name)
        return make_call(view, ctx, view.settings(*args[:given]), request=request,
                         session=session_of(request) if view.session else None,
                         progress=rest.get("progress"),
                         selected=None if selected is None
                         else Selection(selected.index, selected.value))

    if view.streams:
        def event(*args):
            yield from answer_stream(view, call(args), outputs)
    else:
        def event(*args):
            return answer(view, call(args), outputs)

    event.__name__ = view.run.__name__
    event.__doc__ = view.run.__doc__
    # what Gradio reads to fill in the request and to name the API parameters
    event.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    event.__annotations__ = dict(special)
    return event
