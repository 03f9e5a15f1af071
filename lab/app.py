"""Assemble the tabs into one Gradio app and serve it."""

from __future__ import annotations

import functools
import importlib.util
import logging
from types import ModuleType

import gradio as gr
from starlette.middleware import Middleware

from core.images import MAX_FILE_BYTES
from core.models import ModelManager
from lab import EXAMPLE_IMAGES_DIR
from lab.deploy import load_config
from lab.lessons import lesson
from lab.security import PrivateUploads
from lab.settings import Settings
from lab.status import status_markdown, status_summary
from lab.zerogpu import wrap_gpu_events, zero_gpu_space
from tabs import activations, ascent, attribution, clip, counterfactual, pdp
from tabs.common.context import TabContext
from tabs.common.image_picker import ExampleImages

TABS: tuple[ModuleType, ...] = (ascent, activations, attribution, counterfactual, clip, pdp)
THEME = gr.themes.Soft(primary_hue="indigo")
CSS = "#act-grid img { image-rendering: pixelated; }"


def build_app(settings: Settings, models: ModelManager | None = None) -> gr.Blocks:
    """The whole lab as a ``gr.Blocks``; ``models`` defaults to a manager for ``settings``."""
    models = models or ModelManager(device=settings.device, offline=settings.offline)
    ctx = TabContext(models=models, lang=settings.lang, examples=ExampleImages(EXAMPLE_IMAGES_DIR),
                     lesson=functools.partial(lesson, lang=settings.lang))
    # Uploads and outputs older than a day are deleted every hour, so they do not pile up.
    with gr.Blocks(title="XAI Lab", delete_cache=(3600, 86400)) as demo:
        gr.Markdown("# XAI Lab — look inside neural networks")
        summary = gr.Markdown(status_summary(models), elem_id="model-status")
        with gr.Accordion("Model details", open=False):
            details = gr.Markdown(status_markdown(models), elem_id="model-details")
        for tab in TABS:
            with gr.Tab(tab.TITLE):
                tab.build(ctx, demo)
        demo.load(lambda: (status_summary(models), status_markdown(models)), None,
                  [summary, details], api_visibility="private")
    return demo


def launch_options(settings: Settings) -> dict:
    """Keyword arguments for ``Blocks.launch`` shared by ``serve`` and the tests."""
    return dict(server_name=settings.host, server_port=settings.port, share=settings.share,
                max_file_size=MAX_FILE_BYTES, theme=THEME, css=CSS, show_error=False,
                run_history=settings.history, mcp_server=settings.mcp,
                app_kwargs={"middleware": [Middleware(PrivateUploads)]})


def prepare(demo: gr.Blocks, settings: Settings) -> gr.Blocks:
    """Queue the app (bounded: a full queue answers "busy" instead of hanging) and, on a
    ZeroGPU Space, put the GPU-heavy events under ``spaces.GPU``."""
    demo.queue(default_concurrency_limit=4, max_size=settings.queue_size)
    if zero_gpu_space():
        wrapped = wrap_gpu_events(demo, load_config().zerogpu.get("durations", {}))
        logging.getLogger("lab").info("ZeroGPU: %d events run under spaces.GPU", len(wrapped))
    return demo


def serve(settings: Settings) -> None:
    """Build the lab and serve it until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if settings.mcp and importlib.util.find_spec("mcp") is None:
        raise SystemExit("--mcp needs Gradio's MCP extra: pip install 'gradio[mcp]'")
    prepare(build_app(settings), settings).launch(**launch_options(settings))
