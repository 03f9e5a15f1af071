"""The CLIP tab's event handlers: each turns the form's values into ``core.clip`` calls and the
typed results into tables, pictures and sentences."""

from __future__ import annotations

import math

import gradio as gr

from core.clip import (
    IMAGE_METHODS,
    METHOD_TITLES,
    PROMPT,
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
from tabs.common.errors import user_errors
from tabs.common.layer_picker import load_model
from tabs.common.render.clip import (
    TokenRow,
    deletion_figure,
    ranking_figure,
    relevance_strip,
    token_html,
)

TOKEN_CHOICES = [("1 · raw attention (as on the slides)", "attention"),
                 ("2 · Chefer et al. 2021 (gradient × attention)", "chefer"),
                 ("3 · Grad-ECLIP (Zhao et al. 2024)", "grad_eclip")]
LAYER_CHOICES = {"all layers": None, "last layer only": 1}


def _chefer_layers(choice: str) -> int | None:
    if choice not in LAYER_CHOICES:
        raise ValueError(f"Choose one of: {', '.join(LAYER_CHOICES)} for Chefer's accumulation.")
    return LAYER_CHOICES[choice]


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.2f}"


@user_errors
def notice(ctx: TabContext, model: str | None) -> str:
    """A visible sentence when the CLIP weights cannot be had here (empty when they can)."""
    if not model:
        return "**No CLIP model is registered in this lab.**"
    if ctx.models.is_usable(model):
        return ""
    try:
        ctx.models.get(model)
    except WeightsUnavailableError as error:
        return (f"⚠️ **{error.title} cannot be used here.** {error} The other tabs keep "
                "working with their models.")
    return ""


@user_errors
def score(ctx: TabContext, example: str, upload: str | None, model: str, descriptions: str):
    """Cosine, logit and probability per description, ranked; the bar chart; warnings."""
    loaded = ctx.models.get(model)
    result = similarity(loaded, ctx.examples.resolve(example, upload), descriptions)
    rows = [f"| rank | description | cosine similarity | logit (× {result.scale:.0f}) | probability |",
            "|---:|---|---:|---:|---:|"]
    for rank, i in enumerate(result.ranking, start=1):
        rows.append(f"| {rank} | {result.descriptions[i]} | {result.cosine[i]:.4f} | "
                    f"{result.logits[i]:.2f} | {result.probabilities[i]:.1%} |")
    for warning in result.warnings:
        gr.Warning(warning)
    note = ("The probability is a softmax over *these* descriptions only: add or remove one and "
            "every probability changes, while the cosine of the others stays the same.")
    if result.warnings:
        note = "\n\n".join(f"⚠️ {w}" for w in result.warnings) + "\n\n" + note
    figure = ranking_figure(result.descriptions, result.probabilities, result.cosine,
                            list(result.ranking))
    chosen = gr.Dropdown(choices=list(result.descriptions), value=result.descriptions[result.top])
    return "\n".join(rows), figure, note, chosen


@user_errors
def compare_zero_shot(ctx: TabContext, example: str, upload: str | None, model: str, cnn: str,
                      progress=gr.Progress()):
    """CLIP's top-5 of the 1000 ImageNet classes next to the CNN's top-5, and a sentence."""
    loaded = ctx.models.get(model)
    image = ctx.examples.resolve(example, upload)
    result = zero_shot(loaded, image, progress=lambda f, text: progress(f, desc=text))
    classifier = load_model(ctx, cnn)
    predictions = classify(classifier, image)
    text = (f"CLIP compared the image with 1000 sentences “{PROMPT.format('…')}” — one per ImageNet "
            f"class — in {result.seconds:.2f} s (the sentences are encoded once per model and "
            f"cached). {classifier.spec.title} was trained on exactly these 1000 classes with "
            "labels; CLIP never saw an ImageNet label, only pictures with captions from the web.")
    return ({f"{p.label} (#{p.index})": p.probability for p in result.predictions},
            {f"{p.label} (#{p.index})": p.probability for p in predictions}, text)


def _token_rows(ctx: TabContext, example, upload, model, descriptions, method, layers):
    loaded = ctx.models.get(model)
    image = ctx.examples.resolve(example, upload)
    scored = similarity(loaded, image, descriptions)
    relevance = token_relevance(loaded, image, scored.descriptions,
                                chefer_layers=_chefer_layers(layers))
    tokenized = relevance.tokenized
    rows = []
    for rank, i in enumerate(scored.ranking, start=1):
        scores = relevance.of(method, i)
        note = (f"the end token pays {relevance.start_share[i]:.0%} of its last-layer attention to "
                "the start token (left out above)" if method == "attention" else "")
        rows.append(TokenRow(
            title=f"#{rank} · p = {scored.probabilities[i]:.1%} · cos {scored.cosine[i]:.3f} · "
                  f"{len(tokenized.tokens[i])} tokens", tokens=tokenized.tokens[i],
            scores=scores, word_end=tokenized.word_end[i], note=note))
    return loaded, image, scored, rows


@user_errors
def show_tokens(ctx: TabContext, example: str, upload: str | None, model: str,
                descriptions: str, method: str, layers: str) -> str:
    """Every description's tokens, highlighted by one method (best description first)."""
    return token_html(_token_rows(ctx, example, upload, model, descriptions, method, layers)[3])


@user_errors
def explain(ctx: TabContext, example: str, upload: str | None, model: str, descriptions: str,
            chosen: str | None, method: str, layers: str, opacity: float):
    """Token highlights for all descriptions, and the four image maps of the chosen one."""
    loaded, image, scored, rows = _token_rows(ctx, example, upload, model, descriptions, method,
                                              layers)
    description = (chosen or "").strip() or scored.descriptions[scored.top]
    maps = image_relevance(loaded, image, description, chefer_layers=_chefer_layers(layers))
    size = maps.view.shape[:2]
    picture = relevance_strip(maps.view, {m: maps.image_map(m, size) for m in IMAGE_METHODS},
                              METHOD_TITLES, opacity=opacity)
    side = maps.patches["chefer"].shape[0]
    text = (f"Maps for **“{maps.description}”** (cosine {maps.cosine:.3f}). CLIP cuts the image "
            f"into {side}×{side} patches; each map gives every patch one value, stretched over "
            "the picture and scaled on its own (red = most relevant *for this map*). The two "
            "attention maps are the same for every description — they do not depend on the "
            "text at all; Chefer and Grad-ECLIP follow the gradient of this description's score.")
    return token_html(rows), picture, text


@user_errors
def check_agreement(ctx: TabContext, example: str, upload: str | None, model: str,
                    descriptions: str, layers: str, progress=gr.Progress()):
    """Rank correlations between the methods and the deletion check, for the top description."""
    progress(0.1, desc="Explaining the top description with every method…")
    loaded = ctx.models.get(model)
    result = agreement(loaded, ctx.examples.resolve(example, upload), descriptions,
                       chefer_layers=_chefer_layers(layers))
    rows = [f"Top description: **“{result.description}”**\n",
            "| methods compared | ρ over the words | ρ over the image patches |", "|---|---:|---:|"]
    for a, b in result.image_correlations:
        words = result.token_correlations.get((a, b))
        rows.append(f"| {METHOD_TITLES[a]} vs {METHOD_TITLES[b]} | "
                    f"{'—' if words is None else _number(words)} | "
                    f"{_number(result.image_correlations[(a, b)])} |")
    rows.append("\nSpearman's ρ: +1 = same order of importance, 0 = unrelated, −1 = reversed "
                "(n/a: a method gave every word the same score).")
    deletion = result.deletion
    figure = deletion_figure(deletion.fractions, deletion.curves, deletion.random, METHOD_TITLES,
                             random_orders=deletion.random_orders)
    areas = " · ".join(f"{METHOD_TITLES[m]} {deletion.areas[m]:.3f}" for m in deletion.curves)
    faster = [METHOD_TITLES[m] for m in deletion.curves if deletion.areas[m] < deletion.areas["random"]]
    text = (f"Area under the deletion curve (lower = the similarity falls faster): {areas} · "
            f"random order {deletion.areas['random']:.3f}. "
            + (f"Faster than random: {', '.join(faster)}." if faster else
               "No map beats random order here: none of them found what the score depends on.")
            + " Removed patches are filled with CLIP's mean colour.")
    return "\n".join(rows), figure, text


__all__ = ["IMAGE_METHODS", "LAYER_CHOICES", "TOKEN_CHOICES", "TOKEN_METHODS", "check_agreement",
           "compare_zero_shot", "explain", "notice", "score", "show_tokens"]
