"""The first screen teaches: a tab shows the result for its default example when it is first
shown, and the shell computes those results once in the background after start-up, so the
cache serves them to every student without anyone waiting.

What a tab opens with is the tab's own declaration (its views' roles, run by
:mod:`tabs.common.opening`); the shell only decides *when*: when a page opens, for the tab in
its address (``?tab=`` or ``?embed=``, else the first tab), and for any other tab the first
time the student selects it. All of that is decided in the browser: choosing the tab from the
address, hiding the header for an embedded tab, remembering which tabs were opened. Selecting
a tab again costs the server nothing.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping

import gradio as gr

from core.attribution.inference import inference_network
from core.models.calibration import batch_size
from tabs.common.form import Form
from tabs.common.i18n import LANGUAGES
from tabs.common.inflight import computing, exiting
from tabs.common.opening import warm, wire_opening

log = logging.getLogger("lab")

_ONCE = "(opened) => window.xaiLabReady ? (opened || 1) : opened"
"""A tab's "opened" flag goes from 0 to 1 once; selecting the tab again leaves it unchanged,
so its change event (the opening) fires only the first time. Gradio also "selects" the first
tab while the page is built, before the address has been read: that one is ignored."""


def wire_first_views(demo: gr.Blocks, forms: Mapping[str, Form],
                     pages: Mapping[str, gr.Tab]) -> None:
    """Show the tab the address names and open each tab when it is first shown. Call inside
    ``with demo:``."""
    flags: dict[str, gr.Number] = {}
    for slug, form in forms.items():
        flag = gr.Number(0, visible=False, elem_id=f"opened-{slug}")
        if wire_opening(form, flag.change):
            pages[slug].select(None, flag, flag, js=_ONCE)
            flags[slug] = flag
    slugs = json.dumps(list(forms))
    opened = json.dumps(list(flags))
    # The tab a page opens with, chosen in the browser: no request to the server.
    demo.load(None, list(flags.values()), list(flags.values()), js=f"""(...values) => {{
  const query = new URL(window.location.href).searchParams;
  const tabs = {slugs};
  const known = (name) => (tabs.includes(name) ? name : null);
  const embed = known(query.get("embed"));
  const shown = embed || known(query.get("tab")) || tabs[0];
  if (embed) document.body.classList.add("xai-embed");
  window.xaiLabReady = true;
  if (shown !== tabs[0]) document.getElementById(`tab-${{shown}}-button`)?.click();
  return {opened}.map((slug, i) => (slug === shown ? 1 : values[i]));
}}""")


def warm_up(forms: Mapping[str, Form], lang: str) -> threading.Thread:
    """Compute every tab's first view once, in a background thread (the caches keep them).

    First it measures the bundled model's batch sizes (:func:`calibrate`), then it runs each
    tab's opening with the components' default values and no link, as a page does, in
    ``lang`` and then in the other languages (outputs are kept per language). A failure is
    logged, never raised. It counts as running until it ends, and it ends before the next
    tab once the process exits.
    """

    languages = [lang, *(other for other in LANGUAGES if other != lang)]

    def run() -> None:
        with computing():
            calibrate(forms)
            for slug, form in forms.items():
                if exiting.is_set():
                    return
                try:
                    if all([warm(form, language) for language in languages]):
                        log.info("warm-up: %s ready", slug)
                except Exception:  # noqa: BLE001 - the lab serves without a warm cache too
                    log.exception("warm-up of %s failed; its first view is computed on demand",
                                  slug)

    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread


def calibrate(forms: Mapping[str, Form]) -> None:
    """Measure the bundled model's batch sizes (a few seconds), so that no student waits
    for it (:mod:`core.models.calibration`; nothing to do when ``XAI_LAB_BATCH`` fixes them):
    forward passes on the BatchNorm-folded copy that runs them, forward and backward on the
    model. Not on ZeroGPU, which lends the GPU to views only. A failure is logged; the views
    measure then."""
    ctx = next(iter(forms.values())).ctx if forms else None
    if ctx is None or ctx.gpu is not None:
        return
    try:
        model = ctx.models.get(ctx.models.fallback)
        batch_size(model, "forward", inference_network(model))
        batch_size(model, "backward")
    except Exception:  # noqa: BLE001 - the lab serves without it too
        log.exception("calibrating the batch sizes failed; the first view that needs one does it")
