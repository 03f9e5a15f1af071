"""A page open runs only the views of the tab it shows; another tab opens when it is first
selected, and selecting it again asks the server for nothing."""

from __future__ import annotations

from core.cache import REGISTRY, clear_all
from tabs.common.outputs import KEPT


def _kept_views() -> set[str]:
    """The views whose outputs the (in-process) lab has kept since the caches were emptied."""
    return {key[0] for key in KEPT.keys_by_use()}


def _counting_requests(monkeypatch) -> list[int]:
    """One entry per event the (in-process) lab runs from now on."""
    import gradio.blocks

    calls: list[int] = []
    real = gradio.blocks.Blocks.process_api

    async def counted(self, *args, **kwargs):
        calls.append(1)
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(gradio.blocks.Blocks, "process_api", counted)
    return calls


def _filled() -> set[str]:
    return {cache.name for cache in REGISTRY.caches() if len(cache)}


def test_a_page_open_computes_only_the_tab_it_shows(browser, lab_url, monkeypatch):
    from tests.e2e.conftest import wait_for_image

    clear_all()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{lab_url}?tab=activations")
        wait_for_image(page, "act-grid", min_width=100)
        page.wait_for_timeout(1500)  # trailing events of the page, if there were any
        assert _kept_views() == {"activations"}
        assert not _filled() & {"ascent", "attribution", "counterfactual.pixel", "pdp.results"}
        page.get_by_role("tab", name="Partial dependence").click()
        wait_for_image(page, "pdp-1d", min_width=100)
        assert _kept_views() == {"activations", "pdp_data", "pdp_1d"}
        page.wait_for_timeout(1500)
        requests = _counting_requests(monkeypatch)
        page.get_by_role("tab", name="Activations").click()
        page.get_by_role("tab", name="Partial dependence").click()
        page.wait_for_timeout(1500)
        assert requests == []  # both tabs are open already: the browser asks for nothing
        page.get_by_role("tab", name="Attribution").click()  # a tab opened for the first time
        wait_for_image(page, "attr-compare", min_width=100)
        assert requests  # (the counter sees the lab's events)
    finally:
        context.close()
