"""Benchmark: a class at once. N students open the lab as browsers do, then work in three tabs.

Starts a lab in a subprocess (``python -m lab serve --offline`` with its warm-up, as a class
finds it; or ``--url`` and ``--pid`` for a lab that is already running) and waits until the
warm-up has computed every first view. Then ``--students`` simulated students (one thread and
one HTTP session each) speak Gradio's own HTTP/SSE protocol, as the page's JavaScript does:

1. **Page open**, all students at the same moment: ``GET /`` (the page; its config is embedded),
   the static files a browser with an empty cache loads (recorded once with headless Chromium
   before the run; ``--no-assets`` skips them), the session's heartbeat stream, then the events
   a page open triggers: the status line's ``load`` event and the first tab's opening (the
   ``open_tab`` event on the ``change`` of the tab's hidden ``opened-<tab>`` flag, which the
   page's JavaScript sets to 1). Each event is sent to ``/gradio_api/queue/join`` with the
   inputs' current values and its messages are read from ``/gradio_api/queue/data``; outputs
   change the page's values, and a changed value fires the ``change`` events wired to it (the
   opening sets the layer, which shows the layer's weights), as in the browser. Pictures are
   fetched as the page would show them. *First screen*: from ``GET /`` until the message that
   carries the first view's picture (``#ascent-pair``).
2. **Three actions**, all students again at the same moment once every page is open: in the
   activations, attribution and partial-dependence tabs, each student selects the tab (its
   opening runs), uploads an image of their own (other pixels per student, so nothing comes from
   the cache), sets a field or two (4 IG steps and a coarse occlusion grid; another number of ICE
   curves per student) and clicks the view's button. An action's latency runs from the click
   until its events (and the events they start) have finished.

Then the same for one student alone on the same warm server (after the class, once the server
is idle again; ``--alone`` students one after another, each with an image of their own), and
the ratios class ÷ alone. The server's CPU seconds per page open are read from
``/proc/<pid>/stat`` (user + system) over the page-open phase, minus what the idle server uses
in that time, divided by the number of pages opened.

Limits of the emulation: no JavaScript runs, so the time a browser spends loading and running
the frontend (about a second) is not in the first screen; the static files are fetched one
after the other on one connection (a browser uses six); an upload's progress stream and the
example pictures a tab shows before any event are not requested. The simulated students run on
the same cores as the server and take some of their time (printed as the client's CPU).
Run from the repository root: ``python bench/bench_class.py`` (a few minutes on a 2-core CPU).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from _common import ROOT
from gradio_client.utils import apply_diff
from PIL import Image

from tests.reliability.labproc import free_port  # noqa: E402

GOAL_S = 10.0
"""Every student of the class should see the first screen within this many seconds."""
FIRST_PICTURE = "ascent-pair"
"""The element that shows the first tab's first view (the ascent tab's pair of pictures)."""
READY_LINE = "warm-up: pdp ready"
"""The lab's log line that says the warm-up computed the last tab's first view."""
PICTURE_TYPES = ("image", "gallery", "annotatedimage")
"""Components whose files a page shows, so that the browser downloads them."""


@dataclass(frozen=True)
class Action:
    """What a student does in a tab: select it, upload their image (``upload``), set fields (by
    API parameter name; ``fields(k)`` for student ``k``) and click the view's button."""

    tab: str
    api: str
    upload: bool
    fields: Callable[[int], dict] = lambda k: {}


ACTIONS = (
    Action("activations", "activations", upload=True),
    Action("attribution", "attribution_compare", upload=True,
           fields=lambda k: {"steps": 4, "window": 56, "stride": 28}),
    Action("pdp", "pdp_1d", upload=False, fields=lambda k: {"ice_samples": 10 + k % 40}),
)


# --------------------------------------------------------------------------------- the page


@dataclass
class Site:
    """What every page of the lab starts from: the config embedded in ``GET /`` (components,
    their values, the event wiring) and the API's parameter names."""

    url: str
    config: dict
    api_info: dict
    assets: list[str] = field(default_factory=list)

    @classmethod
    def fetch(cls, url: str) -> Site:
        html = httpx.get(url, timeout=60).raise_for_status().text
        return cls(url, _embedded(html, "window.gradio_config"),
                   _embedded(html, "window.gradio_api_info"))

    def __post_init__(self) -> None:
        self.components = {c["id"]: c for c in self.config["components"]}
        self.deps = {d["id"]: d for d in self.config["dependencies"]}
        self.by_trigger: dict[tuple[int | None, str], list[dict]] = {}
        self.after: dict[int, list[dict]] = {}
        for dep in self.deps.values():
            for target, event in dep["targets"]:
                self.by_trigger.setdefault((target, event), []).append(dep)
            if dep.get("trigger_after") is not None:
                self.after.setdefault(dep["trigger_after"], []).append(dep)
        self.elem = {c["props"].get("elem_id"): c["id"] for c in self.config["components"]
                     if c["props"].get("elem_id")}
        self.flags = sorted(i for e, i in self.elem.items() if e.startswith("opened-"))

    @property
    def root(self) -> str:
        return self.config["root"].rstrip("/")

    def initial_values(self) -> dict[int, object]:
        return {i: json.loads(json.dumps(c["props"].get("value")))
                for i, c in self.components.items()}

    def flag(self, tab: str) -> int:
        return self.elem[f"opened-{tab}"]

    def first_tab(self) -> str:
        """The tab a page without ``?tab=`` opens: the first flag, in the tabs' order."""
        return self.components[self.flags[0]]["props"]["elem_id"].removeprefix("opened-")

    def named(self, api: str) -> tuple[dict, dict[str, int]]:
        """The dependency of view ``api`` and its parameters' components (name → id)."""
        dep = next(d for d in self.deps.values() if d["api_name"] == api)
        names = [p["parameter_name"] for p in self.api_info["named_endpoints"][f"/{api}"]
                 ["parameters"]]
        return dep, dict(zip(names, dep["inputs"]))

    def opening(self, tab: str) -> dict:
        return next(d for d in self.by_trigger[(self.flag(tab), "change")] if d["backend_fn"])


def _embedded(html: str, name: str) -> dict:
    """The JSON object the page assigns to ``name`` in a script."""
    start = html.index("=", html.index(name)) + 1
    return json.JSONDecoder().raw_decode(html[start:].lstrip())[0]


def record_assets(url: str) -> list[str]:
    """The static files a browser with an empty cache loads for one page open, recorded with
    headless Chromium (empty when Playwright or Chromium is missing)."""
    try:
        from playwright.sync_api import sync_playwright

        from tests.e2e.conftest import CHROMIUM, FLAGS
    except ImportError:
        return []
    if not Path(CHROMIUM).exists():
        return []
    seen: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: seen.append(r.url) if r.resource_type != "document"
                    and "/gradio_api/" not in r.url and r.url.startswith(url) else None)
            page.goto(url)
            page.wait_for_selector(f"#{FIRST_PICTURE} img", timeout=120_000)
        finally:
            browser.close()
    return list(dict.fromkeys(seen))


class EventFailed(RuntimeError):
    """An event the page sent ended in an error."""


class Student:
    """One browser tab on the lab: the page's values, its session and the events it sends.

    Mirrors what Gradio's frontend does with the config: an event sends its inputs' values, its
    outputs set values, a value that changes fires the events on that component's ``change``,
    an event that ends starts its ``.then`` events, ``trigger_mode`` decides what a second
    trigger of a running event does. Only events with a Python function reach the server.
    """

    def __init__(self, site: Site, number: int, deadline: float):
        self.site, self.number, self.deadline = site, number, deadline
        self.session = "".join(random.choices(string.ascii_lowercase + string.digits, k=11))
        self.values = site.initial_values()
        self.http = httpx.Client(timeout=httpx.Timeout(30.0, read=60.0))
        self.pending: dict[str, dict] = {}  # event id → dependency
        self.running: set[int] = set()
        self.again: set[int] = set()
        self.streams: dict[str, list] = {}  # event id → the last full outputs of a stream
        self.watch: dict[int, Callable[[str], None]] = {}  # component → told "set", "shown"
        self._heartbeat: httpx.Response | None = None

    # -- the page's life

    def open_page(self, assets: list[str]) -> dict[str, float]:
        """Open the page; seconds from ``GET /`` to the first screen, its picture loaded and
        the page at rest."""
        marks: dict[str, float] = {}
        start = time.perf_counter()
        picture = self.site.elem[FIRST_PICTURE]
        names = {"set": "first screen", "shown": "picture loaded"}
        self.watch[picture] = lambda what: marks.setdefault(names[what], time.perf_counter())
        self.http.get(self.site.url).raise_for_status()
        for asset in assets:
            self.http.get(asset)
        self._start_heartbeat()
        for dep in self.site.deps.values():
            if dep["backend_fn"] and any(event == "load" for _, event in dep["targets"]):
                self.join(dep, trigger=0)
        # The page's JavaScript load event: the first tab's "opened" flag goes to 1.
        self.set(self.site.flag(self.site.first_tab()), 1, events=("change",))
        self.settle()
        del self.watch[picture]
        if "first screen" not in marks:
            raise EventFailed("the opening never showed the first view's picture")
        marks["page at rest"] = time.perf_counter()
        return {name: t - start for name, t in marks.items()}

    def act(self, action: Action, image: Path) -> tuple[float, float]:
        """Do ``action``; seconds the tab's opening took and from the click to the result."""
        began = time.perf_counter()
        self.set(self.site.flag(action.tab), 1, events=("change",))  # the tab is selected
        self.settle()
        opened = time.perf_counter() - began
        dep, params = self.site.named(action.api)
        if action.upload:
            self.set(params["upload"], self.upload(image), events=("upload", "change", "input"))
            self.settle()
        for name, value in action.fields(self.number).items():
            self.set(params[name], value, events=("change", "input"))
        self.settle()
        target, event = dep["targets"][0]
        clicked = time.perf_counter()
        self.fire(target, event)
        self.settle()
        return opened, time.perf_counter() - clicked

    def close(self) -> None:
        """Leave: close the heartbeat (the server forgets the session) and the connections."""
        if self._heartbeat is not None:
            with contextlib.suppress(Exception):
                self._heartbeat.close()
        self.http.close()

    # -- requests

    def upload(self, path: Path) -> dict:
        """Upload ``path`` as the page's file component does; the value it then holds."""
        data = path.read_bytes()
        answer = self.http.post(f"{self.site.root}/gradio_api/upload",
                                params={"upload_id": self.session},
                                files=[("files", (path.name, data, "image/png"))])
        stored = answer.raise_for_status().json()[0]
        return {"path": stored, "url": f"{self.site.root}/gradio_api/file={stored}",
                "orig_name": path.name, "size": len(data), "mime_type": "image/png",
                "is_stream": False, "meta": {"_type": "gradio.FileData"}}

    def _start_heartbeat(self) -> None:
        """Keep the session alive as the page does: one long-lived stream, read in a thread."""
        ready = threading.Event()

        def beat() -> None:
            with contextlib.suppress(Exception), httpx.Client(timeout=None) as client, \
                    client.stream("GET", f"{self.site.root}/gradio_api/heartbeat/"
                                  f"{self.session}") as response:
                self._heartbeat = response
                ready.set()
                for _ in response.iter_lines():
                    pass
            ready.set()

        threading.Thread(target=beat, daemon=True, name=f"heartbeat-{self.number}").start()
        ready.wait(timeout=10)

    def join(self, dep: dict, trigger: int | None) -> None:
        """Send ``dep`` to the queue with its inputs' current values (or note a second trigger
        of a running event as its ``trigger_mode`` says)."""
        if dep["id"] in self.running and dep["trigger_mode"] != "multiple":
            if dep["trigger_mode"] == "always_last":
                self.again.add(dep["id"])
            return
        body = {"data": [self.values.get(i) for i in dep["inputs"]], "event_data": None,
                "fn_index": dep["id"], "trigger_id": trigger, "session_hash": self.session}
        answer = self.http.post(f"{self.site.root}/gradio_api/queue/join", json=body)
        self.pending[answer.raise_for_status().json()["event_id"]] = dep
        self.running.add(dep["id"])

    def fire(self, component: int | None, event: str) -> None:
        for dep in self.site.by_trigger.get((component, event), ()):
            if dep["backend_fn"]:
                self.join(dep, trigger=component)

    def set(self, component: int, value: object, events: tuple[str, ...]) -> None:
        """Give ``component`` a new value; ``events`` fire when it changed."""
        if _same(self.values.get(component), value):
            return
        self.values[component] = value
        watch = self.watch.get(component) if value is not None else None
        if watch:
            watch("set")
        self._show(component, value)
        if watch:
            watch("shown")
        for event in events:
            self.fire(component, event)

    def settle(self) -> None:
        """Read the session's messages until no event of this page is pending."""
        while self.pending:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"events still pending: "
                                   f"{sorted(d['api_name'] for d in self.pending.values())}")
            with self.http.stream("GET", f"{self.site.root}/gradio_api/queue/data",
                                  params={"session_hash": self.session},
                                  timeout=httpx.Timeout(30.0, read=min(60.0, remaining))) as sse:
                for line in sse.iter_lines():
                    if line.startswith("data:") and self._handle(json.loads(line[5:])):
                        break
                    if time.monotonic() > self.deadline:
                        break

    # -- messages

    def _handle(self, message: dict) -> bool:
        """Apply one message; ``True`` when the server closes the stream."""
        kind = message.get("msg")
        if kind == "close_stream":
            return True
        if kind == "unexpected_error":
            raise EventFailed(message.get("message") or "unexpected error")
        dep = self.pending.get(message.get("event_id"))
        if dep is None or kind not in ("process_generating", "process_completed"):
            return False
        event_id = message["event_id"]
        output = message.get("output") or {}
        if kind == "process_generating":
            data = output.get("data") or []
            previous = self.streams.get(event_id)
            if previous is not None:
                data = [apply_diff(old, diff) for old, diff in zip(previous, data)]
            self.streams[event_id] = data
            self._apply(dep, data)
            return False
        self.pending.pop(event_id)
        self.streams.pop(event_id, None)
        self.running.discard(dep["id"])
        success = message.get("success", False) and "error" not in output
        if not success:
            raise EventFailed(f"{dep['api_name']}: {output.get('error') or output}"[:300])
        self._apply(dep, output.get("data") or [])
        if dep["id"] in self.again:
            self.again.discard(dep["id"])
            self.join(dep, trigger=None)
        for then in self.site.after.get(dep["id"], ()):
            if then["backend_fn"] and not then.get("trigger_only_on_failure"):
                self.join(then, trigger=None)
        return False

    def _apply(self, dep: dict, data: list) -> None:
        for component, item in zip(dep["outputs"], data):
            if isinstance(item, dict) and item.get("__type__") == "update":
                if "value" not in item:
                    continue
                item = item["value"]
            self.set(component, item, events=("change",))

    def _show(self, component: int, value: object) -> None:
        """Download the pictures an output shows, as the browser does to display them."""
        if self.site.components[component]["type"] not in PICTURE_TYPES:
            return
        for url in _file_urls(value):
            self.http.get(url)


def _same(a: object, b: object) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _file_urls(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("url"), str) and "path" in value:
            yield value["url"]
            return
        for item in value.values():
            yield from _file_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _file_urls(item)


# ------------------------------------------------------------------------------ measuring


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def idle_rate(pid: int, seconds: float = 3.0) -> float:
    """CPU seconds per second the server uses while nobody asks anything."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


def wait_until_quiet(pid: int, rate: float, limit: float = 60.0) -> None:
    """Wait (at most ``limit`` s) until the server uses no more CPU than when it was idle."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and idle_rate(pid, 2.0) > rate + 0.05:
        pass


def student_image(number: int, folder: Path) -> Path:
    """A picture of student ``number``'s own: coloured blobs and noise that no other student
    has, so that no result of theirs comes from the cache."""
    rng = np.random.default_rng(1000 + number)
    coarse = Image.fromarray((rng.random((6, 6, 3)) * 255).astype(np.uint8))
    smooth = np.asarray(coarse.resize((224, 224), Image.Resampling.BICUBIC), dtype=np.float32)
    pixels = np.clip(smooth + rng.normal(0, 12, smooth.shape), 0, 255).astype(np.uint8)
    path = folder / f"student-{number}.png"
    Image.fromarray(pixels).save(path)
    return path


@dataclass
class ClassRun:
    """What one run (a class, or one student alone) measured."""

    students: int
    first: dict[str, list[float]] = field(default_factory=dict)  # mark → seconds per student
    actions: dict[str, list[float]] = field(default_factory=dict)  # row → seconds per student
    failures: list[str] = field(default_factory=list)
    open_wall: float = 0.0
    open_cpu: float = 0.0  # server CPU seconds over the page-open phase, idle subtracted
    client_cpu: float = 0.0  # this script's CPU seconds over the page-open phase
    runs: list[ClassRun] = field(default_factory=list)  # alone: one run per student

    @property
    def cpu_per_page_open(self) -> float:
        """Server CPU seconds per page open (the median over the runs of students alone)."""
        if self.runs:
            return statistics.median(run.cpu_per_page_open for run in self.runs)
        return self.open_cpu / self.students

    def merge(self, run: ClassRun) -> None:
        """Add a run of students alone."""
        self.runs.append(run)
        self.students += run.students
        self.failures += run.failures
        for mine, theirs in ((self.first, run.first), (self.actions, run.actions)):
            for key, values in theirs.items():
                mine.setdefault(key, []).extend(values)

    def add(self, table: dict, key: str, value: float, lock: threading.Lock) -> None:
        with lock:
            table.setdefault(key, []).append(value)


def run_class(site: Site, pid: int, rate: float, numbers: list[int], folder: Path,
              timeout: float) -> ClassRun:
    """All of ``numbers`` open their pages at once, then (when every page is open) do the
    actions at once; every student's deadline is ``timeout`` seconds."""
    result = ClassRun(len(numbers))
    lock = threading.Lock()
    phase: dict[str, float] = {}

    def mark(name: str) -> Callable[[], None]:
        return lambda: phase.update({f"{name} t": time.perf_counter(),
                                     f"{name} cpu": cpu_seconds(pid),
                                     f"{name} own": own_cpu_seconds()})

    start, opened = (threading.Barrier(len(numbers), action=mark(name), timeout=timeout + 60)
                     for name in ("start", "opened"))
    images = {n: student_image(n, folder) for n in numbers}

    def failed(number: int, what: str, error: Exception) -> None:
        with lock:
            result.failures.append(f"student {number}, {what}: {type(error).__name__}: "
                                   f"{error}"[:300])

    def student(number: int) -> None:
        person = Student(site, number, deadline=time.monotonic() + timeout)
        try:
            start.wait()
            try:
                for name, seconds in person.open_page(site.assets).items():
                    result.add(result.first, name, seconds, lock)
            except Exception as error:  # noqa: BLE001 - counted and shown, the class goes on
                failed(number, "page open", error)
            opened.wait()
            for action in ACTIONS:
                try:
                    tab_open, latency = person.act(action, images[number])
                except Exception as error:  # noqa: BLE001 - counted and shown
                    failed(number, action.api, error)
                    continue
                result.add(result.actions, f"open {action.tab} tab", tab_open, lock)
                result.add(result.actions, action.api, latency, lock)
        except threading.BrokenBarrierError as error:
            failed(number, "waiting for the others", error)
        finally:
            person.close()

    with ThreadPoolExecutor(max_workers=len(numbers)) as pool:
        list(pool.map(student, numbers))
    if "opened t" in phase:
        result.open_wall = phase["opened t"] - phase["start t"]
        result.open_cpu = phase["opened cpu"] - phase["start cpu"] - rate * result.open_wall
        result.client_cpu = phase["opened own"] - phase["start own"]
    return result


# ------------------------------------------------------------------------------- reporting


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _stats(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), percentile(values, 0.95), max(values)


ROWS = ("first screen", "picture loaded", "page at rest",
        *(row for a in ACTIONS for row in (f"open {a.tab} tab", a.api)))


def report(crowd: ClassRun, alone: ClassRun, goal: float) -> int:
    """Print the table and the closing lines; the exit status (1 if something failed)."""
    print(f"\nseconds; class = {crowd.students} students at once, alone = one student on the "
          f"same warm server ({alone.students} after the class, one after another)")
    print(f"{'':<26}{'class p50':>10}{'p95':>8}{'max':>8}{'alone p50':>11}{'p95':>8}"
          f"{'÷ p50':>8}{'÷ p95':>8}")
    for row in ROWS:
        ours = crowd.first.get(row) or crowd.actions.get(row)
        solo = alone.first.get(row) or alone.actions.get(row)
        if not ours or not solo:
            print(f"{row:<26}{'—':>10}")
            continue
        (c50, c95, cmax), (a50, a95, _) = _stats(ours), _stats(solo)
        print(f"{row:<26}{c50:>10.2f}{c95:>8.2f}{cmax:>8.2f}{a50:>11.2f}{a95:>8.2f}"
              f"{c50 / a50:>7.1f}×{c95 / a95:>7.1f}×")
    per_open, alone_open = crowd.cpu_per_page_open, alone.cpu_per_page_open
    print(f"server CPU per page open: class {per_open:.3f} s ({crowd.open_cpu:.1f} s over "
          f"{crowd.open_wall:.1f} s for {crowd.students} pages), alone {alone_open:.3f} s "
          f"(median of {', '.join(f'{r.open_cpu:.3f}' for r in alone.runs)}; ratio "
          f"{per_open / alone_open if alone_open > 0 else float('nan'):.2f}); "
          f"this script's own CPU while the class opened: {crowd.client_cpu:.1f} s")
    for failure in (crowd.failures + alone.failures)[:8]:
        print(f"  failed: {failure}", file=sys.stderr)
    screens = crowd.first.get("first screen", [])
    reached = sum(1 for s in screens if s <= goal)
    print(f"all {crowd.students} first screens within {goal:g} s: "
          f"{'yes' if reached == crowd.students else 'no'} ({reached} of {crowd.students})")
    if not screens or not alone.first.get("first screen"):
        print("result: could not measure")
        return 1
    actions = " ".join(f"{a.api}={statistics.median(crowd.actions.get(a.api, [float('nan')])):.2f}"
                       for a in ACTIONS)
    print(f"result: students={crowd.students} first_screen_p50={_stats(screens)[0]:.2f} "
          f"p95={_stats(screens)[1]:.2f} max={max(screens):.2f} s "
          f"(alone {statistics.median(alone.first['first screen']):.2f} s); "
          f"cpu_per_page_open={per_open:.3f} s; action p50 {actions} s; "
          f"failures={len(crowd.failures) + len(alone.failures)}")
    return 1 if crowd.failures or alone.failures else 0


# ------------------------------------------------------------------------------ the server


@contextlib.contextmanager
def started_lab(folder: Path, timeout: float = 900) -> Iterator[tuple[str, int]]:
    """A lab in a subprocess (offline, empty weight caches, warm-up on) once its warm-up has
    computed every first view; its URL and process id. Stopped on exit."""
    port = free_port()
    log = folder / "lab.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADIO_", "XAI_LAB_"))}
    env.update(HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", TORCH_HOME=str(folder),
               HF_HOME=str(folder), GRADIO_TEMP_DIR=str(folder / "gradio"))
    with log.open("w") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "lab", "serve", "--offline", "--device", "cpu",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=sink, stderr=sink, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while READY_LINE not in log.read_text(errors="replace"):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the lab did not finish its warm-up:\n"
                                   + log.read_text(errors="replace")[-3000:])
            time.sleep(1.0)
        yield f"http://127.0.0.1:{port}/", server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def measure(url: str, pid: int, options: argparse.Namespace, folder: Path) -> int:
    site = Site.fetch(url)
    if not options.no_assets:
        site.assets = record_assets(url)
    print(f"page: {len(site.config['components'])} components, "
          f"{len(site.config['dependencies'])} events; {len(site.assets)} static files per "
          f"page open{' (none recorded)' if not site.assets else ''}", flush=True)
    rate = idle_rate(pid)
    print(f"idle server: {rate * 1000:.1f} ms CPU per second; "
          f"{options.students} students at once…", flush=True)
    crowd = run_class(site, pid, rate, list(range(options.students)), folder, options.timeout)
    print(f"class done: {len(crowd.failures)} failures; now one student alone…", flush=True)
    alone = ClassRun(0)
    for number in range(options.students, options.students + options.alone):
        wait_until_quiet(pid, rate)
        alone.merge(run_class(site, pid, rate, [number], folder, options.timeout))
    return report(crowd, alone, options.goal)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--alone", type=int, default=3,
                        help="students who come alone after the class, one after another")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds each student has for everything (page open and actions)")
    parser.add_argument("--goal", type=float, default=GOAL_S,
                        help="seconds within which every first screen should appear")
    parser.add_argument("--no-assets", action="store_true",
                        help="do not fetch the page's static files (scripts, styles, fonts)")
    parser.add_argument("--url", help="a running lab (then --pid is its server process)")
    parser.add_argument("--pid", type=int)
    options = parser.parse_args()
    if options.students < 1 or options.alone < 1:
        parser.error("--students and --alone must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-class-") as name:
        folder = Path(name)
        if options.url:
            if not options.pid:
                parser.error("--url needs --pid (the CPU time is read from that process)")
            return measure(options.url.rstrip("/") + "/", options.pid, options, folder)
        print("starting a lab (offline, warm-up on) and waiting for its warm-up…", flush=True)
        with started_lab(folder) as (url, pid):
            return measure(url, pid, options, folder)


if __name__ == "__main__":
    sys.exit(main())
