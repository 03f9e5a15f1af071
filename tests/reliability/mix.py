"""The request mix of the reliability tests and the load benchmark, and how to compare answers.

:data:`CLASS_MIX` is what a class sends at once: distinct requests to every tab (small sizes
and steps, so that the whole mix takes seconds on a 2-core CPU), several of them hook-based on
the one shared EfficientNet-Lite0 (activations, Grad-CAM at different layers, Guided Grad-CAM,
the counterfactual's Grad-CAM, CLIP's relevance). :func:`canonical` turns an answer into plain
data (images as pixels, numbers as floats, texts without their run times), and
:func:`differences` compares two canonical answers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

MODEL = "efficientnet_lite0"
CLIP = "clip-vit-base-patch32"
NOTEBOOK = "notebook (seed 000)"
REGULARIZED = "regularized (Olah et al. 2017)"
# nb_steps, step_size, rg_steps, lr, variants, diversity, size, border, crop, seed
ASCENT = (3, 10.0, 3, 0.05, 1, 0.0, 64, 1, 8, 0)
WINDOW, STRIDE = 56, 28  # occlusion: 7 × 7 positions
CF_KNOBS = (1.0, "L2", 0.0, 1.0, 5, 0.5, 0)  # weight, distance, smoothness, step, steps, thr, seed

#: Relative and absolute tolerance for numbers (class probabilities, curve values). The same
#: code on the same machine gives the same floats; the tolerance only allows for a different
#: summation order of a parallel reduction, never for another request's data.
REL_TOL, ABS_TOL = 1e-4, 1e-6


@dataclass(frozen=True)
class Request:
    tab: str
    api: str
    args: tuple

    @property
    def label(self) -> str:
        return f"{self.api}{self.args!r}"[:160]

    @property
    def setup(self) -> tuple[tuple[str, tuple], ...]:
        """Calls a browser makes before this one in the same session: the attribution layer
        dropdown only accepts a layer after the model event listed the layers."""
        return ((("/attribution_model", (MODEL,)),) if self.api.startswith("/attribution_")
                and self.api not in ("/attribution_predict", "/attribution_find_class") else ())


def _r(tab: str, api: str, *args) -> Request:
    return Request(tab, api, args)


def _ascent(layer, filters, mode, seed=0, size=64):
    return (MODEL, layer, filters, mode, *ASCENT[:6], size, *ASCENT[7:9], seed)


CLASS_MIX: tuple[Request, ...] = (
    # Activations: hooks on the shared model at different layers
    _r("activations", "/activations", "coffee.png", None, MODEL,
       "blocks.1", "8", "mean activation", "shared"),
    _r("activations", "/activations", "puppies.jpg", None, MODEL,
       "blocks.2", "16", "channel index", "per map"),
    _r("activations", "/activations", "chelsea.png", None, MODEL,
       "blocks.5.0", "8", "channel index", "shared"),
    _r("activations", "/activations_channel", "both.png", None, MODEL, "blocks.3", 5, 0.4),
    _r("activations", "/activations_channel", "grace_hopper.jpg", None, MODEL, "blocks.1", 2, 0.7),
    # Filter ascent (streamed, stopped at the layer)
    _r("ascent", "/ascent", *_ascent("blocks.1", "0-1", NOTEBOOK)),
    _r("ascent", "/ascent", *_ascent("blocks.2", "4", REGULARIZED, seed=1)),
    _r("ascent", "/ascent", *_ascent("blocks.3", "2, 7", NOTEBOOK, seed=2)),
    _r("ascent", "/ascent_compare_modes", MODEL, "blocks.1", 5, *ASCENT),
    _r("ascent", "/ascent_compare_layers", MODEL, 2, NOTEBOOK, *ASCENT[:6], 112, 1, 8, 0),
    _r("ascent", "/ascent_weights", MODEL, "blocks.1.0.conv_pw"),
    # Attribution: Grad-CAM, Guided Grad-CAM (backward hooks on every ReLU6), occlusion, the tests
    _r("attribution", "/attribution_predict", "coffee.png", None, MODEL),
    _r("attribution", "/attribution_find_class", MODEL, "tabby"),
    _r("attribution", "/attribution_compare", "both.png", None, MODEL,
       281, "blocks.6", 4, "black", 0.5, "jet", WINDOW, STRIDE),
    _r("attribution", "/attribution_compare", "chelsea.png", None, MODEL,
       285, "blocks.5", 3, "white", 0.6, "inferno", WINDOW, STRIDE),
    _r("attribution", "/attribution_baselines", "astronaut.png", None, MODEL,
       817, 3, 0.5, "viridis"),
    _r("attribution", "/attribution_depth", "both.png", None, MODEL,
       243, ["blocks.2", "blocks.4", "blocks.6"], 0.5, "jet"),
    _r("attribution", "/attribution_steps", "puppies.jpg", None, MODEL,
       207, "blocks.6", 0.5, "jet"),
    _r("attribution", "/attribution_classes", "both.png", None, MODEL,
       281, 243, "guided_gradcam", "blocks.6", 4, 0.5, "jet", WINDOW, STRIDE),
    _r("attribution", "/attribution_classes", "coffee.png", None, MODEL,
       967, 968, "gradcam", "blocks.5", 4, 0.7, "hot", WINDOW, STRIDE),
    _r("attribution", "/attribution_stability", "both.png", None, MODEL,
       281, "gradcam", 1.0, 10, "blocks.6", 4, "black", "jet", WINDOW, STRIDE),
    _r("attribution", "/attribution_stability_all", "grace_hopper.jpg", None, MODEL,
       652, 2.0, 20, "blocks.6", 3, "noise", WINDOW, STRIDE),
    _r("attribution", "/attribution_deletion", "both.png", None, MODEL,
       281, ["gradcam", "occlusion"], "blurred", "5, 10, 25",
       "blocks.6", 4, "black", WINDOW, STRIDE, "jet"),
    _r("attribution", "/attribution_deletion", "chelsea.png", None, MODEL,
       285, ["saliency", "guided_gradcam"], "noise", "10, 50",
       "blocks.5", 3, "white", WINDOW, STRIDE, "gray"),
    _r("attribution", "/attribution_sanity", "both.png", None, MODEL,
       281, ["saliency", "gradcam"], "blocks.6", 4, "black", WINDOW, STRIDE, "jet"),
    # LRP and concepts: Zennit's rules and canonizers (merged BatchNorm) on the shared model
    _r("attribution", "/attribution_lrp", "puppies.jpg", None, MODEL, 208),
    _r("attribution", "/attribution_lrp", "both.png", None, MODEL, 243),
    _r("attribution", "/attribution_concepts", "coffee.png", None, MODEL, 967, "blocks.4", 3),
    _r("attribution", "/attribution_sanity", "coffee.png", None, MODEL,
       967, ["guided_gradcam", "integrated_gradients"],
       "blocks.5", 3, "black", WINDOW, STRIDE, "inferno"),
    # Counterfactual (streamed; few steps)
    _r("counterfactual", "/counterfactual_predict", "chelsea.png", None, MODEL),
    _r("counterfactual", "/counterfactual_targets", MODEL, "one class", 232),
    _r("counterfactual", "/counterfactual", "chelsea.png", None, MODEL,
       "any dog", 207, False, None, *CF_KNOBS),
    _r("counterfactual", "/counterfactual", "coffee.png", None, MODEL,
       "one class", 232, False, None, 0.5, "L1", 0.0, 2.0, 4, 0.5, 3),
    _r("counterfactual", "/counterfactual_swap", "chelsea.png", None, MODEL,
       "any dog", 207, "puppies.jpg", None, 4, 16, 0.5),
    _r("counterfactual", "/counterfactual_tradeoff", "chelsea.png", None, MODEL,
       "any dog", 207, False, None, "0, 10", *CF_KNOBS),
    # CLIP (the tiny one; relevance with hooks on its attention)
    _r("clip", "/clip_similarity", "both.png", None, CLIP, "a cat\na dog"),
    _r("clip", "/clip_similarity", "astronaut.png", None, CLIP,
       "an astronaut\na photo of a dog\nthe espresso cup"),
    _r("clip", "/clip_zero_shot", "coffee.png", None, CLIP, MODEL),
    _r("clip", "/clip_explain", "both.png", None, CLIP,
       "a cute dog in a park\na cat", "a cute dog in a park", "grad_eclip", "all layers", 0.6),
    _r("clip", "/clip_explain", "puppies.jpg", None, CLIP,
       "a small kitten on a chair\ntwo dogs", "a small kitten on a chair", "chefer",
       "last layer only", 0.5),
    _r("clip", "/clip_tokens", "both.png", None, CLIP,
       "a tabby cat and a dog", "attention", "all layers"),
    _r("clip", "/clip_agreement", "chelsea.png", None, CLIP, "a cat\na dog\na cup", "all layers"),
    # Partial dependence, the neural network included
    _r("pdp", "/pdp_data", True),
    _r("pdp", "/pdp_1d", True, "LSTAT", "neural_network", 10, False, 20),
    _r("pdp", "/pdp_1d", True, "RM", "random_forest", 10, True, 15),
    _r("pdp", "/pdp_2d", True, "RM", "LSTAT", "neural_network", 10, "auto"),
    _r("pdp", "/pdp_2d", True, "NOX", "DIS", "gradient_boosting", 10, "recursion"),
    _r("pdp", "/pdp_compare", True, "LSTAT"),
    _r("pdp", "/pdp_ale", True, "LSTAT", "neural_network", 10),
    _r("pdp", "/pdp_ale", True, "RM", "random_forest", 8),
    _r("pdp", "/pdp_shap", True, "gradient_boosting", "LSTAT", 5),
)

TABS = ("activations", "ascent", "attribution", "counterfactual", "clip", "pdp")
EXAMPLES = ("astronaut.png", "both.png", "chelsea.png", "coffee.png", "grace_hopper.jpg",
            "puppies.jpg")
_CLASSES = (281, 285, 207, 243, 967, 817, 652, 232, 151, 340)
_WORDS = ("cat", "dog", "cup", "car", "bird", "shark", "tree", "chair", "ship", "ball")

_LAYERS = ("blocks.1", "blocks.2", "blocks.3", "blocks.4", "blocks.5", "blocks.6")


def _example(index: int):
    return lambda k: {index: EXAMPLES[k % len(EXAMPLES)]}


def _class(index: int):
    """Another image and target class: 60 distinct explanations."""
    return lambda k: {0: EXAMPLES[k % len(EXAMPLES)],
                      index: _CLASSES[k // len(EXAMPLES) % len(_CLASSES)]}


def _seed(index: int):
    return lambda k: {index: 100 + k}


#: How to make the k-th variant of a request: k → {argument index: value}. Variants compute
#: something new (their own cache keys) at about the cost of the original.
VARIANTS = {
    "/activations": lambda k: {0: EXAMPLES[k % 6], 3: _LAYERS[k // 6 % len(_LAYERS)]},
    "/activations_channel": lambda k: {4: k % 16},
    "/ascent": _seed(13),
    "/ascent_compare_modes": _seed(12),
    "/attribution_predict": _example(0),
    "/attribution_find_class": lambda k: {1: _WORDS[k % len(_WORDS)]},
    "/attribution_compare": _class(3),
    "/attribution_steps": _class(3),
    "/attribution_classes": _class(4),
    "/attribution_depth": _class(3),
    "/attribution_lrp": _class(3),
    "/attribution_concepts": _class(3),
    "/counterfactual_predict": _example(0),
    "/counterfactual_targets": lambda k: {2: 151 + k % 100},
    "/counterfactual": _seed(13),
    "/counterfactual_swap": _example(5),
    "/clip_similarity": lambda k: {3: f"a photo of a {_WORDS[k % 10]}\na {k} dog"},
    "/clip_tokens": lambda k: {3: f"a {_WORDS[k % 10]} and a {k} cat"},
    "/clip_zero_shot": _example(0),
    "/pdp_1d": lambda k: {3: 5 + k % 40},
    "/pdp_2d": lambda k: {4: 10 + k % 20},
    "/pdp_ale": lambda k: {3: 4 + k % 30},
    "/pdp_shap": lambda k: {2: ("RM", "LSTAT", "DIS", "NOX", "CRIM")[k % 5], 3: k % 127},
}


def variant(request: Request, k: int) -> Request:
    """The ``k``-th variant of ``request`` (the request itself when it has none)."""
    if request.api not in VARIANTS:
        return request
    args = list(request.args)
    for index, value in VARIANTS[request.api](k).items():
        args[index] = value
    return Request(request.tab, request.api, tuple(args))


def students(requests: Iterable[Request], count: int) -> list[list[Request]]:
    """Deal ``requests`` round-robin to ``count`` students (each gets several tabs)."""
    dealt: list[list[Request]] = [[] for _ in range(count)]
    for i, request in enumerate(requests):
        dealt[i % count].append(request)
    return dealt


# ------------------------------------------------------------------------- comparing answers

_TIMING = re.compile(r"\b\d+(?:\.\d+)?\s?(?:s|ms)\b|from the cache")


def strip_timings(text: str) -> str:
    """``text`` with run times ("0.12 s", "from the cache") replaced by ``<time>``."""
    return _TIMING.sub("<time>", text)


@dataclass(frozen=True)
class Pixels:
    """A decoded image: its mode, size and pixel bytes (compared bit for bit)."""

    mode: str
    size: tuple[int, int]
    data: bytes

    @classmethod
    def of(cls, image: Image.Image) -> Pixels:
        image.load()
        return cls(image.mode, image.size, image.tobytes())


def _image_file(value: str) -> Pixels | None:
    path = Path(value)
    if len(value) < 4096 and path.suffix.lower() in (".png", ".webp", ".jpg", ".jpeg", ".gif") \
            and path.is_file():
        with Image.open(path) as image:
            return Pixels.of(image)
    return None


def canonical(value: object) -> object:
    """An answer as plain data: image files → :class:`Pixels`, texts without run times,
    tuples → lists, everything else as it is."""
    if isinstance(value, str):
        pixels = _image_file(value)
        return pixels if pixels is not None else strip_timings(value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()
                if k not in ("url", "orig_name", "path")
                or not isinstance(v, str) or _image_file(v) is not None}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    return value


def differences(got: object, expected: object, where: str = "") -> list[str]:
    """Where ``got`` differs from ``expected`` (both canonical): images bit for bit, numbers
    within ``REL_TOL``/``ABS_TOL``, texts equal."""
    if isinstance(expected, Pixels) or isinstance(got, Pixels):
        if got != expected:
            return [f"{where}: images differ ({_describe(got)} vs {_describe(expected)})"]
        return []
    if isinstance(expected, bool) or isinstance(got, bool):
        return [] if got is expected else [f"{where}: {got!r} != {expected!r}"]
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        if math.isnan(expected) and math.isnan(got):
            return []
        ok = math.isclose(got, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL)
        return [] if ok else [f"{where}: {got!r} != {expected!r}"]
    if isinstance(expected, dict) and isinstance(got, dict):
        if set(got) != set(expected):
            return [f"{where}: keys {sorted(got)} != {sorted(expected)}"]
        return [d for k in expected for d in differences(got[k], expected[k], f"{where}.{k}")]
    if isinstance(expected, list) and isinstance(got, list):
        if len(got) != len(expected):
            return [f"{where}: {len(got)} items != {len(expected)}"]
        return [d for i, (g, e) in enumerate(zip(got, expected))
                for d in differences(g, e, f"{where}[{i}]")]
    if got != expected:
        return [f"{where}: {str(got)[:300]!r} != {str(expected)[:300]!r}"]
    return []


def _describe(value: object) -> str:
    if isinstance(value, Pixels):
        return f"{value.mode} {value.size[0]}×{value.size[1]}"
    return repr(value)[:80]
