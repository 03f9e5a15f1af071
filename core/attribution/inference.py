"""Fast forward-only passes for Occlusion and deletion/insertion: BatchNorm folded, batched.

Occlusion and the deletion/insertion curves only need the class scores of many changed copies
of one image (169 occluded windows, a few hundred partly deleted images). In eval mode a
BatchNorm after a convolution is a fixed scale and shift, so it can be merged into the
convolution (:func:`core.models.fold.folded_copy`); on our 2-core CPU that makes a forward pass
of EfficientNet-Lite0 about 1.6× faster, and batching another 2× (``bench/bench_faithfulness.py``;
the batch is measured per model, :mod:`core.models.calibration`).

The folded network is a private deep copy, made once per model under the model's lock (a deep
copy taken while another request has captum's hooks on the shared model would copy them) and
checked once against the original's logits. Nobody registers hooks on it, so concurrent
forward passes need no lock. Where nothing folds or the check fails, the original is used.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

from core.models import LoadedModel
from core.models.fold import folded_copy
from core.models.hooks import count_hooks

TOLERANCE = 1e-3
"""Largest allowed logit difference of the folded copy, relative to the largest logit."""

# id(network) -> (network, network to run); the original is kept so that its id stays unique.
_NETWORKS: dict[int, tuple[nn.Module, nn.Module]] = {}
_LOCK = threading.Lock()


def probe_input(model: LoadedModel) -> torch.Tensor:
    """A fixed random (1, 3, S, S) input of the model's size in normalised space."""
    generator = torch.Generator().manual_seed(0)
    size = model.spec.input_size
    return (torch.randn(1, 3, size, size, generator=generator) * 0.5).to(model.device)


def private_folded_copy(model: LoadedModel, *, keep: str | None = None) -> nn.Module:
    """A private deep copy of ``model.network`` with BatchNorm folded where it can be.

    ``keep`` names a convolution that must keep its raw output (a Grad-CAM layer). Taken under
    the model's lock; a copy that carries hooks is refused. The copy is in eval mode with
    frozen parameters, on the model's device.
    """
    with model.lock:
        twin = folded_copy(model.network, example=probe_input(model), keep=keep)
        if twin is None:
            twin = copy.deepcopy(model.network).eval().requires_grad_(False)
    if count_hooks(twin):
        raise RuntimeError("The copied network carries hooks; "
                           "the copy was taken while hooks were on.")
    return twin


def inference_network(model: LoadedModel) -> nn.Module:
    """The network to run for forward-only work: the folded copy when it gives the same logits.

    Made on first use per model and kept for the life of the process. A network without
    BatchNorm to fold (the tiny test models) runs as it is.
    """
    with _LOCK:
        entry = _NETWORKS.get(id(model.network))
    if entry is not None:
        return entry[1]
    probe = probe_input(model)
    with model.lock:
        twin = folded_copy(model.network, example=probe)
        with torch.no_grad():
            expected = model.network(probe)
    if twin is None or count_hooks(twin):
        twin = model.network
    else:
        with torch.no_grad():
            got = twin(probe)
        scale = float(expected.abs().max()) or 1.0
        if got.shape != expected.shape or float((got - expected).abs().max()) > TOLERANCE * scale:
            twin = model.network
    with _LOCK:
        return _NETWORKS.setdefault(id(model.network), (model.network, twin))[1]


@contextmanager
def forward_network(model: LoadedModel) -> Iterator[nn.Module]:
    """Yield :func:`inference_network`, holding the model's lock when that is the shared network."""
    network = inference_network(model)
    if network is model.network:
        with model.lock:
            yield network
    else:
        yield network


def probabilities(network: nn.Module, batches: Iterable[torch.Tensor], *,
                  target: int) -> torch.Tensor:
    """Softmax probability of ``target`` for every image of ``batches`` ((B, 3, S, S) each,
    normalised, on the network's device), as one float64 CPU tensor of length ΣB.

    Runs under ``torch.no_grad``; the caller holds the lock when ``network`` is the shared one
    (:func:`forward_network` does).
    """
    scores = []
    with torch.no_grad():
        for batch in batches:
            logits = network(batch.contiguous(memory_format=torch.channels_last))
            scores.append(logits.float().softmax(dim=-1)[:, target].double().cpu())
    return torch.cat(scores) if scores else torch.zeros(0, dtype=torch.float64)
