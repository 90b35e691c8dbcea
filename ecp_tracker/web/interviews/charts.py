"""The themes chart as an SVG document (matplotlib's object API): for each theme, the share of converted and
of not-converted interviewed accounts that raised it, side by side."""

from __future__ import annotations

from ecp_tracker.domain.interviews import Outcome
from ecp_tracker.services.interviews.themes import ThemeReport, ThemeRow
from ecp_tracker.web.charts import INK, MUTED, NARROW_WIDTH, svg_bytes

CONVERTED = "#047857"
NOT_CONVERTED = "#b91c1c"
GRID = "#e5e7eb"
BAR = 0.38


def row_label(row: ThemeRow, *, with_kind: bool, width: int = 44) -> str:
    """The theme (and kind) as a tick label: shortened, and with `$` escaped so that matplotlib does not read
    "$5k to $10k" as mathematics."""
    text = f"{row.theme} · {row.kind.label.lower()}" if with_kind else row.theme
    text = text if len(text) <= width else text[: width - 1] + "…"
    return text.replace("$", r"\$")


def themes_chart(report: ThemeReport, *, limit: int = 15, narrow: bool = False) -> bytes:
    """Horizontal bars, two per theme (the most widely raised first): the share of converted and of
    not-converted interviewed accounts that raised it, each labelled "n of N". For a phone (`narrow`) the
    chart is as wide as the screen, each theme's name written above its bars, the legend one per line."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    rows = report.rows[:limit]
    with_kind = len({row.kind for row in rows}) > 1
    step = 1.6 if narrow else 1.0  # on a phone each theme has a line of its own for its name
    size = 9 if narrow else 7.5
    figure = Figure(figsize=(NARROW_WIDTH if narrow else 9, 1.3 + 0.55 * step * max(len(rows), 1)))
    axes = figure.subplots()
    groups = ((Outcome.CONVERTED, CONVERTED, -BAR / 2), (Outcome.NOT_CONVERTED, NOT_CONVERTED, BAR / 2))
    open_population = report.population.by_outcome[Outcome.OPEN]
    for number, row in enumerate(rows):
        index = number * step
        if narrow:
            label = row_label(row, with_kind=with_kind, width=48)
            axes.text(0, index - BAR - 0.08, label, va="bottom", fontsize=size + 0.5, color=INK)
        if (
            not row.by_outcome[Outcome.CONVERTED].accounts
            and not row.by_outcome[Outcome.NOT_CONVERTED].accounts
        ):
            opened = row.by_outcome[Outcome.OPEN].accounts
            note = f"raised only by accounts still open ({opened} of {open_population})"
            axes.text(1, index, note, va="center", fontsize=size, color=MUTED, style="italic")
            continue
        for outcome, colour, offset in groups:
            share = report.share(row, outcome)
            value = (share.value or 0) * 100
            axes.barh(index + offset, value, height=BAR, color=colour, alpha=0.9)
            text = f"{share.accounts} of {share.interviewed}" if share.interviewed else "none interviewed"
            axes.text(value + 1, index + offset, text, va="center", fontsize=size, color=INK)
    if not rows:
        axes.text(50, 0, "No findings match", ha="center", va="center", color=MUTED)
    if narrow:
        axes.set_yticks([])
        axes.set_ylim((max(len(rows), 1) - 1) * step + 0.5, -1.1)
    else:
        axes.set_yticks(range(len(rows)), labels=[row_label(r, with_kind=with_kind) for r in rows])
        axes.set_ylim(max(len(rows), 1) - 0.5, -0.5)
    axes.set_xlim(0, 118)
    axes.set_xticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"])
    axes.set_xlabel(
        "Share of each group that raised it"
        if narrow
        else "Share of the interviewed accounts in each group that raised the theme",
        fontsize=9,
        color=MUTED,
    )
    axes.grid(axis="x", color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=INK, labelsize=8.5)
    population = report.population.by_outcome
    handles = [
        Patch(color=CONVERTED, label=f"Converted ({population[Outcome.CONVERTED]} interviewed)"),
        Patch(color=NOT_CONVERTED, label=f"Not converted ({population[Outcome.NOT_CONVERTED]} interviewed)"),
    ]
    axes.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.01),
        ncol=1 if narrow else 2,
        frameon=False,
        fontsize=8.5,
    )
    return svg_bytes(figure)
