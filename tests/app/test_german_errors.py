"""A student whose browser speaks German gets the lab's refusals in German, one in English
gets them in English, from the same lab at the same time."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("language, sentence, out_of_range", [
    ("de-DE,de;q=0.9", "Kein Klassenname enthält 'zzqx'", "Der Klassenindex 4000 liegt außerhalb"),
    ("en-US,en;q=0.9", "No class name contains 'zzqx'", "Class index 4000 is out of range"),
])
def test_refusals_come_in_the_browser_language(lab_url, language, sentence, out_of_range):
    from gradio_client import Client

    student = Client(lab_url, verbose=False, headers={"Accept-Language": language})
    with pytest.raises(Exception, match=sentence):
        student.predict("efficientnet_lite0", "zzqx", api_name="/attribution_find_class")
    with pytest.raises(Exception, match=out_of_range):
        student.predict("coffee.png", None, "efficientnet_lite0", 4000, "blocks.6", 8, "black",
                        0.5, "jet", 32, 16, api_name="/attribution_compare")
