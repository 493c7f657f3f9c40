"""The walking skeleton, end to end: a real invoice from a real mailbox (or the watch
folder) to an approved CSV row, through the real ``apinbox`` processes.

Each test runs once on SQLite and once on PostgreSQL (the ``database_url`` fixture).
"""

from __future__ import annotations

import csv
import shutil
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e._daemon import Daemon
from tests.e2e._daemon import apinbox
from tests.e2e._daemon import free_port
from tests.e2e._daemon import wait_for
from tests.e2e._daemon import write_config

CORPUS = Path(__file__).parents[1] / "corpus" / "e2e"
FACTURX = CORPUS / "fnfe__Facture_FR_EN16931.pdf"  # Au bon moulin, FR11999999998, 671.15 EUR
TEXT_PDF = CORPUS / "invoice2data__NetpresseInvoice.pdf"  # NETPRESSE 2022089083, 56.02 EUR


def _config(tmp_path: Path, database_url: str, port: int, sources: str) -> Path:
    return write_config(
        tmp_path / "apinbox.toml",
        f"""
[storage]
data_dir = "{tmp_path / "var"}"
database_url = "{database_url}"
[review]
host = "127.0.0.1"
port = {port}
[worker]
poll_interval_s = 0.5
[export]
nightly_at = ""
{sources}
""",
    )


def _prepare(config: Path) -> str:
    added = apinbox(config, "vendor", "add", "Au bon moulin", "--vat-id", "FR 11 999 999 998")
    assert added.returncode == 0, added.stderr
    created = apinbox(config, "token", "create", "e2e", "--role", "reviewer")
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


def _invoices(client: httpx.Client, status: str) -> list[dict[str, Any]]:
    body = client.get("/api/invoices", params={"status": status}).json()
    assert body["count"] == len(body["data"])
    return list(body["data"])


def _by_number(client: httpx.Client, status: str, number: str) -> dict[str, Any] | None:
    return next(
        (i for i in _invoices(client, status) if i["fields"].get("invoice_number") == number), None
    )


def _approve_and_export(daemon: Daemon, token: str, config: Path, tmp_path: Path) -> None:
    with daemon.api(token) as client:
        auto = wait_for(
            lambda: _by_number(client, "approved", "FA-2017-0010"),
            timeout=90,
            what="the Factur-X invoice to be auto-approved",
            daemon=daemon,
        )
        assert auto["fields"]["total_amount"] == "671.15"
        assert auto["vendor_id"] is not None
        review = wait_for(
            lambda: _by_number(client, "needs_review", "2022089083"),
            timeout=90,
            what="the text PDF to reach the review queue",
            daemon=daemon,
        )
        assert review["fields"]["total_amount"] == "56.02"
        assert review["fields"]["currency"] == "EUR"
        assert any(f["code"] == "VENDOR_UNKNOWN" for f in review["flags"])
        approved = client.post(f"/api/invoices/{review['id']}/approve")
        assert approved.status_code == 200, approved.text
    out = tmp_path / "export.csv"
    first = apinbox(config, "export", "--format", "generic", "--out", str(out))
    assert first.returncode == 0, first.stderr
    rows = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    assert sorted(r["invoice_number"] for r in rows) == ["2022089083", "FA-2017-0010"]
    assert {r["total_amount"] for r in rows} >= {"56.02"}
    again = tmp_path / "again.csv"
    second = apinbox(config, "export", "--format", "generic", "--out", str(again))
    assert second.returncode == 0, second.stderr
    assert "nothing to export" in second.stdout
    assert not again.exists()
    with daemon.api(token) as client:
        assert len(_invoices(client, "exported")) == 2
        assert _invoices(client, "approved") == []


@pytest.mark.slow
def test_watch_folder_to_exported_csv(tmp_path: Path, database_url: str) -> None:
    inbox = tmp_path / "inbox"
    port = free_port()
    config = _config(
        tmp_path,
        database_url,
        port,
        f'[[watch_folders]]\npath = "{inbox}"\npoll_interval_s = 0.3\n',
    )
    token = _prepare(config)
    daemon = Daemon(config, port, tmp_path / "daemon.log")
    try:
        inbox.mkdir(exist_ok=True)
        shutil.copy(FACTURX, inbox / FACTURX.name)
        shutil.copy(TEXT_PDF, inbox / TEXT_PDF.name)
        wait_for(
            lambda: len(list((inbox / "processed").glob("*.pdf"))) == 2,
            timeout=30,
            what="both files to be moved to processed/",
            daemon=daemon,
        )
        _approve_and_export(daemon, token, config, tmp_path)
    finally:
        assert daemon.stop() == 0, daemon.output()


def _mail_with(pdf: Path, *, sender: str, subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "ap@example.com"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{pdf.stem}@example.com>"
    msg.set_content("Please find our invoice attached.")
    msg.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    return msg.as_bytes()


@pytest.mark.slow
@pytest.mark.imap
def test_imap_mailbox_to_exported_csv(tmp_path: Path, database_url: str, dovecot: Any) -> None:
    from tests.support.dovecot import PASSWORD
    from tests.support.dovecot import USER

    port = free_port()
    mailbox = f"""
[[mailboxes]]
name = "ap"
host = "127.0.0.1"
port = {dovecot.port}
security = "none"
username = "{USER}"
password = "{PASSWORD}"
folder = "INBOX"
processed_folder = "Processed"
failed_folder = "Failed"
idle = true
poll_interval_s = 2
"""
    config = _config(tmp_path, database_url, port, mailbox)
    token = _prepare(config)
    dovecot.append(
        "INBOX",
        _mail_with(
            FACTURX,
            sender="Au bon moulin <factures@auboumoulin.fr>",
            subject="Facture FA-2017-0010",
        ),
    )
    dovecot.append(
        "INBOX",
        _mail_with(TEXT_PDF, sender="NETPRESSE <factures@netpresse.fr>", subject="Votre facture"),
    )
    daemon = Daemon(config, port, tmp_path / "daemon.log")
    try:
        wait_for(
            lambda: len(dovecot.uids("Processed")) == 2 and not dovecot.uids("INBOX"),
            timeout=60,
            what="both messages to be moved to Processed",
            daemon=daemon,
        )
        _approve_and_export(daemon, token, config, tmp_path)
        with daemon.api(token) as client:
            exported = _invoices(client, "exported")
        senders = {i["email"]["from"] for i in exported}
        assert "NETPRESSE <factures@netpresse.fr>" in senders
    finally:
        assert daemon.stop() == 0, daemon.output()
