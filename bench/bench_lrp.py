"""Benchmark (part of the attribution benchmarks): LRP through Zennit as the Attribution tab runs
it, against captum's ``LRP`` on the same network, on this machine.

Captum's LRP needs a network of plain modules used once each (no skip sums, no functional
ReLU6 or padding), so neither ResNet nor EfficientNet-Lite0 qualifies; VGG-16 does (its weights
are random here: no download, and the cost does not depend on them). Both run the same kind of
rules: captum with z⁺ (``Alpha1_Beta0_Rule``) for the convolutions and ε for the dense layers;
ours is ``core.attribution.explain(method="lrp_epsilon_plus_flat")`` — Zennit's EpsilonPlusFlat
with its canonizer (flat rule for the first convolution), the model lock, the result cache.

Rows: one map, cold (cache emptied before each run); a session that asks for the same map
twice (the comparison view, then the LRP view). Run from the repository root:
``python bench/bench_lrp.py``. Last line: ``speedup: <captum time ÷ our time>x`` of the session.
"""

from __future__ import annotations

import warnings

from _common import best_pair, report_speedup, run  # noqa: E402  (puts the repository on sys.path)

warnings.filterwarnings("ignore", message="Setting backward hooks")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from captum.attr import LRP  # noqa: E402
from captum.attr._utils.lrp_rules import Alpha1_Beta0_Rule, EpsilonRule  # noqa: E402
from torch import nn  # noqa: E402
from torchvision.models import vgg16  # noqa: E402

from core import attribution as A  # noqa: E402
from core.attribution.methods import normalised  # noqa: E402
from core.cache import clear_all  # noqa: E402
from core.images import load_image  # noqa: E402
from core.models import ModelManager  # noqa: E402
from core.models.registry import ModelSpec  # noqa: E402
from lab import EXAMPLE_IMAGES_DIR  # noqa: E402

REPEATS = 3


class _RandomVgg:
    """A model source: torchvision's VGG-16 with seeded random weights."""

    def status(self, *, offline: bool):
        return "cached"

    def load(self, *, title: str, offline: bool):
        torch.manual_seed(0)
        return vgg16(), tuple(f"class {i}" for i in range(1000))


def captum_lrp(network: nn.Module, inputs: torch.Tensor, target: int) -> torch.Tensor:
    """Captum's LRP with z⁺ for the convolutions and ε for the dense layers."""
    for module in network.modules():
        if isinstance(module, nn.Conv2d):
            module.rule = Alpha1_Beta0_Rule()
        elif isinstance(module, nn.Linear):
            module.rule = EpsilonRule()
    try:
        return LRP(network).attribute(inputs, target=target)
    finally:
        for module in network.modules():
            if hasattr(module, "rule"):
                del module.rule


def main() -> int:
    spec = ModelSpec(name="vgg16_random", title="VGG-16 (random weights)", kind="classifier",
                     source=_RandomVgg(), origin="benchmark")
    manager = ModelManager(device="auto", specs={spec.name: spec}, fallback=spec.name)
    model = manager.get(spec.name)
    image = load_image(EXAMPLE_IMAGES_DIR / "both.png")
    inputs = normalised(model, A.model_pixels(model, image))
    with torch.no_grad():
        target = int(model.network(inputs).argmax())
    print(f"model: {spec.title} on {model.device}; image: both.png, target #{target}; "
          f"best of {REPEATS}")

    def captum_once():
        with model.lock:
            return captum_lrp(model.network, inputs.clone().requires_grad_(True), target)

    def ours_once():
        return A.explain(model, image, method="lrp_epsilon_plus_flat", target=target)

    def captum_session():
        captum_once()
        return captum_once()

    def ours_session():
        ours_once()
        return ours_once()

    captum_once(), ours_once()  # warm-up: first calls allocate and pick kernels
    rows = [("one LRP map, cold", captum_once, ours_once),
            ("session: the same map for the comparison and the LRP view", captum_session,
             ours_session)]
    totals = None
    for title, straightforward, ours in rows:
        (t_captum, relevance), (t_ours, result) = best_pair(straightforward, ours, REPEATS,
                                                            before=clear_all)
        ratio = t_captum / t_ours
        verdict = "" if ratio >= 1 else "  (ours is NOT faster here)"
        print(f"{title}: captum {t_captum:.3f} s, ours {t_ours:.3f} s, ratio {ratio:.2f}x"
              f"{verdict}")
        totals = (t_captum, t_ours)
    captum_map = relevance[0].sum(dim=0).detach().cpu().numpy()
    agreement = np.corrcoef(captum_map.ravel(), result.relevance.ravel())[0, 1]
    print(f"the maps differ in the first layer's rule (flat in ours); Pearson r of the signed "
          f"maps: {agreement:.2f}; ours conserves {result.conservation.share:.1%} of the logit")
    assert totals is not None
    return report_speedup(*totals)


if __name__ == "__main__":
    run(main)
