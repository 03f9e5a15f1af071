"""The worksheet side panel: a worksheet's steps one at a time beside the tabs.

``?worksheet=NAME`` (or the picker) opens it. "Open this step" loads the step's view link, the
same address "copy link" makes, so the tab opens with exactly those values and runs its view.
Answers are marked on the server (:func:`core.worksheets.grade`) but kept only in the browser
(``gr.BrowserState``): a reload or a visit next week finds them, the server keeps nothing.
"Download my answers" writes the answers file (:mod:`lab.worksheets.report`) as Markdown and
HTML, with a thumbnail of the result image the student saw when answering (taken in the
browser, so it shows exactly that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import gradio as gr

from core.checks import InputError
from core.worksheets import Question, Step, Worksheet, grade
from core.worksheets.check import view_query
from lab.worksheets import Library, record, report
from lab.worksheets.texts import T
from tabs.common.downloads import Downloads
from tabs.common.i18n import Language, request_language

Component = gr.components.Component
STORAGE_KEY = "xai-lab-worksheets"
# BrowserState encrypts what it stores with this key. Its default is random per process, which
# would make every answer unreadable after a restart or a new deploy. The answers belong to the
# student anyway: the key keeps them opaque in localStorage, not secret from their owner.
SECRET = "xai-lab worksheets: answers stay in the student's browser"
_DOWNLOADS = Downloads(keep=256)
#: An embedded tab shows the panel (and its toggle) only when its address names a worksheet.
CSS = "body.xai-embed:not(.xai-worksheet) #worksheet { display: none; }"
_MARK_PAGE = ("(stored) => { if (new URL(window.location.href).searchParams.get('worksheet')) "
              "document.body.classList.add('xai-worksheet'); return stored; }")

THUMBNAIL = """() => {
  const panel = [...document.querySelectorAll('#lab-tabs [role="tabpanel"]')]
    .find((p) => p.offsetParent !== null);
  if (!panel) return "";
  const shown = (img) => img.offsetParent !== null && img.complete && img.naturalWidth > 0;
  let images = [...panel.querySelectorAll('.xai-results img')]
    .filter((img) => shown(img) && !img.closest('.xai-controls'));
  if (!images.length) images = [...panel.querySelectorAll('img')].filter(shown);
  const area = (img) => { const r = img.getBoundingClientRect(); return r.width * r.height; };
  const main = images.sort((a, b) => area(b) - area(a))[0];
  if (!main) return "";
  const scale = Math.min(1, 320 / main.naturalWidth);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(main.naturalWidth * scale);
  canvas.height = Math.round(main.naturalHeight * scale);
  try {
    canvas.getContext("2d").drawImage(main, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.75);
  } catch (error) { return ""; }
}"""
"""The browser's thumbnail of the result the student sees: the largest picture in the results
column of the shown tab (JPEG, at most 320 px wide), or "" when there is none."""


def result_text(value: Any) -> str:
    """A result component's value as the words it shows: a ``gr.Label``'s top class, a text's
    text, a number as written."""
    if isinstance(value, dict):
        return str(value.get("label") or "")
    return "" if value is None else str(value)


@dataclass
class WorksheetPanel:
    """The panel's components and what it offers (``library``); :meth:`wire` makes it work."""

    library: Library
    lang: Language
    results: dict[str, Component]
    sidebar: gr.Sidebar
    picker: gr.Dropdown
    broken: gr.Markdown
    step: gr.Dropdown
    header: gr.Markdown
    body: gr.Markdown
    previous: gr.Button
    next: gr.Button
    open: gr.Button
    question: gr.Markdown
    text: gr.Textbox
    single: gr.Radio
    multiple: gr.CheckboxGroup
    check: gr.Button
    feedback: gr.Markdown
    download: gr.Button
    files: gr.File
    link: gr.Textbox
    picture: gr.Textbox
    page: gr.Textbox
    state: gr.BrowserState

    @classmethod
    def create(cls, library: Library, results: dict[str, Component],
               lang: Language) -> WorksheetPanel:
        """Place the panel (a sidebar on the right, closed until a worksheet is opened)."""
        choices = [(f"{w.title} ({w.language})", name) for name, w in library.sheets.items()]
        with gr.Sidebar(label=T.label("panel"), open=False, position="right", width=400,
                        elem_id="worksheet") as sidebar:
            picker = gr.Dropdown(choices, value=None, label=T.label("choose"),
                                 info=T.label("choose_info"), elem_id="ws-picker")
            broken = gr.Markdown(visible=bool(library.broken), elem_id="ws-broken")
            header = gr.Markdown(T.label("none"), elem_id="ws-header")
            step = gr.Dropdown([], label=T.label("step"), visible=False, elem_id="ws-step")
            body = gr.Markdown(elem_id="ws-body")
            opener = gr.Button(T.label("open"), variant="primary", visible=False,
                               elem_id="ws-open")
            question = gr.Markdown(elem_id="ws-question")
            text = gr.Textbox(label=T.label("answer"), lines=3, visible=False, elem_id="ws-text")
            single = gr.Radio([], label=T.label("answer"), visible=False, elem_id="ws-single")
            multiple = gr.CheckboxGroup([], label=T.label("answer"), visible=False,
                                        elem_id="ws-multiple")
            check = gr.Button(T.label("check"), visible=False, elem_id="ws-check")
            feedback = gr.Markdown(elem_id="ws-feedback", elem_classes="ws-feedback")
            with gr.Row():
                previous = gr.Button(T.label("previous"), size="sm", visible=False,
                                     elem_id="ws-previous")
                following = gr.Button(T.label("next"), size="sm", visible=False,
                                      elem_id="ws-next")
            download = gr.Button(T.label("download"), visible=False, elem_id="ws-download")
            files = gr.File(label=T.label("files"), file_count="multiple", visible=False,
                            interactive=False, elem_id="ws-files")
            link = gr.Textbox(visible=False, elem_id="ws-link")
            picture = gr.Textbox(visible=False)
            page = gr.Textbox(visible=False)
            state = gr.BrowserState({}, storage_key=STORAGE_KEY, secret=SECRET)
        return cls(library, lang, results, sidebar, picker, broken, step, header, body,
                   previous, following, opener, question, text, single, multiple, check,
                   feedback, download, files, link, picture, page, state)

    @property
    def screen(self) -> list[Component]:
        """What showing a step sets, in the order :meth:`show` returns it."""
        return [self.step, self.header, self.body, self.open, self.question, self.text,
                self.single, self.multiple, self.check, self.feedback, self.previous, self.next,
                self.download, self.link, self.state]

    def wire(self, demo: gr.Blocks) -> None:
        """Create the panel's events. Call inside ``with demo:``."""
        private: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
        demo.load(self.opened, self.state,
                  [self.sidebar, self.picker, self.broken, *self.screen], js=_MARK_PAGE,
                  **private)
        self.picker.input(self.chosen, [self.picker, self.state], self.screen, **private)
        self.step.input(self.moved, [self.step, self.state], self.screen, **private)
        self.previous.click(self.back, self.state, self.screen, **private)
        self.next.click(self.forward, self.state, self.screen, **private)
        self.open.click(None, self.link, None, js="(link) => { if (link) "
                        "window.location.assign(window.location.pathname + link); }")
        answers = [self.state, self.text, self.single, self.multiple, self.picture, self.page]
        self.check.click(self.marked, [*answers, *self.results.values()],
                         [self.feedback, self.header, self.step, self.state],
                         js=f"(...values) => {{ values[4] = ({THUMBNAIL})(); "
                            "values[5] = window.location.origin + window.location.pathname; "
                            "return values; }", **private)
        self.download.click(self.answers_file, self.state, self.files, **private)

    # events -----------------------------------------------------------------------------

    def opened(self, stored: Any, request: gr.Request) -> list:
        lang = request_language(request, self.lang)
        progress = record.clean(stored)
        asked = request.query_params.get("worksheet") if request is not None else None
        name = asked or progress["sheet"]
        if name in self.library.sheets:
            progress = record.with_step(progress, name, record.sheet(progress, name)["step"])
        broken = "\n".join([T.text("broken", lang), *(
            f"- `{b.path.name}`: " + "; ".join(p.in_language(lang) for p in b.problems)
            for b in self.library.broken)])
        return [gr.Sidebar(open=bool(asked)), name if name in self.library.sheets else None,
                broken, *self.show(progress, name, lang, request, unknown=bool(asked))]

    def chosen(self, name: str, stored: Any, request: gr.Request) -> list:
        progress = record.clean(stored)
        if name in self.library.sheets:
            progress = record.with_step(progress, name, record.sheet(progress, name)["step"])
        return self.show(progress, name, request_language(request, self.lang), request)

    def moved(self, number: Any, stored: Any, request: gr.Request) -> list:
        return self._go(stored, request, lambda _: int(number or 1))

    def back(self, stored: Any, request: gr.Request) -> list:
        return self._go(stored, request, lambda step: step - 1)

    def forward(self, stored: Any, request: gr.Request) -> list:
        return self._go(stored, request, lambda step: step + 1)

    def _go(self, stored: Any, request: gr.Request, change) -> list:
        progress = record.clean(stored)
        name = progress["sheet"]
        if name in self.library.sheets:
            size = len(self.library.sheets[name].steps)
            step = min(max(change(record.sheet(progress, name)["step"]), 1), size)
            progress = record.with_step(progress, name, step)
        return self.show(progress, name, request_language(request, self.lang), request)

    def marked(self, request: gr.Request, stored: Any, text: str, single: str | None,
               multiple: list[str] | None, picture: str, page: str, *results: Any) -> list:
        """Mark (or keep) the answer to the shown step; the feedback, the progress line and the
        step list change, and the answer goes into the browser's record."""
        lang = request_language(request, self.lang)
        progress = record.clean(stored)
        found = self._current(progress)
        if found is None:
            return [gr.skip(), gr.skip(), gr.skip(), progress]
        worksheet, step = found
        question = step.question
        assert question is not None
        given: str | list[str] = (single or "") if question.kind == "single" else \
            list(multiple or []) if question.kind == "multiple" else (text or "")
        shown = dict(zip(self.results, results))
        try:
            verdict = grade(question, given, result_text(shown.get(question.source or "")))
        except InputError as error:
            return [error.in_language(lang), gr.skip(), gr.skip(), progress]
        link = f"{page}{_link(worksheet, step, request)}" if step.view else ""
        answer = {"answer": given, "checked": verdict.correct is not None,
                  "correct": verdict.correct, "expected": verdict.expected or "",
                  "link": link, "picture": picture}
        progress = record.with_answer(progress, worksheet.name, step.number, answer)
        answers = record.sheet(progress, worksheet.name)["answers"]
        return [_feedback(question, answers[str(step.number)], lang),
                _header(worksheet, answers, lang), _steps(worksheet, answers, step.number, lang),
                progress]

    def answers_file(self, stored: Any, request: gr.Request) -> Any:
        """The answers to the open worksheet as a Markdown and an HTML file."""
        lang = request_language(request, self.lang)
        progress = record.clean(stored)
        name = progress["sheet"]
        if name not in self.library.sheets:
            return gr.File(visible=False)
        worksheet = self.library.sheets[name]
        answers = record.sheet(progress, name)["answers"]
        stem = f"answers-{name}"
        paths = [_DOWNLOADS.file(report.markdown(worksheet, answers, lang).encode(), stem, "md"),
                 _DOWNLOADS.file(report.html(worksheet, answers, lang).encode(), stem, "html")]
        return gr.File(value=paths, visible=True)

    # showing a step -----------------------------------------------------------------------

    def _current(self, progress: dict) -> tuple[Worksheet, Step] | None:
        name = progress["sheet"]
        worksheet = self.library.sheets.get(name or "")
        if worksheet is None:
            return None
        number = record.sheet(progress, worksheet.name)["step"]
        step = worksheet.steps[min(max(number, 1), len(worksheet.steps)) - 1]
        return (worksheet, step) if step.question is not None else None

    def show(self, progress: dict, name: str | None, lang: str, request: gr.Request | None,
             *, unknown: bool = False) -> list:
        """The panel for worksheet ``name`` at its current step (values for :attr:`screen`)."""
        worksheet = self.library.sheets.get(name or "")
        if worksheet is None:
            words = T.text("unknown", lang, name=name) if unknown and name \
                else T.text("none", lang)
            hidden = gr.update(visible=False)
            return [hidden, words, "", hidden, "", hidden, hidden, hidden, hidden, "",
                    hidden, hidden, hidden, "", progress]
        current = record.sheet(progress, worksheet.name)
        number = min(max(current["step"], 1), len(worksheet.steps))
        step = worksheet.steps[number - 1]
        answers = current["answers"]
        saved = answers.get(str(step.number))
        question = step.question
        body = f"#### {step.number}. {step.title}\n\n{step.text}"
        if step.number == 1 and worksheet.intro:
            body = f"{worksheet.intro}\n\n{body}"
        if question is None:
            body += f"\n\n*{T.text('no_question', lang)}*"
        kind = question.kind if question else None
        given = saved["answer"] if saved else None
        return [
            _steps(worksheet, answers, number, lang),
            _header(worksheet, answers, lang),
            body,
            gr.Button(visible=step.view is not None),
            _question_words(question, lang) if question else "",
            gr.Textbox(value=given if isinstance(given, str) and kind in ("text", "number")
                       else "", visible=kind in ("text", "number")),
            gr.Radio(choices=list(question.options) if question else [],
                     value=given if kind == "single" and given else None,
                     visible=kind == "single"),
            gr.CheckboxGroup(choices=list(question.options) if question else [],
                             value=given if kind == "multiple" and isinstance(given, list)
                             else [], visible=kind == "multiple"),
            gr.Button(value=T.text("check" if question and question.checkable else "save", lang),
                      visible=question is not None),
            _feedback(question, saved, lang) if question and saved else "",
            gr.Button(visible=number > 1),
            gr.Button(visible=number < len(worksheet.steps)),
            gr.Button(visible=True),
            _link(worksheet, step, request) if step.view else "",
            record.with_step(progress, worksheet.name, number),
        ]


def _link(worksheet: Worksheet, step: Step, request: gr.Request | None) -> str:
    """The step's view as an address query (``?tab=…&worksheet=…``), keeping the page's
    language and, for an embedded page, embedding the step's tab."""
    pairs = [(k, v) for k, v in view_query(step.view or "") if k != "worksheet"]
    query = dict(request.query_params) if request is not None else {}
    tab = dict(pairs).get("tab", "")
    if query.get("lang"):
        pairs.append(("lang", query["lang"]))
    if query.get("embed"):
        pairs.append(("embed", tab))
    pairs.append(("worksheet", worksheet.name))
    return "?" + urlencode(pairs)


def _mark(question: Question | None, answer: dict | None, lang: str) -> str:
    if question is None:
        return ""
    if not answer or not answer["answer"]:
        return T.text("mark.open", lang)
    key = {True: "right", False: "wrong", None: "saved"}[answer["correct"]]
    return T.text(f"mark.{key}", lang)


def _steps(worksheet: Worksheet, answers: dict, number: int, lang: str) -> Any:
    choices = [(f"{s.number}. {s.title} {_mark(s.question, answers.get(str(s.number)), lang)}"
                .rstrip(), s.number) for s in worksheet.steps]
    return gr.Dropdown(choices=choices, value=number, visible=True)


def _header(worksheet: Worksheet, answers: dict, lang: str) -> str:
    answered, questions, right = record.tally(worksheet, answers)
    course = f"  \n{worksheet.course}" if worksheet.course else ""
    return (f"### {worksheet.title}{course}\n\n"
            + T.text("progress", lang, answered=answered, questions=questions, correct=right))


def _question_words(question: Question, lang: str) -> str:
    hint = "kind.result" if question.source else f"kind.{question.kind}"
    return f"**{question.text}**  \n*{T.text(hint, lang)}*"


def _feedback(question: Question | None, answer: dict | None, lang: str) -> str:
    if question is None or not answer:
        return ""
    if answer["correct"] is True:
        words = T.text("right", lang)
    elif answer["correct"] is False:
        words = T.text("wrong", lang, expected=answer["expected"])
    else:
        words = T.text("saved", lang)
    return f"{words}\n\n{question.explanation}".strip()

