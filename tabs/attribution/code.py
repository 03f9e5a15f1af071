"""The code behind the Attribution tab's views (:mod:`tabs.common.recipe`): captum's methods on
the lab's model and image, with the settings of the view filled in.

Only captum's classes compute; what the lab adds to captum (guided backpropagation through
ReLU6) is shown as the same few lines the lab runs, and said so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.attribution import Baseline
from core.attribution.methods import (
    BASELINES,
    METHOD_TITLES,
    check_layer,
    check_options,
    offered_methods,
)
from core.attribution.stability import check_noise, check_top_k
from core.checks import InputError
from core.models import LoadedModel, ModelSpec
from core.predictions import check_target
from tabs.attribution.inputs import explained
from tabs.attribution.settings import (
    BaselinesSettings,
    ClassesSettings,
    CompareSettings,
    DepthSettings,
    StabilityAllSettings,
    StabilitySettings,
    StepsSettings,
)
from tabs.common.i18n import Texts
from tabs.common.recipe import Cell, Recipe
from tabs.common.snippets import (
    CLASSIFIER_PACKAGES,
    IMAGE_IMPORTS,
    image_and_inputs,
    load_classifier,
    print_top5,
    top5,
)
from tabs.common.view import Call

C = Texts("attribution.code", en={
    "title": "Attribution: every method for class #{target} {name}",
    "intro": "Five ways to ask which pixels made {model} say *{name}*: the gradient (saliency), "
             "Integrated Gradients from a reference image, Grad-CAM at a layer, Guided Grad-CAM "
             "and Occlusion. Every method comes from captum; the settings are the lab's.",
    "predict": "## The model's top-5 classes\nThe lab explains class #{target} ({name}).",
    "methods": "## Five attribution maps\nEach map has the model's input size; larger values "
               "mean more influence on the score of class #{target}.",
    "figure": "## The picture the lab shows\nTop: each map over the image (its opacity follows "
              "the map); bottom: the maps alone.",
    "settings": "# the lab's settings",
    "saliency": "# Saliency: |gradient| of the class score, the largest over the colour channels",
    "ig": "# Integrated Gradients from the {baseline} reference, with the completeness check",
    "scores": "# the class score (logit) of the image and of the reference: f(x), f(x′)",
    "gradcam": "# Grad-CAM at LAYER: after the ReLU, upsampled bilinearly to the input size",
    "guided": "# Guided Grad-CAM. captum's guided backpropagation only changes the gradient of "
              "nn.ReLU;\n# the lab applies captum's rule to nn.ReLU6 too (EfficientNet-Lite, "
              "MobileNet):\n# written here because captum does not have it.",
    "occlusion": "# Occlusion: cover a {window}×{window} square (0 in normalised space = the "
                 "mean colour),\n# moved by {stride} pixels; each pixel gets the mean drop of "
                 "the score, its positive part",
    "unit": "# each map scaled to [0, 1] on its own",
    "original": "Original",
    "heatmap": "heatmap",
    "baselines.title": "Integrated Gradients from four references, class #{target} {name}",
    "baselines.intro": "Integrated Gradients needs a reference image x′, *the absence of the "
                       "feature*, and its map depends on it: here black, white, noise and a "
                       "blurred copy, each with {steps} steps. Completeness: the map's sum "
                       "should equal f(x) − f(x′); δ is the gap.",
    "baselines.run": "## One IG map per reference, with its completeness check",
    "baselines.loop": "# the references in pixel space [0, 1], as the lab makes them",
    "steps.title": "Grad-CAM step by step at {layer}, class #{target} {name}",
    "steps.intro": "Grad-CAM in its five steps, as in the course notebook: (1) the feature maps "
                   "A_k of a layer, (2) the gradients of the class score with respect to them, "
                   "(3) their spatial mean, the weight α_k of each map, (4) the weighted sum "
                   "Σ α_k A_k and its ReLU, (5) upsampled to the image. captum's layer methods "
                   "compute steps 1 and 2; the rest is a few tensor operations, and the result "
                   "equals captum's LayerGradCam.",
    "steps.run": "## Steps 1–5",
    "step1": "# step 1: the feature maps A (1, C, H, W) of LAYER",
    "step2": "# step 2: ∂score/∂A, the gradient of the class score with respect to each map",
    "step3": "# step 3: the weight α_k of map k is the mean of its gradient",
    "step4": "# step 4: the weighted sum of the maps, then the ReLU keeps what speaks for the "
             "class",
    "step5": "# step 5: upsampled (bilinear) to the input size",
    "same": "# the same map from captum's LayerGradCam in one call",
    "steps.figure": "## The eight maps with the largest weights, the weights, and steps 4–5",
    "weights": "weight α_k",
    "weighted": "weighted sum",
    "depth.title": "Grad-CAM at {count} depths, class #{target} {name}",
    "depth.intro": "The same Grad-CAM for class #{target} ({name}) at layers from shallow to "
                   "deep: early layers have fine cells and see edges, deep layers coarse cells "
                   "and see parts of objects. captum's LayerGradCam at each layer, upsampled to "
                   "the image.",
    "depth.run": "## One Grad-CAM per layer",
    "depth.order": "# the layers from shallow to deep, as the lab orders them",
    "classes.title": "{method} for two classes: #{target} {name} and #{second} {second_name}",
    "classes.intro": "Does the map change when the question changes? The same method, "
                     "{method}, explains two classes of the same image: a faithful method shows "
                     "different evidence for each (on both.png: the dog and the cat).",
    "classes.run": "## One map per class",
    "lrp": "The code panel covers captum's methods; LRP's code (Zennit with the lab's "
                   "canonizers) is not written yet.",
    "stability.title": "How stable is {method}? Class #{target} {name} with and without "
                       "{noise:g} % noise",
    "stability.intro": "Would the map look the same if the image were a tiny bit different? "
                       "{method} explains the image and the same image with Gaussian noise of "
                       "{noise:g} % of the pixel range (seeded as the lab seeds it); Spearman's "
                       "rank correlation and the overlap of the top {k:g} % pixels say how "
                       "alike the two maps are (1 and 100 %: the same).",
    "stability.run": "## The map with and without noise",
    "stability.noise": "# Gaussian noise, standard deviation NOISE of the pixel range, clipped "
                       "to [0, 1]",
    "stability.compare": "## How alike are the two maps?",
    "stability.top": "# the share of the original's top TOP_K % pixels that are also among\n"
                     "# the noisy map's (ties broken by position)",
    "stability.difference": "|difference| (each map / max)",
    "stability.all_title": "Which method is the most stable? Class #{target} {name} with and "
                           "without {noise:g} % noise",
    "stability.all_intro": "Every method explains the image and the same image with Gaussian "
                           "noise of {noise:g} % of the pixel range (seeded as the lab seeds "
                           "it): {method}. Spearman's rank correlation and the overlap of the "
                           "top {k:g} % pixels say how alike each method's two maps are (1 and "
                           "100 %: the same).",
    "stability.left_out": " The lab's table also has {methods}: its code (Zennit with the "
                          "lab's canonizers) is not written yet.",
    "stability.all_run": "## Each method's map with and without noise",
}, de={
    "title": "Attribution: alle Methoden für Klasse #{target} {name}",
    "intro": "Fünf Arten zu fragen, welche Pixel {model} zu *{name}* gebracht haben: der "
             "Gradient (Saliency), Integrated Gradients von einem Referenzbild aus, Grad-CAM an "
             "einer Schicht, Guided Grad-CAM und Occlusion. Jede Methode kommt aus captum; die "
             "Einstellungen sind die des Labs.",
    "predict": "## Die Top-5-Klassen des Modells\nDas Lab erklärt Klasse #{target} ({name}).",
    "methods": "## Fünf Attributionskarten\nJede Karte hat die Eingabegröße des Modells; "
               "größere Werte bedeuten mehr Einfluss auf den Score der Klasse #{target}.",
    "figure": "## Das Bild, das das Lab zeigt\nOben: jede Karte über dem Bild (ihre Deckkraft "
              "folgt der Karte); unten: die Karten allein.",
    "settings": "# die Einstellungen des Labs",
    "saliency": "# Saliency: |Gradient| des Klassen-Scores, das Größte über die Farbkanäle",
    "ig": "# Integrated Gradients von der Referenz {baseline} aus, mit der "
          "Vollständigkeitsprüfung",
    "scores": "# der Klassen-Score (Logit) des Bildes und der Referenz: f(x), f(x′)",
    "gradcam": "# Grad-CAM an LAYER: nach der ReLU, bilinear auf die Eingabegröße vergrößert",
    "guided": "# Guided Grad-CAM. Die Guided Backpropagation von captum ändert nur den "
              "Gradienten von nn.ReLU;\n# das Lab wendet die Regel von captum auch auf nn.ReLU6 "
              "an (EfficientNet-Lite, MobileNet):\n# hier ausgeschrieben, weil captum das nicht "
              "hat.",
    "occlusion": "# Occlusion: ein Quadrat {window}×{window} abdecken (0 im normalisierten "
                 "Raum = die mittlere Farbe),\n# um {stride} Pixel verschoben; jedes Pixel "
                 "bekommt den mittleren Abfall des Scores, dessen positiven Teil",
    "unit": "# jede Karte für sich auf [0, 1] skaliert",
    "original": "Originalbild",
    "heatmap": "Heatmap",
    "baselines.title": "Integrated Gradients von vier Referenzen aus, Klasse #{target} {name}",
    "baselines.intro": "Integrated Gradients braucht ein Referenzbild x′, *das Fehlen des "
                       "Merkmals*, und seine Karte hängt davon ab: hier Schwarz, Weiß, "
                       "Rauschen und eine unscharfe Kopie, jeweils mit {steps} Schritten. "
                       "Vollständigkeit: Die Summe der Karte sollte f(x) − f(x′) sein; δ ist "
                       "die Lücke.",
    "baselines.run": "## Eine IG-Karte pro Referenz, mit ihrer Vollständigkeitsprüfung",
    "baselines.loop": "# die Referenzen im Pixelraum [0, 1], wie das Lab sie macht",
    "steps.title": "Grad-CAM Schritt für Schritt an {layer}, Klasse #{target} {name}",
    "steps.intro": "Grad-CAM in seinen fünf Schritten wie im Kurs-Notebook: (1) die Feature "
                   "Maps A_k einer Schicht, (2) die Gradienten des Klassen-Scores nach ihnen, "
                   "(3) ihr räumlicher Mittelwert, das Gewicht α_k jeder Map, (4) die gewichtete "
                   "Summe Σ α_k A_k und ihre ReLU, (5) auf das Bild vergrößert. Die "
                   "Schicht-Methoden von captum berechnen die Schritte 1 und 2; der Rest sind "
                   "ein paar Tensor-Operationen, und das Ergebnis ist gleich LayerGradCam von "
                   "captum.",
    "steps.run": "## Schritte 1–5",
    "step1": "# Schritt 1: die Feature Maps A (1, C, H, W) von LAYER",
    "step2": "# Schritt 2: ∂Score/∂A, der Gradient des Klassen-Scores nach jeder Map",
    "step3": "# Schritt 3: das Gewicht α_k der Map k ist der Mittelwert ihres Gradienten",
    "step4": "# Schritt 4: die gewichtete Summe der Maps, dann behält die ReLU, was für die "
             "Klasse spricht",
    "step5": "# Schritt 5: bilinear auf die Eingabegröße vergrößert",
    "same": "# dieselbe Karte von LayerGradCam aus captum in einem Aufruf",
    "steps.figure": "## Die acht Maps mit den größten Gewichten, die Gewichte und die "
                    "Schritte 4–5",
    "weights": "Gewicht α_k",
    "weighted": "gewichtete Summe",
    "depth.title": "Grad-CAM in {count} Tiefen, Klasse #{target} {name}",
    "depth.intro": "Dasselbe Grad-CAM für Klasse #{target} ({name}) an Schichten von flach bis "
                   "tief: frühe Schichten haben feine Zellen und sehen Kanten, tiefe Schichten "
                   "grobe Zellen und sehen Teile von Objekten. LayerGradCam von captum an jeder "
                   "Schicht, auf das Bild vergrößert.",
    "depth.run": "## Ein Grad-CAM pro Schicht",
    "depth.order": "# die Schichten von flach nach tief, wie das Lab sie ordnet",
    "classes.title": "{method} für zwei Klassen: #{target} {name} und #{second} {second_name}",
    "classes.intro": "Ändert sich die Karte, wenn sich die Frage ändert? Dieselbe Methode, "
                     "{method}, erklärt zwei Klassen desselben Bildes: Eine treue Methode zeigt "
                     "für jede andere Belege (bei both.png: den Hund und die Katze).",
    "classes.run": "## Eine Karte pro Klasse",
    "lrp": "Das Code-Panel deckt die Methoden von captum ab; der Code für LRP (Zennit "
                   "mit den Kanonisierern des Labs) ist noch nicht geschrieben.",
    "stability.title": "Wie stabil ist {method}? Klasse #{target} {name} mit und ohne "
                       "{noise:g} % Rauschen",
    "stability.intro": "Sähe die Karte gleich aus, wenn das Bild ein winziges bisschen anders "
                       "wäre? {method} erklärt das Bild und dasselbe Bild mit Gaußschem "
                       "Rauschen von {noise:g} % des Pixelbereichs (geseedet wie im Lab); "
                       "Spearmans Rangkorrelation und die Überlappung der obersten {k:g} % "
                       "Pixel sagen, wie ähnlich sich die beiden Karten sind (1 und 100 %: "
                       "gleich).",
    "stability.run": "## Die Karte mit und ohne Rauschen",
    "stability.noise": "# Gaußsches Rauschen, Standardabweichung NOISE des Pixelbereichs, auf "
                       "[0, 1] begrenzt",
    "stability.compare": "## Wie ähnlich sind sich die beiden Karten?",
    "stability.top": "# der Anteil der obersten TOP_K % Pixel des Originals, die auch unter\n"
                     "# denen der verrauschten Karte sind (Gleichstände nach Position)",
    "stability.difference": "|Differenz| (jede Map / Max.)",
    "stability.all_title": "Welche Methode ist am stabilsten? Klasse #{target} {name} mit und "
                           "ohne {noise:g} % Rauschen",
    "stability.all_intro": "Jede Methode erklärt das Bild und dasselbe Bild mit Gaußschem "
                           "Rauschen von {noise:g} % des Pixelbereichs (geseedet wie im Lab): "
                           "{method}. Spearmans Rangkorrelation und die Überlappung der "
                           "obersten {k:g} % Pixel sagen, wie ähnlich sich die beiden Karten "
                           "jeder Methode sind (1 und 100 %: gleich).",
    "stability.left_out": " Die Tabelle des Labs hat auch {methods}: Deren Code (Zennit mit "
                          "den Kanonisierern des Labs) ist noch nicht geschrieben.",
    "stability.all_run": "## Die Karte jeder Methode mit und ohne Rauschen",
})

PACKAGES = (*CLASSIFIER_PACKAGES, "captum")

IMPORTS = f"""{IMAGE_IMPORTS}
from captum._utils.common import _register_backward_hook
from captum.attr import (GuidedBackprop, GuidedGradCam, IntegratedGradients, LayerActivation,
                         LayerAttribution, LayerGradCam, LayerGradientXActivation, Occlusion,
                         Saliency)
from torch import nn"""


def _start(spec: ModelSpec, lang: str, intro: str, words: Mapping[str, Any], *,
           target_line: str = "") -> tuple[Cell, ...]:
    """The cells every attribution recipe starts with: its explanation, the imports, the
    model, the image, and the top-5 with the class explained (``TARGET``, unless
    ``target_line`` names the classes)."""
    line = target_line or f"TARGET = {words['target']}  # {words['name']}"
    return (Cell(intro, markdown=True), Cell(IMPORTS), *load_classifier(spec, lang),
            image_and_inputs(spec, lang), Cell(C.text("predict", lang, **words), markdown=True),
            Cell(f"{top5(lang)}\n{line}"))


def _recipe(call: Call, title: str, cells: tuple[Cell, ...], numbers: str,
            image: Any, *, packages: tuple[str, ...] = PACKAGES) -> Recipe:
    """An attribution recipe with its packages and the image it explains."""
    s = call.settings
    return Recipe(title=title, cells=cells, numbers=numbers, packages=packages, image=image,
                  image_name=s.example if not s.upload else "upload")


def reference(baseline: Baseline, size: int) -> str:
    """The expression of IG's reference image in pixel space [0, 1], as the lab makes it
    (noise seeded with 0; blurred: a Gaussian blur with σ = size/22)."""
    if baseline == "black":
        return "torch.zeros_like(pixels)"
    if baseline == "white":
        return "torch.ones_like(pixels)"
    if baseline == "noise":
        return "torch.rand(pixels.shape, generator=torch.Generator().manual_seed(0))"
    sigma = size / 22
    kernel = int(2 * round(3 * sigma) + 1)
    return (f"transforms.functional.gaussian_blur(pixels, [{kernel}, {kernel}], "
            f"[{sigma!r}, {sigma!r}])")


@dataclass(frozen=True)
class MethodCode:
    """One method as code: ``body`` computes it for the class in the variable ``{target}``
    (the settings as literals), ``result`` is the expression of its (S, S) map; ``helper`` is
    code the body needs once before it (a class definition)."""

    body: str
    result: str
    helper: str = ""

    def lines(self, target: str) -> tuple[str, str]:
        return self.body.replace("{target}", target), self.result


def method_code(method: str, options: Mapping[str, Any], lang: str, size: int) -> MethodCode:
    """The code of one captum method with the lab's checked ``options``
    (:func:`~core.attribution.methods.check_options`); ``ValueError`` for a method the recipes
    do not write (LRP, see :data:`CAPTUM_METHODS`)."""
    t = {key: C.text(key, lang, baseline=options.get("baseline"), window=options.get("window"),
                     stride=options.get("stride")) for key in
         ("saliency", "ig", "scores", "gradcam", "guided", "occlusion")}
    if method == "saliency":
        return MethodCode(f"""{t["saliency"]}
saliency = Saliency(model).attribute(inputs, target={{target}}, abs=True)""",
                          "saliency[0].max(dim=0).values")
    if method == "integrated_gradients":
        return MethodCode(f"""{t["ig"]}
reference = normalize({reference(options["baseline"], size)})
ig, delta = IntegratedGradients(model).attribute(
    inputs, baselines=reference, target={{target}}, n_steps={options["steps"]},
    internal_batch_size=8, return_convergence_delta=True)
{t["scores"]}
with torch.no_grad():
    scores = model(torch.cat([inputs.detach(), reference]))[:, {{target}}]
ig_sum = float(ig.sum())""", "ig[0].abs().max(dim=0).values")
    if method == "gradcam":
        return MethodCode(f"""{t["gradcam"]}
cam = LayerGradCam(model, module).attribute(inputs, target={{target}}, relu_attributions=True)
upsampled = LayerAttribution.interpolate(cam, (SIZE, SIZE), interpolate_mode="bilinear")""",
                          "upsampled[0, 0]")
    if method == "guided_gradcam":
        return MethodCode("""guided = GuidedGradCam(model, module)
guided.guided_backprop = GuidedBackpropReLU6(model)
guided_map = guided.attribute(inputs, target={target}, interpolate_mode="bilinear")""",
                          "guided_map[0].abs().max(dim=0).values", helper=f"""{t["guided"]}
class GuidedBackpropReLU6(GuidedBackprop):
    def _register_hooks(self, module):
        if isinstance(module, nn.ReLU6):
            self.backward_hooks.extend(_register_backward_hook(module, self._backward_hook, self))
        else:
            super()._register_hooks(module)
""")
    if method == "occlusion":
        window, stride = options["window"], options["stride"]
        return MethodCode(f"""{t["occlusion"]}
occlusion = Occlusion(model).attribute(
    inputs.detach(), sliding_window_shapes=(3, {window}, {window}), strides=(3, {stride}, {stride}),
    baselines=0.0, target={{target}}, perturbations_per_eval=16)""",
                          "occlusion[0].mean(dim=0).clamp(min=0)")
    raise ValueError(f"the recipes write no code for {method}")


def methods_code(options: Mapping[str, dict], lang: str, size: int) -> str:
    """Every captum method's map into ``maps`` (title → (S, S) array), IG's completeness numbers
    into ``ig_sum``, ``scores`` and ``delta``."""
    gradcam, ig = options["gradcam"], options["integrated_gradients"]
    parts = [f'''{C.text("settings", lang)}
LAYER, STEPS, BASELINE = {gradcam["layer"]!r}, {ig["steps"]}, {ig["baseline"]!r}
module = dict(model.named_modules())[LAYER]
inputs = inputs.detach().requires_grad_(True)
maps = {{}}''']
    for method in CAPTUM_METHODS:
        code = method_code(method, options[method], lang, size)
        body, result = code.lines("TARGET")
        title = METHOD_TITLES[method]
        parts += [part for part in (code.helper, f"{body}\nmaps[{title!r}] = {result}") if part]
    parts.append("maps = {title: values.detach().numpy() for title, values in maps.items()}")
    return "\n\n".join(parts)


def figure_code(opacity: float, cmap: str, lang: str) -> str:
    """The lab's two rows: each map over the image, then the maps alone."""
    return f'''OPACITY, CMAP = {opacity!r}, {cmap!r}
{C.text("unit", lang)}
units = {{title: (m - m.min()) / (m.max() - m.min() + 1e-12) for title, m in maps.items()}}
figure, axes = plt.subplots(2, len(units) + 1, figsize=(3 * (len(units) + 1), 6.5))
axes[0, 0].imshow(view)
axes[0, 0].set_title(f"{C.text("original", lang)}\\n#{{TARGET}} {{CLASSES[TARGET]}}")
axes[1, 0].imshow(view)
for column, (title, unit) in enumerate(units.items(), 1):
    axes[0, column].imshow(view)
    axes[0, column].imshow(unit, cmap=CMAP, alpha=OPACITY * unit)
    axes[0, column].set_title(title)
    axes[1, column].imshow(unit, cmap=CMAP)
    axes[1, column].set_title(f"{{title}} ({C.text("heatmap", lang)})")
for ax in axes.flat:
    ax.axis("off")
figure.tight_layout()
plt.show()'''


CAPTUM_METHODS = ("saliency", "integrated_gradients", "gradcam", "guided_gradcam", "occlusion")
"""The comparison's methods that captum has (the recipe writes these; LRP through Zennit is not
in it yet)."""


def compare_code(call: Call[CompareSettings]) -> Recipe:
    """Every method side by side (the view ``attribution_compare``), with the same checks as
    the view: an unknown layer or a bad setting gets the view's sentence."""
    s = call.settings
    loaded, image, target = explained(call)
    options: dict[str, dict] = {method: check_options(loaded, method=method, target=target,
                                                      internal_batch_size=None,
                                                      **s.method_options())
               for method in CAPTUM_METHODS}
    spec, lang, name = loaded.spec, call.lang, loaded.categories[target]
    words = dict(target=target, name=name, model=spec.title)
    numbers = f'''{print_top5(lang)}
f_x, f_reference = float(scores[0]), float(scores[1])
print(f"Integrated Gradients ({{BASELINE}}, {{STEPS}} steps): sum {{ig_sum:.4f}}"
      f" · f(x) {{f_x:.4f}} · f(x′) {{f_reference:.4f}} · f(x) − f(x′) {{f_x - f_reference:.4f}}"
      f" · δ {{float(delta.sum()):+.4f}}")'''
    cells = (*_start(spec, lang, C.text("intro", lang, **words), words),
             Cell(C.text("methods", lang, **words), markdown=True),
             Cell(methods_code(options, lang, spec.input_size)),
             Cell(C.text("figure", lang), markdown=True),
             Cell(figure_code(s.opacity, s.cmap, lang)))
    return _recipe(call, C.text("title", lang, **words), cells, numbers, image)


def baselines_code(call: Call[BaselinesSettings]) -> Recipe:
    """IG with every baseline (the view ``attribution_baselines``), checked as the view checks
    its steps and target."""
    s = call.settings
    loaded, image, target = explained(call)
    steps = check_options(loaded, method="integrated_gradients", target=target,
                          steps=s.steps, baseline=BASELINES[0])["steps"]
    spec, lang, name = loaded.spec, call.lang, loaded.categories[target]
    words = dict(target=target, name=name, steps=steps)
    size = spec.input_size
    references = ",\n".join(f"    {b!r}: {reference(b, size)}" for b in BASELINES)
    cells = (*_start(spec, lang, C.text("baselines.intro", lang, **words), words),
             Cell(C.text("baselines.run", lang), markdown=True),
             Cell(f'''STEPS = {steps}
{C.text("baselines.loop", lang)}
REFERENCES = {{
{references},
}}
ig = IntegratedGradients(model)
maps, checks = {{}}, {{}}
for title, reference in REFERENCES.items():
    reference = normalize(reference)
    attribution, delta = ig.attribute(
        inputs, baselines=reference, target=TARGET, n_steps=STEPS, internal_batch_size=8,
        return_convergence_delta=True)
    with torch.no_grad():
        scores = model(torch.cat([inputs, reference]))[:, TARGET]
    maps[title] = attribution[0].abs().max(dim=0).values.numpy()
    checks[title] = (float(attribution.sum()), float(scores[0]), float(scores[1]),
                     float(delta.sum()))'''),
             Cell(C.text("figure", lang), markdown=True),
             Cell(figure_code(s.opacity, s.cmap, lang)))
    numbers = f'''{print_top5(lang)}
for title, (total, f_x, f_reference, delta) in checks.items():
    print(f"{{title}}: sum {{total:.4f}} · f(x) {{f_x:.4f}} · f(x′) {{f_reference:.4f}}"
          f" · f(x) − f(x′) {{f_x - f_reference:.4f}} · δ {{delta:+.4f}}")'''
    return _recipe(call, C.text("baselines.title", lang, **words), cells, numbers, image)


def steps_code(call: Call[StepsSettings]) -> Recipe:
    """Grad-CAM's five steps (the view ``attribution_steps``), with the view's layer check."""
    s = call.settings
    loaded, image, target = explained(call)
    layer = check_layer(loaded, s.layer or loaded.spec.default_layers["gradcam"])
    spec, lang, name = loaded.spec, call.lang, loaded.categories[target]
    words = dict(target=target, name=name, layer=layer)
    t = {key: C.text(key, lang) for key in
         ("step1", "step2", "step3", "step4", "step5", "same", "weights", "weighted",
          "original")}
    cells = (*_start(spec, lang, C.text("steps.intro", lang), words),
             Cell(C.text("steps.run", lang), markdown=True),
             Cell(f'''LAYER = {layer!r}
module = dict(model.named_modules())[LAYER]
inputs = inputs.detach().requires_grad_(True)
{t["step1"]}
activations = LayerActivation(model, module).attribute(inputs)
{t["step2"]}
gradients = LayerGradientXActivation(model, module, multiply_by_inputs=False).attribute(
    inputs, target=TARGET)
{t["step3"]}
weights = gradients.mean(dim=(2, 3), keepdim=True)
{t["step4"]}
weighted = (weights * activations).sum(dim=1, keepdim=True)
relu = weighted.clamp(min=0)
{t["step5"]}
upsampled = LayerAttribution.interpolate(relu, (SIZE, SIZE), interpolate_mode="bilinear")
{t["same"]}
captum_map = LayerGradCam(model, module).attribute(inputs, target=TARGET,
                                                   relu_attributions=True)
alphas = weights.flatten().detach().numpy()
maps = activations[0].detach().numpy()'''),
             Cell(C.text("steps.figure", lang), markdown=True),
             Cell(f'''OPACITY, CMAP = {s.opacity!r}, {s.cmap!r}
strongest = np.argsort(-alphas)[:8]
figure, axes = plt.subplots(1, 8, figsize=(16, 2.4))
for ax, channel in zip(axes, strongest):
    ax.imshow(maps[channel], cmap=CMAP)
    ax.set_title(f"{{channel}}: α {{alphas[channel]:.3g}}", fontsize=9)
    ax.axis("off")
plt.show()

figure, ax = plt.subplots(figsize=(10, 2.5))
ax.bar(range(len(alphas)), alphas, color="#0072B2")
ax.set_xlabel("channel k")
ax.set_ylabel({t["weights"]!r})
plt.show()

signed = weighted[0, 0].detach().numpy()
span = float(np.abs(signed).max()) or 1.0
unit = upsampled[0, 0].detach().numpy()
unit = unit / (unit.max() + 1e-12)
figure, axes = plt.subplots(1, 3, figsize=(11, 3.8))
axes[0].imshow(signed, cmap="RdBu_r", vmin=-span, vmax=span)
axes[0].set_title({t["weighted"]!r})
axes[1].imshow(relu[0, 0].detach().numpy(), cmap=CMAP)
axes[1].set_title("ReLU")
axes[2].imshow(view)
axes[2].imshow(unit, cmap=CMAP, alpha=OPACITY * unit)
axes[2].set_title(f"Grad-CAM: #{{TARGET}} {{CLASSES[TARGET]}}")
for ax in axes:
    ax.axis("off")
plt.show()'''))
    numbers = f'''{print_top5(lang)}
channels, height, width = maps.shape
print(f"{{LAYER}}: {{channels}} feature maps of {{height}}×{{width}}; "
      f"{{int((alphas > 0).sum())}} positive weights, the largest {{alphas.max():.4g}}")
print("strongest channels: " + ", ".join(f"{{k}} ({{alphas[k]:.4g}})" for k in strongest))
print(f"removed by the ReLU: {{100 * float((weighted <= 0).float().mean()):.1f}} % · "
      f"largest difference to LayerGradCam: {{float((relu - captum_map).abs().max()):.2g}}")'''
    return _recipe(call, C.text("steps.title", lang, **words), cells, numbers, image)


def depth_code(call: Call[DepthSettings]) -> Recipe:
    """Grad-CAM at every chosen layer (the view ``attribution_depth``), with the view's layer
    checks and its order, shallow to deep."""
    from tabs.attribution.views import depth_order  # the view's module imports this one

    s = call.settings
    loaded, image, target = explained(call)
    layers = depth_order(call, loaded.name)
    spec, lang, name = loaded.spec, call.lang, loaded.categories[target]
    words = dict(target=target, name=name, count=len(layers))
    cells = (*_start(spec, lang, C.text("depth.intro", lang, **words), words),
             Cell(C.text("depth.run", lang), markdown=True),
             Cell(f'''{C.text("depth.order", lang)}
LAYERS = {list(layers)!r}
modules = dict(model.named_modules())
inputs = inputs.detach().requires_grad_(True)
maps = {{}}
for layer in LAYERS:
    cam = LayerGradCam(model, modules[layer]).attribute(inputs, target=TARGET,
                                                        relu_attributions=True)
    upsampled = LayerAttribution.interpolate(cam, (SIZE, SIZE), interpolate_mode="bilinear")
    maps[layer] = upsampled[0, 0].detach().numpy()'''),
             Cell(C.text("figure", lang), markdown=True),
             Cell(figure_code(s.opacity, s.cmap, lang)))
    numbers = f'''{print_top5(lang)}
for layer, values in maps.items():
    print(f"{{layer}}: largest {{values.max():.4g}}, mean {{values.mean():.4g}}")'''
    return _recipe(call, C.text("depth.title", lang, **words), cells, numbers, image)


def _captum_options(loaded: LoadedModel, settings: Any, target: int) -> dict[str, Any]:
    """The view's checked options for ``settings.method``; LRP (no recipe yet) gets a
    sentence."""
    options = check_options(loaded, method=settings.method, target=target,
                            internal_batch_size=None, **settings.method_options())
    if settings.method not in CAPTUM_METHODS:
        raise InputError(C.text("lrp", "en"), C.text("lrp", "de"))
    return options


def _noise_and_k(settings: StabilitySettings | StabilityAllSettings) -> tuple[float, float]:
    """The stability views' noise (a fraction of the pixel range) and top-k share, checked."""
    from tabs.attribution.stability import fraction  # the view's module imports this one

    return check_noise(fraction(settings.noise_percent)), check_top_k(settings.top_k)


def classes_code(call: Call[ClassesSettings]) -> Recipe:
    """One method for the target and a second class (the view ``attribution_classes``), with
    the view's checks; LRP has no recipe yet and gets a sentence."""
    s = call.settings
    loaded, image, target = explained(call)
    second = check_target(loaded.categories, target=s.second)
    options = _captum_options(loaded, s, target)
    spec, lang = loaded.spec, call.lang
    code = method_code(s.method, options, lang, spec.input_size)
    body, result = code.lines("target")
    words = dict(target=target, name=loaded.categories[target], second=second,
                 second_name=loaded.categories[second], method=METHOD_TITLES[s.method])
    layer = f"LAYER = {options['layer']!r}\nmodule = dict(model.named_modules())[LAYER]\n" \
        if options["layer"] else ""
    helper = f"{code.helper}\n\n" if code.helper else ""
    indented = "\n".join(f"    {line}" if line else line for line in body.splitlines())
    cells = (*_start(spec, lang, C.text("classes.intro", lang, **words), words,
                     target_line=f"TARGET, SECOND = {target}, {second}"),
             Cell(C.text("classes.run", lang), markdown=True),
             Cell(f'''{layer}inputs = inputs.detach().requires_grad_(True)


{helper}def attribution_map(target):
{indented}
    return ({result}).detach().numpy()


maps = {{f"#{{t}} {{CLASSES[t]}}": attribution_map(t) for t in (TARGET, SECOND)}}'''),
             Cell(C.text("figure", lang), markdown=True),
             Cell(figure_code(s.opacity, s.cmap, lang)))
    numbers = f'''{print_top5(lang)}
for t, (title, values) in zip((TARGET, SECOND), maps.items()):
    print(f"{{title}}: p = {{float(probabilities[t]):.2%}} · map largest {{values.max():.4g}}, "
          f"mean {{values.mean():.4g}}")'''
    return _recipe(call, C.text("classes.title", lang, **words), cells, numbers, image)


def _map_function(method: str, options: Mapping[str, Any], lang: str, size: int) -> str:
    """``<method>_map(pixels)``: the method's (S, S) map of ``pixels`` for ``TARGET``, with the
    helper its code needs before it."""
    code = method_code(method, options, lang, size)
    body, result = code.lines("TARGET")
    indented = "\n".join(f"    {line}" if line else line for line in body.splitlines())
    helper = f"{code.helper}\n\n" if code.helper else ""
    return f'''{helper}def {method}_map(pixels):
    inputs = normalize(pixels).detach().requires_grad_(True)
{indented}
    return ({result}).detach().numpy()'''


def _noise_cells(noise: float, k: float, layer: str | None, lang: str) -> tuple[Cell, ...]:
    """The noisy pixels as the lab makes them, and ``alike(original, noisy)``: Spearman's ρ and
    the top-``TOP_K`` % overlap."""
    module = f"LAYER = {layer!r}\nmodule = dict(model.named_modules())[LAYER]\n" if layer else ""
    return (Cell(f'''{module}NOISE, SEED, TOP_K = {noise!r}, 0, {k!r}
{C.text("stability.noise", lang)}
jitter = torch.randn(pixels.shape, generator=torch.Generator().manual_seed(SEED)) * NOISE
noisy_pixels = (pixels + jitter).clamp(0, 1)'''),
            Cell(C.text("stability.compare", lang), markdown=True),
            Cell(f'''from scipy.stats import spearmanr


def alike(original, noisy):
    """Spearman's rank correlation of two maps and the overlap of their top TOP_K % pixels"""
    rho = 1.0 if np.array_equal(original, noisy) else float(
        spearmanr(original.ravel(), noisy.ravel()).statistic)
    {C.text("stability.top", lang).replace(chr(10), chr(10) + "    ")}
    count = max(1, int(round(original.size * TOP_K / 100)))
    top_original = np.argsort(-original.ravel(), kind="stable")[:count]
    top_noisy = np.argsort(-noisy.ravel(), kind="stable")[:count]
    return rho, 100 * np.intersect1d(top_original, top_noisy).size / count'''))


STABILITY_NUMBERS = '''for title, (rho, overlap) in numbers.items():
    print(f"{title}: Spearman rho {rho:.3f}, top-{TOP_K:g} % overlap {overlap:.1f} %")'''
"""The last cell of both stability recipes: ``numbers`` is title → (ρ, overlap)."""


def stability_code(call: Call[StabilitySettings]) -> Recipe:
    """One method with and without noise (the view ``attribution_stability``), with the view's
    checks; LRP has no recipe yet and gets a sentence."""
    s = call.settings
    loaded, image, target = explained(call)
    noise, k = _noise_and_k(s)
    options = _captum_options(loaded, s, target)
    spec, lang = loaded.spec, call.lang
    title = METHOD_TITLES[s.method]
    words = dict(target=target, name=loaded.categories[target], method=title,
                 noise=s.noise_percent, k=k)
    difference = C.text("stability.difference", lang)
    cells = (*_start(spec, lang, C.text("stability.intro", lang, **words), words),
             Cell(C.text("stability.run", lang), markdown=True),
             *_noise_cells(noise, k, options["layer"], lang),
             Cell(f'''{_map_function(s.method, options, lang, spec.input_size)}


original, noisy = {s.method}_map(pixels), {s.method}_map(noisy_pixels)
numbers = {{{title!r}: alike(original, noisy)}}

unit = [m / m.max() if m.max() > 0 else np.zeros_like(m) for m in (original, noisy)]
pictures = [(original, {title!r}), (noisy, f"+ {{100 * NOISE:g}} %"),
            (np.abs(unit[0] - unit[1]), {difference!r})]
figure, axes = plt.subplots(1, 3, figsize=(12, 3.8))
for ax, (values, heading), cmap in zip(axes, pictures, ({s.cmap!r}, {s.cmap!r}, "gray")):
    figure.colorbar(ax.imshow(values, cmap=cmap), ax=ax, shrink=0.8)
    ax.set_title(heading)
    ax.axis("off")
plt.show()'''))
    return _recipe(call, C.text("stability.title", lang, **words), cells, STABILITY_NUMBERS,
                   image, packages=(*PACKAGES, "scipy"))


def stability_all_code(call: Call[StabilityAllSettings]) -> Recipe:
    """Every captum method offered for the model with and without noise (the view
    ``attribution_stability_all``), with the view's checks; LRP's rows are left out and the
    notebook says so."""
    s = call.settings
    loaded, image, target = explained(call)
    noise, k = _noise_and_k(s)
    offered = offered_methods(loaded)
    options = {m: check_options(loaded, method=m, target=target, internal_batch_size=None,
                                **s.method_options()) for m in offered}
    methods = [m for m in offered if m in CAPTUM_METHODS]
    spec, lang = loaded.spec, call.lang
    words = dict(target=target, name=loaded.categories[target], noise=s.noise_percent, k=k,
                 method=", ".join(METHOD_TITLES[m] for m in methods))
    layer = next((options[m]["layer"] for m in methods if options[m]["layer"]), None)
    functions = "\n\n\n".join(_map_function(m, options[m], lang, spec.input_size)
                               for m in methods)
    listed = "\n".join(f"    {METHOD_TITLES[m]!r}: {m}_map," for m in methods)
    left_out = [METHOD_TITLES[m] for m in offered if m not in CAPTUM_METHODS]
    note = C.text("stability.left_out", lang, methods=", ".join(left_out)) if left_out else ""
    cells = (*_start(spec, lang, C.text("stability.all_intro", lang, **words) + note, words),
             Cell(C.text("stability.all_run", lang), markdown=True),
             *_noise_cells(noise, k, layer, lang),
             Cell(f'''{functions}


MAPS = {{
{listed}
}}
numbers = {{title: alike(method_map(pixels), method_map(noisy_pixels))
           for title, method_map in MAPS.items()}}

figure, axes = plt.subplots(1, 2, figsize=(11, 0.6 * len(numbers) + 1.5), sharey=True)
titles = list(numbers)
axes[0].barh(titles, [rho for rho, _ in numbers.values()])
axes[0].set_xlim(-1, 1)
axes[0].set_xlabel("Spearman ρ")
axes[1].barh(titles, [overlap for _, overlap in numbers.values()])
axes[1].set_xlim(0, 100)
axes[1].set_xlabel(f"top-{{TOP_K:g}} % overlap (%)")
axes[0].invert_yaxis()
plt.show()'''))
    return _recipe(call, C.text("stability.all_title", lang, **words), cells,
                   STABILITY_NUMBERS, image, packages=(*PACKAGES, "scipy"))
