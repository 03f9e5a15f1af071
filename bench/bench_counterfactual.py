"""Benchmark: the slides' counterfactual loop against the Counterfactual tab's core, on this
machine.

Straightforward (the seed notebook's way): the whole shared model, batch 1, the image tensor
itself as the parameter, one ``optimizer.step()`` per iteration, clamped afterwards, one
proximity weight at a time, the original's prediction computed again for every run.
Ours: ``core.counterfactual`` — BatchNorm folded into a channels-last copy of the network, the
proximity weights of a sweep as one batch (a finished weight leaves the batch), the original's
class from the prediction cache. Both use Adam with the same step size, the same loss, the same
stop rule (target probability ≥ threshold) and the same step budget, so both take the same
number of steps; the cache is cleared before every run of ours.

Workloads on ``chelsea.png`` with target "any dog": (1) one run, λ = 1, at most 100 steps;
(2) the trade-off sweep λ = 0, 1, 3, 10 with at most 40 steps each.
Run from the repository root: ``python bench/bench_counterfactual.py``. Last line:
``speedup: <straightforward time ÷ our time>x`` for both workloads together; exits non-zero
when it could not measure.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from bench._common import best_pair, pick_model, report_speedup, run  # noqa: E402
from core import counterfactual as C  # noqa: E402
from core.cache import clear_all  # noqa: E402
from core.images import load_image  # noqa: E402
from core.models import ModelManager  # noqa: E402
from core.predictions import classify  # noqa: E402
from core.preprocess import view_and_pixels  # noqa: E402

REPEATS = 3
SINGLE = dict(weight=1.0, max_steps=100)
SWEEP_WEIGHTS = (0.0, 1.0, 3.0, 10.0)
SWEEP_STEPS = 40
STEP_SIZE, THRESHOLD = 1.0, 0.5


def straightforward_run(model, pixels, dogs: torch.Tensor, weight: float, max_steps: int) -> int:
    """The slides' loop for one proximity weight; returns the number of optimizer steps."""
    network, device = model.network, model.device
    mean = torch.tensor(model.spec.mean, device=device).view(1, 3, 1, 1)
    std = torch.tensor(model.spec.std, device=device).view(1, 3, 1, 1)
    original = pixels.to(device)
    with torch.no_grad():  # the notebook asks for the original's class at the start of every run
        network((original - mean) / std).argmax()
    image = original.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([image], lr=STEP_SIZE / 255)
    for step in range(max_steps + 1):
        logits = network((image - mean) / std)
        log_dog = torch.logsumexp(logits[:, dogs], 1) - torch.logsumexp(logits, 1)
        if float(log_dog.detach().exp()) >= THRESHOLD or step == max_steps:
            return step
        distance = ((image - original).pow(2).mean() + 1e-12).sqrt() * 255
        loss = -log_dog.sum() + weight * distance
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            image.clamp_(0, 1)
    return max_steps


def main() -> int:
    name = pick_model("vgg16")
    manager = ModelManager(device="auto")
    model = manager.get(name)
    image = load_image(ROOT / "lab" / "assets" / "images" / "chelsea.png")
    _, pixels = view_and_pixels(image, model.spec.input_size)
    original = classify(model, image)[0].index
    target = C.resolve_target(model.categories, kind="dog", original=original)
    dogs = target.indices(model.device)
    print(f"model: {model.spec.title} on {model.device} ({torch.get_num_threads()} CPU threads); "
          f"chelsea.png (#{original} {model.categories[original]}) → any dog; step size "
          f"{STEP_SIZE:g} grey level, threshold {THRESHOLD:g}; best of {REPEATS}")

    def ours_single() -> int:
        clear_all()
        params = C.pixel_params(step_size=STEP_SIZE, threshold=THRESHOLD, **SINGLE)
        return C.find_counterfactual(model, image, target=target, params=params).steps

    def ours_sweep() -> int:
        clear_all()
        params = C.pixel_params(step_size=STEP_SIZE, threshold=THRESHOLD, max_steps=SWEEP_STEPS)
        result = C.trade_off(model, image, target=target, weights=SWEEP_WEIGHTS, params=params)
        return sum(run.steps for run in result.runs)

    def plain_single() -> int:
        return straightforward_run(model, pixels, dogs, SINGLE["weight"], SINGLE["max_steps"])

    def plain_sweep() -> int:
        return sum(straightforward_run(model, pixels, dogs, w, SWEEP_STEPS) for w in SWEEP_WEIGHTS)

    ours_single(), plain_single()  # warm up: the folded copy, kernel selection
    totals = [0.0, 0.0]
    rows = [("one run, λ = 1", plain_single, ours_single),
            (f"sweep λ = {', '.join(f'{w:g}' for w in SWEEP_WEIGHTS)} "
             f"({SWEEP_STEPS} steps at most)",
             plain_sweep, ours_sweep)]
    for title, plain, ours in rows:
        (t_plain, n_plain), (t_ours, n_ours) = best_pair(plain, ours, REPEATS)
        if not (t_plain > 0 and t_ours > 0 and n_plain > 0 and n_ours > 0):
            print(f"could not measure {title}")
            return 1
        print(f"{title}: straightforward {n_plain} steps in {t_plain:.2f} s "
              f"({n_plain / t_plain:.1f} steps/s), ours {n_ours} steps in {t_ours:.2f} s "
              f"({n_ours / t_ours:.1f} steps/s), ratio {t_plain / t_ours:.2f}x")
        totals[0] += t_plain
        totals[1] += t_ours
    print("steps = optimizer steps summed over the weights; ours also rounds each result to 8-bit "
          "pixels and classifies it once more.")
    return report_speedup(*totals)


if __name__ == "__main__":
    run(main)
