"""Deletion and insertion curves: does the map point at the pixels the model actually needs?

Petsiuk, Das & Saenko 2018, "RISE: Randomized Input Sampling for Explanation of Black-box
Models" (arXiv:1806.07421), section 4.1. Deletion: replace the pixels the map ranks highest
first (by the blurred image or another baseline) and follow the probability of the target
class; a faithful map makes it fall fast, so a SMALL area under the curve is good. Insertion
starts from the replacement image and puts the most important pixels back first; the
probability should rise fast, a LARGE area is good. A random pixel order is the reference.

Written here because captum has no deletion/insertion metric (its ``infidelity`` and
``sensitivity_max`` measure other things). All images of all curves go through the model in
batches on the BatchNorm-folded copy (:mod:`core.attribution.inference`); the images with
nothing and everything replaced are shared by all curves and computed once.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from core.attribution.inference import forward_network, probabilities
from core.attribution.methods import (
    BASELINES,
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
from core.progress import Progress, report, within

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
    orders = {name: pixel_order(values, seed=seed) for name, values in maps.items()}
    orders[RANDOM] = random_order(size * size, seed=seed)
    return _curves(model, pixels, orders, target=target, replacement=replacement,
                   fractions=fractions, shown=shown, seed=seed, progress=progress)


def _curves(model: LoadedModel, pixels: torch.Tensor, orders: Mapping[str, np.ndarray], *,
            target: int, replacement: Baseline, fractions: int, shown: tuple[float, ...],
            seed: int, progress: Progress | None) -> tuple[Curves, ...]:
    count = pixels.shape[-1] * pixels.shape[-2]
    grid = np.arange(fractions + 1) / fractions
    steps = np.round(grid * count).astype(int)
    shown_steps = np.round(np.asarray(shown) * count).astype(int)
    filler = baseline_pixels(pixels, kind=replacement, seed=seed)
    ranks = {}
    for name, order in orders.items():
        rank = np.empty(count, dtype=np.int64)
        rank[order] = np.arange(count)
        ranks[name] = torch.from_numpy(rank).view(1, 1, *pixels.shape[-2:])
    # Every image is (order, kind, k): k pixels deleted or inserted. Nothing deleted = all
    # inserted = the image, and the other way round: shared by all orders.
    jobs: dict[tuple, int] = {}

    def job(name: str, kind: CurveKind, k: int) -> tuple:
        key: tuple[str | int, ...]
        if k in (0, count):
            key = ("image",) if (kind == "deletion") == (k == 0) else ("filler",)
        else:
            key = (name, kind, int(k))
        jobs.setdefault(key, len(jobs))
        return key

    layout = {name: ([job(name, "deletion", k) for k in steps],
                     [job(name, "insertion", k) for k in steps],
                     [job(name, "deletion", k) for k in shown_steps]) for name in orders}
    keys = list(jobs)

    def picture(key: tuple) -> torch.Tensor:
        if key == ("image",):
            return pixels
        if key == ("filler",):
            return filler
        name, kind, k = key
        chosen = ranks[name] < k  # (1, 1, S, S): the k most important pixels
        if kind == "deletion":
            return torch.where(chosen, filler, pixels)
        return torch.where(chosen, pixels, filler)

    def batches(batch: int):
        for start in range(0, len(keys), batch):
            report(progress, start / len(keys), "images", count=len(keys))
            yield normalised(model, torch.cat([picture(k) for k in keys[start:start + batch]]))

    with forward_network(model) as network:
        scores = probabilities(network, batches(batch_size(model, "forward", network)),
                               target=target).numpy()
    report(progress, 1.0, "done")
    index = {key: i for i, key in enumerate(keys)}
    results = []
    for name in orders:
        deletion, insertion, show = (read_only(scores[[index[k] for k in part]])
                                     for part in layout[name])
        images = np.stack([_uint8(picture(k)) for k in layout[name][2]]) if shown else \
            np.zeros((0, *pixels.shape[-2:], 3), np.uint8)
        results.append(Curves(name=name, deletion=deletion, insertion=insertion,
                              deletion_area=area(grid, deletion),
                              insertion_area=area(grid, insertion),
                              shown=show, images=read_only(images)))
    return tuple(results)


def deletion_insertion(model: LoadedModel, image: np.ndarray, *, target: int,
                       methods: Sequence[AttributionMethod] = METHODS,
                       replacement: Baseline = "blurred", fractions: int = DEFAULT_FRACTIONS,
                       shown: Sequence[float] = SHOWN, seed: int = 0, layer: str | None = None,
                       steps: int = 50, baseline: Baseline = "black",
                       internal_batch_size: int | None = None, window: int | None = None,
                       stride: int | None = None,
                       progress: Progress | None = None) -> FaithfulnessReport:
    """Deletion and insertion curves of each method's map of ``image`` for class ``target``.

    ``methods`` with their options (``layer``, IG ``steps`` and ``baseline``, Occlusion
    ``window`` and ``stride``) as in :func:`core.attribution.explain`, whose cache provides
    maps computed before; ``replacement`` fills deleted pixels and is insertion's start;
    ``fractions`` steps from 0 to 1; ``shown``: fractions whose deletion images are returned.
    Cached by all inputs.
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
        start = time.perf_counter()
        explanations = []
        for i, method in enumerate(methods):
            report(progress, 0.6 * i / len(methods), "map", method=method)
            explanations.append(explain(model, image, method=method, target=target, seed=seed,
                                        **options))
        inner = within(progress, 0.6, 0.4)
        curves = measure_curves(model, image, maps={e.method: e.map for e in explanations},
                                target=target, replacement=replacement, fractions=fractions,
                                shown=shown, seed=seed, progress=inner)
        first = explanations[0]
        return FaithfulnessReport(
            model=model.name, target=target, label=model.categories[target],
            replacement=replacement, fractions=read_only(np.arange(fractions + 1) / fractions),
            shown_fractions=read_only(np.asarray(shown, dtype=np.float64)), curves=curves,
            explanations=tuple(explanations), view=first.view,
            seconds=time.perf_counter() - start)

    return cached(key, compute)


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

