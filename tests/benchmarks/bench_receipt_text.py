"""Score the receipt field rules on SROIE's line transcriptions (a script, not a test).

    .venv/bin/python tests/benchmarks/bench_receipt_text.py DIR [--mismatches]

DIR holds SROIE receipts as ``NAME.csv`` (its "box" file: one printed line per row,
``x1,y1,x2,y2,x3,y3,x4,y4,TEXT``) beside ``NAME.json`` (its "key" file: ``company``, ``date``,
``total``). Each line's words are laid out in its box as OCR words would be, and the same
field rules the daemon runs on a scan read them: what the rules make of receipts the corpus
does not hold, without OCR's letters in the way. Prints shop name, date and total accuracy
under the accuracy bench's equality rules.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from daemon.bench import same
from extraction.fields import dates
from extraction.fields import heuristics
from extraction.models import Method
from extraction.text import Page
from extraction.text import Word

#: SROIE key -> our field.
KEYS = {"company": "vendor_name", "date": "invoice_date", "total": "total_amount"}
#: What a clean transcription is taken to be sure of (tesseract's sure words are 0.9-0.97).
CONFIDENCE = 0.95


def page_of(box_csv: str) -> Page:
    """Return a page with each transcribed line's words spread evenly over its box."""
    words: list[Word] = []
    for row in csv.reader(io.StringIO(box_csv)):
        if len(row) < 9 or not all(c.strip().lstrip("-").isdigit() for c in row[:8]):
            continue
        xs, ys = [int(c) for c in row[0:8:2]], [int(c) for c in row[1:8:2]]
        words += _words(",".join(row[8:]), min(xs), min(ys), max(xs), max(ys))
    width = max((w.x1 for w in words), default=1.0) + 20
    height = max((w.bottom for w in words), default=1.0) + 20
    return Page(1, width, height, tuple(words), Method.OCR)


def _words(text: str, x0: int, top: int, x1: int, bottom: int) -> list[Word]:
    pitch = (x1 - x0) / max(len(text), 1)
    out: list[Word] = []
    start = 0
    for token in text.split(" "):
        if token:
            left = x0 + start * pitch
            right = left + len(token) * pitch
            out.append(Word(token, left, top, right, bottom, CONFIDENCE, Method.OCR))
        start += len(token) + 1
    return out


def truth_of(key: dict[str, str]) -> dict[str, str]:
    """Return the key's values in the accuracy bench's terms (ISO dates, bare amounts)."""
    out = {KEYS[k]: v.strip() for k, v in key.items() if k in KEYS and v and v.strip()}
    if "invoice_date" in out:
        found = dates.find_dates(out["invoice_date"])
        out["invoice_date"] = found[0].value.isoformat() if found else out["invoice_date"]
    if "total_amount" in out:
        out["total_amount"] = out["total_amount"].replace("RM", "").replace(",", "").strip(" $")
    return out


def main(argv: list[str]) -> int:
    """Read every receipt in DIR and print the rules' accuracy per field."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--mismatches", action="store_true", help="list every wrong value")
    args = parser.parse_args(argv)
    scores = {field: [0, 0] for field in KEYS.values()}
    for key_path in sorted(args.folder.glob("*.json")):
        box = key_path.with_suffix(".csv")
        if not box.is_file():
            continue
        found = heuristics.extract([page_of(box.read_text(errors="replace"))]).fields
        for field, truth in truth_of(json.loads(key_path.read_text())).items():
            got = found[field].value if field in found else None
            right = same(field, got, truth)
            scores[field][0] += right
            scores[field][1] += 1
            if args.mismatches and not right:
                print(f"{key_path.stem}: {field} truth={truth!r} got={got!r}")
    for field, (hits, total) in scores.items():
        share = f"{100 * hits / total:.1f} %" if total else "-"
        print(f"{field:14} {share:>8} ({hits}/{total})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
