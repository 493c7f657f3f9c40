"""Each package's public API is its ``__all__``: sorted, and every name really exported."""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["extraction", "matching", "review_api", "storage"])
def test_all_is_sorted_and_complete(package: str) -> None:
    module = importlib.import_module(package)
    names = list(module.__all__)
    assert names == sorted(names)
    assert all(hasattr(module, name) for name in names)
    assert module.__doc__ and len(module.__doc__) > 40
