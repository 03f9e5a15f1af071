"""One module per tab: components and event wiring only; computation lives in ``core``."""
