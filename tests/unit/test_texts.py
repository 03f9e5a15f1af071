"""Every word the lab shows lives in a registered ``Texts`` table: both languages have the same
keys and the same placeholders, German is German, and every literal key the code uses exists
in the table it is looked up in."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import string
from pathlib import Path

import pytest

import lab
import tabs
from tabs.common.i18n import _TABLES, Texts
from tabs.common.view import View

ROOT = Path(__file__).resolve().parents[2]
#: Words that are the same in both languages.
SAME_IN_GERMAN = {"layer_picker.block", "attribution.original", "clip.method.grad_eclip",
                  "clip.title.chefer", "clip.title.grad_eclip", "counterfactual.search.example",
                  "counterfactual.tab.tradeoff", "lab.tab.attribution", "lab.tab.clip",
                  "status.gpu", "pdp_pictures.title_pdp", "pdp_pictures.title_ale",
                  "alt_text.region"}


def _modules() -> list:
    """Every module of the shell and the tabs, imported (which registers their tables)."""
    found = []
    for package in (lab, tabs):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name not in ("lab.__main__",):
                found.append(importlib.import_module(info.name))
    return found


MODULES = _modules()
TABLES = sorted(_TABLES.values(), key=lambda t: t.namespace)


def _fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.namespace)
def test_both_languages_fill_the_same_fields_and_german_is_german(table: Texts):
    assert set(table.words["en"]) == set(table.words["de"])
    for key, english in table.words["en"].items():
        assert _fields(english) == _fields(table.words["de"][key]), f"{table.namespace}.{key}"
    untranslated = [key for key, text in table.words["en"].items()
                    if text == table.words["de"][key] and len(text) > 3
                    and f"{table.namespace}.{key}" not in SAME_IN_GERMAN]
    assert not untranslated, f"still English in German: {untranslated}"


def _view_table(module) -> Texts | None:
    """The table of the views a module declares (when they share one)."""
    tables = {id(v.texts): v.texts for v in vars(module).values()
              if isinstance(v, View) and v.run.__module__ == module.__name__}
    return next(iter(tables.values())) if len(tables) == 1 else None


def _literal_keys(module) -> list[tuple[Texts, str]]:
    """``(table, key)`` for every ``T.label/text/both("…")`` on a module-level table and every
    ``call.text/refuse("…")`` in a module whose views share one table."""
    found = []
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            continue
        owner, method = node.func.value.id, node.func.attr
        if owner == "call" and method in ("text", "refuse"):
            table = _view_table(module)
        elif method in ("label", "text", "both"):
            table = getattr(module, owner, None)
        else:
            continue
        if isinstance(table, Texts):
            found.append((table, node.args[0].value))
    return found


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_literal_key_exists(module):
    for table, key in _literal_keys(module):
        assert key in table.words["en"], f"{module.__name__}: {table.namespace}.{key}"


def test_the_keys_are_found_where_the_words_are_used():
    """The check above sees the tables the tabs use (not a vacuous pass)."""
    keys = {module.__name__: len(_literal_keys(module)) for module in MODULES}
    for name in ("tabs.ascent.views", "tabs.activations.views", "tabs.clip.views",
                 "tabs.pdp.views", "lab.status"):
        assert keys[name] >= 5, (name, keys[name])
