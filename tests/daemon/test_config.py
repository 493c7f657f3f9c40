"""Configuration: file + environment precedence, refusals, and secrets kept out of logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from daemon.config import ConfigError
from daemon.config import load_settings
from daemon.logging import configure_logging
from daemon.logging import redact

TOML = """
[storage]
data_dir = "{data}"
[review]
port = 8123
[[mailboxes]]
name = "ap"
host = "imap.example.com"
username = "ap@example.com"
password = "hunter2-real"
[[watch_folders]]
path = "{data}/drop"
"""


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("APINBOX_CONFIG", "APINBOX_REVIEW__PORT", "APINBOX_STORAGE__DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "apinbox.toml"
    path.write_text(TOML.format(data=tmp_path))
    return path


def test_file_values_and_environment_override(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APINBOX_REVIEW__PORT", "9001")
    settings = load_settings(config_file)
    assert settings.review.port == 9001
    assert settings.mailboxes[0].port == 993 and settings.mailboxes[0].security == "ssl"
    assert settings.mailboxes[0].secret_password() == "hunter2-real"
    assert settings.watch_folders[0].path == config_file.parent / "drop"
    assert settings.storage.resolved_database_url().endswith("apinbox.db")


def test_no_source_configured_means_the_default_watch_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APINBOX_CONFIG", raising=False)
    monkeypatch.setenv("APINBOX_STORAGE__DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert [w.path for w in settings.watch_folders] == [tmp_path / "inbox"]


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ('password = "hunter2-real"', "placeholder"),
        ('host = "imap.example.com"', "loopback"),
    ],
)
def test_unsafe_mailbox_settings_are_refused(config_file: Path, replace: str, message: str) -> None:
    text = config_file.read_text()
    if message == "placeholder":
        text = text.replace(replace, 'password = "changeme"')
    else:
        text = text.replace(replace, 'host = "imap.example.com"\nsecurity = "none"')
    config_file.write_text(text)
    with pytest.raises(ValueError, match=message):
        load_settings(config_file)


def test_plain_imap_is_allowed_on_loopback(config_file: Path) -> None:
    text = config_file.read_text().replace(
        'host = "imap.example.com"', 'host = "127.0.0.1"\nsecurity = "none"'
    )
    config_file.write_text(text)
    assert load_settings(config_file).mailboxes[0].security == "none"


def test_secrets_never_reach_the_log(config_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(config_file)
    configure_logging(level="INFO", fmt="text")
    logging.getLogger("t").info(
        "settings: %s; login password=hunter2-real; Authorization: Bearer apx_abc", settings
    )
    logging.getLogger("t").info("token=%s", "apx_secret")
    err = capsys.readouterr().err
    assert "hunter2-real" not in err and "apx_abc" not in err and "apx_secret" not in err
    assert "settings:" in err
    assert redact("api_key: sk-live-123") == "api_key: ***"


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("read_memory_bytes", "1000000"),
        ("read_timeout_s", "0"),
        # Past the lease, a second worker would claim the message being read.
        ("read_timeout_s", "900"),
    ],
)
def test_a_reader_that_could_read_nothing_is_refused_at_startup(
    config_file: Path, setting: str, value: str
) -> None:
    config_file.write_text(config_file.read_text() + f"[worker]\n{setting} = {value}\n")
    with pytest.raises(ValueError, match=setting):
        load_settings(config_file)
