"""Activations tab: the feature maps of any layer for an image, and the top-5 predictions.

The layout and its wiring live here, the views in :mod:`tabs.activations.views`, the words
(English and German) in :mod:`tabs.activations.texts`.
"""

from __future__ import annotations

import gradio as gr

from tabs.activations.texts import T
from tabs.activations.views import (
    BLOCK,
    CHANNEL,
    COUNTS,
    MAPS,
    MODEL,
    ORDERS,
    SCALES,
    TILE,
    MapsSettings,
)
from tabs.common.code_panel import CodePanel
from tabs.common.described import captions
from tabs.common.form import Form
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import LABELS, model_choices
from tabs.common.layout import CONTROLS, RESULTS

TITLE = "Activations"
__all__ = ["COUNTS", "ORDERS", "SCALES", "TITLE", "build"]


def build(form: Form) -> None:
    """Create the tab's components inside the current ``gr.Tab`` and wire its views."""
    models = form.ctx.models
    defaults = MapsSettings()
    with gr.Row():
        with gr.Column(scale=1, min_width=280, elem_classes=CONTROLS):
            image_picker(form, default=defaults.example, key="act")
            model = gr.Dropdown(model_choices(models), value=models.default_model(defaults.model),
                                label=LABELS.label("model"))
            # Choices change per model; values are validated by the model manager instead.
            block = gr.Dropdown([], label=LABELS.label("block"), allow_custom_value=True)
            layer = gr.Dropdown([], label=LABELS.label("layer"), allow_custom_value=True)
            count = gr.Radio([(T.label("count_all") if value == "all" else value, value)
                              for value in COUNTS], value=defaults.count, label=T.label("count"))
            order = gr.Radio([(T.label(f"order_{key}"), value) for value, key in ORDERS.items()],
                             value=defaults.order, label=T.label("order"))
            scale = gr.Radio([(T.label(f"scale_{key}"), value) for value, key in SCALES.items()],
                             value=defaults.scale, label=T.label("scale"))
            run = gr.Button(T.label("run"), variant="primary")
        with gr.Column(scale=2, elem_classes=RESULTS):
            predictions = gr.Label(num_top_classes=5, label=T.label("predictions"))
            description = gr.Markdown()
            grid = gr.Image(label=T.label("grid"), format="png", interactive=False,
                            elem_id="act-grid")
            grid_words = captions("act-grid-words")
            panel = CodePanel.create(form.ctx, "act-code")
            with gr.Row():
                channel = gr.Number(value=0, precision=0, minimum=0, label=T.label("channel"))
                opacity = gr.Slider(0.0, 1.0, value=0.6, step=0.05, label=T.label("opacity"))
            large = gr.Image(label=T.label("large"), format="png", interactive=False, height=360,
                             elem_id="act-large")
            caption = gr.Markdown()
            large_words = captions("act-large-words")
            channel_panel = CodePanel.create(form.ctx, "act-channel-code")
    layout = gr.State(None)
    form.add(model=model, block=block, layer=layer, count=count, order=order, scale=scale,
             channel=channel, opacity=opacity, layout=layout)
    form.link("block", block)

    form.wire(MODEL, model.input, [model, block, layer])
    form.wire(BLOCK, block.input, layer)
    maps = form.wire(MAPS, run.click,
                     [predictions, grid, description, layout, channel, grid_words])
    if panel:
        panel.wire(form, MAPS)
    shown = [large, caption, large_words]
    form.wire(CHANNEL, maps.then, shown, private=True)
    form.wire(CHANNEL, form.wire(TILE, grid.select, channel).then, shown)
    form.wire(CHANNEL, opacity.release, shown, private=True)
    if channel_panel:
        channel_panel.wire(form, CHANNEL)
