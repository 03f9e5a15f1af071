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
  [0, 1] and normalised with the model's mean and std. See :mod:`core.ascent.regularized`.

Only the network up to the target layer is evaluated (:mod:`core.ascent.network`). Several
filters are optimised together, one image per filter in a batch; each image's loss only
depends on that image, so the gradient of the summed loss is each image's own gradient.
Every image draws its random numbers from its own ``torch.Generator`` seeded from
``(seed, filter, variant)``, so a result does not depend on the batch it was computed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from core.ascent import notebook, regularized
from core.ascent.network import validate
from core.ascent.params import AscentMode, AscentParams
from core.ascent.results import AscentChunk, AscentResult
from core.cache import ResultCache
from core.checks import check_int
from core.models import LoadedModel, calibration

#: The seed's name in a sentence, in English and German.
SEED = ("The random seed", "Der Zufalls-Seed")

#: The default parameters (frozen, so one shared instance is safe).
DEFAULT_PARAMS = AscentParams()

#: Results shared by every student, keyed by :func:`cache_key`.
RESULTS = ResultCache("ascent", maxsize=48)


def default_batch_size(model: LoadedModel) -> int:
    """Filters optimised together: the model's forward-and-backward batch, measured once per
    process (:mod:`core.models.calibration`), so it stays the same for every request."""
    return calibration.batch_size(model, "backward")


def iterate_ascent(model: LoadedModel, *, layer: str, filters: Sequence[int],
                   mode: AscentMode = "notebook", params: AscentParams = DEFAULT_PARAMS,
                   seed: int = 0, batch_size: int | None = None,
                   should_stop: Callable[[], bool] | None = None) -> Iterator[AscentChunk]:
    """Optimise an input image per filter, yielding an :class:`AscentChunk` as each batch ends.

    Every batch has exactly ``batch_size`` images: a short last batch is padded with copies of
    its last filter (discarded). Convolution libraries round differently for different batch
    shapes, and 30 steps of size 10 amplify those last-digit differences into visibly different
    pictures; with one fixed batch shape a filter's image is the same in any request (a grid
    tile and its single-filter view agree). ``should_stop`` is checked before every step; when
    it returns true, :class:`AscentCancelled` is raised within one step. Raises
    :class:`~core.checks.InputError` for invalid input. Model state is never changed.
    """
    filters = tuple(int(f) for f in filters)
    seed = check_int(SEED, seed, 0, 2**31 - 1)
    validate(model, layer=layer, filters=filters, mode=mode, params=params)
    batch = batch_size or default_batch_size(model)
    if batch < 1:
        raise ValueError("The batch size must be at least 1.")
    run = notebook.notebook_chunk if mode == "notebook" else regularized.regularized_chunk
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


def visualize_filters(model: LoadedModel, *, layer: str, filters: Sequence[int],
                      mode: AscentMode = "notebook", params: AscentParams = DEFAULT_PARAMS,
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

    seed = check_int(SEED, seed, 0, 2**31 - 1)
    if not use_cache:
        return compute()
    key = cache_key(model, layer=layer, filters=filters, mode=mode, params=params, seed=seed)
    return RESULTS.get_or_compute(key, compute)

