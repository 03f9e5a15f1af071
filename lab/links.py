"""Links to a view: the state a student would share lives in the page's address.

``?tab=attribution&image=both.png&layer=blocks.6&target=281`` opens the Attribution tab with
that example, layer and class. Each tab's ``build`` returns its link fields (address key →
component). On page load the shell sets those components from the address before the tab's
first view runs, and once more after the setup steps that pick defaults (a model's default
layer, the top class), so the view computed is the linked one. The "copy link" button builds
the address in the browser from the current values: nothing is stored on the server, so a
link outlives restarts and cache clean-ups (unlike Gradio's ``DeepLinkButton``). Uploaded
images are private and never part of a link; the example image is.

Values are only placed into components here; whatever a run does with them is checked in
``core`` like any typed value, so a hand-edited link gets the same sentences as the form.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Callable, Mapping

import gradio as gr

from tabs.common.i18n import Texts

#: Address keys a view may carry ("filter": the one compared, "filters": the ones run).
KEYS = ("image", "model", "block", "layer", "method", "target", "filter", "filters", "feature",
        "text")
#: Keys the link keeps from the page's own address.
KEPT = ("lang", "embed")
#: Longest text taken from an address (twenty descriptions fit easily).
MAX_TEXT = 2000

LinkFields = Mapping[str, gr.components.Component]

TEXTS = Texts("links", en={
    "copy": "Copy link to this view",
    "link": "Link to this view",
    "info": "Example image, model, layer, method, class, feature and descriptions are in the "
            "link; uploaded images are not.",
}, de={
    "copy": "Link zu dieser Ansicht kopieren",
    "link": "Link zu dieser Ansicht",
    "info": "Beispielbild, Modell, Schicht, Methode, Klasse, Merkmal und Beschreibungen "
            "stehen im Link; hochgeladene Bilder nicht.",
})


def _choice_values(component: gr.components.Component) -> list:
    return [choice[1] if isinstance(choice, (tuple, list)) else choice
            for choice in getattr(component, "choices", None) or []]


def parse(component: gr.components.Component, raw: str):
    """The value ``raw`` (from an address) gives ``component``, or ``gr.skip()`` when it
    cannot be one (a word in a number field, a choice the component does not offer)."""
    if isinstance(component, gr.Number):
        try:
            number = float(raw)
        except ValueError:
            return gr.skip()
        if not math.isfinite(number):
            return gr.skip()
        if component.precision == 0:
            return int(number) if number.is_integer() else gr.skip()
        return number
    if isinstance(component, gr.CheckboxGroup):
        offered = [str(value) for value in _choice_values(component)]
        chosen = [value for value in raw.split(",") if value in offered]
        return chosen or gr.skip()
    if isinstance(component, (gr.Dropdown, gr.Radio)):
        # Choices filled per session (layers) are empty here: the run checks those values.
        custom = getattr(component, "allow_custom_value", False)
        values = [str(value) for value in _choice_values(component)]
        return raw[:MAX_TEXT] if custom or not values or raw in values else gr.skip()
    return raw[:MAX_TEXT]


def restorer(slug: str, fields: LinkFields) -> Callable:
    """A load handler that returns the linked values for ``fields`` (``gr.skip()`` for the
    others); only a link to this tab (``?tab=`` or ``?embed=`` naming it) sets anything."""
    components = list(fields.items())

    def restore(request: gr.Request):
        params = request.query_params if request is not None else {}
        linked = slug in (params.get("tab"), params.get("embed"))
        values = [parse(component, params[key]) if linked and params.get(key) else gr.skip()
                  for key, component in components]
        return values[0] if len(values) == 1 else tuple(values)

    return restore


def copy_script(slug: str, fields: LinkFields) -> str:
    """The browser function behind "copy link": the current values → an address, put on the
    clipboard where the browser allows it and returned for the link box."""
    keys = json.dumps(list(fields))
    kept = json.dumps(list(KEPT))
    return f"""(...values) => {{
  const url = new URL(window.location.href);
  const query = new URLSearchParams();
  for (const key of {kept}) {{
    const value = url.searchParams.get(key);
    if (value) query.set(key, value);
  }}
  query.set("tab", {json.dumps(slug)});
  {keys}.forEach((key, i) => {{
    let value = values[i];
    if (value === null || value === undefined || value === "") return;
    if (Array.isArray(value)) value = value.join(",");
    query.set(key, String(value));
  }});
  url.search = query.toString();
  url.hash = "";
  const link = url.toString();
  if (navigator.clipboard) navigator.clipboard.writeText(link).catch(() => {{}});
  return link;
}}"""


@dataclass(frozen=True)
class CopyLink:
    """The "copy link" button and the box that shows the link, above a tab's controls."""

    slug: str
    button: gr.Button
    box: gr.Textbox

    @classmethod
    def create(cls, slug: str) -> "CopyLink":
        """Place the row in the current layout block (wired once the tab exists)."""
        with gr.Row(equal_height=True):
            button = gr.Button(TEXTS.label("copy"), size="sm", scale=0, min_width=260,
                               elem_id=f"link-{slug}-copy")
            box = gr.Textbox(show_label=False, placeholder=TEXTS.label("info"),
                             interactive=False, buttons=["copy"], scale=4, container=False,
                             elem_id=f"link-{slug}")
        return cls(slug, button, box)

    def wire(self, fields: LinkFields) -> None:
        """Build the link from ``fields`` when the button is clicked (in the browser)."""
        unknown = set(fields) - set(KEYS)
        if unknown:
            raise ValueError(f"Tab {self.slug} has link fields with unknown keys: {sorted(unknown)}")
        self.button.click(None, list(fields.values()), self.box,
                          js=copy_script(self.slug, fields), api_visibility="private")
