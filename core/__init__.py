"""The computation of the lab, grouped by topic; it never knows a browser exists.

``models/`` (registry, weight sources, the shared manager, layers, hooks, BatchNorm folding),
``images`` (safe loading of any upload) and ``preprocess`` (model view and tensors),
``predictions`` (top-k, class search, target checks), ``activations``, ``ascent/``,
``attribution/``, ``tabular/`` (Boston data, models, PDP, ALE), and the generic helpers
``cache`` (single-flight LRU with ``clear()``) and ``checks`` (``read_only``, ``check_int``).

Results are frozen dataclasses of numpy arrays. May import torch, captum, transformers, timm,
scikit-learn and numpy; never ``tabs``, ``lab``, gradio or matplotlib's pyplot.
"""
