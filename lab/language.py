"""The page in the student's language: ``?lang=de`` switches that browser's page to German, and
Gradio's "busy" message appears in the page's language.

Gradio translates labels in the browser from ``navigator.language``. For a page requested
with ``?lang=de|en`` this ASGI middleware puts a tiny script at the top of the page's
``<head>`` that reports that language instead, before Gradio's own code runs. Only that page
is affected; the server reads the same ``?lang=`` from each request for the texts it writes
(``tabs.common.i18n.request_language``).

When the queue is full, Gradio's browser client shows a fixed English sentence; every page
also gets a small script that replaces it with ours in the page's language.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from tabs.common.i18n import LANGUAGES, Texts

GRADIO_BUSY = "This application is currently busy. Please try again."
BUSY = Texts("busy", en={
    "busy": "The lab is busy right now: many students are computing at once. Please try again "
            "in a minute.",
}, de={
    "busy": "Das Lab ist gerade ausgelastet, weil viele gleichzeitig rechnen. Bitte versuche es "
            "in einer Minute noch einmal.",
})


def _language_script(lang: str) -> str:
    return ("Object.defineProperty(navigator,'language',{get:()=>'" + lang + "'});"
            "Object.defineProperty(navigator,'languages',{get:()=>['" + lang + "']});")


def _busy_script() -> str:
    """Replace Gradio's English busy sentence, wherever it appears, by ours."""
    busy, gradio_busy = json.dumps(BUSY.both("busy")), json.dumps(GRADIO_BUSY)
    return ("(()=>{const m=" + busy + ";"
            "const t=()=>m[(navigator.language||'en').slice(0,2)]||m.en;"
            "new MutationObserver(rs=>{for(const r of rs)for(const n of r.addedNodes){"
            "const w=document.createTreeWalker(n.nodeType===3?n.parentNode:n,4);let x;"
            "while((x=w.nextNode()))if(x.nodeValue.includes(" + gradio_busy + "))"
            "x.nodeValue=x.nodeValue.replace(" + gradio_busy + ",t());}})"
            ".observe(document.documentElement,{childList:true,subtree:true});})();")


def _script(lang: str | None) -> bytes:
    return ("<script>" + (_language_script(lang) if lang else "") + _busy_script()
            + "</script>").encode()


class PageLanguage:
    """ASGI middleware: every page gets the busy-message script, a page with ``?lang=`` also
    the language script."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        page = scope["type"] == "http" and scope.get("method") == "GET" \
            and "/gradio_api" not in path \
            and not path.startswith(("/assets", "/static", "/svelte", "/favicon", "/theme.css",
                                     "/config", "/info", "/file"))
        if not page:
            await self.app(scope, receive, send)
            return
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0]
        lang = asked.lower() if asked.lower() in LANGUAGES else None
        start: dict = {}
        chunks: list[bytes] = []

        async def rewrite(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = dict(start.get("headers", []))
            if headers.get(b"content-type", b"").startswith(b"text/html"):
                body = body.replace(b"<head>", b"<head>" + _script(lang), 1)
            await send({**start, "headers": [(k, v) for k, v in start.get("headers", [])
                                              if k.lower() != b"content-length"]
                        + [(b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)
