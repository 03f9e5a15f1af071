"""What every tab receives when it is built: the shared models, the default language, the
example images and how heavy work is served. The shell (``lab``) makes one; tabs never import
the shell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.models import ModelManager
from tabs.common.examples import ExampleImages
from tabs.common.i18n import Language

GpuWrapper = Callable[[Callable, int], Callable]
"""Puts an event function under a GPU lease of so many seconds (ZeroGPU's ``spaces.GPU``)."""


@dataclass(frozen=True)
class TabContext:
    """``lang`` is the lab's default language, used when a request names none;
    ``heavy_limit`` is how many requests of one concurrency group run at once; ``gpu`` wraps
    the views that declare GPU seconds (on a ZeroGPU Space, else ``None``); ``code``: whether
    views show their code panels (:mod:`tabs.common.code_panel`)."""

    models: ModelManager
    lang: Language
    examples: ExampleImages
    heavy_limit: int = 2
    gpu: GpuWrapper | None = None
    code: bool = True
