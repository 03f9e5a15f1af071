"""Activations tab: one request (top-5 + 16 feature maps of a layer, drawn) vs the notebook.

The notebook's way (seed 000, part b): one full forward pass for the predictions, a second
pass through a feature extractor that stops at the layer, and a matplotlib figure of the maps
saved as PNG. Ours: one pass with a hook, a numpy grid, and the shared result cache.
Also measures a cold start: ``python -m lab serve --offline`` until the first result.

    python bench/bench_activations.py [--model NAME] [--layer LAYER] [--image FILE]
"""

from __future__ import annotations

import argparse
import io
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from _common import ROOT, best_of, pick_model, report_speedup
from matplotlib.figure import Figure

from core.activations import compute_activations, order_channels
from core.cache import clear_all
from core.images import load_image
from core.models import ModelManager
from core.preprocess import model_view, to_tensor
from lab import EXAMPLE_IMAGES_DIR
from tabs.common.render.images import feature_grid


def notebook_way(model, image: np.ndarray, layer: str) -> bytes:
    """Predictions from a full pass, maps from a second pass, plotted with matplotlib."""
    batch = to_tensor(model_view(image, model.spec.input_size), model.spec, model.device)
    with torch.no_grad():
        model.network(batch).softmax(-1).topk(5)
        captured = {}
        handle = dict(model.network.named_modules())[layer].register_forward_hook(
            lambda _m, _i, out: captured.setdefault("maps", out))
        try:
            model.network(batch)
        finally:
            handle.remove()
    maps = captured["maps"][0].cpu().numpy()
    figure = Figure(figsize=(20, 5))
    axes = figure.subplots(2, 8)
    for index, axis in enumerate(axes.flat):
        axis.imshow(maps[index], cmap="viridis")
        axis.set_title(f"Filter {index}")
        axis.axis("off")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def our_way(model, image: np.ndarray, layer: str) -> np.ndarray:
    result = compute_activations(model, image, layer=layer)
    return feature_grid(result.maps, order_channels(result.maps, count=16))[0]


def cold_start(model: str, layer: str) -> tuple[float, float]:
    """Seconds from launching the server to (page served, first Activations result)."""
    from gradio_client import Client

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.perf_counter()
    command = [sys.executable, "-m", "lab", "serve", "--offline", "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
        try:
            while True:
                try:
                    client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                    break
                except Exception as error:
                    if server.poll() is not None or time.perf_counter() - start > 300:
                        log.seek(0)
                        output = log.read().decode()[-2000:]
                        raise RuntimeError("the lab did not start:\n" + output) from error
                    time.sleep(0.25)
            ready = time.perf_counter() - start
            client.predict("coffee.png", None, model, layer, "16", "channel index", "shared",
                           api_name="/activations")
            return ready, time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--model", default=None)
    options.add_argument("--layer", default=None)
    options.add_argument("--image", default="coffee.png")
    args = options.parse_args()
    name = args.model or pick_model("resnet50")
    model = ModelManager().get(name)
    layer = args.layer or model.spec.default_layers["activations"]
    image = load_image(EXAMPLE_IMAGES_DIR / args.image)
    print(f"model {name}, layer {layer}, image {args.image}, device {model.device}, "
          f"torch threads {torch.get_num_threads()}")
    notebook_way(model, image, layer)  # warm-up
    straightforward = best_of(lambda: notebook_way(model, image, layer), repeats=5)

    def uncached():
        clear_all()
        return our_way(model, image, layer)

    ours = best_of(uncached, repeats=5)
    cached = best_of(lambda: our_way(model, image, layer), repeats=5)
    print(f"notebook way (2 passes + matplotlib): {straightforward * 1000:8.1f} ms")
    print(f"ours, new image (1 pass + numpy grid): {ours * 1000:8.1f} ms  "
          f"({straightforward / ours:.2f}x)")
    print(f"ours, repeated request (cache):        {cached * 1000:8.1f} ms  "
          f"({straightforward / cached:.1f}x)")
    if name == "efficientnet_lite0":
        ready, first = cold_start(name, layer)
        print(f"cold start: page served after {ready:.1f} s, "
              f"first Activations result after {first:.1f} s")
    return report_speedup(straightforward, ours)


if __name__ == "__main__":
    sys.exit(main())
