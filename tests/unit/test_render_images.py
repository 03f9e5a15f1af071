"""Grids, colour maps and overlays from tabs.common.render.images."""

from __future__ import annotations

import numpy as np

from tabs.common.render.images import MARGIN, colorize, feature_grid, overlay


def test_grid_geometry_and_click_mapping():
    maps = np.random.default_rng(0).random((20, 7, 7)).astype(np.float32)
    channels = np.array([5, 3, 9, 0, 1])
    grid, layout = feature_grid(maps, channels)
    assert layout.columns == 3 and layout.tile == 98  # 7 px maps scaled ×14
    rows = 2
    assert grid.shape == (rows * (layout.tile + MARGIN) - MARGIN,
                          3 * (layout.tile + MARGIN) - MARGIN, 3)
    step = layout.tile + MARGIN
    assert layout.channel_at(1, 1) == 5
    assert layout.channel_at(step + 2, 2) == 3
    assert layout.channel_at(step + 2, step + 2) == 1
    assert layout.channel_at(layout.tile + 1, 1) is None  # in a margin
    assert layout.channel_at(2 * step + 2, step + 2) is None  # empty cell


def test_shared_scale_keeps_weak_maps_dark_per_map_stretches_them():
    maps = np.zeros((2, 8, 8), dtype=np.float32)
    maps[0, :, 4:] = 10.0
    maps[1, :, 4:] = 0.1
    shared, layout = feature_grid(maps, np.array([0, 1]), scale="shared")
    per_map, _ = feature_grid(maps, np.array([0, 1]), scale="per map")
    step = layout.tile + MARGIN
    right = layout.tile - 3
    row = layout.tile - 2
    assert shared[row, step + right].sum() < per_map[row, step + right].sum()


def test_colorize_and_overlay_shapes():
    values = np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4)
    coloured = colorize(values, low=0.0, high=1.0)
    assert coloured.shape == (3, 4, 3) and coloured.dtype == np.uint8
    assert not np.array_equal(coloured[0, 0], coloured[-1, -1])
    view = np.full((32, 32, 3), 100, dtype=np.uint8)
    blended = overlay(view, values, opacity=0.0)
    np.testing.assert_array_equal(blended, view)
    assert overlay(view, values, opacity=1.0).shape == (32, 32, 3)
