"""Benchmark: the slides' way of scoring descriptions against the CLIP tab's core, on this machine.

The real ViT-B/32 weights may be missing here (offline), so the model is a CLIP with random
weights of exactly the real shape (``CLIPConfig()``'s defaults are ViT-B/32: 12+12 layers,
224×224 input, 32×32 patches, 49408 tokens) and a synthetic tokenizer of the real vocabulary
size; speed does not depend on the weights' values. With the real weights cached, pass
``--real`` to use them.

1. Scoring N descriptions (N = 3 and 20). Slides' way: for every description the processor
   and ``model(input_ids, pixel_values)`` again, so the image is encoded N times. Ours:
   ``core.clip.similarity`` — the image once, all descriptions in one batched text pass
   (cold: caches cleared before every run).
2. Zero-shot over the 1000 ImageNet classes. Straightforward: encode the 1000 class sentences
   with every request. Ours: the sentences once per model (first request), then only the image.

Run from the repository root: ``python bench/bench_clip.py``. Last line:
``speedup: <slides' way ÷ ours>x`` for 20 descriptions; exits non-zero when it could not measure.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

from bench._common import report_speedup  # noqa: E402
from core import clip as C  # noqa: E402
from core.cache import clear_all  # noqa: E402
from core.clip import model as clip_model  # noqa: E402
from core.clip import zeroshot  # noqa: E402
from core.images import load_image  # noqa: E402
from core.models import ModelManager  # noqa: E402
from core.models.registry import REGISTRY  # noqa: E402
from lab import EXAMPLE_IMAGES_DIR  # noqa: E402

NAME = "clip-vit-base-patch32"
REPEATS = 5
DESCRIPTIONS = (
    "a cute dog in a park", "a large German Shepherd", "a small kitten on a chair",
    "a dog and a cat on the floor", "a photo of a bulldog", "a tabby cat lying in the sun",
    "two animals in a living room", "a red sports car", "a cup of espresso on a table",
    "an astronaut in a white suit", "a puppy playing with a ball", "a cat sleeping on a sofa",
    "a dog wearing a harness", "sunlight through a window", "a wooden door and a floor",
    "a picture of a horse", "a plate of spaghetti", "a black and white photo",
    "a dog looking at the camera", "a cat looking away from the camera")


class RandomShapeSource:
    """The ViT-B/32 architecture with random weights and a synthetic 49408-token tokenizer."""

    def status(self, *, offline: bool) -> str:
        return "cached"

    def load(self, *, title: str, offline: bool):
        from transformers import CLIPConfig, CLIPModel

        from core.models.sources import ClipNetwork, imagenet_categories
        from tests.clip_tiny import WORDS, tiny_tokenizer

        # whole words for the descriptions and class names, so sentences have realistic lengths
        text = " ".join([*DESCRIPTIONS, *imagenet_categories()]).lower()
        words = tuple(dict.fromkeys([*WORDS, *re.findall(r"[a-z]+", text)]))
        torch.manual_seed(0)
        model = CLIPModel(CLIPConfig(text_config={"eos_token_id": 2}))  # legacy, like OpenAI's
        model.set_attn_implementation("eager")
        return ClipNetwork(model, tiny_tokenizer(words, vocab_size=49408)), ()


def load_model(real: bool):
    if real:
        return ModelManager(device="auto").get(NAME)
    spec = REGISTRY[NAME]
    from dataclasses import replace

    specs = {NAME: replace(spec, source=RandomShapeSource(),
                           title="CLIP ViT-B/32 (random weights)")}
    return ModelManager(device="auto", specs=specs, fallback=NAME).get(NAME)


def synchronize() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(function, repeats: int) -> float:
    """The fastest of ``repeats`` runs, in seconds."""
    return best_pair(function, None, repeats)[0]


def best_pair(first, second, repeats: int = REPEATS) -> tuple[float, float]:
    """The fastest of ``repeats`` runs of each, alternating the two so that both see the same
    background load on a shared machine (``second`` may be None)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for function, bucket in ((first, times[0]), (second, times[1])):
            if function is None:
                continue
            synchronize()
            start = time.perf_counter()
            function()
            synchronize()
            bucket.append(time.perf_counter() - start)
    return min(times[0]), min(times[1], default=float("nan"))


def slides_way(model, image, descriptions) -> list[float]:
    """Seed 004's loop: processor and full model call per description (image encoded each time)."""
    clip, tokenizer = C.clip_parts(model)
    logits = []
    for description in descriptions:
        _, pixels = clip_model.image_input(model, image)
        text = tokenizer([description], return_tensors="pt").to(model.device)
        with torch.no_grad():
            output = clip(input_ids=text["input_ids"], attention_mask=text["attention_mask"],
                          pixel_values=pixels)
        logits.append(float(output.logits_per_image[0, 0]))
    return logits


def ours(model, image, descriptions):
    clear_all()
    return C.similarity(model, image, descriptions)


def zero_shot_every_time(model, image):
    """Encode all 1000 class sentences with every request, then compare."""
    prompts = zeroshot.class_prompts(zeroshot.imagenet_categories())
    classes = torch.from_numpy(zeroshot.encode_prompts(model, prompts))
    _, pixels = clip_model.image_input(model, image)
    image_embedding = clip_model.encode_pixels(model, pixels).cpu()[0]
    return (classes @ image_embedding).topk(5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", action="store_true", help="use the cached real weights")
    args = parser.parse_args()
    start = time.perf_counter()
    model = load_model(args.real)
    load_seconds = time.perf_counter() - start
    print(f"model: {model.spec.title} on {model.device} (loaded in {load_seconds:.1f} s), "
          f"{torch.get_num_threads()} CPU threads")
    image = load_image(EXAMPLE_IMAGES_DIR / "both.png")
    coffee = load_image(EXAMPLE_IMAGES_DIR / "coffee.png")

    ratios = {}
    for count in (3, 20):
        chosen = DESCRIPTIONS[:count]
        reference = slides_way(model, image, chosen)  # warm-up, and the answer to check against
        result = ours(model, image, chosen)
        largest_gap = max(abs(a - b) for a, b in zip(reference, result.logits))
        if largest_gap > 1e-3 * max(1.0, result.scale):
            print("the two ways disagree on the logits", file=sys.stderr)
            return 1
        slow, fast = best_pair(lambda chosen=chosen: slides_way(model, image, chosen),
                               lambda chosen=chosen: ours(model, image, chosen))
        ratios[count] = (slow, fast)
        print(f"{count:2d} descriptions: slides' way {slow:.3f} s, ours {fast:.3f} s "
              f"({slow / fast:.1f}x)")

    every_time = timed(lambda: zero_shot_every_time(model, image), 1)
    clear_all()
    first = timed(lambda: C.zero_shot(model, image), 1)

    def next_request():
        clear_all(keep=("clip.classes",))  # keep the class sentences, as the server does
        return C.zero_shot(model, coffee)

    after = timed(next_request, REPEATS)
    print(f"zero-shot, 1000 classes: sentences encoded per request {every_time:.3f} s; ours: "
          f"first request {first:.3f} s, after the first {after:.3f} s ({every_time / after:.1f}x)"
          f"{'' if after < 1.0 else '  (target < 1 s missed)'}")

    clear_all()
    tokens = timed(lambda: (clear_all(), C.token_relevance(model, image, DESCRIPTIONS[:3])), 1)
    maps = timed(lambda: (clear_all(), C.image_relevance(model, image, DESCRIPTIONS[0])), 1)
    checks = timed(lambda: (clear_all(), C.agreement(model, image, DESCRIPTIONS[:3])), 1)
    print(f"explanations (cold): tokens of 3 descriptions {tokens:.3f} s, image maps of one "
          f"{maps:.3f} s, agreement incl. deletion check {checks:.3f} s")
    slow, fast = ratios[20]
    return report_speedup(slow, fast)


if __name__ == "__main__":
    sys.exit(main())
