"""The first screen: the background warm-up computes every tab's first view with the
components' defaults, the same views a tab runs when it opens."""

from __future__ import annotations

import logging
import threading
import warnings

from core.ascent.run import RESULTS
from core.models import ModelManager
from lab.app import build_lab
from lab.first_view import warm_up
from lab.settings import Settings
from tabs.common.inflight import running
from tabs.common.outputs import KEPT


def test_warm_up_computes_every_first_view(caplog):
    models = ModelManager(device="cpu", offline=True)
    lab = build_lab(Settings(device="cpu", offline=True), models)
    RESULTS.clear()
    KEPT.clear()  # pages opened by earlier tests keep the first views' outputs
    with caplog.at_level(logging.INFO, logger="lab"), warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warm_up(lab.forms, "en").join(timeout=300)
    # e.g. "The value passed into gr.Dropdown() is not in the list of choices"
    gradio = [str(w.message) for w in seen if "gradio" in w.filename]
    assert not gradio, gradio
    ready = {r.getMessage().split(": ")[1].split()[0] for r in caplog.records
             if r.getMessage().startswith("warm-up: ")}
    failed = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert not failed, failed
    # CLIP's weights cannot be had offline here: its tab shows a notice instead
    assert ready == set(lab.forms) - {"clip"}
    # the ascent's first view (notebook beside regularized) is in the cache for every student
    assert len(RESULTS) == 2


def test_an_exiting_process_computes_no_more_first_views(caplog, monkeypatch):
    models = ModelManager(device="cpu", offline=True)
    lab = build_lab(Settings(device="cpu", offline=True), models)
    RESULTS.clear()
    exiting = threading.Event()
    exiting.set()
    monkeypatch.setattr("lab.first_view.exiting", exiting)
    with caplog.at_level(logging.INFO, logger="lab"):
        warm_up(lab.forms, "en").join(timeout=60)
    assert not [r for r in caplog.records if r.getMessage().startswith("warm-up")]
    assert len(RESULTS) == 0 and running() == 0
