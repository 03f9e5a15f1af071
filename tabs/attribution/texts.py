"""The Attribution tab's words in English and German: the layout's labels (``T.label``) and the
sentences, tables and picture titles the views write in the request's language
(``T.text``). The methods' names (Saliency, Integrated Gradients, Grad-CAM, Guided Grad-CAM,
Occlusion, LRP and its composites) are the same in both languages."""

from __future__ import annotations

from core.attribution import METHOD_TITLES, Explanation
from tabs.common.i18n import Texts

T = Texts("attribution", en={
    # the layout: left column
    "model": "Model",
    "predictions": "Top-5 predictions (click one to explain it)",
    "target": "Target class index",
    "query": "Search a class name",
    "query.example": "cat",
    "find": "Find",
    "matches": "Matching classes (#index name)",
    "layer": "Grad-CAM layer (default: the last block)",
    "steps": "IG steps",
    "baseline": "IG baseline",
    "window": "Occlusion window",
    "stride": "Occlusion stride",
    "opacity": "Overlay opacity",
    "cmap": "Colour map",
    # the sub-tabs
    "tab.compare": "Compare methods",
    "compare": "Compare all methods",
    "compare.image": "Original and all methods",
    "tab.baselines": "IG baselines",
    "baselines": "Compare the four baselines",
    "baselines.image": "IG per baseline",
    "tab.depth": "Grad-CAM across depth",
    "depth.layers": "Layers (default: one per stage; type to search)",
    "depth": "Grad-CAM at every chosen layer",
    "depth.image": "Shallow → deep",
    "tab.steps": "Grad-CAM step by step",
    "steps.run": "Show the five steps",
    "steps.grid": "1. Feature maps A_k (the 8 with the largest weights)",
    "steps.image": "4–5. Weighted sum, ReLU, overlay",
    "steps.weights": "3. One weight per channel",
    "deletion.plot": "Deletion and insertion curves",
    "sanity.plot": "Rank correlation with the trained map after each stage",
    "tab.classes": "Two classes",
    "second": "Second class index",
    "method": "Method",
    "use_second": "Use the search match as second class",
    "classes": "Explain both classes",
    "classes.image": "Target vs second class",
    "tab.stability": "Instability",
    "noise": "Noise (% of the pixel range, ≥ 0)",
    "top_k": "Top-k % pixels",
    "stability": "Measure this method",
    "stability.all": "Measure every method",
    "stability.image": "Original, noisy, difference",
    "tab.deletion": "Deletion",
    "deletion.intro": "Replace each method's most important pixels first: a faithful map makes the "
                      "probability drop fast (and rise fast when they are put back into the "
                      "replacement image). The dashed line is a random order.",
    "methods": "Methods",
    "replacement": "Replace deleted pixels by",
    "shown": "Show images at (% deleted)",
    "deletion": "Delete and insert pixels",
    "deletion.image": "Images with the most important pixels deleted",
    "tab.sanity": "Sanity check",
    "sanity.intro": "Randomize the model's weights stage by stage, from the output down (on a "
                    "private copy), and watch whether each map changes. A map that stays the "
                    "same cannot be explaining the trained model.",
    "sanity": "Randomize stage by stage",
    "sanity.image": "Maps after each stage",
    **{f"baseline.{b}": b for b in ("black", "white", "noise", "blurred")},
    # what the views write
    "target.text": "Target class: **#{index} {name}**",
    "conservation": "{method}: Σ relevance {total:.4g} of the logit {logit:.4g} ({share:.1%} "
                    "conserved)",
    "not_offered": "**{method} not offered:** {reason}",
    "timings": "Computed (0 s = from cache): {parts}",
    "partial": "{done} of {total} methods ready; still computing: {pending}…",
    "stopped": "Stopped: {done} of {total} methods were computed.",
    "cancel": "Cancel",
    "pic.waiting": "{method}\n(computing…)",
    "pic.stopped": "{method}\n(stopped)",
    "partial.baselines": "{done} of {total} baselines ready; still computing: {pending}…",
    "stopped.baselines": "Stopped: {done} of {total} baselines were computed.",
    "partial.deletion": "{done} of {total} methods measured; still computing: {pending}…",
    "stopped.deletion": "Stopped: {done} of {total} methods were measured.",
    "partial.sanity": "{done} of {total} stages randomized; still computing: {pending}…",
    "stopped.sanity": "Stopped: {done} of {total} stages were randomized.",
    "stopped.trained": "Stopped while the trained model's maps were computed.",
    "title.ig": "({baseline}, {steps} steps)",
    "title.occlusion": "({window} px, stride {stride})",
    "original": "Original",
    "pic.heatmaps": "heatmaps below:\neach normalised on its own",
    "pic.heatmap": "{method} heatmap",
    "pic.baseline": "baseline: {baseline}",
    "completeness.head": "| baseline | Σ attributions | f(x) | f(baseline) | f(x) − f(baseline) "
                         "| captum δ | error |",
    "completeness.note": "\n\nf = the logit of **{name}**, {steps} steps. Completeness says "
                         "Σ attributions = f(x) − f(baseline); δ is how far captum's numerical "
                         "integral misses it (more steps → smaller δ).",
    "pic.cells": "{layer}\n{h} x {w} cells",
    "pic.weighted": "4a. weighted sum of the maps\n(blue < 0 < red)",
    "pic.relu": "4b. ReLU: keep > 0",
    "bar.weighted": "4a. weighted sum",
    "pic.upsampled": "5. upsampled over the image",
    "steps.text": "**{layer}** has **{c} feature maps of {h}×{w}** (step 1; above: the 8 with the "
                  "largest weights, channels {channels}). Step 2: gradients of the score of "
                  "{name} with respect to each map; step 3: their mean per map is the weight "
                  "α_k — {positive} of {c} weights are positive, the largest is {largest:.3g}. "
                  "{removed:.0f} % of the {h}×{w} cells are removed by the ReLU.",
    "pic.original_map": "original map",
    "pic.noisy": "with {noise:g} % noise",
    "pic.difference": "|difference| (each map / max)",
    "stability.text": "**{method}**: Spearman rank correlation **{rho:.3f}**, top-{k:g} % overlap "
                      "**{overlap:.1f} %** (1 and 100 % = the noise changed nothing).",
    "stability.head": "| method | Spearman ρ | top-{k:g} % overlap |",
    "stability.progress": "{method} with and without noise…",
    "stability.intro": "Noise {noise:g} % for {name}:\n\n",
    # deletion/insertion and the sanity check
    "not_percent": "'{part}' is not a percentage; write numbers such as 5, 10, 25.",
    "deletion.shown": " p at {fraction:.0%} deleted |",
    "deletion.head": "| order | deletion area ↓ | insertion area ↑ |",
    "random": "random (reference)",
    "image.black": "black image", "image.white": "white image", "image.noise": "noise image",
    "image.blurred": "blurred image",
    "deletion.note": "\n\np(#{target} {label}) is **{full:.3f}** for the image and **{empty:.3f}** "
                     "for the {image}; {steps} steps of {step:g} %. A method beats the random "
                     "order when its deletion area is smaller and its insertion area larger. "
                     "This took {seconds:.1f} s (repeating it comes from the cache).",
    "sanity.stage": "stage",
    "sanity.summary": "Spearman ρ of each map with the trained model's map of **#{target} "
                      "{label}**; each row randomizes one more stage, from the output down (on a "
                      "private copy: the model everyone uses is unchanged). After only the head "
                      "is random, the map most like the trained one is **{title}** (ρ = "
                      "{rho:.2f}). This took {seconds:.1f} s.",
    "words.deletion": "{method}, deletion (probability over % of the pixels deleted)",
    "words.insertion": "{method}, insertion (probability over % of the pixels put back)",
    "words.deleted": "{method}: probability {values} of the pixels deleted.",
    "words.at": "{p:.2f} with {percent:.0f} %",
    "words.rho": "{method}, rank correlation with the trained map over the number of stages "
                 "randomized",
    "words.trained": "{method}, trained model",
    "words.randomized": "{method}, randomized up to {stage}",
    "words.depth": "Grad-CAM at {layer}",
    "words.class": "{method} for #{target} {name}",
    "words.grid": "The {count} feature maps of {layer} with the largest weights",
    "words.weights": "Channel weights of {layer}",
}, de={
    "model": "Modell",
    "predictions": "Top-5-Vorhersagen (klick eine an, um sie zu erklären)",
    "target": "Index der Zielklasse",
    "query": "Klassennamen suchen (englisch)",
    "query.example": "cat",
    "find": "Suchen",
    "matches": "Passende Klassen (#Index Name)",
    "layer": "Grad-CAM-Schicht (Standard: der letzte Block)",
    "steps": "IG-Schritte",
    "baseline": "IG-Baseline",
    "window": "Occlusion-Fenster",
    "stride": "Occlusion-Schrittweite",
    "opacity": "Deckkraft",
    "cmap": "Farbskala",
    "tab.compare": "Methoden vergleichen",
    "compare": "Alle Methoden vergleichen",
    "compare.image": "Original und alle Methoden",
    "tab.baselines": "IG-Baselines",
    "baselines": "Die vier Baselines vergleichen",
    "baselines.image": "IG je Baseline",
    "tab.depth": "Grad-CAM in jeder Tiefe",
    "depth.layers": "Schichten (Standard: eine pro Stufe; tippen zum Suchen)",
    "depth": "Grad-CAM an jeder gewählten Schicht",
    "depth.image": "Flach → tief",
    "tab.steps": "Grad-CAM Schritt für Schritt",
    "steps.run": "Die fünf Schritte zeigen",
    "steps.grid": "1. Feature Maps A_k (die 8 mit den größten Gewichten)",
    "steps.image": "4–5. Gewichtete Summe, ReLU, Überlagerung",
    "steps.weights": "3. Ein Gewicht pro Kanal",
    "deletion.plot": "Lösch- und Einfügekurven",
    "sanity.plot": "Rangkorrelation mit der trainierten Map nach jeder Stufe",
    "tab.classes": "Zwei Klassen",
    "second": "Index der zweiten Klasse",
    "method": "Methode",
    "use_second": "Suchtreffer als zweite Klasse nehmen",
    "classes": "Beide Klassen erklären",
    "classes.image": "Zielklasse vs. zweite Klasse",
    "tab.stability": "Instabilität",
    "noise": "Rauschen (% des Pixelbereichs, ≥ 0)",
    "top_k": "Top-k % der Pixel",
    "stability": "Diese Methode messen",
    "stability.all": "Alle Methoden messen",
    "stability.image": "Original, verrauscht, Differenz",
    "tab.deletion": "Deletion-Test",
    "deletion.intro": "Ersetze bei jeder Methode die wichtigsten Pixel zuerst: Bei einer treuen "
                      "Map fällt die Wahrscheinlichkeit schnell (und steigt schnell, wenn die "
                      "Pixel wieder in das Ersatzbild eingesetzt werden). Die gestrichelte Linie "
                      "ist eine zufällige Reihenfolge.",
    "methods": "Methoden",
    "replacement": "Gelöschte Pixel ersetzen durch",
    "shown": "Bilder zeigen bei (% gelöscht)",
    "deletion": "Pixel löschen und einsetzen",
    "deletion.image": "Bilder ohne ihre wichtigsten Pixel",
    "tab.sanity": "Sanity-Check",
    "sanity.intro": "Setze die Gewichte des Modells Stufe für Stufe vom Ausgang her auf "
                    "Zufallswerte (auf einer privaten Kopie) und beobachte, ob sich jede Map "
                    "ändert. Eine Map, die gleich bleibt, kann nicht das trainierte Modell "
                    "erklären.",
    "sanity": "Stufe für Stufe randomisieren",
    "sanity.image": "Maps nach jeder Stufe",
    "baseline.black": "schwarz", "baseline.white": "weiß", "baseline.noise": "Rauschen",
    "baseline.blurred": "weichgezeichnet",
    "target.text": "Zielklasse: **#{index} {name}**",
    "conservation": "{method}: Σ Relevanz {total:.4g} vom Logit {logit:.4g} ({share:.1%} "
                    "erhalten)",
    "not_offered": "**{method} nicht angeboten:** {reason}",
    "timings": "Berechnet (0 s = aus dem Cache): {parts}",
    "partial": "{done} von {total} Methoden fertig; noch in Arbeit: {pending} …",
    "stopped": "Angehalten: {done} von {total} Methoden wurden berechnet.",
    "cancel": "Abbrechen",
    "pic.waiting": "{method}\n(wird berechnet ...)",
    "pic.stopped": "{method}\n(angehalten)",
    "partial.baselines": "{done} von {total} Baselines fertig; noch in Arbeit: {pending} …",
    "stopped.baselines": "Angehalten: {done} von {total} Baselines wurden berechnet.",
    "partial.deletion": "{done} von {total} Methoden gemessen; noch in Arbeit: {pending} …",
    "stopped.deletion": "Angehalten: {done} von {total} Methoden wurden gemessen.",
    "partial.sanity": "{done} von {total} Stufen randomisiert; noch in Arbeit: {pending} …",
    "stopped.sanity": "Angehalten: {done} von {total} Stufen wurden randomisiert.",
    "stopped.trained": "Angehalten, während die Maps des trainierten Modells berechnet wurden.",
    "title.ig": "({baseline}, {steps} Schritte)",
    "title.occlusion": "({window} px, Schrittweite {stride})",
    "original": "Original",
    "pic.heatmaps": "darunter die Heatmaps:\njede einzeln normiert",
    "pic.heatmap": "{method}: Heatmap",
    "pic.baseline": "Baseline: {baseline}",
    "completeness.head": "| Baseline | Σ Attributionen | f(x) | f(Baseline) | f(x) − f(Baseline) "
                         "| captum δ | Fehler |",
    "completeness.note": "\n\nf = der Logit von **{name}**, {steps} Schritte. Vollständigkeit "
                         "heißt: Σ Attributionen = f(x) − f(Baseline); δ sagt, wie weit captums "
                         "numerisches Integral daneben liegt (mehr Schritte → kleineres δ).",
    "pic.cells": "{layer}\n{h} x {w} Zellen",
    "pic.weighted": "4a. gewichtete Summe der Maps\n(blau < 0 < rot)",
    "pic.relu": "4b. ReLU: nur > 0 bleibt",
    "bar.weighted": "4a. gewichtete Summe",
    "pic.upsampled": "5. hochskaliert über dem Bild",
    "steps.text": "**{layer}** hat **{c} Feature Maps mit {h}×{w}** (Schritt 1; oben: die 8 mit "
                  "den größten Gewichten, Kanäle {channels}). Schritt 2: die Gradienten des Scores "
                  "von {name} nach jeder Map; Schritt 3: ihr Mittelwert pro Map ist das Gewicht "
                  "α_k — {positive} von {c} Gewichten sind positiv, das größte ist {largest:.3g}. "
                  "Die ReLU entfernt {removed:.0f} % der {h}×{w} Zellen.",
    "pic.original_map": "Original-Map",
    "pic.noisy": "mit {noise:g} % Rauschen",
    "pic.difference": "|Differenz| (jede Map / Max.)",
    "stability.text": "**{method}**: Spearman-Rangkorrelation **{rho:.3f}**, Überlappung der "
                      "Top-{k:g} % **{overlap:.1f} %** (1 und 100 % = das Rauschen hat nichts "
                      "verändert).",
    "stability.head": "| Methode | Spearman ρ | Überlappung der Top-{k:g} % |",
    "stability.progress": "{method} mit und ohne Rauschen…",
    "stability.intro": "Rauschen {noise:g} % für {name}:\n\n",
    "not_percent": "„{part}“ ist keine Prozentzahl; schreib Zahlen wie 5, 10, 25.",
    "deletion.shown": " p bei {fraction:.0%} gelöscht |",
    "deletion.head": "| Reihenfolge | Fläche Deletion ↓ | Fläche Insertion ↑ |",
    "random": "zufällig (Referenz)",
    "image.black": "schwarze Bild", "image.white": "weiße Bild", "image.noise": "Rauschbild",
    "image.blurred": "weichgezeichnete Bild",
    "deletion.note": "\n\np(#{target} {label}) ist **{full:.3f}** für das Bild und **{empty:.3f}** "
                     "für das {image}; {steps} Schritte zu je {step:g} %. Eine Methode schlägt "
                     "die zufällige Reihenfolge, wenn ihre Deletion-Fläche kleiner und ihre "
                     "Insertion-Fläche größer ist. Das hat {seconds:.1f} s gedauert (eine "
                     "Wiederholung kommt aus dem Cache).",
    "sanity.stage": "Stufe",
    "sanity.summary": "Spearman ρ jeder Map mit der Map des trainierten Modells für **#{target} "
                      "{label}**; jede Zeile randomisiert eine Stufe mehr, vom Ausgang her (auf "
                      "einer privaten Kopie: das Modell, das alle benutzen, bleibt unverändert). "
                      "Wenn nur der Kopf zufällig ist, ähnelt die Map von **{title}** der "
                      "trainierten am meisten (ρ = {rho:.2f}). Das hat {seconds:.1f} s gedauert.",
    "words.deletion": "{method}, Löschen (Wahrscheinlichkeit über % gelöschte Pixel)",
    "words.insertion": "{method}, Einfügen (Wahrscheinlichkeit über % zurückgesetzte Pixel)",
    "words.deleted": "{method}: Wahrscheinlichkeit {values} der Pixel gelöscht.",
    "words.at": "{p:.2f} mit {percent:.0f} %",
    "words.rho": "{method}, Rangkorrelation mit der Map des trainierten Modells über die Zahl "
                 "der zufällig gemachten Stufen",
    "words.trained": "{method}, trainiertes Modell",
    "words.randomized": "{method}, zufällig bis {stage}",
    "words.depth": "Grad-CAM bei {layer}",
    "words.class": "{method} für #{target} {name}",
    "words.grid": "Die {count} Feature-Maps von {layer} mit den größten Gewichten",
    "words.weights": "Kanalgewichte von {layer}",
})


def baseline_name(baseline: str, lang: str) -> str:
    """An IG baseline or replacement (black, white, noise, blurred) in ``lang``."""
    key = f"baseline.{baseline}"
    return T.text(key, lang) if key in T.words["en"] else str(baseline)


def method_title(result: Explanation, lang: str, separator: str = " ") -> str:
    """The method's name and its settings in ``lang``, e.g. "Integrated Gradients (black, 32
    steps)", "Grad-CAM @ layer4"; ``separator`` goes between them (a line break for two lines)."""
    if result.method == "integrated_gradients":
        extra = T.text("title.ig", lang, baseline=baseline_name(str(result.baseline), lang),
                       steps=result.steps)
    elif result.method in ("gradcam", "guided_gradcam"):
        extra = f"@ {result.layer}"
    elif result.method == "occlusion":
        extra = T.text("title.occlusion", lang, window=result.window, stride=result.stride)
    else:
        return METHOD_TITLES[result.method]
    return METHOD_TITLES[result.method] + separator + extra


def baseline_choices(baselines) -> list:
    """(label, value) pairs for the baseline dropdowns: the value stays the English name."""
    return [(T.label(f"baseline.{b}"), b) for b in baselines]
