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
tokens the end token can see (their 77-token padding would otherwise change it); and one
backward pass of the logit (= scale × cosine) serves both methods — Grad-ECLIP's map only
changes by that positive factor. Like their notebooks, token scores cover the words between
start and end token and sum to 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    token and after it; each row sums to 1 over the words (or is all 0). ``start_share``: (N,)
    the part of the end token's last-layer attention that goes to the start token (left out
    of the ``attention`` scores, which are renormalised over the words).
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


def token_relevance(model: LoadedModel, image: np.ndarray, descriptions: str | Sequence[str], *,
                    chefer_layers: int | None = None) -> TokenRelevance:
    """All three token methods for every description in one batched text pass (cached).

    Each description's score depends only on its own tokens, so the gradient of the summed
    logits gives every description's gradients at once. ``chefer_layers``: how many of the
    last layers Chefer's rule accumulates (default: all).
    """
    clip, _ = clip_parts(model)
    count = len(clip.text_model.encoder.layers)
    layers = count if chefer_layers is None else check_int(
        LAYERS, chefer_layers, 1, count, CHEFER)
    tokenized = tokenize_descriptions(model, descriptions)

    def compute() -> TokenRelevance:
        image_embedding = encode_image(model, image)
        ids, mask = tokenized.tensors(model.device)
        scale = clip.logit_scale.detach().exp()
        with model.lock, torch.enable_grad():
            trace = trace_text(clip, ids, mask)
            cosine = F.normalize(trace.embedding, dim=-1) @ image_embedding[0].to(trace.embedding)
            eclip_layers = trace.layers[-grad_eclip_layers(count):]
            inputs = [r.probabilities for r in trace.layers] + [r.context for r in eclip_layers]
            grads = torch.autograd.grad((scale * cosine).sum(), inputs)
        with torch.no_grad():
            eos = torch.tensor(tokenized.eos, device=ids.device)
            rows = torch.arange(ids.shape[0], device=ids.device)
            probabilities = [r.probabilities.detach() for r in trace.layers]
            chefer = chefer_relevance(probabilities, grads[:count], layers=layers)[rows, eos]
            last = probabilities[-1].mean(dim=1)[rows, eos]
            positions = torch.arange(ids.shape[1], device=ids.device)[None]
            visible = positions <= eos[:, None]
            # a tensor, not sum()'s start 0: grad_eclip_layers() is at least one layer
            terms = cast(torch.Tensor, sum(grad_eclip_terms(r, g.detach(), eos, visible)
                                           for r, g in zip(eclip_layers, grads[count:])))
            scores = {"attention": _words_only(last, eos), "chefer": _words_only(chefer, eos),
                      "grad_eclip": _words_only(terms.clamp(min=0), eos)}
            return TokenRelevance(
                tokenized=tokenized,
                scores={m: read_only(s.float().cpu().numpy()) for m, s in scores.items()},
                start_share=read_only(last[:, 0].float().cpu().numpy()))

    key = (*model_key(model), image_digest(image), tokenized.descriptions, layers)
    return _TOKENS.get_or_compute(key, compute)


@dataclass(frozen=True)
class ImageRelevance:
    """Image maps of one description: ``patches[method]`` (g, g) float32 ≥ 0, one value per
    image patch; ``view`` (S, S, 3) what CLIP saw; ``image_shape`` the original (H, W)."""

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


def image_relevance(model: LoadedModel, image: np.ndarray, description: str, *,
                    chefer_layers: int | None = None) -> ImageRelevance:
    """Raw attention, rollout, Chefer and Grad-ECLIP maps of ``image`` for one description."""
    clip, _ = clip_parts(model)
    count = len(clip.vision_model.encoder.layers)
    layers = count if chefer_layers is None else check_int(
        LAYERS, chefer_layers, 1, count, CHEFER)
    tokenized = tokenize_descriptions(model, [description])

    def compute() -> ImageRelevance:
        text_embedding = encode_tokens(model, tokenized)[0]
        view, pixels = image_input(model, image)
        scale = clip.logit_scale.detach().exp()
        with model.lock, torch.enable_grad():
            trace = trace_image(clip, pixels)
            cosine = F.normalize(trace.embedding, dim=-1)[0] @ text_embedding.to(trace.embedding)
            last = trace.layers[-1]
            inputs = [r.probabilities for r in trace.layers] + [last.context]
            grads = torch.autograd.grad(scale * cosine, inputs)
        with torch.no_grad():
            probabilities = [r.probabilities.detach() for r in trace.layers]
            pooled = torch.zeros(1, dtype=torch.long, device=pixels.device)
            visible = torch.ones(last.key.shape[:2], dtype=torch.bool, device=pixels.device)
            rows = {"attention": probabilities[-1].mean(dim=1)[0, 0],
                    "rollout": rollout(probabilities)[0, 0],
                    "chefer": chefer_relevance(probabilities, grads[:count], layers=layers)[0, 0],
                    "grad_eclip": grad_eclip_terms(last, grads[-1].detach(), pooled, visible)[0]}
            side = int(round((last.key.shape[1] - 1) ** 0.5))
            patches = {m: read_only(r[1:].clamp(min=0).reshape(side, side).float().cpu().numpy())
                       for m, r in rows.items()}
            return ImageRelevance(description=tokenized.descriptions[0], patches=patches,
                                  view=read_only(view), image_shape=tuple(image.shape[:2]),
                                  cosine=float(cosine.detach()))

    key = (*model_key(model), image_digest(image), tokenized.descriptions, layers)
    return _IMAGES.get_or_compute(key, compute)


def _check_method(method: str, known: tuple[str, ...]) -> None:
    if method not in known:
        raise InputError(f"Unknown method '{method}'. Choose one of: {', '.join(known)}.",
                         f"Unbekannte Methode „{method}“. Wähle eine von: {', '.join(known)}.")

