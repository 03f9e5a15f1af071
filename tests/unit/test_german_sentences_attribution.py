"""Errors a student can cause in attribution, images and models come in English and German.

``str(error)`` keeps the English sentence other tests match; ``in_language("de")`` is the
German one the browser shows to a German request.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.attribution.faithfulness import check_methods
from core.attribution.methods import check_options
from core.attribution.occlusion import check_occlusion
from core.attribution.stability import check_noise
from core.checks import InputError
from core.images import ImageInputError, load_image
from core.models.weights import UrlWeights, WeightsUnavailableError
from core.predictions import check_target, find_class
from lab import EXAMPLE_IMAGES_DIR
from tabs.common.examples import ExampleImages
from tabs.common.render.maps import heatmap


def _both(error: InputError | WeightsUnavailableError) -> tuple[str, str]:
    return str(error), error.in_language("de")


def test_class_index_out_of_range():
    with pytest.raises(InputError) as caught:
        check_target(tuple(f"c{i}" for i in range(10)), target=12)
    en, de = _both(caught.value)
    assert en == "Class index 12 is out of range: this model knows classes 0 to 9."
    assert "Klassenindex 12" in de and "Klassen 0 bis 9" in de and "Modell" in de
    assert caught.value.in_language("fr") == en


def test_no_class_name_matches():
    with pytest.raises(InputError) as caught:
        find_class(("cat", "dog"), "zebra")
    en, de = _both(caught.value)
    assert en == "No class name contains 'zebra'. Try a shorter or an English word."
    assert de.startswith("Kein Klassenname enthält 'zebra'")


def test_unknown_method_and_baseline(tiny_model):
    with pytest.raises(InputError) as caught:
        check_options(tiny_model, method="magic", target=0)
    en, de = _both(caught.value)
    assert en.startswith("Unknown method 'magic'. Choose one of: saliency,")
    assert de.startswith("Unbekannte Methode 'magic'. Wähle eine von: saliency,")

    with pytest.raises(InputError) as caught:
        check_options(tiny_model, method="integrated_gradients", target=0, baseline="grey")
    en, de = _both(caught.value)
    assert en == "Unknown baseline 'grey'. Choose one of: black, white, noise, blurred."
    assert de == "Unbekannte Baseline 'grey'. Wähle eine von: black, white, noise, blurred."


def test_too_many_integrated_gradients_steps(tiny_model):
    with pytest.raises(InputError) as caught:
        check_options(tiny_model, method="integrated_gradients", target=0, steps=5000)
    en, de = _both(caught.value)
    assert en == ("Integrated Gradients needs at least 1 step and at most 1000: a whole number "
                  "between 1 and 1000 (you asked for 5000).")
    assert "Schritte" in de and "1000" in de and "du hast 5000" in de


def test_unknown_layer(tiny_model):
    with pytest.raises(InputError) as caught:
        check_options(tiny_model, method="gradcam", target=0, layer="layer9")
    en, de = _both(caught.value)
    assert en == "Tiny has no layer 'layer9'. Pick one from the layer list."
    assert de.startswith("Tiny hat keine Schicht 'layer9'.")


def test_too_many_occlusion_windows_and_bad_window():
    with pytest.raises(InputError) as caught:
        check_occlusion(224, 4, 4)
    en, de = _both(caught.value)
    assert en.startswith("A 4 px window moved by 4 px takes 3136 positions")
    assert "Fenster" in de and "Schrittweite" in de
    assert all(number in de for number in ("4 px", "3136", "1024"))

    with pytest.raises(InputError) as caught:
        check_occlusion(32, 40, None)
    en, de = _both(caught.value)
    assert en.startswith("The occlusion window must be a whole number from 1 to 32 pixels")
    assert de.startswith("Das Occlusion-Fenster muss eine ganze Zahl von 1 bis 32 Pixel")
    assert "32×32" in de and de.endswith("nicht 40.")


def test_noise_and_empty_method_choice():
    with pytest.raises(InputError) as caught:
        check_noise(2.0)
    assert _both(caught.value) == (
        "The noise strength can be at most 1 (100 % of the pixel range).",
        "Die Rauschstärke darf höchstens 1 sein (100 % des Pixelbereichs).")
    with pytest.raises(InputError) as caught:
        check_methods([])
    assert _both(caught.value) == ("Choose at least one method.", "Wähle mindestens eine Methode.")


def test_unreadable_and_missing_image_files(tmp_path):
    broken = tmp_path / "Notes.png"
    broken.write_bytes(b"this is not an image")
    with pytest.raises(ImageInputError) as caught:
        load_image(broken)
    assert isinstance(caught.value, InputError)
    en, de = _both(caught.value)
    assert en == "'notes.png' is not an image Pillow can read (try PNG or JPEG)."
    assert de == "'Notes.png' ist kein Bild, das Pillow lesen kann (versuche PNG oder JPEG)."

    with pytest.raises(InputError) as caught:
        load_image(b"\x89PNG broken")
    assert caught.value.in_language("de").startswith("Der Upload ")

    with pytest.raises(InputError) as caught:
        load_image(tmp_path / "missing.jpg")
    assert _both(caught.value) == ("The image file 'missing.jpg' does not exist.",
                                   "Die Bilddatei 'missing.jpg' gibt es nicht.")

    with pytest.raises(InputError) as caught:
        load_image(np.zeros((5, 5, 7), dtype=np.uint8))
    assert "(5, 5, 7)" in caught.value.in_language("de")


def test_unknown_example_image():
    examples = ExampleImages(EXAMPLE_IMAGES_DIR)
    with pytest.raises(InputError) as caught:
        examples.path("unicorn.png")
    en, de = _both(caught.value)
    assert en.startswith("Unknown example image 'unicorn.png'. Choose one of: ")
    assert de.startswith("Unbekanntes Beispielbild 'unicorn.png'. Wähle eines von: ")
    assert examples.names[0] in de


def test_unknown_colour_map():
    with pytest.raises(InputError) as caught:
        heatmap(np.zeros((4, 4), dtype=np.float32), cmap="rainbow-unicorn")
    en, de = _both(caught.value)
    assert en.startswith("Unknown colour map 'rainbow-unicorn'. Choose one of: ")
    assert de.startswith("Unbekannte Farbskala 'rainbow-unicorn'. Wähle eine von: ")


def test_missing_weights_in_german(tmp_path):
    weights = UrlWeights("https://example.org/models/resnet.pth")
    with pytest.raises(WeightsUnavailableError) as caught:
        weights.resolve(title="ResNet", offline=True, cache_dir=tmp_path)
    en, de = _both(caught.value)
    assert en.startswith("The weights of ResNet (resnet.pth) are not available: not found in ")
    assert "and the lab runs offline (--offline)." in en
    assert de.startswith("Die Gewichte von ResNet (resnet.pth) sind nicht verfügbar")
    assert "das Lab läuft offline (--offline)" in de and "Offline-Modell" in de
    assert str(tmp_path) in de
