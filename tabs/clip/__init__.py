"""CLIP tab: how well each description fits the image, which words and regions decide it, and
whether the explanations agree. Zero-shot classification next to a CNN.

The layout and its wiring live here; the handlers in :mod:`tabs.clip.handlers`.
"""

from __future__ import annotations

import functools

import gradio as gr

from core.clip import SLIDES_DESCRIPTIONS
from core.clip.tokens import MAX_DESCRIPTIONS
from tabs.clip.handlers import (
    LAYER_CHOICES,
    TOKEN_CHOICES,
    check_agreement,
    compare_zero_shot,
    explain,
    notice,
    score,
    show_tokens,
)
from tabs.common.context import TabContext
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import model_choices

TITLE = "CLIP"


def build(ctx: TabContext, demo: gr.Blocks) -> None:
    """Create the tab inside the current ``gr.Tab`` and wire its events."""
    models = ctx.models
    clip_names = models.names("clip")
    classifiers = models.names("classifier")
    cnn_start = models.default_model("resnet50") if "resnet50" in classifiers else models.fallback
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            warning = gr.Markdown(elem_id="clip-notice")
            picker = image_picker(ctx.examples, default="both.png", key="clip")
            model = gr.Dropdown(model_choices(models, "clip"),
                                value=clip_names[0] if clip_names else None, label="CLIP model")
            descriptions = gr.Textbox("\n".join(SLIDES_DESCRIPTIONS), lines=5, max_lines=20,
                                      label=f"Descriptions, one per line (at most {MAX_DESCRIPTIONS})",
                                      elem_id="clip-descriptions")
            run = gr.Button("Score the descriptions", variant="primary", elem_id="clip-score")
        with gr.Column(scale=2):
            with gr.Tabs():
                with gr.Tab("Similarity"):
                    table = gr.Markdown(elem_id="clip-table")
                    chart = gr.Plot(show_label=False, format="png", elem_id="clip-chart")
                    note = gr.Markdown()
                with gr.Tab("Zero-shot vs CNN"):
                    cnn = gr.Dropdown(model_choices(models), value=cnn_start,
                                      label="CNN to compare with")
                    classify = gr.Button("Classify into the 1000 ImageNet classes", variant="primary")
                    with gr.Row():
                        clip_top = gr.Label(num_top_classes=5, label="CLIP zero-shot top-5")
                        cnn_top = gr.Label(num_top_classes=5, label="CNN top-5")
                    zero_text = gr.Markdown()
                with gr.Tab("Words and regions"):
                    with gr.Row():
                        chosen = gr.Dropdown(list(SLIDES_DESCRIPTIONS), value=SLIDES_DESCRIPTIONS[0],
                                             allow_custom_value=True, label="Description for the image maps")
                        layers = gr.Radio(list(LAYER_CHOICES), value="all layers",
                                          label="Chefer et al.: accumulate over")
                    method = gr.Radio(TOKEN_CHOICES, value="chefer", label="Token importance by")
                    with gr.Row():
                        explain_run = gr.Button("Explain", variant="primary", elem_id="clip-explain")
                        opacity = gr.Slider(0.0, 1.0, value=0.6, step=0.05, label="Overlay opacity")
                    tokens = gr.HTML(elem_id="clip-tokens")
                    maps = gr.Image(label="Image maps", format="png", interactive=False,
                                    show_label=False, elem_id="clip-maps")
                    maps_text = gr.Markdown()
                with gr.Tab("Do the explanations agree?"):
                    check = gr.Button("Check the top description", variant="primary")
                    agree_table = gr.Markdown()
                    deletion = gr.Plot(show_label=False, format="png", elem_id="clip-deletion")
                    agree_text = gr.Markdown()
    with gr.Accordion("Lesson", open=False):
        gr.Markdown(ctx.lesson("clip"))

    inputs = [*picker.inputs, model, descriptions]
    demo.load(functools.partial(notice, ctx), model, warning, api_visibility="private")
    model.change(functools.partial(notice, ctx), model, warning, api_visibility="private")
    gr.on([run.click, descriptions.submit], functools.partial(score, ctx), inputs,
          [table, chart, note, chosen], api_name="clip_similarity")
    classify.click(functools.partial(compare_zero_shot, ctx), [*picker.inputs, model, cnn],
                   [clip_top, cnn_top, zero_text], api_name="clip_zero_shot")
    explain_run.click(functools.partial(explain, ctx),
                      [*inputs, chosen, method, layers, opacity], [tokens, maps, maps_text],
                      api_name="clip_explain")
    method.input(functools.partial(show_tokens, ctx), [*inputs, method, layers], tokens,
                 api_name="clip_tokens")
    check.click(functools.partial(check_agreement, ctx), [*inputs, layers],
                [agree_table, deletion, agree_text], api_name="clip_agreement")
