"""CLIP tab: how well each description fits the image, which words and regions decide it, and
whether the explanations agree. Zero-shot classification next to a CNN.

The layout and its wiring live here; the views in :mod:`tabs.clip.views`.
"""

from __future__ import annotations

from dataclasses import replace

import gradio as gr

from core.clip import SLIDES_DESCRIPTIONS, TOKEN_METHODS
from tabs.clip.texts import T
from tabs.clip.views import (
    AGREEMENT,
    EXPLAIN,
    EXPLAIN_RUNS,
    LAYER_CHOICES,
    NOTICE,
    SIMILARITY,
    TOKENS,
    ZERO_SHOT,
    ExplainSettings,
    ZeroShotSettings,
)
from tabs.common.code_panel import CodePanel
from tabs.common.described import captions
from tabs.common.form import Form
from tabs.common.image_picker import image_picker
from tabs.common.layer_picker import model_choices
from tabs.common.layout import CONTROLS, RESULTS, WIDE
from tabs.common.streaming import stopper

TITLE = "CLIP"
__all__ = ["LAYER_CHOICES", "TITLE", "TOKEN_METHODS", "build"]


def build(form: Form) -> None:
    """Create the tab inside the current ``gr.Tab`` and wire its views.

    Without CLIP's weights the tab opens with its notice only (no similarity to show).
    """
    models = form.ctx.models
    clip_names = models.names("clip")
    classifiers = models.names("classifier")
    cnn_default = ZeroShotSettings().cnn
    cnn_start = models.default_model(cnn_default) if cnn_default in classifiers \
        else models.fallback
    explain_defaults = ExplainSettings()
    with gr.Row():
        with gr.Column(scale=1, min_width=300, elem_classes=CONTROLS):
            warning = gr.Markdown(elem_id="clip-notice")
            image_picker(form, default=explain_defaults.example, key="clip")
            model = gr.Dropdown(model_choices(models, "clip"),
                                value=clip_names[0] if clip_names else None,
                                label=T.label("model"))
            descriptions = gr.Textbox(explain_defaults.descriptions, lines=5, max_lines=20,
                                      label=T.label("descriptions"),
                                      elem_id="clip-descriptions")
            run = gr.Button(T.label("score"), variant="primary", elem_id="clip-score")
        with gr.Column(scale=2, elem_classes=RESULTS), gr.Tabs(overflow_behavior="wrap"):
            with gr.Tab(T.label("tab.similarity")):
                table = gr.Markdown(elem_id="clip-table")
                chart = gr.Image(label=T.label("chart"), show_label=False, format="png",
                                 interactive=False, elem_id="clip-chart")
                chart_words = captions("clip-chart-words")
                note = gr.Markdown()
                panel = CodePanel.create(form.ctx, "clip-similarity-code")
            with gr.Tab(T.label("tab.zero_shot")):
                cnn = gr.Dropdown(model_choices(models), value=cnn_start,
                                  label=T.label("cnn"))
                classify = gr.Button(T.label("classify"), variant="primary")
                with gr.Row():
                    clip_top = gr.Label(num_top_classes=5, label=T.label("clip_top"))
                    cnn_top = gr.Label(num_top_classes=5, label=T.label("cnn_top"))
                zero_text = gr.Markdown()
                zero_panel = CodePanel.create(form.ctx, "clip-zero-shot-code")
            with gr.Tab(T.label("tab.words")):
                with gr.Row():
                    chosen = gr.Dropdown(list(SLIDES_DESCRIPTIONS),
                                         value=explain_defaults.chosen,
                                         allow_custom_value=True, label=T.label("chosen"))
                    layers = gr.Radio([(T.label(key), value) for key, value
                                       in zip(("layers.all", "layers.last"), LAYER_CHOICES)],
                                      value=explain_defaults.layers, label=T.label("layers"))
                method = gr.Radio([(T.label(f"method.{name}"), name) for name in TOKEN_METHODS],
                                  value=explain_defaults.method, label=T.label("method"))
                with gr.Row():
                    explain_run = gr.Button(T.label("explain"), variant="primary",
                                            elem_id="clip-explain")
                    explain_cancel = gr.Button(T.label("cancel"), variant="stop")
                    opacity = gr.Slider(0.0, 1.0, value=explain_defaults.opacity, step=0.05,
                                        label=T.label("opacity"))
                tokens = gr.HTML(elem_id="clip-tokens")
                maps = gr.Image(label=T.label("maps"), format="png", interactive=False,
                                show_label=False, elem_id="clip-maps", elem_classes=WIDE)
                maps_words = captions("clip-maps-words")
                maps_text = gr.Markdown()
            with gr.Tab(T.label("tab.agree")):
                check = gr.Button(T.label("check"), variant="primary")
                agree_table = gr.Markdown()
                deletion = gr.Image(label=T.label("agree.plot"), show_label=False,
                                    format="png", interactive=False, elem_id="clip-deletion")
                deletion_words = captions("clip-deletion-words")
                agree_text = gr.Markdown()
    form.add(model=model, descriptions=descriptions, cnn=cnn, chosen=chosen, method=method,
             layers=layers, opacity=opacity)

    usable = bool(clip_names) and all(models.is_usable(name) for name in clip_names)
    form.wire(NOTICE, model.change, warning)
    form.wire(SIMILARITY if usable else replace(SIMILARITY, role=None),
              [run.click, descriptions.submit], [table, chart, note, chosen, chart_words])
    if panel:
        panel.wire(form, SIMILARITY)
    form.wire(ZERO_SHOT, classify.click, [clip_top, cnn_top, zero_text])
    if zero_panel:
        zero_panel.wire(form, ZERO_SHOT)
    form.wire(EXPLAIN, explain_run.click, [tokens, maps, maps_text, maps_words],
              show_progress="minimal")
    form.wire(stopper(EXPLAIN, EXPLAIN_RUNS, T), explain_cancel.click, None)
    form.wire(TOKENS, method.input, tokens)
    form.wire(AGREEMENT, check.click, [agree_table, deletion, agree_text, deletion_words])
