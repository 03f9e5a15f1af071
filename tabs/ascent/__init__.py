"""Filter ascent tab: what does a filter want to see? The notebook's method and the modern one.

The layout and its wiring live here, the views in :mod:`tabs.ascent.views`, the words
(English and German) in :mod:`tabs.ascent.texts`.
"""

from __future__ import annotations

import gradio as gr

from tabs.ascent.texts import T
from tabs.ascent.views import (
    BLOCK,
    CANCEL,
    DEPTHS,
    MODEL,
    MODES,
    MODES_PAIR,
    RUN,
    TILE,
    TILE_LARGE,
    WEIGHTS,
    RunSettings,
)
from tabs.common.code_panel import CodePanel
from tabs.common.described import captions
from tabs.common.form import Form
from tabs.common.layer_picker import LABELS, model_choices
from tabs.common.layout import CONTROLS, RESULTS, WIDE

TITLE = "Filter ascent"
__all__ = ["MODES", "TITLE", "build"]


def build(form: Form) -> None:
    """Create the tab's components inside the current ``gr.Tab`` and wire its views."""
    models = form.ctx.models
    defaults = RunSettings()
    with gr.Row():
        with gr.Column(scale=1, min_width=300, elem_classes=CONTROLS):
            model = gr.Dropdown(model_choices(models), value=models.default_model(defaults.model),
                                label=LABELS.label("model"))
            block = gr.Dropdown([], label=LABELS.label("block"))
            layer = gr.Dropdown([], label=LABELS.label("layer"),
                                allow_custom_value=True)  # checked by the views
            filters = gr.Textbox(defaults.filters, label=T.label("filters"),
                                 elem_id="ascent-filters", info=T.label("filters_info"))
            mode = gr.Radio([(T.label(f"mode_{name}"), value) for value, name in MODES.items()],
                            value=defaults.mode, label=T.label("method"))
            with gr.Accordion(T.label("notebook_params"), open=True):
                nb_steps = gr.Number(defaults.nb_steps, precision=0, label=T.label("steps"),
                                     elem_id="ascent-steps")
                step_size = gr.Number(defaults.step_size, label=T.label("step_size"))
            with gr.Accordion(T.label("regularized_params"), open=False):
                rg_steps = gr.Number(defaults.rg_steps, precision=0, label=T.label("adam_steps"))
                lr = gr.Number(defaults.lr, label=T.label("lr"))
                variants = gr.Slider(1, 4, value=defaults.variants, step=1,
                                     label=T.label("variants"))
                diversity = gr.Number(defaults.diversity, label=T.label("diversity"))
            with gr.Accordion(T.label("image"), open=True):
                size = gr.Number(defaults.size, precision=0, label=T.label("size"),
                                 elem_id="ascent-size")
                border = gr.Number(defaults.border, precision=0, label=T.label("border"))
                crop = gr.Number(defaults.crop, precision=0, label=T.label("crop"),
                                 elem_id="ascent-crop")
                seed = gr.Number(defaults.seed, precision=0, label=T.label("seed"))
            with gr.Row():
                run = gr.Button(T.label("run"), variant="primary", elem_id="ascent-run")
                cancel = gr.Button(T.label("cancel"), variant="stop")
        with gr.Column(scale=2, elem_classes=RESULTS):
            description = gr.Markdown(elem_id="ascent-text")
            gr.Markdown(T.label("grid_intro"))
            grid = gr.Image(label=T.label("grid"), show_label=False, format="png",
                            interactive=False, elem_id="ascent-grid")
            grid_words = captions("ascent-grid-words")
            download = gr.DownloadButton(T.label("download"), value=None)
            panel = CodePanel.create(form.ctx, "ascent-code")
            with gr.Row():
                large = gr.Image(label=T.label("selected"), format="png", interactive=False,
                                 height=320, elem_id="ascent-large")
                with gr.Column():
                    caption = gr.Markdown()
                    large_words = captions("ascent-large-words")
                    chosen = gr.Number(0, precision=0, minimum=0, label=T.label("compare_filter"))
                    versus = gr.Button(T.label("versus"))
                    across = gr.Button(T.label("across"))
            pair = gr.Image(label=T.label("pair"), format="png", interactive=False,
                            elem_id="ascent-pair", elem_classes=WIDE)
            pair_caption = gr.Markdown()
            pair_words = captions("ascent-pair-words")
            depth = gr.Gallery(label=T.label("depths"), columns=3, height=300,
                               elem_id="ascent-depths")
            depth_words = captions("ascent-depths-words")
            depths_panel = CodePanel.create(form.ctx, "ascent-depths-code")
            losses = gr.Image(label=T.label("losses"), format="png", interactive=False,
                              elem_id="ascent-losses")
            with gr.Accordion(T.label("weights"), open=False):
                weights_text = gr.Markdown()
                kernels = gr.Image(label=T.label("kernels"), format="png", interactive=False,
                                   elem_id="ascent-kernels")
                kernel_words = captions("ascent-kernels-words")
                weights_panel = CodePanel.create(form.ctx, "ascent-weights-code")
    state = gr.State(None)
    form.add(model=model, layer=layer, filters=filters, mode=mode, nb_steps=nb_steps,
             step_size=step_size, rg_steps=rg_steps, lr=lr, variants=variants,
             diversity=diversity, size=size, border=border, crop=crop, seed=seed,
             filter_index=chosen, chosen=chosen, state=state, block=block)
    form.link("block", block)

    form.wire(MODEL, model.input, [model, block, layer])
    form.wire(BLOCK, block.input, layer)
    form.wire(WEIGHTS, layer.change, [weights_text, kernels, kernel_words])
    if weights_panel:
        weights_panel.wire(form, WEIGHTS)
    run_event = form.wire(RUN, run.click,
                          [grid, description, losses, download, state, grid_words])
    if panel:
        panel.wire(form, RUN)
    form.wire(CANCEL, cancel.click, description, cancels=[run_event])
    form.wire(TILE_LARGE, form.wire(TILE, grid.select, chosen).then,
              [large, caption, large_words])
    form.wire(MODES_PAIR, versus.click, [pair, pair_caption, pair_words])
    form.wire(DEPTHS, across.click, [depth, depth_words])
    if depths_panel:
        depths_panel.wire(form, DEPTHS)
