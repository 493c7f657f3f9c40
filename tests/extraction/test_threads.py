"""Extraction is safe to run from several worker threads at once (pdfium is not, on its own)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import extraction

FILES = sorted((Path(__file__).parents[1] / "corpus" / "facturx-pdf-visible").glob("*.pdf"))


def _read(path: Path) -> dict[str, object]:
    [doc] = extraction.extract(path.read_bytes(), path.name, extraction.ExtractionConfig())
    return doc.field_values()


def test_parallel_extraction_gives_the_sequential_results() -> None:
    assert len(FILES) >= 4
    expected = [_read(p) for p in FILES]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            assert list(pool.map(_read, FILES)) == expected
