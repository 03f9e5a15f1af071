"""``/notebook``: the notebook of a view, from its link.

``/notebook?tab=attribution&image=both.png&target=207&layer=blocks.5`` answers the ``.ipynb``
that the view's "Download notebook" button gives for those settings. The link may also come
whole, address included, as ``?link=…``. The values go into the tab's fields as when the link
is opened in the browser (:mod:`tabs.common.opening`: the link's values, the setup steps, the
link's values again), so a link gets the same view and the same sentences as the page. The
tab's first view is meant unless ``view=`` names another view of the tab that has code.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlsplit

import gradio as gr
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from core.checks import InputError
from core.models import WeightsUnavailableError
from tabs.common.code_panel import notebook_for
from tabs.common.form import Form
from tabs.common.i18n import LANGUAGES, Texts, request_language
from tabs.common.opening import Opening
from tabs.common.running import make_call
from tabs.common.view import View

TEXTS = Texts("notebook_route", en={
    "tab": "Unknown tab '{tab}'. Choose one of: {tabs}.",
    "view": "The tab {tab} has no view '{view}' with code. Choose one of: {views}.",
}, de={
    "tab": "Unbekannter Tab '{tab}'. Wähle einen von: {tabs}.",
    "view": "Der Tab {tab} hat keine Ansicht '{view}' mit Code. Wähle eine von: {views}.",
})


def link_query(params: Mapping[str, str]) -> dict[str, str]:
    """The view link's keys: the request's own, or those of ``link`` (a whole address or its
    query string, with or without ``?``)."""
    link = params.get("link")
    if not link:
        return dict(params)
    query = urlsplit(link).query if "://" in link or link.startswith("/") else link
    return dict(parse_qsl(query.lstrip("?")))


def coded_views(form: Form) -> dict[str, View]:
    """The tab's views that have code, by name (the first view first)."""
    views = {w.view.name: w.view for w in form.wired if w.view.code is not None}
    first = [name for name, view in views.items() if view.role == "first"]
    return {name: views[name] for name in [*first, *views]}


def make_notebook(forms: Mapping[str, Form], query: Mapping[str, str], lang: str) -> bytes:
    """The notebook of the view ``query`` links to; ``InputError`` with the page's sentence
    for a link the page would refuse."""
    slug = query.get("tab") or query.get("embed") or ""
    available = {name: form for name, form in forms.items() if coded_views(form)}
    if slug not in available:
        raise InputError(*(TEXTS.text("tab", lang_, tab=slug, tabs=", ".join(available))
                           for lang_ in ("en", "de")))
    form = available[slug]
    views = coded_views(form)
    name = query.get("view") or next(iter(views))
    if name not in views:
        raise InputError(*(TEXTS.text("view", lang_, tab=slug, view=name,
                                      views=", ".join(views)) for lang_ in ("en", "de")))
    view = views[name]
    values: dict = {}
    Opening.of(form).set_up(form, values, query={**query, "tab": slug}, lang=lang)
    wired = form.view(name)
    settings = view.settings(*(values.get(c, getattr(c, "value", None)) for c in wired.inputs))
    return notebook_for(view, make_call(view, form.ctx, settings, lang=lang))


def notebook_route(forms: Mapping[str, Form]):
    """The Starlette endpoint of ``/notebook`` for the lab's tabs."""

    async def notebook(request: Request) -> Response:
        query = link_query(request.query_params)
        asked = query.get("lang", "")
        lang = asked if asked in LANGUAGES else request_language(request)  # type: ignore[arg-type]
        try:
            data = await run_in_threadpool(make_notebook, forms, query, lang)
        except (InputError, WeightsUnavailableError) as error:
            return PlainTextResponse(error.in_language(lang), status_code=400)
        except gr.Error as error:  # a setup step refused the link, in the page's words
            return PlainTextResponse(str(error.message), status_code=400)
        view = query.get("view") or query.get("tab", "view")
        return Response(data, media_type="application/x-ipynb+json", headers={
            "Content-Disposition": f'attachment; filename="{_safe(view)}.ipynb"'})

    return notebook


def _safe(name: str) -> str:
    return "".join(ch for ch in name if ch.isalnum() or ch in "_-") or "view"
