"""Concepts behind a decision through zennit-crp: which channels of a layer carry the relevance
for a class, where in the image each of them does (its conditional heatmap), and what each
responds to (reference patches from a few images).

Achtibat, Dreyer, Eisenbraun, Bosse, Wiegand, Samek & Lapuschkin 2023, "From attribution maps to
human-understandable explanations through Concept Relevance Propagation" (Nature Machine
Intelligence 5, arXiv:2206.03208). zennit-crp's ``CondAttribution`` computes the relevance of
every channel of the layer for the target (LRP with Zennit's EpsilonPlusFlat and the canonizers
of :mod:`core.attribution.lrp`, started at the target's logit), then the conditional heatmap of
each of the most relevant channels: the pixels' relevance when only that channel passes
relevance on. As zennit-crp documents, a conditional heatmap adds up to its channel's relevance,
and the heatmaps of all channels of a layer add up to the full heatmap (tested).

``exclude_parallel=False``: the relevance of a channel is all that flows through it (the paper's
choice for the ``exclude_parallel`` option needs a traced graph of the model; our layers are
stage outputs that every path passes anyway).

The reference patches are written here: zennit-crp's ``FeatureVisualization`` samples references
from a data set and caches them on disk, with receptive fields computed per neuron (minutes).
Here the references are a handful of given images (the lab's bundled examples): for each
channel, the images where it responds most (its largest activation), and the square around that
position, three cells of the layer's grid wide (at least an eighth of the input).

zennit-crp registers its recording hooks without ``finally``; :func:`_no_stray_hooks` removes
any hook a failed call leaves behind.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from crp.attribution import CondAttribution
from crp.concepts import ChannelConcept
from torch import nn

from core.attribution.lrp import LrpComposite, check_shared_lrp, make_composite
from core.attribution.methods import cached, check_layer, normalised
from core.checks import InputError, check_int, read_only
from core.models import LoadedModel
from core.models.hooks import capture_outputs
from core.predictions import check_target
from core.preprocess import check_rgb, image_digest, view_and_pixels

COMPOSITE: LrpComposite = "epsilon_plus_flat"
"""The composite concepts are computed with: offered for every model LRP is offered for."""
MAX_CONCEPTS = 12
PATCHES = 3
"""Reference patches per channel."""


@dataclass(frozen=True)
class Concept:
    """One channel of the layer.

    ``relevance``: R_c, the channel's relevance for the target (summed over positions);
    ``share``: R_c / Σ_c |R_c|; ``heatmap``: (S, S) float32, its conditional heatmap (summed
    over colour channels; adds up to ``relevance``); ``patches``: (P, p, p, 3) uint8, where it
    responds most in the reference images, ``sources`` their names and ``activations`` the
    activation there (P,).
    """

    channel: int
    relevance: float
    share: float
    heatmap: np.ndarray
    patches: np.ndarray
    sources: tuple[str, ...]
    activations: np.ndarray


@dataclass(frozen=True)
class ConceptReport:
    """The most relevant channels of ``layer`` (of ``channels``) for class ``target``.

    ``heatmap``: (S, S) float32, the full LRP heatmap; ``layer_relevance``: Σ_c R_c, the
    relevance that reaches the layer; ``logit``: the target's logit it started from;
    ``view``: (S, S, 3) uint8.
    """

    model: str
    layer: str
    target: int
    label: str
    channels: int
    concepts: tuple[Concept, ...]
    heatmap: np.ndarray
    layer_relevance: float
    logit: float
    view: np.ndarray
    seconds: float


@contextmanager
def _no_stray_hooks(network: nn.Module) -> Iterator[None]:
    """Remove in ``finally`` every forward hook added to ``network`` inside the block."""
    before = {id(m): set(m._forward_hooks) for m in network.modules()}
    try:
        yield
    finally:
        for module in network.modules():
            for key in set(module._forward_hooks) - before.get(id(module), set()):
                del module._forward_hooks[key]


def concepts(model: LoadedModel, image: np.ndarray, *, target: int, layer: str,
             references: Mapping[str, np.ndarray], count: float = 6) -> ConceptReport:
    """The ``count`` channels of ``layer`` with the most relevance for class ``target`` in
    ``image``, each with its conditional heatmap and its reference patches from
    ``references`` (name → RGB uint8 image). Cached by all inputs."""
    check_rgb(image)
    target = check_target(model.categories, target=target)
    layer = check_layer(model, layer)
    count = check_int(("The number of channels", "Die Anzahl der Kanäle"), count, 1,
                      MAX_CONCEPTS)
    check_shared_lrp(model, COMPOSITE)
    for picture in references.values():
        check_rgb(picture)
    key = ("concepts", model.name, image_digest(image), target, layer, count,
           tuple((name, image_digest(picture)) for name, picture in references.items()))
    return cached(key, lambda: _concepts(model, image, target, layer, references, count))


def _concepts(model: LoadedModel, image: np.ndarray, target: int, layer: str,
              references: Mapping[str, np.ndarray], count: int) -> ConceptReport:
    start = time.perf_counter()
    view, pixels = view_and_pixels(image, model.spec.input_size)
    inputs = normalised(model, pixels)
    network = model.network
    with model.lock, _no_stray_hooks(network):
        composite = make_composite(COMPOSITE, network, example=inputs,
                                   low=normalised(model, torch.zeros_like(pixels)),
                                   high=normalised(model, torch.ones_like(pixels)))
        attribution = CondAttribution(network, no_param_grad=False)
        full = attribution(inputs.clone().requires_grad_(True), [{"y": [target]}], composite,
                           record_layer=[layer], exclude_parallel=False)
        relevance = full.relevances[layer]
        if relevance.dim() != 4:
            raise InputError(f"Layer '{layer}' does not output feature maps; pick a stage of "
                             "the network.",
                             f"Die Schicht '{layer}' gibt keine Merkmalskarten aus; wähle eine "
                             "Stufe des Netzes.")
        per_channel = ChannelConcept().attribute(relevance, abs_norm=False)[0]
        top = torch.argsort(per_channel, descending=True)[:count].tolist()
        conditional = attribution(inputs.clone().requires_grad_(True),
                                  [{layer: [c], "y": [target]} for c in top], composite,
                                  exclude_parallel=False)
        logit = float(full.prediction[0, target].detach())
    patches = reference_patches(model, layer, top, references)
    total = float(per_channel.abs().sum()) or 1.0
    found = tuple(
        Concept(channel=c, relevance=float(per_channel[c]), share=float(per_channel[c]) / total,
                heatmap=read_only(conditional.heatmap[i].float().cpu().numpy()), **patches[c])
        for i, c in enumerate(top))
    view.setflags(write=False)
    return ConceptReport(model=model.name, layer=layer, target=target,
                         label=model.categories[target], channels=int(relevance.shape[1]),
                         concepts=found, heatmap=read_only(full.heatmap[0].float().cpu().numpy()),
                         layer_relevance=float(per_channel.sum()), logit=logit, view=view,
                         seconds=time.perf_counter() - start)


def reference_patches(model: LoadedModel, layer: str, channels: list[int],
                      references: Mapping[str, np.ndarray]) -> dict[int, dict]:
    """For each of ``channels``: the :data:`PATCHES` reference images where it responds most
    and the square around that position (see the module's docstring), as the keyword
    arguments ``patches``, ``sources`` and ``activations`` of :class:`Concept`."""
    size = model.spec.input_size
    names = list(references)
    views = [view_and_pixels(references[name], size)[0] for name in names]
    if not names:
        return {c: dict(patches=np.zeros((0, 1, 1, 3), np.uint8), sources=(),
                        activations=np.zeros(0)) for c in channels}
    key = ("concept-references", model.name, layer,
           tuple((name, image_digest(references[name])) for name in names))
    stacked = cached(key, lambda: _reference_maps(model, layer, views))  # (N, C, h, w)
    height, width = stacked.shape[2:]
    side = min(size, max(size // 8, round(3 * size / height)))
    result = {}
    for c in channels:
        flat = stacked[:, c].flatten(1)
        best, where = flat.max(dim=1)
        order = torch.argsort(best, descending=True)[:PATCHES].tolist()
        crops = []
        for n in order:
            row, column = divmod(int(where[n]), width)
            crops.append(_crop(views[n], (row + 0.5) * size / height,
                               (column + 0.5) * size / width, side))
        result[c] = dict(patches=read_only(np.stack(crops)),
                         sources=tuple(names[n] for n in order),
                         activations=read_only(best[order].numpy()))
    return result


def _reference_maps(model: LoadedModel, layer: str, views: list[np.ndarray]) -> torch.Tensor:
    """``layer``'s activations (N, C, h, w) for each of ``views`` (S, S, 3) uint8."""
    maps = []
    for view in views:
        pixels = view_and_pixels(view, model.spec.input_size)[1]
        with model.lock, capture_outputs(model.network, [layer]) as seen, torch.no_grad():
            model.network(normalised(model, pixels))
        maps.append(seen[layer][0].float().cpu())
    return torch.stack(maps)


def _crop(view: np.ndarray, row: float, column: float, side: int) -> np.ndarray:
    """The ``side`` × ``side`` square of ``view`` centred at (row, column), moved inside."""
    size = view.shape[0]
    top = int(min(max(0, round(row - side / 2)), size - side))
    left = int(min(max(0, round(column - side / 2)), size - side))
    return view[top:top + side, left:left + side].copy()
