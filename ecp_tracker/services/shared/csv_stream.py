"""Streaming CSV: rows in, text chunks out, each with the number of data rows it holds."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

CHUNK_ROWS = 500  # data rows per yielded text chunk


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, chunk_rows: int = CHUNK_ROWS
) -> Iterator[tuple[str, int]]:
    """The header as a chunk of its own (0 rows), then chunks of `chunk_rows` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(header)
    yield take(), 0
    pending: list[Sequence[str]] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= chunk_rows:
            writer.writerows(pending)  # one call per chunk: much cheaper than one per row
            yield take(), len(pending)
            pending = []
    if pending:
        writer.writerows(pending)
        yield take(), len(pending)


def write_chunks(chunks: Iterable[tuple[str, int]], out: TextIO) -> int:
    """Write every chunk to `out`; returns the number of data rows written."""
    total = 0
    for text, count in chunks:
        out.write(text)
        total += count
    return total
