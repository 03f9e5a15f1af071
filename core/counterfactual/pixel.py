"""Method 1: a counterfactual by gradient descent on the pixels (as on the seed's slides).

Wachter, Mittelstadt & Russell 2017, "Counterfactual Explanations without Opening the Black
Box: Automated Decisions and the GDPR" (arXiv:1711.00399): find the input x' closest to x that
the model classifies as the target, by minimising

    loss(x') = −log p(target | x') + λ · d(x', x) + μ · TV(x' − x)

where d is the L2 (root mean square) or L1 (mean absolute) distance in 0–255 pixel units and
TV the total variation of the change (an optional smoothness term). "Target" is a *set* of
classes (``core.counterfactual.targets``). Only the input changes: the network's parameters
are frozen and never touched. Adam does the steps (``torch.optim.Adam``); after every step the
pixels are projected back into [0, 1] (and clamped before normalising) and, with a region, only
pixels inside the painted mask can change.

Written here because no library does it for images with a class *group*, a mask and a batch
of proximity weights: several weights run as one batch (each image's loss depends only on
itself, so the summed loss gives each its own gradient), a weight whose image reaches the
threshold leaves the batch at once (its parameter gets no gradient, so Adam leaves it alone),
and the network is a copy with BatchNorm folded into the convolutions in channels-last
layout (``core.models.fold``), about twice as fast on a CPU.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import torch
from PIL import Image

from core.cache import ResultCache
from core.checks import InputError, check_int, check_number, excerpt, read_only
from core.counterfactual.results import (
    DISTANCES,
    Counterfactual,
    PixelParams,
    PixelProgress,
    TradeOff,
    measure_distances,
    stop_check,
)
from core.counterfactual.targets import Target, reaches, target_log_probability
from core.models import LoadedModel
from core.models.fold import FoldedNetworks
from core.predictions import top_predictions
from core.preprocess import check_rgb, image_digest, view_and_pixels

MAX_STEPS = 1000
MAX_WEIGHTS = 8
START_NOISE = 0.5 / 255
"""The random start for seeds other than 0: uniform noise of ±half a grey level (the seed picks
it). It vanishes when the result is rounded to 8-bit pixels, but different seeds find
different changes. Seed 0 starts from the original itself, like the slides."""

#: The default parameters (frozen, so one shared instance is safe).
DEFAULT_PARAMS = PixelParams()

_FOLDED = FoldedNetworks(maxsize=2)
_CACHE = ResultCache("counterfactual.pixel", maxsize=32)


def pixel_params(*, weight: float = 1.0, distance: str = "l2", smoothness: float = 0.0,
                 step_size: float = 1.0, max_steps: int = 100,
                 threshold: float = 0.5) -> PixelParams:
    """Check what the student typed and return :class:`PixelParams` (``InputError`` otherwise)."""
    if distance not in DISTANCES:
        raise InputError(f"Unknown distance '{distance}'. Choose one of: {', '.join(DISTANCES)}.",
                         f"Unbekannter Abstand '{distance}'. Wähle einen von: "
                         f"{', '.join(DISTANCES)}.")
    return PixelParams(
        weight=check_number(("The proximity weight", "Das Nähe-Gewicht"), weight, 0.0, 1000.0,
                            (" (0 = no pull back)", " (0 = kein Zug zurück zum Original)")),
        distance=distance,
        smoothness=check_number(("The smoothness weight", "Das Gewicht der Glattheit"),
                                smoothness, 0.0, 1000.0),
        step_size=check_number(("The step size", "Die Schrittweite"), step_size, 0.01, 64.0,
                               (" grey levels", " Graustufen")),
        max_steps=check_int(("The number of steps", "Die Zahl der Schritte"), max_steps, 1,
                            MAX_STEPS),
        threshold=check_number(("The stop threshold", "Die Stopp-Schwelle"), threshold, 0.01, 0.99,
                               (" (a target probability)", " (eine Zielwahrscheinlichkeit)")))


def parse_weights(text: str | Sequence[float]) -> tuple[float, ...]:
    """Proximity weights from "0, 1, 3, 10" (or a list): 1 to 8 numbers ≥ 0, duplicates removed."""
    if text is None:
        text = ""
    if isinstance(text, str):
        parts = text.replace(";", ",").split(",")
    elif isinstance(text, (list, tuple)):
        parts = list(text)
    else:
        raise InputError("List the proximity weights like this: 0, 1, 3, 10.",
                         "Gib die Nähe-Gewichte so an: 0, 1, 3, 10.")
    values = []
    for part in parts:
        if isinstance(part, str) and not part.strip():
            continue
        try:
            number = float(part)
        except (TypeError, ValueError):
            raise InputError(f"'{excerpt(part)}' is not a number; list the proximity weights "
                             "like this: 0, 1, 3, 10.",
                             f"„{excerpt(part)}“ ist keine Zahl; gib die Nähe-Gewichte so an: "
                             "0, 1, 3, 10.") from None
        values.append(check_number(("Every proximity weight", "Jedes Nähe-Gewicht"), number,
                                   0.0, 1000.0))
    values = list(dict.fromkeys(values))
    if not 1 <= len(values) <= MAX_WEIGHTS:
        raise InputError(f"List 1 to {MAX_WEIGHTS} different proximity weights, e.g. 0, 1, 3, 10.",
                         f"Gib 1 bis {MAX_WEIGHTS} verschiedene Nähe-Gewichte an, z. B. "
                         "0, 1, 3, 10.")
    return tuple(values)


def model_mask(mask: np.ndarray | None, size: int,
               image_shape: tuple[int, ...] | None = None) -> np.ndarray | None:
    """A painted region (H, W) as an (S, S) bool mask; ``InputError`` if it is empty or, given
    the image's shape, painted on a picture of another size."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise InputError("The region must be a 2-D mask of the image (paint on the image).",
                         "Der Bereich muss eine 2-D-Maske des Bildes sein (male auf das Bild).")
    if image_shape is not None and mask.shape != tuple(image_shape[:2]):
        (height, width), (image_height, image_width) = mask.shape, image_shape[:2]
        raise InputError(
            f"The painted region is {width}×{height} pixels but the image is "
            f"{image_width}×{image_height}: paint on this image in the editor.",
            f"Der gemalte Bereich hat {width}×{height} Pixel, das Bild aber "
            f"{image_width}×{image_height}: Male im Editor auf dieses Bild.")
    if mask.shape != (size, size):  # resized like the image (core.preprocess.model_view)
        mask = np.asarray(Image.fromarray(mask.astype(bool).astype(np.uint8) * 255)
                          .resize((size, size), Image.Resampling.NEAREST)) > 0
    mask = mask.astype(bool)
    if not mask.any():
        raise InputError("The painted region is empty: paint over the part of the image that may "
                         "change, or switch the region off.",
                         "Der gemalte Bereich ist leer: Male über den Teil des Bildes, der sich "
                         "ändern darf, oder schalte den Bereich aus.")
    return read_only(mask)


def find_counterfactual(model: LoadedModel, image: np.ndarray, *, target: Target,
                        params: PixelParams = DEFAULT_PARAMS, mask: np.ndarray | None = None,
                        seed: int = 0, should_stop: Callable[[], bool] | None = None,
                        on_step: Callable[[PixelProgress], None] | None = None,
                        use_cache: bool = True) -> Counterfactual:
    """The smallest change of ``image`` (RGB uint8, any size) that makes ``model`` say ``target``.

    ``mask`` (any size, resized to the model's input) limits the change to a region. Not
    reaching the threshold within ``params.max_steps`` is a result (``reached`` is false), not
    an error. ``on_step`` sees every step while computing; a cancelled run raises
    :class:`CounterfactualCancelled` within one step. Cached by all inputs and ``seed``.
    """
    return _search(model, image, target=target, params=params, weights=(params.weight,),
                   mask=mask, seed=seed, should_stop=should_stop, on_step=on_step,
                   use_cache=use_cache).runs[0]


def trade_off(model: LoadedModel, image: np.ndarray, *, target: Target,
              weights: str | Sequence[float],
              params: PixelParams = DEFAULT_PARAMS, mask: np.ndarray | None = None, seed: int = 0,
              should_stop: Callable[[], bool] | None = None,
              on_step: Callable[[PixelProgress], None] | None = None,
              use_cache: bool = True) -> TradeOff:
    """Method 1 for every proximity weight in ``weights`` (numbers, or a text such as
    "0, 1, 3, 10") at once (one batch), same start."""
    return _search(model, image, target=target, params=params, weights=parse_weights(weights),
                   mask=mask, seed=seed, should_stop=should_stop, on_step=on_step,
                   use_cache=use_cache)


def _search(model, image, *, target, params, weights, mask, seed, should_stop, on_step,
            use_cache) -> TradeOff:
    check_rgb(image)
    if not isinstance(params, PixelParams):
        raise ValueError("Pass the settings as PixelParams (see pixel_params).")
    seed = check_int(("The random seed", "Der Zufalls-Seed"), seed, 0, 2**31 - 1)
    size = model.spec.input_size
    view, pixels = view_and_pixels(image, size)
    region = model_mask(mask, size, image.shape)
    key = ("pixel", model.name, str(model.device), image_digest(view), target, params,
           tuple(weights), None if region is None else image_digest(region), seed)

    def compute() -> TradeOff:
        return _optimise(model, view, pixels, target=target, params=params, weights=weights,
                         mask=region, seed=seed, should_stop=should_stop, on_step=on_step)

    return _CACHE.get_or_compute(key, compute) if use_cache else compute()


def _distance(change: torch.Tensor, kind: str) -> torch.Tensor:
    """Per image of a (B, 3, S, S) change in [−1, 1]: the distance in 0–255 units, (B,)."""
    if kind == "l2":  # the small constant keeps the gradient finite at zero change
        return (change.pow(2).mean(dim=(1, 2, 3)) + 1e-12).sqrt() * 255
    return change.abs().mean(dim=(1, 2, 3)) * 255


def _total_variation(change: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference of neighbouring pixels of the change, in 0–255 units, (B,)."""
    down = (change[:, :, 1:] - change[:, :, :-1]).abs().mean(dim=(1, 2, 3))
    right = (change[:, :, :, 1:] - change[:, :, :, :-1]).abs().mean(dim=(1, 2, 3))
    return (down + right) * 255


def _network(model: LoadedModel) -> torch.nn.Module:
    """The whole network with BatchNorm folded when the logits stay the same, else the original.

    ``FoldedNetworks`` checks a copy against the original at a named layer: here the network's
    last top-level module, its classifier head, whose output is the logits (a network without
    modules of its own is run as it is).
    """
    children = [name for name, _ in model.network.named_children()]
    if not children:
        return model.network
    generator = torch.Generator().manual_seed(0)
    size = model.spec.input_size

    def probe() -> torch.Tensor:
        return (torch.randn(1, 3, size, size, generator=generator) * 0.5).to(model.device)

    with model.lock:
        return _FOLDED.get(model.network, layer=children[-1], example=probe)


def _valid(pixels: torch.Tensor) -> torch.Tensor:
    """``pixels`` clamped to [0, 1] with the gradient passed straight through.

    ``Tensor.clamp`` has zero gradient at the bounds, so a pixel that starts at exactly 0 or 255
    could never move; the values are the clamped ones, the gradient is the identity's.
    """
    return pixels + (pixels.clamp(0, 1) - pixels).detach()


def _normaliser(model: LoadedModel) -> Callable[[torch.Tensor], torch.Tensor]:
    """``(pixels − mean) / std`` for pixels already on the model's device, channels-last."""
    mean = torch.tensor(model.spec.mean, device=model.device).view(1, 3, 1, 1)
    std = torch.tensor(model.spec.std, device=model.device).view(1, 3, 1, 1)
    return lambda pixels: ((pixels - mean) / std).contiguous(memory_format=torch.channels_last)


def _optimise(model: LoadedModel, view: np.ndarray, pixels: torch.Tensor, *, target: Target,
              params: PixelParams, weights: tuple[float, ...], mask: np.ndarray | None, seed: int,
              should_stop, on_step) -> TradeOff:
    start_time = time.perf_counter()
    device = model.device
    network, normalise = _network(model), _normaliser(model)
    original = pixels.to(device)
    region = (torch.ones(1, 1, *original.shape[2:], device=device) if mask is None
              else torch.from_numpy(mask.astype(np.float32))[None, None].to(device))
    noise = (torch.rand(original.shape, generator=torch.Generator().manual_seed(seed)) * 2 - 1
             if seed else torch.zeros(original.shape))
    changes = [(noise.to(device) * START_NOISE * region).requires_grad_(True) for _ in weights]
    optimizer = torch.optim.Adam(changes, lr=params.step_size / 255)
    classes = target.indices(device)
    count = len(weights)
    done = [False] * count
    # p_original, p_target, distance per weight
    curves: list[tuple[list[float], list[float], list[float]]] = [([], [], []) for _ in weights]
    steps = [0] * count
    finals: list[torch.Tensor | None] = [None] * count
    for step in range(params.max_steps + 1):
        stop_check(should_stop)
        active = [i for i in range(count) if not done[i]]
        batch = torch.cat([_valid(original + region * changes[i]) for i in active])
        with model.lock:  # held for one step: other requests can interleave between steps
            logits = network(normalise(batch))
        log_target = target_log_probability(logits, classes)
        change = batch - original
        distance = _distance(change, params.distance)
        with torch.no_grad():
            p_target = log_target.exp()
            p_original = logits.softmax(dim=1)[:, target.original]
        leaving = []
        numbers = torch.stack([p_original, p_target, distance.detach()]).float().cpu().tolist()
        for row, i in enumerate(active):
            for curve, values in zip(curves[i], numbers):
                curve.append(values[row])
            steps[i] = step
            if reaches(numbers[1][row], params.threshold) or step == params.max_steps:
                done[i] = True
                finals[i] = batch[row:row + 1].detach()
                leaving.append(i)
        if on_step is not None:
            _report(on_step, step, weights, active, batch, p_original, p_target, distance, done)
        if all(done):
            break
        staying = [row for row, i in enumerate(active) if not done[i]]
        loss = -log_target[staying]
        loss = loss + torch.tensor([weights[active[r]] for r in staying], device=device) \
            * distance[staying]
        if params.smoothness:
            loss = loss + params.smoothness * _total_variation(change[staying])
        optimizer.zero_grad(set_to_none=True)
        with model.lock:
            loss.sum().backward()
        for i in leaving:
            changes[i].grad = None  # Adam skips it: finished images stay as they are
        optimizer.step()
        with torch.no_grad():  # project back into valid pixels
            for i in active:
                if not done[i]:
                    changes[i].copy_((original + region * changes[i]).clamp(0, 1) - original)
    return _results(model, view, target, params, weights, mask, seed, finals, curves, steps,
                    time.perf_counter() - start_time)


def _report(on_step, step, weights, active, batch, p_original, p_target, distance, done) -> None:
    images = (batch.detach() * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()
    on_step(PixelProgress(
        step=step, weights=tuple(weights[i] for i in active), images=read_only(images),
        p_original=read_only(p_original.detach().float().cpu().numpy()),
        p_target=read_only(p_target.detach().float().cpu().numpy()),
        distance=read_only(distance.detach().float().cpu().numpy()),
        done=read_only(np.array([done[i] for i in active]))))


def _results(model, view, target, params, weights, mask, seed, finals, curves, steps,
             seconds) -> TradeOff:
    """Round every final image to 8 bits and ask the (original, unfolded) model about it."""
    images = torch.cat(finals).mul(255).round().div(255)
    with model.lock, torch.inference_mode():
        logits = model.network(_normaliser(model)(images)).float()
    group = target_log_probability(logits, target.indices(logits.device)).exp()
    runs = []
    for i, weight in enumerate(weights):
        image = read_only((images[i] * 255).round().byte().permute(1, 2, 0).cpu().numpy())
        runs.append(Counterfactual(
            model=model.name, target=target, original_label=model.categories[target.original],
            params=PixelParams(weight=weight, distance=params.distance,
                               smoothness=params.smoothness, step_size=params.step_size,
                               max_steps=params.max_steps, threshold=params.threshold),
            seed=seed, view=read_only(view), image=image, mask=mask, steps=steps[i],
            p_original=read_only(np.array(curves[i][0], np.float32)),
            p_target=read_only(np.array(curves[i][1], np.float32)),
            distance=read_only(np.array(curves[i][2], np.float32)),
            predictions=top_predictions(logits[i:i + 1], model.categories, 5),
            target_probability=float(group[i]), closest=max(curves[i][1]),
            distances=measure_distances(view, image), seconds=seconds))
    return TradeOff(runs=tuple(runs))

