"""Running a view for one request: the page's language, the sentences for errors, and the
count of running work (:mod:`tabs.common.inflight`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from tabs.common.context import TabContext
from tabs.common.errors import translated
from tabs.common.i18n import LANGUAGES, request_language
from tabs.common.inflight import computing, counted_steps
from tabs.common.view import Call, Selection, View


def session_of(request: gr.Request | None) -> str | None:
    """The browser session a request comes from (what a Cancel button reaches)."""
    return getattr(request, "session_hash", None) if request is not None else None


def make_call(view: View, ctx: TabContext, settings: Any, *, request: gr.Request | None = None,
              lang: str | None = None, session: str | None = None,
              selected: Selection | None = None,
              progress: Callable[..., Any] | None = None) -> Call:
    """The :class:`Call` for ``view``: the language is ``lang`` or the request's."""
    language = next((known for known in LANGUAGES if known == lang), None) \
        or request_language(request, ctx.lang)
    return Call(ctx=ctx, settings=settings, lang=language, texts=view.texts,
                session=session, selected=selected, progress=progress)


def answer(view: View, call: Call) -> Any:
    """The outputs of a view that does not stream."""
    with translated(view.name, call.lang), computing():
        return view.run(call)


def answer_stream(view: View, call: Call) -> Iterator[Any]:
    """The outputs of a streaming view, step by step; it counts as running only while it
    computes a step, so a stream waiting for a vanished client does not hold up the exit."""
    with translated(view.name, call.lang):
        yield from counted_steps(view.run(call))
