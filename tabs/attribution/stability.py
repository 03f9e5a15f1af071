"""The Attribution tab's instability views: how much one method's map, or every method's,
changes when the image gets a little noise."""

from __future__ import annotations

from core.attribution import METHOD_TITLES, measure_stability, offered_methods
from tabs.attribution.code import stability_all_code, stability_code
from tabs.attribution.inputs import class_name, explained
from tabs.attribution.settings import StabilityAllSettings, StabilitySettings
from tabs.attribution.texts import T
from tabs.attribution.words import maps
from tabs.common import alt_text
from tabs.common.described import Described
from tabs.common.render.colour_bar import relevance_bar, scaled_bar
from tabs.common.render.maps import barred_strip, heatmap
from tabs.common.view import Call, View


def fraction(percent: float) -> float:
    """The noise from a percentage field as a fraction of the pixel range; what is no number
    (an empty field) goes to core as it is, which refuses it with a sentence."""
    number = isinstance(percent, (int, float)) and not isinstance(percent, bool)
    return percent / 100 if number else percent


def run_stability(call: Call[StabilitySettings]) -> tuple[Described, str]:
    """Original map, map with noise, their difference, and the two stability numbers."""
    s = call.settings
    loaded, image, target = explained(call)
    report = measure_stability(loaded, image, method=s.method, target=target,
                               noise=fraction(s.noise_percent), top_k=s.top_k,
                               **s.method_options())
    titles = [call.text("pic.original_map"), call.text("pic.noisy", noise=s.noise_percent),
              call.text("pic.difference")]
    shown = [report.original.map, report.noisy.map, report.difference]
    picture = Described(
        barred_strip([(heatmap(values, cmap=cmap), title) for values, title, cmap
                      in zip(shown, titles, (s.cmap, s.cmap, "gray"))],
                     (relevance_bar(s.cmap, call.lang),
                      scaled_bar("gray", call.text("pic.difference"), call.lang))),
        maps([report.original, report.noisy], titles[:2], call.lang) + " "
        + alt_text.where(titles[2], report.difference, call.lang))
    text = call.text("stability.text", method=METHOD_TITLES[s.method],
                     rho=report.rank_correlation, k=s.top_k, overlap=report.top_k_overlap)
    return picture, text


def run_stability_all(call: Call[StabilityAllSettings]) -> str:
    """The stability numbers for every method offered for the model, as a table: which method
    is the most stable?"""
    s = call.settings
    loaded, image, target = explained(call)
    rows = [call.text("stability.head", k=s.top_k), "|---|---:|---:|"]
    methods = offered_methods(loaded)
    for i, method in enumerate(methods):
        call.report(i / len(methods), call.text("stability.progress",
                                                method=METHOD_TITLES[method]))
        report = measure_stability(loaded, image, method=method, target=target,
                                   noise=fraction(s.noise_percent), top_k=s.top_k,
                                   **s.method_options())
        rows.append(f"| {METHOD_TITLES[method]} | {report.rank_correlation:.3f} | "
                    f"{report.top_k_overlap:.1f} % |")
    intro = call.text("stability.intro", noise=s.noise_percent, name=class_name(loaded, target))
    return intro + "\n".join(rows)


STABILITY = View("attribution_stability", StabilitySettings, run_stability, T,
                 group="image-models", gpu_seconds=60, keep=True, code=stability_code)
STABILITY_ALL = View("attribution_stability_all", StabilityAllSettings, run_stability_all, T,
                     group="image-models", gpu_seconds=120, progress=True, keep=True,
                     code=stability_all_code)
