"""How well each description fits an image, the way CLIP measures it.

CLIP (Radford et al. 2021, "Learning Transferable Visual Models From Natural Language
Supervision", arXiv:2103.00020) encodes an image and a text into the same space; the cosine
of the two unit vectors, times a learned temperature ``exp(logit_scale)`` (100 in the OpenAI
checkpoints), is the logit, and a softmax over the logits of several texts says which one fits
best *among those given*. We encode the image once and all descriptions in one batched pass
(the slides encode image and text again for every description).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import torch

from core.cache import ResultCache
from core.checks import InputError, read_only
from core.clip.protocols import ClipModel
from core.clip.tokens import Tokenized, parse_descriptions, tokenize
from core.models import LoadedModel
from core.preprocess import check_rgb, image_digest, normalise, view_and_pixels

_IMAGES = ResultCache("clip.images", maxsize=64)
_TEXTS = ResultCache("clip.texts", maxsize=512)
_SCORES = ResultCache("clip.scores", maxsize=128)


def clip_parts(model: LoadedModel) -> tuple[ClipModel, object]:
    """The ``CLIPModel`` and the tokenizer of a loaded CLIP; ``InputError`` for other models."""
    network = model.network
    if model.spec.kind != "clip" or not hasattr(network, "clip"):
        raise InputError(f"{model.spec.title} is not a CLIP model; choose CLIP ViT-B/32.",
                         f"{model.spec.title} ist kein CLIP-Modell; wähle CLIP ViT-B/32.")
    return cast(ClipModel, network.clip), network.tokenizer


def model_key(model: LoadedModel) -> tuple:
    """What identifies one loaded network in a cache key (two labs may share a model name)."""
    return (model.name, id(model.network))


def features(output) -> torch.Tensor:
    """The projected embedding from ``get_*_features``: a tensor in transformers 4, an output
    object whose ``pooler_output`` holds it in transformers 5."""
    return output if isinstance(output, torch.Tensor) else output.pooler_output


def image_size(model: LoadedModel) -> int:
    clip, _ = clip_parts(model)
    return int(clip.config.vision_config.image_size)


def image_input(model: LoadedModel, image: np.ndarray) -> tuple[np.ndarray, torch.Tensor]:
    """The (S, S, 3) view CLIP sees (the whole image resized, as everywhere in the lab) and its
    normalised ``(1, 3, S, S)`` pixels on the model's device."""
    check_rgb(image)
    view, pixels = view_and_pixels(image, image_size(model))
    return view, normalise(pixels, model.spec, model.device)


def logit_scale(model: LoadedModel) -> float:
    """CLIP's learned temperature ``exp(logit_scale)``."""
    clip, _ = clip_parts(model)
    return float(clip.logit_scale.detach().exp().cpu())


def encode_pixels(model: LoadedModel, pixels: torch.Tensor) -> torch.Tensor:
    """Unit image embeddings (B, P) for normalised pixels (B, 3, S, S), no gradients."""
    clip, _ = clip_parts(model)
    with model.lock, torch.no_grad():
        embedding = features(clip.get_image_features(pixel_values=pixels.to(model.device)))
    return torch.nn.functional.normalize(embedding.float(), dim=-1)


def encode_image(model: LoadedModel, image: np.ndarray) -> torch.Tensor:
    """The unit embedding (1, P) of ``image`` (RGB uint8), cached per image."""
    check_rgb(image)

    def compute():
        return read_only(encode_pixels(model, image_input(model, image)[1]).cpu().numpy())

    cached = _IMAGES.get_or_compute((*model_key(model), image_digest(image)), compute)
    return torch.from_numpy(cached.copy()).to(model.device)


def tokenize_descriptions(model: LoadedModel, descriptions: str | Sequence[str]) -> Tokenized:
    """Parse (one per line), check and tokenize descriptions for this CLIP."""
    clip, tokenizer = clip_parts(model)
    config = clip.config.text_config
    return tokenize(tokenizer, parse_descriptions(descriptions),
                    context=int(config.max_position_embeddings), eos_token_id=config.eos_token_id)


def encode_tokens(model: LoadedModel, tokenized: Tokenized) -> torch.Tensor:
    """Unit text embeddings (N, P) of all descriptions in one batched pass (cached as a batch)."""
    clip, _ = clip_parts(model)

    def compute():
        ids, mask = tokenized.tensors(model.device)
        with model.lock, torch.no_grad():
            embedding = features(clip.get_text_features(input_ids=ids, attention_mask=mask))
        return read_only(torch.nn.functional.normalize(embedding.float(), dim=-1).cpu().numpy())

    key = (*model_key(model), tokenized.descriptions)
    return torch.from_numpy(_TEXTS.get_or_compute(key, compute).copy()).to(model.device)


@dataclass(frozen=True)
class Similarity:
    """Every description scored against one image.

    ``cosine``, ``logits`` (= ``scale`` × cosine) and ``probabilities`` (softmax of the logits
    over the given descriptions, so they sum to 1): (N,) float64, in the order given.
    ``tokenized`` says how CLIP read each description (with warnings for cut ones).
    """

    descriptions: tuple[str, ...]
    cosine: np.ndarray
    logits: np.ndarray
    probabilities: np.ndarray
    scale: float
    tokenized: Tokenized
    seconds: float

    @property
    def ranking(self) -> np.ndarray:
        """Indices of the descriptions, best fitting first (ties keep the given order)."""
        return np.argsort(-self.logits, kind="stable")

    @property
    def top(self) -> int:
        return int(self.ranking[0])

    @property
    def warnings(self) -> tuple[str, ...]:
        return self.tokenized.warnings


def similarity(model: LoadedModel, image: np.ndarray,
               descriptions: str | Sequence[str]) -> Similarity:
    """Cosine, logit and probability of each description (one per line) for ``image``.

    The image is encoded once and all descriptions in one batch; results are cached.
    Raises :class:`~core.checks.InputError` for no descriptions, too many, or a model that is
    not CLIP.
    """
    tokenized = tokenize_descriptions(model, descriptions)
    check_rgb(image)

    def compute() -> Similarity:
        start = time.perf_counter()
        image_embedding = encode_image(model, image)
        text_embedding = encode_tokens(model, tokenized)
        cosine = (text_embedding @ image_embedding[0]).double().cpu().numpy()
        scale = logit_scale(model)
        logits = scale * cosine
        probabilities = np.exp(logits - logits.max())
        probabilities /= probabilities.sum()
        return Similarity(descriptions=tokenized.descriptions, cosine=read_only(cosine),
                          logits=read_only(logits), probabilities=read_only(probabilities),
                          scale=scale, tokenized=tokenized, seconds=time.perf_counter() - start)

    key = (*model_key(model), image_digest(image), tokenized.descriptions)
    return _SCORES.get_or_compute(key, compute)

