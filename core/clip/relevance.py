"""Which words and which image regions make CLIP match a description: three answers.

1. ``attention`` — what the slides show: the attention that the pooled token (end-of-text for
   the text, the class token for the image) pays to each token in the *last* layer, averaged
   over heads. Cheap, and not an explanation: it ignores the values, the other layers and
   whether the match score depends on the token at all. For images we also draw attention
   rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"), the same idea
   multiplied through all layers.
2. ``chefer`` — gradient-weighted attention relevance (Chefer, Gur & Wolf, ICCV 2021, "Generic
   Attention-model Explainability for Interpreting Bi-Modal and Encoder-Decoder Transformers",
   arXiv:2103.15679): per layer ``Ā = mean_heads(max(0, ∇A ⊙ A))`` with ∇A the gradient of the
   image–text logit, accumulated as ``R ← R + Ā·R`` from ``R = I``; the pooled token's row of R.
3. ``grad_eclip`` — Grad-ECLIP (Zhao, Wang, Zeng, Zhao & Chan, ICML 2024, "Gradient-based
   Visual Explanation for Transformer-based CLIP", PMLR 235, proceedings.mlr.press/v235/zhao24p;
   extended as "Grad-ECLIP: Gradient-based Visual and Textual Explanations for CLIP",
   arXiv:2502.18816): position i gets
   ``max(0, Σ_c w_c · λ_i · v_ic)``, with channel weights ``w`` = the gradient of the cosine
   with respect to the pooled token's attention output, ``v_i`` the values and ``λ_i`` the
   min–max-normalised cosine between the pooled token's query and key i (the "loosened"
   attention). The text map sums the last two thirds of the layers (8 of 12, as the authors'
   text notebook does), the image map uses the last layer.

Both gradient methods are written by hand after the authors' code
(github.com/hila-chefer/Transformer-MM-Explainability, CLIP_explainability.ipynb;
github.com/Cyang-Zhao/Grad-Eclip, generate_emap.py) because no maintained library implements
them for transformers' ``CLIPModel``. Where we differ from that code: we keep the model's
multi-head attention in the Grad-ECLIP pass (their script recomputes the last block with a
single head); λ uses the query and key projections as their text notebook does (their image
script first passes them through the output projection); the text's λ is normalised over the
tokens the end token can see (their 77-token padding would otherwise change it); and the
gradient of the logit (= scale × cosine) serves both methods — Grad-ECLIP's map only changes
by that positive factor. Like their notebooks, token scores cover the words between start
and end token and sum to 1.

The text takes one backward pass for both methods; the image takes two from the same forward
pass, Grad-ECLIP's through the last layer first (a few milliseconds), then Chefer's through
every layer, so that a view can show the cheap maps first (:func:`words_and_regions`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast, get_args

import numpy as np
import torch
from torch.nn import functional as F

from core.cache import ResultCache
from core.checks import InputError, check_int, read_only
from core.clip.model import (
    clip_parts,
    encode_image,
    encode_tokens,
    image_input,
    model_key,
    tokenize_descriptions,
)
from core.clip.tokens import Tokenized
from core.clip.trace import LayerTrace, trace_image, trace_text
from core.models import LoadedModel
from core.preprocess import image_digest
from core.progress import stop_if

TokenMethod = Literal["attention", "chefer", "grad_eclip"]
ImageMethod = Literal["attention", "rollout", "chefer", "grad_eclip"]
TOKEN_METHODS: tuple[TokenMethod, ...] = get_args(TokenMethod)
IMAGE_METHODS: tuple[ImageMethod, ...] = get_args(ImageMethod)
METHOD_TITLES = {"attention": "Raw attention (last layer)", "rollout": "Attention rollout",
                 "chefer": "Chefer et al. 2021", "grad_eclip": "Grad-ECLIP"}

_TOKENS = ResultCache("clip.tokens", maxsize=64)
_IMAGES = ResultCache("clip.image_maps", maxsize=64)

#: How the layer count of Chefer's rule is named in a sentence (English, German).
LAYERS = ("The number of layers", "Die Zahl der Schichten")
CHEFER = (" (Chefer's accumulation)", " (in Chefers Akkumulation)")


def chefer_relevance(probabilities: Sequence[torch.Tensor], gradients: Sequence[torch.Tensor],
                     *, layers: int) -> torch.Tensor:
    """Chefer et al.'s rule over the last ``layers`` layers: (B, L, L) relevance R.

    ``probabilities``/``gradients``: one (B, heads, L, L) tensor per layer, first to last.
    """
    batch, _, length, _ = probabilities[0].shape
    eye = torch.eye(length, dtype=probabilities[0].dtype, device=probabilities[0].device)
    relevance = eye.expand(batch, length, length).clone()
    for attention, gradient in list(zip(probabilities, gradients))[-layers:]:
        weighted = (gradient * attention).clamp(min=0).mean(dim=1)
        relevance = relevance + torch.bmm(weighted, relevance)
    return relevance


def rollout(probabilities: Sequence[torch.Tensor]) -> torch.Tensor:
    """Attention rollout: ``(Ā + I)`` row-normalised, multiplied from the first layer up
    (B, L, L)."""
    joint: torch.Tensor | None = None
    for attention in probabilities:
        mean = attention.mean(dim=1)
        mixed = mean + torch.eye(mean.shape[-1], dtype=mean.dtype, device=mean.device)
        mixed = mixed / mixed.sum(dim=-1, keepdim=True)
        joint = mixed if joint is None else torch.bmm(mixed, joint)
    if joint is None:
        raise ValueError("Attention rollout needs at least one layer.")
    return joint


def grad_eclip_terms(record: LayerTrace, gradient: torch.Tensor, pooled: torch.Tensor,
                     visible: torch.Tensor) -> torch.Tensor:
    """One layer's Grad-ECLIP term before the ReLU: (B, L) ``Σ_c w_c λ_i v_ic``.

    ``gradient``: (B, L, D) d(score)/d(context); ``pooled``: (B,) the pooled position;
    ``visible``: (B, L) bool, the positions over which λ is min–max normalised (others get 0).
    """
    rows = torch.arange(pooled.shape[0], device=pooled.device)
    weights = gradient[rows, pooled]                                      # (B, D)
    query = F.normalize(record.query[rows, pooled], dim=-1)               # (B, D)
    cosine = (F.normalize(record.key, dim=-1) * query[:, None]).sum(-1)  # (B, L)
    high = cosine.masked_fill(~visible, -torch.inf).amax(dim=-1, keepdim=True)
    low = cosine.masked_fill(~visible, torch.inf).amin(dim=-1, keepdim=True)
    loosened = ((cosine - low) / (high - low).clamp_min(1e-12)).masked_fill(~visible, 0.0)
    return (weights[:, None, :] * record.value).sum(-1) * loosened


def grad_eclip_layers(count: int) -> int:
    """How many of the last text layers Grad-ECLIP sums: two thirds, at least one."""
    return max(1, round(2 * count / 3))


@dataclass(frozen=True)
class TokenRelevance:
    """Token scores of every description for one image.

    ``scores[method]``: (N, L) float32 over the padded tokens; 0 at the start token, at the end
    token and after it; each row sums to 1 over the words (or is all 0). Every method in a
    complete result; while it is computed (:func:`words_and_regions`), those done so far.
    ``start_share``: (N,) the part of the end token's last-layer attention that goes to the
    start token (left out of the ``attention`` scores, which are renormalised over the words).
    """

    tokenized: Tokenized
    scores: Mapping[str, np.ndarray]
    start_share: np.ndarray

    def of(self, method: TokenMethod, index: int) -> np.ndarray:
        """(eos+1,) scores of description ``index``, one per token from start to end token."""
        _check_method(method, TOKEN_METHODS)
        return self.scores[method][index, : int(self.tokenized.eos[index]) + 1]


def _words_only(values: torch.Tensor, eos: torch.Tensor) -> torch.Tensor:
    """Keep positions 1..eos−1 of each row (B, L), rescaled to sum to 1 (all-zero rows stay 0)."""
    positions = torch.arange(values.shape[-1], device=values.device)[None]
    kept = values.clamp(min=0) * ((positions > 0) & (positions < eos[:, None]))
    total = kept.sum(-1, keepdim=True)
    return torch.where(total > 0, kept / total.clamp_min(1e-30), kept)


def _layer_count(chefer_layers: int | None, count: int) -> int:
    """How many of the last ``count`` layers Chefer's rule accumulates (default: all)."""
    return count if chefer_layers is None else check_int(LAYERS, chefer_layers, 1, count, CHEFER)


class _TextPass:
    """The text encoder run for every description against one image, in two steps: the forward
    pass gives raw attention, one backward pass Chefer's and Grad-ECLIP's scores.

    Each description's score depends only on its own tokens, so the gradient of the summed
    logits gives every description's gradients at once.
    """

    def __init__(self, model: LoadedModel, image: np.ndarray, descriptions: str | Sequence[str],
                 chefer_layers: int | None):
        self.model, self.image = model, image
        self.clip, _ = clip_parts(model)
        self.count = len(self.clip.text_model.encoder.layers)
        self.layers = _layer_count(chefer_layers, self.count)
        self.tokenized = tokenize_descriptions(model, descriptions)
        self.key = (*model_key(model), image_digest(image), self.tokenized.descriptions,
                    self.layers)
        self.scores: dict[str, torch.Tensor] = {}

    def forward(self) -> TokenRelevance:
        """The forward pass, in the autograd graph: raw attention."""
        image_embedding = encode_image(self.model, self.image)
        ids, mask = self.tokenized.tensors(self.model.device)
        scale = self.clip.logit_scale.detach().exp()
        with self.model.lock, torch.enable_grad():
            self.trace = trace_text(self.clip, ids, mask)
            embedding = self.trace.embedding
            cosine = F.normalize(embedding, dim=-1) @ image_embedding[0].to(embedding)
            self.logits = (scale * cosine).sum()
        with torch.no_grad():
            self.eos = torch.tensor(self.tokenized.eos, device=ids.device)
            self.rows = torch.arange(ids.shape[0], device=ids.device)
            self.positions = torch.arange(ids.shape[1], device=ids.device)[None]
            last = self.trace.layers[-1].probabilities.detach().mean(dim=1)[self.rows, self.eos]
            self.scores["attention"] = _words_only(last, self.eos)
            self.start_share = last[:, 0]
        return self.result()

    def gradients(self) -> TokenRelevance:
        """One backward pass of the summed logits: Chefer's and Grad-ECLIP's scores."""
        layers = self.trace.layers
        eclip_layers = layers[-grad_eclip_layers(self.count):]
        inputs = [r.probabilities for r in layers] + [r.context for r in eclip_layers]
        with self.model.lock, torch.enable_grad():
            grads = torch.autograd.grad(self.logits, inputs)
        with torch.no_grad():
            eos = self.eos
            probabilities = [r.probabilities.detach() for r in layers]
            chefer = chefer_relevance(probabilities, grads[:self.count],
                                      layers=self.layers)[self.rows, eos]
            visible = self.positions <= eos[:, None]
            # a tensor, not sum()'s start 0: grad_eclip_layers() is at least one layer
            terms = cast(torch.Tensor, sum(grad_eclip_terms(r, g.detach(), eos, visible)
                                           for r, g in zip(eclip_layers, grads[self.count:])))
            self.scores["chefer"] = _words_only(chefer, eos)
            self.scores["grad_eclip"] = _words_only(terms.clamp(min=0), eos)
        return self.result()

    def complete(self) -> TokenRelevance:
        """Both steps."""
        self.forward()
        return self.gradients()

    def result(self) -> TokenRelevance:
        """The scores of the methods computed so far."""
        return TokenRelevance(
            tokenized=self.tokenized,
            scores={m: read_only(s.float().cpu().numpy()) for m, s in self.scores.items()},
            start_share=read_only(self.start_share.float().cpu().numpy()))


def token_relevance(model: LoadedModel, image: np.ndarray, descriptions: str | Sequence[str], *,
                    chefer_layers: int | None = None) -> TokenRelevance:
    """All three token methods for every description in one batched text pass (cached).

    Each description's score depends only on its own tokens, so the gradient of the summed
    logits gives every description's gradients at once. ``chefer_layers``: how many of the
    last layers Chefer's rule accumulates (default: all).
    """
    work = _TextPass(model, image, descriptions, chefer_layers)
    return _TOKENS.get_or_compute(work.key, work.complete)


@dataclass(frozen=True)
class ImageRelevance:
    """Image maps of one description: ``patches[method]`` (g, g) float32 ≥ 0, one value per
    image patch (every method in a complete result; while it is computed,
    :func:`words_and_regions`, those done so far); ``view`` (S, S, 3) what CLIP saw;
    ``image_shape`` the original (H, W)."""

    description: str
    patches: Mapping[str, np.ndarray]
    view: np.ndarray
    image_shape: tuple[int, int]
    cosine: float

    def image_map(self, method: ImageMethod, shape: tuple[int, int] | None = None) -> np.ndarray:
        """The map of ``method`` stretched bilinearly over the image: (H, W) float32."""
        _check_method(method, IMAGE_METHODS)
        height, width = shape or self.image_shape
        patches = torch.from_numpy(self.patches[method].copy())[None, None]
        stretched = F.interpolate(patches, size=(height, width), mode="bilinear",
                                  align_corners=False)
        return stretched[0, 0].numpy()


class _ImagePass:
    """The image encoder run for one description, in three steps: the forward pass gives raw
    attention and rollout, a backward pass through the last layer Grad-ECLIP's map, one through
    every layer Chefer's."""

    def __init__(self, model: LoadedModel, image: np.ndarray, description: str,
                 chefer_layers: int | None):
        self.model, self.image = model, image
        self.clip, _ = clip_parts(model)
        self.layers = _layer_count(chefer_layers, len(self.clip.vision_model.encoder.layers))
        self.tokenized = tokenize_descriptions(model, [description])
        self.key = (*model_key(model), image_digest(image), self.tokenized.descriptions,
                    self.layers)
        self.patches: dict[str, np.ndarray] = {}

    def forward(self) -> ImageRelevance:
        """The forward pass, in the autograd graph: raw attention and rollout."""
        text_embedding = encode_tokens(self.model, self.tokenized)[0]
        view, pixels = image_input(self.model, self.image)
        self.view = read_only(view)
        scale = self.clip.logit_scale.detach().exp()
        with self.model.lock, torch.enable_grad():
            self.trace = trace_image(self.clip, pixels)
            embedding = self.trace.embedding
            self.cosine = F.normalize(embedding, dim=-1)[0] @ text_embedding.to(embedding)
            self.logit = scale * self.cosine
        with torch.no_grad():
            probabilities = [r.probabilities.detach() for r in self.trace.layers]
            self.side = int(round((self.trace.layers[-1].key.shape[1] - 1) ** 0.5))
            self.patches["attention"] = self._patches(probabilities[-1].mean(dim=1)[0, 0])
            self.patches["rollout"] = self._patches(rollout(probabilities)[0, 0])
        return self.result()

    def grad_eclip(self) -> ImageRelevance:
        """A backward pass through the last layer only: Grad-ECLIP's map (the graph is kept
        for Chefer's)."""
        last = self.trace.layers[-1]
        with self.model.lock, torch.enable_grad():
            (gradient,) = torch.autograd.grad(self.logit, [last.context], retain_graph=True)
        with torch.no_grad():
            pooled = torch.zeros(1, dtype=torch.long, device=gradient.device)
            visible = torch.ones(last.key.shape[:2], dtype=torch.bool, device=gradient.device)
            terms = grad_eclip_terms(last, gradient.detach(), pooled, visible)
            self.patches["grad_eclip"] = self._patches(terms[0])
        return self.result()

    def chefer(self) -> ImageRelevance:
        """A backward pass through every layer: Chefer's map."""
        probabilities = [r.probabilities for r in self.trace.layers]
        with self.model.lock, torch.enable_grad():
            grads = torch.autograd.grad(self.logit, probabilities)
        with torch.no_grad():
            relevance = chefer_relevance([p.detach() for p in probabilities], grads,
                                         layers=self.layers)
            self.patches["chefer"] = self._patches(relevance[0, 0])
        return self.result()

    def complete(self) -> ImageRelevance:
        """All three steps."""
        self.forward()
        self.grad_eclip()
        return self.chefer()

    def _patches(self, row: torch.Tensor) -> np.ndarray:
        """The pooled token's row without itself, one value ≥ 0 per patch: (g, g)."""
        side = self.side
        return read_only(row[1:].clamp(min=0).reshape(side, side).float().cpu().numpy())

    def result(self) -> ImageRelevance:
        """The maps of the methods computed so far (in :data:`IMAGE_METHODS` order)."""
        return ImageRelevance(
            description=self.tokenized.descriptions[0],
            patches={m: self.patches[m] for m in IMAGE_METHODS if m in self.patches},
            view=self.view, image_shape=(self.image.shape[0], self.image.shape[1]),
            cosine=float(self.cosine.detach()))


def image_relevance(model: LoadedModel, image: np.ndarray, description: str, *,
                    chefer_layers: int | None = None) -> ImageRelevance:
    """Raw attention, rollout, Chefer and Grad-ECLIP maps of ``image`` for one description."""
    work = _ImagePass(model, image, description, chefer_layers)
    return _IMAGES.get_or_compute(work.key, work.complete)


def words_and_regions(model: LoadedModel, image: np.ndarray,
                      descriptions: str | Sequence[str], description: str, *,
                      chefer_layers: int | None = None,
                      on_result: Callable[[TokenRelevance | ImageRelevance], None] | None = None,
                      should_stop: Callable[[], bool] | None = None,
                      ) -> tuple[TokenRelevance, ImageRelevance]:
    """:func:`token_relevance` of ``descriptions`` and :func:`image_relevance` of
    ``description``, the cheap passes first: the forward passes of the text and the image
    (raw attention, rollout), the backward pass through the last image layer (Grad-ECLIP's
    map), through every image layer (Chefer's map), then the text's (Chefer's and
    Grad-ECLIP's token scores). At CLIP ViT-B/32's sizes on two CPU cores these take about
    100, 65, 5, 65 and 110 ms.

    ``on_result`` gets each result so far (a ``TokenRelevance`` or an ``ImageRelevance``
    holding the methods computed up to then; a cached one at once), and ``should_stop()`` is
    asked before each pass (``Stopped``). Cached as by the two functions.
    """
    text = _TextPass(model, image, descriptions, chefer_layers)
    picture = _ImagePass(model, image, description, chefer_layers)
    tokens, maps = _TOKENS.get(text.key), _IMAGES.get(picture.key)
    passes: list[Callable[[], TokenRelevance | ImageRelevance]] = []
    for known in (tokens, maps):
        if known is not None and on_result is not None:
            on_result(known)
    if tokens is None:
        passes.append(text.forward)
    if maps is None:
        passes += [picture.forward, picture.grad_eclip, picture.chefer]
    if tokens is None:
        passes.append(text.gradients)
    for step in passes:
        stop_if(should_stop)
        result = step()
        if on_result is not None:
            on_result(result)
    if tokens is None:
        tokens = text.result()
        _TOKENS.put(text.key, tokens)
    if maps is None:
        maps = picture.result()
        _IMAGES.put(picture.key, maps)
    return tokens, maps


def _check_method(method: str, known: tuple[str, ...]) -> None:
    if method not in known:
        raise InputError(f"Unknown method '{method}'. Choose one of: {', '.join(known)}.",
                         f"Unbekannte Methode „{method}“. Wähle eine von: {', '.join(known)}.")

