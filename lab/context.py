"""What every tab receives when it is built: the settings and the shared model manager."""

from __future__ import annotations

from dataclasses import dataclass

from core.models import ModelManager
from lab.settings import Settings


@dataclass(frozen=True)
class LabContext:
    settings: Settings
    models: ModelManager
