"""The image input every image tab shares: a bundled example or an upload, with a preview."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import gradio as gr
import numpy as np

from core.checks import InputError
from core.images import MAX_FILE_BYTES, load_image
from tabs.common.errors import user_errors
from tabs.common.i18n import Texts

_MB = MAX_FILE_BYTES // 2**20
LABELS = Texts("image_picker", en={
    "example": "Example image",
    "upload": f"…or upload your own (PNG/JPEG, ≤ {_MB} MB)",
    "image": "Image",
}, de={
    "example": "Beispielbild",
    "upload": f"…oder lade ein eigenes Bild hoch (PNG/JPEG, ≤ {_MB} MB)",
    "image": "Bild",
})


class ExampleImages:
    """The bundled example images of one folder, each decoded once and shared read-only."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.names = tuple(sorted(p.name for p in self.folder.iterdir()
                                  if p.suffix.lower() in (".png", ".jpg", ".jpeg")))
        self.load = functools.lru_cache(maxsize=len(self.names) or 1)(self._decode)

    def path(self, name: str) -> Path:
        """The file of example ``name``; ``InputError`` listing the examples otherwise."""
        if name not in self.names:
            raise InputError(f"Unknown example image '{name}'. Choose one of: {', '.join(self.names)}.",
                             f"Unbekanntes Beispielbild '{name}'. Wähle eines von: "
                             f"{', '.join(self.names)}.")
        return self.folder / name

    def _decode(self, name: str) -> np.ndarray:
        image = load_image(self.path(name))
        image.setflags(write=False)
        return image

    def resolve(self, example: str | None, upload: str | None) -> np.ndarray:
        """The uploaded image when there is one, else the chosen example, as RGB uint8."""
        if upload:
            return load_image(upload)
        return self.load(example)


@dataclass(frozen=True)
class ImagePicker:
    """The components: ``example`` (dropdown), ``upload`` (file) and ``preview`` (image)."""

    example: gr.Dropdown
    upload: gr.File
    preview: gr.Image

    @property
    def inputs(self) -> list[gr.components.Component]:
        return [self.example, self.upload]


def image_picker(examples: ExampleImages, *, default: str, key: str) -> ImagePicker:
    """Create the picker inside the current layout block and wire its preview."""

    @user_errors
    def preview_image(example: str | None, upload: str | None) -> np.ndarray:
        """Show the image that the next computation will use."""
        return examples.resolve(example, upload)

    with gr.Group():
        example = gr.Dropdown(list(examples.names), value=default, label=LABELS.label("example"),
                              key=f"{key}-example")
        upload = gr.File(label=LABELS.label("upload"), file_types=["image"], type="filepath",
                         key=f"{key}-upload")
        preview = gr.Image(label=LABELS.label("image"), interactive=False, format="png",
                           height=220, key=f"{key}-preview", elem_id=f"{key}-preview",
                           value=str(examples.path(default)))
    for trigger in (example.change, upload.change):
        trigger(preview_image, [example, upload], preview, api_visibility="private",
                show_progress="hidden")
    return ImagePicker(example=example, upload=upload, preview=preview)
