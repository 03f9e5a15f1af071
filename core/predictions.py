"""What a classifier says about an image: top-k classes, class search and target checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core.cache import ResultCache
from core.checks import InputError, excerpt
from core.models import LoadedModel
from core.preprocess import check_rgb, image_digest, model_view, to_tensor

_CACHE = ResultCache("predictions", maxsize=256)


@dataclass(frozen=True)
class Prediction:
    """One class with its index, name and softmax probability."""

    index: int
    label: str
    probability: float


@dataclass(frozen=True)
class ClassMatch:
    """A class whose name contains the search text."""

    index: int
    label: str


def top_predictions(logits: torch.Tensor, categories: tuple[str, ...],
                    k: int = 5) -> tuple[Prediction, ...]:
    """The ``k`` most probable classes of a ``(1, n_classes)`` logit tensor, best first."""
    probabilities = logits.detach().float().softmax(dim=-1)[0].cpu()
    values, indices = probabilities.topk(min(k, probabilities.numel()))
    return tuple(
        Prediction(index=int(i),
                   label=categories[int(i)] if int(i) < len(categories) else str(int(i)),
                   probability=float(p))
        for p, i in zip(values, indices)
    )


def _key(model: LoadedModel, image: np.ndarray, top_k: int) -> tuple:
    return (model.name, image_digest(image), top_k)


def classify(model: LoadedModel, image: np.ndarray, *, top_k: int = 5) -> tuple[Prediction, ...]:
    """The model's ``top_k`` classes for ``image`` (RGB uint8), best first (cached).

    A pass that already computed them (``core.activations``) hands them in with
    :func:`remember`, so the same image is not classified twice.
    """
    check_rgb(image)

    def compute():
        batch = to_tensor(model_view(image, model.spec.input_size), model.spec, model.device)
        with model.lock, torch.no_grad():
            logits = model.network(batch)
        return top_predictions(logits, model.categories, top_k)

    return _CACHE.get_or_compute(_key(model, image, top_k), compute)


def remember(model: LoadedModel, image: np.ndarray, predictions: tuple[Prediction, ...]) -> None:
    """Store predictions computed elsewhere for the same image, so :func:`classify` reuses them."""
    _CACHE.put(_key(model, image, len(predictions)), predictions)


def check_target(categories: Sequence[str], *, target: int | float | None) -> int:
    """The class index as an int; ``InputError`` when it is missing, fractional or out of range."""
    count = len(categories)
    if (target is None or isinstance(target, bool) or not np.isfinite(target)
            or int(target) != target):
        raise InputError(f"The target class must be a whole number from 0 to {count - 1}.",
                         f"Die Zielklasse muss eine ganze Zahl von 0 bis {count - 1} sein.")
    if not 0 <= int(target) < count:
        raise InputError(f"Class index {int(target)} is out of range: this model knows "
                         f"classes 0 to {count - 1}.",
                         f"Der Klassenindex {int(target)} liegt außerhalb des Bereichs: dieses "
                         f"Modell kennt die Klassen 0 bis {count - 1}.")
    return int(target)


def find_class(categories: Sequence[str], query: str, *, limit: int = 10) -> tuple[ClassMatch, ...]:
    """Classes whose name contains ``query`` (case-insensitive), like the notebook's find_class.

    A whole number (optionally with ``#``) is read as a class index. Raises ``InputError`` when
    nothing matches.
    """
    text = (query or "").strip()
    if not text:
        raise InputError("Type part of a class name to search for, e.g. 'cat'.",
                         "Tippe einen Teil eines Klassennamens ein, nach dem gesucht werden soll, "
                         "z. B. 'cat'.")
    if text.lstrip("#").isdigit():
        index = check_target(categories, target=int(text.lstrip("#")))
        return (ClassMatch(index, categories[index]),)
    matches = [ClassMatch(i, name) for i, name in enumerate(categories)
               if text.lower() in name.lower()]
    if not matches:
        raise InputError(f"No class name contains '{excerpt(text)}'. "
                         "Try a shorter or an English word.",
                         f"Kein Klassenname enthält '{excerpt(text)}'. "
                         "Versuche ein kürzeres oder ein englisches Wort.")
    return tuple(matches[:limit])

