"""Hostile input to every endpoint: a correct result or a clear sentence, and the lab keeps serving.

One lab process (``python -m lab serve --offline``, the tiny CLIP) receives every case of
``tests/hostile/corpus.py``; the fields of each endpoint are read from the lab's own ``/config``
(a new endpoint or field is covered without editing this file; an endpoint without a base call
in :data:`BASE` fails :func:`test_every_endpoint_has_a_base_call`).

What counts as a clear sentence (:func:`sentence_problem`): a message (not Gradio's "has not
enabled verbose error reporting"), not the generic apology, no traceback, no server path, no
control characters, at most 400 characters.

Grouped, to stay within seconds (each group shares one code path, named in brackets):

* images [``ExampleImages.resolve`` → ``core.images.load_image``, then the endpoint]: every case
  to ``/activations``, each accepted one compared with the same request on its decoded RGB
  pixels; every other upload field of every endpoint (the second picker of the swap included)
  gets one refused and one accepted case, rotating through the corpus;
* texts and numbers [one component shared by the endpoints of a tab, one ``core`` check]: every
  case to the first endpoint that uses a component, one rotating case to each other endpoint
  that uses it (and one case to an endpoint that grouping would leave out). Texts go to every
  text box and every dropdown that accepts custom values (layers, blocks, features, the chosen
  description: they reach ``core``); numbers to every number field and slider, sent as raw
  JSON so that NaN and ±inf arrive as they would from any HTTP client (``gradio_client``
  refuses to encode them). A value outside a field's declared minimum/maximum is refused by
  Gradio's own bounds check with its own sentence ("Value -3 is less than minimum value 0."),
  one code path for all fields: sent once per kind of field and case.

Values that Gradio's own conversion cannot take (NaN/±inf in a whole-number field, no value for
a slider, a broken file in the region editor) get the sentence of ``lab/guards.py``.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from PIL import Image

from tests.hostile.corpus import NUMBERS, TEXTS, build_images
from tests.reliability.labproc import running_lab
from tests.reliability.mix import CLASS_MIX, MODEL, Pixels, canonical, differences

pytestmark = [pytest.mark.slow,
              pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")]

#: One cheap, valid call per public endpoint; hostile values replace one field at a time.
BASE: dict[str, tuple] = {r.api: r.args for r in reversed(CLASS_MIX)} | {
    "/ascent_model": (MODEL,),
    "/ascent_block": (MODEL, "blocks.1"),
    "/activations_model": (MODEL,),
    "/activations_block": (MODEL, "blocks.1"),
    "/attribution_model": (MODEL,),
    "/counterfactual_model": (MODEL,),
    "/counterfactual_find_class": (MODEL, "collie"),
    "/pdp_features": (True, "LSTAT", "RM", "LSTAT", "RM", "RM", "LSTAT"),
}
WORKERS = 4
GENERIC_APOLOGY = "Something went wrong on the server"
HIDDEN = "has not enabled verbose error reporting"
PATH = re.compile(r"(?<![\w.])/(?:[\w.@+-]+/)+[\w.@+-]*")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sentence_problem(message: object) -> str | None:
    """Why ``message`` is not a clear sentence for a student, or ``None`` when it is one."""
    if not isinstance(message, str) or not message.strip():
        return "no message at all"
    checks = ((HIDDEN in message, "Gradio hid the error: no sentence"),
              (GENERIC_APOLOGY in message, "the generic apology"),
              ("Traceback" in message or 'File "' in message, "a traceback"),
              (PATH.search(message) is not None, "a server path"),
              (CONTROL.search(message) is not None, "control characters"),
              (len(message) > 400, f"{len(message)} characters long"))
    return next((why for bad, why in checks if bad), None)


# ----------------------------------------------------------------------------- the lab's fields


@dataclass(frozen=True)
class Field:
    api: str
    index: int       # position among the endpoint's API parameters
    component: int   # component id: the same field shared by several endpoints of a tab
    kind: str        # upload, editor, text, integer, number, slider, other
    name: str
    minimum: float | None = None
    maximum: float | None = None


def _kind(component: dict) -> str:
    props = component["props"]
    kind = component["type"]
    if kind == "file":
        return "upload"
    if kind == "imageeditor":
        return "editor"
    if kind == "textbox" or (kind == "dropdown" and props.get("allow_custom_value")):
        return "text"
    if kind == "number":
        return "integer" if props.get("precision") == 0 else "number"
    return kind if kind == "slider" else "other"


def _name(component: dict) -> str:
    label = str(component["props"].get("label") or component["type"])
    if label.startswith("__i18n__"):
        label = json.loads(label[len("__i18n__"):]).get("key", label)
    return label


def read_config(url: str) -> tuple[dict[str, list[Field]], dict[str, list[str]]]:
    """Every public endpoint's API parameters and output component types, from ``/config``."""
    config = httpx.get(url + "config", timeout=30).json()
    components = {c["id"]: c for c in config["components"]}
    endpoints: dict[str, list[Field]] = {}
    outputs: dict[str, list[str]] = {}
    for dependency in config["dependencies"]:
        api = dependency.get("api_name")
        if not api or dependency.get("api_visibility", "public") != "public" \
                or api.startswith("new_session_token"):
            continue
        fields: list[Field] = []
        for component_id in dependency["inputs"]:
            component = components[component_id]
            if component["type"] == "state":
                continue  # not an API parameter
            props = component["props"]
            fields.append(Field(f"/{api}", len(fields), component_id, _kind(component),
                                _name(component), props.get("minimum"), props.get("maximum")))
        endpoints[f"/{api}"] = fields
        outputs[f"/{api}"] = [components[i]["type"] for i in dependency["outputs"]
                              if components[i]["type"] != "state"]
    return endpoints, outputs


def spread(fields: list[Field], cases: list[str], per_other: int = 1, shared=lambda f, c: None):
    """(field, case) pairs: every case for the first endpoint using a component, ``per_other``
    rotating cases for every other endpoint that shares the component. A pair for which
    ``shared`` returns a key (a code path common to many fields) is sent once per key."""
    seen: set[int] = set()
    sent: set = set()
    rotation = itertools.cycle(cases)
    for field in fields:
        if field.component not in seen:
            seen.add(field.component)
            pairs = [(field, case) for case in cases]
        else:
            pairs = [(field, next(rotation)) for _ in range(per_other)]
        for pair in pairs:
            key = shared(*pair)
            if key is None or key not in sent:
                sent.add(key)
                yield pair


def every_endpoint(pairs: list, fields: list[Field], cases: list[str], skip) -> list:
    """``pairs`` plus one pair for each endpoint that grouping left without any."""
    covered = {field.api for field, _ in pairs}
    extra = []
    for field in fields:
        if field.api not in covered:
            case = next((c for c in cases if not skip(field, c)), None)
            if case is not None:
                extra.append((field, case))
                covered.add(field.api)
    return pairs + extra


def gradio_bounds(field: Field, case: str):
    """Values outside a field's minimum/maximum are refused by Gradio's own check, with its
    own sentence ("Value -3 is less than minimum value 0."): one code path for every field."""
    value = NUMBERS[case]
    if not isinstance(value, (int, float)) or math.isnan(value):
        return None
    low = field.minimum is not None and value < field.minimum
    high = field.maximum is not None and value > field.maximum
    return ("gradio bounds", field.kind, case) if low or high else None


# ----------------------------------------------------------------------------- calling the lab


@dataclass
class Answer:
    label: str
    ok: bool
    value: object = None
    message: str | None = None
    error: str = ""  # the exception's type on the client, for the report


def call_raw(url: str, api: str, args: list, session: str) -> tuple[bool, object]:
    """Call an endpoint with plain HTTP (``/gradio_api/call``) so that NaN and ±inf are sent as
    JSON tokens, like any HTTP client can. Returns (ok, data or error message)."""
    name = api.lstrip("/")
    posted = httpx.post(f"{url}gradio_api/call/{name}", timeout=60,
                        content=json.dumps({"data": args, "session_hash": session}),
                        headers={"content-type": "application/json"})
    if posted.status_code != 200:
        return False, f"HTTP {posted.status_code}: {posted.text}"
    event_id = posted.json()["event_id"]
    event = None
    with httpx.stream("GET", f"{url}gradio_api/call/{name}/{event_id}", timeout=300) as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line[len("event:"):].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = json.loads(line[len("data:"):].strip() or "null")
                if event == "complete":
                    return True, data
                return False, data.get("error") if isinstance(data, dict) else data
    return False, None


def raw_result_problem(url: str, data: object) -> str | None:
    """A raw result must be a list of outputs whose files are images the lab serves."""
    if not isinstance(data, list) or not data:
        return f"an empty result: {data!r}"[:200]
    files = [v for v in _leaves(data) if isinstance(v, dict) and isinstance(v.get("url"), str)]
    for file in files:
        answer = httpx.get(file["url"], timeout=30)
        if answer.status_code != 200:
            return f"output file not served ({answer.status_code})"
        try:
            Image.open(io.BytesIO(answer.content)).load()
        except Exception as error:  # noqa: BLE001 - reported as the problem
            return f"output file is no image: {error}"
    return None


def _leaves(value):
    if isinstance(value, dict) and "url" in value:
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def text_outputs(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in text_outputs(v)]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in text_outputs(v)]
    return []


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def lab(labs_dir, tiny_clip_dir):
    with running_lab(labs_dir, clip_dir=tiny_clip_dir) as running:
        yield running


@pytest.fixture(scope="module")
def config(lab):
    return read_config(lab.url)


@pytest.fixture(scope="module")
def fields(config) -> dict[str, list[Field]]:
    return config[0]


@pytest.fixture(scope="module")
def students(lab, tmp_path_factory):
    """``students()`` is this worker thread's own ``gradio_client.Client``: one browser each,
    as in a class (threads sharing one client share its event stream)."""
    from gradio_client import Client

    folder = tmp_path_factory.mktemp("hostile-downloads")
    local = threading.local()

    def student():
        if not hasattr(local, "client"):
            local.client = Client(lab.url, verbose=False, download_files=str(folder))
        return local.client

    return student


@pytest.fixture(scope="module")
def client(students):
    return students()


@pytest.fixture(scope="module")
def before(client):
    """A normal request answered before the barrage (compared after it)."""
    request = CLASS_MIX[0]
    return canonical(client.predict(*request.args, api_name=request.api))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_images(tmp_path_factory.mktemp("hostile-corpus"))


def predict(client, api: str, args: list, label: str) -> Answer:
    try:
        return Answer(label, True, value=client.predict(*args, api_name=api))
    except Exception as error:  # the message is what the student sees
        return Answer(label, False, message=str(error), error=type(error).__name__)


def run_all(function, jobs) -> list[Answer]:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda job: function(*job), jobs))


# ----------------------------------------------------------------------------- tests


def test_every_endpoint_has_a_base_call(fields):
    assert set(fields) == set(BASE), "add a cheap valid call to BASE for every endpoint"
    for api, args in BASE.items():
        assert len(args) == len(fields[api]), api


def test_every_image_case_on_every_picker(client, students, fields, corpus, before, tmp_path):
    from gradio_client import handle_file

    from core.images import load_image

    accepted = [c for c, (_, expect) in corpus.items() if expect == "accept"]
    refused = [c for c, (_, expect) in corpus.items() if expect == "refuse"]
    uploads = [f for api in fields for f in fields[api] if f.kind == "upload"]
    jobs = []
    full = next(f for f in uploads if f.api == "/activations")
    for case in corpus:  # every case through the whole activations endpoint
        jobs.append((full, case))
    turns = itertools.count()
    for field in uploads:  # every other picker: one refused and one accepted case, rotating
        if field is not full:
            turn = next(turns)
            jobs += [(field, refused[turn % len(refused)]), (field, accepted[turn % len(accepted)])]

    def send(field: Field, case: str) -> Answer:
        args = list(BASE[field.api])
        args[field.index] = handle_file(str(corpus[case][0]))
        return predict(students(), field.api, args, f"{field.api} {field.name} ← {case}")

    answers = run_all(send, jobs)
    problems = []
    for (_field, case), answer in zip(jobs, answers):
        expect = corpus[case][1]
        if expect == "refuse":
            why = "a result for a file that must be refused" if answer.ok \
                else sentence_problem(answer.message)
        else:
            why = None if answer.ok else f"refused: {answer.message}"
            if answer.ok:
                canonical(answer.value)  # every output image decodes
        if why:
            problems.append(f"{answer.label}: {why} "
                            f"({answer.error} {(answer.message or '')[:200]})")
    assert not problems, "\n".join(problems)
    assert {c for f, c in jobs if f is not full} == set(corpus)  # rotation covered every case
    assert len({f.api for f, _ in jobs}) == len({f.api for f in uploads})

    # An accepted odd file gives exactly what its decoded RGB pixels give.
    for case in accepted:
        plain = tmp_path / f"{case.replace(' ', '_')}.png"
        Image.fromarray(load_image(corpus[case][0])).save(plain)
        args = list(BASE[full.api])
        args[full.index] = handle_file(str(plain))
        expected = canonical(client.predict(*args, api_name=full.api))
        answer = next(a for (f, c), a in zip(jobs, answers) if f is full and c == case)
        got = canonical(answer.value)
        assert not differences(got, expected, case), case


def test_no_hostile_upload_is_served_back(lab, corpus):
    """The barrage stored every corpus file in Gradio's folder; none of them (an SVG, a text
    file called .png, a bomb) is served back over HTTP, whatever its content."""
    names = {path.name for path, _ in corpus.values()}
    uploads = [p for p in lab.files() if p.name in names]
    assert {p.name for p in uploads} == names, "the barrage did not upload every case"
    for path in uploads:
        answer = httpx.get(f"{lab.url}gradio_api/file={path}", timeout=30)
        assert answer.status_code == 403, (path.name, answer.status_code)


def test_every_text_case_in_every_text_field(students, fields, config):
    text_fields = [f for api in fields for f in fields[api] if f.kind == "text"]
    assert {"/ascent", "/attribution_find_class", "/counterfactual_find_class",
            "/clip_similarity", "/clip_explain", "/clip_tokens", "/clip_agreement"} \
        <= {f.api for f in text_fields}
    jobs = list(spread(text_fields, list(TEXTS)))

    def send(field: Field, case: str) -> Answer:
        args = list(BASE[field.api])
        value = TEXTS[case]
        args[field.index] = [value] if isinstance(args[field.index], list) else value
        return predict(students(), field.api, args, f"{field.api} {field.name} ← {case}")

    answers = run_all(send, jobs)
    problems = []
    for (field, _case), answer in zip(jobs, answers):
        if not answer.ok:
            why = sentence_problem(answer.message)
        else:
            values = answer.value if isinstance(answer.value, tuple) else (answer.value,)
            kinds = config[1][field.api]
            html = [t for kind, v in zip(kinds, values) if kind == "html" for t in text_outputs(v)]
            why = next((f"HTML output contains {bad!r}" for t in html
                        for bad in ("<script", "<img") if bad in t), None) or next(
                (f"output contains the control character {bad!r}"
                 for t in text_outputs(canonical(answer.value))
                 for bad in CONTROL.findall(t)), None)
        if why:
            problems.append(f"{answer.label}: {why} "
                            f"({answer.error} {(answer.message or '')[:200]})")
    assert not problems, "\n".join(problems)
    assert {c for _, c in jobs} == set(TEXTS)


def test_every_number_case_in_every_numeric_field(lab, fields):
    numeric = [f for api in fields for f in fields[api]
               if f.kind in ("integer", "number", "slider")]
    session = uuid.uuid4().hex
    assert call_raw(lab.url, "/attribution_model", [MODEL], session)[0]
    def skip(field, case):
        return gradio_bounds(field, case) is not None

    jobs = every_endpoint(list(spread(numeric, list(NUMBERS), shared=gradio_bounds)), numeric,
                          list(NUMBERS), skip)

    def send(field: Field, case: str) -> Answer:
        args = list(BASE[field.api])
        args[field.index] = NUMBERS[case]
        ok, data = call_raw(lab.url, field.api, args, session)
        label = f"{field.api} {field.name} ← {case}"
        return Answer(label, ok, value=data) if ok else Answer(label, ok, message=data)

    answers = run_all(send, jobs)
    problems = []
    for answer in answers:
        why = raw_result_problem(lab.url, answer.value) if answer.ok \
            else sentence_problem(answer.message)
        if why:
            problems.append(f"{answer.label}: {why} ({str(answer.message or '')[:200]})")
    assert not problems, "\n".join(problems)
    assert {c for _, c in jobs} == set(NUMBERS)
    assert {f.api for f, _ in jobs} == {f.api for f in numeric}


def test_a_broken_file_in_the_region_editor_gets_a_sentence(client, fields, corpus):
    from gradio_client import handle_file

    editor = next(f for f in fields["/counterfactual"] if f.kind == "editor")
    problems = []
    for case, (path, expect) in corpus.items():
        if expect == "refuse":
            args = list(BASE["/counterfactual"])
            args[editor.index - 1] = True  # use the painted region
            args[editor.index] = {"background": None, "layers": [handle_file(str(path))],
                                  "composite": None, "id": None}
            answer = predict(client, "/counterfactual", args, case)
            why = "accepted" if answer.ok else sentence_problem(answer.message)
            if why:
                problems.append(f"/counterfactual region editor ← {case}: {why}")
    assert not problems, "\n".join(problems)


def test_the_lab_keeps_serving_after_the_barrage(lab, client, before):
    assert lab.alive(), lab.log_tail()
    request = CLASS_MIX[0]
    after = canonical(client.predict(*request.args, api_name=request.api))
    assert not differences(after, before, request.api)
    assert any(isinstance(v, Pixels) for v in after)
    log = lab.log.read_text(errors="replace")
    assert "unexpected error in" not in log, log[log.find("unexpected error in") - 200:][:3000]
