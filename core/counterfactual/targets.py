"""What the counterfactual should become: any dog, one class, or anything but the current class.

A target is a *set* of class indices that count as success. The optimisation and the region
swap maximise the probability of the whole set, ``log Σ_{c∈T} softmax(z)_c``, so "any dog"
is one goal (the 118 ImageNet dog breeds together) instead of 118 separate ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import torch

from core.checks import InputError
from core.predictions import check_target

TargetKind = Literal["dog", "class", "other"]
TARGET_KINDS: tuple[TargetKind, ...] = ("dog", "class", "other")

IMAGENET_CLASSES = 1000
DOG_FIRST, DOG_LAST = 151, 268
"""ImageNet-1k's domestic dog breeds are the contiguous indices 151 (Chihuahua) to 268
(Mexican hairless); 269 onwards are wolves, foxes and other canids, 150 is a sea lion."""


def dog_classes(categories: Sequence[str]) -> tuple[int, ...]:
    """The indices of ImageNet's dog breeds for a 1000-class ImageNet model.

    Raises :class:`~core.checks.InputError` for a model with other classes (the group is
    defined by ImageNet).
    """
    if len(categories) != IMAGENET_CLASSES:
        raise InputError(f"'Any dog' needs a model with the 1000 ImageNet classes; this one knows "
                         f"{len(categories)} classes. Choose one class as the target instead.",
                         f"„Irgendein Hund“ braucht ein Modell mit den 1000 ImageNet-Klassen; "
                         f"dieses kennt {len(categories)} Klassen. Wähle stattdessen eine Klasse "
                         "als Ziel.")
    return tuple(range(DOG_FIRST, DOG_LAST + 1))


def reaches(probability: float, threshold: float) -> bool:
    """Whether a target probability counts as success: at least the stop threshold. The one
    rule of both methods (when a run stops, whether it reached the target) and of their
    reality checks (whether a check keeps the target)."""
    return float(probability) >= threshold


@dataclass(frozen=True)
class Target:
    """The classes that count as success.

    ``classes``: sorted indices; ``original``: the start image's top class (for ``other`` it
    is the one class left out); ``class_name``: the name of the one class of kind ``class``
    (empty for the others). The tabs word the target from these.
    """

    kind: TargetKind
    classes: tuple[int, ...]
    original: int
    class_name: str = ""

    def __contains__(self, index: object) -> bool:
        return index in self.classes

    def indices(self, device: torch.device | str = "cpu") -> torch.Tensor:
        return torch.tensor(self.classes, dtype=torch.long, device=device)


def resolve_target(categories: Sequence[str], *, kind: TargetKind, original: int,
                   class_index: int | float | None = None) -> Target:
    """The :class:`Target` for ``kind`` on a model with ``categories``.

    ``original`` is the start image's top class; ``class_index`` is needed for ``"class"`` and
    must differ from ``original``. Raises :class:`~core.checks.InputError` otherwise.
    """
    original = check_target(categories, target=original)
    if kind == "dog":
        classes = dog_classes(categories)
        return Target(kind, classes, original)
    if kind == "class":
        if class_index is None:
            raise InputError("Choose the target class: type its index or search its name.",
                             "Wähle die Zielklasse: Gib ihren Index ein oder suche ihren Namen.")
        index = check_target(categories, target=class_index)
        if index == original:
            raise InputError(f"#{index} {categories[index]} is already what the model sees in "
                             "this image; choose another class as the target.",
                             f"#{index} {categories[index]} sieht das Modell in diesem Bild "
                             "schon; wähle eine andere Klasse als Zielklasse.")
        return Target(kind, (index,), original, categories[index])
    if kind == "other":
        classes = tuple(i for i in range(len(categories)) if i != original)
        return Target(kind, classes, original)
    raise InputError(f"Unknown target '{kind}'. Choose one of: {', '.join(TARGET_KINDS)}.",
                     f"Unbekanntes Ziel '{kind}'. Wähle eines von: {', '.join(TARGET_KINDS)}.")


def target_log_probability(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``log Σ_{c∈target} softmax(logits)_c`` per row of ``(B, classes)`` logits → ``(B,)``.

    Computed with two log-sum-exps, so it stays finite even when the probability is tiny.
    """
    return torch.logsumexp(logits[:, target], dim=1) - torch.logsumexp(logits, dim=1)


def best_in_target(probabilities: torch.Tensor, target: Target) -> int:
    """The most probable class of ``target`` for one row of probabilities ``(classes,)``."""
    indices = target.indices(probabilities.device)
    return int(indices[int(probabilities[indices].argmax())])
