"""What every tab receives when it is built: the shared models, the language, the examples
and the lesson texts. The shell (``lab``) makes one; tabs never import the shell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from core.models import ModelManager
from tabs.common.i18n import Language
from tabs.common.image_picker import ExampleImages


@dataclass(frozen=True)
class TabContext:
    """``lesson(tab)`` returns the Markdown lesson of a tab in ``lang``."""

    models: ModelManager
    lang: Language
    examples: ExampleImages
    lesson: Callable[[str], str]
