"""Events that share a model share a concurrency group; light events wait for nothing."""

from __future__ import annotations

import pytest

from core.models import ModelManager
from lab.app import build_app, prepare
from lab.deploy import load_config
from lab.queueing import GROUPS
from lab.settings import Settings


@pytest.fixture(scope="module")
def demo():
    settings = Settings(device="cpu", offline=True, warm_up=False, queue_size=7)
    return prepare(build_app(settings, ModelManager(device="cpu", offline=True)), settings)


def test_every_grouped_event_exists(demo):
    names = {fn.api_name for fn in demo.fns.values()}
    for group, events in GROUPS.items():
        assert set(events) <= names, f"{group} names unknown events {set(events) - names}"


def test_heavy_events_share_their_group_and_light_ones_are_free(demo):
    by_name = {fn.api_name: fn for fn in demo.fns.values()}
    assert by_name["ascent"].concurrency_id == by_name["attribution_compare"].concurrency_id \
        == by_name["counterfactual"].concurrency_id == "image-models"
    assert by_name["clip_similarity"].concurrency_id == "clip"
    assert by_name["pdp_2d"].concurrency_id == "tabular"
    assert by_name["ascent"].concurrency_limit == 2  # CPU
    for light in ("attribution_find_class", "ascent_model", "activations_block"):
        assert by_name[light].concurrency_id not in GROUPS


def test_every_gpu_event_is_in_a_group():
    grouped = {name for events in GROUPS.values() for name in events}
    assert set(load_config().zerogpu["durations"]) <= grouped


def test_the_queue_is_bounded(demo):
    assert demo._queue.max_size == 7
