"""The model status line: a short summary on top, every model's state one click away."""

from __future__ import annotations

from core.models import ModelManager

_WORDS = {
    "ready": "ready",
    "cached": "cached",
    "will download": "will download on first use",
    "unavailable offline": "weights unavailable offline",
    "failed": "weights could not be loaded",
}


def _device(manager: ModelManager) -> str:
    device = "GPU (CUDA)" if manager.device.type == "cuda" else "CPU"
    return device + (" · offline mode" if manager.offline else "")


def status_summary(manager: ModelManager) -> str:
    """One short line: whether the seed models and CLIP can be used here, and the device."""
    seeds = [name for name in manager.names("classifier") if name != manager.fallback]
    usable = [name for name in seeds if manager.is_usable(name)]
    if len(usable) == len(seeds):
        seed_text = "seed models available"
    elif usable:
        seed_text = f"seed models: {len(usable)} of {len(seeds)} available"
    else:
        seed_text = ("seed models: weights unavailable offline, using "
                     f"**{manager.spec(manager.fallback).title}** (bundled)")
    clip = manager.names("clip")
    clip_text = ""
    if clip:
        clip_text = " · CLIP " + ("available" if manager.is_usable(clip[0]) else "unavailable")
    return f"Models: {seed_text}{clip_text} — {_device(manager)}"


def status_markdown(manager: ModelManager) -> str:
    """Every model with its status, one per line, for the details view."""
    lines = [f"- **{manager.spec(name).title}** ({name}): {_WORDS[manager.status(name)]}"
             for name in manager.specs]
    return "\n".join([*lines, f"\nRunning on {_device(manager)}. Missing weights: run "
                      "`python -m lab prefetch` on a machine with internet and copy its caches."])
