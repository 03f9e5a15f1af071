"""On a ZeroGPU Space the heavy events run under ``spaces.GPU``: tested with a stand-in for the
``spaces`` package that, like the real one, runs the handler apart from the app, so arguments
and results must survive pickling as plain CPU data."""

from __future__ import annotations

import functools
import inspect
import pickle
import re
import sys
import types
from importlib.util import find_spec as _find_spec
from pathlib import Path

import gradio as gr
import pytest
import torch
from gradio_client import Client

from core.models import ModelManager
from core.models.registry import OFFLINE_MODEL
from lab.app import build_app, prepare
from lab.settings import Settings
from lab.zerogpu import model_device
from tests.conftest import serving

ROOT = Path(__file__).resolve().parents[2]

SPECIAL = (gr.Progress, gr.Request, gr.EventData)


def _cross_process(value):
    """What crossing into ZeroGPU's worker and back does to a value: a pickle round trip.
    A CUDA tensor or anything unpicklable fails here, as it would there."""
    if isinstance(value, torch.Tensor) and value.is_cuda:
        raise TypeError("a CUDA tensor cannot leave the GPU worker")
    return pickle.loads(pickle.dumps(value))


def _stand_in_spaces(calls: list) -> types.ModuleType:
    module = types.ModuleType("spaces")

    def GPU(duration: int = 60):  # noqa: N802 - the real package's name
        def decorate(fn):
            def plain(*args):
                return [a if isinstance(a, SPECIAL) else _cross_process(a) for a in args]

            if inspect.isgeneratorfunction(fn):
                @functools.wraps(fn)
                def streaming(*args, **kwargs):
                    calls.append((fn, duration))
                    for item in fn(*plain(*args), **kwargs):
                        yield _cross_process(item)
                streaming.spaces_gpu_duration = duration
                return streaming

            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                calls.append((fn, duration))
                return _cross_process(fn(*plain(*args), **kwargs))
            wrapper.spaces_gpu_duration = duration
            return wrapper
        return decorate

    module.GPU = GPU
    return module


def _pretend_zero_gpu(patch: pytest.MonkeyPatch, calls: list) -> None:
    """A ZeroGPU Space as the lab sees one: the stand-in ``spaces`` and the Space's variable."""
    patch.setitem(sys.modules, "spaces", _stand_in_spaces(calls))
    patch.setenv("SPACES_ZERO_GPU", "true")
    patch.setattr("importlib.util.find_spec", lambda name, *a: object() if name == "spaces"
                  else _find_spec(name, *a))


@pytest.fixture(scope="module")
def zero_gpu_lab():
    """The lab on a pretend ZeroGPU Space; also yields the model statuses when it had started
    (before any request) and every call of ``torch.compile`` while it ran."""
    calls: list = []
    compiled: list = []
    patch = pytest.MonkeyPatch()
    _pretend_zero_gpu(patch, calls)
    patch.setattr(torch, "compile", lambda *a, **k: compiled.append((a, k)) or a[0])
    models = ModelManager(device="cpu", offline=True)
    try:
        with serving(models) as (url, lab):
            at_start = {name: models.status(name) for name in models.specs}
            yield Client(url, verbose=False), lab, calls, at_start, compiled
    finally:
        patch.undo()


def _durations(lab) -> dict[str, int]:
    """The GPU seconds the views declare, by event name."""
    return {w.view.name: w.view.gpu_seconds for form in lab.forms.values() for w in form.wired
            if w.view.gpu_seconds and w.view.public}


def test_every_view_with_gpu_seconds_is_wrapped(zero_gpu_lab):
    _, lab, *_ = zero_gpu_lab
    assert len(_durations(lab)) >= 15
    declared = [w for form in lab.forms.values() for w in form.wired if w.view.gpu_seconds]
    for wired in declared:  # every event of such a view (a public one and its private twins)
        assert getattr(wired.fn, "spaces_gpu_duration", None) == wired.view.gpu_seconds
    wrapped = [fn for fn in lab.demo.fns.values() if hasattr(fn.fn, "spaces_gpu_duration")]
    assert len(wrapped) == len(declared)  # and no other event


def test_heavy_events_run_under_spaces_gpu_with_their_duration(zero_gpu_lab):
    client, _, calls, *_ = zero_gpu_lab
    calls.clear()
    predictions, grid, text, _, _ = client.predict(
        "coffee.png", None, "efficientnet_lite0", "blocks.1", "8", "channel index", "shared",
        api_name="/activations")
    assert predictions["label"] == "espresso (#967)" and "feature maps" in text
    assert [duration for _, duration in calls] == [_durations(zero_gpu_lab[1])["activations"]]


def test_a_streaming_event_crosses_the_boundary_too(zero_gpu_lab):
    client, _, calls, *_ = zero_gpu_lab
    calls.clear()
    grid, text, plot, download, _ = client.predict(
        "efficientnet_lite0", "blocks.1", "0-3", "notebook (seed 000)",
        3, 10.0, 3, 0.05, 1, 0.0, 64, 1, 8, 0, api_name="/ascent")
    assert "4/4 filters done" in text
    assert calls and calls[0][1] == _durations(zero_gpu_lab[1])["ascent"]


def test_nothing_is_wrapped_or_loaded_at_start_off_zero_gpu(monkeypatch):
    monkeypatch.delenv("SPACES_ZERO_GPU", raising=False)
    settings = Settings(device="cpu", offline=True, warm_up=False)
    models = ModelManager(device="cpu", offline=True)
    demo = prepare(build_app(settings, models), settings)
    assert not any(hasattr(fn.fn, "spaces_gpu_duration") for fn in demo.fns.values())
    assert all(models.status(name) != "ready" for name in models.specs)  # loaded on first use


def test_the_usable_models_are_loaded_at_start(zero_gpu_lab):
    """ZeroGPU wants the models on the device when the process starts, not in a request: the
    usable ones (offline here: the two bundled models) are loaded before the first request,
    with their layers listed; those without weights are left alone."""
    _, lab, _, at_start, _ = zero_gpu_lab
    models = lab.forms["activations"].ctx.models
    bundled = {name for name in models.specs if models.spec(name).offline}
    assert bundled == {OFFLINE_MODEL, "efficientnet_lite2"}
    assert {name for name, status in at_start.items() if status == "ready"} == bundled
    assert bundled <= set(models._layers)  # listed at start too: the pickers run off the GPU


def test_models_go_to_cuda_on_zero_gpu_only(monkeypatch):
    monkeypatch.delenv("SPACES_ZERO_GPU", raising=False)
    assert model_device("auto") == "auto" and model_device("cpu") == "cpu"
    _pretend_zero_gpu(monkeypatch, [])
    assert model_device("auto") == "cuda" and model_device("cpu") == "cuda"


def test_nothing_calls_torch_compile(zero_gpu_lab):
    """ZeroGPU does not support ``torch.compile``: no call while the lab started and served
    the requests above, and no use of it anywhere in the lab's source."""
    *_, compiled = zero_gpu_lab
    assert compiled == []
    pattern = re.compile(r"(?<!\bre)\.compile\s*\(|torch\._dynamo")  # not re.compile
    sources = [path for folder in ("core", "tabs", "lab") for path in (ROOT / folder).rglob("*.py")]
    sources.append(ROOT / "app.py")
    assert len(sources) > 50
    users = [str(path.relative_to(ROOT)) for path in sources
             if pattern.search(path.read_text(encoding="utf-8"))]
    assert users == []
