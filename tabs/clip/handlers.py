"""The CLIP tab's event handlers: each turns the form's values into ``core.clip`` calls and the
typed results into tables, pictures and sentences."""

from __future__ import annotations

import math

import gradio as gr

from core.clip import (
    IMAGE_METHODS,
    METHOD_TITLES,
    PROMPT,
    Tokenized,
    TOKEN_METHODS,
    agreement,
    image_relevance,
    similarity,
    token_relevance,
    zero_shot,
)
from core.models import WeightsUnavailableError
from core.predictions import classify
from tabs.common.context import TabContext
from tabs.clip.texts import T
from tabs.common.errors import user_errors
from tabs.common.i18n import request_language
from tabs.common.layer_picker import load_model
from tabs.common.render.clip import (
    TokenRow,
    deletion_figure,
    ranking_figure,
    relevance_strip,
    token_html,
)

LAYER_CHOICES = {"all layers": None, "last layer only": 1}


def _chefer_layers(choice: str, lang: str) -> int | None:
    if choice not in LAYER_CHOICES:
        raise ValueError(T.text("bad_layers", lang, choices=", ".join(LAYER_CHOICES)))
    return LAYER_CHOICES[choice]


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.2f}"


def _titles(lang: str) -> dict[str, str]:
    """The methods' names in ``lang``."""
    return {method: T.text(f"title.{method}", lang) for method in METHOD_TITLES}


def _cut(tokenized: Tokenized, lang: str) -> list[str]:
    """One sentence per description longer than CLIP's context (core warns in English)."""
    return [T.text("cut", lang, row=row + 1, count=count, context=tokenized.context,
                   text=_short(tokenized.descriptions[row]),
                   last=" ".join(tokenized.tokens[row][-4:-1]))
            for row, count in enumerate(tokenized.lengths) if count > tokenized.context]


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@user_errors
def notice(ctx: TabContext, model: str | None, request: gr.Request = None) -> str:
    """A visible sentence when the CLIP weights cannot be had here (empty when they can)."""
    lang = request_language(request, ctx.lang)
    if not model:
        return T.text("no_model", lang)
    if ctx.models.is_usable(model):
        return ""
    try:
        ctx.models.get(model)
    except WeightsUnavailableError as error:
        return T.text("unusable", lang, title=error.title, error=error)
    return ""


@user_errors
def score(ctx: TabContext, example: str, upload: str | None, model: str, descriptions: str,
          request: gr.Request = None):
    """Cosine, logit and probability per description, ranked; the bar chart; warnings."""
    lang = request_language(request, ctx.lang)
    loaded = ctx.models.get(model)
    result = similarity(loaded, ctx.examples.resolve(example, upload), descriptions)
    rows = [T.text("table.head", lang, scale=result.scale), "|---:|---|---:|---:|---:|"]
    for rank, i in enumerate(result.ranking, start=1):
        rows.append(f"| {rank} | {result.descriptions[i]} | {result.cosine[i]:.4f} | "
                    f"{result.logits[i]:.2f} | {result.probabilities[i]:.1%} |")
    warnings = _cut(result.tokenized, lang)
    for warning in warnings:
        gr.Warning(warning)
    note = "\n\n".join([*(f"⚠️ {w}" for w in warnings), T.text("softmax", lang)])
    figure = ranking_figure(result.descriptions, result.probabilities, result.cosine,
                            list(result.ranking), lang=lang)
    chosen = gr.Dropdown(choices=list(result.descriptions), value=result.descriptions[result.top])
    return "\n".join(rows), figure, note, chosen


@user_errors
def compare_zero_shot(ctx: TabContext, example: str, upload: str | None, model: str, cnn: str,
                      progress=gr.Progress(), request: gr.Request = None):
    """CLIP's top-5 of the 1000 ImageNet classes next to the CNN's top-5, and a sentence."""
    loaded = ctx.models.get(model)
    image = ctx.examples.resolve(example, upload)
    result = zero_shot(loaded, image, progress=lambda f, text: progress(f, desc=text))
    classifier = load_model(ctx, cnn, request)
    predictions = classify(classifier, image)
    text = T.text("zero_shot", request_language(request, ctx.lang), prompt=PROMPT.format("…"),
                  seconds=result.seconds, cnn=classifier.spec.title)
    return ({f"{p.label} (#{p.index})": p.probability for p in result.predictions},
            {f"{p.label} (#{p.index})": p.probability for p in predictions}, text)


def _token_rows(ctx: TabContext, example, upload, model, descriptions, method, layers, lang):
    loaded = ctx.models.get(model)
    image = ctx.examples.resolve(example, upload)
    scored = similarity(loaded, image, descriptions)
    relevance = token_relevance(loaded, image, scored.descriptions,
                                chefer_layers=_chefer_layers(layers, lang))
    tokenized = relevance.tokenized
    rows = []
    for rank, i in enumerate(scored.ranking, start=1):
        note = (T.text("start_share", lang, share=relevance.start_share[i])
                if method == "attention" else "")
        rows.append(TokenRow(
            title=T.text("row", lang, rank=rank, p=scored.probabilities[i], cosine=scored.cosine[i],
                         count=len(tokenized.tokens[i])), tokens=tokenized.tokens[i],
            scores=relevance.of(method, i), word_end=tokenized.word_end[i], note=note))
    return loaded, image, scored, rows


@user_errors
def show_tokens(ctx: TabContext, example: str, upload: str | None, model: str,
                descriptions: str, method: str, layers: str, request: gr.Request = None) -> str:
    """Every description's tokens, highlighted by one method (best description first)."""
    lang = request_language(request, ctx.lang)
    return token_html(_token_rows(ctx, example, upload, model, descriptions, method, layers,
                                  lang)[3])


@user_errors
def explain(ctx: TabContext, example: str, upload: str | None, model: str, descriptions: str,
            chosen: str | None, method: str, layers: str, opacity: float,
            request: gr.Request = None):
    """Token highlights for all descriptions, and the four image maps of the chosen one."""
    lang = request_language(request, ctx.lang)
    loaded, image, scored, rows = _token_rows(ctx, example, upload, model, descriptions, method,
                                              layers, lang)
    description = (chosen or "").strip() or scored.descriptions[scored.top]
    maps = image_relevance(loaded, image, description, chefer_layers=_chefer_layers(layers, lang))
    size = maps.view.shape[:2]
    picture = relevance_strip(maps.view, {m: maps.image_map(m, size) for m in IMAGE_METHODS},
                              _titles(lang), opacity=opacity, lang=lang)
    text = T.text("maps.text", lang, description=maps.description, cosine=maps.cosine,
                  side=maps.patches["chefer"].shape[0])
    return token_html(rows), picture, text


@user_errors
def check_agreement(ctx: TabContext, example: str, upload: str | None, model: str,
                    descriptions: str, layers: str, progress=gr.Progress(),
                    request: gr.Request = None):
    """Rank correlations between the methods and the deletion check, for the top description."""
    lang = request_language(request, ctx.lang)
    titles = _titles(lang)
    progress(0.1, desc=T.text("agree.progress", lang))
    loaded = ctx.models.get(model)
    result = agreement(loaded, ctx.examples.resolve(example, upload), descriptions,
                       chefer_layers=_chefer_layers(layers, lang))
    rows = [T.text("agree.top", lang, description=result.description),
            T.text("agree.head", lang), "|---|---:|---:|"]
    for a, b in result.image_correlations:
        words = result.token_correlations.get((a, b))
        rows.append(f"| {T.text('agree.pair', lang, a=titles[a], b=titles[b])} | "
                    f"{'—' if words is None else _number(words)} | "
                    f"{_number(result.image_correlations[(a, b)])} |")
    rows.append(T.text("spearman", lang))
    deletion = result.deletion
    figure = deletion_figure(deletion.fractions, deletion.curves, deletion.random, titles,
                             random_orders=deletion.random_orders, lang=lang)
    areas = " · ".join(f"{titles[m]} {deletion.areas[m]:.3f}" for m in deletion.curves)
    faster = [titles[m] for m in deletion.curves if deletion.areas[m] < deletion.areas["random"]]
    text = (T.text("deletion", lang, areas=areas, random=deletion.areas["random"])
            + (T.text("faster", lang, methods=", ".join(faster)) if faster
               else T.text("not_faster", lang)) + T.text("filled", lang))
    return "\n".join(rows), figure, text


__all__ = ["IMAGE_METHODS", "LAYER_CHOICES", "TOKEN_METHODS", "check_agreement",
           "compare_zero_shot", "explain", "notice", "score", "show_tokens"]
