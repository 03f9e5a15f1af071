"""A tiny CLIP for tests (and the benchmark's tokenizer): built in memory, no network.

The tokenizer is transformers' real ``CLIPTokenizer`` (byte-level BPE with CLIP's pre-tokenizer
and ``</w>`` word ends) on a small vocabulary: every byte, every byte at a word end, the words
below merged whole, then the start and end tokens, the end token last (the largest id, as in
the OpenAI vocabulary). Unknown words are spelled out byte by byte, so any text works.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import torch
from tokenizers import pre_tokenizers

WORDS = ("a", "photo", "of", "cute", "dog", "in", "park", "large", "german", "shepherd", "small",
         "kitten", "on", "chair", "cat", "the", "and", "tabby", "espresso", "cup", "astronaut")
START, END = "<|startoftext|>", "<|endoftext|>"


def tiny_tokenizer(words: tuple[str, ...] = WORDS, *, vocab_size: int | None = None):
    """A ``CLIPTokenizer`` knowing ``words`` whole; padded with unused entries to ``vocab_size``
    (e.g. 49408, CLIP's real size) so that start and end get CLIP's ids 49406 and 49407."""
    from transformers import CLIPTokenizer

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab: dict[str, int] = {}
    for piece in alphabet + [c + "</w>" for c in alphabet]:
        vocab[piece] = len(vocab)
    merges: list[tuple[str, str]] = []
    for word in words:
        pieces = list(word)
        pieces[-1] += "</w>"
        while len(pieces) > 1:
            merged = pieces[0] + pieces[1]
            if (pieces[0], pieces[1]) not in merges:
                merges.append((pieces[0], pieces[1]))
            vocab.setdefault(merged, len(vocab))
            pieces = [merged, *pieces[2:]]
    if vocab_size is not None:
        while len(vocab) < vocab_size - 2:
            vocab[f"unused{len(vocab)}"] = len(vocab)
    vocab[START] = len(vocab)
    vocab[END] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=merges)


def tiny_config(tokenizer, *, legacy_eos: bool = True, image_size: int = 32, patch: int = 8,
                layers: int = 2):
    """A small ``CLIPConfig``; ``legacy_eos`` gives ``eos_token_id == 2`` like the OpenAI
    checkpoints (pooling at the largest id), otherwise the tokenizer's real end id."""
    from transformers import CLIPConfig

    text = dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                num_hidden_layers=layers, num_attention_heads=4, max_position_embeddings=77,
                bos_token_id=tokenizer.bos_token_id, pad_token_id=tokenizer.pad_token_id,
                eos_token_id=2 if legacy_eos else tokenizer.eos_token_id)
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=layers,
                  num_attention_heads=4, image_size=image_size, patch_size=patch)
    return CLIPConfig(text_config=text, vision_config=vision, projection_dim=16)


def tiny_clip(*, seed: int = 0, legacy_eos: bool = True, **sizes):
    """A ``ClipNetwork`` (random weights from ``seed``, eager attention) with the tiny tokenizer."""
    from transformers import CLIPModel

    from core.models.sources import ClipNetwork

    tokenizer = tiny_tokenizer()
    torch.manual_seed(seed)
    model = CLIPModel(tiny_config(tokenizer, legacy_eos=legacy_eos, **sizes))
    model.set_attn_implementation("eager")
    return ClipNetwork(model.eval(), tokenizer)


class TinyClipSource:
    """A model source that builds :func:`tiny_clip` in memory (always "cached")."""

    def __init__(self, **options):
        self.options = options

    def status(self, *, offline: bool) -> str:
        return "cached"

    def load(self, *, title: str, offline: bool):
        return tiny_clip(**self.options), ()


def tiny_clip_spec(name: str = "clip-vit-base-patch32", **options):
    """A CLIP spec backed by :func:`tiny_clip`, under the real registry name by default."""
    from core.models.registry import REGISTRY, ModelSpec

    real = REGISTRY["clip-vit-base-patch32"]
    return ModelSpec(name=name, title="Tiny CLIP", kind="clip", origin="test",
                     source=TinyClipSource(**options), mean=real.mean, std=real.std,
                     input_size=options.get("image_size", 32))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def tiny_clip_lab() -> Iterator[tuple[str, object]]:
    """A second in-process lab with only the CLIP tab: the tiny CLIP under the real name plus
    the real offline CNN. Yields ``(url, models)``."""
    import pytest

    from core.models import ModelManager
    from core.models.registry import OFFLINE_MODEL, REGISTRY
    from lab import app
    from lab.settings import Settings
    from tabs import clip
    from tests.conftest import close_when_idle

    settings = Settings(host="127.0.0.1", port=_free_port(), device="cpu", offline=True)
    models = ModelManager(device="cpu", offline=True, specs={
        "clip-vit-base-patch32": tiny_clip_spec(), OFFLINE_MODEL: REGISTRY[OFFLINE_MODEL]})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app, "TABS", (clip,))  # only this tab: a cheap start
        demo = app.build_app(settings, models)
    demo.queue(default_concurrency_limit=4)
    demo.launch(**app.launch_options(settings), prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{settings.port}/", models
    finally:
        close_when_idle(demo)
