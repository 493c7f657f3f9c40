"""Run the real ``apinbox`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

APINBOX = [sys.executable, "-m", "daemon"]


def free_port() -> int:
    """Return a free loopback TCP port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path, body: str) -> Path:
    """Write a TOML config file and return its path."""
    path.write_text(body)
    return path


def apinbox(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run one ``apinbox`` sub-command to completion."""
    env = {**os.environ, "APINBOX_CONFIG": str(config)}
    return subprocess.run(
        [*APINBOX, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


class Daemon:
    """``apinbox run`` in the background."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        """Start the daemon; stop it with :meth:`stop`."""
        self.port = port
        self.log = log
        env = {**os.environ, "APINBOX_CONFIG": str(config)}
        self._log_fh = log.open("wb")
        self.proc = subprocess.Popen(
            [*APINBOX, "run"], env=env, stdout=self._log_fh, stderr=subprocess.STDOUT
        )
        self.base = f"http://127.0.0.1:{port}"
        wait_for(lambda: self._healthy(), timeout=60, what="the review desk to answer", daemon=self)

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def api(self, token: str) -> httpx.Client:
        """Return an HTTP client authenticated with ``token``."""
        return httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    def stop(self) -> int:
        """Send SIGTERM and return the exit code (killed after 30 s)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_fh.close()
        return self.proc.returncode

    def output(self) -> str:
        """Return what the daemon logged so far."""
        return self.log.read_text(errors="replace")


def wait_for(
    check: Callable[[], Any], *, timeout: float, what: str, daemon: Daemon | None = None
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with context after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        if daemon is not None and daemon.proc.poll() is not None:
            raise AssertionError(f"daemon exited while waiting for {what}:\n{daemon.output()}")
        time.sleep(0.2)
    log = daemon.output() if daemon else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{log}")
