"""Method 2 (Goyal et al.'s region swap) on a constructed case, and the reality checks."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from core.cache import clear_all
from core.counterfactual import (
    CounterfactualCancelled,
    find_counterfactual,
    pixel_params,
    resolve_target,
)
from core.counterfactual.checks import (
    Skipped,
    check_counterfactual,
    check_swap,
    jpeg,
    second_model,
    shift,
)
from core.counterfactual.swap import CannotSwap, replay, swap_params, swap_regions
from core.models import ModelManager
from core.models.hooks import count_hooks
from core.models.registry import ModelSpec
from core.predictions import classify
from tabs.counterfactual.describe import skipped_note
from tests.conftest import MissingSource, tiny_spec

PLANTED = (1, 11)  # cells (0, 1) and (2, 3) of the 4×4 grid


class GreenNet(nn.Module):
    """32 px in, a 4×4 grid of colour means at ``layer2``; class 1 ('dog') grows with the share
    of green cells, class 0 ('cat') is a constant 1.5, the rest −10. On a black picture one green
    cell gives p(dog) ≈ 0.38, two give ≈ 0.62 (none: 0.18)."""

    def __init__(self, gain: float = 8.0):
        super().__init__()
        self.layer1 = nn.Identity()
        self.layer2 = nn.AvgPool2d(8)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(3, 10)
        with torch.no_grad():
            self.fc.weight.zero_()
            self.fc.weight[1, 1] = gain
            self.fc.bias.fill_(-10.0)
            self.fc.bias[0], self.fc.bias[1] = 1.5, gain

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.layer2(self.layer1(x))), 1))


class StrongerGreenNet(GreenNet):
    def __init__(self):
        super().__init__(gain=9.0)


class CoarseGreenNet(GreenNet):
    """GreenNet with a 2×2 grid at ``layer2``: a 4×4 swap cannot be replayed in it."""

    def __init__(self):
        super().__init__()
        self.layer2 = nn.AvgPool2d(16)


class UnsureNet(GreenNet):
    """The same answer for every picture: class 1 on top with p = 0.49, class 0 0.26, class 2
    0.25 (the rest ≈ 0)."""

    def __init__(self):
        super().__init__()
        with torch.no_grad():
            self.fc.weight.zero_()
            self.fc.bias.fill_(-30.0)
            self.fc.bias[:3] = torch.tensor([0.26, 0.49, 0.25]).log()


@pytest.fixture
def models():
    clear_all()
    specs = {"green": tiny_spec("green", GreenNet), "green2": tiny_spec("green2", StrongerGreenNet),
             "seedmodel": ModelSpec(name="seedmodel", title="Seed model", kind="classifier",
                                    source=MissingSource(), origin="test")}
    return ModelManager(device="cpu", specs=specs, fallback="green")


def _pictures():
    cat = np.zeros((32, 32, 3), np.uint8)
    dog = cat.copy()
    for cell in PLANTED:
        row, column = divmod(cell, 4)
        dog[row * 8:(row + 1) * 8, column * 8:(column + 1) * 8, 1] = 255
    return cat, dog


def _dog_target(model):
    return resolve_target(model.categories, kind="class", original=0, class_index=1)


@pytest.mark.parametrize("candidates", [4096, 3])  # exhaustive, and ranked by the estimate
def test_region_swap_finds_the_planted_cells(models, candidates):
    model = models.get("green")
    cat, dog = _pictures()
    steps = []
    result = swap_regions(model, cat, dog, target=_dog_target(model),
                          params=swap_params(candidates=candidates), on_step=steps.append)
    assert sorted(d for _, d in result.swaps) == list(PLANTED)
    assert len(result.swaps) == 2 and result.reached and result.switched_to.index == 1
    assert result.exhaustive == (candidates == 4096) and result.grid == (4, 4)
    assert result.p_target[0] < result.p_target[1] < 0.5 <= result.p_target[2]
    assert [s.step for s in steps] == [1, 2] and steps[-1].top.index == 1
    assert count_hooks(model.network) == 0
    # the same pairs, replayed, give the same decision
    logits = replay(model, result.view, result.dog_view, result.swaps, grid=result.grid)
    assert int(logits.argmax()) == 1


def test_swap_not_reached_and_bad_input(models):
    model = models.get("green")
    cat, dog = _pictures()
    result = swap_regions(model, cat, dog, target=_dog_target(model),
                          params=swap_params(max_cells=1))
    assert not result.reached and len(result.swaps) == 1 and result.switched_to is None
    with pytest.raises(ValueError, match="largest number of cells"):
        swap_params(max_cells=0)
    with pytest.raises(ValueError, match="RGB uint8"):
        swap_regions(model, cat, dog.astype(np.float32), target=_dog_target(model))
    with pytest.raises(ValueError, match="4×4 grid, not 7×7") as raised:
        replay(model, cat, dog, ((0, 0),), grid=(7, 7))
    assert isinstance(raised.value, CannotSwap) and raised.value.reason == "grid"
    assert (raised.value.grid, raised.value.expected) == ((4, 4), (7, 7))
    assert count_hooks(model.network) == 0


def test_swap_cancel_leaves_no_hook(models):
    model = models.get("green")
    cat, dog = _pictures()
    with pytest.raises(CounterfactualCancelled):
        swap_regions(model, cat, dog, target=_dog_target(model), should_stop=lambda: True)
    assert count_hooks(model.network) == 0


def test_jpeg_and_shift_do_what_they_say():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=75)
    assert np.array_equal(jpeg(image), np.asarray(Image.open(io.BytesIO(buffer.getvalue()))))
    moved = shift(image)
    assert np.array_equal(moved[2:, 2:], image[:-2, :-2])
    assert not moved[:2].any() and not moved[:, :2].any()


def test_checks_for_a_pixel_counterfactual(models):
    model = models.get("green")
    cat = np.full((32, 32, 3), 40, np.uint8)
    result = find_counterfactual(model, cat, target=_dog_target(model),
                                 params=pixel_params(weight=0.0, step_size=16, max_steps=40))
    assert result.reached
    checks = check_counterfactual(models, model, result)
    second, jpeg_check, shift_check = checks.outcomes
    assert [o.kind for o in checks.outcomes] == ["second_model", "jpeg", "shift"]
    assert second.model == "Green2" and second.skipped is None
    other = models.get("green2")
    assert second.prediction == classify(other, result.image, top_k=1)[0]
    assert jpeg_check.prediction == classify(model, jpeg(result.image), top_k=1)[0]
    assert shift_check.prediction == classify(model, shift(result.image), top_k=1)[0]
    # a change of the mean colour survives all three (it is no pixel-exact noise)
    assert checks.passed == checks.ran == 3
    assert checks.gradcam_original.target == 0 and checks.gradcam_target.target == 1
    assert checks.gradcam_target.map.shape == (32, 32)


def test_second_model_missing_is_said_honestly_and_swap_checks_replay(models):
    alone = ModelManager(device="cpu", fallback="green", specs={
        "green": models.specs["green"], "seedmodel": models.specs["seedmodel"]})
    model = alone.get("green")
    other, wanted = second_model(alone, model)
    assert other is None and wanted == ("Seed model",)
    cat, dog = _pictures()
    swap = swap_regions(model, cat, dog, target=_dog_target(model))
    checks = check_swap(alone, model, swap)
    first = checks.outcomes[0]
    assert first.holds is None and checks.ran == 2
    assert first.skipped == Skipped("no_second_model", wanted=("Seed model",))
    english, german = skipped_note(first, lang="en"), skipped_note(first, lang="de")
    assert english.startswith("No second model with weights available here")
    assert german.startswith("Kein zweites Modell mit Gewichten verfügbar")
    assert "Seed model" in english and "Seed model" in german
    for outcome, change in zip(checks.outcomes[1:], (jpeg, shift)):
        logits = replay(model, change(swap.view), change(swap.dog_view), swap.swaps)
        p_dog = float(logits.softmax(dim=1)[0, 1])
        assert outcome.prediction.index == int(logits.argmax())
        assert outcome.target_probability == pytest.approx(p_dog, abs=1e-6)
        assert outcome.holds == (p_dog >= swap.threshold)
    assert count_hooks(model.network) == 0


def test_a_second_model_with_another_grid_is_named_with_its_grid(models):
    coarse = ModelManager(device="cpu", fallback="green", specs={
        "green": models.specs["green"], "coarse": tiny_spec("coarse", CoarseGreenNet)})
    model = coarse.get("green")
    cat, dog = _pictures()
    first = check_swap(coarse, model, swap_regions(model, cat, dog,
                                                   target=_dog_target(model))).outcomes[0]
    assert first.holds is None and first.model == "Coarse"
    assert first.skipped == Skipped("grid", layer="layer2", grid=(2, 2), expected=(4, 4))
    assert skipped_note(first, lang="en") == ("Coarse's layer layer2 has a 2×2 grid, not 4×4: "
                                              "the same cells cannot be swapped.")
    assert skipped_note(first, lang="de").startswith("Die Schicht layer2 von Coarse hat ein "
                                                     "Raster von 2×2, nicht 4×4")


def test_a_check_keeps_the_target_by_the_rule_the_run_stops_by():
    """p(target) = 0.49 has not reached the threshold 0.5: the run says so, and no check may
    say the target survives, although the target is the most likely class."""
    alone = ModelManager(device="cpu", fallback="unsure",
                         specs={"unsure": tiny_spec("unsure", UnsureNet)})
    model = alone.get("unsure")
    cat, dog = _pictures()
    swap = swap_regions(model, cat, dog, target=_dog_target(model),
                        params=swap_params(max_cells=1))
    pixels = find_counterfactual(model, cat, target=_dog_target(model),
                                 params=pixel_params(weight=0.0, max_steps=2))
    assert not swap.reached and not pixels.reached
    assert swap.p_target[-1] == pytest.approx(0.49, abs=1e-3)
    for checks in (check_swap(alone, model, swap), check_counterfactual(alone, model, pixels)):
        for outcome in checks.outcomes[1:]:  # JPEG and shift (no second model here)
            assert outcome.prediction.index == 1
            assert outcome.target_probability == pytest.approx(0.49, abs=1e-3)
            assert outcome.holds is False
        assert checks.passed == 0 and checks.ran == 2
