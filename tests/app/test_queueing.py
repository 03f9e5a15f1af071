"""Views that share a model share a concurrency group; light events wait for nothing; every
view that declares GPU seconds is in a group."""

from __future__ import annotations

import pytest

from core.models import ModelManager
from lab.app import build_lab, prepare
from lab.settings import Settings

GROUPS = ("image-models", "clip", "tabular")


@pytest.fixture(scope="module")
def lab():
    settings = Settings(device="cpu", offline=True, warm_up=False, queue_size=7)
    lab = build_lab(settings, ModelManager(device="cpu", offline=True))
    prepare(lab.demo, settings)
    return lab


def test_heavy_events_share_their_group_and_light_ones_are_free(lab):
    by_name = {fn.api_name: fn for fn in lab.demo.fns.values()}
    assert by_name["ascent"].concurrency_id == by_name["attribution_compare"].concurrency_id \
        == by_name["counterfactual"].concurrency_id == "image-models"
    assert by_name["clip_similarity"].concurrency_id == "clip"
    assert by_name["pdp_2d"].concurrency_id == "tabular"
    assert by_name["ascent"].concurrency_limit == 2  # CPU
    for light in ("attribution_find_class", "ascent_model", "activations_block"):
        assert by_name[light].concurrency_id not in GROUPS


def test_every_view_runs_in_its_declared_group(lab):
    by_name = {fn.api_name: fn for fn in lab.demo.fns.values()}
    views = [w.view for form in lab.forms.values() for w in form.wired if w.view.public]
    assert len(views) > 30
    for view in views:
        event = by_name[view.name]
        assert event.concurrency_id == view.group if view.group \
            else event.concurrency_id not in GROUPS


def test_every_heavy_view_runs_under_a_gpu_lease(lab):
    """On ZeroGPU the models live on the GPU: every view that runs one declares GPU seconds
    (the light ones that classify an image or read weights too)."""
    views = {w.view.name: w.view for form in lab.forms.values() for w in form.wired}
    heavy = [view for view in views.values() if view.group in ("image-models", "clip")]
    assert len(heavy) >= 15 and all(view.gpu_seconds for view in heavy)
    for light in ("attribution_predict", "counterfactual_predict", "ascent_weights"):
        assert views[light].gpu_seconds


def test_the_queue_is_bounded(lab):
    assert lab.demo._queue.max_size == 7
