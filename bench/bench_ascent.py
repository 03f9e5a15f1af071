"""Benchmark: the seed notebook's filter-visualization loop against core.ascent.

Straightforward (seed 000, parts c–e): one filter at a time, batch 1, the whole network run
forward at every step (the target layer's output taken with a hook), a new SGD optimizer per
step, RMS-normalised update of size 10. Ours: several filters per batch and a forward pass that
stops at the target layer, and runs on a copy with BatchNorm folded into the convolutions
(core.models.fold). Same model, layer, image size, steps, filters and starting noise.
Then the same request again, served from the cross-user cache.

    python bench/bench_ascent.py [--model M] [--layer L] [--filters 16] [--size 224]
                                 [--steps 30] [--batch N] [--repeat 2] [--sweep]

The last line is ``speedup: <straightforward ÷ ours>x``; the exit status is non-zero when
nothing could be measured.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from core import ascent  # noqa: E402
from core.ascent import AscentParams, deprocess_image, initialize_images  # noqa: E402
from core.cache import clear_all  # noqa: E402
from core.models import LoadedModel, ModelManager  # noqa: E402
from core.models.hooks import capture_outputs  # noqa: E402


def straightforward(loaded, layer: str, filters, params: AscentParams,
                    seed: int) -> tuple[float, np.ndarray]:
    """The seed's loop, verbatim in spirit; returns (seconds, images)."""
    network = loaded.network
    images = []
    start = time.perf_counter()
    for f in filters:
        img = initialize_images([f], size=params.size, seed=seed, device=loaded.device)
        for _ in range(params.steps):
            img.requires_grad = True
            optimizer = torch.optim.SGD([img], lr=params.step_size)
            optimizer.zero_grad()
            with loaded.lock, capture_outputs(network, [layer]) as captured:
                network(img)  # the whole network, as the notebook's feature extractor runs it
            b = params.border
            loss = torch.mean(captured[layer][:, f, b:-b or None, b:-b or None])
            loss.backward()
            grads = img.grad / (torch.sqrt(torch.mean(img.grad ** 2)) + 1e-5)
            img.data += params.step_size * grads.data
        images.append(deprocess_image(img.detach().cpu()[0].numpy(), crop=params.crop))
    return time.perf_counter() - start, np.stack(images)


def _random_model(manager: ModelManager, name: str) -> LoadedModel:
    """A torchvision architecture with random weights, frozen like the manager's models."""
    import torchvision

    network = getattr(torchvision.models, name)(weights=None).eval().requires_grad_(False)
    return LoadedModel(spec=manager.spec(name), network=network, categories=(),
                       device=torch.device("cpu"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="default: resnet50 if its weights are cached, "
                                        "else efficientnet_lite0")
    parser.add_argument("--layer", help="default: the model's ascent layer (layer3 / blocks.4)")
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=None, help="filters per batch (ours)")
    parser.add_argument("--random-weights", action="store_true",
                        help="build --model with random weights (timing only, e.g. resnet50 "
                             "where its weights are not cached)")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved runs; best counts")
    parser.add_argument("--sweep", action="store_true",
                        help="first time our loop for batch sizes 1, 2, 4, 8, 16")
    args = parser.parse_args(argv)

    manager = ModelManager(device="cpu", offline=True)
    name = args.model or ("resnet50" if manager.status("resnet50") == "cached"
                          else "efficientnet_lite0")
    try:
        loaded = _random_model(manager, name) if args.random_weights else manager.get(name)
    except Exception as error:  # noqa: BLE001 - report and fail
        print(f"could not load {name}: {error}")
        return 2
    layer = args.layer or loaded.spec.default_layers["ascent"]
    filters = list(range(args.filters))
    params = AscentParams(size=args.size, steps=args.steps)
    why = " (random weights: timing only)" if args.random_weights else "" if args.model else (
        " (resnet50 weights cached)" if name == "resnet50"
        else " (resnet50 weights not cached here: the offline model)")
    print(f"model {name}{why}, layer {layer}, {len(filters)} filters, {args.size} px, "
          f"{args.steps} steps, CPU threads {torch.get_num_threads()}")

    if args.sweep:
        for batch in (1, 2, 4, 8, 16):
            start = time.perf_counter()
            ascent.visualize_filters(loaded, layer=layer, filters=filters, params=params,
                                     batch_size=batch, use_cache=False)
            seconds = time.perf_counter() - start
            print(f"  batch {batch:2d}: {seconds:7.2f} s "
                  f"({1000 * seconds / len(filters) / args.steps:.1f} ms per filter-step)")

    # warm-up (first-call allocations) for both, one step on one filter
    warm = AscentParams(size=args.size, steps=1)
    straightforward(loaded, layer, filters[:1], warm, seed=0)
    ascent.visualize_filters(loaded, layer=layer, filters=filters[:1], params=warm,
                             use_cache=False)

    # Interleaved batch by batch (the seed loop on 4 filters, then ours on the same 4, ...),
    # best of the repetitions: load from other work on a shared machine hits both alike.
    batch = args.batch or ascent.default_batch_size(loaded)
    groups = [filters[i:i + batch] for i in range(0, len(filters), batch)]
    loop_times, ours_times, loop_parts = [], [], []
    for _ in range(args.repeat):
        loop_total = ours_total = 0.0
        loop_parts = []
        for group in groups:
            seconds, images = straightforward(loaded, layer, group, params, seed=0)
            loop_total += seconds
            loop_parts.append(images)
            start = time.perf_counter()
            ascent.visualize_filters(loaded, layer=layer, filters=group, params=params, seed=0,
                                     batch_size=args.batch, use_cache=False)
            ours_total += time.perf_counter() - start
        loop_times.append(loop_total)
        ours_times.append(ours_total)
    loop_images = np.concatenate(loop_parts)
    loop_s, ours_s = min(loop_times), min(ours_times)
    listed = lambda times: ", ".join(f"{t:.2f}" for t in times)  # noqa: E731
    print(f"straightforward (batch 1, whole network): {loop_s:.2f} s (runs: {listed(loop_times)})")
    print(f"ours (batch {batch}, stops at {layer}, BatchNorm folded): {ours_s:.2f} s "
          f"(runs: {listed(ours_times)})")

    # The whole request as the tab makes it: streamed, then cached for everyone.
    clear_all()
    chunk_times: list[float] = []
    start = time.perf_counter()
    result = ascent.visualize_filters(
        loaded, layer=layer, filters=filters, params=params, seed=0, batch_size=args.batch,
        on_chunk=lambda _chunk: chunk_times.append(time.perf_counter() - start))
    print(f"ours as one streamed request: {time.perf_counter() - start:.2f} s; first tiles after "
          f"{chunk_times[0]:.2f} s")

    start = time.perf_counter()
    again = ascent.visualize_filters(loaded, layer=layer, filters=filters, params=params, seed=0,
                                     batch_size=args.batch)
    cached_s = time.perf_counter() - start
    print(f"cached repeat: {cached_s * 1000:.2f} ms (same object: {again is result})")

    differ = np.abs(result.first.astype(int) - loop_images.astype(int))
    print(f"mean final activation: ours {result.final.mean():.3f}; images vs the seed loop: "
          f"{(differ > 2).mean() * 100:.1f}% of pixels differ by more than 2 (batching and memory "
          f"layout round differently, and {args.steps} steps of size 10 amplify that)")
    if not (loop_s > 0 and ours_s > 0):
        print("could not measure")
        return 1
    print(f"ratio straightforward / ours: {loop_s / ours_s:.2f}")
    print(f"speedup: {loop_s / ours_s:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
