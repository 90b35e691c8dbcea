"""A list page's CSV export as a download: streamed while the service writes it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context

from ecp_tracker.db import get_session


def csv_download(chunks: Iterable[str], filename: str) -> Response:
    """`chunks` of CSV text sent as the attachment `filename`; the stream keeps the request context.

    The request's session is closed when the view returns, and the stream then reads through it again, which
    checks out a fresh connection. However the stream ends (completed, client gone, a chunk failed), the
    session is closed once more so that connection goes back to the pool instead of waiting for the garbage
    collector.
    """
    session = get_session()

    def guarded() -> Iterator[str]:
        try:
            yield from chunks
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
            session.close()

    return Response(
        stream_with_context(guarded()),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
