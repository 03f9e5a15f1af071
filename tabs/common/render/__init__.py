"""Rendering: typed results from ``core`` → RGB uint8 arrays and matplotlib ``Figure`` objects
(object-oriented API only, never pyplot). ``images`` has the shared pieces (colour maps,
overlays, the one tile-grid builder); one module per tab for its own figures."""
