"""The "copy link" button of every tab: it builds the address of the current view in the
browser from the current values, so nothing is stored on the server and a link outlives
restarts and cache clean-ups (unlike Gradio's ``DeepLinkButton``). Uploaded images are private
and never part of a link; the example image is. Which keys a tab's link carries, and how a
link is opened, is in :mod:`tabs.common.links`."""

from __future__ import annotations

import json
from dataclasses import dataclass

import gradio as gr

from tabs.common.i18n import Texts
from tabs.common.links import KEPT, KEYS, LinkFields

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
    def create(cls, slug: str) -> CopyLink:
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
            raise ValueError(f"Tab {self.slug} has link fields with unknown keys: "
                             f"{sorted(unknown)}")
        self.button.click(None, list(fields.values()), self.box,
                          js=copy_script(self.slug, fields), api_visibility="private")
