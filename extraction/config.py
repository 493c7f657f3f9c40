"""Frozen configuration handed to every extractor (never read from globals)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LLMConfig:
    """Optional LLM field mapping; off unless ``enabled``."""

    enabled: bool = False
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    api_key: str | None = None
    vision: bool = False
    timeout_s: float = 30.0
    max_retries: int = 2
    redact: bool = True
    monthly_token_cap: int | None = None
    cache_dir: str | None = None


@dataclass(frozen=True)
class ExtractionConfig:
    """Knobs for extraction; defaults suit a small office."""

    ocr_languages: str = "eng+fra+deu"
    ocr_dpi: int = 300
    ocr_timeout_s: float = 120.0
    #: Dates, amounts and doubtful name words of photos and scanned images are read again
    #: by PP-OCR's recogniser (when rapidocr-onnxruntime is installed), see
    #: extraction.text._second_read.
    ocr_second_reader: bool = True
    ignore_xml: bool = False
    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 200
    max_image_pixels: int = 60_000_000
    #: Memory cap (bytes) for the child process that rasterises and OCRs.
    child_memory_bytes: int = 1536 * 1024 * 1024
    zip_max_total_bytes: int = 100 * 1024 * 1024
    zip_max_entries: int = 200
    zip_max_ratio: int = 100
    zip_max_depth: int = 2
    llm: LLMConfig = LLMConfig()
