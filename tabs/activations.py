"""Activations tab: the feature maps of any layer for an image, and the top-5 predictions."""

from __future__ import annotations

import functools

import gradio as gr
import numpy as np

from core.activations import compute_activations, order_channels
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import choose_block, choose_model, model_choices
from tabs.common.render.images import GridLayout, feature_grid, overlay

TITLE = "Activations"
COUNTS = ("8", "16", "64", "all")
ORDERS = {"channel index": "index", "mean activation": "mean"}


@user_errors
def run_activations(ctx: TabContext, example: str, upload: str | None, model: str, layer: str,
                    count: str, order: str, scale: str):
    """Top-5 predictions, the grid of feature maps, a description, and the grid's layout."""
    if count not in COUNTS or order not in ORDERS or scale not in ("shared", "per map"):
        raise ValueError("Unknown display option; use the choices offered in the tab.")
    image = ctx.examples.resolve(example, upload)
    loaded = ctx.models.get(model)
    info = ctx.models.layer(model, layer)
    result = compute_activations(loaded, image, layer=layer)
    channels = order_channels(result.maps, count=None if count == "all" else int(count),
                              order=ORDERS[order])
    grid, layout = feature_grid(result.maps, channels, scale=scale)
    shown = result.maps[channels]
    c, h, w = result.shape
    text = (
        f"**{layer}** ({info.kind}) outputs **{c} feature maps of {h}×{w}** "
        f"(channels × height × width = {c}×{h}×{w}). Showing {len(channels)}, ordered by "
        f"{order}; colour scale {scale}"
        + (f" from {shown.min():.3g} to {shown.max():.3g}." if scale == "shared" else ".")
        + " Click a map to see it large over the image."
    )
    predictions = {f"{p.label} (#{p.index})": p.probability for p in result.predictions}
    return predictions, grid, text, layout, gr.Number(value=int(channels[0]))


@user_errors
def show_channel(ctx: TabContext, example: str, upload: str | None, model: str, layer: str,
                 channel: float, opacity: float) -> tuple[np.ndarray, str]:
    """One feature map, upsampled and blended over the image the model saw."""
    image = ctx.examples.resolve(example, upload)
    result = compute_activations(ctx.models.get(model), image, layer=layer)
    values = result.channel(channel)
    caption = (f"Channel {int(channel)} of {layer}: mean {values.mean():.3g}, "
               f"max {values.max():.3g} (yellow/red = strong response)")
    return overlay(result.view, values, opacity=opacity), caption


def pick_tile(layout: GridLayout | None, evt: gr.SelectData):
    """Translate a click on the grid into the channel under the pointer."""
    if layout is None or evt.index is None:
        return gr.Number()
    channel = layout.channel_at(int(evt.index[0]), int(evt.index[1]))
    return gr.Number() if channel is None else gr.Number(value=channel)


def build(ctx: TabContext, demo: gr.Blocks) -> None:
    """Create the tab's components inside the current ``gr.Tab``; lists layers on page load."""
    models = ctx.models
    start = models.default_model("resnet50")
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            picker = image_picker(ctx.examples, default="coffee.png", key="act")
            model = gr.Dropdown(model_choices(models), value=start, label="Model")
            # Choices change per model; values are validated by the model manager instead.
            block = gr.Dropdown([], label="Block", allow_custom_value=True)
            layer = gr.Dropdown([], label="Layer (name · type · output shape)",
                                allow_custom_value=True)
            count = gr.Radio(list(COUNTS), value="16", label="Feature maps to show")
            order = gr.Radio(list(ORDERS), value="channel index", label="Order")
            scale = gr.Radio(["shared", "per map"], value="shared", label="Colour scale")
            run = gr.Button("Show activations", variant="primary")
        with gr.Column(scale=2):
            predictions = gr.Label(num_top_classes=5, label="Top-5 predictions")
            description = gr.Markdown()
            grid = gr.Image(label="Feature maps (click one)", format="png", interactive=False,
                            elem_id="act-grid")
            with gr.Row():
                channel = gr.Number(value=0, precision=0, minimum=0, label="Channel")
                opacity = gr.Slider(0.0, 1.0, value=0.6, step=0.05, label="Opacity")
            large = gr.Image(label="Selected map over the image", format="png",
                             interactive=False, height=360)
            caption = gr.Markdown()
    with gr.Accordion("Lesson", open=False):
        gr.Markdown(ctx.lesson("activations"))
    layout = gr.State(None)

    gr.on([demo.load, model.change], functools.partial(choose_model, ctx, "activations"), model,
          [model, block, layer], api_name="activations_model")
    block.input(functools.partial(choose_block, ctx), [model, block], layer,
                api_name="activations_block")
    run.click(functools.partial(run_activations, ctx),
          [*picker.inputs, model, layer, count, order, scale],
          [predictions, grid, description, layout, channel], api_name="activations").then(
        functools.partial(show_channel, ctx), [*picker.inputs, model, layer, channel, opacity],
        [large, caption], api_visibility="private")
    grid.select(pick_tile, layout, channel, api_visibility="private").then(
        functools.partial(show_channel, ctx), [*picker.inputs, model, layer, channel, opacity],
        [large, caption], api_name="activations_channel")
    opacity.release(functools.partial(show_channel, ctx),
                    [*picker.inputs, model, layer, channel, opacity], [large, caption],
                    api_visibility="private")
