"""The Counterfactual tab's words in English and German: the layout's labels (``T.label``) and
the sentences, tables and warnings the handlers write in the request's language (``T.text``).
The pictures' words live with their drawing (:mod:`tabs.counterfactual.render`)."""

from __future__ import annotations

from core.counterfactual import MAX_STEPS
from tabs.common.i18n import Texts

T = Texts("counterfactual", en={
    # the layout
    "model": "Model",
    "sees": "The model sees (top 5)",
    "target": "Target",
    "kind.dog": "any dog",
    "kind.class": "one class",
    "kind.other": "any class but the current one",
    "class_index": "Target class index (for 'one class')",
    "search": "Search a class name",
    "search.example": "collie",
    "find": "Find",
    "matches": "Matching classes (#index name)",
    "what_counts": "What counts as the target",
    "tab.pixel": "1 · Pixel optimisation (Wachter)",
    "region": "Region (paint)",
    "use_region": "Only change the painted region (paint on the image at the left)",
    "by_numbers": "Region by numbers (instead of painting, e.g. with the keyboard)",
    "by_numbers.intro": "A rectangle in percent of the image, measured from its top left "
                        "corner. Marking it replaces the painting and switches the region on.",
    "rect.left": "Left edge (%)",
    "rect.top": "Top edge (%)",
    "rect.width": "Width (%)",
    "rect.height": "Height (%)",
    "rect.mark": "Mark this rectangle",
    "weight": "Proximity weight λ (≥ 0)",
    "distance": "Distance",
    "smoothness": "Smoothness (total variation) weight",
    "step_size": "Step size (grey levels)",
    "max_steps": f"Maximum steps (1–{MAX_STEPS})",
    "threshold": "Stop at target probability",
    "seed": "Random seed",
    "run": "Find the counterfactual",
    "cancel": "Cancel",
    "live": "The image as it changes",
    "curves": "Per step: probability of the original class and of the target (see legend)",
    "curves.x": "gradient steps",
    "curves.y": "probability",
    "curves.legend": "class",
    "compare": "Original · counterfactual · difference",
    "slider": "Before / after (drag)",
    "final": "Counterfactual: top 5",
    "gradcam.intro": "**Grad-CAM on the counterfactual**, for the original class and for the "
                     "target class: does the evidence for the dog sit on anything dog-like?",
    "gradcam": "Grad-CAM on the counterfactual",
    "tab.swap": "2 · Region swap from a dog photo (Goyal)",
    "max_cells": "At most this many cells",
    "candidates": "Pairs evaluated exactly per step",
    "swap.run": "Swap regions",
    "swap.cells": "Swapped cells",
    "swap.curve": "Target probability after each swapped cell",
    "swap.final": "After the swap: top 5",
    "tab.tradeoff": "3 · Trade-off",
    "weights": "Proximity weights (comma-separated, up to 8; the other settings come from tab 1)",
    "sweep": "Run all weights in one batch",
    "sweep.row": "One counterfactual per weight",
    "sweep.plot": "Distance and target probability per proximity weight",
    # the curves' series (the values of the LinePlot's "class" column)
    "curve.original": "original class",
    "curve.target": "target",
    # what the handlers write
    "must_leave": "The model sees **{label}** (#{index}, p = {p:.2f}): the counterfactual must "
                  "leave it.",
    "no_class": "Type a class index or search a name.",
    "target.one": "Target: **#{index} {name}**.",
    "target.other": "Target: **any class but the one the model sees now**.",
    "target.dogs": "Target: **any dog**, the {count} ImageNet dog breeds #{first}–#{last} together "
                   "(their probabilities are added up):\n\n{names}",
    "name.dog": "any dog",
    "name.other": "any class but #{index} {name}",
    "rect.marked": "Marked a rectangle of {width} × {height} pixels ({share:.0f} % of the "
                   "image), {left} px from the left and {top} px from the top edge. Only this "
                   "region may change now; go on with “Find the counterfactual”.",
    "stopped": "Stopped.",
    "stopped.after": "Stopped after {steps} steps.",
    "pixel.start": "Optimising towards {target} on {model}…",
    "pixel.step": "Step {step} of at most {most}: p({target}) = {p_target:.3f}, p({original}) = "
                  "{p_original:.3f}, distance {distance:.2f} grey levels ({kind}).",
    "pixel.checks": "The counterfactual image, shown to a second model, compressed as JPEG and "
                    "shifted by 2 pixels.",
    "sweep.start": "Optimising every weight in one batch…",
    "sweep.step": "Step {step}: p({target}) of the weights still running — {running}",
    "sweep.head": "| λ | steps | switched? | top class | p(target) | L2 | L∞ | pixels changed |",
    "sweep.foot": "Target: {target}; distances in grey levels.",
    "yes": "yes",
    "no": "no",
    "swap.start": "Searching cells that make {model} say {target}…",
    "swap.step": "{step} cells swapped (at most {most}): p({target}) = {p:.2f}, the model says "
                 "{top}.",
    "swap.checks": "The same cell pairs swapped in a second model's grid, and on both pictures "
                   "compressed as JPEG or shifted.",
    # the result sentences and tables (tabs.counterfactual.describe)
    "answer.switched": "**Switched to {top} after {steps} steps**: p({target}) = {p:.2f} ≥ "
                       "{threshold:g}.",
    "answer.reached": "**Reached p({target}) = {p:.2f} after {steps} steps**, but the single most "
                      "likely class is still {top}.",
    "answer.missed": "**Did not switch within {budget} steps**; the closest it got was "
                     "p({target}) = {closest:.2f}. The model now says {top}.",
    "answer.fragile": " The optimisation reached {closest:.2f}, but rounding to 8-bit pixels "
                      "brought it back to {p:.2f}: the change was that fragile.",
    "distances": "Distance to the original, in grey levels (0–255): **L2 {rms:.2f}** (root mean "
                 "square per value; Euclidean norm {norm:.0f}), **L∞ {linf:.0f}** (largest change "
                 "of one value), L1 {l1:.2f} per value; **{changed:.1f} % of the pixels** changed "
                 "by more than 2 levels.{region}",
    "distances.region": " Only the painted region ({share:.0f} % of the image) could change.",
    "setting": "λ = {weight:g} ({kind}), smoothness {smoothness:g}, step size {step:g} grey "
               "levels, at most {most} steps, seed {seed}",
    "cached": "from the cache",
    "start": "Start: *{original}* · target: {target} · {setting} · {timing}.",
    "checks.title": "**Is it real or is it noise?** {what}",
    "checks.head": "| check | the model says | p({target}) | still the target? |",
    "checks.summary": "{passed} of {ran} checks keep the target. A change that only works for "
                      "these exact pixels and this one model is an adversarial example, not an "
                      "explanation.",
    "check.second": "second model",
    "check.second_model": "second model ({model})",
    "check.jpeg": "JPEG, quality {quality}",
    "check.shift": "{shift}-pixel shift",
    "skip.no_second_model": "No second model with weights available here: the check needs the "
                            "weights of another classifier with the same classes ({wanted}).",
    "skip.another": "another classifier",
    "skip.grid": "{model}'s layer {layer} has a {rows}×{columns} grid, not "
                 "{expected_rows}×{expected_columns}: the same cells cannot be swapped.",
    "skip.head": "After layer '{layer}' the network does not work on that layer's output alone; "
                 "choose a model whose head follows its last block.",
    "swap.reached": "**{count} of {cells} cells** from the dog picture make the model say {top}: "
                    "p({target}) = {p:.2f}.",
    "swap.missed": "**Did not reach p({target}) ≥ {threshold:g} with {count} cells**; the closest "
                   "was {closest:.2f}, the model says {top}.",
    "swap.exhaustive": "every pair evaluated exactly (Goyal et al.'s exhaustive search)",
    "swap.estimate": "each step ranks all pairs by a first-order estimate and evaluates the best "
                     "candidates exactly",
    "swap.no_target": " Note: the model does not see the target in the second picture itself (it "
                      "says {dog}); choose a picture of the target.",
    "swap.summary": "{head}\n\nStart: *{original}*; second picture: {dog}.{note} Grid: "
                    "{rows}×{columns} cells of `{layer}` (one cell ≈ {cell_rows}×{cell_columns} of "
                    "{size}×{size} pixels); {search}; {seconds:.1f} s. Above: the start image "
                    "(left) and the second picture (right); the same number marks a swapped "
                    "pair, counted in the order found.",
    "words.curve": "Probability of the {series} over the steps",
    "words.compare": "Counterfactual against the original",
    "words.slider": "Original and counterfactual",
    "words.gradcam": "Grad-CAM for #{index} {name} on the counterfactual",
    "words.swap": "{count} of {cells} cells swapped, most in the {region}; the target's "
                  "probability goes from {start:.2f} to {end:.2f}.",
    "words.swap_none": "No cell swapped; the target's probability stays {start:.2f}.",
    "words.swap_curve": "Probability of {target} after each swapped cell",
    "words.point": "λ = {weight:g}: distance {distance:.2f}, probability {p:.2f}",
    "words.tradeoff": "Probability of {target} against the distance to the original: {points}.",
    "words.weight": "Weight λ = {weight:g}",
}, de={
    "model": "Modell",
    "sees": "Das Modell sieht (Top 5)",
    "target": "Ziel",
    "kind.dog": "irgendein Hund",
    "kind.class": "eine Klasse",
    "kind.other": "jede Klasse außer der jetzigen",
    "class_index": "Index der Zielklasse (für „eine Klasse“)",
    "search": "Klassennamen suchen (englisch)",
    "search.example": "collie",
    "find": "Suchen",
    "matches": "Passende Klassen (#Index Name)",
    "what_counts": "Was als Ziel zählt",
    "tab.pixel": "1 · Pixel-Optimierung (Wachter)",
    "region": "Region (malen)",
    "use_region": "Nur die gemalte Region ändern (male links auf das Bild)",
    "by_numbers": "Region per Zahlen (statt zu malen, z. B. mit der Tastatur)",
    "by_numbers.intro": "Ein Rechteck in Prozent des Bildes, gemessen von der linken oberen "
                        "Ecke. Markieren ersetzt das Gemalte und schaltet die Region ein.",
    "rect.left": "Linker Rand (%)",
    "rect.top": "Oberer Rand (%)",
    "rect.width": "Breite (%)",
    "rect.height": "Höhe (%)",
    "rect.mark": "Dieses Rechteck markieren",
    "weight": "Nähe-Gewicht λ (≥ 0)",
    "distance": "Abstand",
    "smoothness": "Gewicht der Glattheit (totale Variation)",
    "step_size": "Schrittweite (Graustufen)",
    "max_steps": f"Höchstens so viele Schritte (1–{MAX_STEPS})",
    "threshold": "Stopp bei Zielwahrscheinlichkeit",
    "seed": "Zufalls-Seed",
    "run": "Counterfactual finden",
    "cancel": "Abbrechen",
    "live": "Das Bild, während es sich ändert",
    "curves": "Pro Schritt: Wahrscheinlichkeit der Originalklasse und des Ziels (siehe Legende)",
    "curves.x": "Gradientenschritte",
    "curves.y": "Wahrscheinlichkeit",
    "curves.legend": "Klasse",
    "compare": "Original · Counterfactual · Differenz",
    "slider": "Vorher / nachher (ziehen)",
    "final": "Counterfactual: Top 5",
    "gradcam.intro": "**Grad-CAM auf dem Counterfactual**, für die Originalklasse und für die "
                     "Zielklasse: Liegt der Beleg für den Hund auf etwas, das nach Hund aussieht?",
    "gradcam": "Grad-CAM auf dem Counterfactual",
    "tab.swap": "2 · Regionen aus einem Hundefoto tauschen (Goyal)",
    "max_cells": "Höchstens so viele Zellen",
    "candidates": "Pro Schritt exakt bewertete Paare",
    "swap.run": "Regionen tauschen",
    "swap.cells": "Getauschte Zellen",
    "swap.curve": "Zielwahrscheinlichkeit nach jeder getauschten Zelle",
    "swap.final": "Nach dem Tausch: Top 5",
    "tab.tradeoff": "3 · Trade-off",
    "weights": "Nähe-Gewichte (durch Kommas getrennt, bis zu 8; die übrigen Einstellungen kommen "
               "aus Tab 1)",
    "sweep": "Alle Gewichte in einem Batch rechnen",
    "sweep.row": "Ein Counterfactual pro Gewicht",
    "sweep.plot": "Abstand und Zielwahrscheinlichkeit pro Nähe-Gewicht",
    "curve.original": "Originalklasse",
    "curve.target": "Ziel",
    "must_leave": "Das Modell sieht **{label}** (#{index}, p = {p:.2f}): Diese Klasse muss das "
                  "Counterfactual verlassen.",
    "no_class": "Gib einen Klassenindex ein oder suche einen Namen.",
    "target.one": "Ziel: **#{index} {name}**.",
    "target.other": "Ziel: **jede Klasse außer der, die das Modell jetzt sieht**.",
    "target.dogs": "Ziel: **irgendein Hund**, die {count} ImageNet-Hunderassen #{first}–#{last} "
                   "zusammen (ihre Wahrscheinlichkeiten werden addiert):\n\n{names}",
    "name.dog": "irgendein Hund",
    "name.other": "jede Klasse außer #{index} {name}",
    "rect.marked": "Rechteck von {width} × {height} Pixeln markiert ({share:.0f} % des Bildes), "
                   "{left} px vom linken und {top} px vom oberen Rand. Nur diese Region darf "
                   "sich jetzt ändern; weiter mit „Counterfactual finden“.",
    "stopped": "Abgebrochen.",
    "stopped.after": "Nach {steps} Schritten abgebrochen.",
    "pixel.start": "Optimiere in Richtung Ziel „{target}“ mit {model} …",
    "pixel.step": "Schritt {step} von höchstens {most}: p({target}) = {p_target:.3f}, "
                  "p({original}) = {p_original:.3f}, Abstand {distance:.2f} Graustufen ({kind}).",
    "pixel.checks": "Das Counterfactual, einem zweiten Modell gezeigt, als JPEG komprimiert und "
                    "um 2 Pixel verschoben.",
    "sweep.start": "Optimiere alle Gewichte in einem Batch …",
    "sweep.step": "Schritt {step}: p({target}) der Gewichte, die noch laufen — {running}",
    "sweep.head": "| λ | Schritte | gewechselt? | Top-Klasse | p(Ziel) | L2 | L∞ | geänderte "
                  "Pixel |",
    "sweep.foot": "Ziel: {target}; Abstände in Graustufen.",
    "yes": "ja",
    "no": "nein",
    "swap.start": "Suche Zellen, die {model} zum Ziel „{target}“ führen …",
    "swap.step": "{step} Zellen getauscht (höchstens {most}): p({target}) = {p:.2f}, das Modell "
                 "sagt {top}.",
    "swap.checks": "Dieselben Zellpaare im Raster eines zweiten Modells getauscht, und auf beiden "
                   "Bildern nach JPEG-Kompression oder Verschiebung.",
    "answer.switched": "**Nach {steps} Schritten zu {top} gewechselt**: p({target}) = {p:.2f} ≥ "
                       "{threshold:g}.",
    "answer.reached": "**p({target}) = {p:.2f} nach {steps} Schritten erreicht**, aber die "
                      "wahrscheinlichste einzelne Klasse ist immer noch {top}.",
    "answer.missed": "**In {budget} Schritten kein Wechsel**; am nächsten dran war p({target}) = "
                     "{closest:.2f}. Das Modell sagt jetzt {top}.",
    "answer.fragile": " Die Optimierung erreichte {closest:.2f}, aber das Runden auf 8-Bit-Pixel "
                      "brachte es auf {p:.2f} zurück: So zerbrechlich war die Änderung.",
    "distances": "Abstand zum Original in Graustufen (0–255): **L2 {rms:.2f}** (Wurzel der "
                 "mittleren quadrierten Änderung pro Wert; euklidische Norm {norm:.0f}), **L∞ "
                 "{linf:.0f}** (größte Änderung eines Werts), L1 {l1:.2f} pro Wert; "
                 "**{changed:.1f} "
                 "% der Pixel** haben sich um mehr als 2 Stufen geändert.{region}",
    "distances.region": " Nur die gemalte Region ({share:.0f} % des Bildes) durfte sich ändern.",
    "setting": "λ = {weight:g} ({kind}), Glattheit {smoothness:g}, Schrittweite {step:g} "
               "Graustufen, höchstens {most} Schritte, Seed {seed}",
    "cached": "aus dem Cache",
    "start": "Start: *{original}* · Ziel: {target} · {setting} · {timing}.",
    "checks.title": "**Echt oder Rauschen?** {what}",
    "checks.head": "| Prüfung | das Modell sagt | p({target}) | noch das Ziel? |",
    "checks.summary": "{passed} von {ran} Prüfungen behalten das Ziel. Eine Änderung, die nur für "
                      "genau diese Pixel und genau dieses eine Modell wirkt, ist ein Adversarial "
                      "Example, keine Erklärung.",
    "check.second": "zweites Modell",
    "check.second_model": "zweites Modell ({model})",
    "check.jpeg": "JPEG, Qualität {quality}",
    "check.shift": "um {shift} Pixel verschoben",
    "skip.no_second_model": "Kein zweites Modell mit Gewichten verfügbar: Die Prüfung braucht die "
                            "Gewichte eines anderen Klassifikators mit denselben Klassen "
                            "({wanted}).",
    "skip.another": "ein anderer Klassifikator",
    "skip.grid": "Die Schicht {layer} von {model} hat ein Raster von {rows}×{columns}, nicht "
                 "{expected_rows}×{expected_columns}: dieselben Zellen lassen sich nicht "
                 "tauschen.",
    "skip.head": "Nach der Schicht '{layer}' arbeitet das Netz nicht allein mit der Ausgabe "
                 "dieser Schicht; wähle ein Modell, dessen Kopf direkt auf seinen letzten Block "
                 "folgt.",
    "swap.reached": "**{count} von {cells} Zellen** aus dem Hundebild bringen das Modell dazu, "
                    "{top} zu sagen: p({target}) = {p:.2f}.",
    "swap.missed": "**p({target}) ≥ {threshold:g} mit {count} Zellen nicht erreicht**; am nächsten "
                   "dran war {closest:.2f}, das Modell sagt {top}.",
    "swap.exhaustive": "jedes Paar exakt bewertet (die vollständige Suche von Goyal et al.)",
    "swap.estimate": "jeder Schritt ordnet alle Paare nach einer Schätzung erster Ordnung und "
                     "bewertet die besten Kandidaten exakt",
    "swap.no_target": " Achtung: Im zweiten Bild selbst sieht das Modell nicht das Ziel (es sagt "
                      "{dog}); wähle ein Bild des Ziels.",
    "swap.summary": "{head}\n\nStart: *{original}*; zweites Bild: {dog}.{note} Raster: "
                    "{rows}×{columns} Zellen von `{layer}` (eine Zelle ≈ "
                    "{cell_rows}×{cell_columns} "
                    "von {size}×{size} Pixeln); {search}; {seconds:.1f} s. Oben: das Startbild "
                    "(links) und das zweite Bild (rechts); dieselbe Zahl markiert ein getauschtes "
                    "Paar, nummeriert in der Reihenfolge, in der es gefunden wurde.",
    "words.curve": "Wahrscheinlichkeit: {series} über die Schritte",
    "words.compare": "Kontrafaktisches Bild im Vergleich zum Original",
    "words.slider": "Original und kontrafaktisches Bild",
    "words.gradcam": "Grad-CAM für #{index} {name} auf dem kontrafaktischen Bild",
    "words.swap": "{count} von {cells} Zellen getauscht, die meisten {region}; die "
                  "Wahrscheinlichkeit des Ziels geht von {start:.2f} auf {end:.2f}.",
    "words.swap_none": "Keine Zelle getauscht; die Wahrscheinlichkeit des Ziels bleibt "
                       "{start:.2f}.",
    "words.swap_curve": "Wahrscheinlichkeit von {target} nach jeder getauschten Zelle",
    "words.point": "λ = {weight:g}: Abstand {distance:.2f}, Wahrscheinlichkeit {p:.2f}",
    "words.tradeoff": "Wahrscheinlichkeit von {target} gegen den Abstand zum Original: "
                      "{points}.",
    "words.weight": "Gewicht λ = {weight:g}",
})
