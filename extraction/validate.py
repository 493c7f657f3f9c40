"""Checks across extracted values: arithmetic, checksums, dates, currency -> flags."""

from __future__ import annotations

from extraction.models import FieldValue
from extraction.models import Flag
from extraction.models import LineItem
from extraction.models import TaxLine


def validate(
    fields: dict[str, FieldValue],
    line_items: tuple[LineItem, ...] = (),
    tax_lines: tuple[TaxLine, ...] = (),
) -> list[Flag]:
    """Return every problem found in one document's values (empty when clean)."""
    raise NotImplementedError
