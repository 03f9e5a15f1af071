"""Tabular XAI on the bundled Boston housing data: the data (``boston``, CSV in ``data/``),
the models trained on it (``training``), partial dependence and ICE (``pdp``) and
accumulated local effects (``ale``).

May import: scikit-learn, pandas, numpy and ``core`` helpers. Never gradio or pyplot.
"""

from core.tabular.boston import TARGET, TARGET_LABEL, BostonData, feature_label, load_boston
from core.tabular.training import (
    MODEL_NAMES,
    MODEL_TITLES,
    ModelName,
    ModelScores,
    TrainedModels,
    check_model,
    train_models,
)

__all__ = ["MODEL_NAMES", "MODEL_TITLES", "TARGET", "TARGET_LABEL", "BostonData", "ModelName",
           "ModelScores", "TrainedModels", "check_model", "feature_label", "load_boston",
           "train_models"]
