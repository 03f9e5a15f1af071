"""Attribution maps through captum (saliency, Integrated Gradients, Grad-CAM, Guided Grad-CAM,
Occlusion) and Zennit (LRP, ``lrp``; concepts through zennit-crp, ``concepts``) and tests of
them: one map (``methods``, ``occlusion``), the tab's views built from it (``views``), captum's
guided backpropagation extended to ReLU6 (``guided``), how stable a map is under noise
(``stability``), how faithful it is by deletion and insertion (``faithfulness``) and whether it
depends on the weights at all (``sanity``, cascading randomization). Forward-only work runs
batched on a BatchNorm-folded copy (``inference``).

May import: torch, captum, zennit, crp, numpy, scipy and ``core`` helpers. Never gradio or pyplot.
"""

from core.attribution.concepts import MAX_CONCEPTS, Concept, ConceptReport, concepts
from core.attribution.faithfulness import (
    RANDOM,
    Curves,
    FaithfulnessReport,
    deletion_insertion,
    measure_curves,
)
from core.attribution.lrp import COMPOSITES, Conservation, LrpComposite
from core.attribution.methods import (
    BASELINES,
    GRADIENT_METHODS,
    LRP_METHODS,
    MAX_STEPS,
    METHOD_TITLES,
    METHODS,
    AttributionMethod,
    Baseline,
    Completeness,
    Explanation,
    baseline_pixels,
    explain,
    explain_pixels,
    model_pixels,
    offered_methods,
    unavailable_methods,
)
from core.attribution.sanity import PartialCascade, SanityReport, cascading_randomization
from core.attribution.stability import StabilityReport, measure_stability
from core.attribution.views import (
    GradCamSteps,
    compare_baselines,
    compare_methods,
    compare_targets,
    gradcam_depth,
    gradcam_steps,
)

__all__ = ["BASELINES", "COMPOSITES", "MAX_CONCEPTS", "Concept", "ConceptReport", "concepts",
           "GRADIENT_METHODS", "LRP_METHODS",
           "MAX_STEPS", "METHODS",
           "METHOD_TITLES", "RANDOM", "AttributionMethod", "Baseline", "Completeness",
           "Conservation", "Curves", "LrpComposite",
           "Explanation", "FaithfulnessReport", "GradCamSteps", "PartialCascade", "SanityReport",
           "StabilityReport",
           "baseline_pixels", "cascading_randomization", "compare_baselines",
           "compare_methods", "compare_targets", "deletion_insertion", "explain",
           "explain_pixels", "gradcam_depth", "gradcam_steps", "measure_curves",
           "measure_stability", "model_pixels", "offered_methods", "unavailable_methods"]
