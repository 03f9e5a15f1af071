"""Files a student can download (PNG grids, notebooks, answer sheets), kept in one private
temporary folder.

Gradio copies a returned file into its own cache (cleaned by ``delete_cache``); our copy is
only needed until then. The folder is removed when the process ends, and it never holds more
than ``keep`` files: the oldest are deleted first.
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image


class Downloads:
    """Writes arrays as PNG files, and other downloads, for Gradio; bounded and cleaned up."""

    def __init__(self, *, keep: int = 64):
        self._folder = tempfile.TemporaryDirectory(prefix="xai-lab-downloads-")
        self._files: deque[Path] = deque()
        self._keep = keep
        self._lock = threading.Lock()

    def png(self, image: np.ndarray, name: str) -> str:
        """Save ``image`` (H, W, 3) uint8 as ``name-<digest>.png``; returns its path."""
        digest = hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=8).hexdigest()
        return self._write(f"{name}-{digest}.png", lambda path: Image.fromarray(image).save(path))

    def file(self, data: bytes, name: str, suffix: str) -> str:
        """Save ``data`` as ``name-<digest>.<suffix>``; returns its path."""
        digest = hashlib.blake2b(data, digest_size=8).hexdigest()
        return self._write(f"{name}-{digest}.{suffix}", lambda path: path.write_bytes(data))

    def _write(self, filename: str, save: Callable[[Path], object]) -> str:
        path = Path(self._folder.name) / filename
        with self._lock:
            if path not in self._files:
                save(path)
                self._files.append(path)
                while len(self._files) > self._keep:
                    self._files.popleft().unlink(missing_ok=True)
        return str(path)

    def __len__(self) -> int:
        with self._lock:
            return len(self._files)
