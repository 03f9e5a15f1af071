"""The CLIP notebooks, executed: the similarity prints the lab's cosines, logits and
probabilities; the zero-shot view prints CLIP's and the CNN's top-5 as the lab does.

The lab has no CLIP weights offline, so the test saves the tiny CLIP of ``tests/clip_tiny.py``
to a folder (``save_pretrained``) and points the lab's CLIP at it, as ``XAI_LAB_CLIP`` would:
the notebook then loads the same folder with transformers. Tolerances: the same network on the
same pixels and token ids, the texts in one padded batch as in the lab; only float rounding can
differ. Printed: the cosine with four decimals (±1e-4), the logit with two (±0.01), the
probability in percent with one (±0.1 points).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import nbformat

from core.clip import similarity, zero_shot
from core.models import ModelManager
from core.models.registry import OFFLINE_MODEL, REGISTRY
from core.models.sources import HubSource, load_clip
from core.predictions import classify
from lab import EXAMPLE_IMAGES_DIR
from tabs.clip.views import SIMILARITY, ZERO_SHOT, ScoreSettings, ZeroShotSettings
from tabs.common.code_panel import notebook_for
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.running import make_call
from tests.clip_tiny import tiny_clip
from tests.notebooks.conftest import execute

DESCRIPTIONS = "a cute dog in a park\na small kitten on a chair\nan espresso cup"


def _tiny_clip_lab(folder: Path) -> tuple[TabContext, str]:
    """The lab's CLIP loaded from a folder holding the tiny CLIP, beside the offline CNN."""
    network = tiny_clip()
    network.clip.save_pretrained(folder)
    network.tokenizer.save_pretrained(folder)
    real = REGISTRY["clip-vit-base-patch32"]
    spec = replace(real, source=HubSource(str(folder), load_clip,
                                          files=("config.json", "model.safetensors")))
    models = ModelManager(device="cpu", offline=True,
                          specs={real.name: spec, OFFLINE_MODEL: REGISTRY[OFFLINE_MODEL]})
    return TabContext(models=models, lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR)), \
        real.name


def test_the_notebook_prints_the_labs_scores(tmp_path):
    ctx, name = _tiny_clip_lab(tmp_path)
    settings = ScoreSettings(example="both.png", model=name, descriptions=DESCRIPTIONS)
    notebook = notebook_for(SIMILARITY, make_call(SIMILARITY, ctx, settings, lang="de"))
    printed = execute(nbformat.reads(notebook.decode(), as_version=4))

    lab = similarity(ctx.models.get(name), ctx.examples.resolve("both.png", None), DESCRIPTIONS)
    lines = printed.splitlines()
    assert len(lines) == 3, printed
    for rank, (line, i) in enumerate(zip(lines, lab.ranking), 1):
        match = re.fullmatch(rf"{rank}\. (.+): cosine ([-\d.]+) · logit ([-\d.]+) · "
                             r"p ([\d.]+)%", line)
        assert match, line
        assert match[1] == lab.descriptions[i]
        assert abs(float(match[2]) - lab.cosine[i]) <= 1e-4 + 1e-9, (line, lab.cosine[i])
        assert abs(float(match[3]) - lab.logits[i]) <= 0.01 + 1e-9, (line, lab.logits[i])
        assert abs(float(match[4]) - 100 * lab.probabilities[i]) <= 0.1 + 1e-9


def test_the_zero_shot_notebook_prints_clips_and_the_cnns_top5(tmp_path):
    ctx, name = _tiny_clip_lab(tmp_path)
    settings = ZeroShotSettings(example="puppies.jpg", model=name, cnn="efficientnet_lite0")
    notebook = notebook_for(ZERO_SHOT, make_call(ZERO_SHOT, ctx, settings, lang="en"))
    printed = execute(nbformat.reads(notebook.decode(), as_version=4)).splitlines()

    image = ctx.examples.resolve("puppies.jpg", None)
    clip_top = zero_shot(ctx.models.get(name), image).predictions
    cnn_top = classify(ctx.models.get("efficientnet_lite0"), image)
    assert printed[0] == "CLIP:" and printed[6] == "EfficientNet-Lite0:", printed
    for lines, lab in ((printed[1:6], clip_top), (printed[7:12], cnn_top)):
        for line, prediction in zip(lines, lab):
            match = re.fullmatch(r"\d\. (.+) \(#(\d+)\): ([\d.]+)%", line)
            assert match, line
            assert (match[1], int(match[2])) == (prediction.label, prediction.index)
            assert abs(float(match[3]) - 100 * prediction.probability) <= 0.01 + 1e-9
