"""Filter ascent, Activations and Partial dependence in German and English: every computed key
exists, every visible string of their layout is a translation key, and the views answer a
German page in German (and an English one exactly as before). Literal keys and the tables
themselves: tests/unit/test_texts.py."""

from __future__ import annotations

import gradio as gr
import pytest

from core.models import ModelManager
from core.tabular import MODEL_NAMES, load_boston
from lab import EXAMPLE_IMAGES_DIR
from tabs import activations, ascent, pdp
from tabs.activations.texts import T as ACTIVATIONS
from tabs.ascent.texts import T as ASCENT
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.form import Form
from tabs.pdp.texts import T as PDP
from tests.views import call_view


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
    with gr.Blocks() as demo, gr.Tab(tab.TITLE):  # the shell translates the tab's title
        tab.build(Form(ctx, "test"))
    names = {models.spec(name).title for name in models.names("classifier")}
    english = [(type(block).__name__, text) for block in demo.blocks.values()
               if not isinstance(block, gr.Tab) or block.label != tab.TITLE
               for text in _visible_strings(block, names)]
    assert not english, english


# ----------------------------------------------------------------------------- views


SMALL = (3, 10.0, 3, 0.05, 1, 0.0, 32, 1, 4, 0)  # knobs for the tiny net


def test_ascent_answers_in_german(tiny_ctx):
    from tabs.ascent.views import CANCEL, DEPTHS, MODES_PAIR, RUN, WEIGHTS

    *_, (grid, text, figure, _, _) = call_view(RUN, tiny_ctx, "tiny", "layer2", "0-1",
                                               "notebook (seed 000)", *SMALL, lang="de")
    assert "2/2 Filter fertig" in text and "Klicke auf eine Kachel" in text
    assert figure.axes[0].get_xlabel() == "Schritt"
    weights, _ = call_view(WEIGHTS, tiny_ctx, "tiny", "layer2", lang="de")
    assert "Feature-Maps aus" in weights and "Parameter" in weights
    _, caption = call_view(MODES_PAIR, tiny_ctx, "tiny", "layer2", 1, *SMALL, lang="de")
    assert caption.startswith("Filter 1 von layer2. Links, Notebook:")
    no_border = (*SMALL[:7], 0, *SMALL[8:])  # the tiny net's deep layer has 1×1 maps
    gallery = call_view(DEPTHS, tiny_ctx, "tiny", 0, "regularized (Olah et al. 2017)",
                        *no_border, lang="de")
    assert [caption.split(":")[0] for _, caption in gallery] == ["früh", "mittel", "tief"]
    with pytest.raises(gr.Error, match="gibt es in der Schicht"):
        call_view(DEPTHS, tiny_ctx, "tiny", 12, "notebook (seed 000)", *SMALL, lang="de")
    assert call_view(CANCEL, tiny_ctx, session="nobody", lang="de") == "Angehalten."


def test_ascent_in_english_is_unchanged(tiny_ctx):
    from tabs.ascent.views import MODES_PAIR, WEIGHTS

    weights, _ = call_view(WEIGHTS, tiny_ctx, "tiny", "layer2", lang="en")
    assert weights.startswith("**layer2** (Sequential) outputs 32 feature maps; it holds 4,640 "
                              "parameters.")
    _, caption = call_view(MODES_PAIR, tiny_ctx, "tiny", "layer2", 1, *SMALL, lang="en")
    assert caption.startswith("Filter 1 of layer2. Left, notebook: activation ")


def test_a_view_event_names_its_settings_and_asks_for_the_request(tiny_ctx):
    import inspect

    from tabs.ascent.views import MODES_PAIR, Knobs
    from tabs.common.form import event_function
    from tests.views import page

    event = event_function(MODES_PAIR, tiny_ctx)
    parameters = list(inspect.signature(event).parameters.values())
    knobs = [name for name in Knobs.__dataclass_fields__]
    assert [p.name for p in parameters] == ["model", "layer", "filter_index", *knobs, "request"]
    assert parameters[-1].annotation is gr.Request
    _, caption = event("tiny", "layer2", 1, *SMALL, page("de"))
    assert caption.startswith("Filter 1 von layer2")


def test_activations_answer_in_german(tiny_ctx):
    from tabs.activations.views import CHANNEL, MAPS

    _, _, text, _, _ = call_view(MAPS, tiny_ctx, "coffee.png", None, "tiny", "layer1", "8",
                                 "mean activation", "shared", lang="de")
    assert "16 Feature-Maps mit 16×16" in text and "sortiert nach mittlerer Aktivierung" in text
    assert "Farbskala gemeinsam von" in text and text.endswith("groß über dem Bild zu sehen.")
    _, caption = call_view(CHANNEL, tiny_ctx, "coffee.png", None, "tiny", "layer1", 3, 0.5,
                           lang="de")
    assert caption.startswith("Kanal 3 von layer1: Mittel") and "starke Reaktion" in caption
    with pytest.raises(gr.Error, match="Unbekannte Anzeigeoption"):
        call_view(MAPS, tiny_ctx, "coffee.png", None, "tiny", "layer1", "8", "by magic",
                  "shared", lang="de")


def test_pdp_answers_in_german(tiny_ctx):
    from tabs.pdp.views import DATA, DESCRIPTIONS, FEATURES, PDP_1D, PDP_2D

    scores, _ = call_view(DATA, tiny_ctx, True, lang="de")
    assert "**ohne B**" in scores and "| Neuronales Netz (MLP) |" in scores
    assert "Early Stopping" in scores and "auf der CPU" in scores
    figure, text = call_view(PDP_1D, tiny_ctx, True, "LSTAT", "random_forest", 5, True, 10,
                             lang="de")
    assert text.startswith("PDP (Änderung der Vorhersage) von **0.0**")
    assert "5 ICE-Kurven" in text and "Änderung" in figure.axes[0].get_ylabel()
    figure, text = call_view(PDP_2D, tiny_ctx, True, "RM", "LSTAT", "random_forest", 10, "auto",
                             lang="de")
    assert "10 × 10-Gitter (Rekursion)" in text and "(Rekursion)" in figure.axes[0].get_title()
    table = call_view(DESCRIPTIONS, tiny_ctx, lang="de")
    assert list(table.columns) == ["Merkmal", "Bedeutung (Einheit)"]
    dropdowns = call_view(FEATURES, tiny_ctx, False, "B", "RM", "LSTAT", "RM", "RM", lang="de")
    assert ("RM: Zimmer pro Wohnung", "RM") in dropdowns[1].choices
