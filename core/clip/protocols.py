"""The parts of transformers' ``CLIPModel`` that ``core.clip`` uses, as structural types.

torch types every submodule reached through ``nn.Module.__getattr__`` as ``Tensor | Module``
and transformers' configs as their base class, so a type checker knows nothing of
``clip.vision_model.encoder.layers`` or ``clip.config.text_config``. These protocols spell out
just what we read; :func:`core.clip.model.clip_parts` casts the loaded model to
:class:`ClipModel`. They exist for the type checker only: nothing checks them at run time
(``tests/unit/test_clip.py`` runs the code on a real, tiny ``CLIPModel``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import torch
from torch import nn


class ClipAttention(Protocol):
    """``CLIPAttention``: multi-head self-attention with separate projections."""

    num_heads: int
    scale: float
    q_proj: nn.Module
    k_proj: nn.Module
    v_proj: nn.Module
    out_proj: nn.Module


class ClipEncoderLayer(Protocol):
    """``CLIPEncoderLayer``: pre-norm attention and MLP, each with a residual."""

    self_attn: ClipAttention
    layer_norm1: nn.Module
    mlp: nn.Module
    layer_norm2: nn.Module


class ClipEncoder(Protocol):
    layers: Sequence[ClipEncoderLayer]


class ClipVisionTransformer(Protocol):
    embeddings: nn.Module
    pre_layrnorm: nn.Module  # sic, transformers' spelling
    encoder: ClipEncoder
    post_layernorm: nn.Module


class ClipTextTransformer(Protocol):
    embeddings: nn.Module
    encoder: ClipEncoder
    final_layer_norm: nn.Module


class ClipVisionConfig(Protocol):
    image_size: int


class ClipTextConfig(Protocol):
    max_position_embeddings: int
    eos_token_id: int | None


class ClipConfig(Protocol):
    vision_config: ClipVisionConfig
    text_config: ClipTextConfig
    projection_dim: int


class ClipModel(Protocol):
    """``CLIPModel``: both encoders, their projections and the learned temperature."""

    config: ClipConfig
    vision_model: ClipVisionTransformer
    text_model: ClipTextTransformer
    visual_projection: nn.Module
    text_projection: nn.Module
    logit_scale: torch.Tensor

    def get_image_features(self, *, pixel_values: torch.Tensor) -> object:
        """A tensor in transformers 4, an output object in transformers 5."""
        ...

    def get_text_features(self, *, input_ids: torch.Tensor,
                          attention_mask: torch.Tensor) -> object:
        """A tensor in transformers 4, an output object in transformers 5."""
        ...
