"""Running a view for one request: the page's language, the sentences for errors, the count
of running work (:mod:`tabs.common.inflight`), pictures saved once and kept outputs
(:mod:`tabs.common.outputs`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import gradio as gr

from tabs.common.context import TabContext
from tabs.common.errors import translated
from tabs.common.i18n import LANGUAGES, request_language
from tabs.common.inflight import computing, counted_steps
from tabs.common.outputs import KEPT, Finished, finish, kept_key
from tabs.common.view import Call, Final, Selection, View


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


def answer(view: View, call: Call, components: Sequence[object]) -> Any:
    """The outputs of a view that does not stream, for ``components``: pictures saved as files;
    kept outputs served as they are."""
    key = kept_key(view.name, call.lang, call.settings, components) if view.keep else None
    kept = KEPT.get(key) if key is not None else None
    if isinstance(kept, Finished):
        return kept.restored()
    with translated(view.name, call.lang), computing():
        finished = finish(view.run(call), components)
    if key is not None:
        KEPT.put(key, finished)
    return finished.values


def answer_stream(view: View, call: Call, components: Sequence[object]) -> Iterator[Any]:
    """The outputs of a streaming view, step by step, for ``components``; it counts as running
    only while it computes a step, so a stream waiting for a vanished client does not hold up
    the exit. A kept view keeps the outputs it marks :class:`~tabs.common.view.Final`."""
    key = kept_key(view.name, call.lang, call.settings, components) if view.keep else None
    kept = KEPT.get(key) if key is not None else None
    if isinstance(kept, Finished):
        yield kept.restored()
        return
    sentences: dict[str, str] = {}
    with translated(view.name, call.lang):
        for result in counted_steps(view.run(call)):
            complete = isinstance(result, Final)
            finished = finish(result.outputs if complete else result, components, sentences)
            if complete and key is not None:
                KEPT.put(key, finished)
            yield finished.values
