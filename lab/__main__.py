"""``python -m lab serve`` serves the lab; ``prefetch`` fills the weight caches; ``deploy``
writes or uploads a Hugging Face Space; ``worksheet check`` checks worksheet files."""

from __future__ import annotations

import sys
from pathlib import Path

from lab.settings import parser, settings_from


def prefetch(names: list[str]) -> int:
    """Load every named model once (downloading its weights); 0 when all succeeded."""
    from core.models import ModelManager
    from core.models.weights import WeightsUnavailableError

    manager = ModelManager(device="cpu")
    failures = 0
    for name in names or list(manager.specs):
        try:
            manager.spec(name)
            manager.get(name)
            print(f"ok       {name}")
        except (WeightsUnavailableError, ValueError) as error:
            failures += 1
            print(f"missing  {name}: {error}")
    return 1 if failures else 0


def deploy(dry_run: str | None, space: str | None, hardware: str | None) -> int:
    """Write the Space folder (``dry_run``) or upload it (``space``); 0 on success."""
    from lab import deploy as space_deploy

    try:
        if dry_run:
            written = space_deploy.write_bundle(Path(dry_run), hardware=hardware)
            print(f"wrote {len(written)} entries into {dry_run}: "
                  + ", ".join(p.name for p in written))
        elif space:
            print(f"deployed: {space_deploy.upload(space, hardware=hardware)}")
    except ValueError as error:
        print(f"not deployed: {error}")
        return 1
    return 0


def check_worksheets(files: list[str]) -> int:
    """Print each file's problems as ``FILE:LINE: sentence`` (or that it is fine); 1 when any
    file has a problem. The tabs are built (no model is loaded) to know their link keys."""
    from core.models import ModelManager
    from lab.app import build_lab
    from lab.settings import Settings
    from lab.worksheets import check_file, vocabulary

    lab = build_lab(Settings(offline=True, device="cpu", warm_up=False),
                    ModelManager(device="cpu", offline=True))
    words = vocabulary(lab.forms)
    failed = 0
    for name in files:
        worksheet, problems = check_file(Path(name), words)
        for problem in problems:
            print(f"{name}:{problem.line}: {problem.en}")
        if problems or worksheet is None:
            failed += 1
        else:
            print(f"{name}: ok, {len(worksheet.steps)} steps")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "prefetch":
        return prefetch(args.models)
    if args.command == "worksheet":
        return check_worksheets(args.files)
    if args.command == "deploy":
        return deploy(args.dry_run, args.space, args.hardware)
    from lab.app import serve

    serve(settings_from(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
