"""CLIP's two encoders run layer by layer, keeping what the explanations need.

The relevance methods need, for every attention layer, the attention probabilities *inside the
autograd graph* and, for Grad-ECLIP, the queries, keys, values and the attention output before
its projection. transformers' ``output_attentions=True`` gives only the probabilities (and only
when they require a gradient, which frozen weights and integer token ids prevent), so we run
the encoders ourselves with the model's own modules and weights: embeddings, then per layer
``x + attn(ln1(x))`` and ``x + mlp(ln2(x))``, then the final norm, pooling and projection.
No hooks, nothing changed on the shared model. ``tests/unit/test_clip.py`` checks that the
embeddings equal ``get_image_features``/``get_text_features`` and the probabilities equal
``output_attentions``, so a change inside transformers cannot go unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.clip.protocols import ClipEncoderLayer, ClipModel
from core.clip.tokens import pooling_index


@dataclass
class LayerTrace:
    """One attention layer of one pass (tensors in the autograd graph).

    ``probabilities``: (B, heads, L, L); ``context``: (B, L, D) the heads' output before the
    output projection; ``query``/``key``/``value``: (B, L, D) the projections of the normed input.
    """

    probabilities: torch.Tensor
    context: torch.Tensor
    query: torch.Tensor
    key: torch.Tensor
    value: torch.Tensor


@dataclass
class Trace:
    """A pass through one encoder: its layers and the projected (not yet unit) embeddings (B, P)."""

    layers: list[LayerTrace]
    embedding: torch.Tensor


def _layer(layer: ClipEncoderLayer, hidden: torch.Tensor,
           mask: torch.Tensor | None) -> tuple[torch.Tensor, LayerTrace]:
    """One ``CLIPEncoderLayer`` (pre-norm attention and MLP, each with a residual), written out."""
    attention = layer.self_attn
    x = layer.layer_norm1(hidden)
    batch, length, width = x.shape
    heads = attention.num_heads
    query, key, value = attention.q_proj(x), attention.k_proj(x), attention.v_proj(x)

    def split(t: torch.Tensor) -> torch.Tensor:
        return t.view(batch, length, heads, width // heads).transpose(1, 2)

    scores = split(query) @ split(key).transpose(-1, -2) * attention.scale
    if mask is not None:
        scores = scores + mask
    probabilities = scores.softmax(dim=-1, dtype=torch.float32).to(query.dtype)
    context = (probabilities @ split(value)).transpose(1, 2).reshape(batch, length, width)
    hidden = hidden + attention.out_proj(context)
    hidden = hidden + layer.mlp(layer.layer_norm2(hidden))
    return hidden, LayerTrace(probabilities, context, query, key, value)


def _leaf(embeddings: torch.Tensor) -> torch.Tensor:
    """The embeddings as a new tensor that builds an autograd graph (the weights are frozen)."""
    return embeddings.detach().requires_grad_(True)


def trace_image(clip: ClipModel, pixels: torch.Tensor) -> Trace:
    """The vision encoder on normalised ``pixels`` (B, 3, S, S); pools the class token."""
    vision = clip.vision_model
    hidden = vision.pre_layrnorm(_leaf(vision.embeddings(pixels)))
    layers = []
    for layer in vision.encoder.layers:
        hidden, record = _layer(layer, hidden, None)
        layers.append(record)
    pooled = vision.post_layernorm(hidden[:, 0, :])
    return Trace(layers=layers, embedding=clip.visual_projection(pooled))


def causal_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """(B, 1, L, L) additive mask: a token sees itself and earlier tokens, never padding."""
    length = attention_mask.shape[-1]
    earlier = torch.ones(length, length, dtype=torch.bool, device=attention_mask.device).tril()
    allowed = earlier[None] & attention_mask[:, None, :].bool()
    blocked = torch.zeros(allowed.shape, dtype=dtype, device=attention_mask.device)
    return blocked.masked_fill(~allowed, torch.finfo(dtype).min)[:, None]


def trace_text(clip: ClipModel, input_ids: torch.Tensor,
               attention_mask: torch.Tensor) -> Trace:
    """The text encoder on ``input_ids`` (B, L); pools where CLIP pools (:func:`pooling_index`)."""
    text = clip.text_model
    hidden = _leaf(text.embeddings(input_ids=input_ids))
    mask = causal_mask(attention_mask, hidden.dtype)
    layers = []
    for layer in text.encoder.layers:
        hidden, record = _layer(layer, hidden, mask)
        layers.append(record)
    hidden = text.final_layer_norm(hidden)
    eos = pooling_index(input_ids, clip.config.text_config.eos_token_id)
    pooled = hidden[torch.arange(hidden.shape[0], device=hidden.device), eos]
    return Trace(layers=layers, embedding=clip.text_projection(pooled))
