"""The image input every image tab shares: a bundled example or an upload, with a preview."""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import numpy as np

from core.images import MAX_FILE_BYTES
from tabs.common.form import Form
from tabs.common.i18n import Texts
from tabs.common.view import Call, View

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


@dataclass(frozen=True)
class ImageChoice:
    example: str | None = None
    upload: str | None = None


def preview_image(call: Call[ImageChoice]) -> np.ndarray:
    """Show the image that the next computation will use."""
    return call.ctx.examples.resolve(call.settings.example, call.settings.upload)


@dataclass(frozen=True)
class ImagePicker:
    """The components: ``example`` (dropdown), ``upload`` (file) and ``preview`` (image)."""

    example: gr.Dropdown
    upload: gr.File
    preview: gr.Image

    @property
    def inputs(self) -> list[gr.components.Component]:
        return [self.example, self.upload]


def image_picker(form: Form, *, default: str, key: str, prefix: str = "") -> ImagePicker:
    """Create the picker inside the current layout block and wire its preview.

    The form gets the components as ``{prefix}example`` and ``{prefix}upload``.
    """
    examples = form.ctx.examples
    with gr.Group():
        example = gr.Dropdown(list(examples.names), value=default, label=LABELS.label("example"),
                              key=f"{key}-example")
        upload = gr.File(label=LABELS.label("upload"), file_types=["image"], type="filepath",
                         key=f"{key}-upload")
        preview = gr.Image(label=LABELS.label("image"), interactive=False, format="png",
                           height=220, key=f"{key}-preview", elem_id=f"{key}-preview",
                           value=str(examples.path(default)))
    form.add(**{f"{prefix}example": example, f"{prefix}upload": upload})
    view = View(f"{key}_preview", ImageChoice, preview_image, LABELS, public=False)
    form.wire(view, [example.change, upload.change], preview,
              inputs={"example": example, "upload": upload}, show_progress="hidden")
    return ImagePicker(example=example, upload=upload, preview=preview)
