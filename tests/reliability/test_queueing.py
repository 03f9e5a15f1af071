"""A full queue answers "busy, try again" at once instead of letting students wait forever.

A lab with ``--queue-size 1`` (one request may wait; the image models' group runs two at a time
on a CPU) gets ten heavy requests at the same moment: the ones that fit are computed correctly,
the others are refused within seconds with a message that says the queue is full, and a
request sent afterwards succeeds.
"""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image

from tests.reliability.labproc import running_lab
from tests.reliability.mix import ASCENT, MODEL, NOTEBOOK

pytestmark = pytest.mark.slow

RUSH = 10
BUSY = re.compile(r"queue is full|busy|try again", re.IGNORECASE)
REFUSED_WITHIN_S = 5.0
# ~1-2 s each on a 2-core CPU: long enough for the rush to find the queue full
HEAVY = (3 * 10, *ASCENT[1:6], 96, 1, 8)


def heavy(seed: int) -> tuple:
    return (MODEL, "blocks.3", "0-3", NOTEBOOK, *HEAVY, seed)


def test_a_full_queue_says_busy_at_once_and_serves_again(labs_dir, tiny_clip_dir, tmp_path):
    from gradio_client import Client

    with running_lab(labs_dir, clip_dir=tiny_clip_dir, queue_size=1) as lab:
        warm = Client(lab.url, verbose=False, download_files=str(tmp_path / "warm"))
        warm.predict(*heavy(99), api_name="/ascent")  # the model is loaded before the rush
        students = [Client(lab.url, verbose=False, download_files=str(tmp_path / f"s{i}"))
                    for i in range(RUSH)]
        start = threading.Barrier(RUSH)

        def ask(i: int):
            start.wait(timeout=60)
            began = time.perf_counter()
            try:
                grid, text, *_ = students[i].predict(*heavy(i), api_name="/ascent")
                return "done", time.perf_counter() - began, (grid, text)
            except Exception as error:  # a refusal is what this test is about
                return "refused", time.perf_counter() - began, str(error)

        with ThreadPoolExecutor(max_workers=RUSH) as pool:
            outcomes = list(pool.map(ask, range(RUSH)))

        done = [o for o in outcomes if o[0] == "done"]
        refused = [o for o in outcomes if o[0] == "refused"]
        assert refused, f"{RUSH} heavy requests at once all fitted into a queue of 1: {outcomes}"
        assert done, "nobody was served"
        for _, seconds, message in refused:
            assert BUSY.search(message), f"a refusal that does not say busy: {message!r}"
            assert seconds < REFUSED_WITHIN_S, f"refused only after {seconds:.1f} s"
        for _, _, (grid, text) in done:
            assert "4/4 filters done" in text
            assert Image.open(grid).size == (4 * 80 + 3 * 5, 80)  # 96 px − 2·8 crop, 5 px gaps

        # the rush is over: a student who was refused is now served
        index = next(i for i, o in enumerate(outcomes) if o[0] == "refused")
        grid, text, *_ = students[index].predict(*heavy(index), api_name="/ascent")
        assert "4/4 filters done" in text and Image.open(grid).size == (4 * 80 + 3 * 5, 80)
        assert lab.alive()
