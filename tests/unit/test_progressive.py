"""Views that combine several computations show each part as soon as it exists, the cheap
ones first, and end with the same result as before."""

from __future__ import annotations

import numpy as np
import pytest

import core.attribution as A
import core.clip as C
from core.attribution import METHOD_TITLES, METHODS
from core.attribution.views import CHEAP_FIRST
from core.cache import clear_all
from core.clip import SLIDES_DESCRIPTIONS
from core.images import load_image
from core.models import ModelManager
from core.predictions import classify
from core.progress import Stopped
from lab import EXAMPLE_IMAGES_DIR
from tabs.attribution import faithfulness
from tabs.attribution import views as v
from tabs.attribution.faithfulness import DELETION, SANITY
from tabs.attribution.render import (
    correlation_figure,
    curves_figure,
    deletion_picture,
    sanity_picture,
)
from tabs.attribution.texts import method_title
from tabs.attribution.views import COMPARE
from tabs.clip import views as cv
from tabs.clip.render import relevance_strip, token_html
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.outputs import png_bytes
from tabs.common.render.colour_bar import relevance_bar
from tabs.common.render.maps import GAP, TITLE_HEIGHT, barred_strip
from tabs.common.running import make_call
from tabs.common.streaming import CancelSwitches
from tests.clip_tiny import tiny_clip_spec
from tests.views import call_view

pytestmark = pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")

JET_BAR = (relevance_bar("jet", "en"),)  # the views' bar, for the colour map they were given
SMALL = ("both.png", None, "tiny", 3, "layer2", 4, "black", 0.7, "viridis", 8, 4)


def test_the_comparison_streams_its_cheap_maps_before_integrated_gradients(tiny_ctx):
    clear_all()
    updates = call_view(COMPARE, tiny_ctx, *SMALL)
    *partial, final = updates
    assert len(partial) == len(METHODS) - 1  # one picture per method ready; the last is final
    ready = [text.split(" of ")[0] for _, text, _ in partial]
    assert ready == [str(k) for k in range(1, len(METHODS))]
    after_guided = partial[CHEAP_FIRST.index("guided_gradcam")][1]  # its map has just come
    assert "Integrated Gradients" in after_guided and "Guided Grad-CAM" not in after_guided
    assert CHEAP_FIRST.index("integrated_gradients") > CHEAP_FIRST.index("guided_gradcam")
    assert all(results is None for _, _, results in partial)
    picture, timings, results = final
    assert [r.method for r in results] == list(METHODS)  # the result as before
    assert timings.startswith("Computed") and picture.shape == partial[0][0].shape
    assert not np.array_equal(partial[0][0], picture)  # the grey panels were filled in


def test_a_repeated_comparison_comes_at_once_as_the_kept_result(tiny_ctx):
    clear_all()
    first = call_view(COMPARE, tiny_ctx, *SMALL)
    again = call_view(COMPARE, tiny_ctx, *SMALL)
    assert len(again) == 1 and np.array_equal(again[0][0], first[-1][0])


# ---------------------------------------------------------------------------------------------
# the other views that combine several computations

BASELINE_ARGS = ("both.png", None, "tiny", 3, 4, 0.7, "jet")
DEPTH_ARGS = ("both.png", None, "tiny", 3, ["layer2", "conv1", "layer1"], 0.7, "jet")
CLASSES_ARGS = ("both.png", None, "tiny", 3, 5, "integrated_gradients", "layer2", 4, 0.7, "jet",
                8, 4)
METHOD_OPTIONS = ("layer2", 4, "black", 8, 4)
DELETION_ARGS = ("both.png", None, "tiny", 3, list(METHODS), "blurred", "5, 25",
                 *METHOD_OPTIONS, "jet")
SANITY_ARGS = ("both.png", None, "tiny", 3, list(METHODS), *METHOD_OPTIONS, "jet")
CLIP_ARGS = ("both.png", None, "clip", "\n".join(SLIDES_DESCRIPTIONS), None, "chefer",
             "all layers", 0.6)
GREY = 200


@pytest.fixture
def image():
    return load_image(EXAMPLE_IMAGES_DIR / "both.png")


@pytest.fixture
def clip_ctx():
    models = ModelManager(device="cpu", specs={"clip": tiny_clip_spec("clip")}, fallback="clip")
    return TabContext(models=models, lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR))


def cancel_after(monkeypatch, module, name: str, switches: CancelSwitches, parts: int) -> None:
    """Make ``module.name`` (a core function the view runs) press Cancel for the session
    ``"s"`` once it has handed over ``parts`` parts."""
    real = getattr(module, name)

    def cancelling(*args, on_result, **kwargs):
        handed: list = []

        def counted(part):
            on_result(part)
            handed.append(part)
            if len(handed) == parts:
                switches.cancel("s")

        return real(*args, on_result=counted, **kwargs)

    monkeypatch.setattr(module, name, cancelling)


def grey_panels(picture: np.ndarray, tile: int = 224) -> list[bool]:
    """Which panels of a strip of ``tile`` pictures are the grey "computing…" ones."""
    count = (picture.shape[1] + GAP) // (tile + GAP)
    return [bool((picture[TITLE_HEIGHT:TITLE_HEIGHT + tile,
                          i * (tile + GAP):i * (tile + GAP) + tile] == GREY).all())
            for i in range(count)]


def test_the_baselines_come_one_by_one_with_their_completeness_rows(tiny_ctx, tiny_model, image):
    clear_all()
    *partial, (picture, table) = call_view(v.BASELINES, tiny_ctx, *BASELINE_ARGS)
    lines = [text.splitlines()[-1] for _, text in partial]
    assert lines == ["1 of 4 baselines ready; still computing: white, noise, blurred…",
                     "2 of 4 baselines ready; still computing: noise, blurred…",
                     "3 of 4 baselines ready; still computing: blurred…"]
    assert [grey_panels(p) for p, _ in partial] == [[False, True, True, True],
                                                    [False, False, True, True],
                                                    [False, False, False, True]]
    assert "\n| black |" in partial[0][1] and "| white |" not in partial[0][1]  # rows so far
    assert len(call_view(v.BASELINES, tiny_ctx, *BASELINE_ARGS)) == 1  # kept
    clear_all()
    direct = A.compare_baselines(tiny_model, image, target=3, steps=4)
    titles = [f"baseline: {b}" for b in A.BASELINES]
    assert np.array_equal(picture, barred_strip(v.overlays(direct, 0.7, "jet", titles), JET_BAR))
    assert all(f"{r.completeness.attribution_sum:.3f}" in table for r in direct)
    assert table.endswith("more steps → smaller δ).")
    assert A.compare_baselines(tiny_model, image, target=3, steps=4)[0] is direct[0]  # cached


def test_stopped_baselines_keep_what_was_computed(tiny_ctx, monkeypatch):
    clear_all()
    cancel_after(monkeypatch, v, "compare_baselines", v.BASELINE_RUNS, parts=2)
    *_, partial, (picture, table) = call_view(v.BASELINES, tiny_ctx, *BASELINE_ARGS,
                                              session="s")
    assert table.endswith("\n\nStopped: 2 of 4 baselines were computed.")
    assert grey_panels(picture) == [False, False, True, True]
    assert not np.array_equal(picture, partial[0])  # "stopped", not "computing…"
    with pytest.raises(Stopped):
        A.compare_baselines(tiny_ctx.models.get("tiny"), load_image(EXAMPLE_IMAGES_DIR
                                                                    / "both.png"),
                            target=3, steps=4, should_stop=lambda: True)


def test_grad_cam_across_depth_shows_each_layer_shallow_to_deep(tiny_ctx, tiny_model, image,
                                                                monkeypatch):
    clear_all()
    *partial, picture = call_view(v.DEPTH, tiny_ctx, *DEPTH_ARGS)
    assert [grey_panels(p) for p in partial] == [[False, True, True], [False, False, True]]
    clear_all()
    direct = A.gradcam_depth(tiny_model, image, target=3, layers=["conv1", "layer1", "layer2"])
    assert [r.layer for r in direct] == ["conv1", "layer1", "layer2"]
    layers = {info.name: info.shape for info in tiny_ctx.models.layers("tiny")}
    titles = [f"{r.layer}\n{layers[r.layer][1]} x {layers[r.layer][2]} cells" for r in direct]
    assert np.array_equal(picture, barred_strip(v.overlays(direct, 0.7, "jet", titles), JET_BAR))
    clear_all()
    cancel_after(monkeypatch, v, "gradcam_depth", v.DEPTH_RUNS, parts=1)
    partial, stopped = call_view(v.DEPTH, tiny_ctx, *DEPTH_ARGS, session="s")
    assert grey_panels(stopped) == grey_panels(partial) == [False, True, True]
    assert not np.array_equal(stopped, partial)  # "stopped", not "computing…"


def test_two_classes_show_the_first_map_before_the_second(tiny_ctx, tiny_model, image,
                                                          monkeypatch):
    clear_all()
    partial, picture = call_view(v.CLASSES, tiny_ctx, *CLASSES_ARGS)
    assert grey_panels(partial) == [False, False, True]  # the original, class 3, class 5 grey
    clear_all()
    direct = A.compare_targets(tiny_model, image, targets=[3, 5],
                               method="integrated_gradients", layer="layer2", steps=4,
                               window=8, stride=4)
    scores = {p.index: p.probability for p in classify(tiny_model, image, top_k=1000)}
    titles = [f"#{r.target} {r.label}\np = {scores[r.target]:.1%}" for r in direct]
    first = (direct[0].view, f"Original\n{method_title(direct[0], 'en')}")
    assert np.array_equal(picture, barred_strip([first, *v.overlays(direct, 0.7, "jet", titles)],
                                                JET_BAR))
    cancel_after(monkeypatch, v, "compare_targets", v.CLASSES_RUNS, parts=1)
    clear_all()
    partial, stopped = call_view(v.CLASSES, tiny_ctx, *CLASSES_ARGS, session="s")
    assert grey_panels(stopped) == [False, False, True]
    assert not np.array_equal(stopped, partial)  # "stopped", not "computing…"


def test_deletion_measures_random_first_then_each_method_cheapest_first(tiny_ctx, tiny_model,
                                                                       image):
    clear_all()
    *partial, (figure, table, picture) = call_view(DELETION, tiny_ctx, *DELETION_ARGS)
    assert len(partial) == 1 + 2 * len(METHODS) - 1  # random; each map and curves; not the last
    lines = [text.splitlines()[-1] for _, text, _ in partial]
    assert lines[0] == (f"0 of {len(METHODS)} methods measured; still computing: "
                        + ", ".join(METHOD_TITLES[m] for m in METHODS) + "…")
    measured = []
    for _, text, _ in partial:  # the methods in the order their curves appear in the table
        measured += [m for m in METHODS if f"| {METHOD_TITLES[m]} |" in text
                     and m not in measured]
    assert measured == list(CHEAP_FIRST[:-1])  # Occlusion's curves come with the result
    assert "| random (reference) |" in partial[0][1]  # the reference line from the start
    first_map, first_curves = partial[1][2], partial[2][2]  # Grad-CAM's map, then its curves
    assert first_map.shape == first_curves.shape == picture.shape
    assert not np.array_equal(first_map, first_curves)
    assert len(call_view(DELETION, tiny_ctx, *DELETION_ARGS)) == 1  # kept
    clear_all()
    direct = A.deletion_insertion(tiny_model, image, target=3, shown=[0.05, 0.25],
                                  layer="layer2", steps=4, window=8, stride=4)
    assert [c.name for c in direct.curves] == [*METHODS, A.RANDOM]
    assert np.array_equal(picture, deletion_picture(direct, cmap="jet"))
    assert png_bytes(figure) == png_bytes(curves_figure(direct))
    assert all(f"{c.deletion_area:.3f}" in table for c in direct.curves)
    assert A.deletion_insertion(tiny_model, image, target=3, shown=[0.05, 0.25], layer="layer2",
                                steps=4, window=8, stride=4) is direct  # from the cache


def test_a_stopped_deletion_keeps_the_curves_measured(tiny_ctx, monkeypatch):
    clear_all()
    cancel_after(monkeypatch, faithfulness, "deletion_insertion", faithfulness.DELETION_RUNS,
                 parts=3)  # the random order, Grad-CAM's map and its curves
    *_, (_, table, _) = call_view(DELETION, tiny_ctx, *DELETION_ARGS, session="s")
    assert table.endswith(f"\n\nStopped: 1 of {len(METHODS)} methods were measured.")
    assert "| Grad-CAM |" in table and "| Saliency |" not in table


def test_the_sanity_check_shows_the_table_after_each_stage(tiny_ctx, tiny_model, image,
                                                           monkeypatch):
    clear_all()
    *partial, (figure, picture, text) = call_view(SANITY, tiny_ctx, *SANITY_ARGS)
    stages = text.count("\n| + ")
    assert len(partial) == stages  # the trained maps, then every stage but the last
    assert [line.split(" of ")[0] for line in (t.splitlines()[0] for *_, t in partial)] \
        == [str(k) for k in range(stages)]
    assert [t.count("\n| + ") for *_, t in partial] == list(range(stages))
    assert all(p.shape == picture.shape for _, p, _ in partial)  # pending stages grey
    clear_all()
    direct = A.cascading_randomization(tiny_model, image, target=3, layer="layer2", steps=4,
                                       window=8, stride=4)
    assert len(direct.stages) == stages + 1
    assert np.array_equal(picture, sanity_picture(direct, cmap="jet"))
    assert png_bytes(figure) == png_bytes(correlation_figure(direct))
    assert A.cascading_randomization(tiny_model, image, target=3, layer="layer2", steps=4,
                                     window=8, stride=4) is direct  # from the cache
    clear_all()
    cancel_after(monkeypatch, faithfulness, "cascading_randomization", faithfulness.SANITY_RUNS,
                 parts=2)  # the trained maps and the first stage
    *_, (_, _, text) = call_view(SANITY, tiny_ctx, *SANITY_ARGS, session="s")
    assert text.startswith(f"Stopped: 1 of {stages} stages were randomized.")


def test_clip_shows_the_cheap_maps_before_the_gradients(clip_ctx):
    clear_all()
    model, image = clip_ctx.models.get("clip"), load_image(EXAMPLE_IMAGES_DIR / "both.png")
    *partial, (tokens, picture, text) = call_view(cv.EXPLAIN, clip_ctx, *CLIP_ARGS)
    lines = [line for *_, line in partial]
    assert lines == [
        "2 of 5 ready; still computing: word highlights (Chefer et al. 2021), Chefer et al. "
        "2021, Grad-ECLIP…",
        "3 of 5 ready; still computing: word highlights (Chefer et al. 2021), Chefer et al. "
        "2021…",
        "4 of 5 ready; still computing: word highlights (Chefer et al. 2021)…"]
    assert all(html is None for html, *_ in partial)  # Chefer's token scores come last
    assert [grey_panels(p) for _, p, _ in partial] == [[False, False, False, True, True],
                                                       [False, False, False, True, False],
                                                       [False] * 5]
    clear_all()
    scored = C.similarity(model, image, CLIP_ARGS[3])
    top = scored.descriptions[scored.top]  # the maps' description when none is chosen
    assert text.startswith(f"Maps for **“{top}”**")
    direct = C.token_relevance(model, image, scored.descriptions)
    maps = C.image_relevance(model, image, top)
    call = make_call(cv.EXPLAIN, clip_ctx, cv.ExplainSettings(*CLIP_ARGS))
    assert tokens == token_html(cv._token_rows(call, call.settings, scored, direct))
    size = maps.view.shape[:2]
    assert np.array_equal(picture, relevance_strip(
        maps.view, {m: maps.image_map(m, size) for m in C.IMAGE_METHODS},
        {m: C.METHOD_TITLES[m] for m in C.METHOD_TITLES}, opacity=0.6, lang="en"))
    streamed = C.words_and_regions(model, image, scored.descriptions, top)
    assert streamed == (direct, maps) and streamed[0] is direct  # served from the caches


def test_clip_shows_raw_attention_words_first_and_stops_with_a_line(clip_ctx, monkeypatch):
    clear_all()
    attention = (*CLIP_ARGS[:5], "attention", *CLIP_ARGS[6:])
    first, *_ = call_view(cv.EXPLAIN, clip_ctx, *attention)
    assert first[0] is not None and first[1] is None  # the words before any image map
    assert first[2].startswith("1 of 5 ready; still computing: Raw attention (last layer),")
    clear_all()
    cancel_after(monkeypatch, cv, "words_and_regions", cv.EXPLAIN_RUNS, parts=2)
    *_, (tokens, picture, text) = call_view(cv.EXPLAIN, clip_ctx, *CLIP_ARGS, session="s")
    assert text == "Stopped: 2 of 5 were computed."
    assert tokens is None and grey_panels(picture) == [False, False, False, True, True]
    with pytest.raises(Stopped):
        C.words_and_regions(clip_ctx.models.get("clip"), load_image(EXAMPLE_IMAGES_DIR
                                                                    / "both.png"),
                            SLIDES_DESCRIPTIONS, SLIDES_DESCRIPTIONS[0], should_stop=lambda: True)
