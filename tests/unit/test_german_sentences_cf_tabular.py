"""The counterfactual and tabular checks say what is wrong in English and in German.

``str(error)`` stays the English sentence (other tests match it); ``in_language("de")`` is the
German one with the same numbers and names. No model is trained: every check runs before any
computation, so a stand-in with ``feature_names`` and ``X_train`` is enough for the PDP and ALE
checks.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from core.counterfactual.pixel import model_mask, parse_weights, pixel_params
from core.counterfactual.swap import swap_params
from core.counterfactual.targets import resolve_target
from core.tabular import pdp as P
from core.tabular.ale import ale_from_estimator
from core.tabular.training import check_model
from tests.sentences import german, raised

CATEGORIES = tuple(f"class {i}" for i in range(10))
TRAINED = SimpleNamespace(feature_names=("CRIM", "RM", "LSTAT"),
                          X_train=pd.DataFrame(np.zeros((100, 3)), columns=["CRIM", "RM", "LSTAT"]))


def test_weights_that_do_not_parse():
    error = raised(parse_weights, "0, 1, drei")
    assert str(error) == ("'drei' is not a number; "
                          "list the proximity weights like this: 0, 1, 3, 10.")
    german(error, "„drei“ ist keine Zahl", "Nähe-Gewichte", "0, 1, 3, 10")


def test_too_many_weights():
    error = raised(parse_weights, ", ".join(str(w) for w in range(9)))
    assert str(error) == "List 1 to 8 different proximity weights, e.g. 0, 1, 3, 10."
    german(error, "1 bis 8", "Nähe-Gewichte")


def test_a_weight_out_of_range_is_named_in_german():
    error = raised(parse_weights, "0, 5000")
    assert str(error) == "Every proximity weight must be a number from 0 to 1000, got 5000.0."
    german(error, "Jedes Nähe-Gewicht", "von 0 bis 1000", "5000.0")


def test_the_target_class_the_model_already_sees():
    error = raised(resolve_target, CATEGORIES, kind="class", original=3, class_index=3)
    assert str(error) == ("#3 class 3 is already what the model sees in this image; choose "
                          "another class as the target.")
    german(error, "#3 class 3", "Zielklasse", "wähle")


def test_any_dog_needs_an_imagenet_model():
    error = raised(resolve_target, CATEGORIES, kind="dog", original=0)
    assert str(error).startswith("'Any dog' needs a model with the 1000 ImageNet classes; "
                                 "this one knows 10 classes.")
    german(error, "Hund", "1000", "10 Klassen")


def test_no_target_class_chosen():
    error = raised(resolve_target, CATEGORIES, kind="class", original=0, class_index=None)
    assert str(error) == "Choose the target class: type its index or search its name."
    german(error, "Zielklasse")


def test_step_size_and_threshold_limits():
    error = raised(pixel_params, step_size=100.0)
    assert str(error) == "The step size must be a number from 0.01 to 64 grey levels, got 100.0."
    german(error, "Die Schrittweite", "0.01 bis 64 Graustufen", "100.0")
    error = raised(swap_params, threshold=1.5)
    assert str(error) == ("The stop threshold must be a number from 0.01 to 0.99 (a target "
                          "probability), got 1.5.")
    german(error, "Schwelle", "Zielwahrscheinlichkeit", "0.99", "1.5")


def test_an_empty_region():
    error = raised(model_mask, np.zeros((8, 8), bool), 4)
    assert str(error).startswith("The painted region is empty")
    german(error, "Bereich", "leer")


def test_unknown_pdp_feature():
    error = raised(P.pdp_1d, TRAINED, model="random_forest", feature="ROOMS")
    assert str(error) == "Unknown feature 'ROOMS'. Choose one of: CRIM, RM, LSTAT."
    german(error, "Merkmal", "'ROOMS'", "CRIM, RM, LSTAT")


def test_two_equal_features_in_a_2d_plot():
    error = raised(P.pdp_2d, TRAINED, model="random_forest", features=("RM", "RM"))
    assert str(error) == "Choose two different features for a 2D plot (got 'RM' twice)."
    german(error, "zwei verschiedene Merkmale", "'RM'")


def test_recursion_with_the_neural_network():
    error = raised(P.pdp_2d, TRAINED, model="neural_network", features=("RM", "LSTAT"),
                   method="recursion")
    assert str(error).startswith("The recursion method walks through the trees")
    german(error, "neuronale Netz", "'brute'")


def test_grid_resolution_and_ale_bins_out_of_range():
    error = raised(P.pdp_1d, TRAINED, model="random_forest", feature="RM", grid_resolution=500)
    assert str(error) == "The grid resolution must be a whole number from 2 to 200, got 500."
    german(error, "Gitterauflösung", "2 bis 200", "500")
    error = raised(P.ale_1d, TRAINED, model="gradient_boosting", feature="RM", bins=1)
    assert str(error) == "The number of ALE bins must be a whole number from 2 to 100, got 1."
    german(error, "ALE-Intervalle", "2 bis 100", "1")


def test_ale_on_a_constant_feature():
    frame = pd.DataFrame({"CHAS": np.zeros(5), "RM": np.arange(5.0)})
    error = raised(ale_from_estimator, SimpleNamespace(predict=lambda X: np.zeros(len(X))),
                   frame, feature="CHAS")
    assert str(error) == "The feature 'CHAS' has only one value, so it has no effect to show."
    german(error, "Merkmal", "'CHAS'", "Wert")


def test_unknown_model():
    error = raised(check_model, "svm")
    assert str(error).startswith("Unknown model 'svm'.")
    german(error, "Modell", "'svm'", "Wähle")
