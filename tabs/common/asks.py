"""When a student last ran a tab's first view, so that the tab's opening gives way to them.

A tab opens by computing its first view with the values the page had when the tab was first
shown (:mod:`tabs.common.opening`). On a busy CPU that takes seconds, and in the meantime a
student may pick another image and press the view's button. Their result must not be replaced
by the opening's older one when the opening finishes later. So every run of a first view notes
its browser session here, and an opening leaves out its first view (or stops its stream) once
a run of that view in the same session began after the opening did: that run read the page's
values later, so its result is the one the page should keep.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

SESSIONS_KEPT = 4096
"""How many (session, view) pairs are remembered; the oldest are forgotten first (a pair is a
few dozen bytes, and an opening only asks about the seconds it runs)."""


class Asks:
    """The time each (session, view) pair last began to run, the most recent ``size`` of them."""

    def __init__(self, size: int = SESSIONS_KEPT):
        self.size = size
        self._began: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._lock = threading.Lock()

    def note(self, session: str | None, view: str) -> None:
        """``session`` began a run of ``view`` now (no session, as with some API calls: no
        note)."""
        if session is None:
            return
        with self._lock:
            self._began[session, view] = time.monotonic()
            self._began.move_to_end((session, view))
            while len(self._began) > self.size:
                self._began.popitem(last=False)

    def since(self, session: str | None, view: str, moment: float) -> bool:
        """Whether ``session`` began a run of ``view`` after ``moment`` (``time.monotonic()``)."""
        if session is None:
            return False
        with self._lock:
            return self._began.get((session, view), float("-inf")) > moment

    def __len__(self) -> int:
        with self._lock:
            return len(self._began)


ASKS = Asks()
"""The process's record: the pages of all students share the process."""
