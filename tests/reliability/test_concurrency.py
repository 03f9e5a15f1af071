"""A whole class at once gets exactly what each student gets alone.

Two cold labs (``python -m lab serve --offline``, separate processes, empty caches): 16
students send the distinct requests of :data:`mix.CLASS_MIX` (every tab, hook-based methods on
the one shared model among them) to the first lab at the same moment; then every request is
sent alone, one after the other, to the second lab. Every answer must be the same: images
bit for bit (decoded pixels), numbers within ``mix.REL_TOL``/``mix.ABS_TOL``, texts equal once
run times are taken out.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.reliability.labproc import spawn_lab, stop_lab, wait_until_up
from tests.reliability.mix import (
    CLASS_MIX,
    TABS,
    Pixels,
    Request,
    canonical,
    differences,
    students,
)

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")]

STUDENTS = 16


def ask(client, request: Request) -> object:
    """The canonical answer, or ``("error", message)`` when the lab refused."""
    try:
        return canonical(client.predict(*request.args, api_name=request.api))
    except Exception as error:  # compared like an answer; a refusal here is a failure anyway
        return ("error", f"{type(error).__name__}: {error}")


def serve_student(url: str, requests: list[Request], downloads, start: threading.Barrier | None):
    """One browser session: the setup its tabs need, then its requests in order."""
    from gradio_client import Client

    client = Client(url, verbose=False, download_files=str(downloads))
    if start is not None:
        start.wait(timeout=120)  # everyone begins at the same moment, on a cold lab
    done = set()
    answers = []
    for request in requests:
        for api, args in request.setup:
            if (api, args) not in done:
                client.predict(*args, api_name=api)
                done.add((api, args))
        answers.append(ask(client, request))
    return answers


def _images(value) -> int:
    """How many decoded images (files and plots) an answer holds."""
    if isinstance(value, Pixels):
        return 1
    if isinstance(value, dict):
        return sum(_images(v) for v in value.values())
    if isinstance(value, list):
        return sum(_images(v) for v in value)
    return 0


def test_mix_covers_every_tab_with_distinct_requests():
    assert {r.tab for r in CLASS_MIX} == set(TABS)
    assert len({(r.api, repr(r.args)) for r in CLASS_MIX}) == len(CLASS_MIX)
    hooked = {"/activations", "/attribution_compare", "/attribution_classes", "/attribution_depth",
              "/attribution_deletion", "/attribution_sanity", "/attribution_lrp",
              "/attribution_concepts", "/counterfactual", "/clip_explain"}
    assert hooked <= {r.api for r in CLASS_MIX}
    assert any(r.api == "/pdp_1d" and "neural_network" in r.args for r in CLASS_MIX)


def test_a_class_at_once_gets_what_each_student_gets_alone(labs_dir, tiny_clip_dir, tmp_path):
    # Each lab measures its batch sizes (core.models.calibration), and a crowded machine may
    # measure another best batch than a quiet one; a batched pass rounds floats differently
    # per batch, so both labs take the same fixed batch.
    batch = {"XAI_LAB_BATCH": "4"}
    crowd = spawn_lab(labs_dir, clip_dir=tiny_clip_dir, extra_env=batch)
    alone = spawn_lab(labs_dir, clip_dir=tiny_clip_dir, extra_env=batch)
    try:
        wait_until_up(crowd, alone)
        dealt = students(CLASS_MIX, STUDENTS)
        start = threading.Barrier(STUDENTS)
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=STUDENTS) as pool:
            together = list(pool.map(
                lambda i: serve_student(crowd.url, dealt[i], tmp_path / "crowd", start),
                range(STUDENTS)))
        crowd_s = time.perf_counter() - began
        assert crowd.alive(), crowd.log_tail()

        began = time.perf_counter()
        by_itself = [serve_student(alone.url, requests, tmp_path / "alone", None)
                     for requests in dealt]
        alone_s = time.perf_counter() - began
        print(f"\n{len(CLASS_MIX)} requests: {crowd_s:.1f} s from {STUDENTS} students at once, "
              f"{alone_s:.1f} s one at a time")
    finally:
        stop_lab(crowd)
        stop_lab(alone)

    images = sum(_images(a) for answers in by_itself for a in answers)
    assert images >= len(CLASS_MIX), f"only {images} images compared"
    refused = [f"{r.label}: {a[1]}" for requests, answers in zip(dealt, by_itself)
               for r, a in zip(requests, answers) if isinstance(a, tuple)]
    assert not refused, "requests failed even alone:\n" + "\n".join(refused)
    problems = []
    for requests, crowd_answers, alone_answers in zip(dealt, together, by_itself):
        for request, got, expected in zip(requests, crowd_answers, alone_answers):
            found = differences(got, expected, request.api)
            if found:
                problems.append(f"{request.label}\n    " + "\n    ".join(found[:5]))
    assert not problems, (f"{len(problems)} of {len(CLASS_MIX)} answers differ under load:\n"
                          + "\n".join(problems))
