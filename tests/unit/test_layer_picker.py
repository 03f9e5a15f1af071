"""A model whose weights are missing: the offline model is used, and the warning says so in
the page's language."""

from __future__ import annotations

import pytest

from lab import EXAMPLE_IMAGES_DIR
from tabs.common.context import TabContext
from tabs.common.examples import ExampleImages
from tabs.common.layer_picker import load_model


@pytest.mark.parametrize("lang, words", [("de", "stattdessen siehst du Tiny"),
                                         ("en", "showing Tiny instead")])
def test_the_fallback_warning_speaks_the_page_language(manager, lang, words):
    ctx = TabContext(models=manager, lang="en", examples=ExampleImages(EXAMPLE_IMAGES_DIR))
    with pytest.warns(UserWarning, match=words) as warned:
        loaded = load_model(ctx, "seedmodel", lang)
    assert loaded.name == "tiny" and "missing.pth" in str(warned[0].message)
    with pytest.warns(UserWarning, match="showing Tiny instead"):  # the lab's language
        load_model(ctx, "seedmodel", ctx.lang)
