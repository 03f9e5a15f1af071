"""A view: one thing a student asks the lab for, declared once by the tab that owns it.

A :class:`View` names its event (the ``api_name``), its settings (a frozen dataclass whose
field order is the positional order of the API), the handler that turns settings into the
outputs, its words, and the facts the shell needs: whether it is the tab's first view or a
setup step before it, its concurrency group, its GPU seconds on ZeroGPU, whether it is
cancellable per browser session. The shell, links, code export and worksheets read these
declarations; nothing about a view is kept in a table keyed by its name elsewhere.

A handler takes one :class:`Call`: the settings object, the page's language, the session and a
progress reporter. It returns the outputs (a tuple, or one value) or, to stream, yields them.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from core.checks import InputError
from core.progress import Step
from tabs.common.context import TabContext
from tabs.common.i18n import Language, Texts
from tabs.common.progress import words

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from tabs.common.recipe import Recipe

S = TypeVar("S", bound="DataclassInstance")
S_co = TypeVar("S_co", covariant=True)
Group = Literal["image-models", "clip", "tabular"]
"""Concurrency groups: views that share a model run at most ``TabContext.heavy_limit`` at once."""
Role = Literal["setup", "first"]
"""``first``: the view a tab shows when it opens; ``setup``: a step run before it (in wiring
order), such as listing a model's layers."""


def linked(key: str, default: Any) -> Any:
    """A settings field that a link to the view carries under ``key`` (``?layer=blocks.5``)."""
    return field(default=default, metadata={"link": key})


def link_fields(settings: type) -> dict[str, str]:
    """``{address key: field name}`` of a settings class."""
    return {f.metadata["link"]: f.name for f in dataclasses.fields(settings)
            if "link" in f.metadata}


@dataclass(frozen=True)
class Selection:
    """Where a student clicked in an image or a list (Gradio's ``SelectData``)."""

    index: Any
    value: Any


@dataclass(frozen=True)
class Call(Generic[S_co]):
    """One request for a view: the settings, the page's language, the browser session (for
    Cancel), what was clicked (select events) and a progress reporter."""

    ctx: TabContext
    settings: S_co
    lang: Language
    texts: Texts
    session: str | None = None
    selected: Selection | None = None
    progress: Callable[..., Any] | None = None

    def text(self, key: str, **values: object) -> str:
        """The view's words for ``key`` in the page's language."""
        return self.texts.text(key, self.lang, **values)

    def refuse(self, key: str, **values: object) -> InputError:
        """A sentence for a value the student can fix, in both languages (raise it). A value
        given as ``{"en": …, "de": …}`` (:meth:`Texts.both`) is put in per language."""

        def sentence(lang: str) -> str:
            return self.texts.text(key, lang, **{
                name: value[lang] if isinstance(value, Mapping) else value
                for name, value in values.items()})

        return InputError(sentence("en"), sentence("de"))

    def report(self, fraction: float, step: Step | str) -> None:
        """Progress for the page: ``core``'s steps, worded in the page's language, or a
        sentence of the tab's own (``core``'s progress callbacks take this signature)."""
        if self.progress is not None:
            self.progress(fraction, desc=step if isinstance(step, str) else words(step, self.lang))


@dataclass(frozen=True)
class Final:
    """The complete outputs of a streaming view (its last yield). Only these are kept: a
    stream that stopped on the way (Cancel) yields plain outputs."""

    outputs: Any


Handler = Callable[[Call[Any]], Any]


@dataclass(frozen=True)
class View(Generic[S]):
    """One event of a tab, declared with everything the shell and the tools need to know.

    ``public`` views are API endpoints named ``name``; the others are private events of the
    page. ``session`` views also take the browser session's token (Cancel reaches the run);
    ``select`` views take what was clicked; ``progress`` views report progress. A view that
    ``keep``s its outputs has them stored per settings and language (the same settings always
    give the same outputs; a streaming view marks its complete outputs as :class:`Final`).
    ``code`` makes the :class:`~tabs.common.recipe.Recipe` that reproduces the view with
    public libraries (its code panel and notebook), checking the settings as ``run`` does.
    """

    name: str
    settings: type[S]
    run: Handler
    texts: Texts
    role: Role | None = None
    group: Group | None = None
    gpu_seconds: int | None = None
    public: bool = True
    session: bool = False
    select: bool = False
    progress: bool = False
    keep: bool = False
    code: Callable[[Call[Any]], Recipe] | None = None

    def __post_init__(self) -> None:
        if not dataclasses.is_dataclass(self.settings):
            raise TypeError(f"View {self.name}: settings must be a dataclass")

    @property
    def streams(self) -> bool:
        """Whether the handler yields its outputs step by step."""
        return inspect.isgeneratorfunction(self.run)

    @property
    def fields(self) -> tuple[str, ...]:
        """The settings' field names: the API's positional parameters, in order."""
        return tuple(f.name for f in dataclasses.fields(self.settings))

    @property
    def links(self) -> dict[str, str]:
        """``{address key: field name}``: what a link to this view carries."""
        return link_fields(self.settings)

    def defaults(self) -> S:
        """The settings a page starts with."""
        return self.settings()

    def outputs(self, call: Call[S]) -> Iterator[Any]:
        """Run the handler for ``call``: its outputs, once or step by step."""
        if self.streams:
            yield from self.run(call)
        else:
            yield self.run(call)
