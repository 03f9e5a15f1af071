"""Feature visualization by gradient ascent in input space (the Filter ascent tab).

``params`` (what the student asks for, checked once), ``network`` (the model up to the target
layer, BatchNorm folded), ``notebook`` (the seed's method), ``regularized`` and ``fourier``
(Olah et al. 2017), ``results`` (typed results), ``run`` (batching, streaming, cache) and
``layer_weights`` (what the notebook prints about a layer's weights).

May import: torch, numpy and ``core`` helpers. Never gradio or pyplot.
"""

from core.ascent.layer_weights import LayerWeights, first_conv, layer_weights
from core.ascent.network import output_size, truncated_forward, validate
from core.ascent.notebook import deprocess_image, initialize_images
from core.ascent.params import (
    MAX_FILTERS,
    MODES,
    AscentMode,
    AscentParams,
    filter_seed,
    params_for,
    parse_filters,
)
from core.ascent.results import AscentCancelled, AscentChunk, AscentResult
from core.ascent.run import cache_key, default_batch_size, iterate_ascent, visualize_filters

__all__ = ["MAX_FILTERS", "MODES", "AscentCancelled", "AscentChunk", "AscentMode", "AscentParams",
           "AscentResult", "LayerWeights", "cache_key", "default_batch_size",
           "deprocess_image", "filter_seed", "first_conv", "initialize_images", "iterate_ascent",
           "layer_weights", "output_size", "params_for", "parse_filters", "truncated_forward",
           "validate", "visualize_filters"]
