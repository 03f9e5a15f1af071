"""The model status line: a short summary on top, every model's state one click away; written
in the language of the request."""

from __future__ import annotations

from core.models import ModelManager
from tabs.common.i18n import Texts

TEXTS = Texts("status", en={
    "ready": "ready", "cached": "cached", "will download": "will download on first use",
    "unavailable offline": "weights unavailable offline",
    "failed": "weights could not be loaded",
    "all": "seed models available", "some": "seed models: {n} of {total} available",
    "none": "seed models: weights unavailable offline, replaced by **{fallback}**",
    "bundled": " · bundled: {titles}",
    "clip_yes": " · CLIP available", "clip_no": " · CLIP unavailable",
    "summary": "Models: {seeds}{bundled}{clip} — {device}",
    "cpu": "CPU", "gpu": "GPU (CUDA)", "offline": " · offline mode",
    "hint": "Running on {device}. Missing weights: run `python -m lab prefetch` on a machine "
            "with internet and copy its caches.",
}, de={
    "ready": "geladen", "cached": "im Cache",
    "will download": "wird bei der ersten Nutzung geladen",
    "unavailable offline": "Gewichte offline nicht verfügbar",
    "failed": "Gewichte konnten nicht geladen werden",
    "all": "Seed-Modelle verfügbar", "some": "Seed-Modelle: {n} von {total} verfügbar",
    "none": "Seed-Modelle: Gewichte offline nicht verfügbar, ersetzt durch **{fallback}**",
    "bundled": " · mitgeliefert: {titles}",
    "clip_yes": " · CLIP verfügbar", "clip_no": " · CLIP nicht verfügbar",
    "summary": "Modelle: {seeds}{bundled}{clip} — {device}",
    "cpu": "CPU", "gpu": "GPU (CUDA)", "offline": " · Offline-Modus",
    "hint": "Läuft auf {device}. Fehlende Gewichte: `python -m lab prefetch` auf einem Rechner "
            "mit Internet ausführen und dessen Caches hierher kopieren.",
})


def _device(manager: ModelManager, lang: str) -> str:
    device = TEXTS.text("gpu" if manager.device.type == "cuda" else "cpu", lang)
    return device + (TEXTS.text("offline", lang) if manager.offline else "")


def status_summary(manager: ModelManager, lang: str = "en") -> str:
    """One short line: whether the seed models and CLIP can be used here, which bundled
    (offline) models the lab has, and the device."""
    classifiers = manager.names("classifier")
    seeds = [name for name in classifiers if not manager.spec(name).offline]
    bundled = [manager.spec(name).title for name in classifiers
               if manager.spec(name).offline and manager.is_usable(name)]
    bundled_text = TEXTS.text("bundled", lang, titles=", ".join(bundled)) if bundled else ""
    usable = [name for name in seeds if manager.is_usable(name)]
    if len(usable) == len(seeds):
        seed_text = TEXTS.text("all", lang)
    elif usable:
        seed_text = TEXTS.text("some", lang, n=len(usable), total=len(seeds))
    else:
        seed_text = TEXTS.text("none", lang, fallback=manager.spec(manager.fallback).title)
    clip = manager.names("clip")
    clip_text = TEXTS.text("clip_yes" if manager.is_usable(clip[0]) else "clip_no", lang) \
        if clip else ""
    return TEXTS.text("summary", lang, seeds=seed_text, bundled=bundled_text, clip=clip_text,
                      device=_device(manager, lang))


def status_markdown(manager: ModelManager, lang: str = "en") -> str:
    """Every model with its status, one per line, for the details view."""
    lines = [f"- **{manager.spec(name).title}** ({name}): {TEXTS.text(manager.status(name), lang)}"
             for name in manager.specs]
    return "\n".join([*lines, "\n" + TEXTS.text("hint", lang, device=_device(manager, lang))])
