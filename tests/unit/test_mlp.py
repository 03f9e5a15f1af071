"""The Partial dependence tab's neural network: a scikit-learn regressor trained by Lightning."""

from __future__ import annotations

import os
import random
import threading
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from core import tabular as B
from core.cache import clear_all
from core.tabular import training
from core.tabular.mlp import NeuralNetworkRegressor, one_cpu_thread
from tabs.common.progress import words


@pytest.fixture(scope="module")
def models() -> B.TrainedModels:
    return B.train_models()


def test_the_network_is_a_fitted_scikit_learn_regressor(models):
    net = models.neural_network
    assert isinstance(net, NeuralNetworkRegressor) and is_regressor(net)
    check_is_fitted(net)
    assert net.n_features_in_ == 12 and "B" not in net.feature_names_in_
    assert clone(net).get_params() == net.get_params()
    with pytest.raises(NotFittedError):
        clone(net).predict(models.X_test)
    assert not net.network_.training
    assert not any(p.requires_grad for p in net.network_.parameters())
    prediction = net.predict(models.X_test)
    assert prediction.shape == (127,) and prediction.dtype == np.float64
    # 20 % of the 379 training rows decide when to stop; the test rows never reach it
    assert net.n_validation_ == 76 and net.device_ == "cpu"
    assert 0 <= net.best_epoch_ < net.n_epochs_ <= net.max_epochs
    assert set(models.fit_seconds) == set(B.MODEL_NAMES)


def test_the_network_scores_above_a_floor(models):
    score = models.scores["neural_network"]
    assert score.r2 > 0.75 and 0 < score.mae < 3.2  # measured: R² 0.815, MAE 2.67


def test_predict_refuses_other_columns(models):
    renamed = models.X_test.rename(columns={"RM": "ROOMS"})
    with pytest.raises(ValueError, match="feature names"):
        models.neural_network.predict(renamed)


def test_training_is_deterministic_and_single_flight(models, monkeypatch):
    """Cache cleared, three simultaneous first requests: one training, the same weights again."""
    first = B.train_models()
    clear_all()
    calls: list[int] = []
    real = training._train
    monkeypatch.setattr(training, "_train", lambda *args: calls.append(1) or real(*args))
    barrier = threading.Barrier(3)
    results: list[B.TrainedModels] = []

    def ask() -> None:
        barrier.wait()
        results.append(B.train_models())

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(results) == 3 and all(r is results[0] for r in results)
    again = results[0]
    assert again is not first
    before, after = (m.neural_network.network_.state_dict() for m in (first, again))
    assert list(before) == list(after)
    for name, tensor in before.items():
        assert torch.equal(tensor, after[name]), name
    np.testing.assert_array_equal(first.neural_network.predict(first.X_test),
                                  again.neural_network.predict(first.X_test))
    assert again.scores["neural_network"].r2 == first.scores["neural_network"].r2


def test_training_leaves_the_process_alone(models, tmp_path, monkeypatch, capfd):
    """No files, no banners, no Lightning warnings; RNGs, torch flags, thread counts unchanged."""
    monkeypatch.chdir(tmp_path)
    rng_states = (torch.get_rng_state(), np.random.get_state(), random.getstate())
    flags = (torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.benchmark,
             torch.backends.cudnn.deterministic, os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
             torch.get_num_threads())
    during: list[tuple[float, str, bool, int]] = []

    def progress(fraction: float, step) -> None:
        during.append((fraction, step, torch.are_deterministic_algorithms_enabled(),
                       torch.get_num_threads()))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        NeuralNetworkRegressor(max_epochs=3, patience=2).fit(
            models.X_train, models.y_train, progress=progress)
    assert [round(f, 3) for f, *_ in during] == [0.333, 0.667, 1.0]
    assert "epoch 3 (at most 3)" in words(during[-1][1], "en")
    # torch's process-wide deterministic switch is not on while the network trains
    assert all(det == flags[0] for *_, det, _ in during)
    assert all(threads == 1 for *_, threads in during)  # this thread only, see next lines
    after_flags = (torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.benchmark,
                   torch.backends.cudnn.deterministic, os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
                   torch.get_num_threads())
    assert after_flags == flags
    assert torch.equal(torch.get_rng_state(), rng_states[0])
    numpy_state = np.random.get_state()
    assert numpy_state[0] == rng_states[1][0] and np.array_equal(numpy_state[1], rng_states[1][1])
    assert random.getstate() == rng_states[2]
    assert list(tmp_path.iterdir()) == []  # no lightning_logs, no checkpoints
    noise = [str(w.message) for w in caught if "lightning" in str(w.filename)]
    assert not noise, noise
    out, err = capfd.readouterr()
    assert "GPU available" not in out + err and "Tip" not in out + err


def test_one_cpu_thread_is_local_to_the_calling_thread():
    before = torch.get_num_threads()
    if before == 1:
        pytest.skip("torch already runs on one thread here")
    seen: dict[str, int] = {}
    with one_cpu_thread():
        seen["inside"] = torch.get_num_threads()
        other = threading.Thread(target=lambda: seen.setdefault("new", torch.get_num_threads()))
        other.start()
        other.join()
    assert seen == {"inside": 1, "new": before} and torch.get_num_threads() == before


def test_trees_are_step_functions_and_the_network_is_smooth(models):
    """Nudge RM by 0.0001 in 40 rows at 26 places: no tree prediction moves, every network one does.

    Tree thresholds lie halfway between two training values of RM (3 decimals), so on multiples
    of 0.0005; the nudged interval (x.xx02, x.xx03] never contains one.
    """
    rows = models.X_train.iloc[:40]

    def predict(name: str, value: float) -> np.ndarray:
        changed = rows.copy()
        changed["RM"] = value
        return models.estimator(name).predict(changed)

    places = np.linspace(5.0, 7.5, 26) + 0.0002
    for name in B.TREE_MODELS:
        assert all(np.array_equal(predict(name, z), predict(name, z + 1e-4)) for z in places), name
    assert not any(np.array_equal(predict("neural_network", z), predict("neural_network", z + 1e-4))
                   for z in places)


@pytest.mark.parametrize(("settings", "message"), [
    ({"hidden_layers": ()}, "hidden_layers must list 1 to 4 layer widths"),
    ({"hidden_layers": (64, 0)}, "hidden layer width must be a whole number from 1"),
    ({"learning_rate": 0}, "learning rate must be a number from"),
    ({"batch_size": 0.5}, "batch size must be a whole number"),
    ({"validation_fraction": 0.9}, "validation fraction must be a number from 0.05 to 0.5"),
    ({"accelerator": "tpu"}, "Unknown accelerator 'tpu'. Choose 'cpu' or 'auto'"),
])
def test_bad_settings_get_a_sentence(models, settings, message):
    with pytest.raises(ValueError, match=message):
        NeuralNetworkRegressor(**settings).fit(models.X_train, models.y_train)


def test_too_few_rows_are_refused():
    X = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="too few to hold some out"):
        NeuralNetworkRegressor().fit(X, np.arange(4.0))
