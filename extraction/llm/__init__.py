"""Optional LLM field mapping, the machinery behind :func:`extraction.fields.llm.refine_with_llm`.

The LLM is off by default and never trusted: it only proposes values, and every
proposal passes through the same checks whatever the backend.

Modules, in the order a document flows through them:

- ``redact``: IBANs, e-mail addresses and phone numbers become placeholders.
- ``schema``: the fields we ask for, the strict JSON schema and the prompt.
- ``cache`` and ``ledger``: a reply per content hash on disk; tokens per month.
- ``openai_mapper``: the one adapter that talks to a server (imports ``openai``).
- ``coerce``: untrusted JSON -> typed values (Decimal, date, capped strings).
- ``guards``: the classic mistakes (VAT rate as total, "2,34" read as 234, ...).
- ``merge``: fill missing fields, confirm agreeing ones, flag disagreements.

Exceptions (all caught by ``refine_with_llm``, which never raises)::

    LLMError
     +-- LLMUnavailable   no answer: connection refused, timeout, HTTP error
     +-- LLMBadResponse   an answer we cannot use: not JSON, not an object, empty
"""
