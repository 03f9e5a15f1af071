"""The image input every image tab shares: a bundled example or an upload, with a preview."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import gradio as gr
import numpy as np

from core.images import MAX_FILE_BYTES, load_image
from lab import EXAMPLE_IMAGES_DIR
from lab.errors import user_errors

EXAMPLES = tuple(sorted(p.name for p in EXAMPLE_IMAGES_DIR.iterdir() if p.suffix in (".png", ".jpg")))


@dataclass(frozen=True)
class ImagePicker:
    """The components: ``example`` (dropdown), ``upload`` (file) and ``preview`` (image)."""

    example: gr.Dropdown
    upload: gr.File
    preview: gr.Image

    @property
    def inputs(self) -> list[gr.components.Component]:
        return [self.example, self.upload]


def resolve_image(example: str | None, upload: str | None) -> np.ndarray:
    """The uploaded image when there is one, else the chosen example, as RGB uint8."""
    if upload:
        return load_image(upload)
    if example not in EXAMPLES:
        raise ValueError(f"Unknown example image '{example}'. Choose one of: {', '.join(EXAMPLES)}.")
    return _example(example)


@functools.lru_cache(maxsize=len(EXAMPLES))
def _example(name: str) -> np.ndarray:
    """A bundled example, decoded once per process and shared read-only."""
    image = load_image(EXAMPLE_IMAGES_DIR / name)
    image.setflags(write=False)
    return image


@user_errors
def preview_image(example: str | None, upload: str | None) -> np.ndarray:
    """Show the image that the next computation will use."""
    return resolve_image(example, upload)


def image_picker(*, default: str, key: str) -> ImagePicker:
    """Create the picker inside the current layout block and wire its preview."""
    with gr.Group():
        example = gr.Dropdown(list(EXAMPLES), value=default, label="Example image",
                              key=f"{key}-example")
        upload = gr.File(label=f"…or upload your own (PNG/JPEG, ≤ {MAX_FILE_BYTES // 2**20} MB)",
                         file_types=["image"], type="filepath", key=f"{key}-upload")
        preview = gr.Image(label="Image", interactive=False, format="png", height=220,
                           key=f"{key}-preview", elem_id=f"{key}-preview",
                           value=str(EXAMPLE_IMAGES_DIR / default))
    for trigger in (example.change, upload.change):
        trigger(preview_image, [example, upload], preview, api_visibility="private", show_progress="hidden")
    return ImagePicker(example=example, upload=upload, preview=preview)
