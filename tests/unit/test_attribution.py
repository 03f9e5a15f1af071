"""core.attribution on tiny models with known answers (no network, CPU, a few seconds)."""

from __future__ import annotations

import threading

import gradio as gr
import numpy as np
import pytest
import torch
from captum.attr import LayerAttribution, LayerGradCam
from torch import nn

from core import attribution as A
from core import predictions as P
from core.attribution.methods import normalised
from core.cache import clear_all
from core.checks import InputError
from core.models import ModelManager
from core.models.hooks import count_hooks
from core.models.layers import stage_layers
from lab import EXAMPLE_IMAGES_DIR
from tabs.attribution.render import weights_figure
from tabs.attribution.texts import method_title
from tabs.attribution.views import DEPTH, PREDICT
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.render.colour_bar import BAR_WIDTH
from tabs.common.render.maps import overlay_map, strip, unit_scale
from tests.conftest import tiny_spec
from tests.views import call_view

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")


class Linear(nn.Module):
    """f(x) = W · flatten(x) + b on 8×8 inputs: the gradient of class c is exactly W[c]."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3 * 8 * 8, 10)

    def forward(self, x):
        return self.fc(torch.flatten(x, 1))


@pytest.fixture
def linear_model():
    spec = tiny_spec("linear", Linear)
    spec = type(spec)(**{**spec.__dict__, "input_size": 8})
    return ModelManager(device="cpu", specs={"linear": spec}, fallback="linear").get("linear")


@pytest.fixture
def image():
    return np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_all()
    yield
    clear_all()


def test_linear_saliency_equals_abs_weights(linear_model, image):
    result = A.explain(linear_model, image, method="saliency", target=3)
    weights = linear_model.network.fc.weight[3].detach().view(3, 8, 8).abs().max(dim=0).values
    np.testing.assert_allclose(result.map, weights.numpy(), rtol=1e-6, atol=1e-7)
    assert result.label == "class 3" and result.map.shape == (8, 8)


@pytest.mark.parametrize("baseline", A.BASELINES)
def test_integrated_gradients_completeness(tiny_model, image, baseline):
    result = A.explain(tiny_model, image, method="integrated_gradients", target=2, steps=64,
                       baseline=baseline)
    c = result.completeness
    assert abs(c.attribution_sum - c.difference) <= 0.02 * max(1.0, abs(c.difference))
    assert c.delta == pytest.approx(c.attribution_sum - c.difference, abs=1e-3)


def test_linear_ig_is_exact(linear_model, image):
    c = A.explain(linear_model, image, method="integrated_gradients", target=1,
                  steps=4).completeness
    assert c.attribution_sum == pytest.approx(c.difference, abs=1e-4)
    assert abs(c.delta) < 1e-4


def test_baselines_are_defined_in_pixel_space(tiny_model, image):
    pixels = A.model_pixels(tiny_model, image)
    assert torch.all(A.baseline_pixels(pixels, kind="black") == 0)
    assert torch.all(A.baseline_pixels(pixels, kind="white") == 1)
    noise = A.baseline_pixels(pixels, kind="noise", seed=1)
    assert noise.min() >= 0 and noise.max() <= 1
    assert torch.equal(noise, A.baseline_pixels(pixels, kind="noise", seed=1))
    blurred = A.baseline_pixels(pixels, kind="blurred")
    assert blurred.shape == pixels.shape and blurred.std() < pixels.std()


@pytest.mark.parametrize("method", A.METHODS)
def test_map_shape_equals_input(tiny_model, image, method):
    result = A.explain(tiny_model, image, method=method, target=0, steps=4)
    assert result.map.shape == (32, 32) and result.view.shape == (32, 32, 3)
    assert result.map.dtype == np.float32 and (result.map >= 0).all()
    assert not result.map.flags.writeable


@pytest.mark.parametrize("method", A.METHODS)
def test_different_targets_give_different_maps(tiny_model, image, method):
    first, second = A.compare_targets(tiny_model, image, targets=[0, 5], method=method, steps=8,
                                      layer="layer1")
    assert not np.allclose(first.map, second.map)


def test_gradcam_steps_equal_captum_gradcam(tiny_model, image):
    steps = A.gradcam_steps(tiny_model, image, target=4, layer="layer2")
    assert steps.feature_maps.shape == (32, 8, 8) and steps.weights.shape == (32,)
    np.testing.assert_allclose(steps.relu, np.maximum(steps.weighted_sum, 0))
    inputs = normalised(tiny_model, A.model_pixels(tiny_model, image)).requires_grad_()
    cam = LayerGradCam(tiny_model.network, tiny_model.network.layer2).attribute(
        inputs, target=4, relu_attributions=True)
    expected = LayerAttribution.interpolate(cam, (32, 32), interpolate_mode="bilinear")[0, 0]
    np.testing.assert_allclose(steps.upsampled, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    gradcam = A.explain(tiny_model, image, method="gradcam", target=4, layer="layer2")
    np.testing.assert_allclose(steps.upsampled, gradcam.map, rtol=1e-5, atol=1e-6)


def test_guided_backprop_also_guides_relu6(image):
    """Guided Grad-CAM differs from plain gradient × Grad-CAM in a ReLU6 network."""

    class Relu6Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU6(inplace=True))
            self.layer2 = nn.Sequential(nn.Conv2d(8, 8, 3, padding=1), nn.ReLU6(inplace=True))
            self.fc = nn.Linear(8, 10)

        def forward(self, x):
            return self.fc(self.layer2(self.layer1(x)).mean(dim=(2, 3)))

    model = ModelManager(device="cpu", specs={"r6": tiny_spec("r6", Relu6Net)},
                         fallback="r6").get("r6")
    guided = A.explain(model, image, method="guided_gradcam", target=1, layer="layer1")
    plain = A.explain(model, image, method="saliency", target=1).map
    cam = A.explain(model, image, method="gradcam", target=1, layer="layer1").map
    assert not np.allclose(guided.map, plain * cam, rtol=1e-3, atol=0)
    assert count_hooks(model.network) == 0


def test_find_class():
    names = ("tabby cat", "dog", "Persian cat", "catamaran")
    assert [m.index for m in P.find_class(names, "CAT")] == [0, 2, 3]
    assert P.find_class(names, "#1")[0].label == "dog"
    with pytest.raises(ValueError, match="No class name contains"):
        P.find_class(names, "zebra")


@pytest.mark.parametrize("kwargs, message", [
    (dict(method="saliency", target=10), "out of range"),
    (dict(method="saliency", target=-1), "out of range"),
    (dict(method="integrated_gradients", target=0, steps=0), "between 1 and"),
    (dict(method="gradcam", target=0, layer="nope"), "no layer 'nope'"),
    (dict(method="lrp", target=0), "Unknown method"),
    (dict(method="integrated_gradients", target=0, baseline="grey"), "Unknown baseline"),
])
def test_bad_input_is_a_clear_value_error(tiny_model, image, kwargs, message):
    with pytest.raises(ValueError, match=message):
        A.explain(tiny_model, image, **kwargs)


@pytest.mark.parametrize("method", A.METHODS)
def test_no_hook_survives_success_or_error(tiny_model, image, method):
    A.explain(tiny_model, image, method=method, target=1, steps=4, use_cache=False)
    assert count_hooks(tiny_model.network) == 0

    def broken(*_):
        raise RuntimeError("boom")

    handle = tiny_model.network.fc.register_forward_hook(broken)
    try:
        with pytest.raises(RuntimeError, match="boom"):
            A.explain(tiny_model, image, method=method, target=1, steps=4, use_cache=False)
    finally:
        handle.remove()
    assert count_hooks(tiny_model.network) == 0
    A.explain(tiny_model, image, method=method, target=1, steps=4, use_cache=False)


def test_inputs_are_not_mutated(tiny_model, image):
    before = image.copy()
    pixels = A.model_pixels(tiny_model, image)
    pixels_before = pixels.clone()
    for method in A.METHODS:
        A.explain(tiny_model, image, method=method, target=1, steps=4)
        A.explain_pixels(tiny_model, pixels, method=method, target=1, steps=4)
    A.gradcam_steps(tiny_model, image, target=1)
    np.testing.assert_array_equal(image, before)
    assert torch.equal(pixels, pixels_before) and not pixels.requires_grad


def test_concurrent_requests_equal_sequential(tiny_model, image):
    jobs = [(method, target) for method in A.METHODS for target in (0, 7)] * 3
    sequential = [A.explain(tiny_model, image, method=m, target=t, steps=16, use_cache=False).map
                  for m, t in jobs]
    results: list = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def work(i, method, target):
        barrier.wait()
        results[i] = A.explain(tiny_model, image, method=method, target=target, steps=16,
                               use_cache=False).map

    threads = [threading.Thread(target=work, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for expected, got in zip(sequential, results):
        np.testing.assert_array_equal(got, expected)
    assert count_hooks(tiny_model.network) == 0


def test_views_report_progress_and_use_the_cache(manager, tiny_model, image):
    seen = []
    results = A.compare_methods(tiny_model, image, target=3, steps=4,
                                progress=lambda f, text: seen.append(f))
    assert [r.method for r in results] == list(A.METHODS)
    assert seen[0] == 0 and seen[-1] == 1.0 and len(seen) == len(A.METHODS) + 1
    again = A.explain(tiny_model, image, method="saliency", target=3)
    assert again is results[0]
    baselines = A.compare_baselines(tiny_model, image, target=3, steps=4)
    assert [r.baseline for r in baselines] == list(A.BASELINES)
    stages = stage_layers(manager.layers("tiny"))
    assert stages == ("layer1", "layer2")
    depth = A.gradcam_depth(tiny_model, image, target=3, layers=stages)
    assert [r.layer for r in depth] == list(stages)
    assert all(r.map.shape == (32, 32) for r in depth)


def test_depth_names_the_layers_the_model_does_not_have(tiny_model, image):
    with pytest.raises(InputError) as caught:
        A.gradcam_depth(tiny_model, image, target=3, layers=["layer2", "no.such.layer"])
    assert str(caught.value) == "Tiny has no layer 'no.such.layer'. Pick layers from the list."
    assert caught.value.in_language("de") == ("Tiny hat keine Schicht 'no.such.layer'. "
                                              "Wähle Schichten aus der Liste.")
    with pytest.raises(InputError, match="has no layers 'a', 'b'") as caught:
        A.gradcam_depth(tiny_model, image, target=3, layers=["a", "b"])
    assert "keine Schichten 'a', 'b'" in caught.value.in_language("de")
    with pytest.raises(InputError, match="at least one layer"):
        A.gradcam_depth(tiny_model, image, target=3, layers=[])


def test_depth_view_refuses_unknown_layers_by_name(manager):
    ctx = TabContext(models=manager, lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    *_, picture = call_view(DEPTH, ctx, "chelsea.png", None, "tiny", 3, ["layer2", "layer1"])
    assert picture.shape[1] == 2 * 224 + 6 + BAR_WIDTH  # both layers, then the colour bar
    for layers in (["layer2", "no.such.layer"], ["no.such.layer"]):
        with pytest.raises(gr.Error, match="has no layer 'no.such.layer'"):
            call_view(DEPTH, ctx, "chelsea.png", None, "tiny", 3, layers, lang="en")
    with pytest.raises(gr.Error, match="hat keine Schicht 'no.such.layer'"):
        call_view(DEPTH, ctx, "chelsea.png", None, "tiny", 3, ["no.such.layer"], lang="de")


def test_classify(tiny_model, image):
    predictions = P.classify(tiny_model, image, top_k=3)
    assert len(predictions) == 3 and predictions[0].probability >= predictions[1].probability


def test_rendering(tiny_model, image):
    result = A.explain(tiny_model, image, method="saliency", target=0)
    unit = unit_scale(result.map)
    assert unit.min() == 0 and unit.max() == 1
    assert (unit_scale(np.ones((4, 4))) == 0).all()
    picture = overlay_map(result.view, result.map, opacity=0.0)
    np.testing.assert_array_equal(picture, result.view)
    with pytest.raises(ValueError, match="Opacity"):
        overlay_map(result.view, result.map, opacity=2)
    with pytest.raises(ValueError, match="colour map"):
        overlay_map(result.view, result.map, cmap="rainbowish")
    row = strip([(result.view, "a"), (picture, "b\nc")], tile=50)
    assert row.shape[1] == 2 * 50 + 6 and row.dtype == np.uint8
    figure = weights_figure(np.arange(-3.0, 5.0), layer="layer2", label="class 0")
    assert len(figure.axes[0].patches) == 8


# ---------------------------------------------------------------------------------------------
# Occlusion


def test_occlusion_equals_captum_on_a_linear_model(linear_model, image):
    from captum.attr import Occlusion

    result = A.explain(linear_model, image, method="occlusion", target=3, window=4, stride=2)
    inputs = normalised(linear_model, A.model_pixels(linear_model, image))
    raw = Occlusion(linear_model.network).attribute(inputs, sliding_window_shapes=(3, 4, 4),
                                                    strides=(3, 2, 2), baselines=0, target=3)
    np.testing.assert_allclose(result.map, raw[0].mean(dim=0).clamp(min=0).numpy(),
                               rtol=1e-5, atol=1e-6)
    assert method_title(result, "en") == "Occlusion (4 px, stride 2)"
    assert result.map.shape == (8, 8)


def test_one_pixel_occlusion_of_a_linear_model_is_weight_times_input(linear_model, image):
    """Covering one pixel (all colours) with 0 removes exactly Σ_colour w · x from the score."""
    result = A.explain(linear_model, image, method="occlusion", target=1, window=1, stride=1)
    inputs = normalised(linear_model, A.model_pixels(linear_model, image))[0]
    weights = linear_model.network.fc.weight[1].detach().view(3, 8, 8)
    expected = (weights * inputs).sum(dim=0).clamp(min=0)
    np.testing.assert_allclose(result.map, expected.numpy(), rtol=1e-4, atol=1e-5)


def test_occlusion_defaults_and_cache_key(tiny_model, image):
    default = A.explain(tiny_model, image, method="occlusion", target=2)
    assert (default.window, default.stride) == (5, 2)  # a seventh of 32 px, half of that
    assert A.explain(tiny_model, image, method="occlusion", target=2, window=5, stride=2) is default
    other = A.explain(tiny_model, image, method="occlusion", target=2, window=5, stride=5)
    assert other is not default and not np.array_equal(other.map, default.map)
    # the occlusion options do not split the cache of the other methods
    first = A.explain(tiny_model, image, method="saliency", target=2, window=3)
    assert A.explain(tiny_model, image, method="saliency", target=2, window=9) is first


def test_occlusion_runs_on_a_folded_copy_with_the_same_scores():
    from core.attribution.inference import inference_network
    from tests.unit.test_sanity import NormNet

    model = ModelManager(device="cpu", specs={"norm": tiny_spec("norm", NormNet)},
                         fallback="norm").get("norm")
    image = np.random.default_rng(4).integers(0, 256, (32, 32, 3), dtype=np.uint8)
    fast = A.explain(model, image, method="occlusion", target=1, window=8, stride=4)
    assert inference_network(model) is not model.network
    inputs = normalised(model, A.model_pixels(model, image))
    from captum.attr import Occlusion

    raw = Occlusion(model.network).attribute(inputs, sliding_window_shapes=(3, 8, 8),
                                             strides=(3, 4, 4), baselines=0, target=1)
    np.testing.assert_allclose(fast.map, raw[0].mean(dim=0).clamp(min=0).numpy(),
                               rtol=1e-3, atol=1e-4)
    assert count_hooks(model.network) == 0


@pytest.mark.parametrize("kwargs, message", [
    (dict(window=33), "occlusion window must be a whole number from 1 to 32"),
    (dict(window=0), "occlusion window"),
    (dict(window=8, stride=0), "occlusion stride must be a whole number from 1 to 8"),
    (dict(window=8, stride=9), "at most the window"),
    (dict(window=4.5), "occlusion window"),
])
def test_bad_occlusion_input_is_a_sentence(tiny_model, image, kwargs, message):
    with pytest.raises(ValueError, match=message):
        A.explain(tiny_model, image, method="occlusion", target=0, **kwargs)


def test_too_many_occlusion_windows_are_refused():
    from core.attribution.occlusion import MAX_WINDOWS, check_occlusion, window_positions

    assert check_occlusion(224, None, None) == (32, 16)
    assert window_positions(224, 32, 16) == 13
    assert window_positions(224, 56, 28) ** 2 == 49
    with pytest.raises(ValueError, match=f"at most {MAX_WINDOWS}"):
        check_occlusion(224, 4, 2)


def test_classifying_the_same_image_again_keeps_the_chosen_target(tiny_ctx):
    """Passing the image or model dropdown with the Tab key sends its value again; the
    classes shown then are the same, and the target a student chose (maybe while that ran)
    must stay: the answer leaves both class fields alone."""
    scores, target, second, shown = call_view(PREDICT, tiny_ctx, "both.png", None, "tiny")
    assert isinstance(target, int) and isinstance(second, int) and len(shown) == len(scores)
    again = call_view(PREDICT, tiny_ctx, "both.png", None, "tiny", shown)
    assert again[0] == scores and again[3] == shown
    assert again[1] == again[2] == gr.skip()
    before = dict(reversed(shown.items()))  # other classes in front: the top class is new
    scores, target, _, _ = call_view(PREDICT, tiny_ctx, "both.png", None, "tiny", before)
    assert target == shown[max(scores, key=scores.get)]
