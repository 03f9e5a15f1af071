"""Assemble the tabs into one Gradio app and serve it."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from urllib.parse import urlencode

import gradio as gr
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse
from starlette.routing import Route

from core.images import MAX_FILE_BYTES
from core.models import ModelManager, resolve_device
from lab import EXAMPLE_IMAGES_DIR
from lab.accessibility import CSS as ACCESSIBLE_CSS
from lab.accessibility import head_script
from lab.first_view import warm_up, wire_first_views
from lab.language import PageLanguage
from lab.lessons import lesson_translations
from lab.links import CopyLink
from lab.memory import limit_heap_arenas
from lab.notebooks import notebook_route
from lab.security import PrivateUploads
from lab.settings import Settings
from lab.static_cache import StaticFilesKept
from lab.status import status_markdown, status_summary
from lab.threads import use_threads
from lab.worksheets import folders, load, vocabulary
from lab.worksheets.panel import CSS as WORKSHEET_CSS
from lab.worksheets.panel import WorksheetPanel
from lab.zerogpu import gpu_wrapper, model_device, preload
from tabs import activations, ascent, attribution, clip, counterfactual, pdp
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.form import Form
from tabs.common.i18n import Texts, request_language, translations

TABS: tuple[ModuleType, ...] = (ascent, activations, attribution, counterfactual, clip, pdp)
# Soft's indigo at its 500 shade is below 4.5:1 on white and on its own light tint (axe's
# color-contrast): labels, primary buttons, chosen options and the accent use the 600 shade,
# subdued text neutral 500 instead of 400.
THEME = gr.themes.Soft(primary_hue="indigo").set(
    block_label_text_color="*primary_600", block_title_text_color="*primary_600",
    button_primary_background_fill="*primary_600",
    button_primary_background_fill_hover="*primary_700",
    checkbox_label_background_fill_selected="*primary_600", color_accent="*primary_600",
    body_text_color_subdued="*neutral_500",
)
CSS = """
#act-grid img { image-rendering: pixelated; }
body.xai-embed #lab-shell, body.xai-embed #lab-tabs > .tab-wrapper { display: none; }
.try-this { border-left: 4px solid var(--color-accent); padding: 4px 12px !important;
            background: var(--background-fill-secondary); }
"""
LATEX: list[dict[str, str | bool]] = [{"left": "$$", "right": "$$", "display": True},
                                      {"left": "$", "right": "$", "display": False}]

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


@dataclass(frozen=True)
class Lab:
    """The app and each tab's form (slug → :class:`~tabs.common.form.Form`), where the
    warm-up and the tools find the declared views."""

    demo: gr.Blocks
    forms: Mapping[str, Form]


def build_app(settings: Settings, models: ModelManager | None = None) -> gr.Blocks:
    """The whole lab as a ``gr.Blocks``; ``models`` defaults to a manager for ``settings``."""
    return build_lab(settings, models).demo


def heavy_limit(settings: Settings) -> int:
    """Heavy requests of one model group that run at once: on a CPU two keep both cores busy
    (each with its share of the cores' threads, :mod:`lab.threads`); a GPU takes more."""
    return 4 if resolve_device(settings.device).type == "cuda" else 2


def build_lab(settings: Settings, models: ModelManager | None = None) -> Lab:
    """The whole lab; ``models`` defaults to a manager for ``settings``. On ZeroGPU the
    models are loaded here, at start (:func:`lab.zerogpu.preload`)."""
    models = models or ModelManager(device=model_device(settings.device),
                                    offline=settings.offline)
    preload(models)
    ctx = TabContext(models=models, lang=settings.lang, examples=ExampleImages(EXAMPLE_IMAGES_DIR),
                     heavy_limit=heavy_limit(settings), gpu=gpu_wrapper(), code=settings.code)
    # Uploads and outputs older than a day are deleted every hour, so they do not pile up.
    with gr.Blocks(title="XAI Lab", delete_cache=(3600, 86400)) as demo:
        with gr.Column(elem_id="lab-shell"):
            gr.Markdown(SHELL.label("heading"))
            summary = gr.Markdown(status_summary(models), elem_id="model-status")
            with gr.Accordion(SHELL.label("details"), open=False):
                details = gr.Markdown(status_markdown(models), elem_id="model-details")
        forms: dict[str, Form] = {}
        pages: dict[str, gr.Tab] = {}
        # "wrap": on a narrow screen Gradio would otherwise move the tabs that do not fit into
        # a "⋯" menu (and `?tab=` could not click them); wrapped, every tab stays a tab.
        with gr.Tabs(elem_id="lab-tabs", overflow_behavior="wrap"):
            for tab in TABS:
                slug = tab_slug(tab)
                with gr.Tab(SHELL.label(f"tab.{slug}"), id=slug, elem_id=f"tab-{slug}") as page:
                    gr.Markdown(I18N_KEYS(f"try.{slug}"), elem_classes="try-this",
                                elem_id=f"try-{slug}")
                    with gr.Accordion(SHELL.label("lesson"), open=False):
                        gr.Markdown(I18N_KEYS(f"lesson.{slug}"), latex_delimiters=LATEX,
                                    elem_id=f"lesson-{slug}")
                    copy = CopyLink.create(slug)
                    forms[slug] = Form(ctx, slug)
                    tab.build(forms[slug])
                    copy.wire(forms[slug].links)
                pages[slug] = page

        def status(request: gr.Request):
            lang = request_language(request, settings.lang)
            return status_summary(models, lang), status_markdown(models, lang)

        demo.load(status, None, [summary, details], api_visibility="private")
        wire_first_views(demo, forms, pages)
        library = load(folders(settings.worksheets), vocabulary(forms))
        results = {f"{slug}.{name}": component for slug, form in forms.items()
                   for name, component in form.results.items()}
        WorksheetPanel.create(library, results, settings.lang).wire(demo)
    return Lab(demo, forms)


def launch_options(settings: Settings, lab: Lab | None = None) -> dict:
    """Keyword arguments for ``Blocks.launch`` shared by ``serve`` and the tests; with the
    ``lab``'s forms (and code on) the app also answers ``/notebook`` (:mod:`lab.notebooks`)."""
    routes = [Route("/embed/{tab}", _embed)]
    if lab is not None and settings.code:
        routes.append(Route("/notebook", notebook_route(lab.forms)))
    return dict(server_name=settings.host, server_port=settings.port, share=settings.share,
                max_file_size=MAX_FILE_BYTES, theme=THEME, css=CSS + ACCESSIBLE_CSS + WORKSHEET_CSS,
                head=head_script(), show_error=False,
                run_history=settings.history, mcp_server=settings.mcp,
                state_session_capacity=settings.sessions,
                i18n=translations(lesson_translations([tab_slug(tab) for tab in TABS])),
                app_kwargs={"middleware": [Middleware(PrivateUploads), Middleware(PageLanguage),
                                           Middleware(StaticFilesKept)],
                            "routes": routes})


async def _embed(request) -> RedirectResponse:
    """``/embed/<tab>``: the page with only that tab, for an iframe in a course page."""
    query = dict(request.query_params, embed=request.path_params["tab"])
    return RedirectResponse(f"{request.scope.get('root_path', '')}/?{urlencode(query)}")


def prepare(demo: gr.Blocks, settings: Settings) -> gr.Blocks:
    """Queue the app, bounded: a full queue answers "busy" instead of hanging."""
    demo.queue(default_concurrency_limit=4, max_size=settings.queue_size)
    return demo


def serve(settings: Settings) -> None:
    """Build the lab and serve it until interrupted."""
    limit_heap_arenas()  # before the worker threads exist
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if settings.mcp and importlib.util.find_spec("mcp") is None:
        raise SystemExit("--mcp needs Gradio's MCP extra: pip install 'gradio[mcp]'")
    device = model_device(settings.device)  # first: on ZeroGPU it imports spaces before CUDA
    use_threads(heavy_limit(settings), settings.threads)  # before any worker thread runs torch
    models = ModelManager(device=device, offline=settings.offline)
    lab = build_lab(settings, models)
    demo = prepare(lab.demo, settings)
    demo.launch(**launch_options(settings, lab), prevent_thread_lock=True)
    if settings.warm_up:
        warm_up(lab.forms, settings.lang)
    demo.block_thread()
