"""Do the explanations agree, and does the image map point at what the score depends on?

Two checks for the best-fitting description:

* **Rank correlation** (Spearman) between the methods' token scores and between their image
  maps: 1 = the same order of importance, 0 = unrelated, −1 = reversed.
* **Deletion** (in the spirit of Petsiuk et al. 2018, "RISE", and Samek et al. 2017): patches
  are removed from the image (set to CLIP's mean colour, i.e. 0 after normalisation) in the
  order a map ranks them, most relevant first, and the cosine similarity is measured after
  every step. A map that finds what the match depends on makes the similarity fall faster
  than removing patches in random order; the area under the curve says how fast (lower =
  faster). All masked images go through the vision encoder in a few batches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import torch

from core.attribution.stability import rank_correlation
from core.cache import ResultCache
from core.checks import check_int, read_only
from core.clip.model import (
    Similarity,
    encode_pixels,
    encode_tokens,
    image_input,
    model_key,
    similarity,
    tokenize_descriptions,
)
from core.clip.relevance import (
    IMAGE_METHODS,
    TOKEN_METHODS,
    ImageRelevance,
    TokenRelevance,
    image_relevance,
    token_relevance,
)
from core.models import LoadedModel
from core.preprocess import image_digest

DELETION_METHODS = ("attention", "chefer", "grad_eclip")
RANDOM_ORDERS = 3
BATCH = 16

_CACHE = ResultCache("clip.agreement", maxsize=32)


@dataclass(frozen=True)
class Deletion:
    """Cosine similarity while patches are removed.

    ``fractions``: (K,) share of patches removed, from 0 to 1; ``curves[method]``: (K,) the
    similarity when removing in that map's order; ``random``: (K,) the mean over
    ``random_orders`` random orders; ``areas``: the area under each curve (and ``"random"``).
    """

    fractions: np.ndarray
    curves: Mapping[str, np.ndarray]
    random: np.ndarray
    areas: Mapping[str, float]
    random_orders: int


def patch_mask(removed: np.ndarray, side: int, size: int) -> torch.Tensor:
    """(1, 1, size, size) float mask, 0 on the removed patches of a ``side``×``side`` grid."""
    grid = np.ones(side * side, dtype=np.float32)
    grid[removed] = 0.0
    cells = torch.from_numpy(grid.reshape(1, 1, side, side))
    return torch.nn.functional.interpolate(cells, size=(size, size), mode="nearest")


def deletion_check(model: LoadedModel, image: np.ndarray, description: str,
                   maps: Mapping[str, np.ndarray], *, steps: int | None = None,
                   random_orders: int = RANDOM_ORDERS, seed: int = 0) -> Deletion:
    """Remove patches in each map's order (``maps``: method → (g, g)) and in random orders.

    ``steps``: how many removal steps from none to all patches (default: one per grid row).
    """
    if not maps or any(np.ndim(m) != 2 or np.shape(m)[0] != np.shape(m)[1] for m in maps.values()):
        raise ValueError("The deletion check needs at least one square patch map.")
    side = next(iter(maps.values())).shape[0]
    count = side * side
    steps = side if steps is None else check_int(
        ("The number of deletion steps", "Die Zahl der Löschschritte"), steps, 1, count)
    random_orders = check_int(
        ("The number of random orders", "Die Zahl der zufälligen Reihenfolgen"),
        random_orders, 1, 20)
    text = encode_tokens(model, tokenize_descriptions(model, [description]))[0]
    _, pixels = image_input(model, image)
    size = pixels.shape[-1]
    removed = np.unique(np.linspace(0, count, steps + 1).round().astype(int))
    rng = np.random.default_rng(seed)
    orders = {m: np.argsort(-values.ravel(), kind="stable") for m, values in maps.items()}
    orders.update({f"random {r}": rng.permutation(count) for r in range(random_orders)})
    jobs = [(None, 0), (None, count)] + [(name, k) for name in orders for k in removed[1:-1]]
    masks = [patch_mask(np.arange(count)[:k] if name is None else orders[name][:k], side, size)
             for name, k in jobs]
    scores = []
    for start in range(0, len(masks), BATCH):
        batch = torch.cat(masks[start: start + BATCH]).to(pixels) * pixels
        scores.append((encode_pixels(model, batch) @ text.to(pixels)).cpu())
    cosine = dict(zip(jobs, torch.cat(scores).double().numpy()))
    fractions = removed / count

    def curve(name: str) -> np.ndarray:
        middle = [cosine[(name, k)] for k in removed[1:-1]]
        return np.array([cosine[(None, 0)], *middle, cosine[(None, count)]])

    curves = {m: read_only(curve(m)) for m in maps}
    random = read_only(np.mean([curve(f"random {r}") for r in range(random_orders)], axis=0))
    areas = {m: float(np.trapezoid(c, fractions)) for m, c in curves.items()}
    areas["random"] = float(np.trapezoid(random, fractions))
    return Deletion(fractions=read_only(fractions), curves=curves, random=random, areas=areas,
                    random_orders=random_orders)


@dataclass(frozen=True)
class Agreement:
    """The checks for the best-fitting description (``index`` in ``similarity``).

    ``token_correlations``/``image_correlations``: (method, method) → Spearman ρ (NaN when a
    method gives every token or patch the same score).
    """

    similarity: Similarity
    index: int
    tokens: TokenRelevance
    image: ImageRelevance
    token_correlations: Mapping[tuple[str, str], float]
    image_correlations: Mapping[tuple[str, str], float]
    deletion: Deletion

    @property
    def description(self) -> str:
        return self.similarity.descriptions[self.index]


def agreement(model: LoadedModel, image: np.ndarray, descriptions: str | Sequence[str], *,
              chefer_layers: int | None = None, steps: int | None = None) -> Agreement:
    """Rank correlations and the deletion check for the top description (cached)."""
    scored = similarity(model, image, descriptions)

    def compute() -> Agreement:
        index = scored.top
        tokens = token_relevance(model, image, scored.descriptions, chefer_layers=chefer_layers)
        image_maps = image_relevance(model, image, scored.descriptions[index],
                                     chefer_layers=chefer_layers)
        words = {m: tokens.of(m, index)[1:-1] for m in TOKEN_METHODS}
        token_pairs: dict[tuple[str, str], float] = {
            (a, b): rank_correlation(words[a], words[b])
            for a, b in combinations(TOKEN_METHODS, 2)}
        image_pairs: dict[tuple[str, str], float] = {
            (a, b): rank_correlation(image_maps.patches[a], image_maps.patches[b])
            for a, b in combinations(IMAGE_METHODS, 2)}
        deletion = deletion_check(model, image, scored.descriptions[index],
                                  {m: image_maps.patches[m] for m in DELETION_METHODS},
                                  steps=steps)
        return Agreement(similarity=scored, index=index, tokens=tokens, image=image_maps,
                         token_correlations=token_pairs, image_correlations=image_pairs,
                         deletion=deletion)

    key = (*model_key(model), image_digest(image), scored.descriptions, chefer_layers, steps)
    return _CACHE.get_or_compute(key, compute)

