"""The bundled load balancer: HAProxy with ``deploy/haproxy.cfg`` in front of real lab replicas.

Two cold labs (``python -m lab serve --offline``) behind Debian's haproxy, configured by
:func:`lab.balancer.haproxy_config` for their loopback ports (the compose file's configuration
with ``server`` lines instead of ``server-template``). Students are ``httpx.Client`` sessions,
which keep the balancer's cookie like a browser, calling Gradio's HTTP API (POST
``/gradio_api/call/<name>``, then its Server-Sent Events stream), or ``gradio_client``, which
keeps the cookie of its first answer. HAProxy names the replica that answered in a header.

* every request of a student reaches one replica, and the answers through the balancer are
  those of a single lab (images bit for bit);
* new students are spread over the replicas;
* a replica killed mid-class loses only its own students' running requests: the stream ends
  with an error within seconds (no hang), the student's retry runs on the living replica,
  and a student there finishes undisturbed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from lab.balancer import haproxy_config
from tests.reliability.labproc import LabProcess, free_port, spawn_lab, stop_lab, wait_until_up
from tests.reliability.mix import ASCENT, CLASS_MIX, MODEL, NOTEBOOK, canonical, differences

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")]

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
REPLICA = "x-lab-replica"  # the header HAProxy adds: the server that answered (lab1, lab2)
#: A few light requests on four tabs, a streamed one among them.
LIGHT = [next(r for r in CLASS_MIX if r.api == api)
         for api in ("/activations", "/ascent", "/attribution_classes", "/counterfactual_targets")]
#: A stream of three tiles (one per batch of four filters), seconds on a 2-core CPU.
LONG_ASCENT = (MODEL, "blocks.2", "0-11", NOTEBOOK, 120, *ASCENT[1:])
ENDS_WITHIN_S = 10.0  # a killed replica's stream must end this soon, with an error


@dataclass
class Balanced:
    """The balancer's URL, its replicas (by HAProxy server name) and its log."""

    url: str
    replicas: dict[str, LabProcess]
    log: Path
    process: subprocess.Popen = field(repr=False)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


@dataclass
class Answer:
    """How a call ended: "complete", "error" (Gradio's error event) or the client's exception
    (the stream broke), with the data and the replicas that answered its requests."""

    outcome: str
    data: object
    replicas: set[str]
    ended: float  # time.monotonic() when the call ended


def call(student: httpx.Client, api: str, args: tuple,
         streaming: threading.Event | None = None) -> Answer:
    """One event through Gradio's HTTP API; ``streaming`` is set at the first partial result."""
    name = api.lstrip("/")
    replicas: set[str] = set()
    outcome, data = "no result", None
    try:
        posted = student.post(f"gradio_api/call/{name}", json={"data": list(args)})
        replicas.add(posted.headers.get(REPLICA, "?"))
        posted.raise_for_status()
        event = None
        with student.stream("GET", f"gradio_api/call/{name}/{posted.json()['event_id']}") as sse:
            replicas.add(sse.headers.get(REPLICA, "?"))
            for line in sse.iter_lines():
                if line.startswith("event:"):
                    event = line[len("event:"):].strip()
                    if event == "generating" and streaming is not None:
                        streaming.set()
                elif line.startswith("data:") and event in ("complete", "error"):
                    outcome, data = event, json.loads(line[len("data:"):].strip() or "null")
                    break
    except httpx.HTTPError as error:
        outcome, data = type(error).__name__, str(error)
    return Answer(outcome, data, replicas, time.monotonic())


class Run(threading.Thread):
    """A student's long /ascent stream in a thread."""

    def __init__(self, client: httpx.Client, args: tuple):
        super().__init__(daemon=True)
        self.client, self.args = client, args
        self.streaming = threading.Event()
        self.result: Answer | None = None

    def run(self) -> None:
        self.result = call(self.client, "/ascent", self.args, self.streaming)

    def answer(self, timeout: float) -> Answer:
        self.join(timeout)
        assert self.result is not None, f"no answer within {timeout:.0f} s"
        return self.result


def student(balanced: Balanced) -> httpx.Client:
    return httpx.Client(base_url=balanced.url, timeout=httpx.Timeout(30.0, read=60.0))


def replica_of(client: httpx.Client) -> str:
    """The replica that answers this student now (a cheap page; pins a new student)."""
    answer = client.get("robots.txt")
    answer.raise_for_status()
    return answer.headers[REPLICA]


def open_page(client: httpx.Client, pages: contextlib.ExitStack) -> str:
    """What a browser does when it opens the lab: get a replica (and the cookie), then hold
    Gradio's heartbeat stream open for as long as the page is open (``pages``). That open
    connection is what ``balance leastconn`` counts. Returns the replica."""
    home = replica_of(client)
    heartbeat = pages.enter_context(client.stream("GET", f"gradio_api/heartbeat/{uuid.uuid4()}"))
    assert heartbeat.status_code == 200 and heartbeat.headers[REPLICA] == home
    return home


def _start_haproxy(config: Path, log: Path) -> subprocess.Popen:
    checked = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with log.open("w") as sink:
        return subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=sink,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _wait_for_replicas(balanced: Balanced, timeout: float = 30.0) -> None:
    """Until new students (no cookie) have been sent to every replica."""
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while seen != set(balanced.replicas) and time.monotonic() < deadline:
        assert balanced.process.poll() is None, balanced.log_tail()
        with contextlib.suppress(httpx.HTTPError):  # not listening yet
            seen.add(httpx.get(balanced.url + "robots.txt", timeout=5).headers.get(REPLICA, "?"))
        time.sleep(0.2)
    assert seen >= set(balanced.replicas), f"only {seen} answered:\n{balanced.log_tail()}"


def _need_haproxy() -> None:
    if not os.path.exists(HAPROXY):
        # CI installs haproxy (.ci/run), so there a missing haproxy is a failure, not a skip.
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"The balancer tests need Debian's haproxy (apt-get install haproxy): no {HAPROXY}.")


@pytest.fixture(scope="module")
def balanced(labs_dir, tiny_clip_dir, tmp_path_factory) -> Iterator[Balanced]:
    """Two labs behind haproxy; the last test of this module kills one of them."""
    _need_haproxy()
    folder = tmp_path_factory.mktemp("balancer")
    labs = [spawn_lab(labs_dir, clip_dir=tiny_clip_dir) for _ in range(2)]  # start together
    process = None
    try:
        wait_until_up(*labs)
        port = free_port()
        config = folder / "haproxy.cfg"
        config.write_text(haproxy_config([lab.url[len("http://"):].rstrip("/") for lab in labs],
                                         bind=f"127.0.0.1:{port}"), encoding="utf-8")
        process = _start_haproxy(config, folder / "haproxy.log")
        balanced = Balanced(f"http://127.0.0.1:{port}/",
                            {f"lab{i}": lab for i, lab in enumerate(labs, 1)},
                            folder / "haproxy.log", process)
        _wait_for_replicas(balanced)
        yield balanced
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for lab in labs:
            stop_lab(lab)


def test_the_compose_configuration_is_valid_haproxy():
    """``deploy/haproxy.cfg`` as compose mounts it (replicas through Docker's DNS)."""
    _need_haproxy()
    path = Path(__file__).resolve().parents[2] / "deploy" / "haproxy.cfg"
    checked = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "WARNING" not in checked.stdout + checked.stderr, checked.stderr


def test_a_student_stays_on_one_replica_and_gets_what_one_lab_gives(balanced, tmp_path):
    from gradio_client import Client

    with student(balanced) as alice:
        home = replica_of(alice)
        answers = [call(alice, r.api, r.args) for r in LIGHT if not r.setup]
        assert all(a.outcome == "complete" for a in answers), [a.data for a in answers]
        assert {name for a in answers for name in a.replicas} == {home}
        assert {replica_of(alice) for _ in range(5)} == {home}

    through = Client(balanced.url, verbose=False, download_files=str(tmp_path / "through"))
    assert "SERVERID" in through.cookies, f"gradio_client kept no cookie: {through.cookies}"
    chosen = httpx.get(balanced.url + "robots.txt", cookies=through.cookies).headers[REPLICA]
    other = next(lab for name, lab in balanced.replicas.items() if name != chosen)
    alone = Client(other.url, verbose=False, download_files=str(tmp_path / "alone"))
    try:
        problems = []
        for request in LIGHT:
            for api, args in request.setup:
                through.predict(*args, api_name=api)
                alone.predict(*args, api_name=api)
            got = canonical(through.submit(*request.args, api_name=request.api).result(60))
            expected = canonical(alone.submit(*request.args, api_name=request.api).result(60))
            problems += differences(got, expected, request.label)
        assert not problems, "\n".join(problems)
    finally:
        through.close()
        alone.close()


def test_new_students_are_spread_over_the_replicas(balanced):
    students = [student(balanced) for _ in range(6)]
    try:
        with contextlib.ExitStack() as pages:
            homes = [open_page(s, pages) for s in students]
            assert set(homes) == set(balanced.replicas), homes
            # Each open page holds one connection; a connection of the test before may linger.
            assert abs(homes.count("lab1") - homes.count("lab2")) <= 2, homes
            cookies = {home: s.cookies["SERVERID"] for s, home in zip(students, homes)}
            assert len(set(cookies.values())) == 2  # one cookie per replica
            assert [replica_of(s) for s in students] == homes  # and each student stays
    finally:
        for s in students:
            s.close()


def test_a_dead_replica_loses_only_its_running_requests(balanced):
    """Runs last in this module: it kills a replica."""
    clients = [student(balanced) for _ in range(4)]
    pages = contextlib.ExitStack()
    try:
        by_replica = {}
        for client in clients:  # a new student goes to the replica with fewer open pages
            by_replica.setdefault(open_page(client, pages), client)
        assert set(by_replica) == set(balanced.replicas), list(by_replica)
        (doomed_home, doomed), (other_home, bystander) = by_replica.items()

        # Both start a long stream (distinct seeds: no shared cache entry).
        runs = {home: Run(client, (*LONG_ASCENT[:-1], seed))
                for seed, (home, client) in enumerate(by_replica.items(), 11)}
        for run in runs.values():
            run.start()
        assert all(run.streaming.wait(60) for run in runs.values()), "no stream started"
        killed_at = time.monotonic()
        balanced.replicas[doomed_home].process.kill()  # a crash, not a polite shutdown

        lost = runs[doomed_home].answer(timeout=60)
        assert lost.outcome not in ("complete", "no result", "ReadTimeout"), lost
        assert lost.ended - killed_at < ENDS_WITHIN_S, f"the stream hung: {lost}"
        print(f"\nthe killed replica's stream ended after {lost.ended - killed_at:.2f} s: "
              f"{lost.outcome}: {lost.data}")

        # The student tries again at once, before the health checks can have noticed (two
        # failures 2 s apart): the refused connection is redispatched to the living replica.
        retry = call(doomed, "/ascent", runs[doomed_home].args)
        assert retry.outcome == "complete", retry
        assert retry.replicas == {other_home}, retry  # redispatched to the living replica
        assert doomed.cookies["SERVERID"] == bystander.cookies["SERVERID"]  # and pinned there
        assert replica_of(doomed) == other_home

        kept = runs[other_home].answer(timeout=120)
        assert kept.outcome == "complete" and kept.replicas == {other_home}, kept
        assert kept.ended > killed_at  # it was running when the other replica died
        assert replica_of(bystander) == other_home
    finally:
        pages.close()
        for client in clients:
            client.close()
