"""Executing generated notebooks (nbclient, a Python kernel, offline): every test here is
marked ``notebook`` and ``slow``, a tier of its own (``pytest tests/notebooks`` or
``-m notebook``; ``-m "not slow"`` leaves it out)."""

from __future__ import annotations

import pytest

from tabs.common.recipe import INSTALL_TAG


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/notebooks" in str(item.fspath):
            item.add_marker(pytest.mark.notebook)
            item.add_marker(pytest.mark.slow)


def execute(notebook, timeout: int = 600) -> str:
    """Run ``notebook`` without its install cell (offline: the lab's packages are the tested
    ones) and return what its last cell printed."""
    import nbclient

    notebook.cells = [c for c in notebook.cells
                      if INSTALL_TAG not in c.metadata.get("tags", [])]
    nbclient.NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": "."}}).execute()
    return "".join(out.get("text", "") for out in notebook.cells[-1].outputs
                   if out.get("name") == "stdout")
