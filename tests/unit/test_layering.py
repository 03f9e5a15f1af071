"""Dependencies point one way: lab (the shell) → tabs → core; tabs/common never imports a tab."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = {"core": 0, "tabs": 1, "lab": 2}


def _imports(path: Path) -> list[str]:
    """Every module name imported by ``path`` (absolute imports, anywhere in the file)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["core", "tabs"])
def test_no_upward_imports(package):
    upward = [f"{path.relative_to(ROOT)} imports {name}"
              for path in _sources(package) for name in _imports(path)
              if LAYERS.get(name.split(".")[0], -1) > LAYERS[package]]
    assert not upward, "imports against the direction lab → tabs → core:\n" + "\n".join(upward)


def test_core_never_imports_gradio_or_pyplot():
    found = [f"{path.relative_to(ROOT)} imports {name}" for path in _sources("core")
             for name in _imports(path)
             if name.split(".")[0] == "gradio" or name == "matplotlib.pyplot"]
    assert not found, "\n".join(found)


def test_rendering_never_imports_gradio_or_pyplot():
    """Drawing is numpy and matplotlib's object API, whoever calls it."""
    renderers = [*_sources("tabs/common/render"), *sorted(ROOT.glob("tabs/*/render.py"))]
    assert len(renderers) >= 8
    found = [f"{path.relative_to(ROOT)} imports {name}" for path in renderers
             for name in _imports(path)
             if name.split(".")[0] == "gradio" or name == "matplotlib.pyplot"]
    assert not found, "\n".join(found)


def test_shared_tab_pieces_never_import_a_tab():
    found = [f"{path.relative_to(ROOT)} imports {name}"
             for path in _sources("tabs/common") for name in _imports(path)
             if name.startswith("tabs.") and not name.startswith("tabs.common")]
    assert not found, "\n".join(found)


def test_the_walk_sees_imports(tmp_path):
    """The checker itself finds an upward import (so the tests above can fail)."""
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from lab.app import build_app\n")
    assert _imports(module) == ["lab.app"]
