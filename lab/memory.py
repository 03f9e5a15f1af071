"""Fewer glibc heap arenas for the serving process.

Gradio answers each request in a worker thread, and glibc gives threads heap arenas of their
own (up to eight per core). Tensors of changing sizes fragment every one of them: on a 2-core
machine a lab that has served a class then holds a third more memory than it uses, and that
amount swings by about 100 MiB from one round of requests to the next. With two arenas it stays
flat (``tests/reliability/test_memory.py``). ``MALLOC_ARENA_MAX`` in the environment, which
glibc reads itself, takes precedence; other C libraries (macOS, musl) are left alone.
"""

from __future__ import annotations

import ctypes
import os

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def limit_heap_arenas(arenas: int = ARENAS) -> bool:
    """Ask glibc to create at most ``arenas`` heap arenas from now on; True when it agreed."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return mallopt(_M_ARENA_MAX, arenas) == 1
