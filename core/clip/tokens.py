"""From the student's descriptions to CLIP's token ids: parsing, truncation, pooling position.

CLIP reads at most ``max_position_embeddings`` tokens (77 for the OpenAI checkpoints),
start and end token included. Longer descriptions are cut (keeping the end token) and say so;
empty lines are ignored; there is an upper limit of descriptions per request.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from core.checks import InputError, read_only

MAX_DESCRIPTIONS = 20
MAX_CHARACTERS = 1000
SLIDES_DESCRIPTIONS = ("a cute dog in a park", "a large German Shepherd",
                       "a small kitten on a chair")

# A fast tokenizer keeps its padding and truncation settings in shared state that every call
# sets: two threads tokenizing at once can get each other's settings. One call at a time.
_TOKENIZER = threading.Lock()


def parse_descriptions(descriptions: str | Sequence[str]) -> tuple[str, ...]:
    """One description per line (or per item); blank lines are ignored, spaces trimmed and
    control characters (a pasted NUL or terminal escape) read as spaces.

    Raises :class:`~core.checks.InputError` with a sentence when nothing is left, when there are
    more than :data:`MAX_DESCRIPTIONS`, or when one is absurdly long.
    """
    if descriptions is None:
        descriptions = ""
    if isinstance(descriptions, str):
        descriptions = descriptions.splitlines()
    if not all(isinstance(item, str) for item in descriptions):
        raise InputError("Descriptions must be text, one per line.",
                         "Beschreibungen müssen Text sein, eine pro Zeile.")
    printable = ("".join(c if c.isprintable() else " " for c in item) for item in descriptions)
    cleaned = tuple(" ".join(item.split()) for item in printable if item.strip())
    if not cleaned:
        raise InputError("Type at least one description of the image, one per line, "
                         "e.g. 'a cute dog in a park'.",
                         "Schreib mindestens eine Beschreibung des Bildes, eine pro Zeile, "
                         "z. B. „a cute dog in a park“.")
    if len(cleaned) > MAX_DESCRIPTIONS:
        raise InputError(f"You gave {len(cleaned)} descriptions; at most {MAX_DESCRIPTIONS} are "
                         "scored at once. Remove some lines and try again.",
                         f"Du hast {len(cleaned)} Beschreibungen eingegeben; höchstens "
                         f"{MAX_DESCRIPTIONS} werden auf einmal bewertet. Lösch ein paar Zeilen "
                         "und versuch es noch einmal.")
    for number, item in enumerate(cleaned, start=1):
        if len(item) > MAX_CHARACTERS:
            raise InputError(f"Description {number} has {len(item)} characters; keep each "
                             f"description under {MAX_CHARACTERS} (CLIP reads only about "
                             "50 words anyway).",
                             f"Beschreibung {number} hat {len(item)} Zeichen; halte jede "
                             f"Beschreibung unter {MAX_CHARACTERS} (CLIP liest ohnehin nur "
                             "etwa 50 Wörter).")
    return cleaned


def pooling_index(input_ids: torch.Tensor, eos_token_id: int | None) -> torch.Tensor:
    """``(N,)`` position at which CLIP's text encoder pools each row of ``input_ids`` (N, L).

    The same rule as transformers' CLIP text model: checkpoints whose config still says
    ``eos_token_id == 2`` (the OpenAI ones, from before the config was fixed) pool at the
    largest id, which is the end token in their vocabulary; all others at the first end token.
    Every explanation uses this position, so it explains what CLIP actually compares.
    """
    ids = input_ids.to(torch.int)
    if eos_token_id == 2 or eos_token_id is None:
        return ids.argmax(dim=-1)
    return (ids == int(eos_token_id)).int().argmax(dim=-1)


@dataclass(frozen=True)
class Tokenized:
    """Descriptions as CLIP reads them, padded to the longest.

    ``input_ids``/``attention_mask``: (N, L) int64; ``eos``: (N,) the pooling position of each
    row; ``tokens[i]``: the display text of positions 0..eos[i] (start and end token included)
    and ``word_end[i]`` whether each of them ends a word; ``lengths``: token counts before any
    truncation; ``context``: CLIP's context length; ``warnings``: one sentence per cut text.
    """

    descriptions: tuple[str, ...]
    input_ids: np.ndarray
    attention_mask: np.ndarray
    eos: np.ndarray
    tokens: tuple[tuple[str, ...], ...]
    word_end: tuple[tuple[bool, ...], ...]
    lengths: tuple[int, ...]
    context: int
    warnings: tuple[str, ...]

    def tensors(self, device: torch.device | str) -> tuple[torch.Tensor, torch.Tensor]:
        """``input_ids`` and ``attention_mask`` as new tensors on ``device``."""
        return (torch.tensor(self.input_ids, device=device),
                torch.tensor(self.attention_mask, device=device))


def tokenize(tokenizer, descriptions: Sequence[str], *, context: int,
             eos_token_id: int | None) -> Tokenized:
    """Tokenize already parsed descriptions; cut each to ``context`` tokens with a warning."""
    texts = list(descriptions)
    with _TOKENIZER:
        full = tokenizer(texts)["input_ids"]
        batch = tokenizer(texts, padding=True, truncation=True, max_length=context,
                          return_tensors="pt")
        input_ids = batch["input_ids"].to(torch.int64)
        eos = pooling_index(input_ids, eos_token_id)
        kept = [input_ids[row, : int(eos[row]) + 1].tolist() for row in range(len(texts))]
        pieces = [tokenizer.convert_ids_to_tokens(ids) for ids in kept]
        shown = [tuple(_display(tokenizer, i, p) for i, p in zip(ids, row))
                 for ids, row in zip(kept, pieces)]
    tokens, ends, warnings = [], [], []
    for row, (text, ids) in enumerate(zip(texts, full)):
        tokens.append(shown[row])
        ends.append(tuple(p.endswith("</w>") for p in pieces[row]))
        if len(ids) > context:
            last = " ".join(tokens[-1][-4:-1])
            warnings.append(
                f"Description {row + 1} (\u201c{_short(text)}\u201d) has {len(ids)} tokens, but "
                f"CLIP reads at most {context} (start and end token included): everything after "
                f"\u201c\u2026{last}\u201d was cut off.")
    return Tokenized(
        descriptions=tuple(texts), input_ids=read_only(input_ids.numpy()),
        attention_mask=read_only(batch["attention_mask"].to(torch.int64).numpy()),
        eos=read_only(eos.to(torch.int64).numpy()), tokens=tuple(tokens), word_end=tuple(ends),
        lengths=tuple(len(ids) for ids in full), context=context, warnings=tuple(warnings),
    )


def token_counts(tokenizer, texts: Sequence[str]) -> list[int]:
    """How many tokens each text has (start and end token included, nothing cut)."""
    with _TOKENIZER:
        return [len(ids) for ids in tokenizer(list(texts))["input_ids"]]


def _display(tokenizer, token_id: int, piece: str) -> str:
    """A token as a student reads it: ``dog`` for ``dog</w>``; the raw byte-level piece when it
    is only part of a multi-byte character."""
    text = tokenizer.decode([token_id]).strip()
    if not text or "\ufffd" in text:
        text = piece.removesuffix("</w>")
    return text


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
