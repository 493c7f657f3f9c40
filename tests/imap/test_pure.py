"""Pure functions of the IMAP source, table-style: bytes or numbers in, value out."""

from __future__ import annotations

import pytest

from daemon.sources.imap import Backoff
from daemon.sources.imap import header_message_id
from daemon.sources.imap import plan_batches


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"Message-ID: <a@b>\r\nSubject: x\r\n\r\nbody", "a@b"),
        (b"Subject: x\nMessage-Id:  <a@b> \n\nbody", "a@b"),
        (b"Message-ID:\r\n <folded@b>\r\n\r\n", "folded@b"),
        (b"Subject: x\r\n\r\nMessage-ID: <in-body@b>\r\n", None),
        (b"Message-ID: <>\r\n\r\n", None),
        (b"", None),
        (b"Message-ID: bare-id@b\r\n\r\n", "bare-id@b"),
    ],
)
def test_header_message_id(raw: bytes, expected: str | None) -> None:
    assert header_message_id(raw) == expected


def test_header_message_id_ignores_a_huge_body() -> None:
    raw = b"Message-ID: <x@y>\r\n\r\n" + b"A" * 5_000_000
    assert header_message_id(raw) == "x@y"


@pytest.mark.parametrize(
    ("sizes", "max_bytes", "max_count", "expected"),
    [
        ({}, 10, 5, []),
        ({1: 3, 2: 3, 3: 3, 4: 3}, 10, 5, [[1, 2, 3], [4]]),
        ({3: 1, 1: 1, 2: 1}, 10, 2, [[1, 2], [3]]),
        ({1: 50, 2: 1, 3: 1}, 10, 5, [[1], [2, 3]]),
        ({1: 1, 2: 50, 3: 1}, 10, 5, [[1], [2], [3]]),
        ({1: 10, 2: 10}, 10, 5, [[1], [2]]),
    ],
)
def test_plan_batches(
    sizes: dict[int, int], max_bytes: int, max_count: int, expected: list[list[int]]
) -> None:
    assert plan_batches(sizes, max_bytes=max_bytes, max_count=max_count) == expected


@pytest.mark.parametrize(
    ("failures", "low", "high"),
    [(1, 0.5, 1.0), (2, 1.0, 2.0), (5, 8.0, 16.0), (9, 128.0, 256.0), (40, 150.0, 300.0)],
)
def test_backoff_doubles_with_jitter_up_to_the_cap(failures: int, low: float, high: float) -> None:
    backoff = Backoff(base_s=1.0, cap_s=300.0)
    delays = [backoff.next_delay() for _ in range(failures)]
    assert low <= delays[-1] <= high
    assert backoff.failures == failures


def test_backoff_reset_and_cap() -> None:
    backoff = Backoff(base_s=1.0, cap_s=300.0)
    for _ in range(6):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() <= 1.0
    assert backoff.next_delay(at_least_cap=True) == 300.0
