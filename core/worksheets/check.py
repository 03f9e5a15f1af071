"""Checking a worksheet against the lab: its view links name a tab and only the keys that tab's
"copy link" carries, and a question's ``from`` names a result the lab can read. The lab (or the
command line) says what it offers in a :class:`Vocabulary`; nothing here knows the tabs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from core.checks import excerpt
from core.worksheets.model import Problem, Worksheet


@dataclass(frozen=True)
class Vocabulary:
    """What worksheets may name: ``links`` (tab → the keys its links carry) and ``results``
    (the names a question's ``from`` may take, e.g. ``counterfactual.reached``)."""

    links: Mapping[str, frozenset[str]]
    results: frozenset[str]


def view_query(view: str) -> list[tuple[str, str]]:
    """The key-value pairs of a view link: its query part (``tab=pdp&feature=LSTAT``) or a
    whole copied address (``https://…/?tab=pdp&feature=LSTAT``)."""
    query = urlsplit(view).query if "?" in view else view
    return parse_qsl(query, keep_blank_values=True)


def check(worksheet: Worksheet, vocabulary: Vocabulary) -> list[Problem]:
    """The problems of ``worksheet``'s links and result names (none: it can be used)."""
    problems: list[Problem] = []
    tabs = ", ".join(vocabulary.links)
    for step in worksheet.steps:
        if step.view is not None:
            problems += _link_problems(step.view, step.view_line, vocabulary, tabs)
        question = step.question
        if question is not None and question.source is not None \
                and question.source not in vocabulary.results:
            known = ", ".join(sorted(vocabulary.results))
            problems.append(Problem(question.line_of("from"),
                                    f"Unknown result '{excerpt(question.source)}'; a question "
                                    f"can take its answer from {known}.",
                                    f"Unbekanntes Ergebnis '{excerpt(question.source)}'; eine "
                                    f"Frage kann ihre Antwort nehmen aus {known}."))
    return problems


def _link_problems(view: str, line: int, vocabulary: Vocabulary, tabs: str) -> list[Problem]:
    pairs = view_query(view)
    values = dict(pairs)
    tab = values.get("tab")
    if not tab:
        return [Problem(line, f"A view link names its tab first: 'tab=…' with one of {tabs}.",
                        f"Ein Ansichts-Link nennt seinen Tab: 'tab=…' mit einem von {tabs}.")]
    if tab not in vocabulary.links:
        return [Problem(line, f"Unknown tab '{excerpt(tab)}'; the tabs are {tabs}.",
                        f"Unbekannter Tab '{excerpt(tab)}'; die Tabs sind {tabs}.")]
    problems = []
    allowed = vocabulary.links[tab]
    for key, value in pairs:
        if key == "tab":
            continue
        if key not in allowed:
            keys = ", ".join(sorted(allowed))
            problems.append(Problem(line, f"Unknown link key '{excerpt(key)}' for the {tab} "
                                    f"tab; its links carry {keys}.",
                                    f"Unbekannter Link-Schlüssel '{excerpt(key)}' für den Tab "
                                    f"{tab}; seine Links enthalten {keys}."))
        elif not value:
            problems.append(Problem(line, f"The link key '{key}' has no value.",
                                    f"Der Link-Schlüssel '{key}' hat keinen Wert."))
    return problems
