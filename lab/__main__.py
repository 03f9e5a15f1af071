"""``python -m lab serve`` serves the lab; ``python -m lab prefetch`` fills the weight caches."""

from __future__ import annotations

import sys

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


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "prefetch":
        return prefetch(args.models)
    from lab.app import serve

    serve(settings_from(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
