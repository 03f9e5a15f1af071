"""SHAP values of the Boston models (core.tabular.shapley) and their figures (no pyplot)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.utils import shuffle

from core import tabular
from core.cache import clear_all
from core.checks import InputError
from core.tabular import pdp, shapley
from tabs.pdp.shap_render import (
    render_shap_dependence,
    render_shap_summary,
    render_waterfall,
)


@pytest.fixture(scope="module")
def trained() -> tabular.TrainedModels:
    return tabular.train_models()


@pytest.fixture(scope="module")
def network(trained) -> shapley.ShapValues:
    return shapley.shap_values(trained, model="neural_network")


@pytest.mark.parametrize("model", ["random_forest", "gradient_boosting"])
def test_tree_shap_values_add_up_to_prediction_minus_expected_value(trained, model):
    result = shapley.shap_values(trained, model=model)
    assert result.explainer == "tree"
    assert result.values.shape == (len(trained.X_test), len(trained.feature_names))
    predictions = trained.estimator(model).predict(trained.X_test)
    np.testing.assert_allclose(result.values.sum(axis=1),
                               predictions - result.expected_value, atol=1e-8)
    # the expected value is the average prediction over the training rows the trees saw
    assert abs(result.expected_value - trained.y_train.mean()) < 0.5
    # the two features every lesson on these data finds strongest
    importance = np.abs(result.values).mean(axis=0)
    top = {result.feature_names[i] for i in np.argsort(-importance)[:2]}
    assert top == {"LSTAT", "RM"}
    assert shapley.shap_values(trained, model=model) is result  # cached


def test_network_explainer_is_additive_against_its_stated_background(trained, network):
    assert network.explainer == "permutation"
    assert network.background_size == shapley.BACKGROUND_SIZE == 50
    predictions = trained.neural_network.predict(trained.X_test)
    np.testing.assert_allclose(network.expected_value + network.values.sum(axis=1),
                               predictions, atol=1e-4)
    background = shuffle(trained.X_train, n_samples=50, random_state=0)  # shap.utils.sample
    assert network.expected_value == pytest.approx(
        trained.neural_network.predict(background).mean(), abs=1e-6)


def test_network_explanations_at_once_equal_those_one_after_another(trained, network):
    """Two explanations at once give what each gives alone (shap draws from numpy's global
    random state: the module runs them one at a time)."""
    clear_all()
    results: dict[int, shapley.ShapValues] = {}
    trained = tabular.train_models()

    def explain(seed: int) -> None:
        results[seed] = shapley.shap_values(trained, model="neural_network", seed=seed)

    threads = [threading.Thread(target=explain, args=(seed,)) for seed in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    np.testing.assert_array_equal(results[0].values, network.values)
    assert not np.array_equal(results[1].values, network.values)


def test_one_house_is_its_prediction_taken_apart(trained):
    result = shapley.shap_values(trained, model="gradient_boosting")
    house = shapley.one_house(result, house=3)
    assert house.tract == trained.X_test.index[3]
    assert house.price == trained.y_test[3]
    sizes = np.abs(house.contributions)
    assert np.all(sizes[:-1] >= sizes[1:])
    assert house.expected_value + house.contributions.sum() == pytest.approx(house.prediction)
    feature = house.features[0]
    assert house.values[0] == trained.X_test[feature].iloc[3]
    with pytest.raises(InputError) as refused:
        shapley.one_house(result, house=len(trained.X_test))
    assert "test split" in str(refused.value) and "Testteils" in refused.value.in_language("de")


def test_dependence_picks_a_partner_and_refuses_b(trained):
    result = shapley.shap_values(trained, model="random_forest")
    dependence = shapley.shap_dependence(trained, result, feature="LSTAT")
    assert dependence.partner != "LSTAT" and dependence.partner in trained.feature_names
    np.testing.assert_array_equal(dependence.values, trained.X_test["LSTAT"].to_numpy())
    # more lower-status residents, lower predicted price
    assert np.corrcoef(dependence.values, dependence.contributions)[0, 1] < -0.5
    with pytest.raises(InputError, match="without the feature 'B'"):
        shapley.shap_dependence(trained, result, feature="B")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_figures_use_their_own_axes_with_colour_bars(trained, lang):
    result = shapley.shap_values(trained, model="gradient_boosting")
    summary = render_shap_summary(result, lang=lang)
    assert isinstance(summary, Figure) and len(summary.axes) == 2  # swarm and colour bar
    swarm = summary.axes[0]
    labels = [tick.get_text() for tick in swarm.get_yticklabels()]
    importance = np.abs(result.values).mean(axis=0)
    assert labels[-1].startswith(result.feature_names[int(importance.argmax())])  # on top
    assert sum(len(c.get_offsets()) for c in swarm.collections) == result.values.size

    dependence = shapley.shap_dependence(trained, result, feature="RM")
    curve = pdp.pdp_1d(trained, model="gradient_boosting", feature="RM")
    figure = render_shap_dependence(curve, dependence, lang=lang)
    assert len(figure.axes) == 3  # PDP/ICE, SHAP dependence, colour bar of the partner
    assert figure.axes[0].get_xlim() == figure.axes[1].get_xlim()

    house = shapley.one_house(result, house=0)
    waterfall = render_waterfall(house, lang=lang)
    bars = waterfall.axes[0].patches
    assert len(bars) == 10  # nine features and the rest together
    assert sum(bar.get_width() for bar in bars) == pytest.approx(house.contributions.sum())
