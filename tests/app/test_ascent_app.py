"""The Filter ascent endpoints, called through gradio_client against the real (offline) lab."""

from __future__ import annotations

import time

import pytest
from PIL import Image

from tabs.common.form import event_function
from tests.views import call_view, page

NOTEBOOK = "notebook (seed 000)"
REGULARIZED = "regularized (Olah et al. 2017)"
# nb_steps, step_size, rg_steps, lr, variants, diversity, size, border, crop, seed
SMALL = (3, 10.0, 3, 0.05, 1, 0.0, 64, 1, 8, 0)


def test_model_endpoint_falls_back_and_selects_the_ascent_layer(client):
    model, block, layer = client.predict("resnet50", api_name="/ascent_model")
    assert model["value"] == "efficientnet_lite0"
    assert block["value"] == "blocks.4" and layer["value"] == "blocks.4"


def test_ascent_streams_to_a_grid_and_a_cached_repeat_computes_nothing(client, monkeypatch):
    from core.ascent import run

    grid, text, plot, download, _ = client.predict(
        "efficientnet_lite0", "blocks.1", "0-3", NOTEBOOK, *SMALL, api_name="/ascent")
    assert "4/4 filters done" in text and "final mean activation" in text
    assert Image.open(grid).size == (4 * 48 + 3 * 5, 48)  # 64 px − 2·8 crop, 5 px margins
    assert Image.open(download).size == Image.open(grid).size
    assert plot is not None
    computed: list[int] = []
    real = run.iterate_ascent

    def counted(*args, **kwargs):
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "iterate_ascent", counted)  # the lab serves from this process
    again = client.predict("efficientnet_lite0", "blocks.1", "0-3", NOTEBOOK, *SMALL,
                           api_name="/ascent")
    assert not computed  # the second student gets the first one's result from the cache
    assert Image.open(again[0]).tobytes() == Image.open(grid).tobytes()


def test_regularized_mode_and_side_by_side(client):
    grid, text, *_ = client.predict("efficientnet_lite0", "blocks.1", "5", REGULARIZED, *SMALL,
                                    api_name="/ascent")
    assert "regularized" in text and Image.open(grid).size == (48, 48)
    pair, caption, _ = client.predict("efficientnet_lite0", "blocks.1", 5, *SMALL,
                                      api_name="/ascent_compare_modes")
    assert "Filter 5 of blocks.1" in caption and "regularized" in caption
    width, height = Image.open(pair).size
    assert width > 2 * height > 0


def test_compare_layers_shows_early_middle_deep(client):
    knobs = (*SMALL[:6], 112, 1, 8, 0)  # the deep layer needs a larger image
    gallery, _ = client.predict("efficientnet_lite0", 2, NOTEBOOK, *knobs,
                                api_name="/ascent_compare_layers")
    captions = [item["caption"] for item in gallery]
    assert [c.split(":")[0] for c in captions] == ["early", "middle", "deep"]
    assert "blocks.0" in captions[0] and "blocks.6" in captions[2]


def test_weights_endpoint_prints_shapes_and_kernels(client):
    text, kernels, _ = client.predict("efficientnet_lite0", "blocks.1.0.conv_pw",
                                      api_name="/ascent_weights")
    assert "(96, 16, 1, 1)" in text and "conv_stem" in text
    assert Image.open(kernels).size[0] > 50


@pytest.mark.parametrize("filters, knobs, message", [
    ("0, 24", SMALL, "Filter 24 does not exist: this layer has 24 filters"),
    ("0", (0, *SMALL[1:]), "at least one gradient-ascent step"),
    ("0", (*SMALL[:6], 56, 2, 25, 0), "too small to cut 25 px"),
])
def test_invalid_input_gives_a_sentence(client, filters, knobs, message):
    with pytest.raises(Exception, match=message):
        client.predict("efficientnet_lite0", "blocks.1", filters, NOTEBOOK, *knobs,
                       api_name="/ascent")


def test_too_small_for_the_layer_is_reported(client):
    # blocks.6 gives 2×2 maps at 40 px: nothing after a border of 2
    knobs = (*SMALL[:6], 40, 2, 4, 0)
    with pytest.raises(Exception, match="nothing is left"):
        client.predict("efficientnet_lite0", "blocks.6", "0", NOTEBOOK, *knobs,
                       api_name="/ascent")


# ----------------------------------------------------------------------------- the tab's stream


def _ascent_threads():
    import threading

    return [t for t in threading.enumerate() if t.name == "ascent" and t.is_alive()]


def _wait_for_no_worker(seconds: float = 5.0) -> bool:
    deadline = time.perf_counter() + seconds
    while _ascent_threads() and time.perf_counter() < deadline:
        time.sleep(0.02)
    return not _ascent_threads()


LONG = (400, 10.0, 3, 0.05, 1, 0.0, 32, 1, 4, 0)  # tiny net, many steps: cancel lands mid-run


def test_handler_streams_tiles_and_the_cancel_button_stops_it(tiny_ctx, monkeypatch):
    from tabs.ascent.views import CANCEL, RUN

    # Four filters per batch, so the first update holds half of them (the measured batch
    # depends on the machine and its load).
    monkeypatch.setenv("XAI_LAB_BATCH", "4")

    stream = event_function(RUN, tiny_ctx)("tiny", "layer2", "0-7", NOTEBOOK, *LONG,
                                           page(session="session-a"))
    grid, text, *_ = next(stream)
    assert "4/8 filters done" in text and grid.shape == (24, 8 * 24 + 7 * 5, 3)
    assert (grid[12, 4 * 29 + 12] == 48).all()  # tiles 4–7 still pending (grey)
    assert call_view(CANCEL, tiny_ctx, session="session-a") == "Stopped."
    _, text, *_ = next(stream)
    assert text == "Stopped after 4 of 8 filters."
    assert _wait_for_no_worker()


def test_all_done_is_shown_only_with_the_clickable_result(tiny_ctx):
    from tabs.ascent.views import RUN

    updates = call_view(RUN, tiny_ctx, "tiny", "layer2", "0-7", NOTEBOOK, 3, *LONG[1:],
                        session="session-c")
    finished = [u for u in updates if "8/8 filters done" in u[1]]
    assert len(finished) == 1 and finished[0] is updates[-1]
    assert all(u[4] is None for u in updates[:-1])
    result, layout = updates[-1][4]  # what a click on a tile reads
    assert result.filters == tuple(range(8)) and layout.channel_at(5, 5) == 0


def test_closing_the_stream_stops_the_worker(tiny_ctx):
    from tabs.ascent.views import RUN

    stream = event_function(RUN, tiny_ctx)("tiny", "layer2", "0-7", NOTEBOOK, 800, *LONG[1:9],
                                           1, page(session="session-b"))
    next(stream)
    stream.close()  # what Gradio does when the event is cancelled
    assert _wait_for_no_worker(seconds=0.5)
