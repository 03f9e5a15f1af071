"""Fixtures of the reliability tests: a tiny CLIP saved for subprocess labs, a work folder.

The slow tests (each starts its own lab process) are marked ``slow``; they run in the default
``python -m pytest`` like every other test (CI runs everything). ``-m "not slow"`` leaves them
out while working on something else.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.reliability.labproc import save_tiny_clip


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: starts a lab process and takes tens of seconds")


@pytest.fixture(scope="session")
def labs_dir(tmp_path_factory) -> Path:
    """Where subprocess labs keep their caches, Gradio temp folders and logs."""
    return tmp_path_factory.mktemp("labs")


@pytest.fixture(scope="session")
def tiny_clip_dir(labs_dir) -> Path:
    """The tests' tiny CLIP saved like a ``save_pretrained`` copy, for ``XAI_LAB_CLIP``."""
    return save_tiny_clip(labs_dir / "tiny-clip")


@pytest.fixture(autouse=True)
def client_scratch(tmp_path_factory, monkeypatch):
    """``gradio_client`` leaves an empty folder in the system temp folder per downloaded file;
    during these tests they go to pytest's temporary folder instead."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("client-scratch")))
