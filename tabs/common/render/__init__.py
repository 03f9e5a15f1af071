"""Rendering shared by several tabs: typed results from ``core`` → RGB uint8 arrays (object-
oriented matplotlib only, never pyplot). ``images`` has colour maps, overlays and the one
tile-grid builder; ``maps`` heatmaps and labelled strips of panels. A figure only one tab
draws lives in that tab's ``render`` module."""
