"""lab.threads: torch's CPU threads per request follow the cores and the requests at once."""

from __future__ import annotations

import logging
import os

import pytest

from lab import threads
from lab.settings import parser, settings_from


@pytest.fixture
def torch_threads(monkeypatch) -> list[int]:
    """What ``torch.set_num_threads`` was asked for (the test process keeps its own count);
    8 cores and no ``XAI_LAB_THREADS``."""
    asked: list[int] = []
    monkeypatch.setattr(threads.torch, "set_num_threads", asked.append)
    monkeypatch.setattr(threads, "cpu_cores", lambda: 8)
    monkeypatch.delenv(threads.THREADS, raising=False)
    return asked


@pytest.mark.parametrize(("heavy", "cores", "expected"),
                         [(2, 2, 1), (2, 16, 8), (4, 16, 4), (2, 7, 3), (2, 1, 1), (4, 3, 1)])
def test_threads_times_requests_fit_the_cores(heavy, cores, expected):
    assert threads.threads_per_request(heavy, cores) == expected


def test_cores_are_the_process_affinity():
    assert threads.cpu_cores() == len(os.sched_getaffinity(0))


def test_the_lab_sets_cores_divided_by_requests_and_logs_it(torch_threads, caplog):
    with caplog.at_level(logging.INFO, logger="lab"):
        assert threads.use_threads(2) == 4 and threads.use_threads(4) == 2
    assert torch_threads == [4, 2]
    assert "4 CPU thread(s) per request: 8 core(s), up to 2 heavy requests" in caplog.text


def test_the_command_line_and_the_environment_override(torch_threads, monkeypatch):
    assert threads.use_threads(2, threads=3) == 3
    monkeypatch.setenv(threads.THREADS, "5")
    assert threads.use_threads(2) == 5
    assert threads.use_threads(2, threads=3) == 3  # --threads wins
    assert torch_threads == [3, 5, 3]
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv(threads.THREADS, bad)
        with pytest.raises(SystemExit, match=threads.THREADS):
            threads.use_threads(2)


def test_serve_takes_threads():
    assert settings_from(parser().parse_args(["serve"])).threads is None
    assert settings_from(parser().parse_args(["serve", "--threads", "3"])).threads == 3
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--threads", "0"])


def test_serving_on_a_cpu_gives_each_of_two_requests_half_the_cores(torch_threads):
    from lab.app import heavy_limit
    from lab.settings import Settings

    assert threads.use_threads(heavy_limit(Settings(device="cpu"))) == 4  # 8 cores, 2 at once
