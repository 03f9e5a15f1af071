"""What the page adds so that screen readers, keyboards and narrow screens can use the lab.

Gradio shows a result picture as ``<img alt="">`` inside a button, and sets a picture's
``alt`` only through a property update (which would make Gradio keep a new copy of the
component in the session's state on every run: ARCHITECTURE.md, rule 10). So the views write
what each picture shows into a caption (:func:`tabs.common.described.caption`: paragraphs
``<p data-for="ELEM_ID">``, visible to everyone), and
this script (``assets/accessibility.js``), placed in the page's head, copies each sentence
into the picture's ``alt`` and its button's ``aria-label``. Any other picture without a text
gets its field's label. Gradio's empty-output placeholders carry the label
``aria-label="Empty value"`` on an element without a role (axe: ``aria-prohibited-attr``);
they get the role of an image and a label in the page's language. Worth reporting upstream:
``gr.Image`` could take its ``alt`` with its value, and its placeholder should carry no
``aria-label`` without a role.

The style sheet gives every focusable element a visible focus ring (text and number fields
included), and a live region that is read but not shown: after a view's result arrives the
script says so in it (:mod:`tabs.common.announce`).

Keyboard workarounds in the script, for faults of Gradio 6.31 worth reporting upstream:

- ``gr.Radio`` names each option's ``<input>`` on its own (``radio-3``, ``radio-4``, …), so
  the options are no group: the arrow keys do not move the choice and each option is a Tab
  stop. The script gives a block's options one name.
- ``gr.Dropdown`` blurs its field after a choice (Enter or click), so the focus falls to
  ``<body>`` and the next Tab starts at the top of the page. The script focuses the field again
  and closes the list it opens on focus with an Escape.
- ``gr.Dropdown`` handles a Tab pressed in its field like a typed key: after the blur has
  closed the list, its (asynchronous) key handler opens it again, so the list stays open over
  the fields below while the focus has moved on. The script keeps Tab from Gradio's handlers.
- A dropdown's open option list (``role="listbox"``) scrolls, so Chromium makes it a Tab stop;
  it closes as it takes the focus, which again falls to ``<body>``. The script takes it out of
  the Tab order (``tabindex="-1"``).
"""

from __future__ import annotations

import json

from lab import ASSETS_DIR
from tabs.common.i18n import Texts

SCRIPT = ASSETS_DIR / "accessibility.js"

WORDS = Texts("accessibility", en={
    "empty": "No result yet",
    "picture": "Picture",
    "ready": "Result ready:",
    "sideways": "↔ Wide picture: swipe or scroll sideways to see all of it.",
}, de={
    "empty": "Noch kein Ergebnis",
    "picture": "Bild",
    "ready": "Ergebnis da:",
    "sideways": "↔ Breites Bild: zur Seite wischen oder scrollen, um alles zu sehen.",
})

GRADIO = Texts("gradio", en={
    "fullscreen": "Fullscreen", "reset": "Reset to default value", "upload": "File upload",
    "drop": "Click to upload or drop files", "more_tabs": "More tabs", "zoom_in": "Zoom in",
    "zoom_out": "Zoom out", "pan": "Pan", "redo": "Redo", "undo": "Undo", "brush": "Brush",
    "brush_size": "Brush Size", "erase": "Erase", "clear": "Clear canvas", "color": "Color",
    "runs": "View runs saved in this browser", "footer": "Gradio footer navigation",
    "complete": "common.complete",
}, de={
    "fullscreen": "Vollbild", "reset": "Auf den Standardwert zurücksetzen",
    "upload": "Datei hochladen", "drop": "Zum Hochladen klicken oder Dateien hierher ziehen",
    "more_tabs": "Weitere Tabs", "zoom_in": "Vergrößern", "zoom_out": "Verkleinern",
    "pan": "Verschieben", "redo": "Wiederholen", "undo": "Rückgängig", "brush": "Pinsel",
    "brush_size": "Pinselgröße", "erase": "Radieren", "clear": "Leinwand leeren",
    "color": "Farbe", "runs": "In diesem Browser gespeicherte Durchläufe",
    "footer": "Gradio-Fußzeile", "complete": "fertig",
})
"""Gradio's own English labels (attributes, and the key ``common.complete`` that its German
messages lack) with the German the page script puts in their place on a German page."""

STYLE = ASSETS_DIR / "accessibility.css"
CSS = STYLE.read_text(encoding="utf-8")
"""The page's style sheet: focus ring, narrow screens, 200 % zoom, an embedded tab (each rule
says why it is there)."""


def head_script() -> str:
    """The ``<script>`` for the page's head (see the module's docstring)."""
    words = {lang: {key: WORDS.text(key, lang) for key in WORDS.words["en"]}
             for lang in ("en", "de")}
    gradio = {GRADIO.text(key, "en"): GRADIO.text(key, "de") for key in GRADIO.words["en"]}
    script = SCRIPT.read_text(encoding="utf-8").replace("__WORDS__", json.dumps(words))
    return "<script>" + script.replace("__GRADIO_DE__", json.dumps(gradio)) + "</script>"
