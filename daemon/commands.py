"""What each ``apinbox`` sub-command does, once arguments and settings are parsed."""

from __future__ import annotations

import argparse
import json
import logging
import mailbox
import sys
from collections.abc import Iterator
from pathlib import Path

from sqlmodel import select

from daemon.config import Settings
from daemon.runtime import Runtime
from daemon.runtime import stage_context
from daemon.signals import on_stop
from daemon.worker import Worker
from storage import db
from storage import exports
from storage import migrate
from storage import models
from storage import repo

log = logging.getLogger("apinbox")


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the sub-command named in ``args``."""
    handlers = {
        "run": lambda: serve_daemon(settings, sources=True, workers=True, web=True),
        "worker": lambda: serve_daemon(settings, sources=True, workers=True, web=False),
        "serve": lambda: serve_daemon(settings, sources=False, workers=False, web=True),
        "ingest": lambda: serve_daemon(settings, sources=True, workers=False, web=False),
        "process": lambda: process(settings),
        "migrate": lambda: run_migrate(settings),
        "export": lambda: export(settings, args),
        "token": lambda: token(settings, args),
        "vendor": lambda: vendor(settings, args),
        "import": lambda: import_paths(settings, args.paths, company=args.company),
        "backfill": lambda: run_backfill(settings, args),
    }
    return handlers[args.command]()


def serve_daemon(settings: Settings, *, sources: bool, workers: bool, web: bool) -> int:
    """Run the chosen parts until SIGTERM/SIGINT; return 1 if a part crashed."""
    runtime = Runtime.create(settings)
    if sources:
        runtime.add_sources()
    if workers:
        runtime.add_workers()
    if web:
        _add_web(runtime)
    with on_stop(runtime.stop):
        runtime.start()
        log.info("apinbox started: %s", ", ".join(t.name for t in runtime.tasks))
        clean = runtime.wait(timeout_s=settings.worker.shutdown_timeout_s)
    log.info("apinbox stopped%s", "" if clean else " (some tasks did not finish in time)")
    return 1 if runtime.crashed else 0


def _add_web(runtime: Runtime) -> None:
    import uvicorn

    from review_api import create_app

    cfg = runtime.settings.review
    app = create_app(cfg, runtime.engine, runtime.blobs, health=runtime.health)
    server = uvicorn.Server(uvicorn.Config(app, host=cfg.host, port=cfg.port, log_level="warning"))

    def serve() -> None:
        server.run()

    def stop_server() -> None:
        runtime.stop_event.wait()
        server.should_exit = True

    runtime.add_task("web", serve)
    import threading

    threading.Thread(target=stop_server, name="web-stopper", daemon=True).start()
    log.info("review desk on http://%s:%s", cfg.host, cfg.port)


def process(settings: Settings) -> int:
    """Process every due record once, then exit (for scripts and cron)."""
    runtime = Runtime.create(settings)
    worker = Worker(stage_context(settings, runtime.engine, runtime.blobs))
    count = worker.run_until_idle()
    print(f"processed {count} record(s)")
    return 0


def run_migrate(settings: Settings) -> int:
    """Upgrade the schema."""
    engine = db.make_engine(settings.storage.resolved_database_url())
    migrate.upgrade(engine)
    print("database is up to date")
    return 0


def export(settings: Settings, args: argparse.Namespace) -> int:
    """Export approved invoices once, or write an earlier batch again."""
    runtime = Runtime.create(settings)
    engine, blobs = runtime.engine, runtime.blobs
    if args.batch is not None:
        batch = exports.get_batch(engine, batch_id=args.batch)
        if batch is None:
            print(f"apinbox: no export batch {args.batch}", file=sys.stderr)
            return 1
    else:
        company = repo.company_id(engine, slug=args.company)
        try:
            batch = exports.export_approved(
                engine, blobs, company=company, format_name=args.format or settings.export.format
            )
        except exports.UnknownFormatError as exc:
            print(f"apinbox: {exc}", file=sys.stderr)
            return 2
        if batch is None:
            print("nothing to export")
            return 0
    assert batch.id is not None
    out = args.out or (settings.export.directory or settings.storage.data_dir / "exports") / (
        f"{batch.created_at:%Y-%m-%d}-batch-{batch.id}.csv"
    )
    exports.write_batch(blobs, batch, out)
    exports.record_path(engine, batch_id=batch.id, path=out)
    print(f"exported {batch.count} invoice(s) in batch {batch.id} to {out}")
    return 0


def token(settings: Settings, args: argparse.Namespace) -> int:
    """Create an API token and print it (shown only once)."""
    runtime = Runtime.create(settings)
    print(repo.create_token(runtime.engine, name=args.name, role=args.role))
    return 0


def vendor(settings: Settings, args: argparse.Namespace) -> int:
    """Add or list vendors."""
    runtime = Runtime.create(settings)
    if args.vendor_command == "list":
        with db.session_scope(runtime.engine) as session:
            for row in session.exec(select(models.Vendor)).all():
                print(json.dumps(row.model_dump(mode="json")))
        return 0
    company = repo.company_id(runtime.engine, slug=args.company)
    with db.session_scope(runtime.engine) as session:
        row = models.Vendor(
            company_id=company,
            name=args.name,
            vat_id=args.vat_id,
            iban=args.iban,
            email_domain=args.email_domain,
        )
        session.add(row)
        session.flush()
        print(f"vendor {row.id}: {row.name}")
    return 0


def import_paths(settings: Settings, paths: list[Path], *, company: str) -> int:
    """Store files, .eml and .mbox messages for the worker; nothing is processed here."""
    runtime = Runtime.create(settings)
    assert runtime.intake is not None
    stored = seen = 0
    for name, data in _import_items(paths):
        _, created = runtime.intake.accept(
            data, source="import", source_ref=name, company=company, filename=Path(name).name
        )
        seen += 1
        stored += created
    print(f"stored {stored} new of {seen} item(s); `apinbox process` or the daemon processes them")
    return 0


def _import_items(paths: list[Path]) -> Iterator[tuple[str, bytes]]:
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix.lower() == ".mbox":
                for index, msg in enumerate(mailbox.mbox(file)):
                    yield f"{file}#{index}", msg.as_bytes()
            else:
                yield str(file), file.read_bytes()


def run_backfill(settings: Settings, args: argparse.Namespace) -> int:
    """Store a mailbox's existing messages since a date, with a progress bar."""
    from daemon import backfill

    mailbox = next((m for m in settings.mailboxes if m.name == args.mailbox), None)
    if mailbox is None:
        known = ", ".join(m.name for m in settings.mailboxes) or "none configured"
        print(f"apinbox: no mailbox named {args.mailbox!r} ({known})", file=sys.stderr)
        return 2
    runtime = Runtime.create(settings)
    assert runtime.intake is not None
    new, seen = backfill.backfill(
        mailbox,
        runtime.intake,
        since=args.since,
        folder=args.folder,
        state_dir=settings.storage.data_dir / "imap-state",
        progress=backfill.progress_bar(),
    )
    print(f"stored {new} new of {seen} message(s) since {args.since}; the worker processes them")
    return 0


def extract_files(files: list[Path], *, ignore_xml: bool) -> int:
    """Print one JSON line per document found in each file; no database involved."""
    import extraction

    config = extraction.ExtractionConfig(ignore_xml=ignore_xml)
    status = 0
    for file in files:
        try:
            data = file.read_bytes()
        except OSError as exc:
            print(json.dumps({"file": str(file), "error": str(exc)}))
            status = 1
            continue
        for doc in extraction.extract(data, file.name, config):
            print(json.dumps(doc.to_json(file=str(file)), ensure_ascii=False))
    return status
