"""Class names that a tab's layout gives its columns, so that the page's style sheet
(:mod:`lab.layout`) can arrange them on a narrow screen without knowing each tab.

Every tab is a ``gr.Row`` of a column of settings and a column of results. Side by side
the settings come first; on a phone the row becomes one column and the results come first,
so a student sees what the settings did without scrolling past all of them.
"""

from __future__ import annotations

CONTROLS = "xai-controls"
"""A tab's column of settings (left on a wide screen, below the results on a phone)."""

RESULTS = "xai-results"
"""A tab's column of results (right on a wide screen, on top on a phone)."""

WIDE = "xai-wide"
"""A composite picture (several panels side by side, a figure with small titles): on a phone
it keeps a legible width and scrolls sideways instead of shrinking."""
