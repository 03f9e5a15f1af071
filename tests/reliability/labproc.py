"""A real lab in a subprocess, as a class would run it: ``python -m lab serve --offline``.

Each process gets empty weight caches (``TORCH_HOME``/``HF_HOME``: the seed models are
"unavailable offline" and the bundled EfficientNet-Lite0 is used), its own Gradio temp folder
(``GRADIO_TEMP_DIR``, to count the files it writes) and a tiny CLIP saved with
``save_pretrained`` (``XAI_LAB_CLIP``): the real CLIP cannot be downloaded here. Used by the
reliability tests and by ``bench/bench_load.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 180.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def save_tiny_clip(folder: Path) -> Path:
    """Save the tests' tiny CLIP (random weights, seed 0) and its tokenizer into ``folder`` with
    the files the lab's CLIP source looks for (``vocab.json``/``merges.txt`` too: transformers
    5 writes only ``tokenizer.json``)."""
    from tests.clip_tiny import tiny_clip

    folder.mkdir(parents=True, exist_ok=True)
    network = tiny_clip()
    network.clip.save_pretrained(folder)
    network.tokenizer.save_pretrained(folder)
    model = json.loads((folder / "tokenizer.json").read_text(encoding="utf-8"))["model"]
    if not (folder / "vocab.json").is_file():
        (folder / "vocab.json").write_text(json.dumps(model["vocab"]), encoding="utf-8")
    if not (folder / "merges.txt").is_file():
        merges = [m if isinstance(m, str) else " ".join(m) for m in model["merges"]]
        (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n",
                                           encoding="utf-8")
    return folder


@dataclass
class LabProcess:
    """A running lab: its URL, process, Gradio temp folder, own temp folder and log file."""

    url: str
    process: subprocess.Popen
    temp_dir: Path
    scratch: Path
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def files(self) -> list[Path]:
        """Every file under the lab's Gradio temp folder (uploads and outputs)."""
        return [p for p in self.temp_dir.rglob("*") if p.is_file()]

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def probe(self, timeout: float = 60.0) -> dict:
        """Ask a lab started with ``probed=True`` for its inner state (see ``probed_lab.py``)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("probe\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"the lab stopped answering probes:\n{self.log_tail()}")
            if line.startswith("PROBE "):
                return json.loads(line[len("PROBE "):])
        raise TimeoutError("no probe answer")


def _wait_until_up(lab: LabProcess, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not lab.alive():
            raise RuntimeError(f"the lab exited with {lab.process.returncode}:\n{lab.log_tail()}")
        try:
            if httpx.get(lab.url + "config", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the lab did not answer /config within {timeout:.0f} s:\n{lab.log_tail()}")


def spawn_lab(workdir: Path, *, clip_dir: Path, queue_size: int | None = None,
              probed: bool = False, extra_env: dict | None = None) -> LabProcess:
    """Start a cold lab in a subprocess (not waiting for it; see :func:`wait_until_up`)."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    temp_dir = Path(tempfile.mkdtemp(prefix="gradio-", dir=workdir))
    scratch = Path(tempfile.mkdtemp(prefix="tmp-", dir=workdir))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GRADIO_", "XAI_LAB_", "MALLOC_"))}  # the lab's own settings
    env.update(
        TORCH_HOME=tempfile.mkdtemp(prefix="torch-", dir=workdir),
        HF_HOME=tempfile.mkdtemp(prefix="hf-", dir=workdir),
        HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", GRADIO_TEMP_DIR=str(temp_dir),
        XAI_LAB_CLIP=str(clip_dir), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1",
        TMPDIR=str(scratch),  # the lab's own temporary files (download copies)
        **(extra_env or {}),
    )
    args = ["serve", "--offline", "--no-warm-up", "--device", "cpu", "--host", "127.0.0.1",
            "--port", str(port)]
    if queue_size is not None:
        args += ["--queue-size", str(queue_size)]
    command = ([sys.executable, str(Path(__file__).with_name("probed_lab.py")), *args] if probed
               else [sys.executable, "-m", "lab", *args])
    log = Path(tempfile.mkstemp(prefix="lab-", suffix=".log", dir=workdir)[1])
    with log.open("w") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, text=True, stderr=sink,
            stdout=subprocess.PIPE if probed else sink,
            stdin=subprocess.PIPE if probed else subprocess.DEVNULL,
        )
    return LabProcess(url=f"http://127.0.0.1:{port}/", process=process, temp_dir=temp_dir,
                      scratch=scratch, log=log)


def wait_until_up(*labs: LabProcess, timeout: float = START_TIMEOUT_S) -> None:
    for lab in labs:
        _wait_until_up(lab, timeout)


def stop_lab(lab: LabProcess) -> None:
    """Stop the process we started (SIGTERM, then SIGKILL if it hangs)."""
    if lab.alive():
        lab.process.terminate()
        try:
            lab.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            lab.process.kill()
            lab.process.wait(timeout=15)
    for stream in (lab.process.stdin, lab.process.stdout):
        if stream is not None:
            stream.close()


@contextlib.contextmanager
def running_lab(workdir: Path, **options) -> Iterator[LabProcess]:
    """A started lab that answers ``/config``; stopped on exit."""
    lab = spawn_lab(workdir, **options)
    try:
        wait_until_up(lab)
        yield lab
    finally:
        stop_lab(lab)
