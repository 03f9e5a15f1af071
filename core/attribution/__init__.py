"""Attribution maps through captum (saliency, Integrated Gradients, Grad-CAM, Guided Grad-CAM):
one map (``methods``), the tab's views built from it (``views``), captum's guided
backpropagation extended to ReLU6 (``guided``) and how stable a map is under noise
(``stability``).

May import: torch, captum, numpy, scipy and ``core`` helpers. Never gradio or pyplot.
"""

from core.attribution.methods import (
    BASELINES,
    DEFAULT_BATCH,
    MAX_STEPS,
    METHOD_TITLES,
    METHODS,
    AttributionMethod,
    Baseline,
    Completeness,
    Explanation,
    baseline_pixels,
    clear_cache,
    explain,
    explain_pixels,
    model_pixels,
)
from core.attribution.stability import StabilityReport, measure_stability
from core.attribution.views import (
    GradCamSteps,
    compare_baselines,
    compare_methods,
    compare_targets,
    gradcam_depth,
    gradcam_steps,
)

__all__ = ["BASELINES", "DEFAULT_BATCH", "MAX_STEPS", "METHODS", "METHOD_TITLES",
           "AttributionMethod", "Baseline", "Completeness", "Explanation", "GradCamSteps",
           "StabilityReport", "baseline_pixels", "clear_cache", "compare_baselines",
           "compare_methods", "compare_targets", "explain", "explain_pixels", "gradcam_depth",
           "gradcam_steps", "measure_stability", "model_pixels"]
