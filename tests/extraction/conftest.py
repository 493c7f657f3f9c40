"""Fixtures shared by the extraction tests."""

from __future__ import annotations

import pytest

from extraction.text import ocr


@pytest.fixture
def _tesseract() -> None:
    """Skip the test on a machine without tesseract (CI installs it)."""
    if not ocr.is_available():
        pytest.skip("tesseract is not installed")
