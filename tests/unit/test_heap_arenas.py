"""The serving process asks glibc for two heap arenas, unless the environment says otherwise
(the effect on a serving lab: ``tests/reliability/test_memory.py``)."""

import platform

import pytest

from lab.memory import limit_heap_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="a glibc setting")
def test_glibc_accepts_the_arena_limit(monkeypatch):
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_heap_arenas() is True


def test_an_arena_limit_in_the_environment_takes_precedence(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_heap_arenas() is False
