"""CLIP: how well descriptions fit an image, which words and regions decide it, and whether
the explanations can be trusted.

``tokens`` (parsing, truncation, the pooling position), ``model`` (encoding and similarity),
``trace`` (the encoders run layer by layer for the explanations), ``relevance`` (raw
attention, rollout, Chefer et al. 2021, Grad-ECLIP), ``agreement`` (rank correlations and the
deletion check) and ``zeroshot`` (the 1000 ImageNet classes as sentences, embeddings cached).
Every public entry point takes a ``LoadedModel`` whose network is a
``core.models.sources.ClipNetwork`` (transformers' ``CLIPModel`` plus its tokenizer).

May import: torch, transformers (through the loaded model), numpy, scipy and ``core``
helpers. Never gradio or pyplot.
"""

from core.clip.agreement import (
    DELETION_METHODS,
    Agreement,
    Deletion,
    agreement,
    deletion_check,
)
from core.clip.model import Similarity, clip_parts, similarity
from core.clip.relevance import (
    IMAGE_METHODS,
    METHOD_TITLES,
    TOKEN_METHODS,
    ImageMethod,
    ImageRelevance,
    TokenMethod,
    TokenRelevance,
    image_relevance,
    token_relevance,
    words_and_regions,
)
from core.clip.tokens import (
    MAX_DESCRIPTIONS,
    SLIDES_DESCRIPTIONS,
    Tokenized,
    parse_descriptions,
)
from core.clip.zeroshot import PROMPT, ZeroShot, class_embeddings, zero_shot

__all__ = [
    "Agreement", "DELETION_METHODS", "Deletion", "IMAGE_METHODS", "ImageMethod", "ImageRelevance",
    "MAX_DESCRIPTIONS", "METHOD_TITLES", "PROMPT", "SLIDES_DESCRIPTIONS", "Similarity",
    "TOKEN_METHODS", "TokenMethod", "TokenRelevance", "Tokenized", "ZeroShot", "agreement",
    "class_embeddings", "clip_parts", "deletion_check", "image_relevance",
    "parse_descriptions", "similarity", "token_relevance", "words_and_regions", "zero_shot",
]
