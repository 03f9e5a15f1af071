"""ZeroGPU: on a Hugging Face Space with ZeroGPU hardware, GPU-heavy events run under
``@spaces.GPU``; everywhere else nothing changes.

ZeroGPU lends a GPU only while a function decorated with ``spaces.GPU`` runs, in a forked
worker; arguments and results cross a process boundary, so those handlers must take and
return plain, picklable CPU data (ours take strings and numbers and return numpy arrays,
figures and typed results of numpy arrays). Which events and for how many seconds is set in
``spaces.yaml`` (``zerogpu.durations``, keyed by ``api_name``).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from typing import Mapping

import gradio as gr


def zero_gpu_space() -> bool:
    """True on a ZeroGPU Space: the ``spaces`` package is there and the Space says so."""
    return (os.environ.get("SPACES_ZERO_GPU", "").lower() == "true"
            and importlib.util.find_spec("spaces") is not None)


def wrap_gpu_events(demo: gr.Blocks, durations: Mapping[str, int]) -> list[str]:
    """Put every event whose ``api_name`` is in ``durations`` under ``spaces.GPU(duration=…)``.

    Returns the api names that were wrapped. Call it after the app is built; the handlers
    themselves are unchanged (``spaces.GPU`` keeps their signature and generator nature).
    """
    spaces = importlib.import_module("spaces")
    wrapped = []
    for block_fn in demo.fns.values():
        seconds = durations.get(block_fn.api_name) if isinstance(block_fn.api_name, str) else None
        if seconds and block_fn.fn is not None:
            block_fn.fn = spaces.GPU(duration=int(seconds))(block_fn.fn)
            wrapped.append(block_fn.api_name)
    return wrapped
