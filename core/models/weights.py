"""Where model weights come from: the local cache first, then a download, else a clear error.

Resolution order (ARCHITECTURE.md, "Weights"): a file already in the cache is used
as is; otherwise, unless the lab runs offline, it is downloaded into the cache; when neither
works, :class:`WeightsUnavailableError` names the file, the place we looked and what to do.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.error import URLError
from urllib.parse import urlparse

import torch

WeightStatus = Literal["ready", "cached", "will download", "unavailable offline", "failed"]

OFFLINE_HINT = (
    "On a machine with internet, run `python -m lab prefetch` and copy the cache folder "
    "here, or pick the offline model EfficientNet-Lite0, which ships with the lab."
)
OFFLINE_HINT_DE = (
    "Führe auf einem Rechner mit Internet `python -m lab prefetch` aus und kopiere den "
    "Cache-Ordner hierher, oder wähle das Offline-Modell EfficientNet-Lite0, das mit dem Lab "
    "ausgeliefert wird."
)


class WeightsUnavailableError(RuntimeError):
    """A model's weights are neither cached nor downloadable; the message says what to do.

    Like :class:`core.checks.InputError`, it carries the sentence in English (``str(error)``)
    and German (``in_language("de")``); ``reason_de`` and ``looked_in_de`` default to the
    English words.
    """

    def __init__(self, *, title: str, filename: str, looked_in: str, reason: str,
                 reason_de: str | None = None, looked_in_de: str | None = None):
        self.title = title
        self.filename = filename
        self.looked_in = looked_in
        en = (f"The weights of {title} ({filename}) are not available: not found in "
              f"{looked_in}, and {reason}. {OFFLINE_HINT}")
        de = (f"Die Gewichte von {title} ({filename}) sind nicht verfügbar: nicht gefunden in "
              f"{looked_in_de or looked_in}, und {reason_de or reason}. {OFFLINE_HINT_DE}")
        super().__init__(en)
        self.sentences = {"en": en, "de": de}

    def in_language(self, lang: str) -> str:
        """The sentence in ``lang`` (English for a language we do not speak)."""
        return self.sentences.get(lang, self.sentences["en"])


def torch_cache_dir() -> Path:
    """The folder torchvision downloads checkpoints into (``$TORCH_HOME/hub/checkpoints``)."""
    return Path(torch.hub.get_dir()) / "checkpoints"


@lru_cache(maxsize=8)
def host_reachable(host: str, timeout: float = 2.0) -> bool:
    """True when a TCP connection to ``host:443`` opens; asked once per process and host."""
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class UrlWeights:
    """A checkpoint file published at ``url`` and cached under its file name."""

    url: str

    @property
    def filename(self) -> str:
        return Path(urlparse(self.url).path).name

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or ""

    def cached_path(self, cache_dir: Path | None = None) -> Path:
        return (cache_dir or torch_cache_dir()) / self.filename

    def status(self, *, offline: bool, cache_dir: Path | None = None) -> WeightStatus:
        """Whether the file is here, would be downloaded, or cannot be had right now."""
        if self.cached_path(cache_dir).is_file():
            return "cached"
        if offline or not host_reachable(self.host):
            return "unavailable offline"
        return "will download"

    def resolve(
        self,
        *,
        title: str,
        offline: bool,
        cache_dir: Path | None = None,
        download: Callable[[str, str], None] | None = None,
    ) -> Path:
        """Return the local path of the checkpoint, downloading it if allowed and needed.

        Raises :class:`WeightsUnavailableError` when the file is missing and cannot be fetched.
        """
        path = self.cached_path(cache_dir)
        if path.is_file():
            return path
        if offline:
            raise WeightsUnavailableError(
                title=title, filename=self.filename, looked_in=str(path.parent),
                reason="the lab runs offline (--offline)",
                reason_de="das Lab läuft offline (--offline)",
            )
        fetch = download or (
            lambda url, dst: torch.hub.download_url_to_file(url, dst, progress=False))
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fetch(self.url, str(path))
        except (URLError, OSError, TimeoutError) as error:
            path.unlink(missing_ok=True)
            raise WeightsUnavailableError(
                title=title, filename=self.filename, looked_in=str(path.parent),
                reason=f"the download from {self.host} failed ({_short(error)})",
                reason_de=f"der Download von {self.host} ist fehlgeschlagen ({_short(error)})",
            ) from None
        return path


def _short(error: BaseException) -> str:
    text = str(getattr(error, "reason", error)) or type(error).__name__
    return text if len(text) < 120 else text[:117] + "..."
