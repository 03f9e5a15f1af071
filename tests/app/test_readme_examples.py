"""The gradio_client examples in README.md run against the real lab as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_api_examples_run(lab_url):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    example = next(block for block in blocks if "gradio_client" in block)
    code = "\n".join(line[2:] if line.startswith("  ") else line for line in example.splitlines())
    code = code.replace("http://127.0.0.1:7860/", lab_url)
    names: dict = {}
    exec(compile(code, "README.md", "exec"), names)  # noqa: S102 - our own documentation
    assert names["predictions"]["label"] == "espresso (#967)"
    assert "LSTAT" in names["summary"]
