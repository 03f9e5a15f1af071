"""The code behind the Counterfactual tab's method 1 (:mod:`tabs.common.recipe`): Wachter et
al.'s loss minimised with PyTorch's Adam on the pixels, as the lab runs it.

No library has this loop for an image classifier with a class *group* as the target and a
painted region, so the recipe writes out the lab's loop (``core.counterfactual.pixel``) and
says so: the change starts at the original (or at ±½ grey level of seeded noise), a pixel
clamped to [0, 1] keeps its gradient, and after each step the change is projected back into
valid pixels and the region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.counterfactual.pixel import START_NOISE, model_mask
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
    from tabs.counterfactual.settings import PixelSettings

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
    "loop": "## Adam on the pixels until p(target) ≥ {threshold}",
    "start": "# the start: the original itself (seed 0) or ±½ grey level of seeded noise",
    "project": "# back into valid pixels, only inside the region",
    "result": "# the counterfactual rounded to 8-bit pixels, classified again",
    "figure": "## Original, counterfactual and the change (amplified)",
    "change": "change × {gain}",
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
    "loop": "## Adam auf den Pixeln, bis p(Ziel) ≥ {threshold}",
    "start": "# der Start: das Original selbst (Seed 0) oder ±½ Graustufe gesetztes Rauschen",
    "project": "# zurück in gültige Pixel, nur im Bereich",
    "result": "# das Kontrafaktum auf 8-Bit-Pixel gerundet und neu klassifiziert",
    "figure": "## Original, Kontrafaktum und die Änderung (verstärkt)",
    "change": "Änderung × {gain}",
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


def pixel_code(call: Call[PixelSettings]) -> Recipe:
    """Method 1 for one proximity weight (the view ``counterfactual``), with the view's checks
    (target, knobs, seed, region)."""
    s, lang = call.settings, call.lang
    loaded, image, target = start(call)
    params = s.params()
    size = loaded.spec.input_size
    region = model_mask(painted_mask(s.use_region, s.editor, image.shape), size, image.shape)
    seed = int(s.random_seed)
    original = loaded.categories[target.original]
    goal = target.class_name or {"dog": "any dog", "other": f"not {original}"}.get(
        target.kind, "")
    words = dict(model=loaded.spec.title, original=original, target=goal)
    where = C.text("everywhere" if region is None else "painted", lang)
    region_code = ("region = torch.ones(1, 1, SIZE, SIZE)" if region is None else
                   "region = torch.tensor(np.asarray(Image.open(io.BytesIO(base64.b64decode("
                   "MASK_PNG))).convert(\"L\")) > 0).float()[None, None]")
    smooth = ("\n    loss = loss + SMOOTHNESS * total_variation(x - pixels)"
              if params.smoothness else "")
    mask_cell = () if region is None else (
        Cell(f'# MASK ({size}×{size})\nMASK_PNG = "{png_base64(_mask_picture(region))}"'),)
    cells = (
        Cell(C.text("intro", lang, **words), markdown=True),
        Cell(IMAGE_IMPORTS),
        *load_classifier(loaded.spec, lang),
        image_and_inputs(loaded.spec, lang),
        Cell(C.text("loss", lang), markdown=True),
        Cell(f'''{C.text("target", lang)}
TARGET, ORIGINAL = {_classes(target.classes)}, {target.original}
WEIGHT, SMOOTHNESS, THRESHOLD = {params.weight!r}, {params.smoothness!r}, {params.threshold!r}
STEP_SIZE, MAX_STEPS, SEED = {params.step_size!r}, {params.max_steps}, {seed}
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
        Cell(f'''{C.text("start", lang)}
noise = (torch.rand(pixels.shape, generator=torch.Generator().manual_seed(SEED)) * 2 - 1
         if SEED else torch.zeros(pixels.shape))
change = (noise * {START_NOISE!r} * region).requires_grad_(True)
optimizer = torch.optim.Adam([change], lr=STEP_SIZE / 255)
for step in range(MAX_STEPS + 1):
    x = valid(pixels + region * change)
    log_target = log_p_target(model(normalize(x)))
    if float(log_target.exp()) >= THRESHOLD or step == MAX_STEPS:
        break
    loss = -log_target + WEIGHT * distance(x - pixels){smooth}
    optimizer.zero_grad()
    loss.sum().backward()
    optimizer.step()
    with torch.no_grad():
        {C.text("project", lang)}
        change.copy_((pixels + region * change).clamp(0, 1) - pixels)

{C.text("result", lang)}
counterfactual = (x.detach() * 255).round()
with torch.no_grad():
    logits = model(normalize(counterfactual / 255))
probabilities = logits.softmax(dim=-1)[0]
p_target = float(log_p_target(logits).exp())
difference = counterfactual[0].permute(1, 2, 0).numpy() - view.astype(np.float64)'''),
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
    return Recipe(title=C.text("title", lang, **words), cells=cells, numbers=numbers,
                  packages=CLASSIFIER_PACKAGES, image=image, data=mask_cell,
                  image_name=s.example if not s.upload else "upload")


def _mask_picture(region: np.ndarray) -> np.ndarray:
    """A region (S, S) bool as an RGB picture: white where pixels may change."""
    return np.repeat((region.astype(np.uint8) * 255)[..., None], 3, axis=2)
