"""``?lang=de`` in the page address switches that browser's page to German.

Gradio translates labels in the browser from ``navigator.language``. For a page requested
with ``?lang=de|en`` this ASGI middleware puts a tiny script at the top of the page's
``<head>`` that reports that language instead, before Gradio's own code runs. Only that page
is affected; the server reads the same ``?lang=`` from each request for the texts it writes
(``tabs.common.i18n.request_language``).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from tabs.common.i18n import LANGUAGES


def _script(lang: str) -> bytes:
    return ("<script>Object.defineProperty(navigator,'language',{get:()=>'%s'});"
            "Object.defineProperty(navigator,'languages',{get:()=>['%s']});</script>"
            % (lang, lang)).encode()


class PageLanguage:
    """ASGI middleware: a page ``GET`` with ``?lang=`` gets the language script."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        lang = None
        if scope["type"] == "http" and scope.get("method") == "GET" \
                and "/gradio_api" not in scope.get("path", ""):
            asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0]
            lang = asked.lower() if asked.lower() in LANGUAGES else None
        if lang is None:
            await self.app(scope, receive, send)
            return
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
