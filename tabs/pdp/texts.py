"""The Partial dependence tab's words: labels for the browser, sentences the views write, and
what each feature of the Boston data means (``meaning_<NAME>``) with its axis label
(``feature_<NAME>``)."""

from __future__ import annotations

from core.tabular.shapley import BACKGROUND_SIZE, PERMUTATION_EVALS
from tabs.common.i18n import Texts

PREVIEW_ROWS = 10  # rows of the data preview (its label says how many)

#: feature → (meaning in English, in German, axis label in English, in German)
FEATURE_WORDS: dict[str, tuple[str, str, str, str]] = {
    "CRIM": (
        "Per-capita crime rate of the town (crimes per resident).",
        "Kriminalitätsrate der Stadt pro Kopf (Straftaten je Einwohner).",
        "CRIM: crime rate (per capita)",
        "CRIM: Kriminalitätsrate (pro Kopf)",
    ),
    "ZN": (
        "Share of residential land zoned for lots over 25,000 sq. ft. (in %).",
        "Anteil des Wohnbaulands für Grundstücke über 25.000 sq. ft. (in %).",
        "ZN: land for large lots (%)",
        "ZN: Bauland für große Grundstücke (%)",
    ),
    "INDUS": (
        "Share of the town's acres used by non-retail business (in %).",
        "Anteil der Fläche der Stadt für Gewerbe außer Einzelhandel (in %).",
        "INDUS: non-retail business land (%)",
        "INDUS: Gewerbefläche (%)",
    ),
    "CHAS": (
        "Charles River dummy: 1 if the tract borders the river, otherwise 0.",
        "Charles River: 1, wenn der Bezirk an den Fluss grenzt, sonst 0.",
        "CHAS: borders Charles River (0/1)",
        "CHAS: grenzt an Charles River (0/1)",
    ),
    "NOX": (
        "Nitric oxides concentration (parts per 10 million).",
        "Stickoxid-Konzentration (Teile pro 10 Millionen).",
        "NOX: nitric oxides (parts per 10 million)",
        "NOX: Stickoxide (Teile pro 10 Mio.)",
    ),
    "RM": (
        "Average number of rooms per dwelling.",
        "Durchschnittliche Anzahl der Zimmer pro Wohnung.",
        "RM: rooms per dwelling",
        "RM: Zimmer pro Wohnung",
    ),
    "AGE": (
        "Share of owner-occupied units built before 1940 (in %).",
        "Anteil der selbst bewohnten Häuser, die vor 1940 gebaut wurden (in %).",
        "AGE: built before 1940 (%)",
        "AGE: vor 1940 gebaut (%)",
    ),
    "DIS": (
        "Weighted distance to five Boston employment centres (distance index).",
        "Gewichtete Entfernung zu fünf Bostoner Arbeitszentren (Entfernungsindex).",
        "DIS: distance to job centres (index)",
        "DIS: Entfernung zu Arbeitszentren (Index)",
    ),
    "RAD": (
        "Index of accessibility to radial highways (1 = worst, 24 = best).",
        "Index der Erreichbarkeit von Ausfallstraßen (1 = schlecht, 24 = gut).",
        "RAD: highway access (index 1-24)",
        "RAD: Autobahnzugang (Index 1-24)",
    ),
    "TAX": (
        "Full-value property-tax rate (in $ per $10,000).",
        "Grundsteuersatz (in $ je 10.000 $ Wert).",
        "TAX: property tax ($ per $10,000)",
        "TAX: Grundsteuer ($ je 10.000 $)",
    ),
    "PTRATIO": (
        "Pupil-teacher ratio of the town (pupils per teacher).",
        "Schüler-Lehrer-Verhältnis der Stadt (Schüler je Lehrkraft).",
        "PTRATIO: pupils per teacher",
        "PTRATIO: Schüler je Lehrkraft",
    ),
    "B": (
        "1000·(Bk − 0.63)², where Bk is the share of Black residents of the town. An encoding "
        "of race; see the note on B. Left out by default.",
        "1000·(Bk − 0,63)², wobei Bk der Anteil schwarzer Einwohner der Stadt ist. Eine "
        "Kodierung von Herkunft; siehe den Hinweis zu B. Standardmäßig weggelassen.",
        "B: 1000·(Bk − 0.63)² (see note)",
        "B: 1000·(Bk − 0,63)² (siehe Hinweis)",
    ),
    "LSTAT": (
        "Share of the population with lower social status (in %).",
        "Anteil der Bevölkerung mit niedrigem sozialem Status (in %).",
        "LSTAT: lower-status population (%)",
        "LSTAT: niedriger Sozialstatus (%)",
    ),
}


T = Texts("pdp", en={
    # labels
    "intro": "How does a model's prediction of a Boston house price (MEDV, in $1000s) move when "
             "one or two features change? Random forest, gradient boosting and a small neural "
             "network (trained with PyTorch Lightning when the page first loads), all on the "
             "Boston housing data that ship with the lab.",
    "data_title": "Data and models: Boston housing (506 census tracts, 1970)",
    "note_on_b": (
        "**A note on the feature B.** The original data contain `B = 1000·(Bk − 0.63)²`, where "
        "*Bk* is the share of Black residents of the town. It encodes race, rests on a "
        "questionable assumption about segregation, and a model that uses it can reproduce "
        "discrimination; scikit-learn removed this data set for that reason. The lab trains "
        "**without B** by default and then offers B nowhere. Switch it on only to see what "
        "changes, and ask what a plot of B would be used for, and by whom."
    ),
    "drop_b": "Train without B",
    "features": "Features",
    "first_rows": f"First {PREVIEW_ROWS} rows",
    "tab_1d": "1D: PDP and ICE",
    "tab_2d": "2D: two features",
    "tab_compare": "Compare models",
    "tab_ale": "ALE vs PDP",
    "feature": "Feature",
    "feature_x": "Feature (x axis)",
    "feature_y": "Feature (y axis)",
    "model": "Model",
    "ice": "ICE curves (sampled rows)",
    "centered": "Centred ICE (all start at 0)",
    "grid_resolution": "Grid resolution",
    "run_1d": "Plot PDP and ICE",
    "method": "Method",
    "method_auto": "auto: recursion for the trees, brute for the network",
    "method_recursion": "recursion (fast, tree models only)",
    "method_brute": "brute: average over all rows (slow)",
    "run_2d": "Plot 2D PDP",
    "run_compare": "Compare all three models",
    "bins": "ALE bins (quantiles)",
    "run_ale": "Plot ALE next to the PDP",
    "tab_shap": "SHAP: each house",
    "house": "House (row of the test split)",
    "run_shap": "Explain with SHAP",
    "shap_how": (
        "**How the SHAP values are computed.** For the random forest and gradient boosting, "
        "shap's **TreeExplainer** computes them exactly (TreeSHAP); the trees' own record of "
        "the training rows stands for a missing feature. The neural network has no trees: "
        "shap's model-agnostic **PermutationExplainer** estimates them with "
        f"{PERMUTATION_EVALS} model calls per house, and a missing feature takes its values "
        f"from a **background sample of {BACKGROUND_SIZE} training rows drawn at random "
        "(seed 0)**. Either way, a house's SHAP values add up to its prediction minus the "
        "average prediction. Every test house is explained (the models never saw them)."
    ),
    "column_feature": "feature",
    "column_meaning": "meaning (unit)",
    "target_meaning": "Median value of owner-occupied homes (in $1000s, 1970 dollars); the target.",
    "target_label": "MEDV (in $1000s)",
    **{f"feature_{name}": words[2] for name, words in FEATURE_WORDS.items()},
    **{f"meaning_{name}": words[0] for name, words in FEATURE_WORDS.items()},
    # labels and sentences
    "model_random_forest": "Random forest",
    "model_gradient_boosting": "Gradient boosting",
    "model_neural_network": "Neural network (MLP)",
    # sentences
    "not_bool": "'Train without B' must be True or False, got {value!r}.",
    "split": "Trained on {train} rows, tested on the other {test} (fixed split and seed {seed}), "
             "**{b}**.",
    "with_b": "with B",
    "without_b": "without B",
    "scores_head": "| model | test R² | test MAE (MEDV in $1000s) |",
    "network": "The **neural network** is a multi-layer perceptron (hidden layers of {widths} "
               "SiLU units) on standardised features, trained with PyTorch Lightning (AdamW, "
               "mini-batches of {batch}) on {train} training rows; the other {validation} training "
               "rows decide when to stop (early stopping). It ran {epochs} epochs and kept the "
               "weights of epoch {best}; training took {seconds:.1f} s on the {device} (both tree "
               "models: {trees:.1f} s).",
    "and": " and ",
    "change": "change of the prediction",
    "average": "average prediction",
    "pdp_1d": "PDP ({what}) from **{start:.1f}** at {feature} = {low:.3g} to **{end:.1f}** at "
              "{feature} = {high:.3g} (MEDV in $1000s); {curves} ICE curves, {values} grid values.",
    "pdp_2d": "Predicted MEDV from **{low:.1f}** to **{high:.1f}** ($1000s) on a {rows} × "
              "{columns} grid ({method}); **{outside:.0f} %** of the grid has no training row "
              "nearby (hatched)",
    "inside": "; where the data are, from {low:.1f} to {high:.1f}.",
    "way_recursion": "recursion",
    "way_brute": "brute",
    "compare": "The {count} PDPs differ by at most **{spread:.2f}** ($1000s), at {feature} = "
               "{at:.3g} ({top} highest, {bottom} lowest), where **{near} of {rows}** training "
               "rows lie within ±{width:.2g}; on average they differ by {mean:.2f}.",
    "ale": "ALE over {bins} bins (quantiles of {feature}, {fewest}–{most} rows each); effect "
           "from {low:.1f} to {high:.1f} ($1000s).",
    "shap": "{explainer} for {model} on the {houses} test houses; {background}. Each "
            "house's SHAP values add up to its prediction minus the average prediction "
            "**{expected:.2f}** (largest difference {gap:.1g}).",
    "explainer_tree": "**Exact SHAP values** (shap's TreeExplainer)",
    "explainer_permutation": "**Estimated SHAP values** (shap's PermutationExplainer, {evals} "
                             "model calls per house)",
    "background_tree": "a missing feature is averaged over the {rows} training rows as the "
                       "trees recorded them",
    "background_permutation": "background: {rows} training rows drawn at random (seed {seed})",
    "shap_house": "**Tract #{tract}** (test row {position}) is predicted at **{prediction:.1f}** "
                  "(true price {price:.1f}): the average {expected:.1f}, moved most by {steps}.",
    "shap_dependence": "**{feature}**: the PDP (average effect) moves the prediction by "
                       "{pdp:.1f} over its grid; the houses' own SHAP values of {feature} range "
                       "from {low:.1f} to {high:.1f}. Colour: {partner}, the feature that best "
                       "explains how far houses with the same {feature} lie apart.",
    "summary_what": "Mean |SHAP value| per feature",
    "pdp_what": "PDP of {feature}",
    "dependence_what": "SHAP values of {feature}, from the lowest {feature} to the highest",
    "house_what": "Tract #{tract}, from the average prediction to its own",
    "words.pdp": "PDP of {feature} ({model}), predicted price in $1000s",
    "words.ice": "The {count} ICE curves end between {low:.3g} and {high:.3g}.",
    "words.ale": "ALE of {feature} ({model}), effect in $1000s",
    "words.2d": "2D PDP of {x} and {y} ({model}): highest {high:.3g} at {x} = {x_high:.3g}, "
                "{y} = {y_high:.3g}; lowest {low:.3g} at {x} = {x_low:.3g}, {y} = {y_low:.3g}.",
}, de={
    "intro": "Wie bewegt sich die Vorhersage eines Modells für einen Hauspreis in Boston (MEDV, "
             "in 1000 $), wenn sich ein oder zwei Merkmale ändern? Random Forest, Gradient "
             "Boosting und ein kleines neuronales Netz (mit PyTorch Lightning trainiert, wenn die "
             "Seite zum ersten Mal lädt), alle auf den Boston-Housing-Daten, die das Lab "
             "mitbringt.",
    "data_title": "Daten und Modelle: Boston Housing (506 Zählbezirke, 1970)",
    "note_on_b": (
        "**Ein Hinweis zum Merkmal B.** Die Originaldaten enthalten `B = 1000·(Bk − 0,63)²`, "
        "wobei *Bk* der Anteil schwarzer Einwohner der Stadt ist. Es kodiert Herkunft, beruht "
        "auf einer fragwürdigen Annahme über Segregation, und ein Modell, das es nutzt, kann "
        "Diskriminierung fortschreiben; scikit-learn hat den Datensatz deshalb entfernt. Das Lab "
        "trainiert standardmäßig **ohne B** und bietet B dann nirgends an. Schalte es nur ein, "
        "um zu sehen, was sich ändert, und frage dich, wofür ein Plot von B verwendet würde – "
        "und von wem."
    ),
    "drop_b": "Ohne B trainieren",
    "features": "Merkmale",
    "first_rows": f"Die ersten {PREVIEW_ROWS} Zeilen",
    "tab_1d": "1D: PDP und ICE",
    "tab_2d": "2D: zwei Merkmale",
    "tab_compare": "Modelle vergleichen",
    "tab_ale": "ALE vs. PDP",
    "feature": "Merkmal",
    "feature_x": "Merkmal (x-Achse)",
    "feature_y": "Merkmal (y-Achse)",
    "model": "Modell",
    "ice": "ICE-Kurven (zufällige Zeilen)",
    "centered": "Zentrierte ICE (alle beginnen bei 0)",
    "grid_resolution": "Gitterauflösung",
    "run_1d": "PDP und ICE zeichnen",
    "method": "Methode",
    "method_auto": "auto: Rekursion für die Bäume, Brute Force für das Netz",
    "method_recursion": "Rekursion (schnell, nur Baummodelle)",
    "method_brute": "Brute Force: Mittel über alle Zeilen (langsam)",
    "run_2d": "2D-PDP zeichnen",
    "run_compare": "Alle drei Modelle vergleichen",
    "bins": "ALE-Intervalle (Quantile)",
    "run_ale": "ALE neben dem PDP zeichnen",
    "tab_shap": "SHAP: jedes Haus",
    "house": "Haus (Zeile des Testteils)",
    "run_shap": "Mit SHAP erklären",
    "shap_how": (
        "**Wie die SHAP-Werte entstehen.** Für Random Forest und Gradient Boosting berechnet "
        "shaps **TreeExplainer** sie exakt (TreeSHAP); die Bäume merken sich, wie viele "
        "Trainingszeilen jeden Zweig nahmen, und das steht für ein fehlendes Merkmal. Das "
        "neuronale Netz hat keine Bäume: shaps modellunabhängiger **PermutationExplainer** "
        f"schätzt sie mit {PERMUTATION_EVALS} Modellaufrufen pro Haus, und ein fehlendes Merkmal "
        f"nimmt seine Werte aus einer **Hintergrundstichprobe von {BACKGROUND_SIZE} zufällig "
        "gezogenen Trainingszeilen (Seed 0)**. In beiden Fällen ergeben die SHAP-Werte eines "
        "Hauses zusammen seine Vorhersage minus die mittlere Vorhersage. Erklärt wird jedes "
        "Haus des Testteils (die Modelle haben keines davon gesehen)."
    ),
    "column_feature": "Merkmal",
    "column_meaning": "Bedeutung (Einheit)",
    "target_meaning": "Medianwert der selbst bewohnten Häuser (in 1000 $, Dollar von 1970); "
                      "die Zielgröße.",
    "target_label": "MEDV (in 1000 $)",
    **{f"feature_{name}": words[3] for name, words in FEATURE_WORDS.items()},
    **{f"meaning_{name}": words[1] for name, words in FEATURE_WORDS.items()},
    "model_random_forest": "Random Forest",
    "model_gradient_boosting": "Gradient Boosting",
    "model_neural_network": "Neuronales Netz (MLP)",
    "not_bool": "„Ohne B trainieren“ muss True oder False sein, nicht {value!r}.",
    "split": "Trainiert auf {train} Zeilen, getestet auf den übrigen {test} (feste Aufteilung und "
             "Seed {seed}), **{b}**.",
    "with_b": "mit B",
    "without_b": "ohne B",
    "scores_head": "| Modell | Test-R² | Test-MAE (MEDV in 1000 $) |",
    "network": "Das **neuronale Netz** ist ein mehrschichtiges Perzeptron (verborgene Schichten "
               "mit {widths} SiLU-Einheiten) auf standardisierten Merkmalen, trainiert mit "
               "PyTorch Lightning (AdamW, Mini-Batches mit {batch} Zeilen) auf {train} "
               "Trainingszeilen; die übrigen {validation} Trainingszeilen entscheiden, wann es "
               "aufhört (Early Stopping). Es lief {epochs} Epochen und behielt die Gewichte von "
               "Epoche {best}; das Training dauerte {seconds:.1f} s auf der {device} (beide "
               "Baummodelle: {trees:.1f} s).",
    "and": " und ",
    "change": "Änderung der Vorhersage",
    "average": "mittlere Vorhersage",
    "pdp_1d": "PDP ({what}) von **{start:.1f}** bei {feature} = {low:.3g} bis **{end:.1f}** bei "
              "{feature} = {high:.3g} (MEDV in 1000 $); {curves} ICE-Kurven, {values} "
              "Gitterwerte.",
    "pdp_2d": "Vorhergesagter MEDV von **{low:.1f}** bis **{high:.1f}** (1000 $) auf einem "
              "{rows} × {columns}-Gitter ({method}); **{outside:.0f} %** des Gitters haben keine "
              "Trainingszeile in der Nähe (schraffiert)",
    "inside": "; wo die Daten liegen, von {low:.1f} bis {high:.1f}.",
    "way_recursion": "Rekursion",
    "way_brute": "Brute Force",
    "compare": "Die {count} PDPs unterscheiden sich höchstens um **{spread:.2f}** (1000 $), bei "
               "{feature} = {at:.3g} ({top} am höchsten, {bottom} am niedrigsten), wo **{near} "
               "von {rows}** Trainingszeilen innerhalb von ±{width:.2g} liegen; im Mittel "
               "unterscheiden sie sich um {mean:.2f}.",
    "ale": "ALE über {bins} Intervalle (Quantile von {feature}, je {fewest}–{most} Zeilen); "
           "Effekt von {low:.1f} bis {high:.1f} (1000 $).",
    "shap": "{explainer} für das Modell {model} auf den {houses} Testhäusern; {background}. "
            "Die SHAP-Werte jedes Hauses ergeben zusammen seine Vorhersage minus die mittlere "
            "Vorhersage **{expected:.2f}** (größte Abweichung {gap:.1g}).",
    "explainer_tree": "**Exakte SHAP-Werte** (shaps TreeExplainer)",
    "explainer_permutation": "**Geschätzte SHAP-Werte** (shaps PermutationExplainer, {evals} "
                             "Modellaufrufe pro Haus)",
    "background_tree": "ein fehlendes Merkmal wird über die {rows} Trainingszeilen gemittelt, "
                       "so wie die Bäume sie sich gemerkt haben",
    "background_permutation": "Hintergrund: {rows} zufällig gezogene Trainingszeilen (Seed "
                              "{seed})",
    "shap_house": "**Bezirk #{tract}** (Testzeile {position}) wird auf **{prediction:.1f}** "
                  "geschätzt (wahrer Preis {price:.1f}): der Mittelwert {expected:.1f}, am "
                  "stärksten verschoben durch {steps}.",
    "shap_dependence": "**{feature}**: Der PDP (mittlerer Effekt) verschiebt die Vorhersage "
                       "über sein Gitter um {pdp:.1f}; die eigenen SHAP-Werte der Häuser für "
                       "{feature} reichen von {low:.1f} bis {high:.1f}. Farbe: {partner}, das "
                       "Merkmal, das am besten erklärt, wie weit Häuser mit gleichem {feature} "
                       "auseinanderliegen.",
    "summary_what": "Mittlerer |SHAP-Wert| je Merkmal",
    "pdp_what": "PDP von {feature}",
    "dependence_what": "SHAP-Werte von {feature}, vom kleinsten {feature} zum größten",
    "house_what": "Bezirk #{tract}, von der mittleren Vorhersage zu seiner eigenen",
    "words.pdp": "PDP von {feature} ({model}), vorhergesagter Preis in 1000 $",
    "words.ice": "Die {count} ICE-Kurven enden zwischen {low:.3g} und {high:.3g}.",
    "words.ale": "ALE von {feature} ({model}), Effekt in 1000 $",
    "words.2d": "2D-PDP von {x} und {y} ({model}): am höchsten {high:.3g} bei {x} = "
                "{x_high:.3g}, {y} = {y_high:.3g}; am niedrigsten {low:.3g} bei {x} = "
                "{x_low:.3g}, {y} = {y_low:.3g}.",
})


def feature_label(feature: str, lang: str) -> str:
    """The short axis label with unit of ``feature`` (e.g. "RM: rooms per dwelling") in
    ``lang``; the name itself for a feature the data do not have."""
    return T.text(f"feature_{feature}", lang) if feature in FEATURE_WORDS else feature
