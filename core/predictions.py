"""Top-k class predictions from a classifier's logits."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Prediction:
    """One class with its index, name and softmax probability."""

    index: int
    label: str
    probability: float


def top_predictions(logits: torch.Tensor, categories: tuple[str, ...], k: int = 5) -> tuple[Prediction, ...]:
    """The ``k`` most probable classes of a ``(1, n_classes)`` logit tensor, best first."""
    probabilities = logits.detach().float().softmax(dim=-1)[0].cpu()
    values, indices = probabilities.topk(min(k, probabilities.numel()))
    return tuple(
        Prediction(index=int(i), label=categories[int(i)] if int(i) < len(categories) else str(int(i)),
                   probability=float(p))
        for p, i in zip(values, indices)
    )
