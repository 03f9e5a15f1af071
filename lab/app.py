"""Assemble the tabs into one Gradio app and serve it."""

from __future__ import annotations

import importlib.util
import logging
from types import ModuleType
from urllib.parse import urlencode

import gradio as gr
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse
from starlette.routing import Route

from core.images import MAX_FILE_BYTES
from core.models import ModelManager, resolve_device
from lab import EXAMPLE_IMAGES_DIR
from lab.deploy import load_config
from lab.first_view import warm_up, wire_first_views
from lab.guards import guard_inputs
from lab.language import PageLanguage
from lab.lessons import lesson_translations
from lab.links import CopyLink
from lab.memory import limit_heap_arenas
from lab.queueing import apply_groups
from lab.security import PrivateUploads
from lab.settings import Settings
from lab.status import status_markdown, status_summary
from lab.zerogpu import wrap_gpu_events, zero_gpu_space
from tabs import activations, ascent, attribution, clip, counterfactual, pdp
from tabs.common.context import TabContext
from tabs.common.i18n import Texts, request_language, translations
from tabs.common.image_picker import ExampleImages

TABS: tuple[ModuleType, ...] = (ascent, activations, attribution, counterfactual, clip, pdp)
THEME = gr.themes.Soft(primary_hue="indigo")
CSS = """
#act-grid img { image-rendering: pixelated; }
#lab-tabs.embedded > .tab-wrapper { display: none; }
.try-this { border-left: 4px solid var(--color-accent); padding: 4px 12px !important;
            background: var(--background-fill-secondary); }
"""
LATEX = [{"left": "$$", "right": "$$", "display": True}, {"left": "$", "right": "$", "display": False}]

SHELL = Texts("lab", en={
    "heading": "# XAI Lab — look inside neural networks",
    "details": "Model details",
    "lesson": "Full lesson: background, what to notice, questions",
    "tab.ascent": "Filter ascent", "tab.activations": "Activations",
    "tab.attribution": "Attribution", "tab.counterfactual": "Counterfactual",
    "tab.clip": "CLIP", "tab.pdp": "Partial dependence",
}, de={
    "heading": "# XAI Lab — ein Blick in neuronale Netze",
    "details": "Modelle im Detail",
    "lesson": "Ganze Lektion: Hintergrund, worauf achten, Fragen",
    "tab.ascent": "Filter-Aufstieg", "tab.activations": "Aktivierungen",
    "tab.attribution": "Attribution", "tab.counterfactual": "Kontrafaktisch",
    "tab.clip": "CLIP", "tab.pdp": "Partielle Abhängigkeit",
})


I18N_KEYS = gr.I18n()  # keys for texts the shell hands to ``launch(i18n=…)`` (the lessons)


def tab_slug(tab: ModuleType) -> str:
    """The short name of a tab in addresses: ``?tab=pdp``, ``/embed/pdp``."""
    return tab.__name__.rsplit(".", 1)[-1]


def _viewer(slugs: list[str]):
    """The load handler that opens the tab named in ``?tab=``; with ``?embed=<tab>`` it shows
    that tab alone. ``slugs`` are the app's tabs, in order."""

    def view(request: gr.Request | None):
        params = request.query_params if request is not None else {}
        embed = params.get("embed") if params.get("embed") in slugs else None
        chosen = embed or (params.get("tab") if params.get("tab") in slugs else None)
        tabs = gr.Tabs(selected=chosen, elem_classes=["embedded"] if embed else []) if chosen \
            else gr.skip()
        return (tabs, gr.Column(visible=embed is None),
                *(gr.Tab(visible=embed in (None, slug)) for slug in slugs))

    return view


def build_app(settings: Settings, models: ModelManager | None = None) -> gr.Blocks:
    """The whole lab as a ``gr.Blocks``; ``models`` defaults to a manager for ``settings``."""
    models = models or ModelManager(device=settings.device, offline=settings.offline)
    ctx = TabContext(models=models, lang=settings.lang, examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    # Uploads and outputs older than a day are deleted every hour, so they do not pile up.
    with gr.Blocks(title="XAI Lab", delete_cache=(3600, 86400)) as demo:
        with gr.Column() as shell:
            gr.Markdown(SHELL.label("heading"))
            summary = gr.Markdown(status_summary(models), elem_id="model-status")
            with gr.Accordion(SHELL.label("details"), open=False):
                details = gr.Markdown(status_markdown(models), elem_id="model-details")
        pages, links = [], {}
        with gr.Tabs(elem_id="lab-tabs") as tabs:
            for tab in TABS:
                slug = tab_slug(tab)
                with gr.Tab(SHELL.label(f"tab.{slug}"), id=slug, elem_id=f"tab-{slug}") as page:
                    gr.Markdown(I18N_KEYS(f"try.{slug}"), elem_classes="try-this",
                                elem_id=f"try-{slug}")
                    with gr.Accordion(SHELL.label("lesson"), open=False):
                        gr.Markdown(I18N_KEYS(f"lesson.{slug}"), latex_delimiters=LATEX,
                                    elem_id=f"lesson-{slug}")
                    copy = CopyLink.create(slug)
                    links[slug] = tab.build(ctx, demo)
                    copy.wire(links[slug])
                pages.append(page)
        def status(request: gr.Request):
            lang = request_language(request, settings.lang)
            return status_summary(models, lang), status_markdown(models, lang)

        demo.load(status, None, [summary, details], api_visibility="private")
        demo.load(_viewer(list(links)), None, [tabs, shell, *pages], api_visibility="private",
                  show_progress="hidden")
        wire_first_views(demo, models, links)
    return demo


def launch_options(settings: Settings) -> dict:
    """Keyword arguments for ``Blocks.launch`` shared by ``serve`` and the tests."""
    return dict(server_name=settings.host, server_port=settings.port, share=settings.share,
                max_file_size=MAX_FILE_BYTES, theme=THEME, css=CSS, show_error=False,
                run_history=settings.history, mcp_server=settings.mcp,
                state_session_capacity=settings.sessions,
                i18n=translations(lesson_translations([tab_slug(tab) for tab in TABS])),
                app_kwargs={"middleware": [Middleware(PrivateUploads), Middleware(PageLanguage)],
                            "routes": [Route("/embed/{tab}", _embed)]})


async def _embed(request) -> RedirectResponse:
    """``/embed/<tab>``: the page with only that tab, for an iframe in a course page."""
    query = dict(request.query_params, embed=request.path_params["tab"])
    return RedirectResponse(f"{request.scope.get('root_path', '')}/?{urlencode(query)}")


def prepare(demo: gr.Blocks, settings: Settings) -> gr.Blocks:
    """Queue the app (bounded: a full queue answers "busy" instead of hanging), give every
    input field a sentence for values it cannot convert and, on a ZeroGPU Space, put the
    GPU-heavy events under ``spaces.GPU``."""
    demo.queue(default_concurrency_limit=4, max_size=settings.queue_size)
    guard_inputs(demo)
    # On a CPU two heavy requests per model group keep both cores busy; a GPU takes more.
    apply_groups(demo, limit=4 if resolve_device(settings.device).type == "cuda" else 2)
    if zero_gpu_space():
        wrapped = wrap_gpu_events(demo, load_config().zerogpu.get("durations", {}))
        logging.getLogger("lab").info("ZeroGPU: %d events run under spaces.GPU", len(wrapped))
    return demo


def serve(settings: Settings) -> None:
    """Build the lab and serve it until interrupted."""
    limit_heap_arenas()  # before the worker threads exist
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if settings.mcp and importlib.util.find_spec("mcp") is None:
        raise SystemExit("--mcp needs Gradio's MCP extra: pip install 'gradio[mcp]'")
    models = ModelManager(device=settings.device, offline=settings.offline)
    demo = prepare(build_app(settings, models), settings)
    demo.launch(**launch_options(settings), prevent_thread_lock=True)
    if settings.warm_up:
        warm_up(demo, models)
    demo.block_thread()
