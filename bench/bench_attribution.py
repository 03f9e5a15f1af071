"""Benchmark: the notebook's way (seed 001) against the Attribution tab's core, on this machine.

Notebook's way: every method computed separately with captum's defaults, one image at a time
(IG with all 50 steps in one batch), and recomputed whenever a cell or ``compare_methods`` runs.
Ours: ``core.attribution`` — IG with ``internal_batch_size`` (bounded memory, measured per model
by ``core.models.calibration``), the model lock, and the result cache, so a map already computed
for the comparison view is not computed again.

Workload for one image and its top class: (1) the comparison view (saliency, IG 50 steps,
Grad-CAM, Guided Grad-CAM), (2) IG with 50 steps on its own (the notebook's IG cell).
Run from the repository root: ``python bench/bench_attribution.py``. Last line:
``speedup: <notebook time ÷ our time>x``; exits non-zero when it could not measure.
"""

from __future__ import annotations

import time
import warnings

from _common import ROOT, report_speedup, run  # noqa: E402  (puts the repository on sys.path)

warnings.filterwarnings("ignore", message="Setting backward hooks")

import torch  # noqa: E402
from captum.attr import (  # noqa: E402
    GuidedGradCam,
    IntegratedGradients,
    LayerAttribution,
    LayerGradCam,
    Saliency,
)

from core import attribution as A  # noqa: E402
from core.attribution.methods import normalised  # noqa: E402
from core.cache import clear_all  # noqa: E402
from core.images import load_image  # noqa: E402
from core.models import ModelManager  # noqa: E402
from core.models.calibration import batch_size  # noqa: E402
from core.predictions import classify  # noqa: E402

STEPS = 50
REPEATS = 5


def notebook_methods(model, inputs, target: int, layer) -> dict:
    """Seed 001's ``compare_methods``: each method on its own, captum defaults."""
    network = model.network
    saliency = Saliency(network).attribute(inputs, target=target)
    ig = IntegratedGradients(network).attribute(inputs, baselines=torch.zeros_like(inputs),
                                                target=target, n_steps=STEPS)
    cam = LayerGradCam(network, layer).attribute(inputs, target=target)
    cam = LayerAttribution.interpolate(cam, tuple(inputs.shape[2:]), "bilinear")
    guided = GuidedGradCam(network, layer).attribute(inputs, target=target)
    return dict(saliency=saliency, ig=ig, cam=cam, guided=guided)


def notebook_ig(model, inputs, target: int):
    return IntegratedGradients(model.network).attribute(
        inputs, baselines=torch.zeros_like(inputs), target=target, n_steps=STEPS)


def best_pair(first, second) -> tuple[float, float]:
    """The fastest of REPEATS runs of each, in seconds, alternating the two so that both see
    the same background load on a shared machine."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(REPEATS):
        for function, bucket in ((first, times[0]), (second, times[1])):
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            start = time.perf_counter()
            function()
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            bucket.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def main() -> int:
    manager = ModelManager(device="auto")
    name = "resnet18" if manager.status("resnet18") in ("ready", "cached") else "efficientnet_lite0"
    model = manager.get(name)
    print(f"model: {model.spec.title} ({name}) on {model.device}; "
          f"{'its weights are cached' if name == 'resnet18' else 'ResNet-18 weights not cached'}")
    image = load_image(ROOT / "lab" / "assets" / "images" / "both.png")
    target = classify(model, image)[0].index
    layer_name = model.spec.default_layers["gradcam"]
    layer = dict(model.network.named_modules())[layer_name]
    inputs = normalised(model, A.model_pixels(model, image)).requires_grad_(True)
    print(f"image: both.png, target #{target} {model.categories[target]}, "
          f"Grad-CAM at {layer_name}, IG {STEPS} steps, best of {REPEATS}")

    # warm up both paths (first calls allocate and pick kernels)
    notebook_methods(model, inputs, target, layer)
    A.compare_methods(model, image, target=target, steps=STEPS)

    def ours_compare():
        clear_all()
        A.compare_methods(model, image, target=target, steps=STEPS)

    def ours_ig_cold():
        clear_all()
        A.explain(model, image, method="integrated_gradients", target=target, steps=STEPS)

    def ours_session():
        clear_all()
        A.compare_methods(model, image, target=target, steps=STEPS)
        A.explain(model, image, method="integrated_gradients", target=target, steps=STEPS)

    def notebook_session():
        notebook_methods(model, inputs, target, layer)
        notebook_ig(model, inputs, target)

    rows = [
        ("comparison view, cold", lambda: notebook_methods(model, inputs, target, layer),
         ours_compare),
        (f"IG {STEPS} steps, cold (ours: internal_batch_size="
         f"{batch_size(model, 'backward')}, measured)",
         lambda: notebook_ig(model, inputs, target), ours_ig_cold),
        (f"session: comparison view + IG {STEPS} steps", notebook_session, ours_session),
    ]
    totals = None
    for title, straightforward, ours in rows:
        t_notebook, t_ours = best_pair(straightforward, ours)
        if not (t_notebook > 0 and t_ours > 0):
            print(f"could not measure {title}")
            return 1
        ratio = t_notebook / t_ours
        verdict = "" if ratio >= 1 else "  (ours is NOT faster here)"
        print(f"{title}: notebook {t_notebook:.3f} s, ours {t_ours:.3f} s, "
              f"ratio {ratio:.2f}x{verdict}")
        totals = (t_notebook, t_ours)
    print("the session ratio counts the cache: IG for the same image, target and steps is computed "
          "once for the comparison view and reused; cold ratios show the per-call cost.")
    return report_speedup(*totals)


if __name__ == "__main__":
    run(main)
