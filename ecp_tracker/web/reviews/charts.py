"""The ICP feedback loop over time as an SVG document: each review's share of the month's new accounts and
conversions that sat in the top tier, against the target."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ecp_tracker.web.charts import BRAND, INK, MUTED, NARROW_WIDTH, svg_bytes

CONVERSIONS = "#047857"
SERIES = (
    ("new_accounts", "New accounts in the top tier", BRAND),
    ("conversions", "Conversions", CONVERSIONS),
)


def feedback_chart(rows: Sequence[dict[str, Any]], *, narrow: bool = False) -> bytes:
    """One point per review (oldest first); a month without accounts of a kind leaves a gap in its line. For a
    phone (`narrow`) the chart is as wide as the screen, its months slanted and its legend one per line."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(NARROW_WIDTH, 3.4) if narrow else (7.5, 3.2))
    axes = figure.subplots()
    periods = [row["period"] for row in rows]
    positions = range(len(rows))
    for key, label, colour in SERIES:
        values = [None if row.get(key) is None else row[key] * 100 for row in rows]
        axes.plot(
            positions, [float("nan") if v is None else v for v in values], "o-", color=colour, label=label
        )
    targets = [row.get("target") for row in rows]
    if any(t is not None for t in targets):
        axes.plot(
            positions,
            [float("nan") if t is None else t * 100 for t in targets],
            "--",
            color=MUTED,
            label="Target",
        )
    if not rows:
        axes.text(0.5, 50, "No review yet", ha="center", va="center", color=MUTED)
    axes.set_xticks(
        list(positions), labels=periods, rotation=45 if narrow else 0, ha="right" if narrow else "center"
    )
    axes.set_xlim(-0.5, max(len(rows), 1) - 0.5)
    axes.set_ylim(0, 105)
    axes.set_yticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"])
    axes.set_ylabel("Share in the top tier", fontsize=9, color=MUTED)
    axes.grid(axis="y", color="#e5e7eb", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=INK, labelsize=8.5)
    axes.legend(
        loc="lower left", bbox_to_anchor=(0, 1.01), ncol=1 if narrow else 3, frameon=False, fontsize=8.5
    )
    return svg_bytes(figure)
