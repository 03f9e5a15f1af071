"""Method 2: a semantic counterfactual by swapping cells of the last convolutional feature grid.

Goyal, Wu, Ernst, Batra, Parikh & Lee 2019, "Counterfactual Visual Explanations" (ICML,
arXiv:1904.07451): given the query image I (the cat) and a distractor I' of the target class
(a real dog photo), find the fewest cells of I's feature grid f(I) that, replaced by cells of
f(I'), make the head of the network decide for the target. The answer says *which region of
the cat would have to look like which region of the dog*: a semantic edit, unlike the pixel
noise of method 1.

The search is their greedy sequential search: at every step try (cat cell, dog cell) pairs,
keep the one that raises log p(target) most, repeat until the target's probability reaches
``threshold`` (as in method 1; Goyal et al. stop as soon as the decision flips, which leaves a
result right at the boundary) or ``max_cells`` cells are swapped. Each cell and each dog cell
is used at most once.
To stay fast on a CPU, every step first ranks *all* pairs with a first-order estimate (one
backward pass: Δ ≈ ∇f · (f(I')_j − f(I)_i)) and evaluates the best ``candidates`` pairs exactly
through the head, in one batch; with ``candidates`` ≥ the number of free pairs it is their
exhaustive search. Written here because no library implements it.

The head is evaluated from the swapped features by running the network with a forward hook
on the layer that *replaces* its output (``core.models.hooks.forward_hooks``, under the
model's lock, removed in ``finally``). The part before the layer sees the cat once (batch 1);
everything after it sees the batch of candidate feature maps.

Whether the swap is more than a quirk of one picture is checked by :func:`replay`: the same
cell pairs applied to the images after JPEG compression, after a shift, or in another model's
grid (``core.counterfactual.checks``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from core.cache import ResultCache
from core.checks import InputError, check_int, check_number, read_only
from core.counterfactual.results import stop_check
from core.counterfactual.targets import Target, reaches, target_log_probability
from core.models import LoadedModel
from core.models.hooks import capture_outputs, forward_hooks
from core.predictions import Prediction, top_predictions
from core.preprocess import check_rgb, image_digest, normalise, view_and_pixels

MAX_CELLS = 64
MAX_CANDIDATES = 4096
CHUNK = 256
"""Candidate feature maps evaluated per forward pass (bounded memory)."""

_CACHE = ResultCache("counterfactual.swap", maxsize=32)


@dataclass(frozen=True)
class SwapParams:
    """``max_cells``: give up after this many swaps; ``candidates``: pairs evaluated exactly per
    step (the rest ranked by the first-order estimate only); ``threshold``: stop once the
    target's probability reaches it."""

    max_cells: int = 16
    candidates: int = 256
    threshold: float = 0.5


def swap_params(*, max_cells: int = 16, candidates: int = 256,
                threshold: float = 0.5) -> SwapParams:
    """Checked :class:`SwapParams` (:class:`InputError` with a sentence otherwise)."""
    return SwapParams(
        max_cells=check_int(("The largest number of cells", "Die Höchstzahl der Zellen"),
                            max_cells, 1, MAX_CELLS),
        candidates=check_int(("The candidates per step", "Die Zahl der Kandidaten pro Schritt"),
                             candidates, 1, MAX_CANDIDATES),
        threshold=check_number(("The stop threshold", "Die Stopp-Schwelle"), threshold, 0.01, 0.99,
                               (" (a target probability)", " (eine Zielwahrscheinlichkeit)")))


class CannotSwap(InputError):
    """The cells cannot be swapped in a model: ``reason`` ``"grid"`` (its ``layer`` has the
    ``grid`` (h, w), not the ``expected`` one) or ``"head"`` (the network does not work on the
    output of ``layer`` alone). ``model`` is the model's title. The checks read the fields; a
    search that fails so says the sentence."""

    def __init__(self, reason: Literal["grid", "head"], *, model: str, layer: str,
                 grid: tuple[int, int] = (0, 0), expected: tuple[int, int] = (0, 0)):
        if reason == "head":
            super().__init__(
                f"After layer '{layer}' the network does not work on that layer's output alone; "
                "choose a model whose head follows its last block.",
                f"Nach der Schicht '{layer}' arbeitet das Netz nicht allein mit der Ausgabe "
                "dieser Schicht; wähle ein Modell, dessen Kopf direkt auf seinen letzten Block "
                "folgt.")
        else:
            (h, w), (eh, ew) = grid, expected
            super().__init__(
                f"{model}'s layer {layer} has a {h}×{w} grid, not {eh}×{ew}: the same cells "
                "cannot be swapped.",
                f"Die Schicht {layer} von {model} hat ein Raster von {h}×{w}, nicht {eh}×{ew}: "
                "dieselben Zellen lassen sich nicht tauschen.")
        self.reason, self.model, self.layer = reason, model, layer
        self.grid, self.expected = grid, expected


@dataclass(frozen=True)
class SwapStep:
    """One greedy step as it finishes: cells are row-major indices into the (h, w) grid."""

    step: int
    cat_cell: int
    dog_cell: int
    p_target: float
    top: Prediction


@dataclass(frozen=True)
class RegionSwap:
    """The result of the region swap.

    ``view``, ``dog_view``: (S, S, 3) uint8; ``grid``: (h, w) of ``layer``;
    ``swaps``: (cat cell, dog cell) pairs, row-major indices, in the order found;
    ``p_target``: (len(swaps) + 1,) float32, the target probability before and after each
    swap; ``predictions``: top 5 after all swaps (from the features); ``dog_predictions``:
    top 3 of the dog image; ``exhaustive``: every pair was evaluated exactly at every step.
    """

    model: str
    layer: str
    grid: tuple[int, int]
    target: Target
    original_label: str
    view: np.ndarray
    dog_view: np.ndarray
    swaps: tuple[tuple[int, int], ...]
    p_target: np.ndarray
    predictions: tuple[Prediction, ...]
    dog_predictions: tuple[Prediction, ...]
    exhaustive: bool
    seconds: float

    threshold: float = 0.5

    @property
    def reached(self) -> bool:
        """Whether the last swap made the target (:func:`~core.counterfactual.targets.reaches`)."""
        return reaches(float(self.p_target[-1]), self.threshold)

    @property
    def switched_to(self) -> Prediction | None:
        """The new top class when it belongs to the target, else ``None``."""
        top = self.predictions[0]
        return top if top.index in self.target else None

    def cell(self, index: int) -> tuple[int, int]:
        """(row, column) of a row-major cell index."""
        return divmod(int(index), self.grid[1])


@contextmanager
def swapped_head(model: LoadedModel, layer: str,
                 pixels: torch.Tensor) -> Iterator[Callable[[torch.Tensor], torch.Tensor]]:
    """Yield ``head(features (N, C, h, w)) -> logits (N, classes)``: the network run on
    ``pixels`` (1, 3, S, S) with ``layer``'s output replaced by ``features``.

    Holds the model's lock while the hook exists; the hook is removed on exit.
    """
    inputs = normalise(pixels, model.spec, model.device)
    replacement: list[torch.Tensor] = []

    def hook(_module, _inputs, _output):
        return replacement[0]

    def head(features: torch.Tensor) -> torch.Tensor:
        replacement[:] = [features]
        try:
            logits = model.network(inputs)
        finally:
            replacement.clear()
        if logits.shape[0] != features.shape[0]:
            raise CannotSwap("head", model=model.spec.title, layer=layer)
        return logits

    with model.lock, forward_hooks(model.network, {layer: hook}):
        yield head


def swap_regions(model: LoadedModel, image: np.ndarray, dog_image: np.ndarray, *, target: Target,
                 params: SwapParams = SwapParams(), layer: str | None = None,
                 should_stop: Callable[[], bool] | None = None,
                 on_step: Callable[[SwapStep], None] | None = None,
                 use_cache: bool = True) -> RegionSwap:
    """The fewest feature cells of ``dog_image`` that, put into ``image``, make ``model`` say
    ``target`` (both RGB uint8, any size). ``layer`` defaults to the model's Grad-CAM layer (its
    last convolutional feature grid). Not reaching the target within ``max_cells`` swaps is a
    result; a cancelled run raises :class:`CounterfactualCancelled`. Cached by all inputs.
    """
    check_rgb(image)
    check_rgb(dog_image)
    if not isinstance(params, SwapParams):
        raise ValueError("Pass the settings as SwapParams (see swap_params).")
    layer = layer or model.spec.default_layers["gradcam"]
    size = model.spec.input_size
    view, pixels = view_and_pixels(image, size)
    dog_view, dog_pixels = view_and_pixels(dog_image, size)
    key = ("swap", model.name, str(model.device), layer, image_digest(view),
           image_digest(dog_view), target, params)

    def compute() -> RegionSwap:
        return _search(model, layer, view, pixels, dog_view, dog_pixels, target, params,
                       should_stop, on_step)

    return _CACHE.get_or_compute(key, compute) if use_cache else compute()


def _features(model: LoadedModel, layer: str, pixels: torch.Tensor, dog_pixels: torch.Tensor):
    """The layer's output and the logits for the cat and the dog, in one pass of batch 2."""
    batch = normalise(torch.cat([pixels, dog_pixels]), model.spec, model.device)
    with model.lock, capture_outputs(model.network, [layer]) as seen, torch.inference_mode():
        logits = model.network(batch).float()
    features = seen.get(layer)
    if not isinstance(features, torch.Tensor) or features.dim() != 4:
        raise ValueError(f"Layer '{layer}' does not output a grid of feature maps; the swap "
                         "needs a convolutional layer.")
    return features.clone(), logits.clone()


def _search(model, layer, view, pixels, dog_view, dog_pixels, target, params, should_stop,
            on_step) -> RegionSwap:
    start = time.perf_counter()
    features, logits = _features(model, layer, pixels, dog_pixels)
    channels, height, width = features.shape[1:]
    cells = height * width
    cat_cells = features[0].reshape(channels, cells)
    dog_cells = features[1].reshape(channels, cells)
    current = cat_cells.clone()
    classes = target.indices(model.device)
    free_cat = torch.ones(cells, dtype=torch.bool, device=model.device)
    free_dog = free_cat.clone()
    swaps: list[tuple[int, int]] = []
    probabilities = [float(target_log_probability(logits[:1], classes).exp())]
    best_logits = logits[:1]
    exhaustive = True
    with swapped_head(model, layer, pixels) as head:
        while not reaches(probabilities[-1], params.threshold) and len(swaps) < params.max_cells:
            stop_check(should_stop)
            pairs, complete = _candidates(head, current, dog_cells, free_cat, free_dog, classes,
                                          params.candidates, (channels, height, width))
            exhaustive = exhaustive and complete
            scores, candidate_logits = _evaluate(head, current, dog_cells, pairs, classes,
                                                 (channels, height, width))
            best = int(scores.argmax())
            cat_cell, dog_cell = (int(v) for v in pairs[best])
            current[:, cat_cell] = dog_cells[:, dog_cell]
            free_cat[cat_cell] = free_dog[dog_cell] = False
            swaps.append((cat_cell, dog_cell))
            probabilities.append(float(scores[best].exp()))
            best_logits = candidate_logits[best:best + 1]
            if on_step is not None:
                on_step(SwapStep(step=len(swaps), cat_cell=cat_cell, dog_cell=dog_cell,
                                 p_target=probabilities[-1],
                                 top=top_predictions(best_logits, model.categories, 1)[0]))
    return RegionSwap(
        model=model.name, layer=layer, grid=(height, width), target=target,
        original_label=model.categories[target.original], view=read_only(view),
        dog_view=read_only(dog_view), swaps=tuple(swaps),
        p_target=read_only(np.array(probabilities, np.float32)),
        predictions=top_predictions(best_logits, model.categories, 5),
        dog_predictions=top_predictions(logits[1:], model.categories, 3),
        exhaustive=exhaustive, seconds=time.perf_counter() - start, threshold=params.threshold)


def _candidates(head, current, dog_cells, free_cat, free_dog, classes, limit, shape):
    """(K, 2) (cat cell, dog cell) pairs to evaluate exactly, and whether they are all free
    pairs."""
    free = free_cat[:, None] & free_dog[None, :]
    total = int(free.sum())
    if total <= limit:
        return free.nonzero(), True
    features = current.reshape(1, *shape).clone().requires_grad_(True)
    with torch.enable_grad():
        log_p = target_log_probability(head(features).float(), classes).sum()
        gradient, = torch.autograd.grad(log_p, features)
    gradient = gradient.reshape(shape[0], -1)
    estimate = gradient.T @ dog_cells - (gradient * current).sum(dim=0)[:, None]
    estimate = estimate.masked_fill(~free, float("-inf"))
    order = estimate.flatten().topk(limit).indices
    return torch.stack([order // free.shape[1], order % free.shape[1]], dim=1), False


def _evaluate(head, current, dog_cells, pairs, classes, shape):
    """Exact log p(target) (K,) and logits (K, classes) for every candidate swap."""
    scores, all_logits = [], []
    with torch.inference_mode():
        for first in range(0, len(pairs), CHUNK):
            chunk = pairs[first:first + CHUNK]
            batch = current.unsqueeze(0).repeat(len(chunk), 1, 1)
            rows = torch.arange(len(chunk), device=current.device)
            batch[rows, :, chunk[:, 0]] = dog_cells[:, chunk[:, 1]].T
            logits = head(batch.reshape(len(chunk), *shape)).float()
            scores.append(target_log_probability(logits, classes))
            all_logits.append(logits)
    return torch.cat(scores), torch.cat(all_logits)


def replay(model: LoadedModel, view: np.ndarray, dog_view: np.ndarray,
           swaps: tuple[tuple[int, int], ...], *, layer: str | None = None,
           grid: tuple[int, int] | None = None) -> torch.Tensor:
    """Logits (1, classes) of ``view`` with the given cells of ``dog_view`` swapped in.

    Used to check a swap under another model or changed images. ``grid`` is the (h, w) the cell
    indices refer to; :class:`CannotSwap` when this model's layer has another grid or its head
    does not follow the layer alone.
    """
    check_rgb(view)
    check_rgb(dog_view)
    layer = layer or model.spec.default_layers["gradcam"]
    size = model.spec.input_size
    _, pixels = view_and_pixels(view, size)
    _, dog_pixels = view_and_pixels(dog_view, size)
    features, _ = _features(model, layer, pixels, dog_pixels)
    channels, height, width = features.shape[1:]
    if grid is not None and tuple(grid) != (height, width):
        raise CannotSwap("grid", model=model.spec.title, layer=layer, grid=(height, width),
                         expected=(int(grid[0]), int(grid[1])))
    current = features[0].reshape(channels, -1).clone()
    dog_cells = features[1].reshape(channels, -1)
    for cat_cell, dog_cell in swaps:
        current[:, cat_cell] = dog_cells[:, dog_cell]
    with swapped_head(model, layer, pixels) as head, torch.inference_mode():
        return head(current.reshape(1, channels, height, width)).float()

