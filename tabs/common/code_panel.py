"""The "Code" panel under a view's results: the Python that reproduces the view with public
libraries, updated whenever a setting changes, and a button that downloads it as a notebook
(:mod:`tabs.common.recipe`). Instructors who set writing the code as the exercise turn the
panels off (``--no-code``, :class:`tabs.common.context.TabContext` ``code``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr

from core.checks import InputError
from core.models import WeightsUnavailableError
from tabs.common.context import TabContext
from tabs.common.downloads import Downloads
from tabs.common.errors import translated
from tabs.common.form import Form
from tabs.common.i18n import Texts
from tabs.common.recipe import notebook_bytes, panel_text
from tabs.common.running import make_call
from tabs.common.view import Call, View

TEXTS = Texts("code_panel", en={
    "panel": "Code: reproduce this view",
    "info": "Python with public libraries (torchvision, timm, captum, …) that computes what "
            "this view shows, with the current settings. The notebook also holds the image "
            "and prints the numbers the lab shows.",
    "download": "Download notebook",
    "file": "Notebook (.ipynb)",
    "intro": "Made by XAI Lab for the view `{view}`. Run the cells from top to bottom: the "
             "first installs the versions the lab was tested with, the last prints the "
             "numbers the lab shows.",
}, de={
    "panel": "Code: diese Ansicht nachbauen",
    "info": "Python mit öffentlichen Bibliotheken (torchvision, timm, captum, …), das "
            "berechnet, was diese Ansicht zeigt, mit den aktuellen Einstellungen. Das "
            "Notebook enthält auch das Bild und gibt die Zahlen aus, die das Lab zeigt.",
    "download": "Notebook herunterladen",
    "file": "Notebook-Datei (.ipynb)",
    "intro": "Erstellt von XAI Lab für die Ansicht `{view}`. Führe die Zellen von oben nach "
             "unten aus: Die erste installiert die Versionen, mit denen das Lab getestet "
             "wurde, die letzte gibt die Zahlen aus, die das Lab zeigt.",
})

_NOTEBOOKS = Downloads(keep=256)


def notebook_for(view: View, call: Call) -> bytes:
    """The ``.ipynb`` file that reproduces ``view`` for ``call`` (``InputError`` or missing
    weights when the view's own run would refuse the settings)."""
    if view.code is None:
        raise ValueError(f"View {view.name} declares no code")
    return notebook_bytes(view.code(call), intro=TEXTS.text("intro", call.lang, view=view.name))


def code_text(view: View, call: Call) -> str:
    """The panel's text: the recipe's code, or the sentence that refuses the settings, as a
    comment (the panel follows every keystroke, so a half-typed value is no error)."""
    assert view.code is not None
    try:
        return panel_text(view.code(call))
    except (InputError, WeightsUnavailableError) as error:
        return "# " + error.in_language(call.lang).replace("\n", "\n# ")


@dataclass(frozen=True)
class CodePanel:
    """One view's code panel: the accordion, the code, the download button and its file, and
    two hidden fields the page keeps: whether the accordion is open, and a count that goes up
    when the open panel's code must be written again."""

    accordion: gr.Accordion
    code: gr.Code
    button: gr.Button
    file: gr.File
    opened: gr.Checkbox
    stale: gr.Number

    @classmethod
    def create(cls, ctx: TabContext, elem_id: str) -> CodePanel | None:
        """Place the panel in the current layout block (closed); ``None`` when the lab runs
        without code panels."""
        if not ctx.code:
            return None
        with gr.Accordion(TEXTS.label("panel"), open=False, elem_id=elem_id) as accordion:
            gr.Markdown(TEXTS.label("info"))
            code = gr.Code(language="python", interactive=False, show_label=False,
                           lines=12, max_lines=40, elem_id=f"{elem_id}-code")
            button = gr.Button(TEXTS.label("download"), size="sm",
                               elem_id=f"{elem_id}-download")
            file = gr.File(label=TEXTS.label("file"), interactive=False,
                           elem_id=f"{elem_id}-file")
            # Made here, inside the accordion: a component made later would land in the block
            # around the panel, and a stray child of a gr.Tabs scrambles its tab buttons.
            opened = gr.Checkbox(False, visible=False)
            stale = gr.Number(0, visible=False)
        return cls(accordion, code, button, file, opened, stale)

    def wire(self, form: Form, view: View) -> None:
        """Fill the code when the panel opens and, while it is open, whenever one of
        ``view``'s inputs changes; make the notebook on the button (``view`` must be wired in
        ``form``). Opening, closing and the changes of a closed panel's fields are handled in
        the browser: a page that opens a link sets every field, and none of that reaches the
        server until a student opens the panel."""
        inputs = list(form.view(view.name).inputs)
        changes = [c.change for c in inputs if hasattr(c, "change")]
        shown = _shown(view, form.ctx, inputs)
        quiet: dict[str, Any] = dict(api_visibility="private", show_progress="hidden")
        self.accordion.expand(None, None, self.opened, js="() => true", **quiet).then(
            shown, inputs, self.code, **quiet)
        self.accordion.collapse(None, None, self.opened, js="() => false", **quiet)
        gr.on(changes, None, [self.opened, self.stale], self.stale,
              js="(open, count) => (open ? (count || 0) + 1 : count)", **quiet)
        self.stale.change(shown, inputs, self.code, trigger_mode="always_last", **quiet)
        self.button.click(_download(view, form.ctx, inputs), inputs, self.file,
                          api_visibility="private")


def _call(view: View, ctx: TabContext, request: gr.Request, values: Sequence[Any]) -> Call:
    return make_call(view, ctx, view.settings(*values), request=request)


def _shown(view: View, ctx: TabContext, inputs: Sequence[Any]):
    def show(request: gr.Request, *values: Any) -> str:
        # Gradio fills in the request where it stands (first), the inputs follow.
        call = _call(view, ctx, request, values)
        with translated(f"{view.name} code", call.lang):
            return code_text(view, call)

    return show


def _download(view: View, ctx: TabContext, inputs: Sequence[Any]):
    def download(request: gr.Request, *values: Any) -> str:
        call = _call(view, ctx, request, values)
        with translated(f"{view.name} notebook", call.lang):
            return _NOTEBOOKS.file(notebook_for(view, call), view.name, "ipynb")

    return download
