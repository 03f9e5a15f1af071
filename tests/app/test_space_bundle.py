"""The folder `python -m lab deploy --dry-run` writes starts and serves the lab on its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

from lab import deploy


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_python_app_py_from_the_dry_run_folder_serves_the_lab(tmp_path):
    bundle = tmp_path / "space"
    deploy.write_bundle(bundle)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(GRADIO_SERVER_PORT=str(port), GRADIO_SERVER_NAME="127.0.0.1", HF_HUB_OFFLINE="1",
               TORCH_HOME=str(tmp_path / "torch"), HF_HOME=str(tmp_path / "hf"),
               XAI_LAB_NO_WARM_UP="1", GRADIO_ANALYTICS_ENABLED="False")
    server = subprocess.Popen([sys.executable, "app.py"], cwd=bundle, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        page = ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=5) as answer:
                    page = answer.read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert server.poll() is None, server.stdout.read()
        assert '"title":"XAI Lab"' in page.replace(" ", "") or "XAI Lab" in page
        assert "Filter ascent" in page and "Partial dependence" in page
    finally:
        server.terminate()
        server.wait(timeout=30)
