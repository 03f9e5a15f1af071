"""``python -m lab serve`` with a probe for the memory test: the same settings, app and launch,
plus a thread that answers ``probe`` on stdin with one ``PROBE {json}`` line on stdout.

The probe reports what only the server process knows: every registered result cache with
its size and bounds (then it empties them, so that what stays in memory is not a
cache's bounded content), its resident memory (after a garbage collection and ``malloc_trim``,
and before the trim), glibc's heap arenas, the hooks on every loaded model, the download copies
and the running jobs' cancel switches of ``tabs``, the app's ``delete_cache`` setting, the
components Gradio holds in each browser session's state and the number of live objects.
Everything else the lab prints goes to stderr, so stdout carries probe answers only.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import json
import os
import pkgutil
import re
import sys
import tempfile
import threading
from contextlib import suppress
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

_PROBE_OUT = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)  # the lab's own prints go to the log, not into the probe channel

from core.cache import REGISTRY  # noqa: E402
from core.models import ModelManager  # noqa: E402
from core.models.hooks import count_hooks  # noqa: E402
from lab import app  # noqa: E402
from lab.settings import parser, settings_from  # noqa: E402

CAPTURED: dict = {}


def _capturing_build_lab(settings, models=None):
    models = models or ModelManager(device=settings.device, offline=settings.offline)
    CAPTURED["models"] = models
    lab = _build_lab(settings, models)
    CAPTURED["demo"] = lab.demo
    return lab


_build_lab = app.build_lab
app.build_lab = _capturing_build_lab


def module_level(package, kind: type) -> dict[str, object]:
    """Every module-level instance of ``kind`` in ``package`` and its subpackages."""
    found = {}
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, kind):
                found.setdefault(id(value), (f"{info.name}.{name}", value))
    return dict(found.values())


def memory() -> dict[str, int]:
    """Resident memory in bytes from ``/proc/self/status``: ``VmRSS`` and its parts
    ``RssAnon`` (heap: where a leak shows) and ``RssFile`` (mapped libraries and files)."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            found[key] = int(value.split()[0]) * 1024
    return found


def rss_bytes() -> int:
    return memory().get("VmRSS", -1)


def trim_heap() -> None:
    """Give free heap pages back to the system (glibc ``malloc_trim``), so that resident memory
    counts live objects, not memory that was freed but is still mapped by the allocator."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def heap_arenas() -> int:
    """How many heap arenas glibc has made (``<heap nr=…>`` entries of ``malloc_info``); -1
    where it cannot say."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return -1
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "malloc.xml"
        stream = libc.fopen(str(report).encode(), b"w")
        if not stream:
            return -1
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        return len(re.findall(r'<heap nr="\d+">', report.read_text()))


def live_objects() -> dict:
    """What the garbage collector sees alive: objects, and bytes held by tensors (numpy arrays
    are not tracked by the collector)."""
    import torch

    objects = gc.get_objects()
    tensors = sum(o.element_size() * o.nelement() for o in objects
                  if isinstance(o, torch.Tensor) and not o.is_meta)
    return {"objects": len(objects), "tensor_bytes": int(tensors)}


def probe() -> dict:
    import tabs
    from tabs.common.downloads import Downloads
    from tabs.common.streaming import CancelSwitches

    caches = REGISTRY.caches()
    filled = {cache.name: {"len": len(cache), "maxsize": cache.maxsize, "nbytes": cache.nbytes,
                           "max_bytes": cache.max_bytes} for cache in caches}
    REGISTRY.clear_all()  # bounded and checked above; what stays after is not theirs
    gc.collect()
    untrimmed = rss_bytes()
    trim_heap()
    models = CAPTURED.get("models")
    loaded = dict(getattr(models, "_loaded", {}))
    demo = CAPTURED.get("demo")
    return {
        "rss": rss_bytes(),
        "rss_untrimmed": untrimmed,
        "memory": memory(),
        "hooks": {name: count_hooks(model.network) for name, model in loaded.items()},
        "caches": filled,
        "downloads": {name: {"len": len(files), "keep": getattr(files, "_keep", None)}
                      for name, files in module_level(tabs, Downloads).items()},
        "running": {name: len(switches)
                    for name, switches in module_level(tabs, CancelSwitches).items()},
        "delete_cache": list(getattr(demo, "delete_cache", None) or ()),
        "session_components": [len(state.blocks_config.blocks)
                               for state in demo.state_holder.session_data.values()],
        "threads": threading.active_count(),
        "arenas": heap_arenas(),
        "live": live_objects(),
    }


def answer_probes() -> None:
    for line in sys.stdin:
        if line.strip() == "probe":
            try:
                reply = probe()
            except Exception as error:  # the test shows it
                reply = {"error": repr(error)}
            _PROBE_OUT.write("PROBE " + json.dumps(reply) + "\n")


if __name__ == "__main__":
    args = parser().parse_args(sys.argv[1:])
    assert args.command == "serve"
    threading.Thread(target=answer_probes, daemon=True, name="probe").start()
    app.serve(settings_from(args))
