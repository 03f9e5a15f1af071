"""The Activations tab's words: labels for the browser, sentences the handlers write."""

from __future__ import annotations

from tabs.common.i18n import Texts

T = Texts("activations", en={
    # labels
    "count": "Feature maps to show",
    "count_all": "all",
    "order": "Order",
    "order_index": "channel index",
    "order_mean": "mean activation",
    "scale": "Colour scale",
    "scale_shared": "shared",
    "scale_per_map": "per map",
    "run": "Show activations",
    "predictions": "Top-5 predictions",
    "grid": "Feature maps (click one)",
    "channel": "Channel",
    "opacity": "Opacity",
    "large": "Selected map over the image",
    # sentences
    "by_index": "channel index",
    "by_mean": "mean activation",
    "unknown_option": "Unknown display option; use the choices offered in the tab.",
    "summary": "**{layer}** ({kind}) outputs **{c} feature maps of {h}×{w}** (channels × "
               "height × width = {c}×{h}×{w}). Showing {shown}, ordered by {order}; "
               "colour scale {scale}",
    "range": " from {low:.3g} to {high:.3g}",
    "click": ". Click a map to see it large over the image.",
    "caption": "Channel {channel} of {layer}: mean {mean:.3g}, max {high:.3g} (yellow = "
               "strong response, see the colour bar)",
    "grid_words": "Feature maps of {layer}",
    "large_words": "Channel {channel} of {layer} over the image",
}, de={
    "count": "Angezeigte Feature-Maps",
    "count_all": "alle",
    "order": "Reihenfolge",
    "order_index": "Kanalindex",
    "order_mean": "mittlere Aktivierung",
    "scale": "Farbskala",
    "scale_shared": "gemeinsam",
    "scale_per_map": "pro Karte",
    "run": "Aktivierungen zeigen",
    "predictions": "Top-5-Vorhersagen",
    "grid": "Feature-Maps (klicke eine an)",
    "channel": "Kanal",
    "opacity": "Deckkraft",
    "large": "Gewählte Karte über dem Bild",
    "by_index": "Kanalindex",
    "by_mean": "mittlerer Aktivierung",
    "unknown_option": "Unbekannte Anzeigeoption; nimm eine der Möglichkeiten im Tab.",
    "summary": "**{layer}** ({kind}) gibt **{c} Feature-Maps mit {h}×{w}** aus (Kanäle × Höhe "
               "× Breite = {c}×{h}×{w}). Zu sehen sind {shown}, sortiert nach {order}; "
               "Farbskala {scale}",
    "range": " von {low:.3g} bis {high:.3g}",
    "click": ". Klicke eine Karte an, um sie groß über dem Bild zu sehen.",
    "caption": "Kanal {channel} von {layer}: Mittel {mean:.3g}, Maximum {high:.3g} (gelb = "
               "starke Reaktion, siehe Farbleiste)",
    "grid_words": "Feature-Maps von {layer}",
    "large_words": "Kanal {channel} von {layer} über dem Bild",
})
