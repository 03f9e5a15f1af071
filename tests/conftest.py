"""Shared fixtures: tiny real CNNs behind the same model manager the app uses (no network),
and one lab server (real registry, offline, empty weight caches) for app and browser tests."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

# Hermetic caches before torch/huggingface read them: seed models are always "unavailable".
# The imports below must come after these lines, hence their `noqa: E402`.
_CACHES = tempfile.mkdtemp(prefix="xai-lab-test-caches-")
os.environ["TORCH_HOME"] = os.path.join(_CACHES, "torch")
os.environ["HF_HOME"] = os.path.join(_CACHES, "hf")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# Fixed batches: deterministic, and no calibration pass runs a model behind a test's back
# (tests/unit/test_calibration.py measures with the variable unset).
os.environ.setdefault("XAI_LAB_BATCH", "16")

import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from core.models import ModelManager  # noqa: E402
from core.models.registry import ModelSpec, _layers  # noqa: E402
from core.models.weights import WeightStatus, WeightsUnavailableError  # noqa: E402

if TYPE_CHECKING:
    from lab.app import Lab

TINY_CLASSES = tuple(f"class {i}" for i in range(10))


class TinyNet(nn.Module):
    """A small CNN with ResNet-like names (conv1, layer1, layer2, fc) for 32×32 inputs."""

    def __init__(self, classes: int = len(TINY_CLASSES)):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.relu = nn.ReLU()
        self.layer1 = nn.Sequential(nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.layer2 = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, classes)

    def forward(self, x):
        x = self.layer2(self.layer1(self.relu(self.conv1(x))))
        return self.fc(torch.flatten(self.pool(x), 1))


@dataclass(frozen=True)
class InMemorySource:
    """A model source that builds a network in memory with a fixed seed (always 'cached')."""

    build: Callable[[], nn.Module]
    categories: tuple[str, ...] = TINY_CLASSES

    def status(self, *, offline: bool) -> WeightStatus:
        return "cached"

    def load(self, *, title: str, offline: bool):
        torch.manual_seed(0)
        return self.build(), self.categories


@dataclass(frozen=True)
class MissingSource:
    """A model source whose weights are never there, like a seed model on an offline machine."""

    def status(self, *, offline: bool) -> WeightStatus:
        return "unavailable offline"

    def load(self, *, title: str, offline: bool):
        raise WeightsUnavailableError(title=title, filename="missing.pth",
                                      looked_in="/nowhere", reason="the lab runs offline")


def tiny_spec(name: str = "tiny", build: Callable[[], nn.Module] = TinyNet, **extra) -> ModelSpec:
    return ModelSpec(
        name=name, title=name.capitalize(), kind="classifier", source=InMemorySource(build),
        origin="test", input_size=32, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5),
        default_layers=_layers(activations="layer1", ascent="layer2", gradcam="layer2"), **extra,
    )


@pytest.fixture
def tiny_specs() -> dict[str, ModelSpec]:
    """A usable tiny model and a 'seed' model whose weights are missing."""
    missing = ModelSpec(name="seedmodel", title="Seed model", kind="classifier",
                        source=MissingSource(), origin="test")
    return {"tiny": tiny_spec(), "seedmodel": missing}


@pytest.fixture
def manager(tiny_specs) -> ModelManager:
    return ModelManager(device="cpu", specs=tiny_specs, fallback="tiny")


@pytest.fixture
def tiny_model(manager):
    return manager.get("tiny")


@pytest.fixture
def tiny_ctx(manager):
    """What a tab is built with, around the tiny models and the bundled example images."""
    from lab import EXAMPLE_IMAGES_DIR
    from tabs.common.context import TabContext
    from tabs.common.examples import ExampleImages

    return TabContext(models=manager, lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(models: ModelManager | None = None, **options) -> Iterator[tuple[str, Lab]]:
    """The real lab (offline, CPU, ``Settings`` changed by ``options``) served in this process
    on a free port; yields ``(url, lab)`` (``lab.demo``, ``lab.forms``) and closes it
    afterwards."""
    from lab.app import build_lab, launch_options, prepare
    from lab.settings import Settings

    settings = Settings(**{"host": "127.0.0.1", "port": _free_port(), "device": "cpu",
                           "offline": True, "warm_up": False, **options})
    models = models or ModelManager(device="cpu", offline=True)
    lab = build_lab(settings, models)
    demo = prepare(lab.demo, settings)
    demo.launch(**launch_options(settings, lab), prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{settings.port}/", lab
    finally:
        close_when_idle(demo)


def close_when_idle(demo) -> None:
    """Close a served lab once the requests its pages started have finished (a page that a test
    closed may have left one computing): a test process must not exit in the middle of torch
    (:mod:`tabs.common.inflight`), however slow this machine is today."""
    from tabs.common.inflight import wait_until_idle

    wait_until_idle(600)
    demo.close()


@pytest.fixture(scope="session")
def lab_server():
    """The real lab (offline, CPU) served in this process; yields ``(url, models)``."""
    models = ModelManager(device="cpu", offline=True)
    with serving(models) as (url, _):
        yield url, models


@pytest.fixture(scope="session")
def lab_url(lab_server) -> str:
    return lab_server[0]


@pytest.fixture(scope="session")
def client(lab_url):
    """A ``gradio_client.Client`` connected to the in-process lab."""
    from gradio_client import Client

    return Client(lab_url, verbose=False)
