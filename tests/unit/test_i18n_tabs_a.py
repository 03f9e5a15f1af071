"""Filter ascent, Activations and Partial dependence in German and English: every key the tabs
use exists, every visible string of their layout is a translation key, and the handlers answer
a German request in German (and an English one exactly as before)."""

from __future__ import annotations

import ast
import string
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from core.models import ModelManager
from core.tabular import MODEL_NAMES, load_boston
from lab import EXAMPLE_IMAGES_DIR
from tabs import activations, ascent, pdp
from tabs.activations.texts import T as ACTIVATIONS
from tabs.ascent.texts import T as ASCENT
from tabs.common.context import TabContext
from tabs.common.i18n import Texts
from tabs.common.image_picker import LABELS as IMAGE_PICKER
from tabs.common.image_picker import ExampleImages
from tabs.common.layer_picker import LABELS as LAYER_PICKER
from tabs.pdp.texts import T as PDP

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("T", "LABELS")  # the names the modules give their tables
MODULES = {  # module → the tables its ``T`` / ``LABELS`` stand for
    "tabs/ascent/__init__.py": (ASCENT, LAYER_PICKER),
    "tabs/ascent/handlers.py": (ASCENT, None),
    "tabs/activations/__init__.py": (ACTIVATIONS, LAYER_PICKER),
    "tabs/pdp/__init__.py": (PDP, None),
    "tabs/pdp/handlers.py": (PDP, None),
    "tabs/common/image_picker.py": (None, IMAGE_PICKER),
    "tabs/common/layer_picker.py": (None, LAYER_PICKER),
}
#: Words that are the same in both languages.
SAME_IN_GERMAN = {"layer_picker.block"}


def _de_request():
    return SimpleNamespace(query_params={"lang": "de"}, headers={})


def _en_request():
    return SimpleNamespace(query_params={}, headers={"accept-language": "en-US,en;q=0.9"})


def _literal_keys(path: str) -> list[tuple[str, str]]:
    """``(table name, key)`` of every ``T.label("…")``, ``T.text("…", …)`` and
    ``LABELS.label("…")`` with a literal key in ``path``."""
    found = []
    for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("label", "text") and isinstance(node.func.value, ast.Name)
                and node.func.value.id in TABLES and node.args
                and isinstance(node.args[0], ast.Constant)):
            found.append((node.func.value.id, node.args[0].value))
    return found


@pytest.mark.parametrize("path", sorted(MODULES))
def test_every_literal_key_exists(path):
    texts, labels = MODULES[path]
    keys = _literal_keys(path)
    assert keys, f"{path} uses no table"
    for table_name, key in keys:
        table = texts if table_name == "T" else labels
        assert table is not None, f"{path} uses {table_name} but has no such table"
        assert key in table.words["en"] and key in table.words["de"], f"{path}: {key}"


def test_every_computed_key_exists():
    """The keys the tabs put together from a value (mode, depth, order, model …)."""
    computed = {
        ASCENT: [*(f"mode_{m}" for m in ascent.MODES.values()),
                 *(f"name_{m}" for m in ascent.MODES.values()),
                 *(f"method_{m}" for m in ascent.MODES.values()),
                 *(f"depth_{d}" for d in ("early", "middle", "deep"))],
        ACTIVATIONS: [*(f"order_{o}" for o in activations.ORDERS.values()),
                      *(f"by_{o}" for o in activations.ORDERS.values()),
                      *(f"scale_{s}" for s in activations.SCALES.values())],
        PDP: [*(f"model_{m}" for m in MODEL_NAMES), *(f"method_{m}" for m in pdp.METHODS),
              *(f"way_{m}" for m in ("recursion", "brute")),
              *(f"feature_{f}" for f in load_boston().feature_names)],
    }
    for table, keys in computed.items():
        missing = [k for k in keys if k not in table.words["en"]]
        assert not missing, f"{table.namespace}: {missing}"


@pytest.mark.parametrize("table", [ASCENT, ACTIVATIONS, PDP, IMAGE_PICKER, LAYER_PICKER],
                         ids=lambda t: t.namespace)
def test_both_languages_fill_the_same_fields_and_german_is_german(table: Texts):
    fields = {}
    for lang in ("en", "de"):
        fields[lang] = {key: sorted(name for _, name, _, _ in string.Formatter().parse(text)
                                    if name is not None)
                        for key, text in table.words[lang].items()}
    assert fields["en"] == fields["de"]
    untranslated = [key for key, text in table.words["en"].items()
                    if text == table.words["de"][key] and len(text) > 3
                    and f"{table.namespace}.{key}" not in SAME_IN_GERMAN]
    assert not untranslated, f"still English in German: {untranslated}"


def _visible_strings(block, names: set[str]) -> list[str]:
    """Plain strings a component would show as they are (not through ``gr.I18n``); ``names``
    (of models) are the same in every language."""
    shown = [getattr(block, name, None) for name in ("label", "info", "placeholder")]
    if isinstance(block, (gr.Markdown, gr.Button, gr.DownloadButton)):
        shown.append(block.value)
    if isinstance(block, (gr.Radio, gr.Dropdown)):
        shown += [label for label, value in block.choices if label != value]
    return [text for text in shown if isinstance(text, str) and text
            and "__i18n__" not in text and text not in names]


@pytest.mark.parametrize("tab", [ascent, activations, pdp], ids=lambda t: t.TITLE)
def test_the_layout_shows_only_translation_keys(tab):
    models = ModelManager(device="cpu", offline=True)
    ctx = TabContext(models=models, lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    with gr.Blocks() as demo:
        with gr.Tab(tab.TITLE):  # the shell translates the tab's title
            tab.build(ctx, demo)
    names = {models.spec(name).title for name in models.names("classifier")}
    english = [(type(block).__name__, text) for block in demo.blocks.values()
               if not isinstance(block, gr.Tab) or block.label != tab.TITLE
               for text in _visible_strings(block, names)]
    assert not english, english


# ----------------------------------------------------------------------------- handlers


@pytest.fixture
def tiny_ctx(manager):
    return TabContext(models=manager, lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR))


SMALL = (3, 10.0, 3, 0.05, 1, 0.0, 32, 1, 4, 0)  # knobs for the tiny net


def test_ascent_answers_in_german(tiny_ctx):
    from tabs.ascent import cancel_ascent, compare_layers, compare_modes, run_ascent, show_weights

    *_, (grid, text, figure, _, _) = run_ascent(tiny_ctx, None, "tiny", "layer2", "0-1",
                                                "notebook (seed 000)", *SMALL,
                                                request=_de_request())
    assert "2/2 Filter fertig" in text and "Klicke auf eine Kachel" in text
    assert figure.axes[0].get_xlabel() == "Schritt"
    weights, _ = show_weights(tiny_ctx, "tiny", "layer2", _de_request())
    assert "Feature-Maps aus" in weights and "Parameter" in weights
    _, caption = compare_modes(tiny_ctx, "tiny", "layer2", 1, *SMALL, request=_de_request())
    assert caption.startswith("Filter 1 von layer2. Links, Notebook:")
    no_border = (*SMALL[:7], 0, *SMALL[8:])  # the tiny net's deep layer has 1×1 maps
    gallery = compare_layers(tiny_ctx, "tiny", 0, "regularized (Olah et al. 2017)", *no_border,
                             request=_de_request())
    assert [caption.split(":")[0] for _, caption in gallery] == ["früh", "mittel", "tief"]
    with pytest.raises(gr.Error, match="gibt es in der Schicht"):
        compare_layers(tiny_ctx, "tiny", 12, "notebook (seed 000)", *SMALL, request=_de_request())
    assert cancel_ascent("nobody", "de") == "Angehalten."


def test_ascent_in_english_is_unchanged(tiny_ctx):
    from tabs.ascent import compare_modes, show_weights

    weights, _ = show_weights(tiny_ctx, "tiny", "layer2", _en_request())
    assert weights.startswith("**layer2** (Sequential) outputs 32 feature maps; it holds 4,640 "
                              "parameters.")
    _, caption = compare_modes(tiny_ctx, "tiny", "layer2", 1, *SMALL, request=_en_request())
    assert caption.startswith("Filter 1 of layer2. Left, notebook: activation ")


def test_the_ascent_adapter_names_the_knobs_and_passes_the_request(tiny_ctx):
    import inspect

    from tabs.ascent.handlers import KNOBS, compare_modes, with_knobs

    adapter = with_knobs(compare_modes, tiny_ctx)
    parameters = list(inspect.signature(adapter).parameters.values())
    assert [p.name for p in parameters] == ["model", "layer", "filter_index", *KNOBS, "request"]
    assert parameters[-1].annotation is gr.Request
    _, caption = adapter("tiny", "layer2", 1, *SMALL, _de_request())
    assert caption.startswith("Filter 1 von layer2")


def test_activations_answer_in_german(tiny_ctx):
    from tabs.activations import run_activations, show_channel

    _, _, text, _, _ = run_activations(tiny_ctx, "coffee.png", None, "tiny", "layer1", "8",
                                       "mean activation", "shared", _de_request())
    assert "16 Feature-Maps mit 16×16" in text and "sortiert nach mittlerer Aktivierung" in text
    assert "Farbskala gemeinsam von" in text and text.endswith("groß über dem Bild zu sehen.")
    _, caption = show_channel(tiny_ctx, "coffee.png", None, "tiny", "layer1", 3, 0.5,
                              _de_request())
    assert caption.startswith("Kanal 3 von layer1: Mittel") and "starke Reaktion" in caption
    with pytest.raises(gr.Error, match="Unbekannte Anzeigeoption"):
        run_activations(tiny_ctx, "coffee.png", None, "tiny", "layer1", "8", "by magic",
                        "shared", _de_request())


def test_pdp_answers_in_german(tiny_ctx):
    from tabs.pdp import feature_lists, plot_1d, plot_2d, show_data, show_descriptions

    scores, _ = show_data(tiny_ctx, True, None, _de_request())
    assert "**ohne B**" in scores and "| Neuronales Netz (MLP) |" in scores
    assert "Early Stopping" in scores and "auf der CPU" in scores
    figure, text = plot_1d(tiny_ctx, True, "LSTAT", "random_forest", 5, True, 10, None,
                           _de_request())
    assert text.startswith("PDP (Änderung der Vorhersage) von **0.0**")
    assert "5 ICE-Kurven" in text and "Änderung" in figure.axes[0].get_ylabel()
    figure, text = plot_2d(tiny_ctx, True, "RM", "LSTAT", "random_forest", 10, "auto", None,
                           _de_request())
    assert "10 × 10-Gitter (Rekursion)" in text and "(Rekursion)" in figure.axes[0].get_title()
    table = show_descriptions(tiny_ctx, _de_request())
    assert list(table.columns) == ["Merkmal", "Bedeutung (Einheit)"]
    dropdowns = feature_lists(tiny_ctx, False, "B", "RM", "LSTAT", "RM", "RM", _de_request())
    assert ("RM: Zimmer pro Wohnung", "RM") in dropdowns[1].choices
