"""ZeroGPU: on a Hugging Face Space with ZeroGPU hardware, GPU-heavy views run under
``@spaces.GPU``; everywhere else nothing changes.

ZeroGPU lends a GPU only while a function decorated with ``spaces.GPU`` runs, in a forked
worker; arguments and results cross a process boundary, so those handlers must take and
return plain, picklable CPU data (ours take strings and numbers and return numpy arrays,
figures and typed results of numpy arrays). Which views and for how many seconds each view
declares itself (``View.gpu_seconds``); the tabs apply :func:`gpu_wrapper` when they wire them.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable

from tabs.common.context import GpuWrapper


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
