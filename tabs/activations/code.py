"""The code behind the Activations tab's views (:mod:`tabs.common.recipe`): one forward pass
with a PyTorch forward hook on the chosen layer and the top-5 classes from the same pass; then
the grid of feature maps with the view's order, count and colour scale, or one map enlarged
over the image."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.activations import compute_activations
from tabs.common.colours import SEQUENTIAL
from tabs.common.i18n import Texts
from tabs.common.layer_picker import with_default_layer
from tabs.common.recipe import Cell, Recipe
from tabs.common.render.images import check_opacity
from tabs.common.snippets import (
    CLASSIFIER_PACKAGES,
    IMAGE_IMPORTS,
    image_and_inputs,
    load_classifier,
    print_top5,
)

if TYPE_CHECKING:
    from tabs.activations.views import ChannelSettings, MapsSettings
    from tabs.common.view import Call

C = Texts("activations.code", en={
    "title": "Activations: the feature maps of {layer} ({model})",
    "intro": "What does a layer of {model} compute for this image? Every channel of `{layer}` "
             "is a feature map: one number per position, large where the channel's pattern "
             "is present. One forward pass gives the maps (caught by a forward hook) and the "
             "model's top-5 classes.",
    "pass": "## One forward pass, the layer's output caught by a hook",
    "hook": "# the hook keeps the layer's output (N, C, H, W); removed after the pass",
    "grid": "## The grid of feature maps\n{order}, {count}; {scale}.",
    "by_index": "Ordered by channel index",
    "by_mean": "Ordered by mean activation, strongest first",
    "count": "{count} maps shown",
    "all": "every map shown",
    "scale_shared": "one colour scale for all maps shown (colour bar on the right)",
    "scale_per_map": "each map on its own colour scale (what matters is the pattern, "
                     "not the size of the numbers)",
    "strongest": "# the three shown channels with the largest mean activation",
    "bar": "activation",
    "channel": "channel",
    "channel_title": "Activations: channel {channel} of {layer} over the image ({model})",
    "channel_intro": "Where in the image does channel {channel} of `{layer}` respond? One "
                     "forward pass gives the layer's feature maps (caught by a forward hook); "
                     "the chosen map is enlarged to the picture the model saw and laid over it.",
    "enlarge": "## The map, enlarged and laid over the image\nBilinear enlargement to the "
               "model's input size; the colours span the map's own range (colour bar), "
               "opacity {opacity:g}.",
}, de={
    "title": "Aktivierungen: die Feature-Maps von {layer} ({model})",
    "intro": "Was berechnet eine Schicht von {model} für dieses Bild? Jeder Kanal von "
             "`{layer}` ist eine Feature-Map: eine Zahl pro Position, groß, wo das Muster des "
             "Kanals vorkommt. Ein Vorwärtsdurchlauf liefert die Karten (von einem Forward-Hook "
             "abgefangen) und die Top-5-Klassen des Modells.",
    "pass": "## Ein Vorwärtsdurchlauf, die Ausgabe der Schicht von einem Hook abgefangen",
    "hook": "# der Hook behält die Ausgabe der Schicht (N, C, H, W); nach dem Durchlauf "
            "entfernt",
    "grid": "## Das Raster der Feature-Maps\n{order}, {count}; {scale}.",
    "by_index": "Nach Kanalindex sortiert",
    "by_mean": "Nach mittlerer Aktivierung sortiert, die stärkste zuerst",
    "count": "{count} Karten zu sehen",
    "all": "alle Karten zu sehen",
    "scale_shared": "eine Farbskala für alle gezeigten Karten (Farbleiste rechts)",
    "scale_per_map": "jede Karte mit eigener Farbskala (es zählt das Muster, nicht die Größe "
                     "der Zahlen)",
    "strongest": "# die drei gezeigten Kanäle mit der größten mittleren Aktivierung",
    "bar": "Aktivierung",
    "channel": "Kanal",
    "channel_title": "Aktivierungen: Kanal {channel} von {layer} über dem Bild ({model})",
    "channel_intro": "Wo im Bild spricht Kanal {channel} von `{layer}` an? Ein "
                     "Vorwärtsdurchlauf liefert die Feature-Maps der Schicht (von einem "
                     "Forward-Hook abgefangen); die gewählte Karte wird auf das Bild vergrößert, "
                     "das das Modell gesehen hat, und darübergelegt.",
    "enlarge": "## Die Karte, vergrößert und über das Bild gelegt\nBilineare Vergrößerung auf "
               "die Eingabegröße des Modells; die Farben reichen über den Wertebereich der "
               "Karte (Farbleiste), Deckkraft {opacity:g}.",
})

PACKAGES = CLASSIFIER_PACKAGES

ORDER_CODE = {
    "index": "channels = np.arange(len(maps))[:COUNT]",
    "mean": "channels = np.argsort(-maps.reshape(len(maps), -1).mean(axis=1), "
            "kind=\"stable\")[:COUNT]",
}


def _grid_code(shared: bool, lang: str) -> str:
    """The grid: ``columns`` = ⌈√n⌉ as in the lab; a shared scale gets one colour bar."""
    scale = "vmin=low, vmax=high" if shared else "vmin=None, vmax=None"
    bar = f"\nfigure.colorbar(picture, ax=axes, shrink=0.8, label={C.text('bar', lang)!r})" \
        if shared else ""
    return f'''shown = maps[channels]
low, high = float(shown.min()), float(shown.max())
columns = int(np.ceil(np.sqrt(len(channels))))
rows = int(np.ceil(len(channels) / columns))
figure, axes = plt.subplots(rows, columns, figsize=(2 * columns, 2 * rows), squeeze=False)
for ax in axes.flat:
    ax.axis("off")
for ax, channel in zip(axes.flat, channels):
    picture = ax.imshow(maps[channel], cmap=CMAP, {scale})
    ax.set_title(str(channel), fontsize=9){bar}
plt.show()'''


def _forward_pass(layer: str, lang: str) -> tuple[Cell, Cell]:
    """The heading and the cell of one forward pass: ``maps`` (C, H, W) of ``layer``, ``top5``."""
    return (Cell(C.text("pass", lang), markdown=True), Cell(f'''LAYER = {layer!r}
module = dict(model.named_modules())[LAYER]
{C.text("hook", lang)}
caught = {{}}
handle = module.register_forward_hook(lambda layer, args, output: caught.update(maps=output))
try:
    with torch.no_grad():
        probabilities = model(inputs).softmax(dim=-1)[0]
finally:
    handle.remove()
maps = caught["maps"][0].numpy()  # (C, H, W)
top5 = [(float(p), int(i)) for p, i in zip(*probabilities.topk(5))]'''))


def activations_code(call: Call[MapsSettings]) -> Recipe:
    """The grid of the view ``activations``, with the view's checks: an unknown layer or
    option gets the view's sentence."""
    from tabs.activations.views import COUNTS, ORDERS, SCALES  # the view's module imports this

    ctx, lang = call.ctx, call.lang
    s = with_default_layer(ctx, call.settings, "activations")
    if s.count not in COUNTS or s.order not in ORDERS or s.scale not in SCALES:
        raise call.refuse("unknown_option")
    loaded = ctx.models.get(s.model)
    info = ctx.models.layer(s.model, s.layer)
    image = ctx.examples.resolve(s.example, s.upload)
    order, shared = ORDERS[s.order], SCALES[s.scale] == "shared"
    count = "None" if s.count == "all" else s.count
    words = dict(layer=info.name, model=loaded.spec.title)
    grid = C.text("grid", lang, order=C.text(f"by_{order}", lang),
                  count=C.text("all", lang) if s.count == "all" else
                  C.text("count", lang, count=s.count),
                  scale=C.text(f"scale_{SCALES[s.scale]}", lang))
    cells = (
        Cell(C.text("intro", lang, **words), markdown=True),
        Cell(IMAGE_IMPORTS),
        *load_classifier(loaded.spec, lang),
        image_and_inputs(loaded.spec, lang),
        *_forward_pass(info.name, lang),
        Cell(grid, markdown=True),
        Cell(f'''COUNT, CMAP = {count}, {SEQUENTIAL!r}
{ORDER_CODE[order]}
{_grid_code(shared, lang)}'''),
    )
    numbers = f'''{print_top5(lang)}
print(f"{{LAYER}}: {{maps.shape[0]}} feature maps of {{maps.shape[1]}}×{{maps.shape[2]}}; "
      f"{{len(channels)}} shown, from {{low:.3g}} to {{high:.3g}}")
{C.text("strongest", lang)}
means = {{int(c): float(maps[c].mean()) for c in channels}}
for channel in sorted(means, key=means.get, reverse=True)[:3]:
    print(f"channel {{channel}}: mean {{means[channel]:.4g}}")'''
    return Recipe(title=C.text("title", lang, **words), cells=cells, numbers=numbers,
                  packages=PACKAGES, image=image,
                  image_name=s.example if not s.upload else "upload")


def channel_code(call: Call[ChannelSettings]) -> Recipe:
    """The view ``activations_channel``: one feature map enlarged over the image, as the lab
    blends it; an unknown layer or channel gets the view's sentence."""
    ctx, lang = call.ctx, call.lang
    s = with_default_layer(ctx, call.settings, "activations")
    loaded = ctx.models.get(s.model)
    info = ctx.models.layer(s.model, s.layer)
    image = ctx.examples.resolve(s.example, s.upload)
    check_opacity(s.opacity)
    # the view's sentence for a channel the layer does not have (the maps are cached)
    compute_activations(loaded, image, layer=info.name).channel(s.channel)
    channel = int(s.channel)
    words = dict(layer=info.name, model=loaded.spec.title, channel=channel)
    cells = (
        Cell(C.text("channel_intro", lang, **words), markdown=True),
        Cell(IMAGE_IMPORTS),
        *load_classifier(loaded.spec, lang),
        image_and_inputs(loaded.spec, lang),
        *_forward_pass(info.name, lang),
        Cell(C.text("enlarge", lang, opacity=s.opacity), markdown=True),
        Cell(f'''CHANNEL, OPACITY, CMAP = {channel}, {s.opacity!r}, {SEQUENTIAL!r}
values = maps[CHANNEL]
heat = np.asarray(Image.fromarray(values.astype(np.float32))
                  .resize((SIZE, SIZE), Image.Resampling.BILINEAR))
unit = (heat - heat.min()) / (heat.max() - heat.min() + 1e-12)
coloured = 255 * plt.get_cmap(CMAP)(unit)[..., :3]
blend = ((1 - OPACITY) * view + OPACITY * coloured).round().clip(0, 255).astype(np.uint8)
figure, ax = plt.subplots(figsize=(5.5, 4.5))
ax.imshow(blend)
ax.set_title(f"{{LAYER}}, {C.text("channel", lang)} {{CHANNEL}}")
ax.axis("off")
scale = plt.Normalize(float(values.min()), float(values.max()))
figure.colorbar(plt.cm.ScalarMappable(norm=scale, cmap=CMAP), ax=ax,
                label={C.text("bar", lang)!r})
plt.show()'''),
    )
    numbers = f'''{print_top5(lang)}
print(f"{{LAYER}}, channel {{CHANNEL}}: mean {{values.mean():.4g}}, max {{values.max():.4g}}")'''
    return Recipe(title=C.text("channel_title", lang, **words), cells=cells, numbers=numbers,
                  packages=PACKAGES, image=image,
                  image_name=s.example if not s.upload else "upload")
