"""The application shell: settings and command line, assembling the tabs into one app, the
model status line, lesson texts (``lessons/<lang>/<tab>.md``) and the bundled example images
(``assets/``).

May import ``tabs`` and ``core``; nothing below imports the shell.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"
EXAMPLE_IMAGES_DIR = ASSETS_DIR / "images"
