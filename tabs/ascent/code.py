"""The code behind the Filter ascent's grid (:mod:`tabs.common.recipe`), in the steps of the
course's exercise sheet: (a) the model without its head, (b) a LightningModule that returns the
target layer's activations, (c) the loss without border pixels, (d) the ascent loop with its
normalised gradient, (e) the grid of the filters.

The notebook method (the seed's) is written out with the lab's seeds, so the notebook starts
from the lab's noise; the same steps make the comparison of one filter across an early, a
middle and a deep layer. The regularized method has no recipe yet, and its panel says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.ascent.network import validate
from core.ascent.params import AscentParams, parse_filters
from core.checks import InputError
from core.models import LoadedModel
from tabs.common.i18n import Texts
from tabs.common.layer_picker import with_default_layer
from tabs.common.recipe import Cell, Recipe
from tabs.common.snippets import CLASSIFIER_PACKAGES, load_classifier
from tabs.common.view import Call

if TYPE_CHECKING:
    from tabs.ascent.views import DepthSettings, LayerSettings, RunSettings

C = Texts("ascent.code", en={
    "title": "Filter ascent: {count} filters of {layer} ({model})",
    "intro": "Which input makes a filter respond most? Start from faint noise and change the "
             "image, step by step, along the gradient of the filter's mean activation "
             "(gradient **ascent** in input space), as in the exercise sheet.",
    "a": "## (a) The model without its head\nOnly the layers up to `{layer}` matter: the "
         "module of (b) stops the forward pass there, so the classifier head never runs.",
    "b": "## (b) A LightningModule that returns the activations of `{layer}`",
    "c": "## (c) The loss: a filter's mean activation without the border pixels",
    "d": "## (d) {steps} steps of gradient ascent from noise in [-0.125, 0.125]\nEach step "
         "adds {step_size} × the gradient divided by its root mean square. The start is the "
         "lab's, exactly; steps this large carry the last digits of float rounding on, and "
         "the lab runs a copy with BatchNorm folded into the convolutions, in fixed batches: "
         "after many steps a picture can differ from the lab's in its details.",
    "e": "## (e) The grid of the filters, 8 per row",
    "stop": "the forward pass stops at the layer (the head never runs)",
    "noise": "# one noise image per filter, seeded per filter as in the lab",
    "memory": "# channels_last, as the lab runs it (the memory layout changes the rounding)",
    "deprocess": "the seed's deprocess_image: zero mean, std 0.15, crop, +0.5, clip, uint8",
    "regularized": "The code panel covers the notebook method; the regularized method's code "
                   "is not written yet.",
    "depths.title": "Filter ascent: filter {filter} in an early, a middle and a deep layer "
                    "({model})",
    "depths.intro": "Do filters get more complex with depth? The same filter index, made to "
                    "fire by the same ascent (the exercise sheet's steps) in an early, a middle "
                    "and a deep layer.",
    "depths.a": "## (a) The model without its head\nOnly the layers up to the deepest of "
                "the three, `{layer}`, matter: the module of (b) stops the forward pass at its "
                "layer, so the classifier head never runs.",
    "depths.b": "## (b) A LightningModule that returns the activations of one layer (one "
                "module per layer)",
    "depths.figure": "## (e) The three pictures side by side",
    "depth.early": "early",
    "depth.middle": "middle",
    "depth.deep": "deep",
    "weights.title": "The weights of {layer} ({model})",
    "weights.intro": "What a layer has learned is in its weights: every convolution holds "
                     "filters × input channels × height × width numbers, as `.shape` prints "
                     "them. The first convolution reads the RGB image, so its kernels can be "
                     "shown as small colour pictures.",
    "weights.shapes": "# the convolution weights inside LAYER and the parameters it holds",
    "weights.stem": "# the first convolution that reads the RGB image: each kernel scaled to "
                    "[0, 1] (0.5 = weight 0)",
}, de={
    "title": "Filter-Aufstieg: {count} Filter von {layer} ({model})",
    "intro": "Welche Eingabe lässt einen Filter am stärksten antworten? Beginne mit schwachem "
             "Rauschen und ändere das Bild Schritt für Schritt entlang des Gradienten der "
             "mittleren Aktivierung des Filters (Gradienten**anstieg** im Eingaberaum), wie "
             "auf dem Übungsblatt.",
    "a": "## (a) Das Modell ohne seinen Kopf\nNur die Schichten bis `{layer}` zählen: Das "
         "Modul aus (b) hält den Vorwärtsdurchlauf dort an, der Klassifikator läuft nie.",
    "b": "## (b) Ein LightningModule, das die Aktivierungen von `{layer}` zurückgibt",
    "c": "## (c) Der Verlust: die mittlere Aktivierung eines Filters ohne die Randpixel",
    "d": "## (d) {steps} Schritte Gradientenanstieg von Rauschen in [-0.125, 0.125] aus\n"
         "Jeder Schritt addiert {step_size} × den Gradienten geteilt durch sein quadratisches "
         "Mittel. Der Start ist genau der des Labs; so große Schritte tragen die letzten "
         "Stellen der Rundung weiter, und das Lab rechnet auf einer Kopie mit in die Faltungen "
         "gefalteter BatchNorm, in festen Batches: Nach vielen Schritten kann ein Bild im "
         "Detail von dem des Labs abweichen.",
    "e": "## (e) Das Raster der Filter, 8 pro Zeile",
    "stop": "der Vorwärtsdurchlauf endet an der Schicht (der Kopf läuft nie)",
    "noise": "# ein Rauschbild pro Filter, pro Filter geseedet wie im Lab",
    "memory": "# channels_last wie im Lab (die Anordnung im Speicher ändert die Rundung)",
    "deprocess": "deprocess_image aus dem Seed: Mittel 0, Std 0.15, Rand weg, +0.5, "
                 "begrenzen, uint8",
    "weights.title": "Die Gewichte von {layer} ({model})",
    "weights.intro": "Was eine Schicht gelernt hat, steckt in ihren Gewichten: Jede Faltung "
                     "hat Filter × Eingangskanäle × Höhe × Breite Zahlen, wie `.shape` sie "
                     "ausgibt. Die erste Faltung liest das RGB-Bild, also lassen sich ihre "
                     "Kernel als kleine Farbbilder zeigen.",
    "weights.shapes": "# die Faltungsgewichte in LAYER und ihre Parameter",
    "weights.stem": "# die erste Faltung, die das RGB-Bild liest: jeder Kernel auf [0, 1] "
                    "skaliert (0.5 = Gewicht 0)",
    "regularized": "Das Code-Panel deckt die Notebook-Methode ab; der Code der regularisierten "
                   "Methode ist noch nicht geschrieben.",
    "depths.title": "Filter-Aufstieg: Filter {filter} in einer frühen, einer mittleren und "
                    "einer tiefen Schicht ({model})",
    "depths.intro": "Werden Filter mit der Tiefe komplexer? Derselbe Filterindex, durch "
                    "denselben Aufstieg (die Schritte des Übungsblatts) zum Feuern gebracht, in "
                    "einer frühen, einer mittleren und einer tiefen Schicht.",
    "depths.a": "## (a) Das Modell ohne seinen Kopf\nNur die Schichten bis zur tiefsten der "
                "drei, `{layer}`, zählen: Das Modul aus (b) hält den Vorwärtsdurchlauf an "
                "seiner Schicht an, der Klassifikator läuft nie.",
    "depths.b": "## (b) Ein LightningModule, das die Aktivierungen einer Schicht zurückgibt "
                "(ein Modul pro Schicht)",
    "depths.figure": "## (e) Die drei Bilder nebeneinander",
    "depth.early": "früh",
    "depth.middle": "mittel",
    "depth.deep": "tief",
})

PACKAGES = (*CLASSIFIER_PACKAGES, "lightning")

IMPORTS = """import lightning as L
import matplotlib.pyplot as plt
import numpy as np
import torch"""


def _exercise_cells(loaded: LoadedModel, params: AscentParams, seed: int, lang: str,
                    words: dict, *, prefix: str = "") -> tuple[Cell, ...]:
    """Steps (a)–(d) of the exercise sheet: the headless model, the LightningModule, the loss
    and ``ascend(activations, filters)``; the headings of (a) and (b) are the texts
    ``prefix + "a"`` and ``prefix + "b"``."""
    return (
        Cell(IMPORTS),
        Cell(C.text(f"{prefix}a", lang, **words), markdown=True),
        *load_classifier(loaded.spec, lang),
        Cell(C.text(f"{prefix}b", lang, **words), markdown=True),
        Cell(f'''class LayerReached(Exception):
    pass


class FilterActivations(L.LightningModule):
    """model → activations of one layer (N, C, H, W); {C.text("stop", lang)}"""

    def __init__(self, model, layer):
        super().__init__()
        self.model = model
        self.layer = dict(model.named_modules())[layer]

    def forward(self, images):
        captured = []

        def keep(module, inputs, output):
            captured.append(output)
            raise LayerReached

        handle = self.layer.register_forward_hook(keep)
        try:
            self.model(images)
        except LayerReached:
            pass
        finally:
            handle.remove()
        return captured[0]'''),
        Cell(C.text("c", lang), markdown=True),
        Cell(f'''BORDER = {params.border}


def filter_loss(maps, filters, border=BORDER):
    """(N,): the mean of maps[i, filters[i]] without `border` pixels on each side"""
    chosen = maps[torch.arange(len(filters)), filters]
    height, width = chosen.shape[1:]
    return chosen[:, border:height - border, border:width - border].mean(dim=(1, 2))'''),
        Cell(C.text("d", lang, **words), markdown=True),
        Cell(f'''STEPS, STEP_SIZE = {params.steps}, {params.step_size!r}
SIZE, SEED = {params.size}, {seed}


def ascend(activations, filters):
    """the images after STEPS steps, and the filters' mean activations at the start and end"""
    {C.text("noise", lang)}
    noise = [torch.rand((1, 3, SIZE, SIZE),
                        generator=torch.Generator().manual_seed((SEED * 1_000_003 + f * 101)
                                                                % 2**63))
             for f in filters]
    images = (torch.cat(noise) - 0.5) * 0.25
    index = torch.tensor(filters)
    start = None
    for step in range(STEPS):
        {C.text("memory", lang)}
        images = images.contiguous(memory_format=torch.channels_last).requires_grad_(True)
        means = filter_loss(activations(images), index)
        start = means.detach() if start is None else start
        (grad,) = torch.autograd.grad(means.sum(), images)
        rms = torch.sqrt(torch.mean(grad ** 2, dim=(1, 2, 3), keepdim=True))
        images = (images.detach() + STEP_SIZE * grad / (rms + 1e-5)).detach()
    with torch.no_grad():
        final = filter_loss(activations(images), index)
    return images, start, final'''),
    )


def _deprocess(crop: int, lang: str) -> str:
    """The seed's ``deprocess_image``."""
    return f'''CROP = {crop}


def deprocess_image(image, crop=CROP):
    """{C.text("deprocess", lang)}"""
    image = image - image.mean()
    image = image / (image.std() + 1e-5) * 0.15
    if crop:
        image = image[:, crop:-crop, crop:-crop]
    image = torch.clamp(image + 0.5, 0, 1) * 255
    return torch.clamp(image, 0, 255).byte().permute(1, 2, 0).numpy()'''


def _notebook_method(mode: str) -> None:
    """Refuse the regularized method with the panel's sentence (it has no recipe yet)."""
    if mode != "notebook":
        raise InputError(C.text("regularized", "en"), C.text("regularized", "de"))


def ascent_code(call: Call[RunSettings]) -> Recipe:
    """The grid of the view ``ascent`` in the notebook method, checked as the view checks it."""
    from tabs.ascent.views import MODES  # the view's module declares this function

    ctx, lang = call.ctx, call.lang
    s = with_default_layer(ctx, call.settings, "ascent")
    mode = MODES.get(s.mode, s.mode)
    loaded = ctx.models.get(s.model)
    info = ctx.models.layer(s.model, s.layer)
    filters = parse_filters(s.filters, channels=info.shape[0])
    params = s.params(mode)
    _notebook_method(mode)
    validate(loaded, layer=s.layer, filters=filters, mode="notebook", params=params)
    words = dict(layer=s.layer, steps=params.steps, step_size=params.step_size,
                 count=len(filters), model=loaded.spec.title)
    cells = (
        Cell(C.text("intro", lang), markdown=True),
        *_exercise_cells(loaded, params, s.random_seed, lang, words),
        Cell(f'''LAYER = {s.layer!r}
FILTERS = {list(filters)}
activations = FilterActivations(model, LAYER).eval()
images, start, final = ascend(activations, FILTERS)'''),
        Cell(C.text("e", lang), markdown=True),
        Cell(f'''{_deprocess(params.crop, lang)}


rows = (len(FILTERS) + 7) // 8
figure, axes = plt.subplots(rows, 8, figsize=(16, 2.1 * rows), squeeze=False)
for ax in axes.flat:
    ax.axis("off")
for ax, f, image, value in zip(axes.flat, FILTERS, images, final):
    ax.imshow(deprocess_image(image))
    ax.set_title(f"{{f}}: {{float(value):.3g}}", fontsize=9)
figure.tight_layout()
plt.show()'''),
    )
    numbers = '''for f, before, after in zip(FILTERS, start, final):
    print(f"filter {f}: mean activation {float(before):.4g} → {float(after):.4g}")'''
    return Recipe(title=C.text("title", lang, **words), cells=cells, numbers=numbers,
                  packages=PACKAGES)


def depths_code(call: Call[DepthSettings]) -> Recipe:
    """The view ``ascent_compare_layers`` in the notebook method: one filter index in an early,
    a middle and a deep layer, checked as the view checks it."""
    from tabs.ascent.views import MODES, depth_layers, filter_index  # declared by the view

    ctx, lang, s = call.ctx, call.lang, call.settings
    mode = MODES.get(s.mode, s.mode)
    layers = depth_layers(call)
    params = s.params(mode)
    _notebook_method(mode)
    loaded = ctx.models.get(s.model)
    index = filter_index(s)
    for _, layer in layers:
        validate(loaded, layer=layer, filters=[index], mode="notebook", params=params)
    words = dict(layer=layers[-1][1], steps=params.steps, step_size=params.step_size,
                 model=loaded.spec.title, filter=index)
    names = {C.text(f"depth.{depth}", lang): name for depth, name in layers}
    cells = (
        Cell(C.text("depths.intro", lang, **words), markdown=True),
        *_exercise_cells(loaded, params, s.random_seed, lang, words, prefix="depths."),
        Cell(f'''LAYERS, FILTER = {names!r}, {index}
results = {{}}
for depth, layer in LAYERS.items():
    images, start, final = ascend(FilterActivations(model, layer).eval(), [FILTER])
    results[layer] = depth, images[0], float(start[0]), float(final[0])'''),
        Cell(C.text("depths.figure", lang), markdown=True),
        Cell(f'''{_deprocess(params.crop, lang)}


figure, axes = plt.subplots(1, len(results), figsize=(4 * len(results), 4.4))
for ax, (layer, (depth, image, _, after)) in zip(axes, results.items()):
    ax.imshow(deprocess_image(image))
    ax.set_title(f"{{depth}}: {{layer}}, #{{FILTER}}\\n{{after:.3g}}")
    ax.axis("off")
plt.show()'''),
    )
    numbers = '''for layer, (depth, _, before, after) in results.items():
    print(f"{layer}, filter {FILTER}: mean activation {before:.4g} → {after:.4g}")'''
    return Recipe(title=C.text("depths.title", lang, **words), cells=cells, numbers=numbers,
                  packages=PACKAGES)


def weights_code(call: Call[LayerSettings]) -> Recipe:
    """The weights of the view ``ascent_weights``: every convolution's shape in the layer,
    its parameter count, and the first conv layer's kernels as RGB patches."""
    ctx, lang = call.ctx, call.lang
    s = with_default_layer(ctx, call.settings, "ascent")
    loaded = ctx.models.get(s.model)
    info = ctx.models.layer(s.model, s.layer)
    words = dict(layer=info.name, model=loaded.spec.title)
    cells = (
        Cell(C.text("weights.intro", lang), markdown=True),
        Cell("import matplotlib.pyplot as plt\nimport numpy as np\nimport torch"),
        *load_classifier(loaded.spec, lang),
        Cell(f'''LAYER = {info.name!r}
{C.text("weights.shapes", lang)}
module = dict(model.named_modules())[LAYER]
shapes = [(f"{{LAYER}}.{{name}}" if name else LAYER, tuple(part.weight.shape))
          for name, part in module.named_modules() if isinstance(part, torch.nn.Conv2d)]
parameters = sum(p.numel() for p in module.parameters())

{C.text("weights.stem", lang)}
stem = next(name for name, part in model.named_modules()
            if isinstance(part, torch.nn.Conv2d) and part.in_channels == 3)
weight = dict(model.named_modules())[stem].weight.detach().numpy().transpose(0, 2, 3, 1)
peak = np.abs(weight).reshape(len(weight), -1).max(axis=1).reshape(-1, 1, 1, 1)
kernels = 0.5 + 0.5 * weight / np.maximum(peak, 1e-12)
rows = (len(kernels) + 7) // 8
figure, axes = plt.subplots(rows, 8, figsize=(8, rows), squeeze=False)
for ax in axes.flat:
    ax.axis("off")
for ax, kernel in zip(axes.flat, kernels):
    ax.imshow(kernel, interpolation="nearest")
plt.show()'''),
    )
    numbers = '''print(f"{LAYER} ({type(module).__name__}): {parameters:,} parameters")
for name, shape in shapes[:12]:
    print(f"- {name}: {shape}")
print(f"{stem}: {len(kernels)} kernels of {kernels.shape[1]}×{kernels.shape[2]}")'''
    return Recipe(title=C.text("weights.title", lang, **words), cells=cells, numbers=numbers,
                  packages=PACKAGES)
