"""core.attribution.faithfulness: deletion and insertion curves on a model with a known answer."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from core import attribution as A
from core.attribution.faithfulness import area, measure_curves, pixel_order
from core.cache import clear_all
from core.models import ModelManager
from core.models.hooks import count_hooks
from tests.conftest import tiny_spec

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")

SIZE = 8
KNOWN = {(1, 1): 6.0, (2, 5): 5.0, (4, 3): 4.0, (5, 6): 3.0, (6, 1): 2.0, (7, 7): 1.0}
"""Pixel (row, column) → its weight; no other pixel changes the output."""


class KnownPixels(nn.Module):
    """Class 0's logit is 0.1 × Σ weight × pixel over the six KNOWN pixels (all colour
    channels, normalised); class 1's logit is 0. So p(class 0) = sigmoid(that sum)."""

    def __init__(self):
        super().__init__()
        weights = torch.zeros(1, 3, SIZE, SIZE)
        for (row, column), weight in KNOWN.items():
            weights[..., row, column] = 0.1 * weight
        self.weights = nn.Parameter(weights)

    def forward(self, x):
        score = (x * self.weights).sum(dim=(1, 2, 3))
        return torch.stack([score, torch.zeros_like(score)], dim=1)


@pytest.fixture
def known_model():
    spec = tiny_spec("known", KnownPixels)
    spec = type(spec)(**{**spec.__dict__, "input_size": SIZE})
    return ModelManager(device="cpu", specs={"known": spec}, fallback="known").get("known")


@pytest.fixture
def white():
    """All pixels white: normalised value 1, so each known pixel adds 0.3 × its weight."""
    return np.full((SIZE, SIZE, 3), 255, dtype=np.uint8)


def true_importance() -> np.ndarray:
    values = np.zeros((SIZE, SIZE))
    for (row, column), weight in KNOWN.items():
        values[row, column] = weight
    return values + 1e-3 * np.arange(SIZE * SIZE).reshape(SIZE, SIZE) / SIZE ** 2  # no ties


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_all()
    yield
    clear_all()


def test_true_order_deletes_fastest_and_beats_random(known_model, white):
    truth = true_importance()
    shuffled = np.random.default_rng(3).permutation(truth.ravel()).reshape(truth.shape)
    true, other, random = measure_curves(known_model, white,
                                         maps={"true": truth, "other": shuffled},
                                         target=0, replacement="black", fractions=16)
    assert random.name == A.RANDOM and true.name == "true"
    # every known pixel is among the first 6 of 64: gone after 2 of 16 steps
    assert true.deletion[0] > 0.99 and true.deletion[2] < 0.01
    for curve in (other, random):
        assert np.all(true.deletion <= curve.deletion + 1e-12)
        assert true.deletion_area < curve.deletion_area
    assert true.deletion_area < 0.5 * random.deletion_area


def test_insertion_is_the_mirror_of_deletion(known_model, white):
    truth = true_importance()
    true, reverse, random = measure_curves(known_model, white,
                                           maps={"true": truth, "reverse": -truth},
                                           target=0, replacement="black", fractions=16)
    for curve in (reverse, random):
        assert np.all(true.insertion >= curve.insertion - 1e-12)
        assert true.insertion_area > curve.insertion_area
    # inserting the k most important pixels = deleting all but them = deleting the reverse order
    np.testing.assert_allclose(true.insertion, reverse.deletion[::-1], rtol=0, atol=1e-12)
    # both curves start and end at the same two images
    assert true.deletion[0] == true.insertion[-1] == random.deletion[0]
    assert true.deletion[-1] == true.insertion[0] == random.insertion[0]


def test_curves_are_read_only_and_show_the_chosen_fractions(known_model, white):
    (true, random) = measure_curves(known_model, white, maps={"true": true_importance()}, target=0,
                                    replacement="black", fractions=20, shown=(0.05, 0.25, 1.0))
    assert true.deletion.shape == (21,) and true.images.shape == (3, SIZE, SIZE, 3)
    assert not true.deletion.flags.writeable and not true.images.flags.writeable
    # 25 % of 64 = 16 pixels deleted: exactly 16 black pixels
    assert int((true.images[1] == 0).all(axis=-1).sum()) == 16
    assert (true.images[2] == 0).all() and true.shown[2] == pytest.approx(true.deletion[-1])
    assert count_hooks(known_model.network) == 0


def test_area_and_order_helpers():
    assert area(np.array([0.0, 0.5, 1.0]), np.array([1.0, 1.0, 0.0])) == pytest.approx(0.75)
    order = pixel_order(np.array([[0.0, 3.0], [0.0, 1.0]]), seed=0)
    assert list(order[:2]) == [1, 3]
    assert sorted(order[2:]) == [0, 2]


def test_random_order_and_noise_replacement_are_seeded(known_model):
    image = np.random.default_rng(0).integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
    runs = [measure_curves(known_model, image, maps={}, target=0, replacement="noise", seed=s)[0]
            for s in (1, 1, 2)]
    np.testing.assert_array_equal(runs[0].deletion, runs[1].deletion)
    assert not np.array_equal(runs[0].deletion, runs[2].deletion)


def test_view_uses_each_method_and_the_cache(tiny_model):
    image = np.random.default_rng(1).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    seen = []
    report = A.deletion_insertion(tiny_model, image, target=3, methods=["occlusion", "saliency"],
                                  steps=4, window=8, stride=4, progress=lambda f, t: seen.append(f))
    assert [c.name for c in report.curves] == ["saliency", "occlusion", A.RANDOM]
    assert [e.method for e in report.explanations] == ["saliency", "occlusion"]
    assert report.explanations[1].window == 8 and report.fractions.shape == (21,)
    assert seen[-1] == 1.0 and all(0 <= f <= 1 for f in seen)
    again = A.deletion_insertion(tiny_model, image, target=3, methods=["saliency", "occlusion"],
                                 steps=4, window=8, stride=4)
    assert again is report
    other = A.deletion_insertion(tiny_model, image, target=3, methods=["saliency", "occlusion"],
                                 steps=4, window=8, stride=8)
    assert other is not report


@pytest.mark.parametrize("kwargs, message", [
    (dict(shown=[1.5]), "fraction to show must be a number from 0 to 1"),
    (dict(shown=[-0.1]), "fraction to show"),
    (dict(fractions=1), "number of fractions"),
    (dict(replacement="grey"), "Unknown replacement"),
    (dict(methods=[]), "at least one method"),
    (dict(methods=["lrp"]), "Unknown method"),
    (dict(methods=["occlusion"], window=64), "occlusion window"),
    (dict(methods=["occlusion"], stride=0), "occlusion stride"),
    (dict(target=99), "out of range"),
])
def test_bad_input_is_a_sentence(tiny_model, kwargs, message):
    image = np.zeros((32, 32, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match=message):
        A.deletion_insertion(tiny_model, image, **{"target": 0, **kwargs})


def test_map_of_the_wrong_size_is_refused(known_model, white):
    with pytest.raises(ValueError, match="input size"):
        measure_curves(known_model, white, maps={"small": np.zeros((4, 4))}, target=0)


def test_inputs_are_not_changed_and_threads_agree():
    import threading

    from tests.unit.test_sanity import NormNet

    model = ModelManager(device="cpu", specs={"norm": tiny_spec("norm", NormNet)},
                         fallback="norm").get("norm")
    image = np.random.default_rng(5).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    importance = np.random.default_rng(6).random((32, 32))
    before = image.copy(), importance.copy()
    expected = measure_curves(model, image, maps={"m": importance}, target=1)
    results = [None] * 4

    def work(i):
        results[i] = measure_curves(model, image, maps={"m": importance}, target=1)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        for got, want in zip(result, expected):
            np.testing.assert_array_equal(got.deletion, want.deletion)
            np.testing.assert_array_equal(got.insertion, want.insertion)
    np.testing.assert_array_equal(image, before[0])
    np.testing.assert_array_equal(importance, before[1])
    assert count_hooks(model.network) == 0
