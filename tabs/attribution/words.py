"""What the Attribution tab's result pictures show, in words: their text alternatives,
computed from the results with :mod:`tabs.common.alt_text`."""

from __future__ import annotations

from collections.abc import Sequence

from core.attribution import (
    METHOD_TITLES,
    RANDOM,
    Explanation,
    FaithfulnessReport,
    SanityReport,
)
from tabs.attribution.render import row_titles
from tabs.attribution.texts import T
from tabs.common import alt_text
from tabs.common.i18n import Language


def one_line(title: str) -> str:
    """A picture's title (lines under each other) as one line."""
    return " ".join(title.split())


def maps(results: Sequence[Explanation | None], names: Sequence[str], lang: Language) -> str:
    """Where each computed map (its name in ``names``) is strongest."""
    return " ".join(alt_text.where(one_line(name), result.map, lang)
                    for result, name in zip(results, names) if result is not None)


def method_maps(results: Sequence[Explanation | None], lang: Language) -> str:
    """Where each computed method's map is strongest, named by its method."""
    return maps(results, [METHOD_TITLES[r.method] if r is not None else "" for r in results],
                lang)


def _name(curve: str, lang: Language) -> str:
    return T.text("random", lang) if curve == RANDOM else METHOD_TITLES[curve]


def deletion_curves(report: FaithfulnessReport, lang: Language) -> str:
    """How the target's probability runs as pixels are deleted, and as they are put back,
    for each pixel order (x in percent of the pixels)."""
    percent = 100 * report.fractions
    return " ".join(
        alt_text.curve(T.text(f"words.{kind}", lang, method=_name(c.name, lang)), percent,
                       getattr(c, kind), lang)
        for c in report.curves for kind in ("deletion", "insertion"))


def deleted_images(report: FaithfulnessReport, lang: Language) -> str:
    """The target's probability on each shown image with a share of its pixels deleted."""
    return " ".join(
        T.text("words.deleted", lang, method=_name(c.name, lang), values=", ".join(
            T.text("words.at", lang, p=p, percent=100 * f)
            for p, f in zip(c.shown, report.shown_fractions)))
        for c in report.curves)


def sanity_curves(report: SanityReport, lang: Language) -> str:
    """How each row's rank correlation with the trained map runs over the stages randomized
    (x: the number of stages)."""
    stages = range(len(report.stages))
    return " ".join(alt_text.curve(T.text("words.rho", lang, method=title), stages, rho, lang)
                    for title, rho in zip(row_titles(report, lang, short=True),
                                          report.correlations))


def sanity_maps(report: SanityReport, lang: Language) -> str:
    """Where each row's map is strongest for the trained model and after the last stage
    randomized so far."""
    last = len(report.stages) - 1

    def name(title: str, k: int) -> str:
        return T.text("words.trained", lang, method=title) if k == 0 \
            else T.text("words.randomized", lang, method=title, stage=report.stages[k])

    return " ".join(
        alt_text.where(name(title, k), report.maps[row, k], lang)
        for row, title in enumerate(row_titles(report, lang, short=True))
        for k in sorted({0, last}))
