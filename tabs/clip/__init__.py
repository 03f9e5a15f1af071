"""CLIP tab: how well each description fits the image, which words and regions decide it, and
whether the explanations agree. Zero-shot classification next to a CNN.

The layout and its wiring live here; the handlers in :mod:`tabs.clip.handlers`.
"""

from __future__ import annotations

import gradio as gr

from core.clip import SLIDES_DESCRIPTIONS
from tabs.clip.handlers import (
    LAYER_CHOICES,
    TOKEN_METHODS,
    check_agreement,
    compare_zero_shot,
    explain,
    notice,
    score,
    show_tokens,
)
from tabs.clip.texts import T
from tabs.common.context import TabContext
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import model_choices

TITLE = "CLIP"


def build(ctx: TabContext, demo: gr.Blocks) -> dict[str, gr.components.Component]:
    """Create the tab inside the current ``gr.Tab`` and wire its events.

    Returns the link fields (address key → component) that a link to this view carries.
    """
    models = ctx.models
    clip_names = models.names("clip")
    classifiers = models.names("classifier")
    cnn_start = models.default_model("resnet50") if "resnet50" in classifiers else models.fallback
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            warning = gr.Markdown(elem_id="clip-notice")
            picker = image_picker(ctx.examples, default="both.png", key="clip")
            model = gr.Dropdown(model_choices(models, "clip"),
                                value=clip_names[0] if clip_names else None, label=T.label("model"))
            descriptions = gr.Textbox("\n".join(SLIDES_DESCRIPTIONS), lines=5, max_lines=20,
                                      label=T.label("descriptions"),
                                      elem_id="clip-descriptions")
            run = gr.Button(T.label("score"), variant="primary", elem_id="clip-score")
        with gr.Column(scale=2):
            with gr.Tabs():
                with gr.Tab(T.label("tab.similarity")):
                    table = gr.Markdown(elem_id="clip-table")
                    chart = gr.Plot(show_label=False, format="png", elem_id="clip-chart")
                    note = gr.Markdown()
                with gr.Tab(T.label("tab.zero_shot")):
                    cnn = gr.Dropdown(model_choices(models), value=cnn_start,
                                      label=T.label("cnn"))
                    classify = gr.Button(T.label("classify"), variant="primary")
                    with gr.Row():
                        clip_top = gr.Label(num_top_classes=5, label=T.label("clip_top"))
                        cnn_top = gr.Label(num_top_classes=5, label=T.label("cnn_top"))
                    zero_text = gr.Markdown()
                with gr.Tab(T.label("tab.words")):
                    with gr.Row():
                        chosen = gr.Dropdown(list(SLIDES_DESCRIPTIONS), value=SLIDES_DESCRIPTIONS[0],
                                             allow_custom_value=True, label=T.label("chosen"))
                        layers = gr.Radio([(T.label(key), value) for key, value
                                           in zip(("layers.all", "layers.last"), LAYER_CHOICES)],
                                          value="all layers", label=T.label("layers"))
                    method = gr.Radio([(T.label(f"method.{name}"), name) for name in TOKEN_METHODS],
                                      value="chefer", label=T.label("method"))
                    with gr.Row():
                        explain_run = gr.Button(T.label("explain"), variant="primary",
                                                elem_id="clip-explain")
                        opacity = gr.Slider(0.0, 1.0, value=0.6, step=0.05, label=T.label("opacity"))
                    tokens = gr.HTML(elem_id="clip-tokens")
                    maps = gr.Image(label=T.label("maps"), format="png", interactive=False,
                                    show_label=False, elem_id="clip-maps")
                    maps_text = gr.Markdown()
                with gr.Tab(T.label("tab.agree")):
                    check = gr.Button(T.label("check"), variant="primary")
                    agree_table = gr.Markdown()
                    deletion = gr.Plot(show_label=False, format="png", elem_id="clip-deletion")
                    agree_text = gr.Markdown()

    inputs = [*picker.inputs, model, descriptions]
    demo.load(ctx.bind(notice), model, warning, api_visibility="private")
    model.change(ctx.bind(notice), model, warning, api_visibility="private")
    gr.on([run.click, descriptions.submit], ctx.bind(score), inputs,
          [table, chart, note, chosen], api_name="clip_similarity")
    classify.click(ctx.bind(compare_zero_shot), [*picker.inputs, model, cnn],
                   [clip_top, cnn_top, zero_text], api_name="clip_zero_shot")
    explain_run.click(ctx.bind(explain),
                      [*inputs, chosen, method, layers, opacity], [tokens, maps, maps_text],
                      api_name="clip_explain")
    method.input(ctx.bind(show_tokens), [*inputs, method, layers], tokens,
                 api_name="clip_tokens")
    check.click(ctx.bind(check_agreement), [*inputs, layers],
                [agree_table, deletion, agree_text], api_name="clip_agreement")
    return dict(image=picker.example, model=model, method=method, text=descriptions)
