"""Deployment files: the Space's front matter, the dry-run bundle, Docker and compose."""

from __future__ import annotations

import ast
import re
import shlex
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from lab import deploy

ROOT = Path(__file__).resolve().parents[2]
LOCAL_PACKAGES = ("core", "tabs", "lab")


def _readme_commands() -> tuple[str, str]:
    """(install and serve command, test command) from README's quick start."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", text, flags=re.S)
    return blocks[0].strip(), blocks[1].strip()


def test_readme_front_matter_is_the_one_spaces_yaml_generates():
    matter, body = deploy.split_front_matter((ROOT / "README.md").read_text(encoding="utf-8"))
    config = deploy.load_config()
    assert matter == dict(config.space)
    assert body.lstrip().startswith("# XAI Lab")
    assert matter["sdk"] == "gradio" and matter["python_version"] == "3.12"
    assert any("openai/clip-vit-base-patch32" in item for item in matter["preload_from_hub"])


def test_the_space_runs_the_gradio_the_tests_run_with():
    config = deploy.load_config()
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    sdk = re.escape(str(config.space["sdk_version"]))
    assert re.search(rf"^gradio(\[[\w,]+\])?=={sdk}\s", requirements, flags=re.M)
    assert metadata.version("gradio") == str(config.space["sdk_version"])


def _local_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {n for n in names if n.split(".")[0] in LOCAL_PACKAGES}


def _module_file(root: Path, name: str) -> Path | None:
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("space")
    deploy.write_bundle(folder)
    return folder


def test_dry_run_holds_every_module_app_py_imports(bundle):
    seen, todo = set(), [bundle / "app.py"]
    while todo:
        for name in _local_imports(todo.pop()):
            found = _module_file(bundle, name)
            parent = _module_file(bundle, name.rsplit(".", 1)[0]) if "." in name else None
            assert found or parent, f"{name} is imported but missing from the Space bundle"
            if found and found not in seen:
                seen.add(found)
                todo.append(found)
    assert len(seen) > 30  # the walk really followed the imports
    assert {p.name for p in bundle.iterdir()} == {"app.py", "spaces.yaml", "lab", "tabs", "core",
                                                 "requirements.txt", "README.md"}
    assert not list(bundle.rglob("__pycache__"))


def test_dry_run_holds_the_data_the_lab_reads(bundle):
    lessons = {p.relative_to(bundle / "lab" / "lessons").as_posix()
               for p in (bundle / "lab" / "lessons").rglob("*.md")}
    assert "de/pdp.md" in lessons and "en/ascent.md" in lessons
    assert (bundle / "lab" / "assets" / "images" / "chelsea.png").is_file()
    assert (bundle / "core" / "tabular" / "data" / "boston_house_prices.csv").is_file()


def test_dry_run_pins_tested_versions_and_writes_the_front_matter(bundle):
    pins = dict(line.split("==") for line in (bundle / "requirements.txt").read_text().splitlines()
                if "==" in line)
    assert pins["torch"] == metadata.version("torch")
    assert pins["captum"] == metadata.version("captum")
    matter, _ = deploy.split_front_matter((bundle / "README.md").read_text(encoding="utf-8"))
    assert matter == dict(deploy.load_config().space)


def test_zero_gpu_dry_run_pins_a_supported_torch(tmp_path):
    config = deploy.load_config()
    deploy.write_bundle(tmp_path, hardware=config.zerogpu["hardware"])
    text = (tmp_path / "requirements.txt").read_text()
    assert f"torch=={config.zerogpu['pins']['torch']}" in text
    assert f"torchvision=={config.zerogpu['pins']['torchvision']}" in text
    matter, _ = deploy.split_front_matter((tmp_path / "README.md").read_text(encoding="utf-8"))
    assert matter["suggested_hardware"] == "zero-a10g"


def test_dry_run_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty"):
        deploy.write_bundle(tmp_path)


def test_a_requirement_that_is_not_installed_is_refused():
    with pytest.raises(ValueError, match="not installed"):
        deploy.pinned_requirements("surely-not-a-real-package-xyz>=1\n")


def test_upload_refuses_a_bad_space_name():
    with pytest.raises(ValueError, match="user/name"):
        deploy.upload("no-slash")


def _dockerfile() -> list[tuple[str, str]]:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    return [tuple(line.split(None, 1)) for line in lines
            if line.strip() and not line.startswith("#")]


def test_docker_image_runs_the_readme_commands_as_a_non_root_user():
    install_and_serve, _ = _readme_commands()
    install, serve = (part.strip() for part in install_and_serve.split("&&"))
    steps = _dockerfile()
    runs = [arg for op, arg in steps if op == "RUN"]
    assert install in runs
    cmd = next(arg for op, arg in steps if op == "CMD")
    assert " ".join(yaml.safe_load(cmd)) == serve == "python app.py"
    users = [arg for op, arg in steps if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert ("EXPOSE", "7860") in steps
    assert any(op == "ARG" and arg.startswith("BASE_IMAGE=") for op, arg in steps)
    assert any("GRADIO_SERVER_NAME=0.0.0.0" in arg for op, arg in steps if op == "ENV")
    copied = {shlex.split(arg)[-2] for op, arg in steps
              if op == "COPY" and "requirements" not in arg}
    assert set(deploy.load_config().bundle) <= copied | {"app.py", "spaces.yaml"}


def test_compose_runs_replicas_behind_the_bundled_balancer():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["lab"]
    assert service["build"] == "."
    assert "REPLICAS" in str(service["deploy"]["replicas"])
    assert service["expose"] == ["7860"]
    assert "ports" not in service  # students reach the replicas only through the balancer
    balancer = compose["services"]["balancer"]
    image, version = balancer["image"].split(":")
    assert image == "haproxy" and re.fullmatch(r"\d+\.\d+\.\d+", version)  # pinned
    assert balancer["volumes"] == ["./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro"]
    assert [p.rsplit(":", 1)[1] for p in balancer["ports"]] == ["7860"]
    assert set(balancer["networks"]) == set(service["networks"])


def test_the_balancer_configuration_is_the_one_lab_balancer_writes():
    from lab.balancer import haproxy_config

    written = (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    assert written == haproxy_config(), "run: python -m lab.balancer > deploy/haproxy.cfg"
    assert "server-template lab 1-" in written and " lab:7860 " in written  # compose's service
