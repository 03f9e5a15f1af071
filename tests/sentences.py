"""Helpers for tests of the sentences students get: the error a call raises, and its German."""

from __future__ import annotations

import pytest

from core.checks import InputError


def raised(call, *args, **kwargs) -> InputError:
    """The :class:`InputError` that ``call(*args, **kwargs)`` raises (fails if none)."""
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return caught.value


def german(error: InputError, *words: str) -> str:
    """The German sentence, checked to differ from the English and to contain ``words``."""
    sentence = error.in_language("de")
    assert sentence != str(error)
    for word in words:
        assert word in sentence, (word, sentence)
    return sentence
