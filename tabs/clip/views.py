"""The CLIP tab's views: each turns the form's values into ``core.clip`` calls and the typed
results into tables, pictures and sentences."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar

import gradio as gr

from core.clip import (
    IMAGE_METHODS,
    METHOD_TITLES,
    PROMPT,
    SLIDES_DESCRIPTIONS,
    ImageRelevance,
    Similarity,
    Tokenized,
    TokenMethod,
    TokenRelevance,
    agreement,
    similarity,
    token_relevance,
    words_and_regions,
    zero_shot,
)
from core.models import WeightsUnavailableError
from core.predictions import classify
from tabs.clip import words
from tabs.clip.code import similarity_code, zero_shot_code
from tabs.clip.render import TokenRow, deletion_figure, ranking_figure, relevance_strip, token_html
from tabs.clip.texts import T
from tabs.common.described import Described
from tabs.common.layer_picker import load_model
from tabs.common.streaming import CancelSwitches, progressive, status
from tabs.common.view import Call, View, linked

LAYER_CHOICES = {"all layers": None, "last layer only": 1}
MODEL = "clip-vit-base-patch32"
DESCRIPTIONS = "\n".join(SLIDES_DESCRIPTIONS)
EXPLAIN_RUNS = CancelSwitches()
"""The explanation each browser session has running, which a new run or Cancel stops."""
Relevance = TokenRelevance | ImageRelevance
"""What the explanation streams: the token scores or the image maps computed so far."""
R = TypeVar("R", TokenRelevance, ImageRelevance)


@dataclass(frozen=True)
class ModelChoice:
    model: str | None = MODEL


@dataclass(frozen=True)
class ScoreSettings:
    """The image and the descriptions to score."""

    example: str = linked("image", "both.png")
    upload: str | None = None
    model: str = linked("model", MODEL)
    descriptions: str = linked("text", DESCRIPTIONS)


@dataclass(frozen=True)
class ZeroShotSettings:
    example: str = "both.png"
    upload: str | None = None
    model: str = MODEL
    cnn: str = "resnet50"


@dataclass(frozen=True)
class TokenSettings:
    example: str = "both.png"
    upload: str | None = None
    model: str = MODEL
    descriptions: str = DESCRIPTIONS
    method: TokenMethod = linked("method", "chefer")
    layers: str = "all layers"


@dataclass(frozen=True)
class ExplainSettings:
    example: str = "both.png"
    upload: str | None = None
    model: str = MODEL
    descriptions: str = DESCRIPTIONS
    chosen: str | None = SLIDES_DESCRIPTIONS[0]
    method: TokenMethod = "chefer"
    layers: str = "all layers"
    opacity: float = 0.6


@dataclass(frozen=True)
class AgreementSettings:
    example: str = "both.png"
    upload: str | None = None
    model: str = MODEL
    descriptions: str = DESCRIPTIONS
    layers: str = "all layers"


def _chefer_layers(call: Call, choice: str) -> int | None:
    if choice not in LAYER_CHOICES:
        raise call.refuse("bad_layers", choices=", ".join(LAYER_CHOICES))
    return LAYER_CHOICES[choice]


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:+.2f}"


def _titles(lang: str) -> dict[str, str]:
    """The methods' names in ``lang``."""
    return {method: T.text(f"title.{method}", lang) for method in METHOD_TITLES}


def _cut(call: Call, tokenized: Tokenized) -> list[str]:
    """One sentence per description longer than CLIP's context."""
    return [call.text("cut", row=row + 1, count=count, context=tokenized.context,
                      text=_short(tokenized.descriptions[row]),
                      last=" ".join(tokenized.tokens[row][-4:-1]))
            for row, count in enumerate(tokenized.lengths) if count > tokenized.context]


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def notice(call: Call[ModelChoice]) -> str:
    """A visible sentence when the CLIP weights cannot be had here (empty when they can)."""
    model, ctx = call.settings.model, call.ctx
    if not model:
        return call.text("no_model")
    if ctx.models.is_usable(model):
        return ""
    try:
        ctx.models.get(model)
    except WeightsUnavailableError as error:
        return call.text("unusable", title=error.title, error=error)
    return ""


def score(call: Call[ScoreSettings]):
    """Cosine, logit and probability per description, ranked; the bar chart; warnings."""
    s, ctx = call.settings, call.ctx
    loaded = ctx.models.get(s.model)
    result = similarity(loaded, ctx.examples.resolve(s.example, s.upload), s.descriptions)
    rows = [call.text("table.head", scale=result.scale), "|---:|---|---:|---:|---:|"]
    for rank, i in enumerate(result.ranking, start=1):
        rows.append(f"| {rank} | {result.descriptions[i]} | {result.cosine[i]:.4f} | "
                    f"{result.logits[i]:.2f} | {result.probabilities[i]:.1%} |")
    warnings = _cut(call, result.tokenized)
    for warning in warnings:
        gr.Warning(warning)
    note = "\n\n".join([*(f"⚠️ {w}" for w in warnings), call.text("softmax")])
    figure = Described(ranking_figure(result.descriptions, result.probabilities, result.cosine,
                                      list(result.ranking), lang=call.lang),
                       words.ranking(result, call.lang))
    chosen = gr.Dropdown(choices=list(result.descriptions),
                         value=result.descriptions[result.top])
    return "\n".join(rows), figure, note, chosen


def compare_zero_shot(call: Call[ZeroShotSettings]):
    """CLIP's top-5 of the 1000 ImageNet classes next to the CNN's top-5, and a sentence."""
    s, ctx = call.settings, call.ctx
    loaded = ctx.models.get(s.model)
    image = ctx.examples.resolve(s.example, s.upload)
    result = zero_shot(loaded, image, progress=call.report)
    classifier = load_model(ctx, s.cnn, call.lang)
    predictions = classify(classifier, image)
    text = call.text("zero_shot", prompt=PROMPT.format("…"), seconds=result.seconds,
                     cnn=classifier.spec.title)
    return ({f"{p.label} (#{p.index})": p.probability for p in result.predictions},
            {f"{p.label} (#{p.index})": p.probability for p in predictions}, text)


def _scored(call: Call, s: TokenSettings | ExplainSettings):
    """The model, the image and every description's score."""
    loaded = call.ctx.models.get(s.model)
    image = call.ctx.examples.resolve(s.example, s.upload)
    return loaded, image, similarity(loaded, image, s.descriptions)


def _token_rows(call: Call, s: TokenSettings | ExplainSettings, scored: Similarity,
                relevance: TokenRelevance) -> list[TokenRow]:
    """Every description's tokens scored by the chosen method, best description first."""
    tokenized = relevance.tokenized
    rows = []
    for rank, i in enumerate(scored.ranking, start=1):
        note = (call.text("start_share", share=relevance.start_share[i])
                if s.method == "attention" else "")
        rows.append(TokenRow(
            title=call.text("row", rank=rank, p=scored.probabilities[i],
                            cosine=scored.cosine[i], count=len(tokenized.tokens[i])),
            tokens=tokenized.tokens[i], scores=relevance.of(s.method, i),
            word_end=tokenized.word_end[i], note=note))
    return rows


def show_tokens(call: Call[TokenSettings]) -> str:
    """Every description's tokens, highlighted by one method (best description first)."""
    s = call.settings
    loaded, image, scored = _scored(call, s)
    relevance = token_relevance(loaded, image, scored.descriptions,
                                chefer_layers=_chefer_layers(call, s.layers))
    return token_html(_token_rows(call, s, scored, relevance))


def explain(call: Call[ExplainSettings]) -> Iterator[object]:
    """Token highlights for all descriptions, and the four image maps of the chosen one,
    streamed: the cheap methods first (raw attention and rollout from the forward passes,
    then Grad-ECLIP's image map, Chefer's, and the gradient methods' token scores), the
    pending maps grey. Yields the tokens, the maps and a sentence on them (while computing:
    a line on what is ready)."""
    s = call.settings
    loaded, image, scored = _scored(call, s)
    layers = _chefer_layers(call, s.layers)
    description = (s.chosen or "").strip() or scored.descriptions[scored.top]
    titles = _titles(call.lang)
    parts = [call.text("part.tokens", method=titles[s.method]),
             *(titles[m] for m in IMAGE_METHODS)]

    def job(should_stop, emit) -> tuple[TokenRelevance, ImageRelevance]:
        return words_and_regions(loaded, image, scored.descriptions, description,
                                 chefer_layers=layers, on_result=emit, should_stop=should_stop)

    def outputs(tokens: TokenRelevance | None, maps: ImageRelevance | None, text: str, *,
                stopped: bool = False) -> tuple:
        html = None if tokens is None or s.method not in tokens.scores \
            else token_html(_token_rows(call, s, scored, tokens))
        picture = None if maps is None else Described(relevance_strip(
            maps.view, {m: maps.image_map(m, maps.view.shape[:2]) if m in maps.patches else None
                        for m in IMAGE_METHODS}, titles, opacity=s.opacity, lang=call.lang,
            stopped=stopped), words.regions(maps, titles, call.lang))
        return html, picture, text

    def ready(results: list[Relevance]) -> list[str]:
        tokens, maps = _latest(results, TokenRelevance), _latest(results, ImageRelevance)
        return ([parts[0]] if tokens is not None and s.method in tokens.scores else []) \
            + [titles[m] for m in IMAGE_METHODS if maps is not None and m in maps.patches]

    def so_far(results: list[Relevance], key: str) -> tuple:
        line = status(call, key, ready(results), parts)
        return outputs(_latest(results, TokenRelevance), _latest(results, ImageRelevance), line,
                       stopped=key == "stopped")

    def partial(results: list[Relevance]) -> tuple | None:
        done = len(ready(results))
        if done in (len(parts), len(ready(results[:-1]))):
            return None  # everything is there (the result follows), or nothing new
        return so_far(results, "partial")

    def final(result: tuple[TokenRelevance, ImageRelevance]) -> tuple:
        tokens, maps = result
        return outputs(tokens, maps, call.text("maps.text", description=maps.description,
                                               cosine=maps.cosine,
                                               side=maps.patches["chefer"].shape[0]))

    yield from progressive(job, switches=EXPLAIN_RUNS, session=call.session, name="explain",
                           partial=partial, final=final,
                           stopped=lambda results: so_far(results, "stopped"))


def _latest(results: list[Relevance], kind: type[R]) -> R | None:
    """The latest of ``results`` of ``kind`` (the one with the most methods)."""
    return next((r for r in reversed(results) if isinstance(r, kind)), None)


def check_agreement(call: Call[AgreementSettings]):
    """Rank correlations between the methods and the deletion check, for the top description."""
    s, ctx = call.settings, call.ctx
    titles = _titles(call.lang)
    call.report(0.1, call.text("agree.progress"))
    loaded = ctx.models.get(s.model)
    result = agreement(loaded, ctx.examples.resolve(s.example, s.upload), s.descriptions,
                       chefer_layers=_chefer_layers(call, s.layers))
    rows = [call.text("agree.top", description=result.description),
            call.text("agree.head"), "|---|---:|---:|"]
    for a, b in result.image_correlations:
        on_words = result.token_correlations.get((a, b))
        rows.append(f"| {call.text('agree.pair', a=titles[a], b=titles[b])} | "
                    f"{'—' if on_words is None else _number(on_words)} | "
                    f"{_number(result.image_correlations[(a, b)])} |")
    rows.append(call.text("spearman"))
    deletion = result.deletion
    figure = Described(deletion_figure(deletion.fractions, deletion.curves, deletion.random,
                                       titles, random_orders=deletion.random_orders,
                                       lang=call.lang),
                       words.deletion(deletion, titles, call.lang))
    areas = " · ".join(f"{titles[m]} {deletion.areas[m]:.3f}" for m in deletion.curves)
    faster = [titles[m] for m in deletion.curves
              if deletion.areas[m] < deletion.areas["random"]]
    text = (call.text("deletion", areas=areas, random=deletion.areas["random"])
            + (call.text("faster", methods=", ".join(faster)) if faster
               else call.text("not_faster")) + call.text("filled"))
    return "\n".join(rows), figure, text


NOTICE = View("clip_notice", ModelChoice, notice, T, role="setup", public=False)
SIMILARITY = View("clip_similarity", ScoreSettings, score, T, role="first", group="clip",
                  gpu_seconds=30, keep=True, code=similarity_code)
ZERO_SHOT = View("clip_zero_shot", ZeroShotSettings, compare_zero_shot, T, group="clip",
                 gpu_seconds=60, progress=True, keep=True, code=zero_shot_code)
EXPLAIN = View("clip_explain", ExplainSettings, explain, T, group="clip", gpu_seconds=60,
               session=True, keep=True)
TOKENS = View("clip_tokens", TokenSettings, show_tokens, T, group="clip", gpu_seconds=60, keep=True)
AGREEMENT = View("clip_agreement", AgreementSettings, check_agreement, T, group="clip",
                 gpu_seconds=90, progress=True, keep=True)
