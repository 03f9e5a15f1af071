"""Benchmark: testing explanations, the straightforward way against ours, on this machine.

Workload, for one image (both.png) and its top class, with the four captum gradient methods
(saliency, Integrated Gradients with 32 steps, Grad-CAM, Guided Grad-CAM):

1. Deletion and insertion curves at 20 fractions (21 points, 0 to 100 %) for each method's map
   and a random order, the blurred image as replacement. Straightforward: one forward pass per
   image on the model. Ours (``core.attribution.measure_curves``): every image of every curve
   in batches (measured per model, ``core.models.calibration``), the images shared by all
   curves (nothing / everything replaced) once, on a copy with BatchNorm folded into the
   convolutions. A third row shows batching alone (16 images).
2. The sanity check's cascading randomization (head, each stage, stem). Straightforward: for
   each step a fresh copy of the trained model with every stage up to that step randomized,
   and the maps computed on it. Ours (``core.attribution.cascading_randomization``): one
   BatchNorm-folded private copy, randomized one more stage per step (it also computes guided
   backpropagation alone, the extra row the tab shows; the straightforward way does not).

The deletion/insertion timings start from the same four maps (computed once, outside the
timing: both approaches need exactly the same maps); the sanity timings include every map,
the trained model's too (cold caches). Both give the same numbers (checked below).
``--full-view`` also times the tab's whole sanity view at its defaults (all five methods, IG
32 steps, Occlusion 32/16). Run from the repository root: ``python bench/bench_faithfulness.py``
(about two minutes on a 2-core CPU). Last line: ``speedup: <straightforward ÷ ours>x``; exits
non-zero when it could not measure.
"""

from __future__ import annotations

import copy
import sys
import warnings

from _common import ROOT, best_pair, pick_model, report_speedup, run, timed

warnings.filterwarnings("ignore", message="Setting backward hooks")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from core import attribution as A  # noqa: E402
from core.attribution.faithfulness import RANDOM, area, pixel_order, random_order  # noqa: E402
from core.attribution.methods import attribute, baseline_pixels, check_options, normalised  # noqa: E402
from core.attribution.sanity import randomization_stages, randomize_stage  # noqa: E402
from core.attribution.stability import rank_correlation  # noqa: E402
from core.cache import clear_all  # noqa: E402
from core.images import load_image  # noqa: E402
from core.models import ModelManager  # noqa: E402
from core.predictions import classify  # noqa: E402

IG_STEPS = 32
FRACTIONS = 20
REPEATS = 2
METHODS = A.GRADIENT_METHODS


def straightforward_maps(model, pixels, target: int) -> dict:
    return {m: attribute(model, model.network, pixels,
                         **check_options(model, method=m, target=target, steps=IG_STEPS))[0]
            for m in METHODS}


def straightforward_curves(model, image, target: int, maps: dict, *, batch: int = 1) -> dict:
    """Each method's and the random order's curves, ``batch`` images per forward pass."""
    pixels = A.model_pixels(model, image)
    filler = baseline_pixels(pixels, kind="blurred")
    count = pixels.shape[-1] * pixels.shape[-2]
    orders = {m: pixel_order(values) for m, values in maps.items()}
    orders[RANDOM] = random_order(count)
    fractions = np.arange(FRACTIONS + 1) / FRACTIONS
    curves = {}
    for name, order in orders.items():
        for kind in ("deletion", "insertion"):
            images = []
            for k in np.round(fractions * count).astype(int):
                mask = torch.zeros(count, dtype=torch.bool)
                mask[torch.from_numpy(order[:k])] = True
                mask = mask.view(1, 1, *pixels.shape[-2:])
                images.append(torch.where(mask, filler, pixels) if kind == "deletion"
                              else torch.where(mask, pixels, filler))
            scores = []
            with torch.no_grad():
                for start in range(0, len(images), batch):
                    chunk = torch.cat(images[start:start + batch])
                    logits = model.network(normalised(model, chunk))
                    scores.append(logits.softmax(dim=-1)[:, target].double().cpu())
            curves[(name, kind)] = torch.cat(scores).numpy()
    return curves


def ours_curves(model, image, target: int, maps: dict) -> dict:
    result = A.measure_curves(model, image, maps=maps, target=target, replacement="blurred",
                              fractions=FRACTIONS)
    return {(c.name, kind): getattr(c, kind) for c in result for kind in ("deletion", "insertion")}


def straightforward_sanity(model, image, target: int) -> np.ndarray:
    """For each step: copy the trained model, randomize every stage up to it, compute the maps."""
    pixels = A.model_pixels(model, image)
    trained = straightforward_maps(model, pixels, target)
    stages = randomization_stages(copy.deepcopy(model.network), input_size=model.spec.input_size,
                                  device=model.device)
    rows = [[1.0] for _ in METHODS]
    for k in range(1, len(stages) + 1):
        network, done = copy.deepcopy(model.network), set()
        for j, stage in enumerate(stages[:k], start=1):
            randomize_stage(network, stage, seed=0, step=j, done=done)
        for i, method in enumerate(METHODS):
            options = check_options(model, method=method, target=target, steps=IG_STEPS)
            randomized = attribute(model, network, pixels, **options)[0]
            rows[i].append(rank_correlation(trained[method], randomized))
    return np.array(rows)


def ours_sanity(model, image, target: int) -> np.ndarray:
    """The four methods' rows (ours also computes guided backprop alone, a fifth row)."""
    return A.cascading_randomization(model, image, target=target, methods=METHODS,
                                     steps=IG_STEPS).correlations[:len(METHODS)]


def main() -> int:
    name = pick_model("resnet18")
    model = ModelManager(device="auto").get(name)
    image = load_image(ROOT / "lab" / "assets" / "images" / "both.png")
    target = classify(model, image)[0].index
    print(f"model: {model.spec.title} ({name}) on {model.device}, "
          f"{torch.get_num_threads()} threads; both.png, target #{target} "
          f"{model.categories[target]}; methods: {', '.join(METHODS)}; "
          f"IG {IG_STEPS} steps; best of {REPEATS} alternating runs, caches cleared")
    maps = {m: A.explain(model, image, method=m, target=target, steps=IG_STEPS).map
            for m in METHODS}
    straightforward_curves(model, image, target, maps)  # warm-up: kernels, the folded copy
    ours_curves(model, image, target, maps)

    (t_plain, plain), (t_ours, ours) = best_pair(
        lambda: straightforward_curves(model, image, target, maps),
        lambda: ours_curves(model, image, target, maps),
        REPEATS, before=clear_all)
    t_batched, _ = timed(lambda: straightforward_curves(model, image, target, maps, batch=16))
    gap = max(float(np.abs(plain[key] - ours[key]).max()) for key in plain)
    fractions = np.arange(FRACTIONS + 1) / FRACTIONS
    for key in sorted(plain):
        if key[1] == "deletion":
            print(f"  {key[0]:22s} deletion area {area(fractions, ours[key]):.3f}, "
                  f"insertion area {area(fractions, ours[(key[0], 'insertion')]):.3f}")
    print(f"deletion + insertion, {len(plain)} curves x {FRACTIONS + 1} points: one image per pass "
          f"{t_plain:.2f} s; batched 16 {t_batched:.2f} s; ours (batched, shared images, BatchNorm "
          f"folded) {t_ours:.2f} s: {t_plain / t_ours:.2f}x; "
          f"largest probability difference {gap:.1e}")

    (t_scratch, scratch), (t_cascade, cascade) = best_pair(
        lambda: straightforward_sanity(model, image, target),
        lambda: ours_sanity(model, image, target),
        REPEATS, before=clear_all)
    differs = float(np.nanmax(np.abs(scratch - cascade)))
    print(f"sanity cascade, {scratch.shape[1] - 1} stages x {len(METHODS)} methods: from scratch "
          f"{t_scratch:.2f} s; ours (one folded copy, randomized progressively) {t_cascade:.2f} s: "
          f"{t_scratch / t_cascade:.2f}x; largest difference of a rank correlation {differs:.3f}")
    if gap > 1e-3 or differs > 0.05:
        print("could not measure: the two approaches disagree")
        return 1

    if "--full-view" in sys.argv:
        clear_all()
        t_view, report = timed(
            lambda: A.cascading_randomization(model, image, target=target, steps=32))
        print(f"full sanity view (5 methods + guided backprop, IG 32 steps, Occlusion 32/16, "
              f"{len(report.stages) - 1} stages), cold: {t_view:.1f} s")
    straightforward, ours_total = t_plain + t_scratch, t_ours + t_cascade
    print(f"total: straightforward {straightforward:.2f} s, ours {ours_total:.2f} s")
    return report_speedup(straightforward, ours_total)


if __name__ == "__main__":
    run(main)
