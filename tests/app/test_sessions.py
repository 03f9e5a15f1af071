"""The server keeps the state of at most ``--sessions`` browser sessions (Gradio holds a copy of
every page's component settings, about half a megabyte each, for every session it has seen);
a page whose session was forgotten is served as a new one."""

from __future__ import annotations

import pytest

from lab.settings import parser, settings_from
from tests.conftest import serving
from tests.reliability.mix import MODEL, Pixels, canonical

SESSIONS = 3
REQUEST = ("coffee.png", None, MODEL, "blocks.1", "8", "mean activation", "shared")


def test_sessions_option():
    assert settings_from(parser().parse_args(["serve"])).sessions == 500
    assert settings_from(parser().parse_args(["serve", "--sessions", "40"])).sessions == 40
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--sessions", "0"])


def test_the_lab_forgets_the_least_recently_used_sessions():
    from gradio_client import Client

    with serving(sessions=SESSIONS) as (url, lab):
        demo = lab.demo
        students = [Client(url, verbose=False) for _ in range(SESSIONS + 2)]
        answers = [canonical(s.predict(*REQUEST, api_name="/activations")) for s in students]
        held = demo.state_holder.session_data
        assert len(held) == SESSIONS
        assert students[0].session_hash not in held and students[-1].session_hash in held
        assert all(answer == answers[0] for answer in answers)
        assert any(isinstance(part, Pixels) for part in answers[0])

        again = canonical(students[0].predict(*REQUEST, api_name="/activations"))
        assert again == answers[0]  # the forgotten page gets a fresh session and its answer
        assert students[0].session_hash in held and len(held) == SESSIONS
