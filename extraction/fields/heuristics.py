"""Template-free field extraction: labels, layout, arithmetic and checksums -> FieldValues.

Every rule proposes candidates with a score and a reason; the best candidate
per field wins, and its confidence is calibrated by what corroborates it:

- >= 0.95 only when something independent agrees: net + tax = total closes,
  a checksum is valid, or a strong label is unique and unambiguous;
- 0.8-0.9 for a strong label alone, 0.5-0.7 for weak labels and fallbacks;
- OCR values are scaled by the words' own tesseract confidence.

A field nobody can support is omitted, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from datetime import date

from extraction.fields import context
from extraction.fields import dates
from extraction.fields import ids
from extraction.fields import lines
from extraction.fields import parties
from extraction.fields import receipts
from extraction.fields import terms
from extraction.fields import totals
from extraction.fields.candidates import Candidate
from extraction.fields.candidates import best
from extraction.fields.candidates import labelled
from extraction.fields.candidates import to_field
from extraction.fields.context import Context
from extraction.models import FieldValue
from extraction.models import LineItem
from extraction.models import Method
from extraction.models import Value
from extraction.text import Page

#: Confidence of an IBAN whose OCR look-alikes its checksum restored.
RESTORED_IBAN = 0.85


@dataclass(frozen=True)
class Result:
    """What the heuristics found in one document."""

    fields: dict[str, FieldValue]
    line_items: tuple[LineItem, ...]
    language: str
    text: str


def extract(pages: Sequence[Page], *, month_first_hint: bool = False) -> Result:
    """Return the fields found in ``pages`` (text layer or OCR words).

    Args:
        pages: the document's pages, each with positioned words.
        month_first_hint: the caller knows the document is American-style
            (e.g. an e-mail from a US sender); numeric dates read month-first.

    Returns:
        Fields with provenance and confidence; unknown fields are absent.
    """
    ctx = context.build(pages, month_first_hint=month_first_hint)
    fields: dict[str, FieldValue] = {}
    _put(fields, "invoice_number", _invoice_number(ctx))
    _put(fields, "po_number", _po_number(ctx, fields))
    _put(fields, "invoice_date", _date_field(ctx, "invoice_date"))
    _put(fields, "due_date", _date_field(ctx, "due_date"))
    fields.update(totals.amount_fields(ctx))
    _put(fields, "currency", totals.currency(ctx))
    _put(fields, "vendor_vat_id", _vat_id(ctx))
    _put(fields, "vendor_iban", _iban(ctx))
    _put(fields, "vendor_bic", _bic(ctx))
    fields.update(parties.party_fields(ctx, fields))
    _fallback_invoice_date(ctx, fields)
    _put(fields, "due_date", fields.get("due_date") or terms.due_from_debit(ctx))
    _due_from_terms(ctx, fields)
    fields.update(receipts.receipt_fields(ctx, fields))
    items = lines.line_items(ctx)
    return Result(fields=fields, line_items=items, language=ctx.language, text=ctx.text)


def _put(fields: dict[str, FieldValue], key: str, value: FieldValue | None) -> None:
    if value is not None:
        fields[key] = value


def _calibrated(cands: list[Candidate], ctx: Context, *, high: float = 0.95) -> FieldValue | None:
    chosen = best(cands)
    if chosen is None:
        return None
    top, agree, rival = chosen
    if rival:
        return to_field(top, 0.5 * top.score, ctx, "; another label gives a different value")
    # A weak label on the title line ("Rechnung Nr. 4711 vom ...") scores 0.9: the title
    # word makes it as good as a strong label printed apart from the title.
    confidence = 0.9 if top.score >= 0.99 else 0.85 * min(1.0, top.score / 0.9)
    extra = ""
    if agree >= 2 and top.score >= 0.99:
        confidence, extra = high, f"; printed {agree} times"
    return to_field(top, confidence * context.place_factor(top.place, ctx.method), ctx, extra)


def _invoice_number(ctx: Context) -> FieldValue | None:
    cands = labelled(ctx, "invoice_number", ids.document_number)
    cands = [c for c in cands if not _is_other_id(str(c.value))]
    strong = [c for c in cands if c.score >= 0.99]
    field = _calibrated(strong or cands, ctx)
    if field is not None and " " in str(field.value):
        # A prefix printed apart was joined to the number: the reading is a reconstruction.
        return replace(
            field, confidence=min(field.confidence, 0.75), reason=field.reason + "; pieces joined"
        )
    if field is not None and strong and field.confidence < 0.95 and _unique_strong(strong):
        return FieldValue(
            field.value,
            0.95,
            field.method,
            field.reason + "; strong label, one value",
            field.page,
            field.bbox,
        )
    return field


def _unique_strong(strong: list[Candidate]) -> bool:
    return len({c.value for c in strong}) == 1 and strong[0].place.where in ("after", "right of")


def _is_other_id(value: str) -> bool:
    # A VAT ID or IBAN right of a generic "No." label is not the document number.
    return bool(ids.vat_ids(value) or ids.ibans(value))


def _po_number(ctx: Context, fields: dict[str, FieldValue]) -> FieldValue | None:
    cands = labelled(ctx, "po_number", ids.document_number)
    number = fields.get("invoice_number")
    cands = [c for c in cands if number is None or c.value != number.value]
    field = _calibrated(cands, ctx, high=0.9)
    return field


def _date_parser(ctx: Context) -> Callable[[str], Value | None]:
    def parse(text: str) -> date | None:
        found = dates.find_dates(text[:40], day_first=ctx.day_first)
        if not found or not _filler(text[: found[0].start]):
            return None
        return found[0].value

    return parse


def _filler(prefix: str) -> bool:
    # "le 05 Juillet 2015", "am 04.04.2013", "on Jan 1": one short word may precede the date.
    prefix = prefix.strip()
    return len(prefix) <= 2 or (prefix.isalpha() and len(prefix) <= 3)


def _date_field(ctx: Context, name: str) -> FieldValue | None:
    cands = labelled(ctx, name, _date_parser(ctx))
    field = _calibrated(cands, ctx)
    if field is None:
        return None
    ambiguous = dates.find_dates(str(_place_text(cands, field)), day_first=ctx.day_first)
    if ambiguous and ambiguous[0].ambiguous and field.confidence > 0.9:
        # Day and month could swap; only the document's convention decided.
        return FieldValue(
            field.value,
            0.9,
            field.method,
            field.reason + "; day/month order by locale",
            field.page,
            field.bbox,
        )
    return field


def _place_text(cands: list[Candidate], field: FieldValue) -> str:
    for cand in cands:
        if cand.value == field.value:
            return cand.place.text
    return ""


def _fallback_invoice_date(ctx: Context, fields: dict[str, FieldValue]) -> None:
    # Receipts often print a bare date near the top: take the first one on page 1.
    if "invoice_date" in fields:
        return
    for line in ctx.lines:
        if line.page != ctx.lines[0].page:
            break
        for chunk in line.chunks:
            found = dates.find_dates(chunk.text, day_first=ctx.day_first)
            if found:
                conf = (0.6 if found[0].ambiguous else 0.75) * context.ocr_factor(chunk, ctx.method)
                place = context.Place(chunk.text, chunk, line, "unlabelled", 1.0)
                cand = Candidate(found[0].value, conf, "first date on page 1 (no label)", place)
                fields["invoice_date"] = to_field(cand, conf, ctx)
                return


def _due_from_terms(ctx: Context, fields: dict[str, FieldValue]) -> None:
    issued = fields.get("invoice_date")
    if issued is None or issued.confidence < 0.8 or not isinstance(issued.value, date):
        return
    computed = terms.due_from_terms(ctx, issued.value)
    printed = fields.get("due_date")
    if computed is None:
        return
    if printed is None:
        fields["due_date"] = computed
    elif printed.value == computed.value and printed.confidence < 0.95:
        # The printed date and the terms agree: two independent statements of one date.
        fields["due_date"] = replace(
            printed, confidence=0.95, reason=printed.reason + "; agrees with the payment terms"
        )


def _vat_id(ctx: Context) -> FieldValue | None:
    cands: list[Candidate] = []
    buyer_lines = parties.buyer_block(ctx)
    for position, line in enumerate(ctx.lines):
        if position in buyer_lines or parties.mentions_buyer(line.text):
            continue
        labelled_line = any(h.field == "vat_id" for h in ctx.hits[position])
        for chunk in line.chunks:
            for found in _vat_not_iban(chunk.text):
                score = (0.9 if found.valid else 0.55) + (0.07 if labelled_line else 0.0)
                place = context.Place(chunk.text, chunk, line, "on line", 1.0)
                why = "checksum valid" if found.valid else "checksum NOT valid"
                label = "labelled" if labelled_line else "unlabelled"
                cands.append(Candidate(found.value, score, f"{label} VAT ID, {why}", place))
    if not cands:
        return None
    top = max(cands, key=lambda c: (c.score, -ctx.lines.index(c.place.line)))
    distinct = {c.value for c in cands if c.score >= 0.9}
    conf = top.score if len(distinct) <= 1 else 0.6
    return to_field(top, conf * context.place_factor(top.place, ctx.method), ctx)


def _vat_not_iban(text: str) -> list[ids.FoundId]:
    # "DE08 7009 0100 ..." is an IBAN whose first digits also look like a VAT ID.
    spans = [(i.start, i.end) for i in ids.ibans(text)]
    return [v for v in ids.vat_ids(text) if not any(s < v.end and v.start < e for s, e in spans)]


def _iban(ctx: Context) -> FieldValue | None:
    cands: list[Candidate] = []
    buyer_lines = parties.buyer_block(ctx)
    for position, line in enumerate(ctx.lines):
        if (
            position in buyer_lines
            or parties.mentions_buyer(line.text)
            or parties.mentions_debit(line.text)
        ):
            continue
        for chunk in line.chunks:
            for found in ids.ibans(chunk.text):
                place = context.Place(chunk.text, chunk, line, "on line", 1.0)
                cands.append(Candidate(found.value, 0.97, "IBAN with valid checksum", place))
    if not cands:
        return _restored_iban(ctx) or _invalid_iban(ctx)
    distinct = {c.value for c in cands}
    conf = 0.97 if len(distinct) == 1 else 0.6
    return to_field(cands[0], conf * context.place_factor(cands[0].place, ctx.method), ctx)


def _restored_iban(ctx: Context) -> FieldValue | None:
    # Only an OCR reading after an "IBAN" label: the checksum restores look-alikes, but a
    # restored number stays below 0.95 (one wrong guess in 97 passes the check).
    for line in ctx.lines:
        if "IBAN" not in line.text.upper() or parties.mentions_debit(line.text):
            continue
        for chunk in line.chunks:
            if context.method_of(chunk, ctx.method) is not Method.OCR:
                continue
            for found in ids.ocr_ibans(chunk.text):
                place = context.Place(chunk.text, chunk, line, "on line", 1.0)
                why = "labelled IBAN, OCR look-alikes restored by its checksum"
                return to_field(
                    Candidate(found.value, RESTORED_IBAN, why, place), RESTORED_IBAN, ctx
                )
    return None


def _invalid_iban(ctx: Context) -> FieldValue | None:
    # Only right after an "IBAN" label: an unlabelled long number is not an account.
    for line in ctx.lines:
        if "IBAN" not in line.text.upper() or parties.mentions_debit(line.text):
            continue
        for chunk in line.chunks:
            for found in ids.iban_shaped(chunk.text):
                place = context.Place(chunk.text, chunk, line, "on line", 1.0)
                why = "labelled IBAN, checksum NOT valid"
                return to_field(Candidate(found.value, 0.4, why, place), 0.4, ctx)
    return None


def _bic(ctx: Context) -> FieldValue | None:
    for position, line in enumerate(ctx.lines):
        if (
            not any(h.label in ("bic", "swift") for h in ctx.hits[position])
            and "BIC" not in line.text
        ):
            continue
        for chunk in line.chunks:
            found = ids.bics(chunk.text)
            if found:
                place = context.Place(chunk.text, chunk, line, "on line", 1.0)
                return to_field(
                    Candidate(found[0].value, 0.9, "BIC next to label", place), 0.9, ctx
                )
    return None
