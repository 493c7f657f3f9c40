"""ZIP archives read in memory, within limits, entry by entry.

Nothing is extracted to disk. Before reading any entry we check the limits of
:class:`~extraction.config.ExtractionConfig`: entry count, declared total size,
compression ratio (whole archive, and per entry for entries over 1 MiB) and
nesting depth. ``zipfile`` never inflates an entry past its declared size, so
checking the declared sizes bounds the memory we use. An archive that breaks a
limit becomes one candidate carrying ``ARCHIVE_LIMIT`` and the limit it broke.
"""

from __future__ import annotations

import io
import mimetypes
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from extraction.config import ExtractionConfig
from extraction.mail import names
from extraction.models import Candidate
from extraction.models import EmailContext
from extraction.models import Flag
from extraction.models import Severity

#: Called for each entry: (data, filename, declared type, part id) -> candidates.
Expand = Callable[[bytes, str | None, str, str], list[Candidate]]

_ENTRY_RATIO_MIN_BYTES = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_MAC_METADATA = ("__MACOSX/",)


@dataclass(frozen=True)
class Archive:
    """One archive to open: its bytes, where it sits, and its nesting depth."""

    data: bytes
    filename: str | None
    part: str
    depth: int
    email: EmailContext | None


def split_zip(archive: Archive, config: ExtractionConfig, expand: Expand) -> list[Candidate]:
    """Return the candidates inside a ZIP archive, or one candidate saying why not.

    Args:
        archive: the archive bytes and position; ``depth`` is 1 for an archive
            that is not inside another one.
        config: the zip limits.
        expand: turns one entry's bytes into candidates (nested archives included).

    Returns:
        One or more candidates per entry, or a single flagged candidate of the
        whole archive when it is unreadable or breaks a limit.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(archive.data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        return [_whole(archive, Flag("ARCHIVE_UNREADABLE", f"not a readable ZIP archive: {exc}"))]
    with zf:
        entries = [info for info in zf.infolist() if not info.is_dir()]
        broken = check_limits(entries, len(archive.data), archive.depth, config)
        if broken is not None:
            return [_whole(archive, Flag("ARCHIVE_LIMIT", broken, Severity.WARNING))]
        return _entries(zf, entries, archive, expand)


def check_limits(
    entries: list[zipfile.ZipInfo], archive_size: int, depth: int, config: ExtractionConfig
) -> str | None:
    """Return which archive limit the entries break, stated for a person, or None."""
    if depth > config.zip_max_depth:
        return f"archive nested {depth} deep; the limit is {config.zip_max_depth}"
    if len(entries) > config.zip_max_entries:
        return f"{len(entries)} entries; the limit is {config.zip_max_entries}"
    total = sum(info.file_size for info in entries)
    if total > config.zip_max_total_bytes:
        return f"{total} bytes uncompressed; the limit is {config.zip_max_total_bytes}"
    if total > config.zip_max_ratio * max(archive_size, 1):
        overall = total // max(archive_size, 1)
        return f"compression ratio {overall}:1; the limit is {config.zip_max_ratio}:1"
    for info in entries:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _ENTRY_RATIO_MIN_BYTES and ratio > config.zip_max_ratio:
            return f"entry compression ratio {int(ratio)}:1; the limit is {config.zip_max_ratio}:1"
    return None


def _entries(
    zf: zipfile.ZipFile, entries: list[zipfile.ZipInfo], archive: Archive, expand: Expand
) -> list[Candidate]:
    out: list[Candidate] = []
    seen: dict[str, int] = {}
    for info in entries:
        part = _entry_part(archive.part, info.filename, seen)
        out.extend(_entry(zf, info, part, archive, expand))
    return out


def _entry_part(prefix: str, entry_name: str, seen: dict[str, int]) -> str:
    shown = "".join(ch for ch in entry_name if ch.isprintable())
    seen[shown] = seen.get(shown, 0) + 1
    suffix = f"#{seen[shown]}" if seen[shown] > 1 else ""
    return f"{prefix}/zip:{shown}{suffix}"


def _entry(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, part: str, archive: Archive, expand: Expand
) -> list[Candidate]:
    filename = names.sanitize(info.filename)
    declared = mimetypes.guess_type(filename or "")[0] or "application/octet-stream"
    if _is_mac_metadata(info.filename):
        flag = Flag("NOT_INVOICE_NOISE", "macOS file metadata, not a document", Severity.INFO)
        return [Candidate(part, b"", filename, declared, flag, archive.email)]
    if info.flag_bits & 0x1:
        reason = "the entry is password-protected; ask the sender for an unprotected copy"
        flag = Flag("ARCHIVE_ENCRYPTED", reason, Severity.WARNING)
        return [Candidate(part, _raw_entry(zf, info), filename, declared, flag, archive.email)]
    try:
        data = zf.read(info)
    except (zipfile.BadZipFile, NotImplementedError, zlib.error, EOFError, OSError) as exc:
        flag = Flag("ARCHIVE_UNREADABLE", f"could not read this archive entry: {exc}")
        return [Candidate(part, _raw_entry(zf, info), filename, declared, flag, archive.email)]
    return expand(data, filename, declared, part)


def _is_mac_metadata(entry_name: str) -> bool:
    base = entry_name.rsplit("/", 1)[-1]
    return entry_name.startswith(_MAC_METADATA) or base.startswith("._") or base == ".DS_Store"


def _raw_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Return an entry's stored (still compressed or encrypted) bytes, for its identity."""
    fp = zf.fp
    if fp is None:
        return b""
    try:
        fp.seek(info.header_offset)
        fields = _LOCAL_HEADER.unpack(fp.read(_LOCAL_HEADER.size))
        fp.seek(fields[-2] + fields[-1], io.SEEK_CUR)  # skip name and extra field
        return fp.read(info.compress_size)
    except (struct.error, OSError, ValueError):
        return b""


def _whole(archive: Archive, flag: Flag) -> Candidate:
    return Candidate(
        part=archive.part,
        data=archive.data,
        filename=archive.filename,
        content_type="application/zip",
        skip_reason=flag,
        email=archive.email,
    )
