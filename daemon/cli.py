"""The ``apinbox`` command: parse arguments, load settings, call one function."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from daemon import config as config_mod
from daemon.logging import configure_logging

log = logging.getLogger("apinbox")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="apinbox", description="Accounts-payable inbox daemon.")
    parser.add_argument("--config", type=Path, help="TOML config file (default: $APINBOX_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="run sources, workers, scheduler and the review desk")
    sub.add_parser("worker", help="run sources, workers and the scheduler (no web server)")
    sub.add_parser("serve", help="run only the review desk web server")
    sub.add_parser("ingest", help="run only the sources: store arriving messages, no processing")
    sub.add_parser("process", help="process every stored message that is due, then exit")
    sub.add_parser("migrate", help="bring the database schema up to date")
    _add_extract(sub)
    _add_export(sub)
    _add_token(sub)
    _add_vendor(sub)
    _add_import(sub)
    backfill = sub.add_parser("backfill", help="store a mailbox's existing mail since a date")
    backfill.add_argument("mailbox", help="the [[mailboxes]] name")
    backfill.add_argument("--since", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    backfill.add_argument("--folder", help="folder to read (default: the mailbox's folder)")
    bench = sub.add_parser("bench", help="benchmarks")
    bench.add_argument(
        "bench_args", nargs=argparse.REMAINDER, help="accuracy DIR [--ignore-xml] ..."
    )
    for command in sub.choices.values():
        # Also accepted after the sub-command: `apinbox ingest --config FILE`.
        command.add_argument(
            "--config", type=Path, default=argparse.SUPPRESS, help="TOML config file"
        )
    return parser


def _add_extract(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("extract", help="extract invoice fields from files, no database")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--json", action="store_true", help="one JSON object per line (the default)")
    p.add_argument("--ignore-xml", action="store_true", help="read only what a person sees")


def _add_export(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help="write approved, not yet exported invoices to CSV")
    p.add_argument("--format", default=None, help="export format (default: [export] format)")
    p.add_argument("--out", type=Path, help="CSV file to write (default: the export directory)")
    p.add_argument("--company", default="default", help="company slug")
    p.add_argument("--batch", type=int, help="write an earlier batch again instead")


def _add_token(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("token", help="API tokens")
    tsub = p.add_subparsers(dest="token_command", required=True)
    create = tsub.add_parser("create", help="create a token and print it once")
    create.add_argument("name")
    create.add_argument("--role", choices=("admin", "reviewer", "viewer"), default="reviewer")


def _add_vendor(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("vendor", help="vendor master data")
    vsub = p.add_subparsers(dest="vendor_command", required=True)
    add = vsub.add_parser("add", help="add a known vendor")
    add.add_argument("name")
    add.add_argument("--vat-id")
    add.add_argument("--iban")
    add.add_argument("--email-domain")
    add.add_argument("--company", default="default")
    vsub.add_parser("list", help="list vendors as JSON lines")


def _add_import(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import", help="store files, .eml and .mbox messages for processing")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--company", default="default")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``apinbox`` console script."""
    args = _parser().parse_args(argv)
    if args.command == "extract":
        from daemon.commands import extract_files

        return extract_files(args.files, ignore_xml=args.ignore_xml)
    if args.command == "bench":
        from daemon import bench

        return bench.main(list(args.bench_args))
    try:
        settings = config_mod.load_settings(args.config)
    except (config_mod.ConfigError, ValueError) as exc:
        print(f"apinbox: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    from daemon import commands

    return commands.dispatch(args, settings)


if __name__ == "__main__":
    raise SystemExit(main())
