"""Feature visualization by gradient ascent in input space: what image makes a filter fire?

Two methods, side by side:

- ``"notebook"`` reproduces seed notebook 000, parts (c)–(e): start from uniform noise in
  [-0.125, 0.125], maximise the mean activation of one filter without a 2-pixel border, take 30
  steps of size 10 on the RMS-normalised gradient, then de-process (zero mean, std 0.15, crop
  25 px per side, +0.5, clip, uint8). Like the seed, the raw image tensor is fed to the network
  *without* ImageNet normalisation (the seed assumes inputs in [-1, 1]).
- ``"regularized"`` is the modern method of Olah et al., "Feature Visualization", Distill 2017
  (https://distill.pub/2017/feature-visualization/): a Fourier parameterization with decorrelated
  colours, random jitter/scale/rotation, an optional diversity term, and Adam. The image is in
  [0, 1] and normalised with the model's mean and std. See :mod:`core.ascent_param`.

Only the network up to the target layer is evaluated: a forward hook on the layer captures its
output and raises a private exception that ends the forward pass (works for any architecture).
Several filters are optimised together, one image per filter in a batch; each image's loss only
depends on that image, so the gradient of the summed loss is each image's own gradient.
Every image draws its random numbers from its own ``torch.Generator`` seeded from
``(seed, filter, variant)``, so a result does not depend on the batch it was computed in.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Literal, Sequence

import numpy as np
import torch

from core.ascent_param import diversity_penalty, fft_image, random_transform
from core.cache import ResultCache
from core.fold import FoldedNetworks
from core.hooks import forward_hooks
from core.models import LoadedModel

AscentMode = Literal["notebook", "regularized"]
MODES: tuple[AscentMode, ...] = ("notebook", "regularized")
MAX_FILTERS = 64
# Measured with bench/bench_ascent.py --sweep on a 2-core CPU (EfficientNet-Lite0, blocks.4,
# 224 px): batches of 4 are fastest there (about 25% less time per filter than 1, 8 is slower);
# on a GPU larger batches always win.
CPU_BATCH = 4
GPU_BATCH = 16

# Images are fed in channels-last layout: oneDNN's convolutions (and cuDNN's) are faster on
# NHWC; on our 2-core CPU this took a step from about 25 to 16 ms per image.
CHANNELS_LAST = torch.channels_last

_CACHE = ResultCache(maxsize=48)
_FOLDED = FoldedNetworks()


class AscentCancelled(Exception):
    """Raised inside the optimisation loop when ``should_stop()`` became true."""


@dataclass(frozen=True)
class AscentParams:
    """The knobs of both methods; the defaults are the seed notebook's values.

    ``steps``, ``size`` (input side in px), ``border`` (pixels of the feature map left out of
    the loss on each side) and ``crop`` (pixels cut from each side of the result) apply to both
    modes. ``step_size`` is the notebook's learning rate; ``lr``, ``decay_power``, ``jitter``,
    ``max_angle``, ``max_scale``, ``variants`` and ``diversity`` apply to the regularized mode.
    """

    steps: int = 30
    step_size: float = 10.0
    size: int = 224
    border: int = 2
    crop: int = 25
    lr: float = 0.05
    decay_power: float = 1.0
    jitter: int = 8
    max_angle: int = 10
    max_scale: float = 0.1
    variants: int = 1
    diversity: float = 0.0


@dataclass(frozen=True)
class AscentChunk:
    """Results for some filters, as they finish. Shapes: ``images`` (n, V, h, w, 3) uint8,
    ``initial``/``final`` (n,) float32 mean activation before/after, ``losses`` (n, steps)."""

    filters: tuple[int, ...]
    images: np.ndarray
    initial: np.ndarray
    final: np.ndarray
    losses: np.ndarray


@dataclass(frozen=True)
class AscentResult:
    """The visualized filters of one layer.

    ``images``: (N, V, h, w, 3) uint8 (V variants per filter; 1 unless diversity is used);
    ``initial`` / ``final``: (N,) float32 mean activation of the filter (border excluded) on the
    starting and the final image; ``losses``: (N, steps) float32, the objective at each step.
    """

    model: str
    layer: str
    mode: AscentMode
    params: AscentParams
    seed: int
    filters: tuple[int, ...]
    images: np.ndarray
    initial: np.ndarray
    final: np.ndarray
    losses: np.ndarray

    @property
    def first(self) -> np.ndarray:
        """One image per filter, ``(N, h, w, 3)`` uint8."""
        return self.images[:, 0]


# ----------------------------------------------------------------------------- inputs


def parse_filters(text: str, *, channels: int) -> tuple[int, ...]:
    """Filter indices from ``"5"``, ``"0-15"``, ``"3, 7, 9"`` or ``"first 64"``.

    Raises ``ValueError`` for text it cannot read, an index outside ``0..channels-1``, or more
    than 64 filters.
    """
    text = (text or "").strip().lower()
    found: list[int] = []
    if match := re.fullmatch(r"(?:first|erste)\s*(\d+)", text):
        found = list(range(min(int(match.group(1)), channels)))
        if not found:
            raise ValueError("Choose at least one filter.")
    else:
        for part in filter(None, (p.strip() for p in text.split(","))):
            if match := re.fullmatch(r"(\d+)\s*(?:-|–|\.\.)\s*(\d+)", part):
                low, high = int(match.group(1)), int(match.group(2))
                if high < low:
                    raise ValueError(f"The range '{part}' goes backwards; write it as {high}-{low}.")
                found.extend(range(low, high + 1))
            elif part.isdigit():
                found.append(int(part))
            else:
                raise ValueError(
                    f"Cannot read '{part}' as filters. Write a number (5), a range (0-15), "
                    "a list (3, 7, 9) or 'first 64'.")
    if not found:
        raise ValueError("Choose at least one filter, e.g. 0, 0-15 or 'first 64'.")
    unique = tuple(dict.fromkeys(found))
    if len(unique) > MAX_FILTERS:
        raise ValueError(f"At most {MAX_FILTERS} filters at once (you chose {len(unique)}).")
    _check_filters(unique, channels)
    return unique


def _check_filters(filters: Sequence[int], channels: int) -> None:
    bad = [f for f in filters if not 0 <= f < channels]
    if bad:
        raise ValueError(
            f"Filter {bad[0]} does not exist: this layer has {channels} filters, "
            f"numbered 0 to {channels - 1}.")


def _check_params(params: AscentParams, mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"Unknown mode '{mode}'; use 'notebook' or 'regularized'.")
    if params.steps < 1:
        raise ValueError("Take at least one gradient-ascent step (steps must be 1 or more).")
    if params.steps > 2000:
        raise ValueError("At most 2000 steps, please.")
    if params.border < 0 or params.crop < 0:
        raise ValueError("Border and crop cannot be negative.")
    if params.size > 1024:
        raise ValueError("Images larger than 1024 px would take too long; choose a smaller size.")
    if params.size - 2 * params.crop < 8:
        raise ValueError(
            f"An image of {params.size} px is too small to cut {params.crop} px from each side "
            f"(the seed's de-processing crop); use at least {2 * params.crop + 8} px.")
    if mode == "notebook" and params.step_size <= 0:
        raise ValueError("The step size must be positive.")
    if mode == "regularized" and not 0 < params.lr <= 10:
        raise ValueError("The learning rate must be between 0 and 10.")
    if not 1 <= params.variants <= 4:
        raise ValueError("Variants per filter must be between 1 and 4.")
    if params.jitter < 0 or params.max_angle < 0 or not 0 <= params.max_scale < 0.5:
        raise ValueError("Jitter and angle must be ≥ 0 and the scale range between 0 and 0.5.")


def filter_seed(seed: int, filter_index: int, variant: int = 0) -> int:
    """The seed of one image's generator; the same image for a filter in any batch."""
    return (seed * 1_000_003 + filter_index * 101 + variant) % (2**63)


# ----------------------------------------------------------------------------- the network


class _LayerReached(Exception):
    """Ends the forward pass once the target layer has produced its output."""


@contextmanager
def truncated_forward(model: LoadedModel, layer: str) -> Iterator[Callable[[torch.Tensor], torch.Tensor]]:
    """Yield ``run(batch) -> output of layer``, evaluating the network only up to ``layer``.

    Runs on a copy with BatchNorm folded into the convolutions when that gives the same layer
    output (:mod:`core.fold`), about twice as fast on a CPU. Holds the model's lock while the
    hook exists; the hook is removed on exit, also after an error. Gradients flow from the
    output back to ``batch``.
    """
    captured: list[torch.Tensor] = []

    def hook(_module, _inputs, output):
        captured.append(output)
        raise _LayerReached

    with model.lock:
        network = _FOLDED.get(model.network, layer=layer, example=lambda: _probe(model))
        with forward_hooks(network, {layer: hook}):
            yield _runner(network, layer, captured)


def _probe(model: LoadedModel) -> torch.Tensor:
    """A fixed random input of the model's size, used to find and check foldable layers."""
    generator = torch.Generator().manual_seed(0)
    size = model.spec.input_size
    return (torch.randn(1, 3, size, size, generator=generator) * 0.5).to(model.device)


def _runner(network: torch.nn.Module, layer: str,
            captured: list[torch.Tensor]) -> Callable[[torch.Tensor], torch.Tensor]:
    def run(batch: torch.Tensor) -> torch.Tensor:
        captured.clear()
        try:
            network(batch)
        except _LayerReached:
            pass
        if not captured:
            raise ValueError(f"Layer '{layer}' was not reached by the forward pass.")
        output = captured[0]
        if not isinstance(output, torch.Tensor) or output.dim() != 4:
            raise ValueError(f"Layer '{layer}' does not output feature maps; pick another layer.")
        return output

    return run


def _forward(model: LoadedModel, layer: str, batch: torch.Tensor) -> torch.Tensor:
    with truncated_forward(model, layer) as run:
        return run(batch)


def _filter_means(act: torch.Tensor, filters: torch.Tensor, border: int) -> torch.Tensor:
    """Mean of ``act[i, filters[i]]`` without ``border`` pixels per side, per image ``(B,)``."""
    maps = act[torch.arange(act.shape[0], device=act.device), filters]
    height, width = maps.shape[1:]
    return maps[:, border:height - border, border:width - border].mean(dim=(1, 2))


def output_size(model: LoadedModel, *, layer: str, size: int) -> tuple[int, int, int]:
    """``(channels, height, width)`` of ``layer`` for a ``size``×``size`` input; ``ValueError`` if
    the input is too small for the layer."""
    probe = torch.zeros(1, 3, size, size, device=model.device)
    try:
        with torch.no_grad():
            out = _forward(model, layer, probe)
    except RuntimeError as error:
        if "size" not in str(error).lower():  # not a too-small input: a real failure
            raise
        raise ValueError(
            f"An image of {size} px is smaller than what layer '{layer}' needs to see; "
            "choose a larger image size.") from None
    return tuple(out.shape[1:])  # type: ignore[return-value]


def validate(model: LoadedModel, *, layer: str, filters: Sequence[int], mode: AscentMode,
             params: AscentParams) -> tuple[int, int, int]:
    """Check everything a student can get wrong; returns the layer's output shape at this size."""
    _check_params(params, mode)
    if not filters:
        raise ValueError("Choose at least one filter.")
    channels, height, width = output_size(model, layer=layer, size=params.size)
    _check_filters(filters, channels)
    if min(height, width) - 2 * params.border < 1:
        raise ValueError(
            f"At {params.size} px, layer '{layer}' outputs {height}×{width} maps; without a "
            f"border of {params.border} px nothing is left. Use a larger image or a smaller border.")
    return channels, height, width


# ----------------------------------------------------------------------------- the seed's steps


def initialize_images(filters: Sequence[int], *, size: int, seed: int,
                      device: torch.device | str = "cpu") -> torch.Tensor:
    """The seed's ``initialize_image`` for each filter: uniform noise in [-0.125, 0.125],
    ``(N, 3, size, size)``; image ``i`` equals ``torch.rand`` after
    ``torch.manual_seed(filter_seed(seed, filters[i]))``."""
    images = [torch.rand((1, 3, size, size), generator=torch.Generator().manual_seed(
        filter_seed(seed, f))) for f in filters]
    return ((torch.cat(images) - 0.5) * 0.25).to(device)


def deprocess_image(image: np.ndarray, *, crop: int = 25) -> np.ndarray:
    """The seed's ``deprocess_image``: ``(3, H, W)`` float → ``(H - 2·crop, W - 2·crop, 3)`` uint8.

    Zero mean, standard deviation 0.15 (torch's unbiased std, as in the seed), crop, +0.5,
    clip to [0, 1], ×255, truncate to uint8. The input is not modified.
    """
    if image.ndim != 3 or image.shape[0] != 3:
        raise ValueError("Expected an image of shape (3, H, W).")
    if min(image.shape[1:]) <= 2 * crop:
        raise ValueError(f"The image is too small to crop {crop} px from each side.")
    img = torch.tensor(np.asarray(image, dtype=np.float32))
    img -= img.mean()
    img /= img.std() + 1e-5
    img *= 0.15
    if crop:
        img = img[:, crop:-crop, crop:-crop]
    img += 0.5
    img = torch.clamp(img, 0, 1)
    img *= 255
    return torch.clamp(img, 0, 255).byte().numpy().transpose(1, 2, 0).copy()


def _to_uint8(images: torch.Tensor, crop: int) -> np.ndarray:
    """[0, 1] images ``(B, 3, H, W)`` → cropped ``(B, h, w, 3)`` uint8."""
    if crop:
        images = images[:, :, crop:-crop, crop:-crop]
    return (images.clamp(0, 1) * 255).round().byte().permute(0, 2, 3, 1).cpu().numpy()


def _stop_check(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        raise AscentCancelled("Stopped.")


def _notebook_chunk(model: LoadedModel, layer: str, filters: Sequence[int], params: AscentParams,
                    seed: int, should_stop) -> AscentChunk:
    device = model.device
    index = torch.tensor(list(filters), device=device)
    img = initialize_images(filters, size=params.size, seed=seed, device=device)
    losses = []
    for _ in range(params.steps):
        _stop_check(should_stop)
        img = img.contiguous(memory_format=CHANNELS_LAST).requires_grad_(True)
        means = _filter_means(_forward(model, layer, img), index, params.border)
        (grad,) = torch.autograd.grad(means.sum(), img)
        rms = torch.sqrt(torch.mean(grad ** 2, dim=(1, 2, 3), keepdim=True))
        img = (img.detach() + params.step_size * grad / (rms + 1e-5)).detach()
        losses.append(means.detach())
    with torch.no_grad():
        final = _filter_means(_forward(model, layer, img), index, params.border)
    final_images = img.cpu().numpy()
    images = np.stack([deprocess_image(one, crop=params.crop) for one in final_images])[:, None]
    history = torch.stack(losses, dim=1).float().cpu().numpy()
    return AscentChunk(filters=tuple(filters), images=images, initial=history[:, 0].copy(),
                       final=final.float().cpu().numpy(), losses=history)


def _regularized_chunk(model: LoadedModel, layer: str, filters: Sequence[int],
                       params: AscentParams, seed: int, should_stop) -> AscentChunk:
    device = model.device
    variants = params.variants
    owners = [f for f in filters for _ in range(variants)]
    generators = [torch.Generator().manual_seed(filter_seed(seed, f, v))
                  for f in filters for v in range(variants)]
    index = torch.tensor(owners, device=device)
    parameters, image_f = fft_image(generators, size=params.size, decay_power=params.decay_power,
                                    device=device)
    scales = tuple(np.linspace(1 - params.max_scale, 1 + params.max_scale, 11).tolist())
    angles = tuple(range(-params.max_angle, params.max_angle + 1)) + (0,) * 5
    transform = random_transform(generators, jitter=params.jitter, scales=scales, angles=angles)
    mean = torch.tensor(model.spec.mean, device=device).view(1, 3, 1, 1)
    std = torch.tensor(model.spec.std, device=device).view(1, 3, 1, 1)
    optimizer = torch.optim.Adam(parameters, lr=params.lr)

    def objective(act: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        means = _filter_means(act, index, params.border)
        if params.diversity > 0 and variants > 1:
            return means - params.diversity * diversity_penalty(act, len(filters)), means
        return means, means

    def prepared(image: torch.Tensor) -> torch.Tensor:
        return ((image - mean) / std).contiguous(memory_format=CHANNELS_LAST)

    with torch.no_grad():
        initial = _filter_means(_forward(model, layer, prepared(image_f())), index, params.border)
    losses = []
    for _ in range(params.steps):
        _stop_check(should_stop)
        optimizer.zero_grad()
        act = _forward(model, layer, prepared(transform(image_f())))
        value, means = objective(act)
        (-value.sum()).backward()
        optimizer.step()
        losses.append(means.detach())
    with torch.no_grad():
        final_image = image_f()
        final = _filter_means(_forward(model, layer, prepared(final_image)), index,
                              params.border)
    images = _to_uint8(final_image, params.crop)
    images = images.reshape(len(filters), variants, *images.shape[1:])
    per_filter = lambda t: t.float().cpu().numpy().reshape(len(filters), variants)[:, 0].copy()
    history = torch.stack(losses, dim=1).float().cpu().numpy()
    history = history.reshape(len(filters), variants, -1)[:, 0].copy()
    return AscentChunk(filters=tuple(filters), images=images, initial=per_filter(initial),
                       final=per_filter(final), losses=history)


# ----------------------------------------------------------------------------- public entry points


def default_batch_size(model: LoadedModel) -> int:
    """Filters optimised together: the CPU optimum we measured, or more on a GPU."""
    return GPU_BATCH if model.device.type == "cuda" else CPU_BATCH


def iterate_ascent(model: LoadedModel, *, layer: str, filters: Sequence[int],
                   mode: AscentMode = "notebook", params: AscentParams = AscentParams(),
                   seed: int = 0, batch_size: int | None = None,
                   should_stop: Callable[[], bool] | None = None) -> Iterator[AscentChunk]:
    """Optimise an input image per filter, yielding an :class:`AscentChunk` as each batch ends.

    Every batch has exactly ``batch_size`` images: a short last batch is padded with copies of
    its last filter (discarded). Convolution libraries round differently for different batch
    shapes, and 30 steps of size 10 amplify those last-digit differences into visibly different
    pictures; with one fixed batch shape a filter's image is the same in any request (a grid
    tile and its single-filter view agree). ``should_stop`` is checked before every step; when
    it returns true, :class:`AscentCancelled` is raised within one step. Raises ``ValueError``
    for invalid input. Model state is never changed.
    """
    filters = tuple(int(f) for f in filters)
    validate(model, layer=layer, filters=filters, mode=mode, params=params)
    batch = batch_size or default_batch_size(model)
    if batch < 1:
        raise ValueError("The batch size must be at least 1.")
    run = _notebook_chunk if mode == "notebook" else _regularized_chunk
    for start in range(0, len(filters), batch):
        chunk = filters[start:start + batch]
        padded = chunk + (chunk[-1],) * (batch - len(chunk))
        result = run(model, layer, padded, params, seed, should_stop)
        n = len(chunk)
        yield AscentChunk(filters=chunk, images=result.images[:n], initial=result.initial[:n],
                          final=result.final[:n], losses=result.losses[:n])


def _assemble(model: LoadedModel, layer: str, mode: AscentMode, params: AscentParams, seed: int,
              chunks: Sequence[AscentChunk]) -> AscentResult:
    arrays = {name: np.concatenate([getattr(c, name) for c in chunks])
              for name in ("images", "initial", "final", "losses")}
    for value in arrays.values():
        value.setflags(write=False)
    return AscentResult(model=model.name, layer=layer, mode=mode, params=params, seed=seed,
                        filters=tuple(f for c in chunks for f in c.filters), **arrays)


def cache_key(model: LoadedModel, *, layer: str, filters: Sequence[int], mode: AscentMode,
              params: AscentParams, seed: int) -> tuple:
    """What identifies a result across users: model, layer, filters, mode, parameters, seed."""
    return (model.name, str(model.device), layer, tuple(int(f) for f in filters), mode, params,
            int(seed))


def cached_result(model: LoadedModel, **key) -> AscentResult | None:
    """The cached result for these arguments (see :func:`cache_key`), or ``None``."""
    return _CACHE.get(cache_key(model, **key))  # type: ignore[return-value]


def visualize_filters(model: LoadedModel, *, layer: str, filters: Sequence[int],
                      mode: AscentMode = "notebook", params: AscentParams = AscentParams(),
                      seed: int = 0, batch_size: int | None = None,
                      should_stop: Callable[[], bool] | None = None,
                      on_chunk: Callable[[AscentChunk], None] | None = None,
                      use_cache: bool = True) -> AscentResult:
    """The images that maximise each filter of ``layer``, as one :class:`AscentResult`.

    Results are cached across users by (model, layer, filters, mode, params, seed); concurrent
    requests for the same key compute it once. ``on_chunk`` sees each chunk as it finishes
    (only when computing). A cancelled run raises :class:`AscentCancelled` and is not cached.
    Returned arrays are read-only.
    """
    def compute() -> AscentResult:
        chunks = []
        for chunk in iterate_ascent(model, layer=layer, filters=filters, mode=mode, params=params,
                                    seed=seed, batch_size=batch_size, should_stop=should_stop):
            chunks.append(chunk)
            if on_chunk is not None:
                on_chunk(chunk)
        return _assemble(model, layer, mode, params, seed, chunks)

    if not use_cache:
        return compute()
    key = cache_key(model, layer=layer, filters=filters, mode=mode, params=params, seed=seed)
    return _CACHE.get_or_compute(key, compute)


def clear_cache() -> None:
    """Forget every cached result (tests and benchmarks use this)."""
    global _CACHE
    _CACHE = ResultCache(maxsize=_CACHE.maxsize)
