"""The Filter ascent tab's views: a layer's weights, the streamed grid of filters, one tile
enlarged, the two methods side by side and one filter at three depths."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from core.ascent import (
    AscentCancelled,
    AscentMode,
    AscentParams,
    AscentResult,
    first_conv,
    layer_weights,
    params_for,
    parse_filters,
    visualize_filters,
)
from core.models.layers import early_middle_deep
from tabs.ascent.code import ascent_code, depths_code, weights_code
from tabs.ascent.render import ascent_grid, enlarge, kernel_grid, loss_figure, side_by_side
from tabs.ascent.texts import T
from tabs.common import alt_text
from tabs.common.described import Described
from tabs.common.downloads import Downloads
from tabs.common.layer_picker import layer_views, with_default_layer
from tabs.common.render.images import GridLayout
from tabs.common.streaming import CancelSwitches, Done, stream_job
from tabs.common.view import Call, View, linked

#: The method radio's values (what the API sends) and the mode each stands for.
MODES: dict[str, AscentMode] = {"notebook (seed 000)": "notebook",
                                "regularized (Olah et al. 2017)": "regularized"}
_PARAMS = AscentParams()
_SWITCHES = CancelSwitches()
_DOWNLOADS = Downloads()


@dataclass(frozen=True)
class Knobs:
    """The parameter fields of the tab, the last settings of every ascent view."""

    nb_steps: float = _PARAMS.steps
    step_size: float = _PARAMS.step_size
    rg_steps: float = 64
    lr: float = _PARAMS.lr
    variants: float = 1
    diversity: float = 0.0
    size: float = _PARAMS.size
    border: float = _PARAMS.border
    crop: float = _PARAMS.crop
    seed: int = 0

    def params(self, mode: str) -> AscentParams:
        """The core parameters of ``mode``; core checks every value and explains problems."""
        steps = self.nb_steps if mode == "notebook" else self.rg_steps
        return params_for(mode, steps=steps, step_size=self.step_size, lr=self.lr,
                          variants=self.variants, diversity=self.diversity, size=self.size,
                          border=self.border, crop=self.crop)

    @property
    def random_seed(self) -> int:
        """The seed (0 for an empty field; core checks the rest)."""
        return 0 if self.seed in (None, "") else self.seed


# Each view's own fields come before the knobs: a dataclass collects fields from the end of
# its bases (``class Run(Knobs, _Run)`` → the fields of ``_Run``, then those of ``Knobs``).


@dataclass(frozen=True)
class _Run:
    model: str = linked("model", "resnet50")
    layer: str = linked("layer", "")
    filters: str = linked("filters", "0-15")
    mode: str = linked("method", next(iter(MODES)))


@dataclass(frozen=True)
class RunSettings(Knobs, _Run):
    """The grid: which filters of which layer, by which method."""


@dataclass(frozen=True)
class _Pair:
    model: str = "resnet50"
    layer: str = ""
    filter_index: float = linked("filter", 0)


@dataclass(frozen=True)
class PairSettings(Knobs, _Pair):
    """One filter by both methods."""


@dataclass(frozen=True)
class _Depths:
    model: str = "resnet50"
    filter_index: float = 0
    mode: str = next(iter(MODES))


@dataclass(frozen=True)
class DepthSettings(Knobs, _Depths):
    """One filter index in an early, a middle and a deep layer."""


@dataclass(frozen=True)
class LayerSettings:
    model: str = "resnet50"
    layer: str = ""


@dataclass(frozen=True)
class Tile:
    """The grid's last result (with its layout) and the filter shown large."""

    state: tuple[AscentResult, GridLayout] | None = None
    chosen: float | None = 0


@dataclass(frozen=True)
class NoSettings:
    """A view that needs nothing from the page (its session comes separately)."""


def _mode(label: str) -> AscentMode:
    """The mode behind a radio value (an unknown value is passed on for core to refuse)."""
    return MODES.get(label, cast(AscentMode, label))


def _grouped(number: int, lang: str) -> str:
    """``12,345`` in English, ``12.345`` in German."""
    text = f"{number:,}"
    return text.replace(",", ".") if lang == "de" else text


def show_weights(call: Call[LayerSettings]):
    """The weight shapes of the layer, and the first conv layer's kernels as RGB patches."""
    ctx = call.ctx
    s = with_default_layer(ctx, call.settings, "ascent")
    loaded = ctx.models.get(s.model)
    info = ctx.models.layer(s.model, s.layer)
    weights = layer_weights(loaded, layer=s.layer)
    lines = [call.text("weights_head", layer=s.layer, kind=weights.kind, maps=info.shape[0],
                       parameters=_grouped(weights.parameters, call.lang))]
    if weights.shapes:
        lines.append(call.text("weights_shapes"))
        lines += [f"- `{name}`: {tuple(shape)}" for name, shape in weights.shapes[:12]]
        if len(weights.shapes) > 12:
            lines.append(call.text("weights_more", count=len(weights.shapes) - 12))
    else:
        lines.append(call.text("weights_none"))
    stem = first_conv(loaded)
    kernels = None
    if stem is not None:
        stem_weights = layer_weights(loaded, layer=stem)
        if stem_weights.kernels is not None:
            contrast = {i: float(k.std()) for i, k in enumerate(stem_weights.kernels)}
            kernels = Described(kernel_grid(stem_weights.kernels), alt_text.ranked(
                call.text("kernel_words", stem=stem), contrast, call.lang, item="kernel"))
            lines.append("\n" + call.text("kernels_below", count=len(stem_weights.kernels),
                                          stem=stem))
    return "\n".join(lines), kernels


def cancel_ascent(call: Call[NoSettings]) -> str:
    """Stop this session's run (the worker checks the switch before every step)."""
    _SWITCHES.cancel(call.session)
    return call.text("stopped")


def _describe(call: Call, model: str, layer: str, mode: str, params: AscentParams, done: int,
              total: int, final: list) -> str:
    method = call.text(f"method_{mode}", steps=params.steps, step_size=params.step_size,
                       lr=params.lr)
    ready = [v for v in final if v is not None]
    text = call.text("progress", model=model, layer=layer, method=method, done=done,
                     total=total)
    if ready:
        text += call.text("final", mean=np.mean(ready), low=min(ready), high=max(ready))
    return text + call.text("click")


def _grid(call: Call, grid: np.ndarray, layer: str, mode: AscentMode,
          chosen: Sequence[int], final: Sequence[float | None]) -> Described:
    """The grid with its finished filters' highest activations in words."""
    ready = {f: v for f, v in zip(chosen, final) if v is not None}
    return Described(grid, alt_text.ranked(
        call.text("grid_words", layer=layer, mode=call.text(f"name_{mode}")), ready, call.lang,
        item="filter"))


def _losses(call: Call, result: AscentResult, title: str) -> Described:
    """The loss curves, with the course of their mean in words."""
    mean = result.losses.mean(axis=0)
    return Described(loss_figure(result.losses, result.filters, title=title, lang=call.lang),
                     alt_text.curve(call.text("loss_words", count=len(result.filters)),
                                    np.arange(mean.size), mean, call.lang))


def run_ascent(call: Call[RunSettings]):
    """Stream the grid as filters finish; yields (grid, text, loss plot, PNG path, result)."""
    ctx = call.ctx
    s = with_default_layer(ctx, call.settings, "ascent")
    mode = _mode(s.mode)
    loaded = ctx.models.get(s.model)
    info = ctx.models.layer(s.model, s.layer)
    chosen = parse_filters(s.filters, channels=info.shape[0])
    params = s.params(mode)

    def job(should_stop, emit) -> AscentResult:
        return visualize_filters(loaded, layer=s.layer, filters=chosen, mode=mode,
                                 params=params, seed=s.random_seed, should_stop=should_stop,
                                 on_chunk=emit)

    tiles: list = [None] * len(chosen)
    final: list = [None] * len(chosen)
    position = {f: i for i, f in enumerate(chosen)}
    done = 0
    try:
        for update in stream_job(job, switches=_SWITCHES, session=call.session, name="ascent"):
            if isinstance(update, Done):
                result = update.value
                grid, layout = ascent_grid(list(result.first), result.filters,
                                           list(result.final))
                title = f"{s.model} · {s.layer} · {call.text(f'name_{mode}')}"
                yield (_grid(call, grid, s.layer, mode, list(result.filters), list(result.final)),
                       _describe(call, s.model, s.layer, mode, params, len(chosen),
                                 len(chosen), list(result.final)),
                       _losses(call, result, title),
                       _DOWNLOADS.png(grid, f"ascent-{s.model}-{s.layer}-{mode}"),
                       (result, layout))
                return
            chunk = update.value
            for i, f in enumerate(chunk.filters):
                tiles[position[f]] = chunk.images[i, 0]
                final[position[f]] = float(chunk.final[i])
            done += len(chunk.filters)
            if done == len(chosen):
                continue  # the result follows: "all done" is shown once the tiles can be clicked
            grid, _ = ascent_grid(tiles, chosen, final)
            # the curves, download and tile state come with the result (None: see streaming.py)
            yield (_grid(call, grid, s.layer, mode, chosen, final),
                   _describe(call, s.model, s.layer, mode, params, done, len(chosen), final),
                   None, None, None)
    except AscentCancelled:
        if done:
            grid, _ = ascent_grid(tiles, chosen, final)
            yield (_grid(call, grid, s.layer, mode, chosen, final),
                   call.text("stopped_after", done=done, total=len(chosen)), None, None, None)
        else:
            yield None, call.text("stopped_before"), None, None, None


def pick_tile(call: Call[Tile]):
    """The filter under a click on the grid (the one shown now when the click hit none)."""
    state, selected = call.settings.state, call.selected
    if not state or selected is None or selected.index is None:
        return call.settings.chosen
    hit = state[1].channel_at(int(selected.index[0]), int(selected.index[1]))
    return call.settings.chosen if hit is None else hit


def show_tile(call: Call[Tile]):
    """The chosen filter's tile from the last grid, enlarged, with its filter number and
    activation (nothing when the grid does not have it)."""
    state, chosen = call.settings.state, call.settings.chosen
    if not state or chosen is None or int(chosen) not in state[0].filters:
        return None, None
    result = state[0]
    i = result.filters.index(int(chosen))
    images = [enlarge(tile, size=448 // result.images.shape[1]) for tile in result.images[i]]
    caption = call.text("tile", filter=int(chosen), layer=result.layer,
                        mode=call.text(f"name_{result.mode}"), start=result.initial[i],
                        end=result.final[i])
    return Described(side_by_side(images), caption), caption


def compare_modes(call: Call[PairSettings]):
    """The same filter by the notebook method (left) and the regularized method (right)."""
    ctx = call.ctx
    s = with_default_layer(ctx, call.settings, "ascent")
    loaded = ctx.models.get(s.model)
    info = ctx.models.layer(s.model, s.layer)
    chosen = parse_filters(str(int(s.filter_index or 0)), channels=info.shape[0])
    notebook, regularized = (
        visualize_filters(loaded, layer=s.layer, filters=chosen, mode=mode,
                          params=s.params(mode), seed=s.random_seed)
        for mode in ("notebook", "regularized"))
    image = side_by_side([enlarge(notebook.first[0], size=360),
                          enlarge(regularized.first[0], size=360)])
    caption = call.text("modes", filter=chosen[0], layer=s.layer, notebook=notebook.final[0],
                        regularized=regularized.final[0])
    return Described(image, caption), caption


def filter_index(settings: DepthSettings) -> int:
    """The compared filter's index (0 for an empty field)."""
    return int(settings.filter_index or 0)


def depth_layers(call: Call[DepthSettings]) -> list[tuple[str, str]]:
    """(depth, layer) for an early, a middle and a deep layer; refused with a sentence when
    the filter index is not in one of them."""
    s, ctx = call.settings, call.ctx
    index = filter_index(s)
    layers = list(zip(("early", "middle", "deep"), early_middle_deep(ctx.models.layers(s.model))))
    for depth, name in layers:
        channels = ctx.models.layer(s.model, name).shape[0]
        if not 0 <= index < channels:
            raise call.refuse("depth_missing", index=index, depth=T.both(f"depth_{depth}"),
                              layer=name, channels=channels, last=channels - 1)
    return layers


def compare_layers(call: Call[DepthSettings]):
    """The same filter index in an early, a middle and a deep layer (exercise f)."""
    s, ctx = call.settings, call.ctx
    mode = _mode(s.mode)
    loaded = ctx.models.get(s.model)
    layers = depth_layers(call)
    params = s.params(mode)
    index = filter_index(s)
    gallery = []
    for depth, name in layers:
        word = call.text(f"depth_{depth}")
        result = visualize_filters(loaded, layer=name, filters=[index], mode=mode,
                                   params=params, seed=s.random_seed)
        gallery.append((enlarge(result.first[0], size=300),
                        call.text("depth_caption", depth=word, layer=name, filter=index,
                                  activation=result.final[0])))
    return Described(gallery, " ".join(words for _, words in gallery))


MODEL, BLOCK = layer_views("ascent", "ascent")
WEIGHTS = View("ascent_weights", LayerSettings, show_weights, T, gpu_seconds=5, keep=True,
               code=weights_code)
RUN = View("ascent", RunSettings, run_ascent, T, group="image-models", gpu_seconds=120,
           session=True, code=ascent_code)
CANCEL = View("ascent_cancel", NoSettings, cancel_ascent, T, public=False, session=True)
TILE = View("ascent_tile", Tile, pick_tile, T, public=False, select=True)
TILE_LARGE = View("ascent_tile_large", Tile, show_tile, T, public=False)
MODES_PAIR = View("ascent_compare_modes", PairSettings, compare_modes, T, role="first",
                  group="image-models", gpu_seconds=90, keep=True)
DEPTHS = View("ascent_compare_layers", DepthSettings, compare_layers, T, group="image-models",
              gpu_seconds=120, keep=True, code=depths_code)
