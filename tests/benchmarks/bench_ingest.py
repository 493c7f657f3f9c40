"""Benchmark the IMAP intake against a real Dovecot (a script, not a test).

    .venv/bin/python tests/benchmarks/bench_ingest.py [--messages 1000] [--idle-samples 30]

Runs the real ingesting process (``apinbox --config FILE ingest``, store only)
and prints:

* throughput: messages/s over ``--messages`` messages already waiting in INBOX
  (first to last ``received_at``, so process start-up is not counted);
* IDLE latency: append -> row committed, median and p95 over ``--idle-samples``;
* peak RSS (VmHWM) of the ingesting process after a message with a 30 MB
  attachment went through as well.

Targets on 2 cores: >= 300 msg/s, IDLE median <= 0.6 s, peak RSS <= 250 MB.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import db
from storage import migrate
from storage import models
from tests.support import ingest
from tests.support.dovecot import Dovecot


def invoice_message(n: int, *, attachment_bytes: int = 12_000) -> bytes:
    """A typical supplier mail: short text plus a base64 'PDF' attachment."""
    payload = os.urandom(attachment_bytes)
    b64 = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    return (
        (
            f"From: billing{n}@vendor.example\r\nTo: ap@example.com\r\n"
            f"Subject: Invoice {n}\r\nMessage-ID: <bench-{n}@vendor.example>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n"
            "--b1\r\nContent-Type: text/plain\r\n\r\nPlease find our invoice attached.\r\n"
            f'--b1\r\nContent-Type: application/pdf; name="inv{n}.pdf"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + b64
        + b"--b1--\r\n"
    )


def count(engine: Engine) -> int:
    # A plain read: the storage engine's sessions start with BEGIN IMMEDIATE (a
    # write lock), which would make this poller slow down the process it measures.
    path = engine.url.database or ""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return int(conn.execute("SELECT count(*) FROM message").fetchone()[0])


def span_s(engine: Engine) -> float:
    with db.session_scope(engine) as session:
        received = models.Message.received_at
        first, last = session.exec(select(func.min(received), func.max(received))).one()
    return float((last - first).total_seconds())


def wait_count(engine: Engine, target: int, timeout: float = 600.0, poll: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while count(engine) < target:
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out: {count(engine)} of {target} stored")
        time.sleep(poll)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_throughput(server: Dovecot, engine: Engine, config: Path, log: Path, n: int) -> float:
    server.append_many("INBOX", [invoice_message(i) for i in range(n)])
    proc = ingest.start(config, log=log)
    try:
        wait_count(engine, n)
    finally:
        ingest.stop(proc)
    return (n - 1) / span_s(engine)


def measure_idle(server: Dovecot, engine: Engine, samples: int, start: int) -> list[float]:
    latencies = []
    stored = count(engine)
    with server.session() as client:
        for i in range(samples):
            raw = invoice_message(start + i)
            t0 = time.monotonic()
            client.append("INBOX", raw)
            wait_count(engine, stored + 1, timeout=60, poll=0.002)
            latencies.append(time.monotonic() - t0)
            stored += 1
            time.sleep(0.2)
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--idle-samples", type=int, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="apinbox-bench-"))
    engine = db.make_engine(f"sqlite:///{work / 'apinbox.db'}")
    migrate.upgrade(engine)
    server = Dovecot().start()
    try:
        config = ingest.write_config(
            work / "apinbox.toml",
            server,
            data_dir=work / "data",
            database_url=str(engine.url),
            poll_interval_s=60.0,
        )
        log = work / "ingest.log"
        rate = measure_throughput(server, engine, config, log, args.messages)
        print(f"throughput: {rate:.0f} messages/s ({args.messages} messages, store only)")
        proc = ingest.start(config, log=log)
        try:
            time.sleep(4.0)  # start-up and first cycle, then it sits in IDLE
            lat = measure_idle(server, engine, args.idle_samples, args.messages)
            p95 = statistics.quantiles(lat, n=20)[-1]
            median = statistics.median(lat)
            print(f"IDLE latency: median {median:.3f} s, p95 {p95:.3f} s (n={len(lat)})")
            before = count(engine)
            print(f"peak RSS before the large message: {peak_rss_mb(proc.pid):.0f} MB")
            server.append("INBOX", invoice_message(10**6, attachment_bytes=30 * 1024 * 1024))
            wait_count(engine, before + 1, timeout=120)
            print(f"peak RSS: {peak_rss_mb(proc.pid):.0f} MB (with a 30 MB attachment)")
        finally:
            ingest.stop(proc)
    finally:
        server.cleanup()
        engine.dispose()
    print(f"(work dir {work}; log {log})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
