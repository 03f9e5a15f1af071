"""The Counterfactual tab's view of method 2, the region swap (Goyal et al. 2019): streamed
one line per swapped cell, cancellable, then the swapped cells, the curve and the checks."""

from __future__ import annotations

from collections.abc import Iterator

from core.counterfactual import CounterfactualCancelled
from core.counterfactual.checks import check_swap
from core.counterfactual.swap import RegionSwap, SwapParams, swap_params, swap_regions
from core.models import LoadedModel
from tabs.common.described import Described
from tabs.common.streaming import Done, stream_job
from tabs.common.view import Call, View
from tabs.counterfactual import describe, words
from tabs.counterfactual.render import swap_curve, swap_picture
from tabs.counterfactual.settings import SwapSettings
from tabs.counterfactual.start import SWITCHES, scores, start
from tabs.counterfactual.texts import T


def run_swap(call: Call[SwapSettings]) -> Iterator[tuple]:
    """Method 2, streamed (one line per swapped cell, cancellable); at the end yields
    (cells picture, curve, summary, top 5, checks table)."""
    s, ctx, lang = call.settings, call.ctx, call.lang
    loaded, image, target = start(call)
    name = describe.target_name(target, loaded.categories[target.original], lang=lang)
    dog = ctx.examples.resolve(s.dog_example, s.dog_upload)
    params = swap_params(max_cells=s.max_cells, candidates=s.candidates, threshold=s.threshold)

    def job(should_stop, emit) -> RegionSwap:
        return swap_regions(loaded, image, dog, target=target, params=params,
                            should_stop=should_stop, on_step=emit)

    # the result outputs stay empty until the run ends (None, not gr.skip(): see streaming.py)
    yield None, None, call.text("swap.start", model=loaded.spec.title, target=name), None, None
    try:
        for update in stream_job(job, switches=SWITCHES, session=call.session, name="swap"):
            if isinstance(update, Done):
                yield _swap_result(call, loaded, update.value, name, params)
                return
            step = update.value
            yield (None, None,
                   call.text("swap.step", step=step.step, most=params.max_cells, target=name,
                             p=step.p_target, top=step.top.label), None, None)
    except CounterfactualCancelled:
        yield None, None, call.text("stopped"), None, None


def _swap_result(call: Call[SwapSettings], loaded: LoadedModel, result: RegionSwap,
                 target: str, params: SwapParams) -> tuple:
    """The last yield of :func:`run_swap`: the cells, the curve, the summary, the top 5 and
    the checks."""
    lang = call.lang
    checks = check_swap(call.ctx.models, loaded, result)
    table = describe.checks_table(checks, float(result.p_target[-1]), target,
                                  what=call.text("swap.checks"), lang=lang)
    return (Described(swap_picture(result.view, result.dog_view, result.swaps, result.grid),
                      words.swapped(result, lang)),
            Described(swap_curve(list(result.p_target), threshold=params.threshold,
                                 target=target, lang=lang),
                      words.swap_curve(result, target, lang)),
            describe.swap_summary(result, lang=lang), scores(result.predictions), table)


SWAP = View("counterfactual_swap", SwapSettings, run_swap, T, group="image-models",
            gpu_seconds=60, session=True)
