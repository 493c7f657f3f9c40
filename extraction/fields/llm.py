"""Optional LLM field mapping: fill gaps in the offline result, never override it.

Off by default (``LLMConfig.enabled``); when off, :func:`refine_with_llm` returns
the document unchanged and never imports ``openai``. When on, one request per
document goes to an OpenAI-compatible server (a hosted API or a local model):

1. The text is redacted if ``config.redact`` (IBANs, e-mails, phones become
   placeholders); the vendor IBAN is then not requested, as the model cannot see it.
2. A cached reply for the same content, model and prompt version is reused.
3. Otherwise the monthly token cap is checked, the model is asked, and the
   tokens are recorded in the :class:`UsageLedger`.
4. The answer is checked (types, shapes, instruction-like text, sanity guards)
   and merged: it fills missing fields (``method=llm``, confidence <= 0.6) and
   confirms agreeing ones; disagreements become flags, never replacements.

Flags it may add (all with an UPPER_SNAKE code and a human reason):

- ``LLM_USAGE`` (info): tokens this document cost, or "cached".
- ``LLM_DISAGREES`` (warning; info against XML): both values in the reason.
- ``LLM_VALUE_REJECTED`` (info; warning when instruction-like): value and why.
- ``LLM_CAP_REACHED`` (info): the monthly cap would be exceeded, no call made.
- ``LLM_UNAVAILABLE`` (info): connection refused, timeout, HTTP error.
- ``LLM_BAD_RESPONSE`` (warning): the answer was not a usable JSON object.

It never raises: any failure returns the offline document plus one flag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from extraction.config import LLMConfig
from extraction.llm import guards
from extraction.llm.cache import ReplyCache
from extraction.llm.cache import cache_key
from extraction.llm.coerce import Rejection
from extraction.llm.coerce import coerce_all
from extraction.llm.coerce import parse_object
from extraction.llm.ledger import UsageLedger
from extraction.llm.merge import merge
from extraction.llm.redact import redact
from extraction.llm.schema import PROMPT_VERSION
from extraction.llm.schema import build_schema
from extraction.llm.schema import estimate_tokens
from extraction.llm.types import FieldMapper
from extraction.llm.types import FieldSchema
from extraction.llm.types import LLMBadResponse
from extraction.llm.types import LLMUnavailable
from extraction.llm.types import MapperReply
from extraction.models import ExtractedDocument
from extraction.models import Flag
from extraction.models import Severity

__all__ = ["FieldMapper", "FieldSchema", "MapperReply", "UsageLedger", "refine_with_llm"]


def refine_with_llm(
    doc: ExtractedDocument,
    *,
    text: str,
    page_images: Sequence[bytes] = (),
    config: LLMConfig,
    usage: UsageLedger | None = None,
    mapper: FieldMapper | None = None,
) -> ExtractedDocument:
    """Return ``doc`` with fields filled or confirmed by an LLM, if one is enabled.

    Args:
        doc: the offline result (XML, text layer or OCR), returned unchanged when off.
        text: the document text the offline reader saw (unredacted; redaction is ours).
        page_images: PNG bytes of the first pages, sent only when ``config.vision``.
        config: the LLM settings.
        usage: the token ledger to charge; default: ``llm-usage.json`` in
            ``config.cache_dir`` (in memory when there is none).
        mapper: the model backend; default: the OpenAI-compatible client of ``config``.

    Returns:
        A new document (or ``doc`` itself when off or nothing to send). Never raises.
    """
    if not config.enabled or not (text.strip() or (config.vision and page_images)):
        return doc
    try:
        return _refine(doc, text, page_images, config, usage, mapper)
    except Exception as exc:  # the LLM is optional: it must never sink a document
        return _flagged(doc, Flag("LLM_BAD_RESPONSE", _failure(exc), Severity.WARNING))


def _refine(
    doc: ExtractedDocument,
    text: str,
    page_images: Sequence[bytes],
    config: LLMConfig,
    usage: UsageLedger | None,
    mapper: FieldMapper | None,
) -> ExtractedDocument:
    images = tuple(page_images) if config.vision else ()
    sent = redact(text) if config.redact else text
    schema = build_schema(include_iban=not config.redact)
    key = cache_key(
        doc.sha256, config.model, PROMPT_VERSION, cache_key(sent), f"{config.redact}/{len(images)}"
    )
    cache = ReplyCache(config.cache_dir) if config.cache_dir else None
    reply = cache.get(key) if cache else None
    if reply is not None:
        return _apply(doc, reply, schema, text, config, cached=True)
    ledger = usage if usage is not None else UsageLedger.in_dir(config.cache_dir)
    if not ledger.allows(estimate_tokens(sent, images), config.monthly_token_cap):
        reason = f"monthly LLM token cap {config.monthly_token_cap} reached ({ledger.used()} used)"
        return _flagged(doc, Flag("LLM_CAP_REACHED", reason, Severity.INFO))
    try:
        reply = (mapper or _openai_mapper(config)).map_fields(sent, schema, images)
    except LLMUnavailable as exc:
        return _flagged(doc, Flag("LLM_UNAVAILABLE", _failure(exc), Severity.INFO))
    except LLMBadResponse as exc:
        return _flagged(doc, Flag("LLM_BAD_RESPONSE", _failure(exc), Severity.WARNING))
    ledger.add(reply.total_tokens)
    refined = _apply(doc, reply, schema, text, config, cached=False)
    if cache and not any(f.code == "LLM_BAD_RESPONSE" for f in refined.flags[len(doc.flags) :]):
        cache.put(key, reply)
    return refined


def _openai_mapper(config: LLMConfig) -> FieldMapper:
    # Imported here so a disabled LLM never loads the SDK.
    from extraction.llm.openai_mapper import OpenAIFieldMapper

    return OpenAIFieldMapper(config)


def _apply(
    doc: ExtractedDocument,
    reply: MapperReply,
    schema: FieldSchema,
    text: str,
    config: LLMConfig,
    *,
    cached: bool,
) -> ExtractedDocument:
    cost = _usage_flag(reply, config, cached=cached)
    try:
        raw = parse_object(reply.content)
    except LLMBadResponse as exc:
        return _flagged(doc, cost, Flag("LLM_BAD_RESPONSE", _failure(exc), Severity.WARNING))
    values, rejections = coerce_all(raw, schema.keys)
    values, more = guards.check(values, doc, text)
    rejections += more
    fields, flags = merge(doc, values, rejected=len(rejections))
    flags += [_rejected(r) for r in rejections]
    return replace(doc, fields=fields, flags=(*doc.flags, *flags, cost))


def _usage_flag(reply: MapperReply, config: LLMConfig, *, cached: bool) -> Flag:
    if cached:
        reason = f"LLM {config.model}: cached answer reused, no new tokens"
    else:
        estimated = " (estimated)" if reply.estimated else ""
        reason = (
            f"LLM {config.model}: {reply.total_tokens} tokens{estimated} "
            f"({reply.prompt_tokens} prompt + {reply.completion_tokens} completion)"
        )
    return Flag("LLM_USAGE", reason, Severity.INFO)


def _rejected(rejection: Rejection) -> Flag:
    severity = Severity.WARNING if rejection.hostile else Severity.INFO
    reason = f"{rejection.key}: LLM value {rejection.raw!r} rejected, {rejection.reason}"
    return Flag("LLM_VALUE_REJECTED", reason, severity, rejection.key)


def _flagged(doc: ExtractedDocument, *flags: Flag) -> ExtractedDocument:
    return replace(doc, flags=(*doc.flags, *flags))


def _failure(exc: BaseException) -> str:
    return f"LLM not used, offline result kept: {exc}"[:300]
