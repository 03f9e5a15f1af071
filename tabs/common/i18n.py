"""The lab in German and English: component labels through ``gr.I18n``, everything the server
writes (result sentences, figure labels) in the language of the request.

Each tab keeps its words in one :class:`Texts` table. ``T.label("key")`` gives a
``gr.I18n`` key that the browser shows in its language; ``T.text("key", lang)`` gives the
string for server-side sentences. The shell collects every table into one ``gr.I18n``
(:func:`translations`) and decides a request's language with :func:`request_language`:
``?lang=de|en`` in the page address, else the browser's preferred language, else the lab's
default. Nothing here is per-process state that a student could change for another: the
language travels with each request.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, TypeVar, get_args

if TYPE_CHECKING:  # gradio is imported only where labels are made: rendering never needs it
    import gradio as gr

Language = Literal["de", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
T = TypeVar("T")

_TABLES: dict[str, Texts] = {}


def in_language(texts: Mapping[str, T], lang: str) -> T:
    """``texts[lang]`` for a known language, else the English text."""
    return texts[lang if lang in LANGUAGES else "en"]


class Texts:
    """One namespace of words in both languages; keys must match between ``en`` and ``de``."""

    def __init__(self, namespace: str, *, en: Mapping[str, str], de: Mapping[str, str]):
        missing = set(en) ^ set(de)
        if missing:
            raise ValueError(f"Texts '{namespace}': keys not in both languages: {sorted(missing)}")
        self.namespace = namespace
        self.words = {"en": dict(en), "de": dict(de)}
        _TABLES[namespace] = self

    def label(self, key: str):
        """A label, info, choice or Markdown value the browser shows in its language."""
        if key not in self.words["en"]:
            raise KeyError(f"Texts '{self.namespace}' has no key '{key}'.")
        return _keys()(f"{self.namespace}.{key}")

    def text(self, key: str, lang: str, **values: object) -> str:
        """The words for ``key`` in ``lang`` (English for an unknown language), formatted."""
        return in_language(self.words, lang)[key].format(**values)

    def both(self, key: str, **values: object) -> dict[str, str]:
        """The words for ``key`` in every language: ``{"en": …, "de": …}``."""
        return {lang: self.text(key, lang, **values) for lang in LANGUAGES}


@lru_cache(maxsize=1)
def _keys() -> gr.I18n:
    """Makes translation keys while tabs are built; the browser looks them up in the table the
    shell passes to ``launch(i18n=translations())``."""
    import gradio as gr

    return gr.I18n()


def english(key: str) -> str:
    """The English text of a label key ``namespace.key`` (the key itself when unknown)."""
    namespace, _, name = key.partition(".")
    table = _TABLES.get(namespace)
    return table.words["en"].get(name, key) if table else key


def translations(extra: Mapping[str, Mapping[str, str]] | None = None) -> gr.I18n:
    """One ``gr.I18n`` with every registered table (keys ``namespace.key``) plus ``extra``
    (language → {key: text}, e.g. the lessons)."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for namespace, table in _TABLES.items():
        for lang in LANGUAGES:
            merged[lang].update({f"{namespace}.{k}": v for k, v in table.words[lang].items()})
    for language, words in (extra or {}).items():
        merged[language].update(words)
    import gradio as gr

    return gr.I18n(**merged)


def _accepted(header: str) -> list[str]:
    """Language codes of an ``Accept-Language`` header, most preferred first."""
    weighted = []
    for part in header.split(","):
        code, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        weighted.append((weight, code.split("-")[0].lower()))
    return [code for _, code in sorted(weighted, key=lambda item: -item[0]) if code]


def request_language(request: gr.Request | None, default: Language = "en") -> Language:
    """``?lang=`` of the page, else the browser's preferred language we speak, else ``default``."""
    if request is not None:
        asked = (request.query_params.get("lang") or "").lower()
        if asked in LANGUAGES:
            return asked
        for code in _accepted(request.headers.get("accept-language", "")):
            if code in LANGUAGES:
                return code
    return default
