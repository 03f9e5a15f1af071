"""The Attribution notebooks, executed, print the lab's numbers: the comparison's top-5 classes
and Integrated Gradients' completeness check, the check for each of IG's four baselines,
Grad-CAM's channel weights step by step, Grad-CAM at several depths, one method's maps for
two classes, and how far one method's map moves with noise.

Tolerances: the notebook runs the same captum calls on the same pixels, but IG's steps are
batched differently (8 per batch there, the measured batch here) and Occlusion runs on the
lab's folded copy: float rounding only. Probabilities are printed in percent with two
decimals (±0.01 points), the IG numbers with four (±1e-3 relative, at least ±2e-4). The
stability numbers compare whole maps: Spearman's ρ (three decimals) within ±0.002, the top-k
overlap within ±0.5 points (a pixel or two can swap places at the cut).
"""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pytest

from core.attribution import (
    compare_baselines,
    compare_methods,
    compare_targets,
    gradcam_depth,
    gradcam_steps,
    measure_stability,
)
from core.models import ModelManager
from core.predictions import classify
from lab import EXAMPLE_IMAGES_DIR
from tabs.attribution.settings import (
    BaselinesSettings,
    ClassesSettings,
    CompareSettings,
    DepthSettings,
    StabilityAllSettings,
    StabilitySettings,
    StepsSettings,
)
from tabs.attribution.stability import STABILITY, STABILITY_ALL
from tabs.attribution.views import BASELINES, CLASSES, COMPARE, DEPTH, STEPS
from tabs.common.code_panel import notebook_for
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.running import make_call
from tests.notebooks.conftest import execute


def close(printed: float, lab: float) -> bool:
    return abs(printed - lab) <= max(2e-4, 1e-3 * abs(lab))


@pytest.fixture(scope="module")
def ctx():
    return TabContext(models=ModelManager(device="cpu", offline=True), lang="en",
                      examples=ExampleImages(EXAMPLE_IMAGES_DIR))


def completeness(line: str) -> list[float]:
    """The five IG numbers a line prints: sum, f(x), f(x′), f(x) − f(x′), δ."""
    return [float(x) for x in re.findall(r"[-+]?\d+\.\d{4}", line)]


def lab_completeness(explanation) -> list[float]:
    check = explanation.completeness
    assert check is not None
    return [check.attribution_sum, check.score_input, check.score_baseline, check.difference,
            check.delta]


@pytest.mark.parametrize("lang", ["de"])
def test_the_notebook_prints_the_labs_numbers(ctx, lang):
    # small settings, so that it runs in seconds: 4 IG steps, 4 occlusion windows
    settings = CompareSettings(example="both.png", model="efficientnet_lite0", target=281,
                               layer="blocks.5", steps=4, baseline="blurred", window=112,
                               stride=112)
    call = make_call(COMPARE, ctx, settings, lang=lang)
    printed = execute(nbformat.reads(notebook_for(COMPARE, call).decode(), as_version=4))

    loaded = ctx.models.get("efficientnet_lite0")
    image = ctx.examples.resolve("both.png", None)
    top = classify(loaded, image)
    lines = printed.splitlines()
    for line, prediction in zip(lines, top):
        match = re.fullmatch(r"\d\. (.+) \(#(\d+)\): ([\d.]+)%", line)
        assert match, line
        assert (match[1], int(match[2])) == (prediction.label, prediction.index)
        assert abs(float(match[3]) - 100 * prediction.probability) <= 0.01 + 1e-9
    ig = compare_methods(loaded, image, target=281, **settings.method_options())[1]
    numbers, lab = completeness(lines[5]), lab_completeness(ig)
    assert lines[5].startswith("Integrated Gradients (blurred, 4 steps)")
    assert len(numbers) == 5 and all(close(p, w) for p, w in zip(numbers, lab)), (numbers, lab)


def test_the_baselines_notebook_prints_each_baselines_check(ctx):
    settings = BaselinesSettings(example="both.png", model="efficientnet_lite0", target=281,
                                 steps=4)
    call = make_call(BASELINES, ctx, settings, lang="en")
    printed = execute(nbformat.reads(notebook_for(BASELINES, call).decode(), as_version=4))
    lines = printed.splitlines()[5:]
    results = compare_baselines(ctx.models.get("efficientnet_lite0"),
                                ctx.examples.resolve("both.png", None), target=281, steps=4)
    assert len(lines) == len(results) == 4, printed
    for line, explanation in zip(lines, results):
        assert line.startswith(f"{explanation.baseline}: sum "), line
        numbers, lab = completeness(line), lab_completeness(explanation)
        assert len(numbers) == 5 and all(close(p, w) for p, w in zip(numbers, lab)), \
            (line, lab)


def test_the_gradcam_steps_notebook_prints_the_labs_weights(ctx):
    settings = StepsSettings(example="both.png", model="efficientnet_lite0", target=281,
                             layer="blocks.5")
    call = make_call(STEPS, ctx, settings, lang="de")
    printed = execute(nbformat.reads(notebook_for(STEPS, call).decode(), as_version=4))
    lines = printed.splitlines()[5:]
    steps = gradcam_steps(ctx.models.get("efficientnet_lite0"),
                          ctx.examples.resolve("both.png", None), target=281, layer="blocks.5")
    c, h, w = steps.feature_maps.shape
    assert len(lines) == 3, printed
    match = re.fullmatch(rf"blocks\.5: {c} feature maps of {h}×{w}; (\d+) positive weights, "
                         r"the largest ([-\d.e+]+)", lines[0])
    assert match, lines[0]
    assert int(match[1]) == int((steps.weights > 0).sum())
    assert close(float(match[2]), float(steps.weights.max()))
    strongest = [(int(k), float(a)) for k, a in re.findall(r"(\d+) \(([-\d.e+]+)\)", lines[1])]
    assert [k for k, _ in strongest] == [int(k) for k in np.argsort(-steps.weights)[:8]]
    assert all(close(a, float(steps.weights[k])) for k, a in strongest)
    removed, difference = re.fullmatch(r"removed by the ReLU: ([\d.]+) % · largest difference "
                                       r"to LayerGradCam: ([-\d.e+]+)", lines[2]).groups()
    assert abs(float(removed) - 100 * (steps.weighted_sum <= 0).mean()) <= 0.05 + 1e-9
    assert float(difference) <= 1e-5  # the five steps are Grad-CAM


def test_the_depth_notebook_prints_each_layers_map(ctx):
    chosen = ["blocks.5", "blocks.2"]  # the notebook orders them shallow to deep
    settings = DepthSettings(example="both.png", model="efficientnet_lite0", target=281,
                             layers=chosen)
    call = make_call(DEPTH, ctx, settings, lang="en")
    printed = execute(nbformat.reads(notebook_for(DEPTH, call).decode(), as_version=4))
    lines = printed.splitlines()[5:]
    results = gradcam_depth(ctx.models.get("efficientnet_lite0"),
                            ctx.examples.resolve("both.png", None), target=281,
                            layers=["blocks.2", "blocks.5"])
    assert len(lines) == 2, printed
    for line, explanation in zip(lines, results):
        match = re.fullmatch(rf"{explanation.layer}: largest ([-\d.e+]+), mean ([-\d.e+]+)",
                             line)
        assert match, line
        assert close(float(match[1]), float(explanation.map.max()))
        assert close(float(match[2]), float(explanation.map.mean()))


@pytest.mark.parametrize("method", ["guided_gradcam", "integrated_gradients"])
def test_the_classes_notebook_prints_each_classs_map(ctx, method):
    """The dog and the cat of both.png: the method's code inside a function of the class."""
    settings = ClassesSettings(example="both.png", model="efficientnet_lite0", target=243,
                               second=281, method=method, layer="blocks.5", steps=4)
    call = make_call(CLASSES, ctx, settings, lang="en")
    printed = execute(nbformat.reads(notebook_for(CLASSES, call).decode(), as_version=4))
    lines = printed.splitlines()[5:]
    loaded = ctx.models.get("efficientnet_lite0")
    image = ctx.examples.resolve("both.png", None)
    results = compare_targets(loaded, image, targets=[243, 281], method=method,
                              **settings.method_options())
    probabilities = {p.index: p.probability for p in classify(loaded, image, top_k=1000)}
    assert len(lines) == 2, printed
    for line, explanation in zip(lines, results):
        match = re.fullmatch(rf"#{explanation.target} {explanation.label}: p = ([\d.]+)% · "
                             r"map largest ([-\d.e+]+), mean ([-\d.e+]+)", line)
        assert match, line
        assert abs(float(match[1]) - 100 * probabilities[explanation.target]) <= 0.01 + 1e-9
        assert close(float(match[2]), float(explanation.map.max())), (line, explanation.map.max())
        assert close(float(match[3]), float(explanation.map.mean())), (line, explanation.map.mean())


@pytest.mark.parametrize("method", ["saliency", "occlusion"])
def test_the_stability_notebook_prints_the_labs_numbers(ctx, method):
    settings = StabilitySettings(example="both.png", model="efficientnet_lite0", target=243,
                                 method=method, noise_percent=2.0, top_k=5, window=56,
                                 stride=28)
    call = make_call(STABILITY, ctx, settings, lang="de")
    printed = execute(nbformat.reads(notebook_for(STABILITY, call).decode(), as_version=4))
    report = measure_stability(ctx.models.get("efficientnet_lite0"),
                               ctx.examples.resolve("both.png", None), method=method,
                               target=243, noise=0.02, top_k=5, **settings.method_options())
    match = re.fullmatch(r"(.+): Spearman rho ([-\d.]+), top-5 % overlap ([\d.]+) %",
                         printed.strip())
    assert match, printed
    assert abs(float(match[2]) - report.rank_correlation) <= 0.002, (printed, report)
    assert abs(float(match[3]) - report.top_k_overlap) <= 0.5, (printed, report)
    assert report.rank_correlation < 0.99  # the noise moved the map: the numbers say something


def test_the_every_method_stability_notebook_prints_the_labs_table(ctx):
    settings = StabilityAllSettings(example="both.png", model="efficientnet_lite0", target=243,
                                    noise_percent=2.0, top_k=5, steps=8, window=56, stride=28)
    call = make_call(STABILITY_ALL, ctx, settings, lang="en")
    notebook = nbformat.reads(notebook_for(STABILITY_ALL, call).decode(), as_version=4)
    assert any("LRP EpsilonPlusFlat: its code" in cell.source for cell in notebook.cells
               if cell.cell_type == "markdown")
    printed = execute(notebook)
    table = STABILITY_ALL.run(call)
    rows = [re.fullmatch(r"\| (.+) \| ([-\d.]+) \| ([\d.]+) % \|", line)
            for line in table.splitlines()]
    lab = {row[1]: (float(row[2]), float(row[3])) for row in rows if row}
    lines = printed.splitlines()
    assert len(lines) == 5 and len(lab) == 6, (printed, table)  # LRP: the lab's row only
    for line in lines:
        match = re.fullmatch(r"(.+): Spearman rho ([-\d.]+), top-5 % overlap ([\d.]+) %", line)
        assert match, line
        rho, overlap = lab[match[1]]
        assert abs(float(match[2]) - rho) <= 0.002 and abs(float(match[3]) - overlap) <= 0.5, \
            (line, lab[match[1]])
