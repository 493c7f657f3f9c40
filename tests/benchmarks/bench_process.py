"""Benchmark the daemon's stages end to end over corpus documents (a script, not a test).

    .venv/bin/python tests/benchmarks/bench_process.py CORPUS [--kind K ...] [--copies N]
        [--threads 1 2] [--in-process]

Stores every document of the chosen kinds ``--copies`` times (each copy made distinct,
as separate mail would be) in a fresh SQLite database, then times the stage workers
from the first claim until every message is extracted and every invoice decided:
reading, fields, validation, matching and the commits, with ``--threads`` workers
reading in reader children as the daemon does (``--in-process``: in the workers' own
process). Prints pages/s and messages/s for each thread count. The readers and their
OCR workers are warmed before the clock starts, as under a stream of mail.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy.engine import Engine
from sqlmodel import select

import extraction
from daemon import bench
from daemon import readers
from daemon import stages
from daemon.intake import Intake
from daemon.worker import Worker
from matching import Policy
from storage import db
from storage import migrate
from storage import models
from storage.blobs import BlobStore


def distinct(data: bytes, copy: int) -> bytes:
    """Return the document changed in bytes only (an ignored tail), so each copy is new mail."""
    if copy == 0:
        return data
    if data.lstrip().startswith(b"<"):
        return data + f"\n<!-- copy {copy} -->\n".encode()
    return data + f"\n%copy {copy}\n".encode()  # PDF readers and image decoders skip it


def documents(corpus: Path, kinds: list[str]) -> list[Path]:
    """Return the corpus documents of ``kinds`` that have a truth file."""
    return [path for kind in kinds for _, path, _ in bench.iter_corpus(corpus, [kind])]


def run(paths: list[Path], copies: int, threads: int, *, in_children: bool) -> tuple[float, int]:
    """Store and process the documents; return (seconds, pages)."""
    config = extraction.ExtractionConfig()
    read: readers.ReadParts = extraction.extract_parts
    if in_children:
        read = readers.POOL.reading(readers.TIMEOUT_S)
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{tmp}/bench.db")
        migrate.upgrade(engine)
        blobs = BlobStore(Path(tmp) / "blobs")
        intake = Intake(engine, blobs)
        pages = 0
        for copy in range(copies):
            for path in paths:
                data = distinct(path.read_bytes(), copy)
                pages += bench.count_pages(data)
                ref = f"{path.name}#{copy}"
                intake.accept(data, source="bench", source_ref=ref, filename=path.name)
        ctx = stages.StageContext(engine, blobs, config, Policy(), read)
        workers = [Worker(ctx) for _ in range(threads)]
        started = time.perf_counter()
        runners = [threading.Thread(target=w.run_until_idle) for w in workers]
        for runner in runners:
            runner.start()
        for runner in runners:
            runner.join()
        seconds = time.perf_counter() - started
        _check_all_done(engine)
        engine.dispose()
    return seconds, pages


def _check_all_done(engine: Engine) -> None:
    with db.session_scope(engine) as session:
        left = session.exec(select(models.Message).where(models.Message.state == "received"))
        assert not left.all(), "messages left unprocessed"


def main() -> int:
    """Parse the command line, run each thread count, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--kind", action="append", dest="kinds")
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--in-process", action="store_true")
    args = parser.parse_args()
    kinds = args.kinds or ["facturx-pdf", "pdf-text"]
    paths = documents(args.corpus, kinds)
    in_children = not args.in_process
    where = "reader children" if in_children else "the workers' process"
    print(f"{len(paths)} documents x {args.copies} copies ({', '.join(kinds)}), read in {where}")
    for threads in args.threads:
        plan = bench.Plan(extraction.ExtractionConfig(), threads, in_children=in_children)
        bench.warm(paths[0], plan)
        seconds, pages = run(paths, args.copies, threads, in_children=in_children)
        messages = len(paths) * args.copies
        print(
            f"threads={threads}: {pages / seconds:.1f} pages/s, "
            f"{messages / seconds:.1f} messages/s ({pages} pages in {seconds:.2f} s)"
        )
    readers.POOL.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
