"""Settings of one lab process and the command line that sets them."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Literal

from tabs.common.i18n import Language

HARDWARE = ("cpu-basic", "cpu-upgrade", "t4-small", "zero-a10g")


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class Settings:
    """How the lab is served; ``python app.py`` uses the defaults (and the environment a
    Hugging Face Space sets)."""

    host: str = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")  # Spaces set 0.0.0.0
    port: int = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    share: bool = False
    device: Literal["auto", "cpu", "cuda"] = "auto"
    offline: bool = os.environ.get("HF_HUB_OFFLINE") == "1"
    lang: Language = "en"
    mcp: bool = False
    history: bool = not _flag("XAI_LAB_NO_HISTORY")  # off on shared classroom PCs
    queue_size: int = int(os.environ.get("XAI_LAB_QUEUE_SIZE", "256"))
    sessions: int = int(os.environ.get("XAI_LAB_SESSIONS", "500"))  # server-side page states
    warm_up: bool = not _flag("XAI_LAB_NO_WARM_UP")  # default results computed after start
    threads: int | None = None  # torch CPU threads per request; None: XAI_LAB_THREADS or chosen
    worksheets: str | None = os.environ.get("XAI_LAB_WORKSHEETS") or None  # instructor's folder
    code: bool = not _flag("XAI_LAB_NO_CODE")  # code panels, notebooks and /notebook


def parser() -> argparse.ArgumentParser:
    """``python -m lab serve|prefetch|deploy|worksheet`` with their options."""
    root = argparse.ArgumentParser(
        prog="python -m lab", description="XAI Lab: look inside neural networks in the browser."
    )
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the lab in the browser")
    serve.add_argument("--host", default=Settings.host,
                       help="address to bind (default %(default)s)")
    serve.add_argument("--port", type=int, default=Settings.port, help="port (default %(default)s)")
    serve.add_argument("--share", action="store_true",
                       help="also open a temporary public gradio.live link (off by default)")
    serve.add_argument("--device", choices=("auto", "cpu", "cuda"), default=Settings.device,
                       help="where models run; auto picks CUDA when present")
    serve.add_argument("--offline", action="store_true",
                       help="never download: use cached weights and the bundled offline model")
    serve.add_argument("--lang", choices=("de", "en"), default=Settings.lang,
                       help="default language when neither ?lang= nor the browser says")
    serve.add_argument("--mcp", action="store_true",
                       help="also serve the lab's tools as an MCP server (needs gradio[mcp])")
    serve.add_argument("--no-history", dest="history", action="store_false",
                       help="do not remember a student's last settings in the browser "
                            "(shared classroom PCs)")
    serve.add_argument("--queue-size", type=_positive, default=Settings.queue_size,
                       help="requests that may wait; more get 'busy, try again' "
                            "(default %(default)s)")
    serve.add_argument("--sessions", type=_positive, default=Settings.sessions,
                       help="browser sessions whose state the server keeps in memory; beyond "
                            "that the least recently used are forgotten (default %(default)s)")
    serve.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                       help="do not compute the default results in the background after start")
    serve.add_argument("--threads", type=_positive, default=Settings.threads,
                       help="torch CPU threads per request (default: XAI_LAB_THREADS, else the "
                            "cores divided by the heavy requests that may run at once)")
    serve.add_argument("--worksheets", metavar="DIR", default=Settings.worksheets,
                       help="also offer the worksheets (*.md) in DIR, read at start "
                            "(default: XAI_LAB_WORKSHEETS)")
    serve.add_argument("--no-code", dest="code", action="store_false",
                       help="hide the code panels and notebook downloads, and turn off "
                            "/notebook (when writing the code is the exercise; also "
                            "XAI_LAB_NO_CODE=1)")
    worksheet = commands.add_parser("worksheet", help="work with worksheet files")
    worksheet_commands = worksheet.add_subparsers(dest="action", required=True)
    check = worksheet_commands.add_parser(
        "check", help="check worksheet files; exits 1 when any has a problem")
    check.add_argument("files", nargs="+", metavar="FILE", help="worksheet files (*.md)")
    prefetch = commands.add_parser(
        "prefetch", help="download every model's weights into the local caches (needs internet)"
    )
    prefetch.add_argument("models", nargs="*", help="model names (default: all)")
    deploy = commands.add_parser("deploy", help="deploy the lab as a Hugging Face Space")
    target = deploy.add_mutually_exclusive_group(required=True)
    target.add_argument("--dry-run", metavar="DIR",
                        help="write the folder that would be uploaded into DIR, upload nothing")
    target.add_argument("--space", metavar="USER/NAME", help="create or update this Space")
    deploy.add_argument("--hardware", choices=HARDWARE, default=None,
                        help="suggested hardware (zero-a10g pins a torch that ZeroGPU supports)")
    return root


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(host=args.host, port=args.port, share=args.share, device=args.device,
                    offline=args.offline, lang=args.lang, mcp=args.mcp, history=args.history,
                    queue_size=args.queue_size, sessions=args.sessions, warm_up=args.warm_up,
                    threads=args.threads, worksheets=args.worksheets, code=args.code)
