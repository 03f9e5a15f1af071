"""Every value the interface accepts is accepted through the API, even from a client whose
session never filled the dropdowns (their choices are per browser session)."""

from __future__ import annotations

import pytest
from gradio_client import Client


@pytest.fixture
def fresh(lab_url):
    return Client(lab_url, verbose=False)


def test_a_layer_name_is_accepted_without_listing_the_layers_first(fresh):
    image, text, _ = fresh.predict("both.png", None, "efficientnet_lite0", 243, "blocks.6", 4,
                                   "black", 0.5, "jet", api_name="/attribution_compare")
    assert image and "Grad-CAM" in text


def test_an_unknown_layer_gets_a_sentence_from_core(fresh):
    with pytest.raises(Exception, match="has no layer 'blocks.99'"):
        fresh.predict("both.png", None, "efficientnet_lite0", 243, "blocks.99", 4, "black", 0.5,
                      "jet", api_name="/attribution_compare")
