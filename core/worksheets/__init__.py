"""Worksheets: an exercise sheet written in Markdown, read, checked and marked without a browser.

:mod:`core.worksheets.model` says what a worksheet is, :mod:`core.worksheets.parse` reads a
file into one (with a sentence naming the line for each problem), :mod:`core.worksheets.check`
checks its view links and result names against what the lab offers, and
:mod:`core.worksheets.grade` marks a student's answer. The format is documented in README.md.
"""

from core.worksheets.check import Vocabulary, check
from core.worksheets.grade import Verdict, grade
from core.worksheets.model import Problem, Question, Step, Worksheet
from core.worksheets.parse import parse, read

__all__ = ["Problem", "Question", "Step", "Verdict", "Vocabulary", "Worksheet", "check", "grade",
           "parse", "read"]
