"""The one settings object: an optional TOML file plus ``APINBOX_*`` environment variables.

Precedence (highest first): environment variables (nested with ``__``, e.g.
``APINBOX_STORAGE__DATABASE_URL``), secrets files in ``APINBOX_SECRETS_DIR``,
the TOML file (``--config FILE`` or ``APINBOX_CONFIG``), defaults. Settings are
built by :func:`load_settings` and passed down; nothing reads them at import.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import Field
from pydantic import SecretStr
from pydantic import field_validator
from pydantic import model_validator
from pydantic_settings import BaseSettings
from pydantic_settings import PydanticBaseSettingsSource
from pydantic_settings import SettingsConfigDict
from pydantic_settings import TomlConfigSettingsSource

from daemon.readers import MEMORY_BYTES
from daemon.readers import TIMEOUT_S
from extraction.config import ExtractionConfig
from extraction.config import LLMConfig
from review_api.config import ReviewConfig
from storage.config import StorageConfig

_PLACEHOLDERS = frozenset({"changeme", "change-me", "password", "secret", "…", "..."})


class OAuth2Config(BaseModel):
    """XOAUTH2 credentials for Gmail / Microsoft 365 mailboxes."""

    provider: Literal["google", "microsoft", "custom"] = "custom"
    token_url: str | None = None
    client_id: str
    client_secret: SecretStr | None = None
    client_secret_file: Path | None = None
    refresh_token: SecretStr | None = None
    refresh_token_file: Path | None = None
    scope: str | None = None


class MailboxConfig(BaseModel):
    """One ``[[mailboxes]]`` entry: an IMAP mailbox to read invoices from."""

    name: str
    host: str
    port: int = 993
    security: Literal["ssl", "starttls", "none"] = "ssl"
    ca_file: Path | None = None
    username: str
    password: SecretStr | None = None
    password_file: Path | None = None
    oauth2: OAuth2Config | None = None
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    failed_folder: str = "Failed"
    #: "move" moves handled mail; "flag" leaves it in place with a keyword.
    mode: Literal["move", "flag"] = "move"
    company: str = "default"
    idle: bool = True
    poll_interval_s: float = 60.0
    idle_renew_s: float = 300.0
    max_message_bytes: int = 50 * 1024 * 1024

    @field_validator("password")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in _PLACEHOLDERS:
            msg = "password is a placeholder; set the real one (or password_file)"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _plain_only_on_loopback(self) -> MailboxConfig:
        if self.security == "none" and not _is_loopback(self.host):
            msg = (
                f"mailbox {self.name!r}: security = 'none' sends the password in clear text; "
                "it is allowed only for a loopback host (use 'ssl' or 'starttls')"
            )
            raise ValueError(msg)
        return self

    def secret_password(self) -> str | None:
        """Return the password from the config or its file (stripped of the newline)."""
        if self.password is not None:
            return self.password.get_secret_value()
        if self.password_file is not None:
            return self.password_file.read_text().strip()
        return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class WatchFolderConfig(BaseModel):
    """One ``[[watch_folders]]`` entry: files dropped here are processed."""

    path: Path
    company: str = "default"
    poll_interval_s: float = 2.0


class CompanyConfig(BaseModel):
    """One ``[[companies]]`` entry: a client whose mail is tagged ``ap+<slug>@…``."""

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    name: str = ""


class WorkerConfig(BaseModel):
    """The stage worker."""

    threads: int = 1
    poll_interval_s: float = 2.0
    lease_s: float = 600.0
    #: Read each message in a child process (see daemon.readers); false reads in the daemon.
    read_in_child: bool = True
    #: A reading that takes longer is stopped and counts as a failed attempt (below lease_s).
    read_timeout_s: float = Field(default=TIMEOUT_S, gt=0)
    #: Address-space cap of a reader child: a file that needs more fails, the daemon does not.
    read_memory_bytes: int = Field(default=MEMORY_BYTES, ge=256 * 1024**2)
    max_attempts: int = 5
    shutdown_timeout_s: float = 20.0

    @model_validator(mode="after")
    def _reading_ends_within_its_lease(self) -> WorkerConfig:
        # A lease that ran out mid-reading lets a second worker claim the same message.
        if self.read_in_child and self.read_timeout_s >= self.lease_s:
            msg = (
                f"worker.read_timeout_s ({self.read_timeout_s:g}) must be below "
                f"worker.lease_s ({self.lease_s:g})"
            )
            raise ValueError(msg)
        return self


class ExportConfig(BaseModel):
    """The nightly export."""

    format: str = "generic"
    directory: Path | None = None
    #: Local time of day (HH:MM) of the nightly export; empty turns it off.
    nightly_at: str = "02:00"


class ExtractionSettings(BaseModel):
    """``[extraction]``: OCR and limits."""

    ocr_languages: str = "eng+fra+deu"
    #: Read the dates, amounts and doubtful name words of photos again with PP-OCR.
    ocr_second_reader: bool = True
    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 200

    def to_config(self, llm: LLMConfig) -> ExtractionConfig:
        """Return the frozen config the extractors take."""
        return ExtractionConfig(
            ocr_languages=self.ocr_languages,
            ocr_second_reader=self.ocr_second_reader,
            max_file_bytes=self.max_file_bytes,
            max_pages=self.max_pages,
            llm=llm,
        )


class LLMSettings(BaseModel):
    """``[llm]``: optional LLM field mapping; off by default."""

    enabled: bool = False
    base_url: str | None = None
    model: str = "gpt-4o-mini"
    api_key: SecretStr | None = None
    vision: bool = False
    redact: bool = True
    monthly_token_cap: int | None = None

    def to_config(self, cache_dir: Path) -> LLMConfig:
        """Return the frozen config the LLM mapper takes."""
        return LLMConfig(
            enabled=self.enabled,
            base_url=self.base_url,
            model=self.model,
            api_key=self.api_key.get_secret_value() if self.api_key else None,
            vision=self.vision,
            redact=self.redact,
            monthly_token_cap=self.monthly_token_cap,
            cache_dir=str(cache_dir),
        )


class PolicyConfig(BaseModel):
    """``[policy]``: when an invoice may be approved without a person."""

    auto_approve: bool = True
    min_confidence: float = 0.9
    max_total: str | None = None


class Settings(BaseSettings):
    """All of AP Inbox's configuration."""

    model_config = SettingsConfigDict(
        env_prefix="APINBOX_",
        env_nested_delimiter="__",
        extra="forbid",
        secrets_dir=os.environ.get("APINBOX_SECRETS_DIR") or None,
    )

    storage: StorageConfig = Field(default_factory=StorageConfig)
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    mailboxes: list[MailboxConfig] = Field(default_factory=list)
    watch_folders: list[WatchFolderConfig] = Field(default_factory=list)
    companies: list[CompanyConfig] = Field(default_factory=list)
    worker: WorkerConfig = Field(default_factory=WorkerConfig)
    export: ExportConfig = Field(default_factory=ExportConfig)
    extraction: ExtractionSettings = Field(default_factory=ExtractionSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Add the TOML file below the environment and secrets."""
        toml_file = os.environ.get("APINBOX_CONFIG")
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            env_settings,
            file_secret_settings,
        ]
        if toml_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(toml_file)))
        return tuple(sources)

    @model_validator(mode="after")
    def _default_watch_folder(self) -> Settings:
        # Embedded defaults: with no source configured, watch <data_dir>/inbox.
        if not self.mailboxes and not self.watch_folders:
            self.watch_folders = [WatchFolderConfig(path=self.storage.data_dir / "inbox")]
        return self

    def extraction_config(self) -> ExtractionConfig:
        """Return the frozen extraction config composed from ``[extraction]`` and ``[llm]``."""
        return self.extraction.to_config(self.llm.to_config(self.storage.data_dir / "llm-cache"))


class ConfigError(ValueError):
    """The configuration file or environment is invalid."""


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Build the settings from the file (``--config`` wins over ``APINBOX_CONFIG``) and env."""
    if config_file is not None:
        if not config_file.is_file():
            msg = f"config file not found: {config_file}"
            raise ConfigError(msg)
        os.environ["APINBOX_CONFIG"] = str(config_file)
    elif (env_file := os.environ.get("APINBOX_CONFIG")) and not Path(env_file).is_file():
        msg = f"APINBOX_CONFIG points to a missing file: {env_file}"
        raise ConfigError(msg)
    return Settings(**overrides)
