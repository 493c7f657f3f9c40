"""Run the ingesting process (mailbox sources only) as a real subprocess.

Runs ``apinbox --config FILE ingest``, exactly what a user runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.dovecot import PASSWORD
from tests.support.dovecot import USER
from tests.support.dovecot import Dovecot

ROOT = Path(__file__).resolve().parents[2]


def write_config(
    path: Path, server: Dovecot, *, data_dir: Path, database_url: str, **mailbox: Any
) -> Path:
    """Write a TOML config with one mailbox on ``server`` (plain loopback)."""
    values: dict[str, Any] = {
        "name": "ap",
        "host": "127.0.0.1",
        "port": server.port,
        "security": "none",
        "username": USER,
        "password": PASSWORD,
        "poll_interval_s": 2.0,
    }
    values.update(mailbox)
    lines = [
        "[storage]",
        f"data_dir = {_toml(str(data_dir))}",
        f"database_url = {_toml(database_url)}",
    ]
    lines += ["", "[[mailboxes]]", *(f"{key} = {_toml(value)}" for key, value in values.items())]
    path.write_text("\n".join(lines) + "\n")
    return path


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def command(config: Path) -> list[str]:
    """Return the command line of the ingesting process."""
    return [sys.executable, "-m", "daemon", "--config", str(config), "ingest"]


def start(config: Path, *, log: Path) -> subprocess.Popen[bytes]:
    """Start the ingesting process with its output in ``log``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APINBOX_")}
    env["PYTHONPATH"] = str(ROOT)
    with log.open("ab") as out:
        return subprocess.Popen(
            command(config), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def stop(proc: subprocess.Popen[bytes], *, kill: bool = False, timeout: float = 20.0) -> int:
    """SIGKILL (a crash) or SIGTERM (a clean stop) the process and reap it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(timeout)
