"""The Filter ascent tab's handlers: weights, the streamed grid, one tile, two comparisons.

Handlers that write sentences or figures take the ``gr.Request`` last and answer in its
language (:func:`tabs.common.i18n.request_language`); errors raised by ``core`` stay English.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, fields
from typing import Callable

import gradio as gr
import numpy as np

from core.ascent import (
    AscentCancelled,
    AscentChunk,
    AscentParams,
    AscentResult,
    first_conv,
    layer_weights,
    params_for,
    parse_filters,
    visualize_filters,
)
from core.models.layers import early_middle_deep
from tabs.ascent.texts import T
from tabs.common.context import TabContext
from tabs.common.downloads import Downloads
from tabs.common.errors import user_errors
from tabs.common.i18n import request_language
from tabs.common.render.ascent import ascent_grid, enlarge, kernel_grid, loss_figure, side_by_side
from tabs.common.streaming import CancelSwitches, stream_job

#: The method radio's values (what the API sends) and the mode each stands for.
MODES = {"notebook (seed 000)": "notebook", "regularized (Olah et al. 2017)": "regularized"}

_SWITCHES = CancelSwitches()
_DOWNLOADS = Downloads()


@dataclass(frozen=True)
class Knobs:
    """The parameter fields of the tab, in the order of their components (``KNOBS``).

    Built in one place (:meth:`of`) from the handler's values; inserting a field here and its
    component in ``build`` keeps every handler in step.
    """

    nb_steps: object
    step_size: object
    rg_steps: object
    lr: object
    variants: object
    diversity: object
    size: object
    border: object
    crop: object
    seed: object

    @classmethod
    def of(cls, values: tuple) -> "Knobs":
        return cls(*values)

    def params(self, mode: str) -> AscentParams:
        """The core parameters of ``mode``; core checks every value and explains problems."""
        steps = self.nb_steps if mode == "notebook" else self.rg_steps
        return params_for(mode, steps=steps, step_size=self.step_size, lr=self.lr,
                          variants=self.variants, diversity=self.diversity, size=self.size,
                          border=self.border, crop=self.crop)

    @property
    def random_seed(self) -> object:
        return 0 if self.seed in (None, "") else self.seed


KNOBS = tuple(f.name for f in fields(Knobs))


def with_knobs(handler: Callable, ctx: TabContext) -> Callable:
    """``handler(ctx, *inputs, *knob_values, request=…)`` as Gradio calls it.

    Gradio fills a ``gr.Request`` only into a named positional parameter, never after
    ``*knob_values``. The handlers keep their varargs (and their callers) and take the request
    by keyword; this adapter binds ``ctx`` and names every input, the knobs by their ``KNOBS``
    names, with the request last.
    """
    if inspect.isgeneratorfunction(handler):
        def adapter(*values):
            yield from handler(ctx, *values[:-1], request=values[-1])
    else:
        def adapter(*values):
            return handler(ctx, *values[:-1], request=values[-1])
    named = [p.name for p in inspect.signature(handler).parameters.values()
             if p.kind is p.POSITIONAL_OR_KEYWORD][1:]  # without ctx
    positional = inspect.Parameter.POSITIONAL_ONLY
    adapter.__signature__ = inspect.Signature(
        [inspect.Parameter(name, positional) for name in (*named, *KNOBS)]
        + [inspect.Parameter("request", positional, annotation=gr.Request)])
    adapter.__annotations__ = {"request": gr.Request}
    adapter.__name__, adapter.__doc__ = handler.__name__, handler.__doc__
    return adapter


def _mode(label: str) -> str:
    """The mode behind a radio value (an unknown value is passed on for core to refuse)."""
    return MODES.get(label, label)


def _grouped(number: int, lang: str) -> str:
    """``12,345`` in English, ``12.345`` in German."""
    text = f"{number:,}"
    return text.replace(",", ".") if lang == "de" else text


@user_errors
def show_weights(ctx: TabContext, model: str, layer: str, request: gr.Request):
    """The weight shapes of the layer, and the first conv layer's kernels as RGB patches."""
    lang = request_language(request, ctx.lang)
    loaded = ctx.models.get(model)
    info = ctx.models.layer(model, layer)
    weights = layer_weights(loaded, layer=layer)
    lines = [T.text("weights_head", lang, layer=layer, kind=weights.kind, maps=info.shape[0],
                    parameters=_grouped(weights.parameters, lang))]
    if weights.shapes:
        lines.append(T.text("weights_shapes", lang))
        lines += [f"- `{name}`: {tuple(shape)}" for name, shape in weights.shapes[:12]]
        if len(weights.shapes) > 12:
            lines.append(T.text("weights_more", lang, count=len(weights.shapes) - 12))
    else:
        lines.append(T.text("weights_none", lang))
    stem = first_conv(loaded)
    kernels = None
    if stem is not None:
        stem_weights = layer_weights(loaded, layer=stem)
        if stem_weights.kernels is not None:
            kernels = kernel_grid(stem_weights.kernels)
            lines.append("\n" + T.text("kernels_below", lang, count=len(stem_weights.kernels),
                                       stem=stem))
    return "\n".join(lines), kernels


def cancel_ascent(session: str | None, lang: str = "en") -> str:
    """Stop this session's run (the worker checks the switch before every step)."""
    _SWITCHES.cancel(session)
    return T.text("stopped", lang)


def _describe(model: str, layer: str, mode: str, params: AscentParams, done: int, total: int,
              final: list, lang: str) -> str:
    method = T.text(f"method_{mode}", lang, steps=params.steps, step_size=params.step_size,
                    lr=params.lr)
    ready = [v for v in final if v is not None]
    text = T.text("progress", lang, model=model, layer=layer, method=method, done=done,
                  total=total)
    if ready:
        text += T.text("final", lang, mean=np.mean(ready), low=min(ready), high=max(ready))
    return text + T.text("click", lang)


@user_errors
def run_ascent(ctx: TabContext, session: str | None, model: str, layer: str, filters: str,
               mode_label: str, *knob_values, request: gr.Request | None = None):
    """Stream the grid as filters finish; yields (grid, text, loss plot, PNG path, result)."""
    lang = request_language(request, ctx.lang)
    mode = _mode(mode_label)
    knobs = Knobs.of(knob_values)
    loaded = ctx.models.get(model)
    info = ctx.models.layer(model, layer)
    chosen = parse_filters(filters, channels=info.shape[0])
    params = knobs.params(mode)

    def job(should_stop, emit) -> AscentResult:
        return visualize_filters(loaded, layer=layer, filters=chosen, mode=mode, params=params,
                                 seed=knobs.random_seed, should_stop=should_stop, on_chunk=emit)

    tiles: list = [None] * len(chosen)
    final: list = [None] * len(chosen)
    position = {f: i for i, f in enumerate(chosen)}
    done = 0
    try:
        for update in stream_job(job, switches=_SWITCHES, session=session, name="ascent"):
            if update.done:
                result: AscentResult = update.value
                grid, layout = ascent_grid(list(result.first), result.filters, result.final)
                title = f"{model} · {layer} · {T.text(f'name_{mode}', lang)}"
                yield (grid, _describe(model, layer, mode, params, len(chosen), len(chosen),
                                       list(result.final), lang),
                       loss_figure(result.losses, result.filters, title=title, lang=lang),
                       _DOWNLOADS.png(grid, f"ascent-{model}-{layer}-{mode}"), (result, layout))
                return
            chunk: AscentChunk = update.value
            for i, f in enumerate(chunk.filters):
                tiles[position[f]] = chunk.images[i, 0]
                final[position[f]] = float(chunk.final[i])
            done += len(chunk.filters)
            if done == len(chosen):
                continue  # the result follows: "all done" is shown once the tiles can be clicked
            grid, _ = ascent_grid(tiles, chosen, final)
            # the curves, download and tile state come with the result (None: see streaming.py)
            yield (grid, _describe(model, layer, mode, params, done, len(chosen), final, lang),
                   None, None, None)
    except AscentCancelled:
        if done:
            grid, _ = ascent_grid(tiles, chosen, final)
            yield (grid, T.text("stopped_after", lang, done=done, total=len(chosen)),
                   None, None, None)
        else:
            yield None, T.text("stopped_before", lang), None, None, None


def show_tile(ctx: TabContext, state, evt: gr.SelectData, request: gr.Request):
    """The clicked tile, enlarged, with its filter number and activation."""
    if not state or evt.index is None:
        return gr.skip(), gr.skip(), gr.skip()
    result, layout = state
    filter_index = layout.channel_at(int(evt.index[0]), int(evt.index[1]))
    if filter_index is None:
        return gr.skip(), gr.skip(), gr.skip()
    lang = request_language(request, ctx.lang)
    i = result.filters.index(filter_index)
    images = [enlarge(tile, size=448 // result.images.shape[1]) for tile in result.images[i]]
    caption = T.text("tile", lang, filter=filter_index, layer=result.layer,
                     mode=T.text(f"name_{result.mode}", lang), start=result.initial[i],
                     end=result.final[i])
    return side_by_side(images), caption, gr.Number(value=filter_index)


@user_errors
def compare_modes(ctx: TabContext, model: str, layer: str, filter_index: float, *knob_values,
                  request: gr.Request | None = None):
    """The same filter by the notebook method (left) and the regularized method (right)."""
    knobs = Knobs.of(knob_values)
    loaded = ctx.models.get(model)
    info = ctx.models.layer(model, layer)
    chosen = parse_filters(str(int(filter_index or 0)), channels=info.shape[0])
    notebook, regularized = (
        visualize_filters(loaded, layer=layer, filters=chosen, mode=mode,
                          params=knobs.params(mode), seed=knobs.random_seed)
        for mode in ("notebook", "regularized"))
    image = side_by_side([enlarge(notebook.first[0], size=360),
                          enlarge(regularized.first[0], size=360)])
    caption = T.text("modes", request_language(request, ctx.lang), filter=chosen[0], layer=layer,
                     notebook=notebook.final[0], regularized=regularized.final[0])
    return image, caption


@user_errors
def compare_layers(ctx: TabContext, model: str, filter_index: float, mode_label: str,
                   *knob_values, request: gr.Request | None = None):
    """The same filter index in an early, a middle and a deep layer (exercise f)."""
    lang = request_language(request, ctx.lang)
    mode = _mode(mode_label)
    knobs = Knobs.of(knob_values)
    loaded = ctx.models.get(model)
    names = early_middle_deep(ctx.models.layers(model))
    params = knobs.params(mode)
    index = int(filter_index or 0)
    gallery = []
    for depth, name in zip(("early", "middle", "deep"), names):
        word = T.text(f"depth_{depth}", lang)
        channels = ctx.models.layer(model, name).shape[0]
        if not 0 <= index < channels:
            raise ValueError(T.text("depth_missing", lang, index=index, depth=word, layer=name,
                                    channels=channels, last=channels - 1))
        result = visualize_filters(loaded, layer=name, filters=[index], mode=mode, params=params,
                                   seed=knobs.random_seed)
        gallery.append((enlarge(result.first[0], size=300),
                        T.text("depth_caption", lang, depth=word, layer=name, filter=index,
                               activation=result.final[0])))
    return gallery
