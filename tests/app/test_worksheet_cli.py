"""``python -m lab worksheet check FILE…`` and ``--worksheets DIR``: an instructor checks
worksheet files before class; the exit code says whether all can be used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lab.settings import parser, settings_from
from lab.worksheets import SHIPPED_DIR

GOOD = """---
title: PDP
language: en
course: test
---
## 1. Open
view: tab=pdp&feature=LSTAT
```question
type: number
text: How many rooms?
answer: 6
tolerance: 0.5
explanation: About six.
```
"""


def run_check(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lab", "worksheet", "check", *map(str, files)],
                          capture_output=True, text=True, timeout=300)


def test_check_exits_zero_for_good_files_and_one_naming_each_problem(tmp_path):
    good = tmp_path / "good.md"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_text(GOOD.replace("tab=pdp&feature", "tab=pdp&colour").replace(
        "tolerance: 0.5\n", "").replace("language: en\n", ""), encoding="utf-8")
    passed = run_check(good, *sorted(SHIPPED_DIR.glob("*.md")))
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert f"{good}: ok, 1 steps" in passed.stdout
    failed = run_check(good, bad)
    assert failed.returncode == 1
    lines = failed.stdout.splitlines()
    assert f"{bad}:1: The front matter has no language: add 'language: en' or " \
           "'language: de'." in lines
    assert any(line.startswith(f"{bad}:6: Unknown link key 'colour' for the pdp tab")
               for line in lines)
    assert any(line.startswith(f"{bad}:7: A number question needs a tolerance")
               for line in lines)
    assert "Traceback" not in failed.stdout + failed.stderr


def test_a_missing_file_is_a_problem_not_a_traceback(tmp_path):
    missing = run_check(tmp_path / "nowhere.md")
    assert missing.returncode == 1 and "cannot be read" in missing.stdout
    assert "Traceback" not in missing.stderr


def test_worksheets_folder_from_the_flag():
    assert settings_from(parser().parse_args(["serve", "--worksheets", "/x"])).worksheets == "/x"
