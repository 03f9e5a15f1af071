"""The code behind the Partial dependence tab's views (:mod:`tabs.common.recipe`): scikit-learn's
``partial_dependence`` (PDP/ICE, 2D, the model comparison), ALE and SHAP on the lab's models,
trained as the lab trains them (same split, seeds and hyper-parameters), on the bundled Boston
data embedded in the notebook.

The random forest and gradient boosting are scikit-learn's; the lab's neural network is written
out (:func:`_network_cell`: the MLP, its Lightning module and the scikit-learn wrapper), so a
notebook trains the same weights. SHAP's permutation explainer for the network has no recipe
yet, and its panel says so with a sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.checks import InputError
from core.tabular import MODEL_NAMES
from core.tabular.boston import DEFAULT_DATA_PATH, TARGET
from core.tabular.mlp import NeuralNetworkRegressor
from core.tabular.pdp import ale_1d, check_feature, pdp_1d, pdp_2d
from core.tabular.shapley import one_house, shap_values
from core.tabular.training import TEST_SIZE, check_model
from tabs.common.i18n import Texts
from tabs.common.recipe import Cell, Recipe
from tabs.common.view import Call

if TYPE_CHECKING:
    from tabs.pdp.shap_view import Shap
    from tabs.pdp.views import Ale, Compare, Pdp1d, Pdp2d

SEED = 0
"""The seed of the lab's split, models and ICE rows (``tabs.pdp.views`` uses it)."""
COMPARE_GRID = 50
"""Grid values of the model comparison's PDPs (``tabs.pdp.views`` uses it)."""

C = Texts("pdp.code", en={
    "title": "Partial dependence of the {model} on {feature}",
    "intro": "How does the predicted house price (MEDV, in $1000s) change with {feature}? The "
             "PDP sets {feature} to each grid value in every training row and averages the "
             "predictions; each ICE curve follows one row. scikit-learn computes both.",
    "data": "# the Boston housing data the lab ships (embedded above as CSV text)",
    "drop_b": "# the lab leaves out B (a feature built from the share of Black residents)",
    "split": "# the lab's split: 75 % training rows, 25 % test rows, seed {seed}",
    "model": "# the lab's {model}, with its hyper-parameters and seed",
    "pdp": "# PDP and ICE on the training rows, {grid} grid values; {ice} rows drawn (seed "
           "{seed}) for the ICE curves",
    "centered": "# centred: every curve starts at 0 (the change from the first grid value)",
    "random_forest": "random forest", "gradient_boosting": "gradient boosting",
    "neural_network": "neural network",
    "shap.network": "The code panel covers SHAP for the random forest and gradient boosting; "
                    "the neural network's (shap's permutation explainer) is not written yet.",
    "compare.title": "Three models, one feature: the PDPs of {feature}",
    "compare.intro": "Do the random forest, gradient boosting and the neural network agree on "
                     "how the predicted price depends on {feature}? The three PDPs on one grid "
                     "(brute force, all training rows); they tend to part ways where few "
                     "training rows lie.",
    "compare.models": "# the lab's three models, with their hyper-parameters and seeds",
    "compare.spread": "# where the models disagree most: the largest gap between the curves",
    "compare.near": "# training rows near that value (within two grid steps)",
    "network.intro": "## The lab's neural network\nA small MLP (two hidden layers of 64 SiLU "
                     "units) on standardised features, trained with PyTorch Lightning: AdamW on "
                     "shuffled mini-batches, early stopping on held-out training rows, the best "
                     "epoch's weights kept. Wrapped as a scikit-learn regressor, so that "
                     "scikit-learn's PDP treats it like the trees. Every random draw comes from "
                     "the seed: the same weights as the lab's, bit for bit, on a CPU.",
    "network.threads": "# one thread, as the lab trains it (tiny matrices; the same rounding)",
    "network.best": '"""keeps the weights of the epoch with the lowest validation loss"""',
    "network.regressor": '"""the MLP with fit/predict: scikit-learn\'s tools take it like the '
                         'trees"""',

    "ylabel": "predicted MEDV ($1000s)",
    "title_2d": "Partial dependence of the {model} on {x} and {y}",
    "intro_2d": "How does the predicted house price change when {x} and {y} change together? "
                "The 2D PDP sets both features to every pair of grid values in every training "
                "row and averages the predictions; white dots are the training rows, and far "
                "from them the plot is extrapolation.",
    "pdp_2d": "# the 2D PDP on the training rows, method {method!r} (recursion walks the trees "
              "once; brute averages predictions)",
    "init": "# scikit-learn's recursion leaves out gradient boosting's constant first "
            "prediction: added back",
    "rows": "training rows",
    "shap.title": "SHAP values of the {model}",
    "shap.intro": "How much does each feature add to one house's predicted price? shap's "
                  "TreeExplainer computes the SHAP values of a tree model exactly "
                  "(path-dependent: the trees' own record of the training rows stands in for "
                  "the data). Every test house's prediction is the expected value plus its "
                  "SHAP values.",
    "shap.values": "# SHAP values (houses × features) for every house of the test split, which "
                   "the model never saw",
    "shap.check": "# expected value + SHAP values = prediction, for every house",
    "shap.figures": "## All features, one feature beside its values, one house",
    "shap.importance": "# the features by their mean |SHAP value|",
    "shap.house": "# house {house} of the test split: its prediction taken apart, largest "
                  "contribution first",
    "ale.title": "PDP and ALE of the {model} for {feature}",
    "ale.intro": "A PDP asks the model about every training row with {feature} set to every "
                 "grid value, also combinations that never occur when features are correlated. "
                 "Accumulated local effects (ALE, Apley & Zhu 2020) ask only about rows whose "
                 "{feature} lies in a small bin, and only how the prediction changes across "
                 "that bin; the changes are added up from the left. None of the course's "
                 "libraries has ALE, so it is written out here as the lab computes it.",
    "ale.edges": "# 1. bin edges: quantiles of the feature (repeated edges dropped)",
    "ale.local": "# 2. each row predicted at the upper and the lower edge of its own bin; the "
                 "mean difference per bin is the local effect",
    "ale.accumulate": "# 3. added up from the left, then centred: the mean over the data is 0",
    "ale.pdp": "# the PDP beside it (50 grid values), centred the same way for comparison",
    "centred": "centred effect on MEDV ($1000s)",
}, de={
    "title": "Partielle Abhängigkeit des Modells {model} von {feature}",
    "intro": "Wie ändert sich der vorhergesagte Hauspreis (MEDV, in 1000 $) mit {feature}? Der "
             "PDP setzt {feature} in jeder Trainingszeile auf jeden Gitterwert und mittelt die "
             "Vorhersagen; jede ICE-Kurve folgt einer Zeile. scikit-learn berechnet beides.",
    "data": "# die Boston-Hauspreisdaten, die das Lab mitbringt (oben als CSV-Text eingebettet)",
    "drop_b": "# das Lab lässt B weg (ein Merkmal aus dem Anteil Schwarzer Einwohner)",
    "split": "# die Aufteilung des Labs: 75 % Trainingszeilen, 25 % Testzeilen, Seed {seed}",
    "model": "# das Modell {model} des Labs, mit seinen Hyperparametern und seinem Seed",
    "pdp": "# PDP und ICE auf den Trainingszeilen, {grid} Gitterwerte; {ice} Zeilen (Seed "
           "{seed}) für die ICE-Kurven",
    "centered": "# zentriert: jede Kurve beginnt bei 0 (Änderung gegenüber dem ersten "
                "Gitterwert)",
    "random_forest": "Random Forest", "gradient_boosting": "Gradient Boosting",
    "neural_network": "neuronales Netz",
    "shap.network": "Das Code-Panel deckt SHAP für Random Forest und Gradient Boosting ab; "
                    "der des neuronalen Netzes (shaps Permutation-Explainer) ist noch nicht "
                    "geschrieben.",
    "compare.title": "Drei Modelle, ein Merkmal: die PDPs von {feature}",
    "compare.intro": "Sind sich Random Forest, Gradient Boosting und das neuronale Netz einig, "
                     "wie der vorhergesagte Preis von {feature} abhängt? Die drei PDPs auf einem "
                     "Gitter (Brute Force, alle Trainingszeilen); sie gehen dort auseinander, "
                     "wo wenige Trainingszeilen liegen.",
    "compare.models": "# die drei Modelle des Labs, mit ihren Hyperparametern und Seeds",
    "compare.spread": "# wo die Modelle am stärksten abweichen: die größte Lücke zwischen den "
                      "Kurven",
    "compare.near": "# Trainingszeilen nahe diesem Wert (innerhalb von zwei Gitterschritten)",
    "network.intro": "## Das neuronale Netz des Labs\nEin kleines MLP (zwei verborgene "
                     "Schichten mit je 64 SiLU-Einheiten) auf standardisierten Merkmalen, "
                     "trainiert mit PyTorch Lightning: AdamW auf gemischten Mini-Batches, "
                     "Early Stopping auf zurückgehaltenen Trainingszeilen, die Gewichte der "
                     "besten Epoche behalten. Als scikit-learn-Regressor verpackt, damit der "
                     "PDP von scikit-learn es wie die Bäume behandelt. Jeder Zufall kommt aus "
                     "dem Seed: dieselben Gewichte wie im Lab, Bit für Bit, auf einer CPU.",
    "network.threads": "# ein Thread, wie das Lab trainiert (winzige Matrizen; dieselbe Rundung)",
    "network.best": '"""behält die Gewichte der Epoche mit dem kleinsten Validierungsverlust"""',
    "network.regressor": '"""das MLP mit fit/predict: die Werkzeuge von scikit-learn nehmen es '
                         'wie die Bäume"""',
    "ylabel": "vorhergesagtes MEDV (1000 $)",
    "title_2d": "Partielle Abhängigkeit des Modells {model} von {x} und {y}",
    "intro_2d": "Wie ändert sich der vorhergesagte Hauspreis, wenn sich {x} und {y} zusammen "
                "ändern? Der 2D-PDP setzt beide Merkmale in jeder Trainingszeile auf jedes Paar "
                "von Gitterwerten und mittelt die Vorhersagen; die weißen Punkte sind die "
                "Trainingszeilen, weit weg von ihnen ist der Plot Extrapolation.",
    "pdp_2d": "# der 2D-PDP auf den Trainingszeilen, Methode {method!r} (recursion geht einmal "
              "durch die Bäume; brute mittelt Vorhersagen)",
    "init": "# die Rekursion von scikit-learn lässt die konstante erste Vorhersage des Gradient "
            "Boosting weg: wieder addiert",
    "rows": "Trainingszeilen",
    "shap.title": "SHAP-Werte des Modells {model}",
    "shap.intro": "Wie viel trägt jedes Merkmal zum vorhergesagten Preis eines Hauses bei? "
                  "TreeExplainer aus shap berechnet die SHAP-Werte eines Baummodells exakt "
                  "(pfadabhängig: die Aufzeichnung der Bäume über die Trainingszeilen steht für "
                  "die Daten). Die Vorhersage jedes Testhauses ist der Erwartungswert plus "
                  "seine SHAP-Werte.",
    "shap.values": "# SHAP-Werte (Häuser × Merkmale) für jedes Haus des Testteils, das das "
                   "Modell nie gesehen hat",
    "shap.check": "# Erwartungswert + SHAP-Werte = Vorhersage, für jedes Haus",
    "shap.figures": "## Alle Merkmale, ein Merkmal gegen seine Werte, ein Haus",
    "shap.importance": "# die Merkmale nach ihrem mittleren |SHAP-Wert|",
    "shap.house": "# Haus {house} des Testteils: seine Vorhersage zerlegt, der größte "
                  "Beitrag zuerst",
    "ale.title": "PDP und ALE des Modells {model} für {feature}",
    "ale.intro": "Ein PDP fragt das Modell nach jeder Trainingszeile mit {feature} auf jedem "
                 "Gitterwert, auch nach Kombinationen, die bei korrelierten Merkmalen nie "
                 "vorkommen. Accumulated Local Effects (ALE, Apley & Zhu 2020) fragen nur nach "
                 "Zeilen, deren {feature} in einem kleinen Intervall liegt, und nur, wie sich "
                 "die Vorhersage über dieses Intervall ändert; die Änderungen werden von links "
                 "aufsummiert. Keine der Bibliotheken des Kurses hat ALE, deshalb steht es hier "
                 "so, wie das Lab es rechnet.",
    "ale.edges": "# 1. Intervallgrenzen: Quantile des Merkmals (doppelte Grenzen entfernt)",
    "ale.local": "# 2. jede Zeile an der oberen und der unteren Grenze ihres eigenen "
                 "Intervalls vorhergesagt; die mittlere Differenz pro Intervall ist der lokale "
                 "Effekt",
    "ale.accumulate": "# 3. von links aufsummiert, dann zentriert: der Mittelwert über die Daten "
                      "ist 0",
    "ale.pdp": "# der PDP daneben (50 Gitterwerte), zum Vergleich genauso zentriert",
    "centred": "zentrierter Effekt auf MEDV (1000 $)",
})

PACKAGES = ("scikit-learn", "pandas", "numpy", "matplotlib")
ESTIMATORS = {
    "random_forest": f"RandomForestRegressor(n_estimators=200, random_state={SEED}, n_jobs=1)",
    "gradient_boosting": "GradientBoostingRegressor(n_estimators=300, learning_rate=0.05, "
                         f"max_depth=3, random_state={SEED})",
}
"""The lab's estimators (``core.tabular.training``), as code."""

IMPORTS = """import io

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
from sklearn.inspection import partial_dependence
from sklearn.model_selection import train_test_split"""


def _network_cell(lang: str) -> Cell:
    """The lab's neural network (``core.tabular.mlp``, ``core.tabular.lightning_fit``) written
    out: an MLP on standardised features, trained with Lightning, wrapped as a scikit-learn
    regressor so that scikit-learn's PDP treats it like the trees."""
    p = NeuralNetworkRegressor().get_params()
    return Cell(f'''import lightning as L
import torch
from lightning.pytorch.callbacks import Callback, EarlyStopping
from sklearn.base import BaseEstimator, RegressorMixin
from torch import nn

{C.text("network.threads", lang)}
torch.set_num_threads(1)
HIDDEN, LEARNING_RATE = {p["hidden_layers"]!r}, {p["learning_rate"]!r}
WEIGHT_DECAY, BATCH = {p["weight_decay"]!r}, {p["batch_size"]}
MAX_EPOCHS, PATIENCE = {p["max_epochs"]}, {p["patience"]}
VALIDATION = {p["validation_fraction"]!r}


def build_network(n_features, generator):
    """Linear → SiLU per hidden layer, then one linear output unit (PyTorch's default
    initialisation, drawn from `generator`)"""
    layers, width = [], n_features
    for units in (*HIDDEN, 1):
        linear = nn.utils.skip_init(nn.Linear, width, units)
        bound = 1.0 / np.sqrt(width)
        nn.init.uniform_(linear.weight, -bound, bound, generator=generator)
        nn.init.uniform_(linear.bias, -bound, bound, generator=generator)
        layers += [linear, nn.SiLU()]
        width = units
    return nn.Sequential(*layers[:-1])


class Batches:
    """mini-batches in a new order on every pass, drawn from `generator` (None: as given)"""

    def __init__(self, x, y, size, generator=None):
        self.x, self.y, self.size, self.generator = x, y, size, generator

    def __len__(self):
        return -(-len(self.x) // self.size)

    def __iter__(self):
        n = len(self.x)
        order = (torch.randperm(n, generator=self.generator) if self.generator
                 else torch.arange(n))
        for start in range(0, n, self.size):
            rows = order[start:start + self.size]
            yield self.x[rows], self.y[rows]


class Regression(L.LightningModule):
    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, x):
        return self.network(x)[:, 0]

    def training_step(self, batch, index):
        return nn.functional.mse_loss(self(batch[0]), batch[1])

    def validation_step(self, batch, index):
        self.log("val_loss", nn.functional.mse_loss(self(batch[0]), batch[1]),
                 batch_size=len(batch[1]))

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=LEARNING_RATE,
                                 weight_decay=WEIGHT_DECAY)


class KeepBest(Callback):
    {C.text("network.best", lang)}

    loss, state = float("inf"), None

    def on_validation_epoch_end(self, trainer, module):
        loss = float(trainer.callback_metrics["val_loss"])
        if loss < self.loss:
            self.loss = loss
            self.state = {{name: tensor.detach().clone()
                          for name, tensor in module.network.state_dict().items()}}


class NetworkRegressor(RegressorMixin, BaseEstimator):
    {C.text("network.regressor", lang)}

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, X, y):
        X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
        order = np.random.default_rng(self.random_state).permutation(len(X))
        held_out, kept = np.split(order, [int(round(VALIDATION * len(X)))])
        self.x_mean_, self.x_scale_ = X[kept].mean(axis=0), X[kept].std(axis=0)
        self.x_scale_[self.x_scale_ == 0] = 1.0
        self.y_mean_, self.y_scale_ = y[kept].mean(), y[kept].std() or 1.0

        def tensors(rows):
            inputs = (X[rows] - self.x_mean_) / self.x_scale_
            target = (y[rows] - self.y_mean_) / self.y_scale_
            return (torch.from_numpy(inputs.astype(np.float32)),
                    torch.from_numpy(target.astype(np.float32)))

        generator = torch.Generator().manual_seed(self.random_state)
        self.network_ = build_network(X.shape[1], generator)
        keep_best = KeepBest()
        trainer = L.Trainer(accelerator="cpu", devices=1, max_epochs=MAX_EPOCHS,
                            deterministic=True, logger=False, enable_checkpointing=False,
                            enable_progress_bar=False, enable_model_summary=False,
                            num_sanity_val_steps=0,
                            callbacks=[EarlyStopping("val_loss", patience=PATIENCE), keep_best])
        trainer.fit(Regression(self.network_), Batches(*tensors(kept), BATCH, generator),
                    Batches(*tensors(held_out), len(held_out)))
        self.network_.load_state_dict(keep_best.state)
        self.network_.eval().requires_grad_(False)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        inputs = (np.asarray(X, dtype=np.float64) - self.x_mean_) / self.x_scale_
        with torch.inference_mode():
            scaled = self.network_(torch.from_numpy(inputs.astype(np.float32)))[:, 0].numpy()
        return scaled.astype(np.float64) * self.y_scale_ + self.y_mean_''')


def _data(drop_b: bool, lang: str) -> tuple[Cell, ...]:
    """The imports, the data and the lab's split."""
    drop = f'\n{C.text("drop_b", lang)}\nX = X.drop(columns=["B"])' if drop_b else ""
    return (
        Cell(IMPORTS),
        Cell(f"""{C.text("data", lang)}
frame = pd.read_csv(io.StringIO(BOSTON_CSV), skiprows=1)
X = frame.drop(columns=["{TARGET}"]).astype(float)
y = frame["{TARGET}"].to_numpy(dtype=float){drop}
{C.text("split", lang, seed=SEED)}
SEED = {SEED}
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size={TEST_SIZE},
                                                    random_state=SEED)"""),
    )


def _estimator(model: str) -> str:
    """The lab's ``model`` as code (the network's class comes from :func:`_network_cell`)."""
    return "NetworkRegressor(random_state=SEED)" if model == "neural_network" \
        else ESTIMATORS[model]


def _data_and_model(model: str, drop_b: bool, lang: str) -> tuple[Cell, ...]:
    """The imports, the data, the lab's split and the lab's ``model`` fitted (the network
    written out first)."""
    check_model(model)
    network = model == "neural_network"
    return (
        *_data(drop_b, lang),
        *((Cell(C.text("network.intro", lang), markdown=True), _network_cell(lang))
          if network else ()),
        Cell(f"""{C.text("model", lang, model=C.text(model, lang))}
model = {_estimator(model)}
model.fit(X_train, y_train)"""),
    )


def _packages(model: str) -> tuple[str, ...]:
    """The pip names a recipe for ``model`` imports."""
    return (*PACKAGES, "torch", "lightning") if model == "neural_network" else PACKAGES


def _boston() -> tuple[Cell, ...]:
    """The notebook's data cell: the bundled CSV as text."""
    return (Cell(f'# boston_house_prices.csv\nBOSTON_CSV = """{DEFAULT_DATA_PATH.read_text()}"""'),)


def pdp_1d_code(call: Call[Pdp1d]) -> Recipe:
    """PDP and ICE of one feature (the view ``pdp_1d``), checked as the view checks it."""
    from tabs.pdp.views import trained_models  # the view's module declares this function

    s, lang = call.settings, call.lang
    result = pdp_1d(trained_models(call, s.drop_b), model=s.model, feature=s.feature,
                    ice_samples=s.ice_samples, grid_resolution=s.grid_resolution,
                    centered=bool(s.centered), seed=SEED)
    setup = _data_and_model(s.model, s.drop_b, lang)
    name = C.text(s.model, lang)
    centre = (f"\n{C.text('centered', lang)}\naverage = average - average[0]\n"
              "ice = ice - ice[:, :1]") if result.centered else ""
    ice = result.ice.shape[0]
    cells = (
        Cell(C.text("intro", lang, feature=s.feature), markdown=True),
        *setup,
        Cell(f"""FEATURE, GRID, ICE = {s.feature!r}, {result.grid.size}, {ice}
{C.text("pdp", lang, grid=result.grid.size, ice=ice, seed=SEED)}
result = partial_dependence(model, X_train, [FEATURE], grid_resolution=GRID, kind="both",
                            method="brute")
grid, average = result["grid_values"][0], result["average"][0]
rows = np.sort(np.random.default_rng({SEED}).choice(len(X_train), size=ICE, replace=False))
ice = result["individual"][0][rows]{centre}"""),
        Cell(f"""figure, ax = plt.subplots(figsize=(7.2, 4.5))
ax.plot(grid, ice.T, color="tab:gray", linewidth=0.8, alpha=0.3)
ax.plot(grid, average, color="tab:orange", linewidth=3.2, label="PDP")
ax.set_xlabel(FEATURE)
ax.set_ylabel({C.text("ylabel", lang)!r})
ax.set_title({C.text("title", lang, model=name, feature=s.feature)!r})
ax.legend()
plt.show()"""),
    )
    numbers = """print(f"PDP: {average[0]:.4f} at {FEATURE} = {grid[0]:.4g}, "
      f"{average[-1]:.4f} at {FEATURE} = {grid[-1]:.4g} ({ice.shape[0]} ICE curves)")"""
    return Recipe(title=C.text("title", lang, model=name, feature=s.feature), cells=cells,
                  numbers=numbers, packages=_packages(s.model), data=_boston())


def pdp_2d_code(call: Call[Pdp2d]) -> Recipe:
    """The 2D PDP of a pair of features (the view ``pdp_2d``), checked as the view checks it."""
    from tabs.pdp.views import trained_models  # the view's module declares this function

    s, lang = call.settings, call.lang
    result = pdp_2d(trained_models(call, s.drop_b), model=s.model,
                    features=(s.feature_x, s.feature_y), grid_resolution=s.grid_resolution,
                    method=s.method)
    setup = _data_and_model(s.model, s.drop_b, lang)
    name = C.text(s.model, lang)
    words = dict(model=name, x=s.feature_x, y=s.feature_y)
    start = (f"\n{C.text('init', lang)}\n"
             "average = average + model.init_.predict(X_train.iloc[:1])[0]"
             if result.method == "recursion" and s.model == "gradient_boosting" else "")
    pair = (s.feature_x, s.feature_y)
    cells = (
        Cell(C.text("intro_2d", lang, **words), markdown=True),
        *setup,
        Cell(f"""FEATURES, GRID, METHOD = {pair!r}, {s.grid_resolution}, {result.method!r}
{C.text("pdp_2d", lang, method=result.method)}
result = partial_dependence(model, X_train, list(FEATURES), grid_resolution=GRID,
                            method=METHOD)
average = result["average"][0]{start}
grid_x, grid_y = result["grid_values"]"""),
        Cell(f"""figure, ax = plt.subplots(figsize=(7.2, 5.4))
filled = ax.contourf(grid_x, grid_y, average.T, levels=20, cmap="viridis")
figure.colorbar(filled, ax=ax, label={C.text("ylabel", lang)!r})
ax.scatter(X_train[FEATURES[0]], X_train[FEATURES[1]], s=6, color="white",
           edgecolor="black", linewidth=0.3, label={C.text("rows", lang)!r})
ax.set_xlabel(FEATURES[0])
ax.set_ylabel(FEATURES[1])
ax.set_title({C.text("title_2d", lang, **words)!r})
ax.legend()
plt.show()"""),
    )
    numbers = """print(f"2D PDP on {grid_x.size}×{grid_y.size} grid values: "
      f"from {average.min():.4f} to {average.max():.4f}; "
      f"{average[0, 0]:.4f} at ({grid_x[0]:.4g}, {grid_y[0]:.4g}), "
      f"{average[-1, -1]:.4f} at ({grid_x[-1]:.4g}, {grid_y[-1]:.4g})")"""
    return Recipe(title=C.text("title_2d", lang, **words), cells=cells, numbers=numbers,
                  packages=_packages(s.model), data=_boston())


def shap_code(call: Call[Shap]) -> Recipe:
    """SHAP values of a tree model (the view ``pdp_shap``), checked as the view checks the
    feature and the house; the network (shap's permutation explainer) has no recipe yet."""
    from tabs.pdp.views import trained_models  # the view's module declares this function

    s, lang = call.settings, call.lang
    trained = trained_models(call, s.drop_b)
    feature = check_feature(trained, s.feature)
    check_model(s.model)
    if s.model == "neural_network":
        raise InputError(C.text("shap.network", "en"), C.text("shap.network", "de"))
    setup = _data_and_model(s.model, s.drop_b, lang)
    house = one_house(shap_values(trained, model=s.model, seed=SEED), house=s.house).position
    name = C.text(s.model, lang)
    cells = (
        Cell(C.text("shap.intro", lang), markdown=True),
        *setup,
        Cell(f"""import shap

{C.text("shap.values", lang)}
explainer = shap.TreeExplainer(model, feature_perturbation="tree_path_dependent")
values = np.asarray(explainer.shap_values(X_test), dtype=float)
expected = float(np.ravel(explainer.expected_value)[0])
{C.text("shap.check", lang)}
gap = np.abs(expected + values.sum(axis=1) - model.predict(X_test)).max()
{C.text("shap.importance", lang)}
importance = pd.Series(np.abs(values).mean(axis=0), index=X_test.columns).sort_values(
    ascending=False)
FEATURE, HOUSE = {feature!r}, {house}
{C.text("shap.house", lang, house=house)}
contributions = pd.Series(values[HOUSE], index=X_test.columns)
contributions = contributions[contributions.abs().sort_values(ascending=False).index]"""),
        Cell(C.text("shap.figures", lang), markdown=True),
        Cell("""shap.summary_plot(values, X_test)
shap.dependence_plot(FEATURE, values, X_test)
shap.plots.waterfall(shap.Explanation(values[HOUSE], expected, X_test.iloc[HOUSE].to_numpy(),
                                      feature_names=list(X_test.columns)))"""),
    )
    numbers = """print(f"expected value {expected:.4f}; largest gap to the predictions {gap:.1e}")
print("mean |SHAP|: " + ", ".join(f"{name} {value:.4f}" for name, value in importance[:3].items()))
print(f"house {HOUSE}: {expected + values[HOUSE].sum():.4f} = {expected:.4f} + "
      + " + ".join(f"{name} ({value:+.4f})" for name, value in contributions[:3].items())
      + " + …")"""
    return Recipe(title=C.text("shap.title", lang, model=name), cells=cells, numbers=numbers,
                  packages=(*PACKAGES, "shap"), data=_boston())


def ale_code(call: Call[Ale]) -> Recipe:
    """ALE beside the PDP of one feature (the view ``pdp_ale``), checked as the view checks the
    feature and the bins."""
    from tabs.pdp.views import trained_models  # the view's module declares this function

    s, lang = call.settings, call.lang
    # the view's checks of the model, feature and bins (its result is cached for the view)
    ale_1d(trained_models(call, s.drop_b), model=s.model, feature=s.feature, bins=s.bins)
    setup = _data_and_model(s.model, s.drop_b, lang)
    name = C.text(s.model, lang)
    words = dict(model=name, feature=s.feature)
    cells = (
        Cell(C.text("ale.intro", lang, feature=s.feature), markdown=True),
        *setup,
        Cell(f"""FEATURE, BINS = {s.feature!r}, {int(s.bins)}
x = X_train[FEATURE].to_numpy(dtype=float)
{C.text("ale.edges", lang)}
edges = np.unique(np.quantile(x, np.linspace(0.0, 1.0, BINS + 1)))
bin_of_row = np.clip(np.searchsorted(edges, x, side="left"), 1, len(edges) - 1)
{C.text("ale.local", lang)}
lower, upper = X_train.copy(), X_train.copy()
lower[FEATURE], upper[FEATURE] = edges[bin_of_row - 1], edges[bin_of_row]
difference = model.predict(upper) - model.predict(lower)
counts = np.bincount(bin_of_row - 1, minlength=len(edges) - 1)
sums = np.bincount(bin_of_row - 1, weights=difference, minlength=len(edges) - 1)
local = np.divide(sums, counts, out=np.zeros(len(counts)), where=counts > 0)
{C.text("ale.accumulate", lang)}
accumulated = np.concatenate([[0.0], np.cumsum(local)])
effect = accumulated - np.average(0.5 * (accumulated[:-1] + accumulated[1:]), weights=counts)

{C.text("ale.pdp", lang)}
pdp = partial_dependence(model, X_train, [FEATURE], grid_resolution=50, method="brute")
grid, average = pdp["grid_values"][0], pdp["average"][0]"""),
        Cell(f"""figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
left.plot(grid, average - average.mean(), color="tab:orange", linewidth=2.5)
left.set_title("PDP")
right.plot(edges, effect, color="tab:blue", linewidth=2.5, marker="o", markersize=3)
right.set_title("ALE")
for ax in (left, right):
    ax.plot(x, np.full_like(x, ax.get_ylim()[0]), "|", color="black", alpha=0.3)
    ax.set_xlabel(FEATURE)
left.set_ylabel({C.text("centred", lang)!r})
figure.suptitle({C.text("ale.title", lang, **words)!r})
plt.show()"""),
    )
    numbers = """print(f"ALE of {FEATURE}: {len(counts)} bins with {counts.min()} to "
      f"{counts.max()} rows; effect from {effect.min():.4f} to {effect.max():.4f} "
      f"({effect[0]:.4f} at {edges[0]:.4g}, {effect[-1]:.4f} at {edges[-1]:.4g})")"""
    return Recipe(title=C.text("ale.title", lang, **words), cells=cells, numbers=numbers,
                  packages=_packages(s.model), data=_boston())


def compare_code(call: Call[Compare]) -> Recipe:
    """The PDPs of one feature from all three models on one grid (the view ``pdp_compare``),
    checked as the view checks the feature."""
    from tabs.pdp.views import trained_models  # the view's module declares this function

    s, lang = call.settings, call.lang
    check_feature(trained_models(call, s.drop_b), s.feature)
    listed = "\n".join(f"    {name!r}: {_estimator(name)}," for name in MODEL_NAMES)
    labels = {name: C.text(name, lang) for name in MODEL_NAMES}
    cells = (
        Cell(C.text("compare.intro", lang, feature=s.feature), markdown=True),
        *_data(s.drop_b, lang),
        Cell(C.text("network.intro", lang), markdown=True),
        _network_cell(lang),
        Cell(f"""{C.text("compare.models", lang)}
models = {{
{listed}
}}
for model in models.values():
    model.fit(X_train, y_train)"""),
        Cell(f"""FEATURE, GRID = {s.feature!r}, {COMPARE_GRID}
curves = {{}}
for name, model in models.items():
    result = partial_dependence(model, X_train, [FEATURE], grid_resolution=GRID,
                                method="brute")
    grid, curves[name] = result["grid_values"][0], result["average"][0]
{C.text("compare.spread", lang)}
stacked = np.stack(list(curves.values()))
spread = stacked.max(axis=0) - stacked.min(axis=0)
at = int(spread.argmax())
{C.text("compare.near", lang)}
values = X_train[FEATURE].to_numpy(dtype=float)
width = 2 * float(np.median(np.diff(grid))) if grid.size > 1 else 0.0
near = int((np.abs(values - grid[at]) <= width).sum())"""),
        Cell(f"""LABELS = {labels!r}
figure, ax = plt.subplots(figsize=(7.2, 4.5))
for name, average in curves.items():
    ax.plot(grid, average, linewidth=2.4, label=LABELS[name])
ax.plot(values, np.full_like(values, stacked.min()), "|", color="black", alpha=0.3,
        label={C.text("rows", lang)!r})
ax.axvline(grid[at], color="gray", linestyle="--")
ax.set_xlabel(FEATURE)
ax.set_ylabel({C.text("ylabel", lang)!r})
ax.legend()
plt.show()"""),
    )
    numbers = """for name, average in curves.items():
    print(f"{name}: {average[0]:.4f} at {FEATURE} = {grid[0]:.4g}, "
          f"{average[-1]:.4f} at {FEATURE} = {grid[-1]:.4g}")
print(f"largest difference {spread[at]:.4f} at {FEATURE} = {grid[at]:.4g}; {near} of "
      f"{len(values)} training rows within ±{width:.2g}; mean difference {spread.mean():.4f}")"""
    return Recipe(title=C.text("compare.title", lang, feature=s.feature), cells=cells,
                  numbers=numbers, packages=_packages("neural_network"), data=_boston())
