"""The seam between the refinement logic and whatever model answers.

A :class:`FieldMapper` returns the model's raw text and token counts; it does
not parse or validate, so that every backend's output is checked by the same
code (``coerce`` and ``guards``) and no adapter can be trusted by accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class LLMError(Exception):
    """The LLM could not help with this document."""


class LLMUnavailable(LLMError):
    """No usable answer from the server: connection refused, timeout or HTTP error."""


class LLMBadResponse(LLMError):
    """The server answered with something that is not a JSON object of fields."""


@dataclass(frozen=True)
class FieldSchema:
    """What to ask for: the field keys and the strict JSON schema describing them."""

    keys: tuple[str, ...]
    json_schema: dict[str, object]


@dataclass(frozen=True)
class MapperReply:
    """The model's raw answer and what it cost.

    Attributes:
        content: the message text, expected to hold one JSON object (untrusted).
        prompt_tokens: tokens the server billed for the request.
        completion_tokens: tokens the server billed for the answer.
        estimated: True when the server sent no usage and we estimated from lengths.
    """

    content: str
    prompt_tokens: int
    completion_tokens: int
    estimated: bool = False

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


class FieldMapper(Protocol):
    """Anything that maps document text (and page images) to raw field JSON."""

    def map_fields(self, text: str, schema: FieldSchema, images: Sequence[bytes]) -> MapperReply:
        """Ask the model for the fields of ``schema``.

        Args:
            text: the document text, already redacted if the config asks for it.
            schema: the fields to request.
            images: PNG page images to send (empty unless vision is on).

        Returns:
            The raw answer and its token usage.

        Raises:
            LLMUnavailable: the server could not be reached or refused.
            LLMBadResponse: the answer has no message content.
        """
        ...
