"""Deletion and insertion curves: does the map point at the pixels the model actually needs?

Petsiuk, Das & Saenko 2018, "RISE: Randomized Input Sampling for Explanation of Black-box
Models" (arXiv:1806.07421), section 4.1. Deletion: replace the pixels the map ranks highest
first (by the blurred image or another baseline) and follow the probability of the target
class; a faithful map makes it fall fast, so a SMALL area under the curve is good. Insertion
starts from the replacement image and puts the most important pixels back first; the
probability should rise fast, a LARGE area is good. A random pixel order is the reference.

Written here because captum has no deletion/insertion metric (its ``infidelity`` and
``sensitivity_max`` measure other things). The images of each curve go through the model in
batches on the BatchNorm-folded copy (:mod:`core.attribution.inference`); the images with
nothing and everything replaced are shared by all curves and computed once. Each method's
curves are measured as soon as its map exists, so a view can show them one by one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Literal

import numpy as np
import torch

from core.attribution.inference import forward_network, probabilities
from core.attribution.methods import (
    BASELINES,
    CHEAP_FIRST,
    METHODS,
    AttributionMethod,
    Baseline,
    Explanation,
    MethodOptions,
    baseline_pixels,
    cached,
    check_options,
    explain,
    normalised,
    option_key,
)
from core.checks import InputError, check_int, check_number, read_only
from core.models import LoadedModel
from core.models.calibration import batch_size
from core.predictions import check_target
from core.preprocess import check_rgb, image_digest, view_and_pixels
from core.progress import Progress, report, stop_if

CurveKind = Literal["deletion", "insertion"]
RANDOM = "random"
DEFAULT_FRACTIONS = 20
SHOWN = (0.05, 0.10, 0.25)
MAX_SHOWN = 6


@dataclass(frozen=True)
class Curves:
    """The deletion and insertion curves of one pixel order (a method's map or random).

    ``deletion``, ``insertion``: (F + 1,) float64 probability of the target at the report's
    fractions; areas by the trapezoid rule over fractions 0..1; ``shown``: (K,) probability
    and ``images``: (K, S, S, 3) uint8 of the images with the shown fractions deleted.
    """

    name: str
    deletion: np.ndarray
    insertion: np.ndarray
    deletion_area: float
    insertion_area: float
    shown: np.ndarray
    images: np.ndarray


@dataclass(frozen=True)
class FaithfulnessReport:
    """Deletion and insertion for every chosen method, random order last.

    ``fractions``: (F + 1,) from 0 to 1; ``shown_fractions``: (K,); ``explanations``: the maps
    that gave each method's order (same order as ``curves`` without the random one);
    ``view``: (S, S, 3) uint8; ``replacement`` fills deleted pixels (and starts insertion).
    """

    model: str
    target: int
    label: str
    replacement: Baseline
    fractions: np.ndarray
    shown_fractions: np.ndarray
    curves: tuple[Curves, ...]
    explanations: tuple[Explanation, ...]
    view: np.ndarray
    seconds: float


def check_curve_options(*, replacement: str, fractions: int,
                        shown: Sequence[float]) -> tuple[int, tuple[float, ...]]:
    """Validate the options shared by every curve; returns ``(fractions, shown)``."""
    if replacement not in BASELINES:
        raise InputError(f"Unknown replacement '{replacement}'. "
                         f"Choose one of: {', '.join(BASELINES)}.",
                         f"Unbekannter Ersatz '{replacement}'. Wähle einen von: "
                         f"{', '.join(BASELINES)}.")
    fractions = check_int(("The number of fractions", "Die Anzahl der Anteile"), fractions, 2, 100)
    if not isinstance(shown, (list, tuple, np.ndarray)) or len(shown) > MAX_SHOWN:
        raise InputError(f"Give a list of at most {MAX_SHOWN} fractions to show as images.",
                         f"Gib eine Liste von höchstens {MAX_SHOWN} Anteilen an, die als Bilder "
                         "gezeigt werden.")
    shown = tuple(check_number(("A fraction to show", "Ein gezeigter Anteil"), f, 0.0, 1.0,
                               (" (0.25 means 25 % of the pixels deleted)",
                                " (0.25 bedeutet: 25 % der Pixel gelöscht)")) for f in shown)
    return fractions, shown


def pixel_order(importance: np.ndarray, *, seed: int = 0) -> np.ndarray:
    """Flat pixel indices (N,) from the most to the least important; equal values (the zeros
    of a Grad-CAM map) in a seeded random order, not row by row."""
    values = np.asarray(importance, dtype=np.float64).ravel()
    tie_break = np.random.default_rng(seed + 1).random(values.size)
    return np.lexsort((tie_break, -values))


def random_order(size: int, *, seed: int = 0) -> np.ndarray:
    """A seeded random permutation of ``size`` pixel indices: the reference line."""
    return np.random.default_rng(seed).permutation(size)


def area(fractions: np.ndarray, values: np.ndarray) -> float:
    """Area under a curve by the trapezoid rule."""
    return float(np.sum((values[1:] + values[:-1]) / 2 * np.diff(fractions)))


def measure_curves(model: LoadedModel, image: np.ndarray, *, maps: Mapping[str, np.ndarray],
                   target: int, replacement: Baseline = "blurred",
                   fractions: int = DEFAULT_FRACTIONS, shown: Sequence[float] = SHOWN,
                   seed: int = 0, progress: Progress | None = None) -> tuple[Curves, ...]:
    """Deletion and insertion curves for each named (S, S) importance map, plus the random order
    (last, named ``"random"``). S is the model's input size; ``seed`` fixes the random order,
    the tie-break and the noise replacement."""
    check_rgb(image)
    target = check_target(model.categories, target=target)
    fractions, shown = check_curve_options(replacement=replacement, fractions=fractions,
                                           shown=shown)
    size = model.spec.input_size
    for name, values in maps.items():
        if np.shape(values) != (size, size):
            raise ValueError(f"The map '{name}' must have the model's input size {size}×{size}.")
    _, pixels = view_and_pixels(image, size)
    meter = CurveMeter(model, pixels, target=target, replacement=replacement,
                       fractions=fractions, shown=shown, seed=seed)
    orders = {name: pixel_order(values, seed=seed) for name, values in maps.items()}
    orders[RANDOM] = random_order(size * size, seed=seed)
    results = []
    for i, (name, order) in enumerate(orders.items()):
        report(progress, i / len(orders), "images", count=len(meter.own))
        results.append(meter.curves(name, order))
    report(progress, 1.0, "done")
    return tuple(results)


ENDS = (("image",), ("filler",))
"""The images with nothing and with everything replaced: the same for every pixel order."""


class CurveMeter:
    """Deletion and insertion curves of pixel orders for one image, class and replacement.

    Each order's images (its k most important pixels replaced, or put back into the
    replacement, at every step and shown fraction) go through the model in batches on the
    BatchNorm-folded copy; the two images every order shares (:data:`ENDS`) go through it
    once, here.
    """

    def __init__(self, model: LoadedModel, pixels: torch.Tensor, *, target: int,
                 replacement: Baseline, fractions: int, shown: tuple[float, ...], seed: int):
        self.model, self.pixels, self.target = model, pixels, target
        self.count = pixels.shape[-1] * pixels.shape[-2]
        self.grid = np.arange(fractions + 1) / fractions
        steps = np.round(self.grid * self.count).astype(int)
        shown_steps = np.round(np.asarray(shown) * self.count).astype(int)
        self.filler = baseline_pixels(pixels, kind=replacement, seed=seed)
        self.layout = ([self._key("deletion", k) for k in steps],
                       [self._key("insertion", k) for k in steps],
                       [self._key("deletion", k) for k in shown_steps])
        every = dict.fromkeys(key for part in self.layout for key in part)
        self.own = [key for key in every if key not in ENDS]  # each order's images: (kind, k)
        self.ends = dict(zip(ENDS, self._scores(iter([pixels, self.filler]))))

    def _key(self, kind: CurveKind, k: int) -> tuple:
        """The image with ``k`` pixels deleted or inserted: one of :data:`ENDS` for none or all."""
        if k in (0, self.count):
            return ENDS[0] if (kind == "deletion") == (k == 0) else ENDS[1]
        return (kind, int(k))

    def curves(self, name: str, order: np.ndarray) -> Curves:
        """The curves of one pixel ``order`` (flat indices, most important first)."""
        rank = np.empty(self.count, dtype=np.int64)
        rank[order] = np.arange(self.count)
        ranks = torch.from_numpy(rank).view(1, 1, *self.pixels.shape[-2:])
        scores = dict(zip(self.own, self._scores(self._picture(key, ranks)
                                                 for key in self.own)))
        scores.update(self.ends)
        deletion, insertion, show = (read_only(np.array([scores[key] for key in part]))
                                     for part in self.layout)
        images = np.stack([_uint8(self._picture(key, ranks)) for key in self.layout[2]]) \
            if self.layout[2] else np.zeros((0, *self.pixels.shape[-2:], 3), np.uint8)
        return Curves(name=name, deletion=deletion, insertion=insertion,
                      deletion_area=area(self.grid, deletion),
                      insertion_area=area(self.grid, insertion),
                      shown=show, images=read_only(images))

    def _picture(self, key: tuple, ranks: torch.Tensor) -> torch.Tensor:
        if key == ENDS[0]:
            return self.pixels
        if key == ENDS[1]:
            return self.filler
        kind, k = key
        chosen = ranks < k  # (1, 1, S, S): the k most important pixels
        if kind == "deletion":
            return torch.where(chosen, self.filler, self.pixels)
        return torch.where(chosen, self.pixels, self.filler)

    def _scores(self, pictures: Iterator[torch.Tensor]) -> np.ndarray:
        """The target's probability for each of ``pictures`` (1, 3, S, S), made batch by
        batch."""
        def batches(batch: int) -> Iterator[torch.Tensor]:
            while chunk := list(islice(pictures, batch)):
                yield normalised(self.model, torch.cat(chunk))

        with forward_network(self.model) as network:
            return probabilities(network, batches(batch_size(self.model, "forward", network)),
                                 target=self.target).numpy()


def deletion_insertion(model: LoadedModel, image: np.ndarray, *, target: int,
                       methods: Sequence[AttributionMethod] = METHODS,
                       replacement: Baseline = "blurred", fractions: int = DEFAULT_FRACTIONS,
                       shown: Sequence[float] = SHOWN, seed: int = 0, layer: str | None = None,
                       steps: int = 50, baseline: Baseline = "black",
                       internal_batch_size: int | None = None, window: int | None = None,
                       stride: int | None = None, progress: Progress | None = None,
                       on_result: Callable[[FaithfulnessReport], None] | None = None,
                       should_stop: Callable[[], bool] | None = None) -> FaithfulnessReport:
    """Deletion and insertion curves of each method's map of ``image`` for class ``target``.

    ``methods`` with their options (``layer``, IG ``steps`` and ``baseline``, Occlusion
    ``window`` and ``stride``) as in :func:`core.attribution.explain`, whose cache provides
    maps computed before; ``replacement`` fills deleted pixels and is insertion's start;
    ``fractions`` steps from 0 to 1; ``shown``: fractions whose deletion images are returned.
    Cached by all inputs.

    The random order's curves come first (the reference), then each method's map and its
    curves, cheapest first (:data:`~core.attribution.methods.CHEAP_FIRST`). ``on_result``
    gets the report so far after each of them (what is computed, in the final order), and
    ``should_stop()`` is asked before each (``Stopped``).
    """
    check_rgb(image)
    methods = check_methods(methods)
    target = check_target(model.categories, target=target)
    fractions, shown = check_curve_options(replacement=replacement, fractions=fractions,
                                           shown=shown)
    options = MethodOptions(layer=layer, steps=steps, baseline=baseline,
                            internal_batch_size=internal_batch_size, window=window, stride=stride)
    checked = [option_key(check_options(model, method=m, target=target, **options))
               for m in methods]
    key = ("faithfulness", model.name, image_digest(image), tuple(checked), replacement,
           fractions, shown, seed)

    def compute() -> FaithfulnessReport:
        work = _Faithfulness(model, image, target=target, methods=methods,
                             replacement=replacement, fractions=fractions, shown=shown,
                             seed=seed, options=options)
        return work.run(progress, on_result, should_stop)

    return cached(key, compute)


class _Faithfulness:
    """One deletion/insertion report, computed part by part (see :func:`deletion_insertion`)."""

    def __init__(self, model: LoadedModel, image: np.ndarray, *, target: int,
                 methods: tuple[AttributionMethod, ...], replacement: Baseline, fractions: int,
                 shown: tuple[float, ...], seed: int, options: MethodOptions):
        self.start = time.perf_counter()
        self.model, self.image, self.target, self.methods = model, image, target, methods
        self.replacement, self.fractions, self.shown = replacement, fractions, shown
        self.seed, self.options = seed, options
        self.explanations: dict[str, Explanation] = {}
        self.curves: dict[str, Curves] = {}
        view, pixels = view_and_pixels(image, model.spec.input_size)
        self.view = read_only(view)
        self.meter = CurveMeter(model, pixels, target=target, replacement=replacement,
                                fractions=fractions, shown=shown, seed=seed)

    def run(self, progress: Progress | None,
            on_result: Callable[[FaithfulnessReport], None] | None,
            should_stop: Callable[[], bool] | None) -> FaithfulnessReport:
        """The random order's curves, then each method's map and its curves, cheapest first."""
        chosen = [m for m in CHEAP_FIRST if m in self.methods]
        total = 1 + 2 * len(chosen)

        def begin(done: int, code: str, **values: object) -> None:
            stop_if(should_stop)
            report(progress, done / total, code, **values)

        def hand_over() -> None:
            if on_result is not None:
                on_result(self.so_far())

        begin(0, "images", count=len(self.meter.own))
        self.curves[RANDOM] = self.meter.curves(RANDOM, random_order(self.meter.count,
                                                                     seed=self.seed))
        hand_over()
        for i, method in enumerate(chosen):
            begin(1 + 2 * i, "map", method=method)
            self.explanations[method] = explain(self.model, self.image, method=method,
                                                target=self.target, seed=self.seed,
                                                **self.options)
            hand_over()
            begin(2 + 2 * i, "images", count=len(self.meter.own))
            order = pixel_order(self.explanations[method].map, seed=self.seed)
            self.curves[method] = self.meter.curves(method, order)
            hand_over()
        report(progress, 1.0, "done")
        return self.so_far()

    def so_far(self) -> FaithfulnessReport:
        """What is computed so far: the methods in METHODS order, the random order last."""
        model = self.model
        return FaithfulnessReport(
            model=model.name, target=self.target, label=model.categories[self.target],
            replacement=self.replacement,
            fractions=read_only(np.arange(self.fractions + 1) / self.fractions),
            shown_fractions=read_only(np.asarray(self.shown, dtype=np.float64)),
            curves=tuple(self.curves[n] for n in (*self.methods, RANDOM) if n in self.curves),
            explanations=tuple(self.explanations[m] for m in self.methods
                               if m in self.explanations),
            view=self.view, seconds=time.perf_counter() - self.start)


def check_methods(methods: Sequence[str]) -> tuple[AttributionMethod, ...]:
    """The chosen methods in METHODS order; ``InputError`` when none or an unknown one is given."""
    chosen = tuple(methods or ())
    unknown = [m for m in chosen if m not in METHODS]
    if unknown:
        raise InputError(f"Unknown method '{unknown[0]}'. Choose from: {', '.join(METHODS)}.",
                         f"Unbekannte Methode '{unknown[0]}'. Wähle aus: {', '.join(METHODS)}.")
    if not chosen:
        raise InputError("Choose at least one method.", "Wähle mindestens eine Methode.")
    return tuple(m for m in METHODS if m in chosen)


def _uint8(pixels: torch.Tensor) -> np.ndarray:
    return (pixels[0].permute(1, 2, 0).clamp(0, 1) * 255).round().byte().cpu().numpy()

