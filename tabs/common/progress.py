"""What a long computation is doing, in the page's language: ``core`` reports a
:class:`~core.progress.Step` (a code and its values), this module words it."""

from __future__ import annotations

from core.attribution import METHOD_TITLES
from core.progress import Step
from tabs.common.i18n import Texts

WORDS = Texts("progress", en={
    "method": "{method}…",
    "baseline": "Integrated Gradients with the {baseline} baseline…",
    "gradcam_layer": "Grad-CAM at {layer}…",
    "map": "{method} map…",
    "trained_map": "{method} of the trained model…",
    "images": "{count} images through the model…",
    "randomized": "{stage} randomized ({k}/{stages}): {method}…",
    "class_sentences": "Encoding the {count} class sentences (once per model)…",
    "train.random_forest": "Training the random forest ({trees} trees)",
    "train.gradient_boosting": "Training gradient boosting ({trees} trees)",
    "train.neural_network": "Loading PyTorch Lightning, training the neural network",
    "epoch": "Training the neural network: epoch {epoch} (at most {most}), validation loss "
             "{loss:.3f}",
    "shap_tree": "Exact SHAP values of the {houses} test houses (TreeExplainer)…",
    "shap_permutation": "SHAP values by permutation: {done} of {houses} test houses done "
                        "(background: {background} training rows)…",
    "done": "done",
    "guided_backprop": "Guided backprop",
}, de={
    "method": "{method} …",
    "baseline": "Integrated Gradients mit der Basislinie {baseline} …",
    "gradcam_layer": "Grad-CAM an {layer} …",
    "map": "Karte von {method} …",
    "trained_map": "{method} des trainierten Modells …",
    "images": "{count} Bilder durch das Modell …",
    "randomized": "{stage} randomisiert ({k}/{stages}): {method} …",
    "class_sentences": "Die {count} Klassensätze werden kodiert (einmal pro Modell) …",
    "train.random_forest": "Der Random Forest wird trainiert ({trees} Bäume)",
    "train.gradient_boosting": "Gradient Boosting wird trainiert ({trees} Bäume)",
    "train.neural_network": "PyTorch Lightning wird geladen, das neuronale Netz trainiert",
    "epoch": "Das neuronale Netz lernt: Epoche {epoch} (höchstens {most}), Validierungsfehler "
             "{loss:.3f}",
    "shap_tree": "Exakte SHAP-Werte der {houses} Testhäuser (TreeExplainer) …",
    "shap_permutation": "SHAP-Werte durch Permutation: {done} von {houses} Testhäusern fertig "
                        "(Hintergrund: {background} Trainingszeilen) …",
    "done": "fertig",
    "guided_backprop": "Guided Backprop",
})


def words(step: Step, lang: str) -> str:
    """The sentence for ``step`` in ``lang``."""
    values = dict(step.values)
    if "method" in values:
        method = str(values["method"])
        values["method"] = METHOD_TITLES.get(method) or WORDS.text("guided_backprop", lang)
    if step.code == "train":
        return WORDS.text(f"train.{values['model']}", lang, **values)
    return WORDS.text(step.code, lang, **values)
