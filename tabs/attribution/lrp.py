"""The Attribution tab's LRP view: the signed relevance of each Zennit composite offered for the
model, drawn on a diverging colour map with a colour bar, with its conservation check (the
pixels' relevance next to the logit it started from), and why a composite is not offered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure

from core.attribution import (
    LRP_METHODS,
    METHOD_TITLES,
    AttributionMethod,
    Explanation,
    explain,
    unavailable_methods,
)
from core.models import LoadedModel
from tabs.attribution.settings import ImageTarget
from tabs.attribution.views import explained
from tabs.common.alt_text import where
from tabs.common.colours import DIVERGING
from tabs.common.described import Described
from tabs.common.i18n import Language, Texts
from tabs.common.render.maps import CLIP_PERCENTILE
from tabs.common.view import Call, View

SIGNED_CMAP = DIVERGING
"""Blue (against the class) – white (0) – red (for it): the lab's diverging map."""

L = Texts("attribution_lrp", en={
    "tab": "LRP",
    "intro": "Layer-wise Relevance Propagation hands the target's logit back layer by layer, "
             "with a rule per layer type (Zennit's composites). EpsilonPlusFlat: flat rule for "
             "the first layer, z⁺ for the other convolutions, ε for the dense layers. "
             "EpsilonGammaBox: box rule with the pixel range for the first layer, γ = 0.25 for "
             "the convolutions, ε for the dense layers. Red pixels speak for the class, blue "
             "ones against it.",
    "run": "Explain with LRP",
    "image": "LRP relevance per composite",
    "original": "Original\n#{target} {label}",
    "colourbar": "relevance (Σ over colour channels)",
    "head": "| composite | Σ relevance | logit | Σ relevance / logit |",
    "note": "\n\nConservation: LRP starts with the logit of **{name}** and hands it down; the "
            "pixels' relevance should add up to it. What is missing was absorbed by the "
            "biases (the merged BatchNorm shifts) and the ε rule's stabiliser.",
    "refused": "\n\n**Not offered:** {reason}",
    "alt": "{method}, relevance for the class",
}, de={
    "tab": "LRP",
    "intro": "Layer-wise Relevance Propagation gibt den Logit der Zielklasse Schicht für "
             "Schicht zurück, mit einer Regel je Schichttyp (Zennits Composites). "
             "EpsilonPlusFlat: Flat-Regel für die erste Schicht, z⁺ für die übrigen Faltungen, "
             "ε für die dichten Schichten. EpsilonGammaBox: Box-Regel mit dem Pixelbereich für "
             "die erste Schicht, γ = 0,25 für die Faltungen, ε für die dichten Schichten. Rote "
             "Pixel sprechen für die Klasse, blaue dagegen.",
    "run": "Mit LRP erklären",
    "image": "LRP-Relevanz je Composite",
    "original": "Eingabebild\n#{target} {label}",
    "colourbar": "Relevanz (Σ über die Farbkanäle)",
    "head": "| Composite | Σ Relevanz | Logit | Σ Relevanz / Logit |",
    "note": "\n\nErhaltung: LRP beginnt mit dem Logit von **{name}** und gibt ihn nach unten "
            "weiter; die Relevanz der Pixel sollte sich zu ihm aufsummieren. Was fehlt, haben "
            "die Biases (die eingerechneten BatchNorm-Verschiebungen) und der Stabilisator der "
            "ε-Regel aufgenommen.",
    "refused": "\n\n**Nicht angeboten:** {reason}",
    "alt": "{method}, Relevanz für die Klasse",
})


@dataclass(frozen=True)
class LrpSettings(ImageTarget):
    """LRP with every composite offered for the model."""


def lrp_figure(results: Sequence[Explanation], *, lang: Language = "en") -> Figure:
    """The picture the model saw, then each result's signed relevance on :data:`SIGNED_CMAP`,
    symmetric around 0 (clipped at the 99.5th percentile of |R|), with a colour bar each."""
    figure = Figure(figsize=(3.2 * (len(results) + 1), 3.6), dpi=100, layout="constrained")
    axes = figure.subplots(1, len(results) + 1, squeeze=False)[0]
    first = results[0]
    axes[0].imshow(first.view)
    axes[0].set_title(L.text("original", lang, target=first.target, label=first.label),
                      fontsize=9)
    for ax, result in zip(axes[1:], results):
        relevance = result.relevance if result.relevance is not None else result.map
        span = float(np.percentile(np.abs(relevance), CLIP_PERCENTILE)) or 1.0
        shown = ax.imshow(relevance, cmap=SIGNED_CMAP, vmin=-span, vmax=span)
        ax.set_title(METHOD_TITLES[result.method], fontsize=9)
        bar = figure.colorbar(shown, ax=ax, orientation="horizontal", fraction=0.05, pad=0.02)
        signed_ticks(bar, span)
        bar.set_label(L.text("colourbar", lang), fontsize=8)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    return figure


def signed_ticks(bar: Colorbar, span: float) -> None:
    """Three ticks on a colour bar from −``span`` to ``span``, each with its own exponent
    (matplotlib's shared offset text would overlap the bar's label)."""
    bar.set_ticks([-span, 0.0, span], labels=[f"{-span:.2g}", "0", f"{span:.2g}"])
    bar.ax.tick_params(labelsize=7)


def conservation_table(call: Call, results: Sequence[Explanation]) -> str:
    """One row per LRP result: Σ relevance, the logit, their ratio."""
    rows = [L.text("head", call.lang), "|---|---:|---:|---:|"]
    for r in results:
        c = r.conservation
        if c is None:
            continue
        rows.append(f"| {METHOD_TITLES[r.method]} | {c.relevance_sum:.4g} | {c.logit:.4g} | "
                    f"{c.share:.1%} |")
    return "\n".join(rows)


def refusals(call: Call, loaded: LoadedModel, methods: Sequence[AttributionMethod]) -> str:
    """The sentences that say why some of ``methods`` are not offered for ``loaded``."""
    refused = unavailable_methods(loaded)
    return "".join(L.text("refused", call.lang, reason=refused[m].in_language(call.lang))
                   for m in methods if m in refused)


def run_lrp(call: Call[LrpSettings]) -> tuple[Described, str]:
    """Every LRP composite offered for the model; returns the figure with its words and the
    conservation table with its note and the refusals."""
    loaded, image, target = explained(call)
    refused = unavailable_methods(loaded)
    results = [explain(loaded, image, method=m, target=target)
               for m in LRP_METHODS if m not in refused]
    if not results:
        raise next(iter(refused.values()))
    table = conservation_table(call, results) + call.text(
        "note", name=f"#{target} {loaded.categories[target]}") + refusals(call, loaded,
                                                                          list(LRP_METHODS))
    sentences = " ".join(where(call.text("alt", method=METHOD_TITLES[r.method]), r.map,
                               call.lang) for r in results)
    return Described(lrp_figure(results, lang=call.lang), sentences), table


LRP = View("attribution_lrp", LrpSettings, run_lrp, L, group="image-models", gpu_seconds=30,
           keep=True)
