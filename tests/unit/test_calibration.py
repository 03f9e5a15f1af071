"""core.models.calibration: batch sizes by measurement, and results that do not depend on them."""

from __future__ import annotations

import copy
import threading
import time

import numpy as np
import pytest
import torch

from core import attribution as A
from core.attribution import faithfulness, methods
from core.cache import clear_all
from core.images import load_image
from core.models import LoadedModel, calibration
from core.models.calibration import FIXED_BATCH, Calibration, batch_size, measure, pick
from core.models.hooks import count_hooks
from core.tabular.mlp import one_cpu_thread
from lab import EXAMPLE_IMAGES_DIR
from tests.conftest import TINY_CLASSES, TinyNet, tiny_spec

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks")


class FakeClock:
    """A clock that only moves when :class:`ClockedNet` runs: by a scripted cost per image."""

    def __init__(self, costs: dict[int, float]):
        self.costs = costs
        self.now = 0.0
        self.batches: list[int] = []

    def __call__(self) -> float:
        return self.now


class ClockedNet(TinyNet):
    """The tiny CNN; each forward pass of B images advances the fake clock by B × cost[B]."""

    def __init__(self, clock: FakeClock):
        super().__init__()
        self.clock = clock

    def forward(self, x):
        batch = x.shape[0]
        self.clock.batches.append(batch)
        self.clock.now += batch * self.clock.costs[batch]
        return super().forward(x)


def clocked_model(costs: dict[int, float]) -> tuple[LoadedModel, FakeClock]:
    clock = FakeClock(costs)
    network = ClockedNet(clock).eval().requires_grad_(False)
    return LoadedModel(spec=tiny_spec("clocked"), network=network, categories=TINY_CLASSES,
                       device=torch.device("cpu")), clock


@pytest.fixture
def measured(monkeypatch):
    """No fixed batch and no measurement kept from other tests."""
    monkeypatch.delenv(FIXED_BATCH, raising=False)
    monkeypatch.setattr(calibration, "_CHOICES", {})


@pytest.mark.parametrize("kind", ["forward", "backward"])
def test_measure_picks_the_lowest_cost_per_image(kind):
    # Lowest at 8: neither the first nor the last batch, nor the old fixed 16.
    costs = {1: 9.0, 2: 6.0, 4: 4.0, 8: 3.0, 16: 3.5}
    model, clock = clocked_model(costs)
    result = measure(model, kind, timer=clock)
    assert result.batch == 8
    assert dict(result.costs) == pytest.approx(costs) and result.kind == kind
    assert clock.batches[0] == 1 and clock.batches.count(16) == calibration.REPEATS


def test_every_batch_is_measured_and_a_late_dip_is_found():
    costs = {1: 4.0, 2: 2.0, 4: 3.0, 8: 1.0, 16: 1.0}
    model, clock = clocked_model(costs)
    result = measure(model, "forward", timer=clock)
    assert result.batch == 8 and dict(result.costs) == pytest.approx(costs)  # 8 and 16 tie
    # 1 and 4 are out of the running after the first round: not timed again
    assert clock.batches == [1, 1, 2, 4, 4, 8, 16, 16, 8]


def test_the_fastest_repeat_counts_and_rounds_alternate():
    calls: list[int] = []
    clock = [0.0]
    costs = {1: 1.2, 2: 1.1, 4: 1.0}

    def run(batch: int) -> None:  # the first pass of each shape is a little slower
        clock[0] += batch * (1.1 if batch not in calls else 1.0) * costs[batch]
        calls.append(batch)

    measured = calibration.per_image_costs(run, (1, 2, 4), repeats=3, timer=lambda: clock[0])
    assert measured == pytest.approx(costs) and calls == [1, 2, 4, 4, 2, 1, 1, 2, 4]


def test_a_slow_first_pass_of_a_new_shape_does_not_end_the_climb():
    calls: list[int] = [1]  # batch 1 is warm (the untimed warm-up pass)
    clock = [0.0]

    def run(batch: int) -> None:  # the first pass of a new shape is three times as slow
        clock[0] += batch * (3.0 if batch not in calls else 1.0) * {1: 3, 2: 2, 4: 1}[batch]
        calls.append(batch)

    costs = calibration.per_image_costs(run, (1, 2, 4), timer=lambda: clock[0])
    # 2 and 4 are timed twice in the first round; only 4 is close enough to the best for more
    assert costs == {1: 3.0, 2: 2.0, 4: 1.0} and calls[1:] == [1, 2, 2, 4, 4, 4]


def test_one_cpu_thread_is_timed_in_cpu_time(monkeypatch):
    monkeypatch.setattr(calibration.torch, "get_num_threads", lambda: 1)
    assert calibration.default_timer(torch.device("cpu")) is time.thread_time
    assert calibration.default_timer(torch.device("cuda")) is time.perf_counter
    monkeypatch.setattr(calibration.torch, "get_num_threads", lambda: 2)
    assert calibration.default_timer(torch.device("cpu")) is time.perf_counter


def test_the_lowest_cost_wins_and_ties_go_to_the_smaller_batch():
    assert pick({1: 1.00, 2: 0.99, 4: 0.50, 8: 0.51}) == 4
    assert pick({1: 1.00, 2: 0.50, 4: 0.50}) == 2
    assert pick({1: 0.90, 2: 1.00}) == 1


def test_measuring_holds_the_models_lock_and_leaves_it_unchanged(tiny_model):
    before = {k: v.clone() for k, v in tiny_model.network.state_dict().items()}
    done = threading.Event()
    with tiny_model.lock:
        worker = threading.Thread(target=lambda: (measure(tiny_model, "backward"), done.set()))
        worker.start()
        assert not done.wait(0.3)  # waits for the lock
    worker.join(timeout=30)
    assert done.is_set() and count_hooks(tiny_model.network) == 0
    assert not tiny_model.network.training
    for key, value in tiny_model.network.state_dict().items():
        assert torch.equal(value, before[key])


def test_computed_once_for_concurrent_callers(tiny_model, measured, monkeypatch):
    calls: list[str] = []

    def slow_measure(model, kind, network, **_):
        calls.append(kind)
        time.sleep(0.2)
        return Calibration(model=model.name, device="cpu", kind=kind,
                           shared=network is model.network, costs={8: 1.0}, batch=8, seconds=0.2)

    monkeypatch.setattr(calibration, "measure", slow_measure)
    start = threading.Barrier(8)
    seen: list[int] = []

    def ask() -> None:
        start.wait()
        seen.append(batch_size(tiny_model, "forward"))

    workers = [threading.Thread(target=ask) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert seen == [8] * 8 and calls == ["forward"]
    assert batch_size(tiny_model, "backward") == 8 and calls == ["forward", "backward"]
    # a private copy is measured apart from the model's own network, once for all copies
    for _ in range(2):
        assert batch_size(tiny_model, "forward", copy.deepcopy(tiny_model.network)) == 8
    assert calls == ["forward", "backward", "forward"]


def test_the_environment_fixes_the_batch(tiny_model, measured, monkeypatch):
    def refuse(*_, **__):
        raise AssertionError("XAI_LAB_BATCH is set: nothing may be measured")

    monkeypatch.setattr(calibration, "measure", refuse)
    monkeypatch.setenv(FIXED_BATCH, "3")
    assert batch_size(tiny_model, "forward") == batch_size(tiny_model, "backward") == 3
    for bad in ("0", "x", "-2", "1.5"):
        monkeypatch.setenv(FIXED_BATCH, bad)
        with pytest.raises(ValueError, match=FIXED_BATCH):
            batch_size(tiny_model, "forward")


def test_a_real_measurement_chooses_from_the_ladder(tiny_model, measured):
    result = calibration.calibration(tiny_model, "forward")
    assert result.batch in result.costs and set(result.costs) <= set(calibration.CPU_LADDER)
    assert all(cost > 0 for cost in result.costs.values())
    assert calibration.calibration(tiny_model, "forward") is result  # kept
    assert result.shared
    twin = copy.deepcopy(tiny_model.network)
    assert not calibration.calibration(tiny_model, "backward", twin).shared


def maps_and_batches(model, image, monkeypatch, batch: str) -> tuple[dict, list[int], set]:
    """Every method's map (the comparison view) and the deletion curves with
    ``XAI_LAB_BATCH=batch`` and cold caches; the batches IG and Occlusion were given, and the
    sizes of the curves' batches."""
    used: list[int] = []
    sizes: set[int] = set()

    class Recording(methods.IntegratedGradients):
        def attribute(self, *args, **kwargs):
            used.append(kwargs["internal_batch_size"])
            return super().attribute(*args, **kwargs)

    def recording_occlusion(*args, **kwargs):
        used.append(kwargs["batch"])
        return occlusion_map(*args, **kwargs)

    def recording_probabilities(network, batches, *, target):
        def seen():
            for images in batches:
                sizes.add(images.shape[0])
                yield images
        return probabilities(network, seen(), target=target)

    occlusion_map, probabilities = methods.occlusion_map, faithfulness.probabilities
    with monkeypatch.context() as patch:
        patch.setenv(FIXED_BATCH, batch)
        patch.setattr(methods, "IntegratedGradients", Recording)
        patch.setattr(methods, "occlusion_map", recording_occlusion)
        patch.setattr(faithfulness, "probabilities", recording_probabilities)
        clear_all()
        maps = {e.method: e.map for e in A.compare_methods(model, image, target=3, steps=20)}
        curves = A.measure_curves(model, image, maps=maps, target=3, fractions=10)
    return {**maps, **{c.name: c.deletion for c in curves}}, used, sizes


def test_batch_1_and_16_give_the_same_maps_and_curves(tiny_model, monkeypatch):
    image = load_image(EXAMPLE_IMAGES_DIR / "both.png")
    with one_cpu_thread():  # hundreds of tiny passes: OpenMP's waits would dominate them
        one, used_one, sizes_one = maps_and_batches(tiny_model, image, monkeypatch, "1")
        sixteen, used_sixteen, sizes_sixteen = maps_and_batches(tiny_model, image, monkeypatch,
                                                                "16")
    assert used_one == [1, 1] and used_sixteen == [16, 16]  # IG, then Occlusion
    assert sizes_one == {1} and max(sizes_sixteen) == 16
    for name, values in one.items():
        scale = float(np.abs(values).max()) or 1.0
        np.testing.assert_allclose(sixteen[name], values, rtol=0, atol=1e-5 * scale,
                                   err_msg=name)
