"""Sanity checks for attribution maps: cascading randomization of the model's weights.

Adebayo, Gilmer, Muelly, Goodfellow, Hardt & Kim 2018, "Sanity Checks for Saliency Maps"
(NeurIPS, arXiv:1810.03292): if a map explains the *model*, destroying the model's weights
must change the map. Starting at the output, one stage after another is re-initialised
(head, the deepest block, …, the first block, the stem) and after each stage every method's
map is compared with the trained model's map by Spearman's rank correlation. A method whose
map barely changes while the network becomes random draws the image, not the model (the
paper's finding for guided backpropagation). When Guided Grad-CAM is chosen, its sharp factor,
guided backpropagation on its own, is shown as an extra row: Grad-CAM's factor changes with
the top layers, the guided factor hardly does.

Written here because captum has no model-randomization test. Everything happens on a PRIVATE
copy of the network (BatchNorm folded, :func:`core.attribution.inference.private_folded_copy`):
the shared model is never changed and its lock is held only while it is copied, so the
minute this can take blocks nobody. The copy is randomized progressively, one more stage per
step, instead of being re-copied and re-randomized from the trained weights for every stage;
each stage draws from its own seeded generator, so both ways give the same weights.

Re-initialisation: weights with two or more dimensions (convolutions, linear layers) are
drawn from He's normal distribution N(0, 2 / fan_in); biases and norm shifts become 0, norm
scales 1 and running statistics 0 and 1 (an untrained BatchNorm). On the folded copy a
re-drawn convolution with bias 0 is exactly that: a random convolution with an untrained norm.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.attribution.faithfulness import check_methods
from core.attribution.guided import guided_backprop_map
from core.attribution.inference import private_folded_copy
from core.attribution.methods import (
    CHEAP_FIRST,
    METHODS,
    AttributionMethod,
    Baseline,
    Explanation,
    attribute,
    cached,
    check_options,
    explain,
    model_pixels,
    normalised,
    option_key,
)
from core.attribution.stability import rank_correlation
from core.checks import read_only
from core.models import LoadedModel
from core.models.hooks import count_hooks
from core.models.layers import TOP_LEVEL_GROUP, list_layers, stage_layers
from core.predictions import check_target
from core.preprocess import check_rgb, image_digest
from core.progress import Progress, report, stop_if

TRAINED = "trained"
GUIDED_BACKPROP = "guided_backprop"


@dataclass(frozen=True)
class Stage:
    """One step of the cascade: re-initialise every parameter under ``prefixes``.

    A prefix is a module name ("blocks.6") or "" for "every parameter not randomized before".
    """

    name: str
    prefixes: tuple[str, ...]


@dataclass(frozen=True)
class SanityReport:
    """Every method's map after each step of the cascade and its rank correlation with the
    trained model's map.

    ``rows``: the M methods, then ``"guided_backprop"`` when Guided Grad-CAM is among them.
    ``stages``: K + 1 names, "trained" first, then the stage randomized at each step (at step
    k all stages up to k are random). ``maps``: (M, K + 1, S, S) float32, ``maps[:, 0]`` of the
    trained model (the methods' from the shared model); ``correlations``: (M, K + 1) Spearman
    ρ with ``maps[:, 0]`` (NaN when a map is constant, e.g. Grad-CAM all zero).
    ``view``: (S, S, 3) uint8.
    """

    model: str
    target: int
    label: str
    rows: tuple[str, ...]
    stages: tuple[str, ...]
    maps: np.ndarray
    correlations: np.ndarray
    view: np.ndarray
    seconds: float


def randomization_stages(network: nn.Module, *, input_size: int,
                         device: torch.device | str = "cpu") -> tuple[Stage, ...]:
    """The cascade for ``network``, from the output down: head, each stage of
    :func:`core.models.layers.stage_layers` from the deepest, then the stem (everything left).

    The head is every top-level module after the last stage ("conv_head", "bn2",
    "classifier" in EfficientNet; "fc" in a ResNet). Registers hooks on ``network`` for one
    probe pass (removed at once), so call it on a private copy or under the model's lock.
    """
    layers = list_layers(network, input_size=input_size, device=device)
    by_name = {info.name: info for info in layers}
    stages = stage_layers(layers, limit=len(layers))
    blocks = [name if by_name[name].block == TOP_LEVEL_GROUP else by_name[name].block
              for name in stages]
    children = [name for name, _ in network.named_children()]
    tops = [children.index(block.split(".")[0]) for block in blocks]
    head = tuple(name for name in children[max(tops) + 1:] if _has_parameters(network, name)) \
        if tops else ()
    cascade = [Stage("head", head)] if head else []
    cascade += [Stage(block, (block,)) for block in reversed(blocks)]
    cascade.append(Stage("stem", ("",)))
    return tuple(cascade)


def randomize_stage(network: nn.Module, stage: Stage, *, seed: int, step: int,
                    done: set[str]) -> None:
    """Re-initialise ``stage``'s parameters of ``network`` in place (a private copy!).

    ``done`` holds the names of parameters randomized before (updated here); the stem stage
    ("" prefix) takes every parameter not in it. Each step draws from its own generator
    seeded by ``(seed, step)``.
    """
    generator = torch.Generator().manual_seed(seed * 1_000 + step)
    for module_name, module in network.named_modules():
        for name, parameter in module.named_parameters(recurse=False):
            full = f"{module_name}.{name}" if module_name else name
            if full in done or not _in_stage(full, stage):
                continue
            done.add(full)
            with torch.no_grad():
                if parameter.dim() >= 2:
                    fan_in = parameter[0].numel()
                    draw = torch.randn(parameter.shape, generator=generator) * math.sqrt(2 / fan_in)
                    parameter.copy_(draw.to(parameter))
                else:
                    parameter.fill_(1.0 if name == "weight" else 0.0)
        if any(_in_stage(f"{module_name}.{b}" if module_name else b, stage)
               for b, _ in module.named_buffers(recurse=False)):
            for name, buffer in module.named_buffers(recurse=False):
                if name in ("running_mean", "running_var"):
                    buffer.fill_(1.0 if name == "running_var" else 0.0)


@dataclass(frozen=True)
class PartialCascade:
    """The cascade so far: ``report`` holds the trained model's maps and the stages randomized
    up to now (its ``stages``, ``maps`` and ``correlations`` end there); ``stages`` names every
    stage of the whole cascade, ``"trained"`` first, as the complete report will."""

    report: SanityReport
    stages: tuple[str, ...]


def cascading_randomization(model: LoadedModel, image: np.ndarray, *, target: int,
                            methods: Sequence[AttributionMethod] = METHODS,
                            layer: str | None = None, steps: int = 50,
                            baseline: Baseline = "black",
                            internal_batch_size: int | None = None, window: int | None = None,
                            stride: int | None = None, seed: int = 0,
                            progress: Progress | None = None,
                            on_result: Callable[[PartialCascade], None] | None = None,
                            should_stop: Callable[[], bool] | None = None) -> SanityReport:
    """Randomize ``model``'s weights stage by stage (on a private copy) and compare each
    method's map with the trained model's, for ``image`` and class ``target``.

    Method options as in :func:`core.attribution.explain`; the trained maps come from its
    cache (cheapest first, :data:`~core.attribution.methods.CHEAP_FIRST`). ``seed`` fixes the
    random weights. ``on_result`` gets the cascade so far once the trained maps exist and after
    each stage; ``should_stop()`` is asked before each map (``Stopped``). Cached by all inputs.
    """
    check_rgb(image)
    methods = check_methods(methods)
    target = check_target(model.categories, target=target)
    options: dict[str, dict] = {m: check_options(model, method=m, target=target, layer=layer,
                                                 steps=steps, baseline=baseline,
                                                 internal_batch_size=internal_batch_size,
                                                 window=window, stride=stride)
                               for m in methods}
    key = ("sanity", model.name, image_digest(image),
           tuple(option_key(o) for o in options.values()), seed)
    return cached(key, lambda: _Cascade(model, image, methods, options, seed).run(
        progress, on_result, should_stop))


class _Cascade:
    """One sanity report, stage by stage (see :func:`cascading_randomization`)."""

    def __init__(self, model: LoadedModel, image: np.ndarray,
                 methods: tuple[AttributionMethod, ...], options: dict[str, dict], seed: int):
        self.start = time.perf_counter()
        self.model, self.image, self.methods = model, image, methods
        self.options, self.seed = options, seed
        self.rows = methods + ((GUIDED_BACKPROP,) if "guided_gradcam" in methods else ())

    def run(self, progress: Progress | None,
            on_result: Callable[[PartialCascade], None] | None,
            should_stop: Callable[[], bool] | None) -> SanityReport:
        """The trained maps, then every stage of the cascade on a private copy."""
        stages = self._start(self._trained_maps(progress, should_stop))
        total = len(stages) * len(self.rows)
        try:
            # Guided backprop of the trained model: the copy, still trained.
            if len(self.rows) > len(self.methods):
                stop_if(should_stop)
                self.maps[-1, 0] = self._row_map(GUIDED_BACKPROP)
            self._correlate(0, on_result)
            done: set[str] = set()
            for k, stage in enumerate(stages, start=1):
                randomize_stage(self.twin, stage, seed=self.seed, step=k, done=done)
                for i, row in enumerate(self.rows):
                    stop_if(should_stop)
                    report(progress, ((k - 1) * len(self.rows) + i) / total, "randomized",
                           stage=stage.name, k=k, stages=len(stages), method=row)
                    self.maps[i, k] = self._row_map(row)
                self._correlate(k, on_result)
        finally:
            if count_hooks(self.twin):  # captum removes its hooks in finally; this must hold
                raise RuntimeError("A hook was left on the randomized copy.")
        report(progress, 1.0, "done")
        return self._report(len(stages))

    def _trained_maps(self, progress: Progress | None,
                      should_stop: Callable[[], bool] | None) -> dict[str, Explanation]:
        """Each method's map of the trained model (from explain's cache), cheapest first."""
        trained: dict[str, Explanation] = {}
        for method in (m for m in CHEAP_FIRST if m in self.methods):
            stop_if(should_stop)
            report(progress, 0.0, "trained_map", method=method)
            trained[method] = explain(self.model, self.image, seed=self.seed,
                                      **self.options[method])
        return trained

    def _start(self, trained: dict[str, Explanation]) -> tuple[Stage, ...]:
        """The private copy and its stages, and the arrays the cascade fills (the trained maps
        in their first column)."""
        self.first = trained[self.methods[0]]
        layer = next((o["layer"] for o in self.options.values() if o["layer"]), None)
        layer_module = self.model.network.get_submodule(layer) if layer else None
        keep = layer if isinstance(layer_module, nn.Conv2d) else None
        self.twin = private_folded_copy(self.model, keep=keep)
        self.pixels = model_pixels(self.model, self.image)
        stages = randomization_stages(self.twin, input_size=self.model.spec.input_size,
                                      device=self.model.device)
        self.names = (TRAINED, *(stage.name for stage in stages))
        self.maps = np.zeros((len(self.rows), len(self.names), *self.first.map.shape),
                             dtype=np.float32)
        self.maps[:len(self.methods), 0] = [trained[m].map for m in self.methods]
        self.correlations = np.full((len(self.rows), len(self.names)), np.nan)
        return stages

    def _row_map(self, row: str) -> np.ndarray:
        if row == GUIDED_BACKPROP:
            values = guided_backprop_map(self.twin, normalised(self.model, self.pixels),
                                         target=self.first.target)
            return values.detach().float().cpu().numpy()
        return attribute(self.model, self.twin, self.pixels, seed=self.seed,
                         **self.options[row])[0]

    def _correlate(self, k: int, on_result: Callable[[PartialCascade], None] | None) -> None:
        """Each row's rank correlation after ``k`` stages; hands the cascade so far on."""
        self.correlations[:, k] = [rank_correlation(self.maps[i, 0], self.maps[i, k])
                                   for i in range(len(self.rows))]
        if on_result is not None:
            on_result(PartialCascade(self._report(k), self.names))

    def _report(self, k: int) -> SanityReport:
        """The report of the trained maps and the first ``k`` stages."""
        first = self.first
        return SanityReport(
            model=self.model.name, target=first.target, label=first.label, rows=self.rows,
            stages=self.names[:k + 1], maps=read_only(self.maps[:, :k + 1]),
            correlations=read_only(self.correlations[:, :k + 1]), view=first.view,
            seconds=time.perf_counter() - self.start)


def _in_stage(name: str, stage: Stage) -> bool:
    return any(prefix == "" or name == prefix or name.startswith(prefix + ".")
               for prefix in stage.prefixes)


def _has_parameters(network: nn.Module, name: str) -> bool:
    return any(True for _ in network.get_submodule(name).parameters())

