"""Browsers keep the page's static files, so a class reloading the lab asks for them once.

Gradio serves about 120 JavaScript and CSS files per page open without a ``Cache-Control``
header, so a browser asks again for each of them (with an ETag) on every visit. Their names
under ``/assets/`` carry a hash of their content, so they never change under the same name:
this ASGI middleware marks them immutable for a year. The few files under ``/static/`` and the
theme (whose address carries its hash) are kept for a day.
"""

from __future__ import annotations

IMMUTABLE = b"public, max-age=31536000, immutable"
A_DAY = b"public, max-age=86400"


def cache_control(path: str) -> bytes | None:
    """The ``Cache-Control`` value for a static file's path (``None``: not one of them)."""
    if path.startswith("/assets/"):
        return IMMUTABLE
    if path.startswith("/static/") or path == "/theme.css":
        return A_DAY
    return None


class StaticFilesKept:
    """ASGI middleware: a ``Cache-Control`` header on successful answers for static files."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        value = cache_control(scope.get("path", "")) if scope["type"] == "http" else None
        if value is None:
            await self.app(scope, receive, send)
            return

        async def marked(message):
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", value)]}
            await send(message)

        await self.app(scope, receive, marked)
