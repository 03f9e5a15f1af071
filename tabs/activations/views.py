"""The Activations tab's views: the feature maps of one layer with the top-5 predictions, and
one map large over the image."""

from __future__ import annotations

from dataclasses import dataclass

from core.activations import ChannelOrder, compute_activations, order_channels
from tabs.activations.code import activations_code, channel_code
from tabs.activations.texts import T
from tabs.common import alt_text
from tabs.common.colours import SEQUENTIAL
from tabs.common.described import Described
from tabs.common.layer_picker import layer_views, with_default_layer
from tabs.common.render.colour_bar import activation_bar, with_colour_bars
from tabs.common.render.images import ColourScale, GridLayout, feature_grid, overlay
from tabs.common.view import Call, View, linked

#: The radios' values (what the API sends); the orders and scales name their words in ``T``.
COUNTS = ("8", "16", "64", "all")
ORDERS: dict[str, ChannelOrder] = {"channel index": "index", "mean activation": "mean"}
SCALES = {"shared": "shared", "per map": "per_map"}


@dataclass(frozen=True)
class MapsSettings:
    """What the grid of feature maps shows."""

    example: str = linked("image", "coffee.png")
    upload: str | None = None
    model: str = linked("model", "resnet50")
    layer: str = linked("layer", "")
    count: str = "16"
    order: str = "channel index"
    scale: ColourScale = "shared"


@dataclass(frozen=True)
class ChannelSettings:
    """One feature map over the image."""

    example: str = "coffee.png"
    upload: str | None = None
    model: str = "resnet50"
    layer: str = ""
    channel: float = 0
    opacity: float = 0.6


@dataclass(frozen=True)
class TileChoice:
    layout: GridLayout | None = None
    channel: float | None = None


def run_activations(call: Call[MapsSettings]):
    """Top-5 predictions, the grid of feature maps (with the strongest channels in words), a
    description, and the grid's layout."""
    ctx = call.ctx
    s = with_default_layer(ctx, call.settings, "activations")
    if s.count not in COUNTS or s.order not in ORDERS or s.scale not in SCALES:
        raise call.refuse("unknown_option")
    image = ctx.examples.resolve(s.example, s.upload)
    loaded = ctx.models.get(s.model)
    info = ctx.models.layer(s.model, s.layer)
    result = compute_activations(loaded, image, layer=s.layer)
    channels = order_channels(result.maps, count=None if s.count == "all" else int(s.count),
                              order=ORDERS[s.order])
    grid, layout = feature_grid(result.maps, channels, scale=s.scale)
    shown = result.maps[channels]
    shared = (float(shown.min()), float(shown.max())) if s.scale == "shared" else None
    grid = with_colour_bars(grid, (activation_bar(SEQUENTIAL, call.lang, shared),))
    c, h, w = result.shape
    text = call.text("summary", layer=s.layer, kind=info.kind, c=c, h=h, w=w,
                     shown=len(channels), order=call.text(f"by_{ORDERS[s.order]}"),
                     scale=call.text(f"scale_{SCALES[s.scale]}"))
    if s.scale == "shared":
        text += call.text("range", low=shown.min(), high=shown.max())
    text += call.text("click")
    predictions = {f"{p.label} (#{p.index})": p.probability for p in result.predictions}
    words = alt_text.strongest(call.text("grid_words", layer=s.layer), result.maps, channels,
                               call.lang)
    return predictions, Described(grid, words), text, layout, int(channels[0])


def show_channel(call: Call[ChannelSettings]) -> tuple[Described, str]:
    """One feature map, upsampled and blended over the image the model saw, with where it is
    strongest in words."""
    ctx = call.ctx
    s = with_default_layer(ctx, call.settings, "activations")
    image = ctx.examples.resolve(s.example, s.upload)
    result = compute_activations(ctx.models.get(s.model), image, layer=s.layer)
    values = result.channel(s.channel)
    caption = call.text("caption", channel=int(s.channel), layer=s.layer, mean=values.mean(),
                        high=values.max())
    bar = activation_bar(SEQUENTIAL, call.lang, (float(values.min()), float(values.max())))
    words = alt_text.where(call.text("large_words", channel=int(s.channel), layer=s.layer),
                           values, call.lang)
    return Described(with_colour_bars(overlay(result.view, values, opacity=s.opacity), (bar,)),
                     words), caption


def pick_tile(call: Call[TileChoice]):
    """Translate a click on the grid into the channel under the pointer (the current channel
    when the click hit no map)."""
    layout, channel, selected = call.settings.layout, call.settings.channel, call.selected
    if layout is None or selected is None or selected.index is None:
        return channel
    hit = layout.channel_at(int(selected.index[0]), int(selected.index[1]))
    return channel if hit is None else hit


MODEL, BLOCK = layer_views("activations", "activations")
MAPS = View("activations", MapsSettings, run_activations, T, role="first",
            group="image-models", gpu_seconds=30, keep=True, code=activations_code)
CHANNEL = View("activations_channel", ChannelSettings, show_channel, T, group="image-models",
               gpu_seconds=5, keep=True, code=channel_code)
TILE = View("activations_tile", TileChoice, pick_tile, T, public=False, select=True)
