"""Zero-shot classification: CLIP picks the ImageNet class whose description fits best.

As in Radford et al. 2021 (arXiv:2103.00020, section 3.1.2), each class becomes a sentence,
here ``"a photo of a {class}."`` with torchvision's 1000 class names (not the paper's curated
names and 80-prompt ensemble, so accuracy is a little lower than reported). The 1000 sentence
embeddings do not depend on the image: they are computed once per model, in batches, and
cached; after that a request only encodes the image.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from core.cache import ResultCache
from core.checks import check_int, read_only
from core.clip.model import clip_parts, encode_image, features, logit_scale, model_key
from core.clip.tokens import token_counts, tokenize
from core.models import LoadedModel
from core.models.sources import imagenet_categories
from core.predictions import Prediction
from core.preprocess import check_rgb, image_digest
from core.progress import Progress, report

PROMPT = "a photo of a {}."
BATCH = 250

_CLASSES = ResultCache("clip.classes", maxsize=4)
_RESULTS = ResultCache("clip.zero_shot", maxsize=128)


def class_prompts(categories: tuple[str, ...], prompt: str = PROMPT) -> tuple[str, ...]:
    """One sentence per class name."""
    return tuple(prompt.format(name) for name in categories)




def encode_prompts(model: LoadedModel, prompts: tuple[str, ...], *, batch: int = BATCH,
                   progress: Progress | None = None) -> np.ndarray:
    """Unit embeddings (C, P) float32 of ``prompts``, ``batch`` at a time (not cached);
    ``progress(fraction, text)`` hears about every batch.

    Sentences of similar length share a batch (less padding); the model's lock is held per
    batch, so other requests can run in between.
    """
    clip, tokenizer = clip_parts(model)
    config = clip.config.text_config
    lengths = token_counts(tokenizer, prompts)
    order = np.argsort(lengths, kind="stable")
    embeddings = np.zeros((len(prompts), int(clip.config.projection_dim)), dtype=np.float32)
    for start in range(0, len(prompts), batch):
        report(progress, start / len(prompts), "class_sentences", count=len(prompts))
        chosen = order[start: start + batch]
        tokenized = tokenize(tokenizer, [prompts[i] for i in chosen],
                             context=int(config.max_position_embeddings),
                             eos_token_id=config.eos_token_id)
        ids, mask = tokenized.tensors(model.device)
        with model.lock, torch.no_grad():
            embedding = features(clip.get_text_features(input_ids=ids, attention_mask=mask))
        embeddings[chosen] = torch.nn.functional.normalize(embedding.float(), dim=-1).cpu().numpy()
    return embeddings


def class_embeddings(model: LoadedModel, *, progress: Progress | None = None) -> np.ndarray:
    """The (1000, P) unit embeddings of the ImageNet class sentences, computed once per model."""
    def compute():
        prompts = class_prompts(imagenet_categories())
        return read_only(encode_prompts(model, prompts, progress=progress))

    return _CLASSES.get_or_compute((*model_key(model), PROMPT), compute)


@dataclass(frozen=True)
class ZeroShot:
    """CLIP's ``top_k`` ImageNet classes for one image, best first, with softmax probabilities
    over all 1000 classes; ``prompt`` is the sentence template, ``seconds`` the time taken."""

    predictions: tuple[Prediction, ...]
    prompt: str
    seconds: float


def zero_shot(model: LoadedModel, image: np.ndarray, *, top_k: int = 5,
              progress: Progress | None = None) -> ZeroShot:
    """Classify ``image`` (RGB uint8) into the 1000 ImageNet classes by text similarity.

    ``progress`` hears about the one-time encoding of the class sentences.
    """
    top_k = check_int(("top_k", "top_k"), top_k, 1, 1000)
    clip_parts(model)
    check_rgb(image)

    def compute() -> ZeroShot:
        start = time.perf_counter()
        classes = torch.from_numpy(class_embeddings(model, progress=progress).copy())
        image_embedding = encode_image(model, image).float().cpu()[0]
        logits = logit_scale(model) * (classes @ image_embedding)
        probabilities = logits.double().softmax(dim=-1)
        values, indices = probabilities.topk(top_k)
        names = imagenet_categories()
        predictions = tuple(Prediction(index=int(i), label=names[int(i)], probability=float(p))
                            for p, i in zip(values, indices))
        return ZeroShot(predictions=predictions, prompt=PROMPT,
                        seconds=time.perf_counter() - start)

    return _RESULTS.get_or_compute((*model_key(model), image_digest(image), top_k), compute)

