"""Outputs as the page receives them, and the outputs the lab keeps.

A view returns pictures as arrays or matplotlib figures. :func:`finish` saves each picture
once as a PNG file in Gradio's cache folder (named by its content, as Gradio names its own)
and hands Gradio the path, so the picture is encoded once, not again by Gradio. A view that
``keeps`` its outputs has them stored per settings and language in the registered cache
``rendered`` (:data:`KEPT`): the next request for the same view, the next page that opens
with it, is answered with the stored paths and renders nothing. The PNG bytes are kept with
them, so a file that Gradio's clean-up removed is written again. Pictures that come with their
words (:class:`~tabs.common.described.Described`) fill the view's caption, its last output.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
from gradio import processing_utils, utils
from matplotlib.figure import Figure
from PIL import Image

from core.cache import ResultCache
from tabs.common.described import Described, caption, is_captions, plain

KEPT = ResultCache("rendered", maxsize=512)
PNG_LEVEL = 3
"""zlib level of the PNG files: nearly as small as Pillow's default, about twice as fast."""


@dataclass(frozen=True)
class Finished:
    """Outputs ready for Gradio (``values``: a tuple, or the value of a single output) and the
    PNG files they name (path, bytes)."""

    values: object
    files: tuple[tuple[str, bytes], ...]

    def restored(self) -> object:
        """The values, after writing again any file that has been removed since."""
        for path, data in self.files:
            if not Path(path).exists():
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                Path(path).write_bytes(data)
        return self.values


def png_bytes(picture: object) -> bytes:
    """A picture (H, W, 3) uint8 array or a figure (at its own dpi) as PNG bytes."""
    buffer = io.BytesIO()
    if isinstance(picture, Figure):
        picture.savefig(buffer, format="png")
    else:
        Image.fromarray(np.ascontiguousarray(picture)).save(buffer, format="png",
                                                            compress_level=PNG_LEVEL)
    return buffer.getvalue()


def _saved(picture: object, files: list[tuple[str, bytes]]) -> str:
    """The path of ``picture``'s PNG in Gradio's cache folder (written if new)."""
    data = png_bytes(picture)
    folder = Path(utils.get_upload_folder()) / processing_utils.hash_bytes(data)
    path = folder / "image.png"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    files.append((str(path), data))
    return str(path)


def _picture(value: object) -> bool:
    return isinstance(value, Figure) or (isinstance(value, np.ndarray) and value.ndim == 3)


def _finished_value(value: object, component: object, files: list) -> object:
    if isinstance(component, gr.Image) and _picture(value):
        return _saved(value, files)
    if isinstance(component, gr.ImageSlider) and isinstance(value, tuple):
        return tuple(_saved(v, files) if _picture(v) else v for v in value)
    if isinstance(component, gr.Gallery) and isinstance(value, list):
        return [(_saved(item[0], files), *item[1:]) if isinstance(item, tuple)
                and _picture(item[0]) else item for item in value]
    return value


def finish(result: object, components: Sequence[object],
           sentences: dict[str, str] | None = None) -> Finished:
    """A view's result (a tuple, or one value for one output) with its pictures saved (as it
    is, without words, when no components are given: a view called outside a page).

    When the last component is the view's caption, the result has no value for it: the
    caption says what each :class:`Described` picture shows. ``sentences`` (picture
    ``elem_id`` → sentence) carries them from one step of a stream to the next, so that a
    picture a step leaves as it was keeps its words.
    """
    if not components:
        return Finished(tuple(plain(v) for v in result) if isinstance(result, tuple)
                        else plain(result), ())
    about = is_captions(components[-1])
    shown = components[:-1] if about else components
    sentences = {} if sentences is None else sentences
    files: list[tuple[str, bytes]] = []
    values = (result,) if len(shown) == 1 or not isinstance(result, tuple) else result
    done = []
    for value, component in zip(values, shown):
        if isinstance(value, Described):
            elem_id = getattr(component, "elem_id", None)
            if not about or not elem_id:
                raise ValueError(f"A described picture needs a caption and an elem_id on "
                                 f"{type(component).__name__}")
            sentences[elem_id] = value.text
        done.append(_finished_value(plain(value), component, files))
    if about:  # in the order of the pictures
        ids = [getattr(component, "elem_id", None) for component in shown]
        done.append(caption((elem_id, sentences[elem_id]) for elem_id in ids
                            if elem_id in sentences))
    return Finished(done[0] if len(components) == 1 else tuple(done), tuple(files))


def frozen(value: object) -> Hashable:
    """``value`` (settings and what they hold) as a hashable key; ``TypeError`` if it cannot
    be one."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,
                *(frozen(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, (list, tuple)):
        return tuple(frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), frozen(v)) for k, v in value.items()))
    if not isinstance(value, Hashable):
        raise TypeError(f"{type(value).__name__} cannot be part of a key")
    hash(value)
    return value


def kept_key(name: str, lang: str, settings: Any,
             components: Sequence[object] = ()) -> Hashable | None:
    """The key under which a view's outputs for ``components`` are kept (``None`` when its
    settings hold something that cannot be a key). The components' kinds and ``elem_id``s are
    part of it: the same view answered for other outputs (a caption more or less, or none
    outside a page) has outputs of another shape."""
    shape = tuple((type(c).__name__, getattr(c, "elem_id", None)) for c in components)
    try:
        return name, lang, frozen(settings), shape
    except TypeError:
        return None
