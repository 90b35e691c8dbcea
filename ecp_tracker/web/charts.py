"""Charts as SVG documents (matplotlib's object API, no pyplot state), served for <img> tags."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ecp_tracker.analysis.proportions import Rate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

INK = "#1f2937"
MUTED = "#6b7280"
BRAND = "#1d4ed8"
# A chart drawn for a phone (`?layout=narrow`, chosen by the page's <picture> below 40rem) is about as wide as
# the screen, so its text is shown near its drawn size instead of being shrunk to a third of it.
NARROW_WIDTH = 3.9


def narrow_layout() -> bool:
    """Whether the request asks for the phone layout of a chart."""
    from flask import request

    return request.args.get("layout") == "narrow"


def svg_bytes(figure: Figure) -> bytes:
    """The figure as an SVG document. matplotlib is imported only where a chart is drawn (it is large)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def rates_chart(
    labels: Sequence[str], rates: Sequence[Rate | None], *, title: str, narrow: bool = False
) -> bytes:
    """Horizontal dots with Wilson intervals, one row per label; rows without decided accounts say so. For a
    phone (`narrow`), about as wide as the screen."""
    from matplotlib.figure import Figure

    height = 0.9 + 0.45 * max(len(labels), 1)
    figure = Figure(figsize=(NARROW_WIDTH - 1.2 if narrow else 7.5, height))
    axes = figure.subplots()
    for row, rate in enumerate(rates):
        if rate is None:
            axes.text(0.01, row, "no decided accounts yet", va="center", color=MUTED, fontsize=9)
            continue
        axes.plot([rate.low * 100, rate.high * 100], [row, row], color=BRAND, linewidth=2.5, alpha=0.45)
        axes.plot([rate.value * 100], [row], "o", color=BRAND, markersize=7)
        axes.text(
            rate.high * 100 + 1.5,
            row,
            f"{rate.value:.0%}  ({rate.successes} of {rate.total})",
            va="center",
            fontsize=9,
            color=INK,
        )
    axes.set_yticks(range(len(labels)), labels=list(labels))
    axes.set_xlim(0, 125)
    axes.set_xticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"])
    axes.invert_yaxis()
    axes.set_title(title, loc="left", fontsize=11, color=INK)
    xlabel = (
        "Conversion, 95% Wilson interval"
        if narrow
        else "Conversion among decided accounts, with 95% Wilson interval"
    )
    axes.set_xlabel(xlabel, fontsize=9, color=MUTED)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="x", color="#e5e7eb", linewidth=0.8)
    axes.set_axisbelow(True)
    return svg_bytes(figure)
