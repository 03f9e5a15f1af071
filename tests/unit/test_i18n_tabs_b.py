"""The Counterfactual and CLIP tabs in German: what the handlers write follows the request's
language (``?lang=de``), English stays the default; pictures keep ASCII titles."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pytest

from core.models import ModelManager
from lab import EXAMPLE_IMAGES_DIR
from tabs.clip import render as clip_render
from tabs.clip import views as clip
from tabs.clip.texts import T as CLIP
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.form import event_function
from tabs.counterfactual import render as cf_render
from tabs.counterfactual import views as cf
from tabs.counterfactual.pixel_views import CURVE_COLOURS
from tabs.counterfactual.texts import T as CF
from tests.clip_tiny import tiny_clip_spec
from tests.conftest import tiny_spec
from tests.views import call_view

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")

GERMAN = SimpleNamespace(query_params={"lang": "de"}, headers={})
BROWSER_GERMAN = SimpleNamespace(query_params={}, headers={"accept-language": "de-DE,de;q=0.9"})
SLIDES = "a cute dog in a park\na large German Shepherd\na small kitten on a chair"
START = ("chelsea.png", None, "tiny", "one class", 3)
# weight, distance, smoothness, step size, maximum steps, threshold, seed
KNOBS = (0.0, "L2", 0.0, 8.0, 4, 0.5, 0)


def _context(specs: dict) -> TabContext:
    return TabContext(models=ModelManager(device="cpu", specs=specs, fallback=next(iter(specs))),
                      lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR))


@pytest.fixture(scope="module")
def cnn():
    return _context({"tiny": tiny_spec(), "tiny2": tiny_spec("tiny2")})


@pytest.fixture(scope="module")
def tiny_clip():
    return _context({"clip": tiny_clip_spec("clip"), "tiny": tiny_spec()})


def _last(generator):
    *_, last = generator
    return last


def _title(figure) -> str:
    return figure.axes[0].get_title()


@pytest.mark.parametrize("table", [CF, cf_render.PICTURES, CLIP])
def test_every_text_is_german_where_german_differs(table):
    """The same keys in both languages; a German text is never left as the English one, except
    words both languages share (method names, technical terms, examples)."""
    same = {key for key, text in table.words["en"].items() if table.words["de"][key] == text}
    assert same <= {"search.example", "tab.tradeoff", "title.chefer", "title.grad_eclip",
                    "method.grad_eclip"}


@pytest.mark.parametrize("texts", [cf_render.PICTURES.words["de"], clip_render.WORDS.words["de"]])
def test_picture_titles_stay_ascii(texts):
    """Titles drawn into pictures use PIL's default bitmap font, which has no umlauts."""
    drawn = {"original", "region", "counterfactual", "difference", "change", "sees"}
    for key in drawn & set(texts):
        assert texts[key].isascii(), texts[key]
    for method in ("attention", "rollout", "chefer", "grad_eclip"):
        assert CLIP.text(f"title.{method}", "de").isascii()


def test_counterfactual_start_and_target_in_german(cnn):
    _, sentence = call_view(cf.PREDICT, cnn, "chelsea.png", None, "tiny", lang="de")
    assert sentence.startswith("Das Modell sieht **class") and "verlassen" in sentence
    describe = event_function(cf.TARGET_TEXT, cnn)  # the browser's language, not the address's
    assert describe("tiny", "one class", 3, BROWSER_GERMAN) == "Ziel: **#3 class 3**."
    assert "Gib einen Klassenindex ein" in call_view(cf.TARGET_TEXT, cnn, "tiny", "one class",
                                                     None, lang="de")
    assert call_view(cf.CANCEL, cnn, lang="de") == "Abgebrochen."
    # no language asked: the lab's default
    english = call_view(cf.PREDICT, cnn, "chelsea.png", None, "tiny")[1]
    assert "the counterfactual must leave it" in english


def test_pixel_counterfactual_in_german(cnn):
    stream = call_view(cf.PIXEL, cnn, *START, False, None, *KNOBS, lang="de")
    assert stream[0][2].startswith("Optimiere in Richtung Ziel „#3 class 3“ mit Tiny")
    live, curves, text, picture, slider, top5, checks, gradcam = stream[-1]
    assert "Abstand zum Original in Graustufen" in text and "Schrittweite 8" in text
    assert any(word in text for word in ("gewechselt", "kein Wechsel", "erreicht"))
    assert set(curves["class"]) == {"Originalklasse", "Ziel"}
    assert set(curves["class"]) <= set(CURVE_COLOURS)
    assert "**Echt oder Rauschen?**" in checks and "| Prüfung | das Modell sagt |" in checks
    assert "zweites Modell (Tiny2)" in checks and "JPEG, Qualität 75" in checks
    assert "um 2 Pixel verschoben" in checks and "Prüfungen behalten das Ziel" in checks
    english = _last(call_view(cf.PIXEL, cnn, *START, False, None, *KNOBS))
    assert set(english[1]["class"]) == {"original class", "target"}
    assert "second model (Tiny2)" in english[6] and "2-pixel shift" in english[6]


def test_trade_off_and_region_swap_in_german(cnn):
    figure, _, table = _last(call_view(cf.TRADEOFF, cnn, *START, False, None, "0, 10", *KNOBS,
                                       lang="de"))
    assert table.startswith("| λ | Schritte | gewechselt? |")
    assert "Ziel: #3 class 3; Abstände in Graustufen." in table
    assert _title(figure).startswith("Trade-off: Ein größeres Nähe-Gewicht")
    assert figure.axes[0].get_xlabel().startswith("Abstand zum Original")
    swap = call_view(cf.SWAP, cnn, *START, "puppies.jpg", None, 4, 16, 0.95, lang="de")
    assert swap[0][2].startswith("Suche Zellen, die Tiny zum Ziel „#3 class 3“ führen")
    _, curve, summary, _, checks = swap[-1]
    assert "Zellen" in summary and "Start: *class" in summary and "zweites Bild:" in summary
    assert curve.axes[0].get_xlabel() == "getauschte Zellen"
    assert "Dieselben Zellpaare" in checks


def test_clip_similarity_and_cut_warning_in_german(tiny_clip):
    table, figure, note, _ = call_view(clip.SIMILARITY, tiny_clip, "both.png", None, "clip",
                                       SLIDES, lang="de")
    assert table.startswith("| Rang | Beschreibung | Kosinus-Ähnlichkeit | Logit (× ")
    assert "Softmax nur über *diese* Beschreibungen" in note
    assert _title(figure) == "Welche Beschreibung passt am besten? (CLIPs Rangfolge)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gr.Warning outside an event only warns
        _, _, note, _ = call_view(clip.SIMILARITY, tiny_clip, "both.png", None, "clip",
                                  "a cat\n" + "dog " * 90, lang="de")
        english = call_view(clip.SIMILARITY, tiny_clip, "both.png", None, "clip",
                            "a cat\n" + "dog " * 90)[2]
    assert "⚠️ Beschreibung 2 („dog dog" in note and "höchstens 77" in note
    assert english.startswith("⚠️ Description 2 (“dog dog") and "at most 77" in english
    assert "wurde abgeschnitten" in note and "was cut off" in english


def test_clip_words_regions_and_agreement_in_german(tiny_clip):
    tokens = call_view(clip.TOKENS, tiny_clip, "both.png", None, "clip", SLIDES, "attention",
                       "all layers", lang="de")
    assert "Start-Token (oben weggelassen)" in tokens and "Tokens</div>" in tokens
    *_, (_, _, text) = call_view(clip.EXPLAIN, tiny_clip, "both.png", None, "clip", SLIDES, None,
                                 "chefer", "last layer only", 0.6, lang="de")
    assert text.startswith("Karten für **„") and "4×4 Felder" in text
    table, figure, text = call_view(clip.AGREEMENT, tiny_clip, "both.png", None, "clip", SLIDES,
                                    "all layers", lang="de")
    assert table.startswith("Beste Beschreibung:") and "Chefer et al. 2021 vs. Grad-ECLIP" in table
    assert "Spearmans ρ" in table and "Fläche unter der Löschkurve" in text
    assert figure.axes[0].get_ylabel() == "Kosinus-Ähnlichkeit"
    with pytest.raises(Exception, match="Wähle für Chefers Aufsummieren"):
        call_view(clip.TOKENS, tiny_clip, "both.png", None, "clip", SLIDES, "chefer", "bogus",
                  lang="de")


def test_clip_notice_and_zero_shot_in_german(tiny_clip):
    assert call_view(clip.NOTICE, tiny_clip, None, lang="de") \
        == "**In diesem Lab ist kein CLIP-Modell eingetragen.**"
    assert call_view(clip.NOTICE, tiny_clip, "clip", lang="de") == ""
    *_, text = call_view(clip.ZERO_SHOT, tiny_clip, "coffee.png", None, "clip", "tiny",
                         lang="de")
    assert text.startswith("CLIP hat das Bild mit 1000 Sätzen „a photo of a ….“ verglichen")
