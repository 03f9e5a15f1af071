"""Filter ascent tab: what does a filter want to see? The notebook's method and the modern one."""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields

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
from tabs.common.context import TabContext
from tabs.common.downloads import Downloads
from tabs.common.errors import user_errors
from tabs.common.layer_picker import choose_block, choose_model, model_choices
from tabs.common.render.ascent import ascent_grid, enlarge, kernel_grid, loss_figure, side_by_side
from tabs.common.streaming import CancelSwitches, new_session_token, stream_job

TITLE = "Filter ascent"
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


def _mode(label: str) -> str:
    """The mode behind a radio label (an unknown label is passed on for core to refuse)."""
    return MODES.get(label, label)


@user_errors
def show_weights(ctx: TabContext, model: str, layer: str):
    """The weight shapes of the layer, and the first conv layer's kernels as RGB patches."""
    loaded = ctx.models.get(model)
    info = ctx.models.layer(model, layer)
    weights = layer_weights(loaded, layer=layer)
    lines = [f"**{layer}** ({weights.kind}) outputs {info.shape[0]} feature maps; it holds "
             f"{weights.parameters:,} parameters."]
    if weights.shapes:
        lines.append("Convolution weights (filters × input channels × height × width):")
        lines += [f"- `{name}`: {tuple(shape)}" for name, shape in weights.shapes[:12]]
        if len(weights.shapes) > 12:
            lines.append(f"- … and {len(weights.shapes) - 12} more")
    else:
        lines.append("It has no convolution weights of its own (an activation, norm or pooling).")
    stem = first_conv(loaded)
    kernels = None
    if stem is not None:
        stem_weights = layer_weights(loaded, layer=stem)
        if stem_weights.kernels is not None:
            kernels = kernel_grid(stem_weights.kernels)
            lines.append(f"\nBelow: the {len(stem_weights.kernels)} kernels of the first conv "
                         f"layer `{stem}` as RGB patches (grey = 0, bright/colour = positive).")
    return "\n".join(lines), kernels


def cancel_ascent(session: str | None) -> str:
    """Stop this session's run (the worker checks the switch before every step)."""
    _SWITCHES.cancel(session)
    return "Stopped."


def _describe(model: str, layer: str, mode: str, params: AscentParams, done: int, total: int,
              final: list) -> str:
    method = (f"notebook: {params.steps} steps of size {params.step_size:g} on the RMS-normalised "
              "gradient, raw input (no ImageNet normalisation), as in the seed" if mode == "notebook"
              else f"regularized: {params.steps} Adam steps (lr {params.lr:g}) on a Fourier "
                   "image with decorrelated colours, jitter/scale/rotation")
    ready = [v for v in final if v is not None]
    text = f"**{model} · {layer}** — {method}. {done}/{total} filters done"
    if ready:
        text += f"; final mean activation {np.mean(ready):.3g} (min {min(ready):.3g}, max {max(ready):.3g})"
    return text + ". Click a tile to enlarge it."


@user_errors
def run_ascent(ctx: TabContext, session: str | None, model: str, layer: str, filters: str,
               mode_label: str, *knob_values):
    """Stream the grid as filters finish; yields (grid, text, loss plot, PNG path, result)."""
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
                title = f"{model} · {layer} · {mode}"
                yield (grid, _describe(model, layer, mode, params, len(chosen), len(chosen),
                                       list(result.final)),
                       loss_figure(result.losses, result.filters, title=title),
                       _DOWNLOADS.png(grid, f"ascent-{model}-{layer}-{mode}"), (result, layout))
                return
            chunk: AscentChunk = update.value
            for i, f in enumerate(chunk.filters):
                tiles[position[f]] = chunk.images[i, 0]
                final[position[f]] = float(chunk.final[i])
            done += len(chunk.filters)
            grid, _ = ascent_grid(tiles, chosen, final)
            yield (grid, _describe(model, layer, mode, params, done, len(chosen), final),
                   gr.skip(), gr.skip(), gr.skip())
    except AscentCancelled:
        if done:
            grid, _ = ascent_grid(tiles, chosen, final)
            yield grid, f"Stopped after {done} of {len(chosen)} filters.", gr.skip(), gr.skip(), gr.skip()
        else:
            yield gr.skip(), "Stopped before the first filter finished.", gr.skip(), gr.skip(), gr.skip()


def show_tile(state, evt: gr.SelectData):
    """The clicked tile, enlarged, with its filter number and activation."""
    if not state or evt.index is None:
        return gr.skip(), gr.skip(), gr.skip()
    result, layout = state
    filter_index = layout.channel_at(int(evt.index[0]), int(evt.index[1]))
    if filter_index is None:
        return gr.skip(), gr.skip(), gr.skip()
    i = result.filters.index(filter_index)
    images = [enlarge(tile, size=448 // result.images.shape[1]) for tile in result.images[i]]
    caption = (f"Filter {filter_index} of {result.layer} ({result.mode}): mean activation "
               f"{result.initial[i]:.3g} at the start → {result.final[i]:.3g} at the end.")
    return side_by_side(images), caption, gr.Number(value=filter_index)


@user_errors
def compare_modes(ctx: TabContext, model: str, layer: str, filter_index: float, *knob_values):
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
    caption = (f"Filter {chosen[0]} of {layer}. Left, notebook: activation "
               f"{notebook.final[0]:.3g}. Right, regularized: activation {regularized.final[0]:.3g}.")
    return image, caption


@user_errors
def compare_layers(ctx: TabContext, model: str, filter_index: float, mode_label: str,
                   *knob_values):
    """The same filter index in an early, a middle and a deep layer (exercise f)."""
    mode = _mode(mode_label)
    knobs = Knobs.of(knob_values)
    loaded = ctx.models.get(model)
    names = early_middle_deep(ctx.models.layers(model))
    params = knobs.params(mode)
    index = int(filter_index or 0)
    gallery = []
    for depth, name in zip(("early", "middle", "deep"), names):
        channels = ctx.models.layer(model, name).shape[0]
        if not 0 <= index < channels:
            raise ValueError(f"Filter {index} does not exist in the {depth} layer {name} "
                             f"({channels} filters); choose 0 to {channels - 1} to compare.")
        result = visualize_filters(loaded, layer=name, filters=[index], mode=mode, params=params,
                                   seed=knobs.random_seed)
        gallery.append((enlarge(result.first[0], size=300),
                        f"{depth}: {name} · filter {index} · activation {result.final[0]:.3g}"))
    return gallery


def build(ctx: TabContext, demo: gr.Blocks) -> None:
    """Create the tab's components inside the current ``gr.Tab``; lists layers on page load."""
    models = ctx.models
    start = models.default_model("resnet50")
    defaults = AscentParams()
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            model = gr.Dropdown(model_choices(models), value=start, label="Model")
            block = gr.Dropdown([], label="Block")
            layer = gr.Dropdown([], label="Layer (name · type · output shape)",
                                allow_custom_value=True)  # checked by the handlers
            filters = gr.Textbox("0-15", label="Filters", elem_id="ascent-filters",
                                 info="one index (5), a range (0-15), a list (3, 7, 9) or 'first 64'")
            mode = gr.Radio(list(MODES), value=next(iter(MODES)), label="Method")
            with gr.Accordion("Notebook parameters", open=True):
                nb_steps = gr.Number(defaults.steps, precision=0, label="Steps",
                                     elem_id="ascent-steps")
                step_size = gr.Number(defaults.step_size, label="Step size")
            with gr.Accordion("Regularized parameters", open=False):
                rg_steps = gr.Number(64, precision=0, label="Steps (Adam)")
                lr = gr.Number(defaults.lr, label="Learning rate")
                variants = gr.Slider(1, 4, value=1, step=1, label="Variants per filter")
                diversity = gr.Number(0.0, label="Diversity weight (needs ≥ 2 variants)")
            with gr.Accordion("Image", open=True):
                size = gr.Number(defaults.size, precision=0, label="Image size (px)",
                                 elem_id="ascent-size")
                border = gr.Number(defaults.border, precision=0, label="Border left out of the loss (px)")
                crop = gr.Number(defaults.crop, precision=0, label="Crop per side when showing (px)",
                                 elem_id="ascent-crop")
                seed = gr.Number(0, precision=0, label="Random seed")
            with gr.Row():
                run = gr.Button("Visualize filters", variant="primary", elem_id="ascent-run")
                cancel = gr.Button("Cancel", variant="stop")
        with gr.Column(scale=2):
            description = gr.Markdown(elem_id="ascent-text")
            gr.Markdown("**What each filter wants to see** — tiles appear as filters finish; "
                        "each shows its filter number and final mean activation. Click one.")
            grid = gr.Image(label="Filter grid", show_label=False, format="png",
                            interactive=False, elem_id="ascent-grid")
            download = gr.DownloadButton("Download grid (PNG)", value=None)
            with gr.Row():
                large = gr.Image(label="Selected filter", format="png", interactive=False,
                                 height=320)
                with gr.Column():
                    caption = gr.Markdown()
                    chosen = gr.Number(0, precision=0, minimum=0, label="Filter to compare")
                    versus = gr.Button("Notebook vs regularized")
                    across = gr.Button("Same filter: early, middle, deep layer")
            pair = gr.Image(label="Notebook (left) vs regularized (right)", format="png",
                            interactive=False)
            pair_caption = gr.Markdown()
            depth = gr.Gallery(label="Early · middle · deep", columns=3, height=300)
            losses = gr.Plot(label="Mean activation over the steps")
            with gr.Accordion("Weights of the layer", open=False):
                weights_text = gr.Markdown()
                kernels = gr.Image(label="First conv layer's kernels", format="png",
                                   interactive=False)
    with gr.Accordion("Lesson", open=False):
        gr.Markdown(ctx.lesson("ascent"))
    state = gr.State(None)
    session = gr.State(new_session_token)
    components = dict(nb_steps=nb_steps, step_size=step_size, rg_steps=rg_steps, lr=lr,
                      variants=variants, diversity=diversity, size=size, border=border,
                      crop=crop, seed=seed)
    knobs = [components[name] for name in KNOBS]

    gr.on([demo.load, model.change], functools.partial(choose_model, ctx, "ascent"), model,
          [model, block, layer], api_name="ascent_model")
    block.input(functools.partial(choose_block, ctx), [model, block], layer,
                api_name="ascent_block")
    layer.change(functools.partial(show_weights, ctx), [model, layer], [weights_text, kernels],
                 api_name="ascent_weights")
    event = run.click(functools.partial(run_ascent, ctx),
                      [session, model, layer, filters, mode, *knobs],
                      [grid, description, losses, download, state], api_name="ascent")
    cancel.click(cancel_ascent, session, description, cancels=[event], api_visibility="private")
    grid.select(show_tile, state, [large, caption, chosen], api_visibility="private")
    versus.click(functools.partial(compare_modes, ctx), [model, layer, chosen, *knobs],
                 [pair, pair_caption], api_name="ascent_compare_modes")
    across.click(functools.partial(compare_layers, ctx), [model, chosen, mode, *knobs], depth,
                 api_name="ascent_compare_layers")
