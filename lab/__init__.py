"""XAI Lab: the application shell (settings, CLI, app assembly, lessons, assets)."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"
EXAMPLE_IMAGES_DIR = ASSETS_DIR / "images"
