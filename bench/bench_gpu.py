"""Benchmark: the GPU time of each heavy view, and the ZeroGPU durations it suggests.

On a ZeroGPU Space every heavy view runs under ``spaces.GPU(duration=View.gpu_seconds)``
(:mod:`lab.zerogpu`). A visitor's daily quota is small (2 GPU-minutes without an account, per
https://huggingface.co/docs/hub/spaces-zerogpu), a call starts only while the quota left covers
its declared duration, and shorter durations get a better place in the queue: a duration should
be the view's real GPU time with a margin, not a guess. This script measures that time.

For each model it times what the view's handler computes, through the same ``core`` functions
and with the page's default settings: activations of one layer; the attribution comparison (all
five methods, IG 32 steps, occlusion 32 px windows at stride 16); Grad-CAM at one layer per
stage; deletion/insertion; the sanity check (cascading randomization); a 64-filter ascent grid
at the notebook's settings (30 steps, 224 px); a counterfactual (pixel method, default steps,
with its checks) and the region swap (with its checks); for CLIP the similarity and the
explanation maps. Models: ResNet-50, ResNet-18 and VGG-16 (torchvision), the bundled
EfficientNet-Lite0 and CLIP ViT-B/32, with their real weights where they are cached here and
otherwise random weights of the same architecture (``weights=None``; CLIP from
``CLIPConfig()``'s defaults, which are ViT-B/32): the cost of a pass does not depend on the
weights, and a counterfactual that never reaches its target runs all its steps. Nothing is
downloaded.

Every run starts with empty result caches (``core.cache.clear_all``) and is timed with CUDA
synchronised before and after. The models are loaded before any view is timed (the lab loads
them at start on ZeroGPU), and each classifier's batch sizes (:mod:`core.models.calibration`)
are measured apart, on their own line: the lab's warm-up measures them for the bundled model,
but not on ZeroGPU, where the first GPU call that needs them pays for it. "first" is a view's
first run on a model (kernel selection, layer lists, folded copies included), "best" the
fastest of the next two. The suggested duration is 2 × the slower of the two, rounded up to
5 s, at least 5 s.

Run from the repository root: ``python bench/bench_gpu.py`` (on a GPU machine: everything,
a few minutes) or ``python bench/bench_gpu.py --quick`` (EfficientNet-Lite0 and CLIP, fewer
steps, two methods in the sanity check: proves the script on a CPU in a few minutes). Exits
non-zero when a view could not be measured.
"""

from __future__ import annotations

import argparse
import importlib
import math
import pkgutil
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", message="Setting backward hooks")

import torch  # noqa: E402
from torch import nn  # noqa: E402

from bench._common import run, timed  # noqa: E402
from core.activations import compute_activations  # noqa: E402
from core.ascent import AscentParams, visualize_filters  # noqa: E402
from core.attribution import (  # noqa: E402
    METHODS,
    AttributionMethod,
    cascading_randomization,
    compare_methods,
    deletion_insertion,
    gradcam_depth,
)
from core.cache import clear_all  # noqa: E402
from core.clip import (  # noqa: E402
    SLIDES_DESCRIPTIONS,
    image_relevance,
    similarity,
    token_relevance,
)
from core.counterfactual import (  # noqa: E402
    PixelParams,
    find_counterfactual,
    pixel_params,
    resolve_target,
)
from core.counterfactual.checks import check_counterfactual, check_swap  # noqa: E402
from core.counterfactual.swap import SwapParams, swap_params, swap_regions  # noqa: E402
from core.images import load_image  # noqa: E402
from core.models import ModelManager  # noqa: E402
from core.models.calibration import batch_size  # noqa: E402
from core.models.layers import stage_layers  # noqa: E402
from core.models.registry import OFFLINE_MODEL, REGISTRY, ModelSpec  # noqa: E402
from core.models.sources import (  # noqa: E402
    ClipNetwork,
    TorchvisionSource,
    imagenet_categories,
)
from core.predictions import classify  # noqa: E402
from lab import EXAMPLE_IMAGES_DIR  # noqa: E402

CLIP = "clip-vit-base-patch32"
ALL_MODELS = ("resnet50", "resnet18", "vgg16", OFFLINE_MODEL, CLIP)
QUICK_MODELS = (OFFLINE_MODEL, CLIP)
BATCH_VIEWS = ("ascent", "attribution_sanity")
"""Batch jobs: a student starts them and waits; every other view is interactive."""
MARGIN = 2.0
ROUND_TO = 5
MUCH_TOO_HIGH = 3.0
"""A declared duration more than this many times the suggested one is much too high."""
GOAL_SECONDS = 1.0
QUOTA_SECONDS = 120
"""An anonymous visitor's daily ZeroGPU quota (2 minutes)."""


@dataclass(frozen=True)
class Knobs:
    """The settings the views are timed with: the page's defaults, or fewer steps (--quick)."""

    ig_steps: int = 32
    window: int = 32
    stride: int = 16
    filters: int = 64
    sanity: tuple[AttributionMethod, ...] = METHODS
    ascent: AscentParams = AscentParams()
    pixel: PixelParams = PixelParams()
    swap: SwapParams = SwapParams()


QUICK = Knobs(ig_steps=4, window=56, stride=56, filters=4, sanity=("saliency", "gradcam"),
              ascent=AscentParams(steps=5),
              pixel=pixel_params(max_steps=10), swap=swap_params(max_cells=4, candidates=32))


@dataclass(frozen=True)
class RandomWeights:
    """A model source that builds an architecture with random weights (seed 0), for a model
    whose real weights are not here; ImageNet's class names unless told otherwise."""

    build: Callable[[], nn.Module]
    categories: Callable[[], tuple[str, ...]] = imagenet_categories

    def status(self, *, offline: bool) -> str:
        return "cached"

    def load(self, *, title: str, offline: bool) -> tuple[nn.Module, tuple[str, ...]]:
        torch.manual_seed(0)
        return self.build(), self.categories()


def random_clip() -> nn.Module:
    """CLIP ViT-B/32's shape (``CLIPConfig()``'s defaults) with random weights, and a tokenizer
    of CLIP's vocabulary size that knows the slides' words whole (as tests/clip_tiny.py)."""
    from transformers import CLIPConfig, CLIPModel

    from tests.clip_tiny import WORDS, tiny_tokenizer

    words = {word.strip(".,").lower() for text in SLIDES_DESCRIPTIONS for word in text.split()}
    model = CLIPModel(CLIPConfig(text_config={"eos_token_id": 2}))  # legacy, like OpenAI's
    model.set_attn_implementation("eager")
    return ClipNetwork(model, tiny_tokenizer((*WORDS, *sorted(words - set(WORDS))),
                                             vocab_size=49408))


def random_lite0() -> nn.Module:
    import timm

    return timm.create_model("tf_efficientnet_lite0", pretrained=False)


def bench_spec(name: str) -> ModelSpec:
    """The registry's spec of ``name`` when its weights are here, else the same architecture
    with random weights."""
    spec = REGISTRY[name]
    if spec.source.status(offline=True) == "cached":
        return spec
    if isinstance(spec.source, TorchvisionSource):
        from torchvision.models import get_model

        source = RandomWeights(partial(get_model, spec.source.architecture, weights=None))
    elif spec.kind == "clip":
        source = RandomWeights(random_clip, categories=tuple)
    elif name == OFFLINE_MODEL:
        source = RandomWeights(random_lite0)
    else:
        raise ValueError(f"no random stand-in for {name}")
    return replace(spec, source=source, title=f"{spec.title} (random weights)")


@dataclass(frozen=True)
class Job:
    """One view's computation on one model."""

    view: str
    compute: Callable[[], object]


@dataclass(frozen=True)
class Row:
    """A view's times on one model, in seconds."""

    view: str
    model: str
    first: float
    best: float

    @property
    def batch(self) -> bool:
        return self.view in BATCH_VIEWS

    @property
    def suggested(self) -> int:
        return suggest(max(self.first, self.best))


def suggest(seconds: float) -> int:
    """A ZeroGPU duration for a computation of ``seconds``: the margin, rounded up, ≥ 5 s."""
    return max(ROUND_TO, ROUND_TO * math.ceil(MARGIN * seconds / ROUND_TO))


def classifier_jobs(models: ModelManager, name: str, images: dict, knobs: Knobs) -> list[Job]:
    """What each image view's handler computes for model ``name``, with ``knobs``."""
    model = models.get(name)
    roles = model.spec.default_layers
    image, cat, dogs = images["both.png"], images["chelsea.png"], images["puppies.jpg"]
    target = classify(model, image)[0].index
    methods = dict(steps=knobs.ig_steps, window=knobs.window, stride=knobs.stride)
    stages = list(stage_layers(models.layers(name)))
    channels = models.layer(name, roles["ascent"]).shape[0]
    filters = tuple(range(min(knobs.filters, channels)))

    def start():
        """The counterfactual views' start: the cat's class and "any dog" as the target."""
        original = classify(model, cat)[0].index
        return resolve_target(model.categories, kind="dog", original=original)

    def counterfactual():
        result = find_counterfactual(model, cat, target=start(), params=knobs.pixel)
        return check_counterfactual(models, model, result)

    def swap():
        result = swap_regions(model, cat, dogs, target=start(), params=knobs.swap)
        return check_swap(models, model, result)

    return [
        Job("activations", lambda: compute_activations(model, images["coffee.png"],
                                                       layer=roles["activations"])),
        Job("attribution_compare", lambda: compare_methods(model, image, target=target,
                                                           **methods)),
        Job("attribution_depth", lambda: gradcam_depth(model, image, target=target,
                                                       layers=stages)),
        Job("attribution_deletion", lambda: deletion_insertion(model, image, target=target,
                                                               **methods)),
        Job("attribution_sanity", lambda: cascading_randomization(
            model, image, target=target, methods=knobs.sanity, **methods)),
        Job("ascent", lambda: visualize_filters(model, layer=roles["ascent"], filters=filters,
                                                mode="notebook", params=knobs.ascent)),
        Job("counterfactual", counterfactual),
        Job("counterfactual_swap", swap),
    ]


def clip_jobs(models: ModelManager, name: str, images: dict) -> list[Job]:
    """What the CLIP tab's similarity and explanation views compute."""
    model = models.get(name)
    image = images["both.png"]
    descriptions = "\n".join(SLIDES_DESCRIPTIONS)

    def explain():
        scored = similarity(model, image, descriptions)
        token_relevance(model, image, scored.descriptions)
        return image_relevance(model, image, scored.descriptions[scored.top])

    return [Job("clip_similarity", lambda: similarity(model, image, descriptions)),
            Job("clip_explain", explain)]


def measure(job: Job, repeats: int) -> tuple[float, float]:
    """The first run's seconds and the best of ``repeats`` more, caches emptied before each."""
    times = []
    for _ in range(1 + repeats):
        clear_all()
        seconds, _ = timed(job.compute)
        times.append(seconds)
    return times[0], min(times[1:], default=times[0])


def declared_durations() -> dict[str, int]:
    """``{view name: gpu_seconds}`` of every ``View`` in the tabs' modules that declares one."""
    import tabs
    from tabs.common.view import View

    found: dict[str, int] = {}
    for module in pkgutil.walk_packages(tabs.__path__, "tabs."):
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, View) and value.gpu_seconds:
                found[value.name] = value.gpu_seconds
    return found


@dataclass
class Report:
    """The rows measured so far, printed as a table, a comparison and the goal lines."""

    device: str
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        kind = "batch" if row.batch else ""
        print(f"{row.view:<22} {row.model:<22} {row.first:>8.2f} {row.best:>8.2f} "
              f"{row.suggested:>6d} s  {kind}", flush=True)

    def worst(self) -> dict[str, Row]:
        """The slowest model's row per view."""
        worst: dict[str, Row] = {}
        for row in self.rows:
            if row.view not in worst or row.suggested > worst[row.view].suggested:
                worst[row.view] = row
        return worst

    def compare(self, declared: dict[str, int]) -> None:
        """Each measured view's suggestion (its slowest model) against its declaration."""
        print(f"\ndeclared gpu_seconds against the suggestion (slowest model, {self.device}):")
        for view, row in self.worst().items():
            have = declared.get(view)
            if have is None:
                verdict = "NOT DECLARED (runs without spaces.GPU)"
            elif have < row.suggested:
                verdict = "TOO LOW"
            elif have > MUCH_TOO_HIGH * row.suggested:
                verdict = "much too high"
            else:
                verdict = "ok"
            print(f"  {view:<26} declared {have or '-':>4} s  suggested {row.suggested:>4} s  "
                  f"({row.model})  {verdict}")
        missing = sorted(set(declared) - set(self.worst()))
        if missing:
            print("  declared but not measured here: "
                  + ", ".join(f"{view} ({declared[view]} s)" for view in missing))

    def goals(self, declared: dict[str, int]) -> None:
        """The interactive-view goal and what a visitor's daily quota covers."""
        interactive = [row for row in self.rows if not row.batch]
        if not interactive:
            return
        slowest = max(interactive, key=lambda row: row.best)
        met = "yes" if slowest.best <= GOAL_SECONDS else "no"
        where = "" if self.device == "cuda" else f" (measured on {self.device}, not a GPU)"
        print(f"\nevery interactive view ≤ {GOAL_SECONDS:g} GPU-second: {met}{where}; slowest: "
              f"{slowest.view} on {slowest.model}, {slowest.best:.2f} s (best of the runs)")
        mean = sum(row.best for row in interactive) / len(interactive)
        views = {row.view for row in interactive}
        line = (f"an anonymous visitor's {QUOTA_SECONDS // 60} GPU-minutes a day cover "
                f"≈ {int(QUOTA_SECONDS // mean)} interactive views at the measured times "
                f"(mean {mean:.2f} s)")
        durations = {"declared": [declared[v] for v in views if v in declared],
                     "suggested": [self.worst()[v].suggested for v in views]}
        parts = []
        for name, values in durations.items():
            if values:
                average = sum(values) / len(values)
                parts.append(f"with the {name} durations (mean {average:.0f} s) "
                             f"≈ {admitted(average, mean)}")
        print(line + "; a call starts only while the quota left covers its duration, so "
              + " and ".join(parts))


def admitted(duration: float, seconds: float) -> int:
    """How many calls of ``seconds`` each start within the daily quota when each one needs
    ``duration`` of quota left to start."""
    if duration > QUOTA_SECONDS:
        return 0
    return int((QUOTA_SECONDS - duration) // seconds) + 1


def calibrate(model) -> None:
    """Measure the model's batch sizes as the lab's warm-up does for the bundled model
    (``lab.first_view.calibrate``): forward passes on the folded copy, backward on the model."""
    from core.attribution.inference import inference_network

    batch_size(model, "forward", inference_network(model))
    batch_size(model, "backward")


def pick_device(asked: str) -> str:
    """``cuda`` when asked for and present; otherwise says so and returns ``cpu``."""
    if asked == "cuda" and not torch.cuda.is_available():
        print("NO CUDA GPU on this machine: measuring on the CPU only to show that the script "
              "runs. These are CPU times, not GPU times; the suggestions below do not apply to "
              "ZeroGPU. Run it on a GPU machine for the real durations.")
        return "cpu"
    return asked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda",
                        help="where to measure (default: cuda; the CPU when there is none)")
    parser.add_argument("--quick", action="store_true",
                        help="EfficientNet-Lite0 and CLIP only, fewer steps (a CPU check)")
    parser.add_argument("--models", nargs="+", choices=ALL_MODELS,
                        help="the models to measure (default: all, or the quick ones)")
    parser.add_argument("--repeats", type=int, default=2, help="runs after the first (2)")
    args = parser.parse_args()
    device = pick_device(args.device)
    knobs = QUICK if args.quick else Knobs()
    names = tuple(args.models or (QUICK_MODELS if args.quick else ALL_MODELS))
    specs = {name: bench_spec(name) for name in names}
    fallback = OFFLINE_MODEL if OFFLINE_MODEL in specs else names[0]
    models = ModelManager(device=device, offline=True, specs=specs, fallback=fallback)
    images = {path.name: load_image(path) for path in EXAMPLE_IMAGES_DIR.iterdir()
              if path.suffix in (".png", ".jpg")}
    loaded, _ = timed(models.preload)
    gpu = torch.cuda.get_device_name() if device == "cuda" else f"{torch.get_num_threads()} threads"
    print(f"device: {device} ({gpu}); models loaded in {loaded:.1f} s: "
          + ", ".join(models.spec(name).title for name in names))
    print(f"settings: {'--quick ' if args.quick else ''}IG {knobs.ig_steps} steps, occlusion "
          f"{knobs.window}/{knobs.stride} px, sanity check {len(knobs.sanity)} methods, "
          f"ascent {knobs.filters} filters × "
          f"{knobs.ascent.steps} steps at {knobs.ascent.size} px, counterfactual "
          f"{knobs.pixel.max_steps} steps at most, swap {knobs.swap.max_cells} cells at most; "
          f"suggested = {MARGIN:g} × the slower of first and best, rounded up to "
          f"{ROUND_TO} s, at least {ROUND_TO} s")
    declared = declared_durations()
    report = Report(device)
    failed = 0
    print(f"\n{'view':<22} {'model':<22} {'first':>8} {'best':>8} {'suggest':>8}")
    for name in names:
        if models.spec(name).kind == "clip":
            jobs = clip_jobs(models, name, images)
        else:
            try:
                calibrated, _ = timed(partial(calibrate, models.get(name)))
                print(f"{'(batch sizes, once)':<22} {name:<22} {calibrated:>8.2f}", flush=True)
            except Exception as error:  # noqa: BLE001 - the views measure them then
                print(f"(batch sizes not measured apart, {type(error).__name__}: {error}; "
                      "the first runs include it)")
            jobs = classifier_jobs(models, name, images, knobs)
        for job in jobs:
            try:
                first, best = measure(job, args.repeats)
            except Exception as error:  # noqa: BLE001 - report it, measure the others
                print(f"could not measure {job.view} on {name}: {type(error).__name__}: {error}")
                failed += 1
                continue
            report.add(Row(job.view, name, first, best))
    report.compare(declared)
    report.goals(declared)
    return 1 if failed else 0


if __name__ == "__main__":
    run(main)
