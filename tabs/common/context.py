"""What every tab receives when it is built: the shared models, the default language and the
example images. The shell (``lab``) makes one; tabs never import the shell."""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Callable

from core.models import ModelManager
from tabs.common.i18n import Language
from tabs.common.image_picker import ExampleImages


@dataclass(frozen=True)
class TabContext:
    """``lang`` is the lab's default language, used when a request names none."""

    models: ModelManager
    lang: Language
    examples: ExampleImages

    def bind(self, handler: Callable, *values) -> Callable:
        """``handler`` with this context (and ``values``) filled in as its first arguments.

        Unlike ``functools.partial`` the result keeps the rest of the signature, the type
        hints (Gradio passes ``gr.Request`` and ``gr.Progress`` by them), the name and the
        docstring (API and MCP tool descriptions), and a generator stays a generator.
        """
        if inspect.isgeneratorfunction(handler):
            def call(*args, **kwargs):
                yield from handler(self, *values, *args, **kwargs)
        else:
            def call(*args, **kwargs):
                return handler(self, *values, *args, **kwargs)
        functools.update_wrapper(call, handler)
        signature = inspect.signature(handler)
        call.__signature__ = signature.replace(
            parameters=list(signature.parameters.values())[1 + len(values):])
        return call
