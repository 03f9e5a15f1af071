"""Settings of one lab process and the command line that sets them."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Literal

from tabs.common.i18n import Language


@dataclass(frozen=True)
class Settings:
    """How the lab is served; ``python app.py`` uses the defaults."""

    host: str = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")  # Spaces set 0.0.0.0
    port: int = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    share: bool = False
    device: Literal["auto", "cpu", "cuda"] = "auto"
    offline: bool = os.environ.get("HF_HUB_OFFLINE") == "1"
    lang: Language = "en"


def parser() -> argparse.ArgumentParser:
    """``python -m lab serve|prefetch`` with their options."""
    root = argparse.ArgumentParser(
        prog="python -m lab", description="XAI Lab: look inside neural networks in the browser."
    )
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the lab in the browser")
    serve.add_argument("--host", default=Settings.host, help="address to bind (default %(default)s)")
    serve.add_argument("--port", type=int, default=Settings.port, help="port (default %(default)s)")
    serve.add_argument("--share", action="store_true", help="also open a public gradio.live link")
    serve.add_argument("--device", choices=("auto", "cpu", "cuda"), default=Settings.device,
                       help="where models run; auto picks CUDA when present")
    serve.add_argument("--offline", action="store_true",
                       help="never download: use cached weights and the bundled offline model")
    serve.add_argument("--lang", choices=("de", "en"), default=Settings.lang,
                       help="language of the lesson texts")
    prefetch = commands.add_parser(
        "prefetch", help="download every model's weights into the local caches (needs internet)"
    )
    prefetch.add_argument("models", nargs="*", help="model names (default: all)")
    return root


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(host=args.host, port=args.port, share=args.share, device=args.device,
                    offline=args.offline, lang=args.lang)
