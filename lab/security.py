"""Uploads are write-only: a file a student uploaded is never served back over HTTP.

Gradio serves every file in its cache at ``/gradio_api/file=<path>`` to anyone who knows the
path; an upload's path is derived from a hash of its content. The lab only reads uploads on the
server (and shows its own processed copy), so no browser ever needs to fetch one: this ASGI
middleware answers 403 for any path Gradio recorded as uploaded. Outputs (our PNGs) and
everything else pass through to Gradio's own rules (which refuse files outside its cache).
"""

from __future__ import annotations

import os
from urllib.parse import unquote

FILE_ROUTE = "/file="


class PrivateUploads:
    """ASGI middleware: ``403`` for ``GET …/file=<an uploaded file>``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and FILE_ROUTE in scope.get("path", ""):
            requested = unquote(scope["path"].split(FILE_ROUTE, 1)[1])
            blocks = scope["app"].get_blocks() if hasattr(scope.get("app"), "get_blocks") else None
            uploads = getattr(blocks, "upload_file_set", ())
            if uploads and os.path.abspath(requested) in {os.path.abspath(p) for p in uploads}:
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body",
                            "body": b"Uploaded files are not served back."})
                return
        await self.app(scope, receive, send)
