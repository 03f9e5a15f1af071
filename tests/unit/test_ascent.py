"""Feature visualization by gradient ascent (core.ascent) and its rendering, on the tiny CNN."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from core.ascent import (
    AscentCancelled,
    AscentParams,
    deprocess_image,
    filter_seed,
    first_conv,
    initialize_images,
    iterate_ascent,
    layer_weights,
    output_size,
    parse_filters,
    truncated_forward,
    visualize_filters,
)
from core.ascent.fourier import diversity_penalty, fft_image, random_transform
from core.models.hooks import count_hooks
from core.models.layers import TOP_LEVEL_GROUP, LayerInfo, early_middle_deep
from tabs.ascent.render import SEED_MARGIN, ascent_grid, kernel_grid, loss_figure

SMALL = AscentParams(size=32, crop=4, steps=12)
REGULARIZED = AscentParams(size=32, crop=4, steps=20, lr=0.5)
LIVE = [0, 3, 4]  # filters of the tiny net's layer2 that respond to grey noise


# ----------------------------------------------------------------------------- the seed, verbatim


class SeedFeatureExtractor(nn.Module):
    """Seed 000, part (b): run the named children until the target layer."""

    def __init__(self, model, target_layer):
        super().__init__()
        self.model, self.target_layer = model, target_layer

    def forward(self, x):
        for name, layer in self.model.named_children():
            x = layer(x)
            if name == self.target_layer:
                return x
        return x


def seed_compute_loss(input_image, filter_index, model):
    activation = model(input_image)
    filter_activation = activation[:, filter_index, 2:-2, 2:-2]
    return torch.mean(filter_activation)


def seed_gradient_ascent_step(img, filter_index, learning_rate, model):
    img.requires_grad = True
    optimizer = torch.optim.SGD([img], lr=learning_rate)
    optimizer.zero_grad()
    loss = seed_compute_loss(img, filter_index, model)
    loss.backward()
    grads = img.grad / (torch.sqrt(torch.mean(img.grad**2)) + 1e-5)
    img.data += learning_rate * grads.data
    return loss, img


def seed_deprocess_image(img, crop=25):
    img -= img.mean()
    img /= img.std() + 1e-5
    img *= 0.15
    img = img[:, crop:-crop, crop:-crop]
    img += 0.5
    img = torch.clamp(img, 0, 1)
    img *= 255
    img = torch.clamp(img, 0, 255).byte().cpu().numpy().transpose(1, 2, 0)
    return img


def seed_visualize_filter(filter_index, model, size, iterations, crop, seed):
    torch.manual_seed(filter_seed(seed, filter_index))
    img = torch.rand((1, 3, size, size))
    img = (img - 0.5) * 0.25
    losses = []
    for _ in range(iterations):
        loss, img = seed_gradient_ascent_step(img, filter_index, 10.0, model)
        losses.append(float(loss.detach()))
    return losses, seed_deprocess_image(img.detach().cpu()[0], crop)


# ----------------------------------------------------------------------------- notebook mode


def test_notebook_mode_reproduces_the_seed(tiny_model):
    extractor = SeedFeatureExtractor(tiny_model.network, "layer2")
    result = visualize_filters(tiny_model, layer="layer2", filters=[0, 3], params=SMALL, seed=7,
                               use_cache=False, batch_size=2)
    for i, f in enumerate([0, 3]):
        losses, image = seed_visualize_filter(f, extractor, 32, SMALL.steps, SMALL.crop, seed=7)
        np.testing.assert_allclose(result.losses[i], losses, rtol=1e-4, atol=1e-5)
        assert np.abs(result.first[i].astype(int) - image.astype(int)).max() <= 1


def test_activation_rises_in_both_modes(tiny_model):
    for mode, params in (("notebook", SMALL), ("regularized", REGULARIZED)):
        result = visualize_filters(tiny_model, layer="layer2", filters=LIVE, mode=mode,
                                   params=params, use_cache=False)
        assert result.final.shape == (3,) and result.losses.shape == (3, params.steps)
        assert np.all(result.final > 1.5 * result.initial + 0.01), (mode, result.initial,
                                                                    result.final)


def test_deprocess_matches_the_seed_in_shape_dtype_and_range():
    rng = np.random.default_rng(0)
    raw = (rng.normal(size=(3, 224, 224)) * 3).astype(np.float32)
    before = raw.copy()
    image = deprocess_image(raw)
    assert image.shape == (174, 174, 3) and image.dtype == np.uint8
    assert image.min() >= 0 and image.max() <= 255 and 100 < image.mean() < 155
    np.testing.assert_array_equal(image, seed_deprocess_image(torch.tensor(raw.copy())))
    np.testing.assert_array_equal(raw, before)  # input untouched


def test_initial_noise_is_the_seeds_range():
    noise = initialize_images([0, 5], size=40, seed=1)
    assert noise.shape == (2, 3, 40, 40)
    assert noise.min() >= -0.125 and noise.max() <= 0.125 and noise.std() > 0.05


def test_results_do_not_depend_on_the_batch_size_and_are_deterministic(tiny_model):
    for mode, params in (("notebook", SMALL), ("regularized", AscentParams(size=32, crop=4,
                                                                           steps=4))):
        runs = [visualize_filters(tiny_model, layer="layer2", filters=[0, 1, 2, 3, 4], mode=mode,
                                  params=params, batch_size=bs, use_cache=False)
                for bs in (1, 2, 5)]
        for other in runs[1:]:
            assert np.abs(other.images.astype(int) - runs[0].images.astype(int)).max() <= 1
        other_seed = visualize_filters(tiny_model, layer="layer2", filters=[0, 1, 2, 3, 4],
                                       mode=mode, params=params, seed=1, use_cache=False)
        assert not np.array_equal(other_seed.images, runs[0].images)


def test_diversity_makes_variants_of_one_filter(tiny_model):
    params = AscentParams(size=32, crop=4, steps=6, lr=0.5, variants=2, diversity=1.0)
    result = visualize_filters(tiny_model, layer="layer2", filters=[0, 3], mode="regularized",
                               params=params, use_cache=False)
    assert result.images.shape == (2, 2, 24, 24, 3)
    assert not np.array_equal(result.images[0, 0], result.images[0, 1])
    acts = torch.rand(4, 5, 3, 3)
    assert diversity_penalty(acts, groups=2).shape == (4,)
    assert torch.all(diversity_penalty(acts, groups=4) == 0)


def test_fourier_image_and_transforms_are_valid_images():
    generators = [torch.Generator().manual_seed(i) for i in range(2)]
    params, image_f = fft_image(generators, size=33)
    image = image_f()
    assert image.shape == (2, 3, 33, 33) and image.min() >= 0 and image.max() <= 1
    moved = random_transform(generators)(image)
    assert moved.shape == image.shape
    moved.sum().backward()
    assert params[0].grad is not None and params[0].grad.abs().sum() > 0


# ----------------------------------------------------------------------------- the network


def test_the_forward_pass_stops_at_the_layer(tiny_model, monkeypatch):
    calls = []
    for name in ("pool", "fc"):
        module = getattr(tiny_model.network, name)
        original = module.forward
        monkeypatch.setattr(module, "forward",
                            lambda *a, _o=original, _n=name: calls.append(_n) or _o(*a))
    layer1 = tiny_model.network.layer1
    original = layer1.forward
    seen = []
    monkeypatch.setattr(layer1, "forward", lambda x: seen.append(1) or original(x))
    visualize_filters(tiny_model, layer="layer1", filters=[0], params=SMALL, use_cache=False)
    assert calls == [] and len(seen) > SMALL.steps


def test_lock_is_held_while_the_hook_exists(tiny_model, monkeypatch):
    layer1 = tiny_model.network.layer1
    original = layer1.forward
    free = []

    def spy(x):
        probe = threading.Thread(
            target=lambda: free.append(tiny_model.lock.acquire(blocking=False)))
        probe.start()
        probe.join()
        return original(x)

    monkeypatch.setattr(layer1, "forward", spy)
    with truncated_forward(tiny_model, "layer2") as run:
        run(torch.zeros(1, 3, 32, 32))
    assert free == [False]


def test_hooks_are_gone_after_success_and_after_an_error(tiny_model, monkeypatch):
    net = tiny_model.network
    visualize_filters(tiny_model, layer="layer2", filters=[0, 1], params=SMALL, use_cache=False)
    assert count_hooks(net) == 0

    def boom(_x):
        raise RuntimeError("boom")

    monkeypatch.setattr(net.layer1, "forward", boom)
    with pytest.raises(RuntimeError, match="boom"):
        visualize_filters(tiny_model, layer="layer2", filters=[0], params=SMALL, use_cache=False)
    assert count_hooks(net) == 0


def test_model_state_is_never_changed(tiny_model):
    net = tiny_model.network
    before = {k: v.clone() for k, v in net.state_dict().items()}
    for mode in ("notebook", "regularized"):
        visualize_filters(tiny_model, layer="layer2", filters=[0], mode=mode,
                          params=AscentParams(size=32, crop=4, steps=3), use_cache=False)
    assert not net.training
    assert all(not p.requires_grad and p.grad is None for p in net.parameters())
    for key, value in net.state_dict().items():
        assert torch.equal(value, before[key])


def test_caller_inputs_are_not_mutated(tiny_model):
    filters = [3, 0]
    params = SMALL
    visualize_filters(tiny_model, layer="layer2", filters=filters, params=params, use_cache=False)
    assert filters == [3, 0] and params == AscentParams(size=32, crop=4, steps=12)


# ----------------------------------------------------------------------------- cancel, cache


def test_cancel_stops_within_one_step(tiny_model, monkeypatch):
    layer1 = tiny_model.network.layer1
    original = layer1.forward
    forwards = []
    monkeypatch.setattr(layer1, "forward", lambda x: forwards.append(1) or original(x))
    checks = []

    def should_stop():
        checks.append(1)
        return len(checks) > 3  # stop requested after the third step

    with pytest.raises(AscentCancelled):
        visualize_filters(tiny_model, layer="layer2", filters=[0, 1], params=SMALL,
                          should_stop=should_stop, use_cache=False)
    assert len(forwards) == 1 + 3  # the size probe plus exactly three steps


def test_cancel_from_another_thread_stops_the_run_and_is_not_cached(tiny_model):
    stop = threading.Event()
    seen = []

    def on_chunk(chunk):
        seen.append(chunk.filters)
        stop.set()  # the Cancel button, pressed as the first tiles appear

    params = AscentParams(size=32, crop=4, steps=7)
    with pytest.raises(AscentCancelled):
        visualize_filters(tiny_model, layer="layer2", filters=[0, 1, 2, 3], params=params,
                          should_stop=stop.is_set, on_chunk=on_chunk, seed=123, batch_size=2)
    assert seen == [(0, 1)]
    from core.ascent.run import RESULTS, cache_key

    assert RESULTS.get(cache_key(tiny_model, layer="layer2", filters=[0, 1, 2, 3], mode="notebook",
                                 params=params, seed=123)) is None


def test_a_cache_hit_returns_the_identical_image_quickly(tiny_model):
    params = AscentParams(size=32, crop=4, steps=9)
    first = visualize_filters(tiny_model, layer="layer2", filters=[0, 4], params=params, seed=5)
    start = time.perf_counter()
    again = visualize_filters(tiny_model, layer="layer2", filters=[0, 4], params=params, seed=5)
    assert time.perf_counter() - start < 1.0
    assert again is first and np.array_equal(again.images, first.images)
    assert not first.images.flags.writeable
    other = visualize_filters(tiny_model, layer="layer2", filters=[0, 4], params=params, seed=6)
    assert other is not first


def test_chunks_stream_in_fixed_batches(tiny_model):
    chunks = list(iterate_ascent(tiny_model, layer="layer2", filters=range(7),
                                 params=AscentParams(size=32, crop=4, steps=2), batch_size=4))
    assert [c.filters for c in chunks] == [(0, 1, 2, 3), (4, 5, 6)]
    assert [c.images.shape[0] for c in chunks] == [4, 3]


def test_every_batch_has_the_same_shape(tiny_model, monkeypatch):
    """Real models round differently per batch shape; short batches are padded to full size."""
    import core.ascent.notebook as notebook

    sizes = []
    original = notebook.notebook_chunk
    monkeypatch.setattr(notebook, "notebook_chunk",
                        lambda model, layer, filters, *rest: sizes.append(len(filters))
                        or original(model, layer, filters, *rest))
    result = visualize_filters(tiny_model, layer="layer2", filters=[0, 1, 2, 3, 4], params=SMALL,
                               batch_size=4, use_cache=False)
    assert sizes == [4, 4] and result.images.shape[0] == 5 and result.filters == (0, 1, 2, 3, 4)


def test_a_filter_gets_the_same_image_in_any_request(tiny_model):
    params = AscentParams(size=32, crop=4, steps=6)
    grid = visualize_filters(tiny_model, layer="layer2", filters=[2, 3, 4, 5, 6], params=params,
                             batch_size=4, use_cache=False)
    alone = visualize_filters(tiny_model, layer="layer2", filters=[5], params=params,
                              batch_size=4, use_cache=False)
    np.testing.assert_array_equal(grid.images[3], alone.images[0])


# ----------------------------------------------------------------------------- validation


def test_out_of_range_filter_gives_the_message(tiny_model):
    with pytest.raises(ValueError, match="Filter 32 does not exist: this layer has 32 filters, "
                                         "numbered 0 to 31"):
        visualize_filters(tiny_model, layer="layer2", filters=[0, 32], params=SMALL)
    with pytest.raises(ValueError, match="Filter 38 does not exist"):
        parse_filters("38-40", channels=32)


@pytest.mark.parametrize("params, message", [
    (AscentParams(size=32, crop=4, steps=0), "at least one gradient-ascent step"),
    (AscentParams(size=16, crop=4, steps=3), "nothing is left"),
    (AscentParams(size=40, crop=25, steps=3), "too small to cut 25 px"),
    (AscentParams(size=32, crop=4, steps=3, step_size=0), "step size must be positive"),
])
def test_invalid_parameters_give_a_sentence(tiny_model, params, message):
    with pytest.raises(ValueError, match=message):
        visualize_filters(tiny_model, layer="layer2", filters=[0], params=params)
    assert count_hooks(tiny_model.network) == 0


def test_unknown_mode_and_layer_are_reported(tiny_model):
    with pytest.raises(ValueError, match="Unknown mode"):
        visualize_filters(tiny_model, layer="layer2", filters=[0], mode="magic", params=SMALL)
    with pytest.raises(ValueError, match="no layer named 'nope'"):
        visualize_filters(tiny_model, layer="nope", filters=[0], params=SMALL)


def test_parse_filters():
    assert parse_filters("5", channels=10) == (5,)
    assert parse_filters("0-3, 7, 2", channels=10) == (0, 1, 2, 3, 7)
    assert parse_filters("first 64", channels=10) == tuple(range(10))
    assert parse_filters("first 64", channels=512) == tuple(range(64))
    for bad, message in (("", "at least one"), ("a-b", "Cannot read"), ("5-2", "backwards"),
                         ("0-99", "At most 64")):
        with pytest.raises(ValueError, match=message):
            parse_filters(bad, channels=512)


def test_output_size_of_the_layer(tiny_model):
    assert output_size(tiny_model, layer="layer2", size=32) == (32, 8, 8)
    assert output_size(tiny_model, layer="layer1", size=64) == (16, 32, 32)


# ----------------------------------------------------------------------------- weights, layers


def test_layer_weights_and_first_conv_kernels(tiny_model):
    assert first_conv(tiny_model) == "conv1"
    stem = layer_weights(tiny_model, layer="conv1")
    assert stem.shapes == (("conv1", (8, 3, 3, 3)),)
    assert stem.kernels.shape == (8, 3, 3, 3)
    assert stem.kernels.min() >= 0 and stem.kernels.max() <= 1
    block = layer_weights(tiny_model, layer="layer2")
    assert block.shapes == (("layer2.0", (32, 16, 3, 3)),) and block.kernels is None
    assert kernel_grid(stem.kernels).shape == (3 * 30 + 2 * 2, 3 * 30 + 2 * 2, 3)


def _infos(names, blocks):
    return [LayerInfo(name=n, kind="Conv2d", shape=(8, 4, 4), block=b)
            for n, b in zip(names, blocks)]


def test_compare_layer_names_picks_early_middle_deep():
    names = ["conv1", "layer1.0", "layer1", "layer2", "layer3.1", "layer3", "layer4", "fc"]
    blocks = [TOP_LEVEL_GROUP, "layer1", "layer1", "layer2", "layer3", "layer3", "layer4",
              TOP_LEVEL_GROUP]
    assert early_middle_deep(_infos(names, blocks)) == ("layer1", "layer3", "layer4")
    assert early_middle_deep(_infos(["a", "b", "c", "d"], ["s"] * 4)) == ("a", "c", "d")


# ----------------------------------------------------------------------------- rendering


def test_grid_geometry_is_the_seeds():
    tiles = [np.full((10, 10, 3), 200, np.uint8) for _ in range(64)]
    grid, layout = ascent_grid(tiles, list(range(64)), labels=False)
    side = 8 * 10 + 7 * SEED_MARGIN
    assert grid.shape == (side, side, 3) and grid.dtype == np.uint8
    assert SEED_MARGIN == 5
    step = 10 + SEED_MARGIN
    assert np.all(grid[:, 10:step] == 0) and np.all(grid[10:step, :] == 0)  # black margins
    assert (grid == 200).all(axis=2).sum() == 64 * 100  # 64 full tiles
    assert layout.channel_at(0, 0) == 0 and layout.channel_at(step * 7 + 3, step * 7 + 3) == 63
    assert layout.channel_at(step * 2 + 1, step) == 10 and layout.channel_at(12, 0) is None


def test_grid_labels_and_pending_tiles():
    tiles = [np.full((40, 40, 3), 255, np.uint8), None, None]
    grid, layout = ascent_grid(tiles, [4, 9, 11], [12.5, None, None])
    assert grid.shape == (40, 3 * 40 + 2 * 5, 3)
    assert (grid[:12, :30] == 0).any()  # a dark label box in the first tile
    assert tuple(grid[30, 50]) == (48, 48, 48)  # pending tile
    assert layout.channels == (4, 9, 11)


def test_loss_figure_is_an_object_oriented_figure():
    figure = loss_figure(np.random.default_rng(0).random((3, 5)), [0, 1, 2], title="t")
    assert isinstance(figure, Figure) and len(figure.axes[0].lines) == 4
