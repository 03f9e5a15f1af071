"""Rendering: typed results from ``core`` → images (numpy/PIL) and matplotlib figures."""
