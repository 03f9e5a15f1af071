"""The Filter ascent tab's words: labels for the browser, sentences the handlers write."""

from __future__ import annotations

from tabs.common.i18n import Texts

T = Texts("ascent", en={
    # labels
    "filters": "Filters",
    "filters_info": "one index (5), a range (0-15), a list (3, 7, 9) or 'first 64'",
    "method": "Method",
    "mode_notebook": "notebook (seed 000)",
    "mode_regularized": "regularized (Olah et al. 2017)",
    "name_notebook": "notebook",
    "name_regularized": "regularized",
    "notebook_params": "Notebook parameters",
    "regularized_params": "Regularized parameters",
    "image": "Image",
    "steps": "Steps",
    "step_size": "Step size",
    "adam_steps": "Steps (Adam)",
    "lr": "Learning rate",
    "variants": "Variants per filter",
    "diversity": "Diversity weight (needs ≥ 2 variants)",
    "size": "Image size (px)",
    "border": "Border left out of the loss (px)",
    "crop": "Crop per side when showing (px)",
    "seed": "Random seed",
    "run": "Visualize filters",
    "cancel": "Cancel",
    "grid_intro": "**What each filter wants to see** — tiles appear as filters finish; each "
                  "shows its filter number and final mean activation. Click one.",
    "grid": "Filter grid",
    "download": "Download grid (PNG)",
    "selected": "Selected filter",
    "compare_filter": "Filter to compare",
    "versus": "Notebook vs regularized",
    "across": "Same filter: early, middle, deep layer",
    "pair": "Notebook (left) vs regularized (right)",
    "depths": "Early · middle · deep",
    "losses": "Mean activation over the steps",
    "weights": "Weights of the layer",
    "kernels": "First conv layer's kernels",
    # sentences
    "weights_head": "**{layer}** ({kind}) outputs {maps} feature maps; it holds {parameters} "
                    "parameters.",
    "weights_shapes": "Convolution weights (filters × input channels × height × width):",
    "weights_more": "- … and {count} more",
    "weights_none": "It has no convolution weights of its own (an activation, norm or pooling).",
    "kernels_below": "Below: the {count} kernels of the first conv layer `{stem}` as RGB patches "
                     "(grey = 0, bright/colour = positive).",
    "method_notebook": "notebook: {steps} steps of size {step_size:g} on the RMS-normalised "
                       "gradient, raw input (no ImageNet normalisation), as in the seed",
    "method_regularized": "regularized: {steps} Adam steps (lr {lr:g}) on a Fourier image with "
                          "decorrelated colours, jitter/scale/rotation",
    "progress": "**{model} · {layer}** — {method}. {done}/{total} filters done",
    "final": "; final mean activation {mean:.3g} (min {low:.3g}, max {high:.3g})",
    "click": ". Click a tile to enlarge it.",
    "stopped": "Stopped.",
    "stopped_after": "Stopped after {done} of {total} filters.",
    "stopped_before": "Stopped before the first filter finished.",
    "tile": "Filter {filter} of {layer} ({mode}): mean activation {start:.3g} at the start → "
            "{end:.3g} at the end.",
    "modes": "Filter {filter} of {layer}. Left, notebook: activation {notebook:.3g}. Right, "
             "regularized: activation {regularized:.3g}.",
    "depth_early": "early",
    "depth_middle": "middle",
    "depth_deep": "deep",
    "depth_caption": "{depth}: {layer} · filter {filter} · activation {activation:.3g}",
    "depth_missing": "Filter {index} does not exist in the {depth} layer {layer} ({channels} "
                     "filters); choose 0 to {last} to compare.",
    "grid_words": "Filter ascent in {layer} ({mode})",
    "loss_words": "Mean activation of the {count} filters over the steps",
    "kernel_words": "Kernels of the first conv layer {stem}",
}, de={
    "filters": "Filter",
    "filters_info": "ein Index (5), ein Bereich (0-15), eine Liste (3, 7, 9) oder 'first 64'",
    "method": "Methode",
    "mode_notebook": "Notebook (Seed 000)",
    "mode_regularized": "regularisiert (Olah et al. 2017)",
    "name_notebook": "Notebook",
    "name_regularized": "regularisiert",
    "notebook_params": "Parameter der Notebook-Methode",
    "regularized_params": "Parameter der regularisierten Methode",
    "image": "Bild",
    "steps": "Schritte",
    "step_size": "Schrittweite",
    "adam_steps": "Schritte (Adam)",
    "lr": "Lernrate",
    "variants": "Varianten pro Filter",
    "diversity": "Gewicht der Vielfalt (braucht ≥ 2 Varianten)",
    "size": "Bildgröße (px)",
    "border": "Rand, der im Loss nicht zählt (px)",
    "crop": "Beschnitt pro Seite in der Anzeige (px)",
    "seed": "Zufalls-Seed",
    "run": "Filter visualisieren",
    "cancel": "Abbrechen",
    "grid_intro": "**Was jeder Filter sehen will** – die Kacheln erscheinen, sobald ihr Filter "
                  "fertig ist; jede zeigt die Filternummer und die mittlere Aktivierung am Ende. "
                  "Klicke eine an.",
    "grid": "Filterraster",
    "download": "Raster herunterladen (PNG)",
    "selected": "Gewählter Filter",
    "compare_filter": "Filter zum Vergleichen",
    "versus": "Notebook vs. regularisiert",
    "across": "Gleicher Filter: frühe, mittlere, tiefe Schicht",
    "pair": "Notebook (links) vs. regularisiert (rechts)",
    "depths": "Früh · mittel · tief",
    "losses": "Mittlere Aktivierung über die Schritte",
    "weights": "Gewichte der Schicht",
    "kernels": "Kernels der ersten Faltungsschicht",
    "weights_head": "**{layer}** ({kind}) gibt {maps} Feature-Maps aus und hat {parameters} "
                    "Parameter.",
    "weights_shapes": "Faltungsgewichte (Filter × Eingangskanäle × Höhe × Breite):",
    "weights_more": "- … und {count} weitere",
    "weights_none": "Sie hat keine eigenen Faltungsgewichte (eine Aktivierung, Normierung oder "
                    "ein Pooling).",
    "kernels_below": "Unten: die {count} Kernels der ersten Faltungsschicht `{stem}` als "
                     "RGB-Flecken (grau = 0, hell/farbig = positiv).",
    "method_notebook": "Notebook: {steps} Schritte der Größe {step_size:g} auf dem "
                       "RMS-normierten Gradienten, rohe Eingabe (ohne ImageNet-Normalisierung), "
                       "wie im Seed",
    "method_regularized": "regularisiert: {steps} Adam-Schritte (lr {lr:g}) auf einem "
                          "Fourier-Bild mit dekorrelierten Farben, Verschieben/Skalieren/Drehen",
    "progress": "**{model} · {layer}** – {method}. {done}/{total} Filter fertig",
    "final": "; mittlere Aktivierung am Ende {mean:.3g} (min. {low:.3g}, max. {high:.3g})",
    "click": ". Klicke auf eine Kachel, um sie zu vergrößern.",
    "stopped": "Angehalten.",
    "stopped_after": "Angehalten nach {done} von {total} Filtern.",
    "stopped_before": "Angehalten, bevor der erste Filter fertig war.",
    "tile": "Filter {filter} von {layer} ({mode}): mittlere Aktivierung {start:.3g} am Anfang → "
            "{end:.3g} am Ende.",
    "modes": "Filter {filter} von {layer}. Links, Notebook: Aktivierung {notebook:.3g}. Rechts, "
             "regularisiert: Aktivierung {regularized:.3g}.",
    "depth_early": "früh",
    "depth_middle": "mittel",
    "depth_deep": "tief",
    "depth_caption": "{depth}: {layer} · Filter {filter} · Aktivierung {activation:.3g}",
    "depth_missing": "Filter {index} gibt es in der Schicht {layer} ({depth}, {channels} Filter) "
                     "nicht; wähle für den Vergleich 0 bis {last}.",
    "grid_words": "Filter-Aufstieg in {layer} ({mode})",
    "loss_words": "Mittlere Aktivierung der {count} Filter über die Schritte",
    "kernel_words": "Kernels der ersten Faltungsschicht {stem}",
})
