"""Deploy the lab as a Hugging Face Space: the exact folder to upload, and the upload.

``python -m lab deploy --dry-run DIR`` writes the folder; ``--space user/name`` uploads it with
``huggingface_hub``. The Space's README front matter is generated from ``spaces.yaml``, and
``requirements.txt`` is pinned to the versions installed here (the ones the tests ran with),
so a Space built a year from now installs what was tested instead of whatever is newest.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "spaces.yaml"
_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


@dataclass(frozen=True)
class DeployConfig:
    """``spaces.yaml``: the Space's front matter, its variables, what the bundle holds, and
    the ZeroGPU settings (hardware name, torch pins, seconds per GPU event)."""

    space: Mapping[str, Any]
    env: Mapping[str, str]
    bundle: tuple[str, ...]
    zerogpu: Mapping[str, Any]


def load_config(path: Path = CONFIG) -> DeployConfig:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return DeployConfig(space=data["space"], env=data.get("env", {}),
                        bundle=tuple(data["bundle"]), zerogpu=data.get("zerogpu", {}))


def front_matter(config: DeployConfig) -> str:
    """The YAML block a Space reads at the top of its README.md, between ``---`` lines."""
    body = yaml.safe_dump(dict(config.space), sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{body}---\n"


def split_front_matter(text: str) -> tuple[dict | None, str]:
    """``(front matter as a dict or None, the rest of the text)``."""
    match = re.match(r"---\n(.*?)\n---\n", text, flags=re.S)
    if not match:
        return None, text
    return yaml.safe_load(match.group(1)), text[match.end():]


def _distribution(line: str) -> str:
    return re.split(r"[\s\[<>=!~;]", line.strip(), maxsplit=1)[0]


def pinned_requirements(text: str, *, pins: Mapping[str, str] | None = None) -> str:
    """``requirements.txt`` with every package pinned to its installed version.

    ``pins`` overrides versions (ZeroGPU supports only some torch builds). Raises
    ``ValueError`` when a requirement is not installed: run the tests in an environment made
    from requirements.txt before deploying.
    """
    lines = ["# Pinned by `python -m lab deploy` to the versions the tests ran with."]
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name = _distribution(line)
        extras = re.match(r"[^\[]*(\[[^\]]*\])", line)
        try:
            version = (pins or {}).get(name) or metadata.version(name)
        except metadata.PackageNotFoundError:
            raise ValueError(f"{name} is in requirements.txt but not installed here; install the "
                             "requirements and run the tests before deploying.") from None
        lines.append(f"{name}{extras.group(1) if extras else ''}=={version}")
    return "\n".join(lines) + "\n"


def check_tested_gradio(config: DeployConfig) -> None:
    """``ValueError`` unless the installed Gradio is the ``sdk_version`` the Space will run."""
    installed = metadata.version("gradio")
    if str(config.space["sdk_version"]) != installed:
        raise ValueError(f"spaces.yaml says sdk_version {config.space['sdk_version']}, "
                         f"but the tests ran with Gradio {installed}; "
                         "update spaces.yaml and README.md together.")


def write_bundle(dest: Path, *, hardware: str | None = None, config: DeployConfig | None = None,
                 root: Path = ROOT) -> list[Path]:
    """Write exactly the folder a Space upload consists of into ``dest`` (new or empty).

    ``hardware`` equal to the ZeroGPU hardware pins torch to a version ZeroGPU supports and
    sets it as the suggested hardware. Returns the written top-level paths.
    """
    config = config or load_config(root / "spaces.yaml")
    check_tested_gradio(config)
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise ValueError(f"{dest} is not empty; give a new or empty folder for the dry run.")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for item in config.bundle:
        source = root / item
        target = dest / item
        if source.is_dir():
            shutil.copytree(source, target, ignore=_IGNORED)
        else:
            shutil.copy2(source, target)
        written.append(target)
    zero = hardware is not None and hardware == config.zerogpu.get("hardware")
    requirements = pinned_requirements((root / "requirements.txt").read_text(encoding="utf-8"),
                                       pins=config.zerogpu.get("pins") if zero else None)
    (dest / "requirements.txt").write_text(requirements, encoding="utf-8")
    space = dict(config.space, **({"suggested_hardware": hardware} if hardware else {}))
    _, body = split_front_matter((root / "README.md").read_text(encoding="utf-8"))
    readme = front_matter(DeployConfig(space, config.env, config.bundle, config.zerogpu)) + body
    (dest / "README.md").write_text(readme, encoding="utf-8")
    return [*written, dest / "requirements.txt", dest / "README.md"]


def upload(space_id: str, *, hardware: str | None = None, token: str | None = None) -> str:
    """Create (or update) the Space ``user/name`` from a fresh bundle; returns its URL."""
    from huggingface_hub import HfApi

    if not re.fullmatch(r"[\w.-]+/[\w.-]+", space_id or ""):
        raise ValueError(f"Name the Space as user/name (got {space_id!r}).")
    config = load_config()
    api = HfApi(token=token)
    with tempfile.TemporaryDirectory(prefix="xai-lab-space-") as folder:
        write_bundle(Path(folder), hardware=hardware, config=config)
        api.create_repo(space_id, repo_type="space", space_sdk="gradio", exist_ok=True)
        for key, value in config.env.items():
            api.add_space_variable(space_id, key, str(value))
        api.upload_folder(repo_id=space_id, repo_type="space", folder_path=folder,
                          commit_message="Deploy XAI Lab")
    return f"https://huggingface.co/spaces/{space_id}"
