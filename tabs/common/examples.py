"""The bundled example images, each decoded once and shared read-only, and the one way a tab
turns "an example or an upload" into pixels."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from core.checks import InputError
from core.images import check_size, load_image


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
            raise InputError(f"Unknown example image '{name}'. "
                             f"Choose one of: {', '.join(self.names)}.",
                             f"Unbekanntes Beispielbild '{name}'. Wähle eines von: "
                             f"{', '.join(self.names)}.")
        return self.folder / name

    def _decode(self, name: str) -> np.ndarray:
        image = load_image(self.path(name))
        image.setflags(write=False)
        return image

    def resolve(self, example: str | None, upload: str | None) -> np.ndarray:
        """The uploaded image when there is one (refused when it is too small to explain),
        else the chosen example, as RGB uint8."""
        if upload:
            return check_size(load_image(upload))
        return self.load(example)
