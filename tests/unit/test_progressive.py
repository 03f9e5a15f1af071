"""Views that combine several computations show each part as soon as it exists, the cheap
ones first, and end with the same result as before."""

from __future__ import annotations

import numpy as np

from core.attribution import METHODS
from core.attribution.views import CHEAP_FIRST
from core.cache import clear_all
from tabs.attribution.views import COMPARE
from tests.views import call_view

SMALL = ("both.png", None, "tiny", 3, "layer2", 4, "black", 0.7, "viridis", 8, 4)


def test_the_comparison_streams_its_cheap_maps_before_integrated_gradients(tiny_ctx):
    clear_all()
    updates = call_view(COMPARE, tiny_ctx, *SMALL)
    *partial, final = updates
    assert len(partial) == len(METHODS) - 1  # one picture per method ready; the last is final
    ready = [text.split(" of ")[0] for _, text, _ in partial]
    assert ready == ["1", "2", "3", "4"]
    assert "Integrated Gradients" in partial[2][1] and "Guided Grad-CAM" not in partial[2][1]
    assert CHEAP_FIRST.index("integrated_gradients") > CHEAP_FIRST.index("guided_gradcam")
    assert all(results is None for _, _, results in partial)
    picture, timings, results = final
    assert [r.method for r in results] == list(METHODS)  # the result as before
    assert timings.startswith("Computed") and picture.shape == partial[0][0].shape
    assert not np.array_equal(partial[0][0], picture)  # the grey panels were filled in


def test_a_repeated_comparison_comes_at_once_as_the_kept_result(tiny_ctx):
    clear_all()
    first = call_view(COMPARE, tiny_ctx, *SMALL)
    again = call_view(COMPARE, tiny_ctx, *SMALL)
    assert len(again) == 1 and np.array_equal(again[0][0], first[-1][0])
