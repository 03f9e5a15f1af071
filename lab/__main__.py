"""``python -m lab serve`` serves the lab; ``prefetch`` fills the weight caches; ``deploy``
writes or uploads a Hugging Face Space."""

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


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "prefetch":
        return prefetch(args.models)
    if args.command == "deploy":
        return deploy(args.dry_run, args.space, args.hardware)
    from lab.app import serve

    serve(settings_from(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
