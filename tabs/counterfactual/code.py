"""The code behind the Counterfactual tab's method 1 (:mod:`tabs.common.recipe`): Wachter et
al.'s loss minimised with PyTorch's Adam on the pixels, as the lab runs it, for one proximity
weight or for each weight of the trade-off.

No library has this loop for an image classifier with a class *group* as the target and a
painted region, so the recipe writes out the lab's loop (``core.counterfactual.pixel``) and
says so: the change starts at the original (or at ±½ grey level of seeded noise), a pixel
clamped to [0, 1] keeps its gradient, and after each step the change is projected back into
valid pixels and the region.
"""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import indent
from typing import TYPE_CHECKING

import numpy as np

from core.counterfactual.pixel import START_NOISE, model_mask, parse_weights
from core.counterfactual.results import PixelParams
from core.counterfactual.targets import Target
from core.models import LoadedModel
from tabs.common.i18n import Texts
from tabs.common.recipe import Cell, Recipe, png_base64
from tabs.common.snippets import (
    CLASSIFIER_PACKAGES,
    IMAGE_IMPORTS,
    image_and_inputs,
    load_classifier,
)
from tabs.counterfactual.start import painted_mask, start

if TYPE_CHECKING:
    from tabs.common.view import Call
    from tabs.counterfactual.settings import PixelSettings, TradeoffSettings

C = Texts("counterfactual.code", en={
    "title": "Counterfactual: from {original} to {target}",
    "intro": "What is the smallest change of the image that makes {model} say *{target}*? "
             "Gradient descent on the pixels (Wachter et al. 2017) minimises "
             "−log p(target | x′) + λ · d(x′, x) (+ μ · TV(x′ − x)); only the image changes, "
             "the network is frozen. No library has this loop for a group of classes and a "
             "painted region: it is written out here as the lab runs it.",
    "target": "# the classes that count as success (their probabilities are added up) and the "
              "start image's class",
    "region": "# where pixels may change: {where}",
    "everywhere": "everywhere",
    "painted": "the painted region, embedded above as MASK_PNG (white = may change)",
    "loss": "## The loss and its parts",
    "distance": "# the distance in grey levels (0–255): L2 = root mean square, L1 = mean "
                "absolute change",
    "tv": "# total variation of the change: how much neighbouring pixels differ",
    "valid": "# values clamped to [0, 1], but the gradient passes straight through (a pixel at "
             "0 or 255 can still move)",
    "loop": "## Adam on the pixels until p(target) ≥ {threshold}\nThe lab runs the same loop "
            "on a copy of the network with BatchNorm folded into the convolutions: the same "
            "function with other float rounding, which Adam's steps carry on. Here the target "
            "can be reached one step earlier or later, and the distances differ by a few per "
            "cent.",
    "start": "# the start: the original itself (seed 0) or ±½ grey level of seeded noise",
    "project": "# back into valid pixels, only inside the region",
    "result": "# the counterfactual rounded to 8-bit pixels, classified again",
    "figure": "## Original, counterfactual and the change (amplified)",
    "change": "change × {gain}",
    "search": "# Adam on the pixels for one proximity weight; returns the last step and x′",
    "sweep.title": "Counterfactual trade-off: from {original} to {target}, one run per "
                   "proximity weight",
    "sweep.intro": "How much does the proximity weight λ matter? The same search (Wachter et "
                   "al. 2017: −log p(target | x′) + λ · d(x′, x) (+ μ · TV(x′ − x))) runs once "
                   "per weight from the same start; a larger λ keeps x′ closer to the original "
                   "but may never reach *{target}* within the steps. No library has this loop "
                   "for a group of classes and a painted region: it is written out here as the "
                   "lab runs it (the lab runs the weights side by side in one batch; each "
                   "weight has its own change and optimiser state, so a run per weight is the "
                   "same search).",
    "sweep.loop": "## One search per weight",
    "sweep.figure": "## Distance against target probability, and each counterfactual",
    "sweep.distance": "L2 distance to the original (grey levels)",
    "sweep.threshold": "threshold",
}, de={
    "title": "Kontrafaktum: von {original} zu {target}",
    "intro": "Was ist die kleinste Änderung des Bildes, nach der {model} *{target}* sagt? "
             "Gradientenabstieg auf den Pixeln (Wachter et al. 2017) minimiert "
             "−log p(Ziel | x′) + λ · d(x′, x) (+ μ · TV(x′ − x)); nur das Bild ändert sich, "
             "das Netz ist eingefroren. Keine Bibliothek hat diese Schleife für eine Gruppe "
             "von Klassen und einen gemalten Bereich: Sie steht hier so, wie das Lab sie "
             "rechnet.",
    "target": "# die Klassen, die als Erfolg zählen (ihre Wahrscheinlichkeiten werden "
              "addiert), und die Klasse des Startbildes",
    "region": "# wo sich Pixel ändern dürfen: {where}",
    "everywhere": "überall",
    "painted": "im gemalten Bereich, oben als MASK_PNG eingebettet (weiß = darf sich ändern)",
    "loss": "## Der Verlust und seine Teile",
    "distance": "# der Abstand in Graustufen (0–255): L2 = quadratisches Mittel, L1 = mittlere "
                "absolute Änderung",
    "tv": "# totale Variation der Änderung: wie sehr sich benachbarte Pixel unterscheiden",
    "valid": "# Werte auf [0, 1] begrenzt, der Gradient geht aber unverändert durch (ein Pixel "
             "bei 0 oder 255 kann sich noch bewegen)",
    "loop": "## Adam auf den Pixeln, bis p(Ziel) ≥ {threshold}\nDas Lab rechnet dieselbe "
            "Schleife auf einer Kopie des Netzes, in deren Faltungen die BatchNorm gefaltet "
            "ist: dieselbe Funktion mit anderer Rundung, die Adams Schritte weitertragen. Hier "
            "kann das Ziel einen Schritt früher oder später erreicht werden, und die Abstände "
            "weichen um einige Prozent ab.",
    "start": "# der Start: das Original selbst (Seed 0) oder ±½ Graustufe gesetztes Rauschen",
    "project": "# zurück in gültige Pixel, nur im Bereich",
    "result": "# das Kontrafaktum auf 8-Bit-Pixel gerundet und neu klassifiziert",
    "figure": "## Original, Kontrafaktum und die Änderung (verstärkt)",
    "change": "Änderung × {gain}",
    "search": "# Adam auf den Pixeln für ein Nähe-Gewicht; gibt den letzten Schritt und x′ zurück",
    "sweep.title": "Kontrafaktum-Abwägung: von {original} zu {target}, ein Lauf pro "
                   "Nähe-Gewicht",
    "sweep.intro": "Wie viel macht das Nähe-Gewicht λ aus? Dieselbe Suche (Wachter et al. 2017: "
                   "−log p(Ziel | x′) + λ · d(x′, x) (+ μ · TV(x′ − x))) läuft einmal pro "
                   "Gewicht vom selben Start; ein größeres λ hält x′ näher am Original, "
                   "erreicht *{target}* aber vielleicht nicht in den erlaubten Schritten. Keine "
                   "Bibliothek hat diese Schleife für eine Gruppe von Klassen und einen gemalten "
                   "Bereich: Sie steht hier so, wie das Lab sie rechnet (das Lab rechnet die "
                   "Gewichte nebeneinander in einem Batch; jedes Gewicht hat seine eigene "
                   "Änderung und seinen eigenen Optimierer-Zustand, ein Lauf pro Gewicht ist "
                   "also dieselbe Suche).",
    "sweep.loop": "## Eine Suche pro Gewicht",
    "sweep.figure": "## Abstand gegen Zielwahrscheinlichkeit und jedes Kontrafaktum",
    "sweep.distance": "L2-Abstand zum Original (Graustufen)",
    "sweep.threshold": "Schwelle",
})

DISTANCE_CODE = {
    "l2": "(change.pow(2).mean(dim=(1, 2, 3)) + 1e-12).sqrt() * 255",
    "l1": "change.abs().mean(dim=(1, 2, 3)) * 255",
}


def _classes(classes: tuple[int, ...]) -> str:
    """The target classes as code: a range when they follow each other."""
    if len(classes) > 2 and classes == tuple(range(classes[0], classes[-1] + 1)):
        return f"list(range({classes[0]}, {classes[-1] + 1}))"
    return repr(list(classes))


@dataclass(frozen=True)
class _Search:
    """What both recipes of method 1 share: the checked start, knobs and region."""

    loaded: LoadedModel
    image: np.ndarray
    target: Target
    params: PixelParams
    region: np.ndarray | None
    seed: int

    @classmethod
    def of(cls, call: Call[PixelSettings] | Call[TradeoffSettings]) -> _Search:
        s = call.settings
        loaded, image, target = start(call)
        region = model_mask(painted_mask(s.use_region, s.editor, image.shape),
                            loaded.spec.input_size, image.shape)
        return cls(loaded, image, target, s.params(), region, int(s.random_seed))

    def words(self) -> dict[str, str]:
        original = self.loaded.categories[self.target.original]
        goal = self.target.class_name or {"dog": "any dog", "other": f"not {original}"}.get(
            self.target.kind, "")
        return dict(model=self.loaded.spec.title, original=original, target=goal)

    def cells(self, knobs: str, lang: str) -> tuple[Cell, ...]:
        """Imports, model, image, the loss's parts and ``search(weight)``; ``knobs`` is the
        line that names the weight or weights."""
        params, region = self.params, self.region
        where = C.text("everywhere" if region is None else "painted", lang)
        region_code = ("region = torch.ones(1, 1, SIZE, SIZE)" if region is None else
                       "region = torch.tensor(np.asarray(Image.open(io.BytesIO(base64.b64decode("
                       "MASK_PNG))).convert(\"L\")) > 0).float()[None, None]")
        smooth = ("\n        loss = loss + SMOOTHNESS * total_variation(x - pixels)"
                  if params.smoothness else "")
        return (
            Cell(IMAGE_IMPORTS),
            *load_classifier(self.loaded.spec, lang),
            image_and_inputs(self.loaded.spec, lang),
            Cell(C.text("loss", lang), markdown=True),
            Cell(f'''{C.text("target", lang)}
TARGET, ORIGINAL = {_classes(self.target.classes)}, {self.target.original}
{knobs}
SMOOTHNESS, THRESHOLD = {params.smoothness!r}, {params.threshold!r}
STEP_SIZE, MAX_STEPS, SEED = {params.step_size!r}, {params.max_steps}, {self.seed}
{C.text("region", lang, where=where)}
{region_code}
targets = torch.tensor(TARGET)


def log_p_target(logits):
    """log Σ_(c in TARGET) softmax(logits)_c per image"""
    return torch.logsumexp(logits[:, targets], dim=1) - torch.logsumexp(logits, dim=1)


{C.text("distance", lang)}
def distance(change):
    return {DISTANCE_CODE[params.distance]}


{C.text("tv", lang)}
def total_variation(change):
    down = (change[:, :, 1:] - change[:, :, :-1]).abs().mean(dim=(1, 2, 3))
    right = (change[:, :, :, 1:] - change[:, :, :, :-1]).abs().mean(dim=(1, 2, 3))
    return (down + right) * 255


{C.text("valid", lang)}
def valid(x):
    return x + (x.clamp(0, 1) - x).detach()'''),
            Cell(C.text("loop", lang, threshold=params.threshold), markdown=True),
            Cell(f'''{C.text("search", lang)}
def search(weight):
    {C.text("start", lang)}
    noise = (torch.rand(pixels.shape, generator=torch.Generator().manual_seed(SEED)) * 2 - 1
             if SEED else torch.zeros(pixels.shape))
    change = (noise * {START_NOISE!r} * region).requires_grad_(True)
    optimizer = torch.optim.Adam([change], lr=STEP_SIZE / 255)
    for step in range(MAX_STEPS + 1):
        x = valid(pixels + region * change)
        log_target = log_p_target(model(normalize(x)))
        if float(log_target.exp()) >= THRESHOLD or step == MAX_STEPS:
            break
        loss = -log_target + weight * distance(x - pixels){smooth}
        optimizer.zero_grad()
        loss.sum().backward()
        optimizer.step()
        with torch.no_grad():
            {C.text("project", lang)}
            change.copy_((pixels + region * change).clamp(0, 1) - pixels)
    return step, x.detach()'''),
        )

    def recipe(self, title: str, intro: str, cells: tuple[Cell, ...], numbers: str,
               image_name: str) -> Recipe:
        mask_cell = () if self.region is None else (
            Cell(f'# MASK ({self.region.shape[0]}×{self.region.shape[1]})\n'
                 f'MASK_PNG = "{png_base64(_mask_picture(self.region))}"'),)
        return Recipe(title=title, cells=(Cell(intro, markdown=True), *cells), numbers=numbers,
                      packages=CLASSIFIER_PACKAGES, image=self.image, data=mask_cell,
                      image_name=image_name)


RESULT = '''counterfactual = (x * 255).round()
with torch.no_grad():
    logits = model(normalize(counterfactual / 255))
probabilities = logits.softmax(dim=-1)[0]
p_target = float(log_p_target(logits).exp())
difference = counterfactual[0].permute(1, 2, 0).numpy() - view.astype(np.float64)'''
"""The search's image rounded to 8-bit pixels, classified again, and its change."""


def pixel_code(call: Call[PixelSettings]) -> Recipe:
    """Method 1 for one proximity weight (the view ``counterfactual``), with the view's checks
    (target, knobs, seed, region)."""
    s, lang = call.settings, call.lang
    search = _Search.of(call)
    words = search.words()
    cells = (
        *search.cells(f"WEIGHT = {search.params.weight!r}", lang),
        Cell(f'''step, x = search(WEIGHT)

{C.text("result", lang)}
{RESULT}'''),
        Cell(C.text("figure", lang), markdown=True),
        Cell(f'''GAIN = 10
changed = counterfactual[0].permute(1, 2, 0).byte().numpy()
figure, axes = plt.subplots(1, 3, figsize=(11, 3.8))
axes[0].imshow(view)
axes[0].set_title(CLASSES[ORIGINAL])
axes[1].imshow(changed)
axes[1].set_title(CLASSES[int(probabilities.argmax())])
axes[2].imshow(np.clip(128 + GAIN * difference, 0, 255).astype(np.uint8))
axes[2].set_title({C.text("change", lang, gain=10)!r})
for ax in axes:
    ax.axis("off")
plt.show()'''),
    )
    numbers = '''top = int(probabilities.argmax())
print(f"after {step} steps: {CLASSES[top]} (#{top}, p = {float(probabilities[top]):.3f}); "
      f"p(target) = {p_target:.3f}")
print(f"L2 {np.sqrt(np.mean(difference ** 2)):.2f} · L∞ {np.abs(difference).max():.0f} · "
      f"L1 {np.abs(difference).mean():.2f} grey levels")'''
    return search.recipe(C.text("title", lang, **words), C.text("intro", lang, **words), cells,
                         numbers, s.example if not s.upload else "upload")


def tradeoff_code(call: Call[TradeoffSettings]) -> Recipe:
    """Method 1 once per proximity weight (the view ``counterfactual_tradeoff``), with the
    view's checks (weights, target, knobs, seed, region)."""
    s, lang = call.settings, call.lang
    weights = list(parse_weights(s.weights))
    search = _Search.of(call)
    words = search.words()
    cells = (
        *search.cells(f"WEIGHTS = {weights!r}", lang),
        Cell(C.text("sweep.loop", lang), markdown=True),
        Cell(f'''runs = {{}}
for weight in WEIGHTS:
    step, x = search(weight)
    {C.text("result", lang)}
{indent(RESULT, "    ")}
    runs[weight] = step, probabilities, p_target, difference, counterfactual'''),
        Cell(C.text("sweep.figure", lang), markdown=True),
        Cell(f'''l2 = [float(np.sqrt(np.mean(run[3] ** 2))) for run in runs.values()]
reached = [run[2] for run in runs.values()]
figure, ax = plt.subplots(figsize=(6.5, 4.2))
ax.plot(l2, reached, marker="o")
for weight, x_value, y_value in zip(WEIGHTS, l2, reached):
    ax.annotate(f"λ = {{weight:g}}", (x_value, y_value), textcoords="offset points",
                xytext=(6, 4))
ax.axhline(THRESHOLD, linestyle="--", color="gray", label={C.text("sweep.threshold", lang)!r})
ax.set_xlabel({C.text("sweep.distance", lang)!r})
ax.set_ylabel("p(target)")
ax.legend()
plt.show()

figure, axes = plt.subplots(1, len(runs), figsize=(3 * len(runs), 3.4), squeeze=False)
for ax, (weight, run) in zip(axes[0], runs.items()):
    ax.imshow(run[4][0].permute(1, 2, 0).byte().numpy())
    ax.set_title(f"λ = {{weight:g}}: {{CLASSES[int(run[1].argmax())]}}")
    ax.axis("off")
plt.show()'''),
    )
    numbers = '''for weight, (step, probabilities, p_target, difference, _) in runs.items():
    top = int(probabilities.argmax())
    print(f"λ = {weight:g}: {step} steps, {CLASSES[top]} (#{top}), p(target) = {p_target:.3f}, "
          f"L2 {np.sqrt(np.mean(difference ** 2)):.2f} · L∞ {np.abs(difference).max():.0f}")'''
    return search.recipe(C.text("sweep.title", lang, **words),
                         C.text("sweep.intro", lang, **words), cells, numbers,
                         s.example if not s.upload else "upload")


def _mask_picture(region: np.ndarray) -> np.ndarray:
    """A region (S, S) bool as an RGB picture: white where pixels may change."""
    return np.repeat((region.astype(np.uint8) * 255)[..., None], 3, axis=2)
