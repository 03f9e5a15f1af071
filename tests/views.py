"""Calling a tab's views in tests as Gradio does: component values in field order, then the
page's request (its language), through the same event function the page uses."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from tabs.common.context import TabContext
from tabs.common.form import event_function
from tabs.common.view import View


def page(lang: str | None = None, *, session: str | None = None,
         **query: str) -> SimpleNamespace:
    """A stand-in for the page's ``gr.Request``: ``?lang=`` and other address keys, and the
    browser session it comes from."""
    params = dict(query, **({"lang": lang} if lang else {}))
    return SimpleNamespace(query_params=params, headers={}, session_hash=session)


def call_view(view: View, ctx: TabContext, *values: Any, lang: str | None = None,
              session: str | None = None, selected: Any = None,
              outputs: Sequence[Any] = ()) -> Any:
    """``view``'s outputs for ``values`` (its settings in field order; defaults for the rest),
    as the page gets them for its ``outputs`` components (pictures saved as files, the
    caption written) or, without them, as the handler gives them (without words).

    A streaming view gives the list of everything it yielded.
    """
    fn = event_function(view, ctx, outputs)
    args: list[Any] = list(values)
    defaults = view.defaults()
    args += [getattr(defaults, name) for name in view.fields[len(values):]]
    if view.select:
        args.append(selected)
    args.append(page(lang, session=session))
    if view.progress:
        args.append(None)
    result = fn(*args)
    return list(result) if inspect.isgenerator(result) else result
