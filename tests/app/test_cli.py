"""``python -m lab``: the command line a teacher uses."""

from __future__ import annotations

import subprocess
import sys

from lab.settings import parser, settings_from


def test_serve_options():
    args = parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "9000", "--share",
                                "--device", "cpu", "--offline", "--lang", "de"])
    settings = settings_from(args)
    assert (settings.host, settings.port, settings.share, settings.device, settings.offline,
            settings.lang) == ("0.0.0.0", 9000, True, "cpu", True, "de")


def test_help_lists_serve_and_prefetch():
    output = subprocess.run([sys.executable, "-m", "lab", "--help"], capture_output=True,
                            text=True, check=True).stdout
    assert "serve" in output and "prefetch" in output


def test_prefetch_offline_reports_missing_models_without_a_traceback():
    run = subprocess.run([sys.executable, "-m", "lab", "prefetch", "resnet18",
                          "efficientnet_lite0"],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "ok       efficientnet_lite0" in run.stdout
    assert "missing  resnet18" in run.stdout and "resnet18-f37072fd.pth" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
