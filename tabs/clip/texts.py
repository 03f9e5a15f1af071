"""The CLIP tab's words in English and German: the layout's labels (``T.label``) and the
tables, sentences and warnings the handlers write in the request's language (``T.text``).
The descriptions themselves stay English: CLIP was trained on English captions."""

from __future__ import annotations

from core.clip import METHOD_TITLES
from core.clip.tokens import MAX_DESCRIPTIONS
from tabs.common.i18n import Texts

T = Texts("clip", en={
    # the layout
    "model": "CLIP model",
    "descriptions": f"Descriptions, one per line (at most {MAX_DESCRIPTIONS})",
    "score": "Score the descriptions",
    "tab.similarity": "Similarity",
    "tab.zero_shot": "Zero-shot vs CNN",
    "cnn": "CNN to compare with",
    "classify": "Classify into the 1000 ImageNet classes",
    "clip_top": "CLIP zero-shot top-5",
    "cnn_top": "CNN top-5",
    "tab.words": "Words and regions",
    "chosen": "Description for the image maps",
    "layers": "Chefer et al.: accumulate over",
    "layers.all": "all layers",
    "layers.last": "last layer only",
    "method": "Token importance by",
    "method.attention": "1 · raw attention (as on the slides)",
    "method.chefer": "2 · Chefer et al. 2021 (gradient × attention)",
    "method.grad_eclip": "3 · Grad-ECLIP (Zhao et al. 2024)",
    "explain": "Explain",
    "opacity": "Overlay opacity",
    "maps": "Image maps",
    "chart": "Softmax probability of each description",
    "agree.plot": "Deletion curves of the three methods",
    "tab.agree": "Do the explanations agree?",
    "check": "Check the top description",
    # what the handlers write
    "no_model": "**No CLIP model is registered in this lab.**",
    "unusable": "⚠️ **{title} cannot be used here.** {error} The other tabs keep working with "
                "their models.",
    "bad_layers": "Choose one of: {choices} for Chefer's accumulation.",
    "cut": "Description {row} (“{text}”) has {count} tokens, but CLIP reads at most {context} "
           "(start and end token included): everything after “…{last}” was cut off.",
    "table.head": "| rank | description | cosine similarity | logit (× {scale:.0f}) "
                  "| probability |",
    "softmax": "The probability is a softmax over *these* descriptions only: add or remove one "
               "and every probability changes, while the cosine of the others stays the same.",
    "zero_shot": "CLIP compared the image with 1000 sentences “{prompt}” — one per ImageNet class "
                 "— in {seconds:.2f} s (the sentences are encoded once per model and cached). "
                 "{cnn} was trained on exactly these 1000 classes with labels; CLIP never saw an "
                 "ImageNet label, only pictures with captions from the web.",
    "start_share": "the end token pays {share:.0%} of its last-layer attention to the start token "
                   "(left out above)",
    "row": "#{rank} · p = {p:.1%} · cos {cosine:.3f} · {count} tokens",
    "maps.text": "Maps for **“{description}”** (cosine {cosine:.3f}). CLIP cuts the image into "
                 "{side}×{side} patches; each map gives every patch one value, stretched over the "
                 "picture and scaled on its own (bright yellow = most relevant *for this map*, see "
                 "the colour bar). The two "
                 "attention maps are the same for every description — they do not depend on the "
                 "text at all; Chefer and Grad-ECLIP follow the gradient of this description's "
                 "score.",
    "agree.progress": "Explaining the top description with every method…",
    "agree.top": "Top description: **“{description}”**\n",
    "agree.head": "| methods compared | ρ over the words | ρ over the image patches |",
    "agree.pair": "{a} vs {b}",
    "spearman": "\nSpearman's ρ: +1 = same order of importance, 0 = unrelated, −1 = reversed "
                "(n/a: a method gave every word the same score).",
    "deletion": "Area under the deletion curve (lower = the similarity falls faster): {areas} · "
                "random order {random:.3f}. ",
    "faster": "Faster than random: {methods}.",
    "not_faster": "No map beats random order here: none of them found what the score depends on.",
    "filled": " Removed patches are filled with CLIP's mean colour.",
    "cancel": "Cancel",
    "part.tokens": "word highlights ({method})",
    "partial": "{done} of {total} ready; still computing: {pending}…",
    "stopped": "Stopped: {done} of {total} were computed.",
    **{f"title.{method}": title for method, title in METHOD_TITLES.items()},
    "words.chart": "Probability per description (of {count}), best first: {best}.",
    "words.score": "“{text}” {p:.1f} % (cosine {cosine:.3f})",
    "words.map": "{method} for “{description}”",
    "words.deletion": "{method}, cosine over % of the patches removed",
}, de={
    "model": "CLIP-Modell",
    "descriptions": f"Beschreibungen, eine pro Zeile (höchstens {MAX_DESCRIPTIONS}; CLIP versteht "
                    "Englisch)",
    "score": "Beschreibungen bewerten",
    "tab.similarity": "Ähnlichkeit",
    "tab.zero_shot": "Zero-Shot vs. CNN",
    "cnn": "CNN zum Vergleich",
    "classify": "In die 1000 ImageNet-Klassen einordnen",
    "clip_top": "CLIP Zero-Shot: Top 5",
    "cnn_top": "CNN: Top 5",
    "tab.words": "Wörter und Bildbereiche",
    "chosen": "Beschreibung für die Bildkarten",
    "layers": "Chefer et al.: aufsummieren über",
    "layers.all": "alle Schichten",
    "layers.last": "nur die letzte Schicht",
    "method": "Token-Wichtigkeit nach",
    "method.attention": "1 · rohe Attention (wie auf den Folien)",
    "method.chefer": "2 · Chefer et al. 2021 (Gradient × Attention)",
    "method.grad_eclip": "3 · Grad-ECLIP (Zhao et al. 2024)",
    "explain": "Erklären",
    "opacity": "Deckkraft der Überlagerung",
    "maps": "Bildkarten",
    "chart": "Softmax-Wahrscheinlichkeit jeder Beschreibung",
    "agree.plot": "Löschkurven der drei Methoden",
    "tab.agree": "Stimmen die Erklärungen überein?",
    "check": "Die beste Beschreibung prüfen",
    "no_model": "**In diesem Lab ist kein CLIP-Modell eingetragen.**",
    "unusable": "⚠️ **{title} kann hier nicht benutzt werden.** {error} Die anderen Tabs "
                "funktionieren mit ihren Modellen weiter.",
    "bad_layers": "Wähle für Chefers Aufsummieren eines von: {choices}.",
    "cut": "Beschreibung {row} („{text}“) hat {count} Tokens, CLIP liest aber höchstens {context} "
           "(Start- und End-Token mitgezählt): Alles nach „…{last}“ wurde abgeschnitten.",
    "table.head": "| Rang | Beschreibung | Kosinus-Ähnlichkeit | Logit (× {scale:.0f}) | "
                  "Wahrscheinlichkeit |",
    "softmax": "Die Wahrscheinlichkeit ist ein Softmax nur über *diese* Beschreibungen: Füge eine "
               "hinzu oder entferne eine, und jede Wahrscheinlichkeit ändert sich, während der "
               "Kosinus der anderen gleich bleibt.",
    "zero_shot": "CLIP hat das Bild mit 1000 Sätzen „{prompt}“ verglichen — einem pro "
                 "ImageNet-Klasse — in {seconds:.2f} s (die Sätze werden einmal pro Modell kodiert "
                 "und zwischengespeichert). {cnn} wurde mit Labels auf genau diese 1000 Klassen "
                 "trainiert; CLIP hat nie ein ImageNet-Label gesehen, nur Bilder mit "
                 "Bildunterschriften aus dem Netz.",
    "start_share": "das End-Token gibt {share:.0%} seiner Attention in der letzten Schicht an das "
                   "Start-Token (oben weggelassen)",
    "row": "#{rank} · p = {p:.1%} · cos {cosine:.3f} · {count} Tokens",
    "maps.text": "Karten für **„{description}“** (Kosinus {cosine:.3f}). CLIP zerlegt das Bild in "
                 "{side}×{side} Felder; jede Karte gibt jedem Feld einen Wert, über das Bild "
                 "gestreckt und für sich skaliert (hellgelb = am wichtigsten *für diese Karte*, "
                 "siehe Farbleiste). Die "
                 "beiden Attention-Karten sind für jede Beschreibung gleich — sie hängen gar nicht "
                 "vom Text ab; Chefer und Grad-ECLIP folgen dem Gradienten des Werts dieser "
                 "Beschreibung.",
    "agree.progress": "Erkläre die beste Beschreibung mit jeder Methode …",
    "agree.top": "Beste Beschreibung: **„{description}“**\n",
    "agree.head": "| verglichene Methoden | ρ über die Wörter | ρ über die Bildfelder |",
    "agree.pair": "{a} vs. {b}",
    "spearman": "\nSpearmans ρ: +1 = gleiche Reihenfolge der Wichtigkeit, 0 = kein Zusammenhang, "
                "−1 = umgekehrt (n/a: eine Methode gab jedem Wort denselben Wert).",
    "deletion": "Fläche unter der Löschkurve (kleiner = die Ähnlichkeit fällt schneller): "
                "{areas} · zufällige Reihenfolge {random:.3f}. ",
    "faster": "Schneller als zufällig: {methods}.",
    "not_faster": "Keine Karte schlägt hier die zufällige Reihenfolge: Keine hat gefunden, wovon "
                  "der Wert abhängt.",
    "filled": " Entfernte Felder werden mit CLIPs mittlerer Farbe gefüllt.",
    "cancel": "Abbrechen",
    "part.tokens": "Wort-Markierungen ({method})",
    "partial": "{done} von {total} fertig; noch in Arbeit: {pending} …",
    "stopped": "Angehalten: {done} von {total} wurden berechnet.",
    "title.attention": "Rohe Attention (letzte Schicht)",
    "title.rollout": "Attention Rollout",
    "title.chefer": "Chefer et al. 2021",
    "title.grad_eclip": "Grad-ECLIP",
    "words.chart": "Wahrscheinlichkeit je Beschreibung (von {count}), die beste zuerst: "
                   "{best}.",
    "words.score": "„{text}“ {p:.1f} % (Kosinus {cosine:.3f})",
    "words.map": "{method} für „{description}“",
    "words.deletion": "{method}, Kosinus über % entfernte Patches",
})
