"""Checks across extracted values: arithmetic, checksums, dates, currency -> flags.

Each check is a small function returning flags; :func:`validate` runs them all.
Severities follow one rule: ERROR when the data is provably wrong or incomplete
(checksum failures, sums that do not add up, required fields missing), WARNING
when it is odd but may be right (dates, lines that allowances could explain),
INFO for facts a reviewer should see (a negative total).

Codes: REQUIRED_MISSING, ARITHMETIC_TOTAL, LINES_SUM, TAX_BREAKDOWN,
VAT_ID_INVALID, IBAN_INVALID, BIC_INVALID, DUE_BEFORE_ISSUE, DATE_IMPLAUSIBLE,
CURRENCY_UNKNOWN, NEGATIVE_TOTAL.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation
from functools import cache
from importlib import resources

from extraction.models import REQUIRED_FIELDS
from extraction.models import FieldValue
from extraction.models import Flag
from extraction.models import LineItem
from extraction.models import Severity
from extraction.models import TaxLine

#: One rounding step of a two-decimal currency.
CENT = Decimal("0.01")
EARLIEST_PLAUSIBLE = date(2000, 1, 1)
FUTURE_LIMIT = timedelta(days=366)
#: Non-EU countries whose VAT numbers carry their ISO prefix and that python-stdnum can check.
PREFIXED_VAT_COUNTRIES = frozenset({"ch", "gb", "is", "no"})

_ID_SEPARATORS = re.compile(r"[\s.\-/]+")
_COUNTRY_PREFIX = re.compile(r"^[A-Z]{2}")


def validate(
    fields: dict[str, FieldValue],
    line_items: tuple[LineItem, ...] = (),
    tax_lines: tuple[TaxLine, ...] = (),
    *,
    today: date | None = None,
    adjustment: Decimal | None = None,
) -> list[Flag]:
    """Return every problem found in one document's values (empty when clean).

    Args:
        fields: the extracted values by field key.
        line_items: the invoice lines, if read.
        tax_lines: the VAT breakdown, if read.
        today: the reference date for plausibility (defaults to today's local date).
        adjustment: document-level charges minus allowances when known (e-invoices
            state them); the lines must then sum to ``net - adjustment``.

    Returns:
        Flags in a stable order: required, arithmetic, identifiers, dates, currency.
    """
    reference = today or datetime.now(UTC).astimezone().date()
    return [
        *required_missing(fields),
        *arithmetic_total(fields),
        *lines_sum(fields, line_items, adjustment),
        *tax_breakdown(fields, tax_lines),
        *vat_id(fields),
        *iban(fields),
        *bic(fields),
        *dates(fields, reference),
        *currency(fields),
        *negative_total(fields),
    ]


def required_missing(fields: dict[str, FieldValue]) -> list[Flag]:
    """REQUIRED_MISSING (error) for each of REQUIRED_FIELDS that is absent or blank."""
    return [
        Flag("REQUIRED_MISSING", f"{key.replace('_', ' ')} was not found", Severity.ERROR, key)
        for key in REQUIRED_FIELDS
        if key not in fields or str(fields[key].value).strip() == ""
    ]


def arithmetic_total(fields: dict[str, FieldValue]) -> list[Flag]:
    """ARITHMETIC_TOTAL (error) when net + tax differs from the total by more than a cent."""
    net, tax, total = (amount(fields, k) for k in ("net_amount", "tax_amount", "total_amount"))
    if net is None or tax is None or total is None or abs(net + tax - total) <= CENT:
        return []
    reason = f"net {net} + tax {tax} = {net + tax}, but the total is {total}"
    return [Flag("ARITHMETIC_TOTAL", reason, Severity.ERROR, "total_amount")]


def lines_sum(
    fields: dict[str, FieldValue], line_items: tuple[LineItem, ...], adjustment: Decimal | None
) -> list[Flag]:
    """LINES_SUM when the line amounts (plus known charges/allowances) miss the net amount.

    With a known adjustment the figures are exact, so a gap is an error. Without
    one, unseen allowances or charges may explain the gap: a warning.
    """
    net = amount(fields, "net_amount")
    amounts = [line.amount for line in line_items]
    if net is None or not amounts or any(a is None for a in amounts):
        return []
    lines = sum((a for a in amounts if a is not None), Decimal(0))
    expected = lines + (adjustment or Decimal(0))
    if abs(expected - net) <= CENT:
        return []
    if adjustment is None:
        reason = f"the {len(amounts)} line amounts sum to {lines}, but the net amount is {net}"
        return [Flag("LINES_SUM", reason, Severity.WARNING, "net_amount")]
    reason = (
        f"lines {lines} with charges/allowances {adjustment} give {expected}, but the net is {net}"
    )
    return [Flag("LINES_SUM", reason, Severity.ERROR, "net_amount")]


def tax_breakdown(fields: dict[str, FieldValue], tax_lines: tuple[TaxLine, ...]) -> list[Flag]:
    """TAX_BREAKDOWN (error) when the VAT rows miss the tax total or a row's rate x basis."""
    flags = [flag for row in tax_lines if (flag := _tax_row(row)) is not None]
    tax = amount(fields, "tax_amount")
    row_amounts = [row.amount for row in tax_lines]
    if tax is None or not row_amounts or any(a is None for a in row_amounts):
        return flags
    total = sum((a for a in row_amounts if a is not None), Decimal(0))
    if abs(total - tax) > CENT * len(row_amounts):
        reason = f"the VAT breakdown sums to {total}, but the tax amount is {tax}"
        flags.insert(0, Flag("TAX_BREAKDOWN", reason, Severity.ERROR, "tax_amount"))
    return flags


def _tax_row(row: TaxLine) -> Flag | None:
    """Return a flag when ``rate % of basis`` is more than a rounding away from the row's amount."""
    if row.rate is None or row.basis is None or row.amount is None:
        return None
    exact = row.basis * row.rate / 100
    expected = exact.quantize(CENT, rounding=ROUND_HALF_UP)
    # Some currencies (HUF, JPY, ...) are invoiced in whole units, so accept that rounding too.
    whole = exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if abs(expected - row.amount) <= CENT or whole == row.amount:
        return None
    reason = f"{row.rate}% of {row.basis} is {expected}, but the VAT row says {row.amount}"
    return Flag("TAX_BREAKDOWN", reason, Severity.ERROR, "tax_amount")


def vat_id(fields: dict[str, FieldValue]) -> list[Flag]:
    """VAT_ID_INVALID (error) when an EU (or GB/CH/NO/IS) VAT number fails its check digits.

    IDs without a country prefix, or from countries python-stdnum cannot check,
    are not flagged: they may well be right.
    """
    raw = text(fields, "vendor_vat_id")
    if raw is None:
        return []
    compact = _ID_SEPARATORS.sub("", raw).upper()
    checked = _check_vat(compact)
    if checked is None or checked:
        return []
    reason = f"VAT ID {raw} fails its country's format or check digits"
    return [Flag("VAT_ID_INVALID", reason, Severity.ERROR, "vendor_vat_id")]


def _check_vat(compact: str) -> bool | None:
    """Return whether a compacted VAT ID is valid, or None when we cannot tell."""
    from stdnum import get_cc_module
    from stdnum.eu import vat as eu_vat

    if not _COUNTRY_PREFIX.match(compact):
        return None
    country = compact[:2].lower()
    if country in eu_vat.MEMBER_STATES or country == "el":
        return bool(eu_vat.is_valid(compact))
    if country not in PREFIXED_VAT_COUNTRIES:
        return None
    module = get_cc_module(country, "vat")
    return module is not None and bool(module.is_valid(compact) or module.is_valid(compact[2:]))


def iban(fields: dict[str, FieldValue]) -> list[Flag]:
    """IBAN_INVALID (error) when schwifty rejects the IBAN (length, check digits, BBAN)."""
    raw = text(fields, "vendor_iban")
    if raw is None:
        return []
    from schwifty import IBAN

    try:
        IBAN(raw)
    except ValueError as exc:
        reason = f"IBAN {raw} is not valid: {exc}"
        return [Flag("IBAN_INVALID", reason, Severity.ERROR, "vendor_iban")]
    return []


def bic(fields: dict[str, FieldValue]) -> list[Flag]:
    """BIC_INVALID (error) when schwifty rejects the BIC's structure or country."""
    raw = text(fields, "vendor_bic")
    if raw is None:
        return []
    from schwifty import BIC

    try:
        BIC(raw)
    except ValueError as exc:
        return [Flag("BIC_INVALID", f"BIC {raw} is not valid: {exc}", Severity.ERROR, "vendor_bic")]
    return []


def dates(fields: dict[str, FieldValue], today: date) -> list[Flag]:
    """DUE_BEFORE_ISSUE and DATE_IMPLAUSIBLE (warnings)."""
    issued, due = day(fields, "invoice_date"), day(fields, "due_date")
    flags: list[Flag] = []
    if issued is not None and due is not None and due < issued:
        reason = f"due date {due.isoformat()} is before the invoice date {issued.isoformat()}"
        flags.append(Flag("DUE_BEFORE_ISSUE", reason, Severity.WARNING, "due_date"))
    if issued is not None and issued > today + FUTURE_LIMIT:
        reason = f"invoice date {issued.isoformat()} is more than a year in the future"
        flags.append(Flag("DATE_IMPLAUSIBLE", reason, Severity.WARNING, "invoice_date"))
    if issued is not None and issued < EARLIEST_PLAUSIBLE:
        reason = f"invoice date {issued.isoformat()} is before {EARLIEST_PLAUSIBLE.year}"
        flags.append(Flag("DATE_IMPLAUSIBLE", reason, Severity.WARNING, "invoice_date"))
    return flags


def currency(fields: dict[str, FieldValue]) -> list[Flag]:
    """CURRENCY_UNKNOWN (error) when the currency is not an ISO 4217 code."""
    raw = text(fields, "currency")
    if raw is None or raw.upper() in iso4217_codes():
        return []
    reason = f"currency {raw!r} is not an ISO 4217 code"
    return [Flag("CURRENCY_UNKNOWN", reason, Severity.ERROR, "currency")]


def negative_total(fields: dict[str, FieldValue]) -> list[Flag]:
    """NEGATIVE_TOTAL (info): money flows back to us, whatever the document calls itself."""
    total = amount(fields, "total_amount")
    if total is None or total >= 0:
        return []
    reason = f"the total {total} is negative: this is a credit, not a payment to make"
    return [Flag("NEGATIVE_TOTAL", reason, Severity.INFO, "total_amount")]


@cache
def iso4217_codes() -> frozenset[str]:
    """Return the ISO 4217 codes from ``extraction/data/iso4217.txt``."""
    path = resources.files("extraction").joinpath("data", "iso4217.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def amount(fields: dict[str, FieldValue], key: str) -> Decimal | None:
    """Return the field as a Decimal (numeric strings accepted), else None."""
    value = fields[key].value if key in fields else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def day(fields: dict[str, FieldValue], key: str) -> date | None:
    """Return the field as a date (ISO strings accepted), else None."""
    value = fields[key].value if key in fields else None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def text(fields: dict[str, FieldValue], key: str) -> str | None:
    """Return the field as stripped text, or None when absent or blank."""
    if key not in fields:
        return None
    value = str(fields[key].value).strip()
    return value or None
