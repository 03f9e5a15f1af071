"""From a view to code: the cells that reproduce it, shown in its code panel and downloaded as a
notebook.

A view that can be reproduced declares a ``code`` function (:class:`tabs.common.view.View`):
given the view's :class:`~tabs.common.view.Call` it returns a :class:`Recipe`, the one source
of the panel's text and of the notebook's cells. The recipe's code uses public libraries only
(torchvision, timm, captum, transformers, scikit-learn, lightning, matplotlib), never the
lab's ``core``: a student runs it anywhere. The notebook adds what only a file needs: a title,
the install cell with the versions the lab was tested with, the embedded data (an image as
base64) and, last, the cell that prints the view's key numbers as the lab shows them.
"""

from __future__ import annotations

import base64
import importlib.metadata
import io
from dataclasses import dataclass, field

import nbformat
import numpy as np
from PIL import Image

INSTALL_TAG = "install"
"""The tag of the install cell (the tests run the notebook without it, offline)."""


@dataclass(frozen=True)
class Cell:
    """One notebook cell: Python code, or Markdown when ``markdown``."""

    source: str
    markdown: bool = False


@dataclass(frozen=True)
class Recipe:
    """The cells that reproduce one view.

    ``title``: the notebook's heading (Markdown, without ``#``); ``cells``: the explanation and
    the code, in order (the panel shows the code cells); ``numbers``: the last cell, printing
    the view's key numbers; ``packages``: the pip names the code imports; ``image``: the RGB
    uint8 picture the view explains, which the notebook embeds as ``IMAGE_PNG`` before the
    code (encoded only when a notebook is made), named ``image_name`` in a comment; ``data``:
    other cells only the notebook holds, before the code (a data set as text).
    """

    title: str
    cells: tuple[Cell, ...]
    numbers: str
    packages: tuple[str, ...]
    image: np.ndarray | None = field(default=None, compare=False)
    image_name: str = ""
    data: tuple[Cell, ...] = field(default=(), compare=False)

    @property
    def code(self) -> tuple[str, ...]:
        """The code cells the panel shows, the numbers last."""
        return (*(c.source for c in self.cells if not c.markdown), self.numbers)


def panel_text(recipe: Recipe) -> str:
    """The code panel's text: every code cell, separated by a blank line."""
    return "\n\n\n".join(recipe.code) + "\n"


def version(package: str) -> str:
    """The installed version of ``package``, without a local build tag (``2.4.1+cpu``)."""
    return importlib.metadata.version(package).split("+")[0]


def install_line(packages: tuple[str, ...]) -> str:
    """``%pip install`` of ``packages`` at the versions installed here (the tested ones)."""
    pinned = " ".join(f"{name}=={version(name)}" for name in packages)
    return f"%pip install --quiet {pinned}"


def notebook(recipe: Recipe, *, intro: str) -> nbformat.NotebookNode:
    """The complete notebook: title and ``intro`` (Markdown), install cell, data, the recipe's
    cells, the numbers."""
    cells = [nbformat.v4.new_markdown_cell(f"# {recipe.title}\n\n{intro}"),
             nbformat.v4.new_code_cell(install_line(recipe.packages),
                                       metadata={"tags": [INSTALL_TAG]})]
    image = () if recipe.image is None else (image_cell(recipe.image, recipe.image_name),)
    for cell in (*image, *recipe.data, *recipe.cells, Cell(recipe.numbers)):
        cells.append(nbformat.v4.new_markdown_cell(cell.source) if cell.markdown
                     else nbformat.v4.new_code_cell(cell.source))
    book = nbformat.v4.new_notebook(cells=cells)
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                   "language": "python"}
    book.metadata["language_info"] = {"name": "python"}
    nbformat.validate(book)
    return book


def notebook_bytes(recipe: Recipe, *, intro: str) -> bytes:
    """:func:`notebook` as the bytes of an ``.ipynb`` file."""
    return nbformat.writes(notebook(recipe, intro=intro)).encode()


def png_base64(image: np.ndarray) -> str:
    """An RGB uint8 image as base64 PNG text: lossless, so the notebook decodes the very pixels
    the lab used."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def image_cell(image: np.ndarray, name: str) -> Cell:
    """The cell that holds ``image`` (named ``name`` in a comment) as ``IMAGE_PNG``."""
    return Cell(f"# {name}\nIMAGE_PNG = \"{png_base64(image)}\"")
