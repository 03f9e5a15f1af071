"""ZeroGPU: on a Hugging Face Space with ZeroGPU hardware, GPU-heavy views run under
``@spaces.GPU``; everywhere else nothing changes.

ZeroGPU lends a GPU only while a function decorated with ``spaces.GPU`` runs, in a forked
worker; arguments and results cross a process boundary, so those handlers must take and
return plain, picklable CPU data (ours take strings and numbers and return numpy arrays,
figures and typed results of numpy arrays). Which views and for how many seconds each view
declares itself (``View.gpu_seconds``); the tabs apply :func:`gpu_wrapper` when they wire them.

As Hugging Face's guide asks (https://huggingface.co/docs/hub/spaces-zerogpu), the models go to
``cuda`` when the process starts (:func:`model_device`, :func:`preload`): ``spaces`` emulates
CUDA in the main process and hands each ``spaces.GPU`` call the real GPU with the models on it.
ZeroGPU does not support ``torch.compile`` (only ahead-of-time compilation); nothing in the lab
compiles, and ``tests/app/test_zerogpu.py`` keeps it so.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
from collections.abc import Callable

from core.models import DeviceChoice, ModelManager
from tabs.common.context import GpuWrapper

log = logging.getLogger(__name__)


def zero_gpu_space() -> bool:
    """True on a ZeroGPU Space: the ``spaces`` package is there and the Space says so."""
    return (os.environ.get("SPACES_ZERO_GPU", "").lower() == "true"
            and importlib.util.find_spec("spaces") is not None)


def gpu_wrapper() -> GpuWrapper | None:
    """``spaces.GPU(duration=…)`` as a wrapper on a ZeroGPU Space, else ``None``."""
    if not zero_gpu_space():
        return None
    spaces = importlib.import_module("spaces")

    def wrap(fn: Callable, seconds: int) -> Callable:
        return spaces.GPU(duration=int(seconds))(fn)

    return wrap


def model_device(choice: DeviceChoice) -> DeviceChoice:
    """Where the models live: ``cuda`` on a ZeroGPU Space, ``choice`` elsewhere.

    Call it before anything asks torch about CUDA: on ZeroGPU it imports ``spaces`` first,
    which must come before CUDA is touched and makes ``cuda`` usable in the main process.
    """
    if not zero_gpu_space():
        return choice
    importlib.import_module("spaces")
    return "cuda"


def preload(models: ModelManager) -> tuple[str, ...]:
    """On a ZeroGPU Space: load every usable model now, on the manager's device (``cuda`` from
    :func:`model_device`), and list the classifiers' layers, which the layer pickers read
    outside ``spaces.GPU``. Elsewhere nothing: models load on first use. Returns the names
    loaded."""
    if not zero_gpu_space():
        return ()
    loaded = models.preload()
    for name in loaded:
        if models.spec(name).kind == "classifier":
            models.layers(name)
    log.info("ZeroGPU: models loaded at start on %s: %s", models.device,
             ", ".join(loaded) or "none")
    return loaded
