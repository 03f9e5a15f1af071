"""Filter ascent tab: what does a filter want to see? The notebook's method and the modern one.

The layout and its wiring live here, the handlers in :mod:`tabs.ascent.handlers`, the words
(English and German) in :mod:`tabs.ascent.texts`.
"""

from __future__ import annotations

import gradio as gr

from core.ascent import AscentParams
from tabs.ascent.handlers import (
    KNOBS,
    MODES,
    Knobs,
    cancel_ascent,
    compare_layers,
    compare_modes,
    run_ascent,
    show_tile,
    show_weights,
    with_knobs,
)
from tabs.ascent.texts import T
from tabs.common.context import TabContext
from tabs.common.i18n import request_language
from tabs.common.layer_picker import LABELS, choose_block, choose_model, model_choices
from tabs.common.streaming import new_session_token

TITLE = "Filter ascent"

__all__ = ["KNOBS", "MODES", "TITLE", "Knobs", "build", "cancel_ascent", "compare_layers",
           "compare_modes", "run_ascent", "show_tile", "show_weights"]


def build(ctx: TabContext, demo: gr.Blocks) -> dict[str, gr.components.Component]:
    """Create the tab's components inside the current ``gr.Tab`` and wire its events.

    Returns the link fields (address key → component) that a link to this view carries.
    """
    models = ctx.models
    start = models.default_model("resnet50")
    defaults = AscentParams()
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            model = gr.Dropdown(model_choices(models), value=start, label=LABELS.label("model"))
            block = gr.Dropdown([], label=LABELS.label("block"))
            layer = gr.Dropdown([], label=LABELS.label("layer"),
                                allow_custom_value=True)  # checked by the handlers
            filters = gr.Textbox("0-15", label=T.label("filters"), elem_id="ascent-filters",
                                 info=T.label("filters_info"))
            mode = gr.Radio([(T.label(f"mode_{name}"), value) for value, name in MODES.items()],
                            value=next(iter(MODES)), label=T.label("method"))
            with gr.Accordion(T.label("notebook_params"), open=True):
                nb_steps = gr.Number(defaults.steps, precision=0, label=T.label("steps"),
                                     elem_id="ascent-steps")
                step_size = gr.Number(defaults.step_size, label=T.label("step_size"))
            with gr.Accordion(T.label("regularized_params"), open=False):
                rg_steps = gr.Number(64, precision=0, label=T.label("adam_steps"))
                lr = gr.Number(defaults.lr, label=T.label("lr"))
                variants = gr.Slider(1, 4, value=1, step=1, label=T.label("variants"))
                diversity = gr.Number(0.0, label=T.label("diversity"))
            with gr.Accordion(T.label("image"), open=True):
                size = gr.Number(defaults.size, precision=0, label=T.label("size"),
                                 elem_id="ascent-size")
                border = gr.Number(defaults.border, precision=0, label=T.label("border"))
                crop = gr.Number(defaults.crop, precision=0, label=T.label("crop"),
                                 elem_id="ascent-crop")
                seed = gr.Number(0, precision=0, label=T.label("seed"))
            with gr.Row():
                run = gr.Button(T.label("run"), variant="primary", elem_id="ascent-run")
                cancel = gr.Button(T.label("cancel"), variant="stop")
        with gr.Column(scale=2):
            description = gr.Markdown(elem_id="ascent-text")
            gr.Markdown(T.label("grid_intro"))
            grid = gr.Image(label=T.label("grid"), show_label=False, format="png",
                            interactive=False, elem_id="ascent-grid")
            download = gr.DownloadButton(T.label("download"), value=None)
            with gr.Row():
                large = gr.Image(label=T.label("selected"), format="png", interactive=False,
                                 height=320)
                with gr.Column():
                    caption = gr.Markdown()
                    chosen = gr.Number(0, precision=0, minimum=0, label=T.label("compare_filter"))
                    versus = gr.Button(T.label("versus"))
                    across = gr.Button(T.label("across"))
            pair = gr.Image(label=T.label("pair"), format="png", interactive=False,
                            elem_id="ascent-pair")
            pair_caption = gr.Markdown()
            depth = gr.Gallery(label=T.label("depths"), columns=3, height=300)
            losses = gr.Plot(label=T.label("losses"))
            with gr.Accordion(T.label("weights"), open=False):
                weights_text = gr.Markdown()
                kernels = gr.Image(label=T.label("kernels"), format="png", interactive=False)
    state = gr.State(None)
    session = gr.State(new_session_token)
    components = dict(nb_steps=nb_steps, step_size=step_size, rg_steps=rg_steps, lr=lr,
                      variants=variants, diversity=diversity, size=size, border=border,
                      crop=crop, seed=seed)
    knobs = [components[name] for name in KNOBS]

    def cancel_in_language(session: str | None, request: gr.Request) -> str:
        """Cancel, answered in the request's language."""
        return cancel_ascent(session, request_language(request, ctx.lang))

    # The shell runs "ascent_model" when a page opens (its first view); then on a choice.
    model.input(ctx.bind(choose_model, "ascent"), model, [model, block, layer],
                api_name="ascent_model")
    block.input(ctx.bind(choose_block), [model, block], layer, api_name="ascent_block")
    layer.change(ctx.bind(show_weights), [model, layer], [weights_text, kernels],
                 api_name="ascent_weights")
    event = run.click(with_knobs(run_ascent, ctx), [session, model, layer, filters, mode, *knobs],
                      [grid, description, losses, download, state], api_name="ascent")
    cancel.click(cancel_in_language, session, description, cancels=[event],
                 api_visibility="private")
    grid.select(ctx.bind(show_tile), state, [large, caption, chosen],
                api_visibility="private")
    versus.click(with_knobs(compare_modes, ctx), [model, layer, chosen, *knobs],
                 [pair, pair_caption], api_name="ascent_compare_modes")
    across.click(with_knobs(compare_layers, ctx), [model, chosen, mode, *knobs], depth,
                 api_name="ascent_compare_layers")
    return dict(model=model, block=block, layer=layer, method=mode, filters=filters,
                filter=chosen)
