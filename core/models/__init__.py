"""Networks and everything about them: which models exist (registry), where their weights
come from (sources, weights), loading them once per process (manager), their layers, hooks
that cannot leak, and BatchNorm folding for fast input optimisation.

May import: torch, torchvision, timm, transformers, and ``core`` helpers. Never gradio.
"""

from core.models.manager import DeviceChoice, LoadedModel, ModelManager, resolve_device
from core.models.registry import OFFLINE_MODEL, REGISTRY, LayerRole, ModelSpec
from core.models.weights import WeightsUnavailableError

__all__ = ["DeviceChoice", "LayerRole", "LoadedModel", "ModelManager", "ModelSpec",
           "OFFLINE_MODEL", "REGISTRY", "WeightsUnavailableError", "resolve_device"]
