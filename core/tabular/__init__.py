"""Tabular XAI on the bundled Boston housing data: the data (``boston``, CSV in ``data/``),
the models trained on it (``training``; the neural network in ``mlp``, trained by PyTorch
Lightning in ``lightning_fit``), partial dependence and ICE (``pdp``), accumulated local
effects (``ale``) and SHAP values (``shapley``).

May import: scikit-learn, pandas, numpy, torch, ``core`` helpers, Lightning inside
``lightning_fit`` only (it loads pyplot, so nothing imports it before the first training) and
shap inside ``shapley``'s functions only (it loads pyplot too, and takes seconds to import).
Never gradio or pyplot.
"""

from core.tabular.boston import FEATURES, TARGET, BostonData, load_boston
from core.tabular.mlp import NeuralNetworkRegressor
from core.tabular.training import (
    MODEL_NAMES,
    TREE_MODELS,
    ModelName,
    ModelScores,
    TrainedModels,
    check_model,
    train_models,
)

__all__ = ["FEATURES", "MODEL_NAMES", "TARGET", "TREE_MODELS", "BostonData",
           "ModelName", "ModelScores", "NeuralNetworkRegressor", "TrainedModels", "check_model",
           "load_boston", "train_models"]
