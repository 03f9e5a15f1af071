"""The shipped worksheets against the real lab's tabs: every file passes the checker, every
view link opens a view (each value taken by its field), both languages have the same steps;
an instructor's folder with a bad file is listed with its problems and never stops the lab."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.models import ModelManager
from core.worksheets.check import view_query
from lab.app import build_lab
from lab.settings import Settings
from lab.worksheets import SHIPPED_DIR, folders, load, vocabulary
from tabs.common.links import linked_values

SHIPPED = sorted(SHIPPED_DIR.glob("*.md"))


@pytest.fixture(scope="module")
def lab():
    models = ModelManager(device="cpu", offline=True)
    return build_lab(Settings(device="cpu", offline=True, warm_up=False), models), models


def test_every_shipped_worksheet_passes_the_checker(lab):
    library = load([SHIPPED_DIR], vocabulary(lab[0].forms))
    assert library.broken == ()
    assert sorted(library.sheets) == sorted(path.stem for path in SHIPPED)
    topics = {name.rsplit("-", 1)[0] for name in library.sheets}
    assert topics == {"filter-ascent", "attribution-captum", "gradcam", "counterfactual",
                      "clip", "pdp"}
    for topic in topics:  # the same exercise in both languages
        english, german = library.sheets[f"{topic}-en"], library.sheets[f"{topic}-de"]
        assert (english.language, german.language) == ("en", "de")
        assert [(s.view, s.question and s.question.kind, s.question and s.question.source)
                for s in english.steps] == \
               [(s.view, s.question and s.question.kind, s.question and s.question.source)
                for s in german.steps]
    own = [s for s in library.sheets["counterfactual-en"].steps
           if s.question and s.question.source]
    assert own and own[0].question.source == "counterfactual.reached"


def test_every_view_link_sets_each_of_its_fields(lab):
    built, models = lab
    library = load([SHIPPED_DIR], vocabulary(built.forms))
    links = 0
    for worksheet in library.sheets.values():
        for step in worksheet.steps:
            if step.view is None:
                continue
            query = dict(view_query(step.view))
            form = built.forms[query["tab"]]
            taken = linked_values(query["tab"], form.links, query)
            keys = {key for key, component in form.links.items() if component in taken}
            assert keys == set(query) - {"tab"}, (worksheet.name, step.number, step.view)
            if "layer" in query:  # layers are listed per model, so the link cannot say
                model = query.get("model", models.fallback)
                assert query["layer"] in {layer.name for layer in models.layers(model)}
            links += 1
    assert links >= 40


def test_a_bad_instructor_worksheet_is_listed_and_the_lab_still_serves(tmp_path: Path, lab):
    (tmp_path / "broken.md").write_text("---\ntitle: x\n---\n## 1. A\nview: tab=nowhere\n",
                                        encoding="utf-8")
    (tmp_path / "pdp-en.md").write_text(
        "---\ntitle: Our own PDP sheet\nlanguage: en\ncourse: c\n---\n## 1. Look\n"
        "view: tab=pdp&feature=RM\n", encoding="utf-8")
    library = load(folders(str(tmp_path)), vocabulary(lab[0].forms))
    assert library.sheets["pdp-en"].title == "Our own PDP sheet"  # replaces the shipped one
    assert "gradcam-de" in library.sheets and "broken" not in library.sheets
    (broken,) = library.broken
    assert [p.in_language("en") for p in broken.problems] == [
        "line 1: The front matter has no language: add 'language: en' or 'language: de'.",
        "line 5: Unknown tab 'nowhere'; the tabs are ascent, activations, attribution, "
        "counterfactual, clip, pdp."]
    served = build_lab(Settings(device="cpu", offline=True, warm_up=False,
                                worksheets=str(tmp_path)), lab[1])
    assert served.demo is not None


def test_the_readme_example_is_a_good_worksheet(lab, tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("````markdown\n", 1)[1].split("\n````", 1)[0]
    (tmp_path / "readme-example.md").write_text(example, encoding="utf-8")
    library = load([tmp_path], vocabulary(lab[0].forms))
    assert "readme-example" in library.sheets, [b.problems for b in library.broken]
    assert [s.question.kind for s in library.sheets["readme-example"].steps] == \
        ["single", "number", "text", "multiple", "text"]
