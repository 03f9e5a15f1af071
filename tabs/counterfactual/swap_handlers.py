"""The Counterfactual tab's handler for method 2, the region swap (Goyal et al. 2019): streamed
one line per swapped cell, cancellable, then the swapped cells, the curve and the checks."""

from __future__ import annotations

import gradio as gr

from core.counterfactual import CounterfactualCancelled
from core.counterfactual.checks import check_swap
from core.counterfactual.swap import RegionSwap, SwapStep, swap_params, swap_regions
from tabs.common.context import TabContext
from tabs.common.errors import user_errors
from tabs.common.i18n import request_language
from tabs.common.render.counterfactual import swap_curve, swap_picture
from tabs.common.streaming import stream_job
from tabs.counterfactual import describe
from tabs.counterfactual.handlers import SWITCHES, scores, start
from tabs.counterfactual.texts import T


@user_errors
def run_swap(ctx: TabContext, session: str | None, example: str, upload: str | None, model: str,
             kind: str, class_index: float | None, dog_example: str, dog_upload: str | None,
             max_cells: float, candidates: float, threshold: float, request: gr.Request = None):
    """Method 2, streamed (one line per swapped cell, cancellable); at the end yields
    (cells picture, curve, summary, top 5, checks table)."""
    lang = request_language(request, ctx.lang)
    loaded, image, target = start(ctx, example, upload, model, kind, class_index, request)
    name = describe.target_name(target, loaded.categories[target.original], lang=lang)
    dog = ctx.examples.resolve(dog_example, dog_upload)
    params = swap_params(max_cells=max_cells, candidates=candidates, threshold=threshold)

    def job(should_stop, emit):
        return swap_regions(loaded, image, dog, target=target, params=params,
                            should_stop=should_stop, on_step=emit)

    # the result outputs stay empty until the run ends (None, not gr.skip(): see streaming.py)
    yield None, None, T.text("swap.start", lang, model=loaded.spec.title, target=name), None, None
    try:
        for update in stream_job(job, switches=SWITCHES, session=session, name="swap"):
            if update.done:
                yield _swap_result(ctx, loaded, update.value, name, params, lang)
                return
            step: SwapStep = update.value
            yield (None, None,
                   T.text("swap.step", lang, step=step.step, most=params.max_cells, target=name,
                          p=step.p_target, top=step.top.label), None, None)
    except CounterfactualCancelled:
        yield None, None, T.text("stopped", lang), None, None


def _swap_result(ctx, loaded, result: RegionSwap, target: str, params, lang: str):
    checks = check_swap(ctx.models, loaded, result)
    table = describe.checks_table(checks, float(result.p_target[-1]), target,
                                  what=T.text("swap.checks", lang), lang=lang)
    return (swap_picture(result.view, result.dog_view, result.swaps, result.grid),
            swap_curve(list(result.p_target), threshold=params.threshold, target=target,
                       lang=lang),
            describe.swap_summary(result, lang=lang), scores(result.predictions), table)
