"""The model manager: each model loaded once per process, lazily, shared by every session.

Loaded networks are in ``eval()`` mode with frozen parameters, on the chosen device. Each
model carries a re-entrant lock; whoever registers hooks on it or changes its state holds
that lock (ARCHITECTURE.md, "Models are shared").
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import nn

from core.checks import InputError, excerpt
from core.models.layers import LayerInfo, list_layers
from core.models.registry import OFFLINE_MODEL, REGISTRY, ModelSpec
from core.models.weights import WeightStatus, WeightsUnavailableError

DeviceChoice = Literal["auto", "cpu", "cuda"]


def resolve_device(choice: DeviceChoice) -> torch.device:
    """``auto`` picks CUDA when present; asking for CUDA without one is an error."""
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was requested, but no CUDA GPU is available.")
    return torch.device(choice)


@dataclass(frozen=True)
class LoadedModel:
    """A ready network with its spec, class names, device and lock."""

    spec: ModelSpec
    network: nn.Module
    categories: tuple[str, ...]
    device: torch.device
    lock: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.spec.name


class ModelManager:
    """Loads models on first use and hands the same instance to every caller."""

    def __init__(
        self,
        *,
        device: DeviceChoice = "auto",
        offline: bool = False,
        specs: Mapping[str, ModelSpec] = REGISTRY,
        fallback: str = OFFLINE_MODEL,
    ):
        self.device = resolve_device(device)
        self.offline = offline
        self.specs = dict(specs)
        self.fallback = fallback
        self._loaded: dict[str, LoadedModel] = {}
        self._layers: dict[str, tuple[LayerInfo, ...]] = {}
        self._failures: dict[str, str] = {}
        self._load_locks = {name: threading.Lock() for name in self.specs}

    def spec(self, name: str) -> ModelSpec:
        """The spec of ``name``; ``InputError`` listing the known names otherwise."""
        try:
            return self.specs[name]
        except KeyError:
            known = ", ".join(self.specs)
            raise InputError(f"Unknown model '{excerpt(name)}'. Choose one of: {known}.",
                             f"Unbekanntes Modell '{excerpt(name)}'. Wähle eines von: {known}."
                             ) from None

    def names(self, kind: str = "classifier") -> list[str]:
        return [name for name, spec in self.specs.items() if spec.kind == kind]

    def status(self, name: str) -> WeightStatus:
        """ready (loaded) / cached / will download / unavailable offline / failed."""
        if name in self._loaded:
            return "ready"
        status = self.spec(name).source.status(offline=self.offline)
        return "failed" if name in self._failures and status != "unavailable offline" else status

    def is_usable(self, name: str) -> bool:
        return self.status(name) in ("ready", "cached", "will download")

    def get(self, name: str) -> LoadedModel:
        """Return the loaded model, loading it on first use.

        Raises :class:`WeightsUnavailableError` when its weights cannot be had.
        """
        spec = self.spec(name)
        if name in self._loaded:
            return self._loaded[name]
        with self._load_locks[name]:
            if name not in self._loaded:
                try:
                    network, categories = spec.source.load(title=spec.title, offline=self.offline)
                except WeightsUnavailableError as error:
                    self._failures[name] = str(error)
                    raise
                network.eval().requires_grad_(False)
                self._loaded[name] = LoadedModel(
                    spec=spec, network=network.to(self.device), categories=categories,
                    device=self.device,
                )
                self._failures.pop(name, None)
        return self._loaded[name]

    def preload(self) -> tuple[str, ...]:
        """Load every model whose weights can be had now, instead of on first use; returns the
        names loaded. A model whose weights turn out to be missing is skipped (its status then
        says so), so a lab without some weights still starts."""
        loaded = []
        for name in self.specs:
            if not self.is_usable(name):
                continue
            try:
                self.get(name)
            except WeightsUnavailableError:
                continue
            loaded.append(name)
        return tuple(loaded)

    def get_or_fallback(self, name: str) -> tuple[LoadedModel, WeightsUnavailableError | None]:
        """Return ``name`` if it can be loaded, else the offline model and the error that says
        why ``name`` could not be (the tabs word the notice in the page's language)."""
        try:
            return self.get(name), None
        except WeightsUnavailableError as error:
            if name == self.fallback:
                raise
            return self.get(self.fallback), error

    def layers(self, name: str) -> tuple[LayerInfo, ...]:
        """Every layer with feature maps, in execution order (computed once per model)."""
        if name not in self._layers:
            model = self.get(name)
            with model.lock:
                self._layers[name] = list_layers(
                    model.network, input_size=model.spec.input_size, device=model.device
                )
        return self._layers[name]

    def layer(self, name: str, layer: str) -> LayerInfo:
        """One layer's info; ``InputError`` if the model has no such layer."""
        for info in self.layers(name):
            if info.name == layer:
                return info
        raise InputError(
            f"{self.spec(name).title} has no layer '{excerpt(layer)}' with feature maps. "
            "Pick one from the layer list.",
            f"{self.spec(name).title} hat keine Schicht '{excerpt(layer)}' mit Merkmalskarten. "
            "Wähle eine aus der Liste der Schichten.",
        )

    def default_model(self, preferred: str) -> str:
        """``preferred`` when its weights can be had, else the offline model."""
        return preferred if self.is_usable(preferred) else self.fallback
