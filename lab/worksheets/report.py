"""The answers file a student hands in: every question of the worksheet with the answer given,
whether it was checked and right, the view link and a small picture of the result the student
saw when answering. Written as Markdown; the HTML file is the same Markdown rendered by
markdown-it (raw HTML in answers is not rendered, only shown)."""

from __future__ import annotations

from html import escape

from markdown_it import MarkdownIt

from core.worksheets import Worksheet
from lab.worksheets.record import tally
from lab.worksheets.texts import T

STYLE = ("body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
         "line-height:1.5;color:#1f2937}img{max-width:100%;border:1px solid #d1d5db}"
         "blockquote{margin:0 0 0 .5rem;padding-left:.75rem;border-left:4px solid #4f46e5}")


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines() or [""])


def _status(answer: dict | None, lang: str) -> str:
    if not answer or not answer["answer"]:
        return T.text("report.unanswered", lang)
    if answer["correct"] is True:
        return T.text("report.right", lang)
    if answer["correct"] is False:
        return T.text("report.wrong", lang, expected=answer["expected"])
    return T.text("report.kept", lang)


def markdown(worksheet: Worksheet, answers: dict, lang: str) -> str:
    """The answers file as Markdown, its labels in ``lang``."""
    answered, questions, right = tally(worksheet, answers)
    lines = [f"# {T.text('report.title', lang, title=worksheet.title)}", ""]
    if worksheet.course:
        lines.append(T.text("report.course", lang, course=worksheet.course) + "  ")
    lines += [T.text("report.language", lang, language=worksheet.language) + "  ",
              T.text("report.summary", lang, answered=answered, questions=questions,
                     correct=right), ""]
    for step in worksheet.steps:
        question = step.question
        if question is None:
            continue
        answer = answers.get(str(step.number))
        given = "" if not answer else answer["answer"] if isinstance(answer["answer"], str) \
            else ", ".join(answer["answer"])
        lines += [f"## {step.number}. {step.title}", "",
                  f"**{T.text('report.question', lang)}:** {question.text}", "",
                  f"**{T.text('report.answer', lang)}:**", "",
                  _quoted(given or T.text("report.none", lang)), "",
                  f"**{T.text('report.status', lang)}:** {_status(answer, lang)}", ""]
        link = answer["link"] if answer else ""
        if link:
            lines += [f"**{T.text('report.view', lang)}:** <{link}>", ""]
        if answer and answer["answer"]:
            picture = answer["picture"]
            lines += [f"**{T.text('report.picture', lang)}:**", "",
                      f"![{T.text('report.picture', lang)}]({picture})" if picture
                      else T.text("report.no_picture", lang), ""]
    return "\n".join(lines).rstrip() + "\n"


def html(worksheet: Worksheet, answers: dict, lang: str) -> str:
    """The answers file as one self-contained HTML page (pictures inside as data URIs)."""
    body = MarkdownIt("commonmark", {"html": False}).render(markdown(worksheet, answers, lang))
    title = T.text("report.title", lang, title=worksheet.title)
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
            f"<body>\n{body}</body></html>\n")
