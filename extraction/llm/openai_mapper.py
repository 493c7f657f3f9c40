"""The :class:`FieldMapper` that talks to an OpenAI-compatible chat-completions server.

This is the only module that imports ``openai``; it is imported lazily, so a
disabled LLM never loads the SDK. The client's own ``timeout`` and
``max_retries`` come from :class:`LLMConfig`. SDK errors become our
:class:`LLMUnavailable` / :class:`LLMBadResponse` so callers need not know openai.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

import openai

from extraction.config import LLMConfig
from extraction.llm.schema import build_messages
from extraction.llm.schema import estimate_tokens
from extraction.llm.types import FieldSchema
from extraction.llm.types import LLMBadResponse
from extraction.llm.types import LLMUnavailable
from extraction.llm.types import MapperReply

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam
    from openai.types.shared_params import ResponseFormatJSONSchema

#: Upper bound on the answer; a field object needs a few hundred tokens.
MAX_COMPLETION_TOKENS = 1000
#: Local servers (Ollama, llama.cpp, vLLM) accept any key; the SDK insists on one.
_NO_KEY = "not-needed"


class OpenAIFieldMapper:
    """Ask one chat-completions model for the fields, with a strict JSON schema."""

    def __init__(self, config: LLMConfig) -> None:
        """Remember the config; a client is opened per call and closed after it."""
        self.config = config

    def map_fields(self, text: str, schema: FieldSchema, images: Sequence[bytes]) -> MapperReply:
        """Send the text (and images) and return the raw answer with its token usage.

        Raises:
            LLMUnavailable: connection refused, timeout, or an HTTP error status.
            LLMBadResponse: the server's answer has no choice or no content.
        """
        messages = build_messages(text, images)
        try:
            with self._client() as client:
                response = client.chat.completions.create(
                    model=self.config.model,
                    # Plain dicts built by schema.py; the SDK's TypedDicts describe the same shape.
                    messages=cast("list[ChatCompletionMessageParam]", messages),
                    response_format=cast("ResponseFormatJSONSchema", _response_format(schema)),
                    temperature=0,
                    max_tokens=MAX_COMPLETION_TOKENS,
                )
        except openai.APIStatusError as exc:
            raise LLMUnavailable(f"HTTP {exc.status_code} from the LLM server") from exc
        except (openai.APIConnectionError, openai.RateLimitError) as exc:
            raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc
        except openai.OpenAIError as exc:
            raise LLMBadResponse(f"{type(exc).__name__}: {exc}") from exc
        return _reply(response, estimate_tokens(text, images))

    def _client(self) -> openai.OpenAI:
        return openai.OpenAI(
            base_url=self.config.base_url,
            api_key=self.config.api_key or _NO_KEY,
            timeout=self.config.timeout_s,
            max_retries=self.config.max_retries,
        )


def _response_format(schema: FieldSchema) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": "invoice_fields", "strict": True, "schema": schema.json_schema},
    }


def _reply(response: Any, prompt_estimate: int) -> MapperReply:
    # The SDK may hand back a bare string or an object without choices when a server
    # answers 200 with a body that is not a chat completion; treat those as bad answers.
    choices = getattr(response, "choices", None)
    if not choices:
        raise LLMBadResponse("the answer has no choices")
    content = getattr(getattr(choices[0], "message", None), "content", None)
    if not isinstance(content, str) or not content.strip():
        raise LLMBadResponse("the answer has no message content")
    usage = getattr(response, "usage", None)
    prompt = getattr(usage, "prompt_tokens", None)
    completion = getattr(usage, "completion_tokens", None)
    if isinstance(prompt, int) and isinstance(completion, int):
        return MapperReply(content, prompt, completion)
    # No usage from the server: estimate (4 characters a token) so the cap still holds.
    return MapperReply(content, prompt_estimate, len(content) // 4, estimated=True)
