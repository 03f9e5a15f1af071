"""What every Attribution view that explains one image starts from: the model, the image and
the checked target class."""

from __future__ import annotations

import numpy as np

from core.models import LoadedModel
from core.predictions import check_target
from tabs.attribution.settings import ImageTarget
from tabs.common.view import Call


def explained(call: Call[ImageTarget]) -> tuple[LoadedModel, np.ndarray, int]:
    """The model, the image and the checked target class of a view that explains one image."""
    s = call.settings
    loaded = call.ctx.models.get(s.model)
    image = call.ctx.examples.resolve(s.example, s.upload)
    return loaded, image, check_target(loaded.categories, target=s.target)


def class_name(loaded: LoadedModel, target: int) -> str:
    """``#index name`` of a class."""
    return f"#{target} {loaded.categories[target]}"
