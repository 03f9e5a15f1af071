"""Activations tab: the feature maps of any layer for an image, and the top-5 predictions.

The words (English and German) live in :mod:`tabs.activations.texts`.
"""

from __future__ import annotations

import gradio as gr
import numpy as np

from core.activations import compute_activations, order_channels
from tabs.activations.texts import T
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.i18n import request_language
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import LABELS, choose_block, choose_model, model_choices
from tabs.common.render.images import GridLayout, feature_grid, overlay

TITLE = "Activations"
#: The radios' values (what the API sends); the orders and scales name their words in ``T``.
COUNTS = ("8", "16", "64", "all")
ORDERS = {"channel index": "index", "mean activation": "mean"}
SCALES = {"shared": "shared", "per map": "per_map"}


@user_errors
def run_activations(ctx: TabContext, example: str, upload: str | None, model: str, layer: str,
                    count: str, order: str, scale: str, request: gr.Request):
    """Top-5 predictions, the grid of feature maps, a description, and the grid's layout."""
    lang = request_language(request, ctx.lang)
    if count not in COUNTS or order not in ORDERS or scale not in SCALES:
        raise ValueError(T.text("unknown_option", lang))
    image = ctx.examples.resolve(example, upload)
    loaded = ctx.models.get(model)
    info = ctx.models.layer(model, layer)
    result = compute_activations(loaded, image, layer=layer)
    channels = order_channels(result.maps, count=None if count == "all" else int(count),
                              order=ORDERS[order])
    grid, layout = feature_grid(result.maps, channels, scale=scale)
    shown = result.maps[channels]
    c, h, w = result.shape
    text = T.text("summary", lang, layer=layer, kind=info.kind, c=c, h=h, w=w,
                  shown=len(channels), order=T.text(f"by_{ORDERS[order]}", lang),
                  scale=T.text(f"scale_{SCALES[scale]}", lang))
    if scale == "shared":
        text += T.text("range", lang, low=shown.min(), high=shown.max())
    text += T.text("click", lang)
    predictions = {f"{p.label} (#{p.index})": p.probability for p in result.predictions}
    return predictions, grid, text, layout, int(channels[0])


@user_errors
def show_channel(ctx: TabContext, example: str, upload: str | None, model: str, layer: str,
                 channel: float, opacity: float, request: gr.Request) -> tuple[np.ndarray, str]:
    """One feature map, upsampled and blended over the image the model saw."""
    image = ctx.examples.resolve(example, upload)
    result = compute_activations(ctx.models.get(model), image, layer=layer)
    values = result.channel(channel)
    caption = T.text("caption", request_language(request, ctx.lang), channel=int(channel),
                     layer=layer, mean=values.mean(), high=values.max())
    return overlay(result.view, values, opacity=opacity), caption


def pick_tile(layout: GridLayout | None, channel: float | None, evt: gr.SelectData):
    """Translate a click on the grid into the channel under the pointer (``channel`` when the
    click hit no map)."""
    if layout is None or evt.index is None:
        return channel
    hit = layout.channel_at(int(evt.index[0]), int(evt.index[1]))
    return channel if hit is None else hit


def build(ctx: TabContext, demo: gr.Blocks) -> dict[str, gr.components.Component]:
    """Create the tab's components inside the current ``gr.Tab`` and wire its events.

    Returns the link fields (address key → component) that a link to this view carries.
    """
    models = ctx.models
    start = models.default_model("resnet50")
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            picker = image_picker(ctx.examples, default="coffee.png", key="act")
            model = gr.Dropdown(model_choices(models), value=start, label=LABELS.label("model"))
            # Choices change per model; values are validated by the model manager instead.
            block = gr.Dropdown([], label=LABELS.label("block"), allow_custom_value=True)
            layer = gr.Dropdown([], label=LABELS.label("layer"), allow_custom_value=True)
            count = gr.Radio([(T.label("count_all") if value == "all" else value, value)
                              for value in COUNTS], value="16", label=T.label("count"))
            order = gr.Radio([(T.label(f"order_{key}"), value) for value, key in ORDERS.items()],
                             value="channel index", label=T.label("order"))
            scale = gr.Radio([(T.label(f"scale_{key}"), value) for value, key in SCALES.items()],
                             value="shared", label=T.label("scale"))
            run = gr.Button(T.label("run"), variant="primary")
        with gr.Column(scale=2):
            predictions = gr.Label(num_top_classes=5, label=T.label("predictions"))
            description = gr.Markdown()
            grid = gr.Image(label=T.label("grid"), format="png", interactive=False,
                            elem_id="act-grid")
            with gr.Row():
                channel = gr.Number(value=0, precision=0, minimum=0, label=T.label("channel"))
                opacity = gr.Slider(0.0, 1.0, value=0.6, step=0.05, label=T.label("opacity"))
            large = gr.Image(label=T.label("large"), format="png", interactive=False, height=360)
            caption = gr.Markdown()
    layout = gr.State(None)

    overlay_channel = ctx.bind(show_channel)
    # The shell runs "activations_model" when a page opens (its first view); then on a choice.
    model.input(ctx.bind(choose_model, "activations"), model, [model, block, layer],
                api_name="activations_model")
    block.input(ctx.bind(choose_block), [model, block], layer, api_name="activations_block")
    run.click(ctx.bind(run_activations),
              [*picker.inputs, model, layer, count, order, scale],
              [predictions, grid, description, layout, channel], api_name="activations").then(
        overlay_channel, [*picker.inputs, model, layer, channel, opacity], [large, caption],
        api_visibility="private")
    grid.select(pick_tile, [layout, channel], channel, api_visibility="private").then(
        overlay_channel, [*picker.inputs, model, layer, channel, opacity], [large, caption],
        api_name="activations_channel")
    opacity.release(overlay_channel, [*picker.inputs, model, layer, channel, opacity],
                    [large, caption], api_visibility="private")
    return dict(image=picker.example, model=model, block=block, layer=layer)
