"""The Attribution tab's concepts view: for the target class and a chosen layer, the channels with
the most relevance (zennit-crp), each with its conditional heatmap, the patches of the bundled
example images where it responds most, and a link to the Filter ascent tab's view of that
layer and filter.

Which layers: one per stage of the network (the stage outputs, :func:`stage_layers`) and the
layer the Filter ascent tab opens with, so that a channel here is a filter there. How many
channels: 6 by default, at most 12 — a row each, readable on a phone; beyond a dozen the
channels' shares of the relevance are small.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import gradio as gr
import numpy as np
from matplotlib.figure import Figure

from core.attribution import ConceptReport, concepts
from core.models.layers import stage_layers
from tabs.attribution.lrp import SIGNED_CMAP, signed_ticks
from tabs.attribution.settings import ImageTarget
from tabs.attribution.views import explained
from tabs.common.alt_text import where
from tabs.common.described import Described
from tabs.common.i18n import Language, Texts
from tabs.common.render.maps import CLIP_PERCENTILE
from tabs.common.view import Call, View

DEFAULT_COUNT = 6

C = Texts("attribution_concepts", en={
    "tab": "Concepts",
    "intro": "Which channels of a layer carry the decision? Concept Relevance Propagation "
             "(zennit-crp, with LRP EpsilonPlusFlat) gives each channel its share of the "
             "target's relevance, and its conditional heatmap: where in this image that channel "
             "passes relevance on. The patches show where the channel responds most in the "
             "bundled example images; the link opens the same filter in the Filter ascent tab. "
             "Offered layers: one per stage of the network and the Filter ascent tab's layer; "
             "up to 12 channels (6 by default).",
    "layer": "Layer (one per stage)",
    "count": "Channels",
    "run": "Find the concepts",
    "image": "Channels with their conditional heatmaps and reference patches",
    "heatmap": "channel {channel}: {share:.1%} of the relevance",
    "patch": "{source}\nactivation {activation:.3g}",
    "colourbar": "conditional relevance",
    "head": "| channel | relevance R_c | share | where it responds most | filter |",
    "row": "| {channel} | {relevance:.4g} | {share:.1%} | {sources} | [Filter ascent: {layer} "
           "#{channel}]({link}) |",
    "note": "\n\n**{layer}** has {channels} channels; {shown} shown. The relevance that reaches "
            "the layer: {layer_relevance:.4g} of the logit {logit:.4g} of **{name}** "
            "({seconds:.1f} s). Each conditional heatmap adds up to its channel's R_c.",
    "alt": "channel {channel}",
}, de={
    "tab": "Konzepte",
    "intro": "Welche Kanäle einer Schicht tragen die Entscheidung? Concept Relevance "
             "Propagation (zennit-crp, mit LRP EpsilonPlusFlat) gibt jedem Kanal seinen Anteil "
             "an der Relevanz der Zielklasse und seine bedingte Heatmap: wo in diesem Bild der "
             "Kanal Relevanz weitergibt. Die Ausschnitte zeigen, wo der Kanal in den "
             "mitgelieferten Beispielbildern am stärksten anspricht; der Link öffnet denselben "
             "Filter im Tab Filter-Ascent. Angebotene Schichten: eine pro Stufe des Netzes und "
             "die Schicht des Filter-Ascent-Tabs; bis zu 12 Kanäle (6 voreingestellt).",
    "layer": "Schicht (eine pro Stufe)",
    "count": "Kanäle",
    "run": "Konzepte finden",
    "image": "Kanäle mit ihren bedingten Heatmaps und Referenzausschnitten",
    "heatmap": "Kanal {channel}: {share:.1%} der Relevanz",
    "patch": "{source}\nAktivierung {activation:.3g}",
    "colourbar": "bedingte Relevanz",
    "head": "| Kanal | Relevanz R_c | Anteil | spricht am stärksten an in | Filter |",
    "row": "| {channel} | {relevance:.4g} | {share:.1%} | {sources} | [Filter-Ascent: {layer} "
           "#{channel}]({link}) |",
    "note": "\n\n**{layer}** hat {channels} Kanäle; {shown} gezeigt. Die Relevanz, die bei der "
            "Schicht ankommt: {layer_relevance:.4g} vom Logit {logit:.4g} von **{name}** "
            "({seconds:.1f} s). Jede bedingte Heatmap summiert sich zum R_c ihres Kanals.",
    "alt": "Kanal {channel}",
})


@dataclass(frozen=True)
class ConceptSettings(ImageTarget):
    """The most relevant channels of one layer for the target."""

    concept_layer: str | None = None
    channels: float = DEFAULT_COUNT


def concept_layers(call: Call, model: str) -> list[str]:
    """The layers offered: one per stage, and the Filter ascent tab's layer."""
    listed = call.ctx.models.layers(model)
    ascent = call.ctx.models.spec(model).default_layers.get("ascent")
    stages = list(stage_layers(listed, limit=len(listed)))
    return stages + [ascent] if ascent and ascent not in stages else stages


def ascent_link(model: str, layer: str, channel: int, lang: str) -> str:
    """The address of the Filter ascent tab showing ``channel`` of ``layer``."""
    query = {"tab": "ascent", "model": model, "layer": layer, "filter": channel,
             "filters": channel, "lang": lang}
    return "?" + urlencode(query)


def concepts_figure(report: ConceptReport, *, lang: Language = "en") -> Figure:
    """One row per channel: its conditional heatmap (signed, one scale for all, with a colour
    bar), then its reference patches."""
    rows = len(report.concepts)
    columns = 1 + max((len(c.patches) for c in report.concepts), default=0)
    figure = Figure(figsize=(2.0 * columns + 0.6, 2.1 * rows), dpi=90, layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    span = max(float(np.percentile(np.abs(c.heatmap), CLIP_PERCENTILE))
               for c in report.concepts) or 1.0
    shown = None
    for row, concept in zip(axes, report.concepts):
        shown = row[0].imshow(concept.heatmap, cmap=SIGNED_CMAP, vmin=-span, vmax=span)
        row[0].set_title(C.text("heatmap", lang, channel=concept.channel, share=concept.share),
                         fontsize=8)
        for ax, patch, source, activation in zip(row[1:], concept.patches, concept.sources,
                                                 concept.activations):
            ax.imshow(patch)
            ax.set_title(C.text("patch", lang, source=source, activation=activation),
                         fontsize=7)
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
    if shown is not None:
        bar = figure.colorbar(shown, ax=axes[:, 0].tolist(), location="left", fraction=0.08)
        signed_ticks(bar, span)
        bar.set_label(C.text("colourbar", lang), fontsize=8)
    return figure


def default_layer(call: Call, model: str) -> str:
    """The Filter ascent tab's layer, else the deepest stage."""
    ascent = call.ctx.models.spec(model).default_layers.get("ascent")
    return ascent or concept_layers(call, model)[-1]


def choose_layers(call: Call[ConceptSettings]):
    """The concept layer picker for the chosen model, the Filter ascent tab's layer chosen."""
    model = call.ctx.models.default_model(call.settings.model)
    return gr.Dropdown(choices=concept_layers(call, model), value=default_layer(call, model))


def run_concepts(call: Call[ConceptSettings]) -> tuple[Described, str]:
    """The most relevant channels of the chosen layer (default: the Filter ascent tab's) for
    the target; returns the figure with its words, and the table with links and a note."""
    s = call.settings
    loaded, image, target = explained(call)
    layer = s.concept_layer or default_layer(call, loaded.name)
    examples = call.ctx.examples
    references = {name: examples.load(name) for name in examples.names}
    report = concepts(loaded, image, target=target, layer=layer, references=references,
                      count=s.channels)
    rows = [call.text("head"), "|---:|---:|---:|---|---|"]
    for c in report.concepts:
        rows.append(call.text("row", channel=c.channel, relevance=c.relevance, share=c.share,
                              sources=", ".join(c.sources), layer=layer,
                              link=ascent_link(loaded.name, layer, c.channel, call.lang)))
    note = call.text("note", layer=layer, channels=report.channels, shown=len(report.concepts),
                     layer_relevance=report.layer_relevance, logit=report.logit,
                     name=f"#{target} {report.label}", seconds=report.seconds)
    sentences = " ".join(where(call.text("alt", channel=c.channel), c.heatmap, call.lang)
                         for c in report.concepts)
    return Described(concepts_figure(report, lang=call.lang), sentences), "\n".join(rows) + note


CONCEPT_LAYERS = View("attribution_concept_layers", ConceptSettings, choose_layers, C,
                      role="setup", public=False)
CONCEPTS = View("attribution_concepts", ConceptSettings, run_concepts, C, group="image-models",
                gpu_seconds=60, keep=True)
