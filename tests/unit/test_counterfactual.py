"""Method 1 (Wachter et al.) and the targets, on tiny models whose answers we know."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchvision
from torch import nn

from core.cache import clear_all
from core.counterfactual import (
    DOG_FIRST,
    DOG_LAST,
    CounterfactualCancelled,
    dog_classes,
    find_counterfactual,
    parse_weights,
    pixel_params,
    resolve_target,
    trade_off,
)
from core.models import ModelManager
from core.models.hooks import count_hooks
from tests.conftest import tiny_spec


class ColourNet(nn.Module):
    """Logits from the mean colour: class 0 ← red, 1 ← green, 2 ← blue, the rest 0 (32 px).

    ``layer2`` is a 4×4 grid of colour means (the Grad-CAM layer of the tiny spec).
    """

    def __init__(self, scale: float = 6.0):
        super().__init__()
        self.layer1 = nn.Conv2d(3, 3, 1)
        self.layer2 = nn.AvgPool2d(8)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(3, 10)
        with torch.no_grad():
            self.layer1.weight.copy_(torch.eye(3).view(3, 3, 1, 1))
            self.layer1.bias.zero_()
            self.fc.weight.zero_()
            self.fc.bias.zero_()
            self.fc.weight[:3, :3] = torch.eye(3) * scale

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.layer2(self.layer1(x))), 1))


@pytest.fixture
def colour_model():
    manager = ModelManager(device="cpu", specs={"colour": tiny_spec("colour", ColourNet)},
                           fallback="colour")
    clear_all()
    return manager.get("colour")


def _image(red: int, green: int, blue: int) -> np.ndarray:
    image = np.zeros((32, 32, 3), np.uint8)
    image[...] = (red, green, blue)
    return image


RED = _image(230, 25, 25)
FAST = dict(step_size=8.0, max_steps=60)


def _green(model) -> object:
    return resolve_target(model.categories, kind="class", original=0, class_index=1)


def test_dog_group_is_imagenets_118_breeds():
    categories = torchvision.models.ResNet18_Weights.IMAGENET1K_V1.meta["categories"]
    dogs = dog_classes(categories)
    assert dogs == tuple(range(151, 269)) and (DOG_FIRST, DOG_LAST) == (151, 268)
    assert categories[dogs[0]] == "Chihuahua" and categories[dogs[-1]] == "Mexican hairless"
    assert categories[150] == "sea lion" and categories[269] == "timber wolf"
    target = resolve_target(categories, kind="dog", original=285)
    assert 207 in target and 285 not in target and target.kind == "dog"
    other = resolve_target(categories, kind="other", original=285)
    assert len(other.classes) == 999 and 285 not in other
    one = resolve_target(categories, kind="class", original=285, class_index=207)
    assert (one.kind, one.classes, one.class_name) == ("class", (207,), "golden retriever")
    with pytest.raises(ValueError, match="1000 ImageNet classes"):
        dog_classes([f"class {i}" for i in range(10)])


def test_target_probability_rises_and_reaches_the_threshold(colour_model):
    result = find_counterfactual(colour_model, RED, target=_green(colour_model),
                                 params=pixel_params(weight=0.001, **FAST))
    assert result.reached and result.switched_to.index == 1
    assert result.p_target[0] < 0.01 and result.p_target[-1] >= 0.5
    assert np.all(np.diff(result.p_target) > -1e-6)  # it only goes up on this easy case
    assert result.steps == len(result.p_target) - 1 < 60
    assert result.predictions[0].index == 1 and result.target_probability >= 0.5
    assert result.image.dtype == np.uint8 and not result.image.flags.writeable


def test_pixels_stay_valid_at_every_step(colour_model):
    # green is already at 255: the optimisation pushes it further, the clamp must hold it there
    start = _image(255, 255, 0)
    manager_target = resolve_target(colour_model.categories, kind="class", original=0,
                                    class_index=2)
    seen = []
    find_counterfactual(colour_model, start, target=manager_target,
                        params=pixel_params(weight=0.0, threshold=0.99, step_size=16,
                                            max_steps=12),
                        on_step=lambda step: seen.append(step.images.copy()))
    images = np.stack([s[0] for s in seen])
    assert len(seen) == 13
    assert images[..., 2].min() >= 0 and images[..., 2].max() > 100  # blue rose from 0
    assert images[..., 0].max() <= 255 and images[..., 0][-1].mean() < 255  # red fell
    assert np.all(np.diff(images[..., 2].astype(int).mean(axis=(1, 2))) >= 0)  # no wrap-around


def test_larger_proximity_weight_gives_smaller_distance(colour_model):
    params = pixel_params(threshold=0.99, step_size=4, max_steps=25)
    sweep = trade_off(colour_model, RED, target=_green(colour_model), weights="0, 0.03, 1",
                      params=params)
    distances = [run.distances.rms for run in sweep.runs]
    assert sweep.weights == (0.0, 0.03, 1.0)
    assert distances[0] > distances[1] + 1 > distances[2] + 2
    single = find_counterfactual(colour_model, RED, target=_green(colour_model),
                                 params=pixel_params(weight=0.03, threshold=0.99, step_size=4,
                                                     max_steps=25))
    assert np.abs(single.image.astype(int) - sweep.runs[1].image.astype(int)).max() <= 1


def test_pixels_outside_the_region_never_change(colour_model):
    mask = np.zeros((64, 64), bool)
    mask[:, :32] = True  # the left half, painted on an image twice the model's size
    image = np.kron(RED, np.ones((2, 2, 1), np.uint8))
    seen = []
    result = find_counterfactual(colour_model, image, target=_green(colour_model), mask=mask,
                                 params=pixel_params(weight=0.0, **FAST),
                                 on_step=lambda step: seen.append(step.images[0].copy()))
    assert result.mask.shape == (32, 32)
    assert result.mask[:, :16].all() and not result.mask[:, 16:].any()
    for picture in [*seen, result.image]:
        assert np.array_equal(picture[:, 16:], result.view[:, 16:])
    assert not np.array_equal(result.image[:, :16], result.view[:, :16])
    with pytest.raises(ValueError, match="painted region is empty"):
        find_counterfactual(colour_model, RED, target=_green(colour_model),
                            mask=np.zeros((32, 32), bool))


def test_not_reaching_the_target_is_a_result(colour_model):
    result = find_counterfactual(colour_model, RED, target=_green(colour_model),
                                 params=pixel_params(weight=500.0, max_steps=5))
    assert not result.reached and result.steps == 5
    assert result.closest < 0.5 and result.switched_to is None
    assert result.predictions[0].index == 0


def test_cancel_stops_within_one_step_and_is_not_cached(colour_model):
    checks = []

    def stop() -> bool:
        checks.append(1)
        return len(checks) > 3

    steps = []
    with pytest.raises(CounterfactualCancelled):
        find_counterfactual(colour_model, RED, target=_green(colour_model),
                            params=pixel_params(threshold=0.99, max_steps=200),
                            should_stop=stop, on_step=steps.append)
    assert len(steps) == 3
    again = find_counterfactual(colour_model, RED, target=_green(colour_model),
                                params=pixel_params(threshold=0.99, max_steps=4))
    assert again.steps == 4


def test_deterministic_cached_and_the_model_is_untouched(colour_model):
    before = {k: v.clone() for k, v in colour_model.network.state_dict().items()}
    params = pixel_params(weight=0.5, **FAST)
    first = find_counterfactual(colour_model, RED, target=_green(colour_model), params=params,
                                seed=3)
    assert find_counterfactual(colour_model, RED, target=_green(colour_model), params=params,
                               seed=3) is first
    fresh = find_counterfactual(colour_model, RED, target=_green(colour_model), params=params,
                                seed=3, use_cache=False)
    assert np.array_equal(fresh.image, first.image)
    assert np.array_equal(fresh.p_target, first.p_target)
    other = find_counterfactual(colour_model, RED, target=_green(colour_model), params=params,
                                seed=4, use_cache=False)
    assert not np.array_equal(other.p_target, first.p_target)
    for name, value in colour_model.network.state_dict().items():
        assert torch.equal(value, before[name])
    assert not any(p.requires_grad for p in colour_model.network.parameters())
    assert count_hooks(colour_model.network) == 0 and not colour_model.network.training


@pytest.mark.parametrize("values, message", [
    (dict(max_steps=0), "number of steps must be a whole number from 1"),
    (dict(weight=-1.0), "proximity weight must be a number from 0"),
    (dict(threshold=1.5), "stop threshold"),
    (dict(distance="cosine"), "Unknown distance"),
    (dict(step_size=0), "step size"),
])
def test_bad_settings_give_a_sentence(values, message):
    with pytest.raises(ValueError, match=message):
        pixel_params(**values)


def test_bad_targets_and_weights_give_a_sentence(colour_model):
    categories = colour_model.categories
    with pytest.raises(ValueError, match="out of range"):
        resolve_target(categories, kind="class", original=0, class_index=10)
    with pytest.raises(ValueError, match="already what the model sees"):
        resolve_target(categories, kind="class", original=0, class_index=0)
    with pytest.raises(ValueError, match="Unknown target"):
        resolve_target(categories, kind="cat", original=0)
    with pytest.raises(ValueError, match="not a number"):
        parse_weights("1, two")
    with pytest.raises(ValueError, match="must be a number from 0"):
        parse_weights("1, -3")
    with pytest.raises(ValueError, match="1 to 8"):
        parse_weights(", ".join(str(i) for i in range(9)))
    assert parse_weights("0; 1, 1, 3") == (0.0, 1.0, 3.0)
