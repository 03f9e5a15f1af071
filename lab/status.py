"""The model status line: which models are ready, cached, downloadable or unavailable."""

from __future__ import annotations

from core.models import ModelManager

_WORDS = {
    "ready": "ready",
    "cached": "cached",
    "will download": "will download on first use",
    "unavailable offline": "weights unavailable offline",
    "failed": "weights could not be loaded",
}


def status_markdown(manager: ModelManager) -> str:
    """One Markdown line listing every model with its status, plus the device in use."""
    parts = [f"**{manager.spec(name).title}**: {_WORDS[manager.status(name)]}" for name in manager.specs]
    device = "GPU (CUDA)" if manager.device.type == "cuda" else "CPU"
    mode = " · offline mode" if manager.offline else ""
    return f"Models: {' · '.join(parts)} — running on {device}{mode}"
