"""Pilot charts as SVG documents (matplotlib's object API): the timeline of pilots and pilots per month."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from ecp_tracker.domain.pilots import PilotStatus
from ecp_tracker.models import Pilot
from ecp_tracker.services.pilots.board import MonthCount
from ecp_tracker.web.charts import BRAND, INK, MUTED, NARROW_WIDTH, svg_bytes

STATUS_COLOURS = {
    PilotStatus.PLANNED.value: "#d97706",
    PilotStatus.ACTIVE.value: BRAND,
    PilotStatus.EXTENDED.value: "#7c3aed",
    PilotStatus.SUCCEEDED.value: "#047857",
    PilotStatus.FAILED.value: "#b91c1c",
    PilotStatus.CANCELLED.value: "#9ca3af",
}
OVERDUE = "#dc2626"
GRID = "#e5e7eb"


def _label(pilot: Pilot, width: int = 42) -> str:
    text = f"{pilot.name} · {pilot.account.name}"
    return text if len(text) <= width else text[: width - 1] + "…"


def _style(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(colors=INK, labelsize=8.5)
    axes.set_axisbelow(True)


def timeline_chart(pilots: Sequence[Pilot], today: date, *, months: int = 12, narrow: bool = False) -> bytes:
    """A bar per pilot from its start to its end (or planned end), coloured by status; running pilots past
    their planned end get a hatched overdue stretch up to today; a line marks today. For a phone (`narrow`):
    the last four months, shorter labels, the legend in two columns."""
    from matplotlib.dates import DateFormatter, MonthLocator, date2num
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    months = min(months, 4) if narrow else months
    window_start = today - timedelta(days=30 * months)
    horizon = today + timedelta(days=30)
    for pilot in pilots:
        end = pilot.end_date or pilot.planned_end_date
        if end and end > horizon:
            horizon = min(end, today + timedelta(days=180))
    rows = max(len(pilots), 1)
    figure = Figure(figsize=(NARROW_WIDTH - 1.3 if narrow else 10, 1.2 + 0.3 * rows))
    axes = figure.subplots()
    left, right = date2num(window_start), date2num(horizon + timedelta(days=5))
    for row, pilot in enumerate(pilots):
        start = max(pilot.start_date or today, window_start)
        end = pilot.end_date or pilot.planned_end_date or today
        end = max(min(end, horizon), start)
        colour = STATUS_COLOURS.get(pilot.status, MUTED)
        planned = pilot.status == PilotStatus.PLANNED.value
        axes.barh(
            row,
            max(date2num(end) - date2num(start), 1),
            left=date2num(start),
            height=0.62,
            color=colour,
            alpha=0.45 if planned else 0.9,
        )
        running = PilotStatus(pilot.status).is_running
        if running and pilot.planned_end_date and pilot.planned_end_date < today:
            overdue_from = max(pilot.planned_end_date, window_start)
            axes.barh(
                row,
                date2num(today) - date2num(overdue_from),
                left=date2num(overdue_from),
                height=0.62,
                color="white",
                edgecolor=OVERDUE,
                hatch="///",
                linewidth=0.8,
            )
    if not pilots:
        axes.text(
            (left + right) / 2, 0, "No pilots in the last 12 months", ha="center", va="center", color=MUTED
        )
    axes.axvline(date2num(today), color=INK, linewidth=1.2, linestyle="--")
    axes.text(date2num(today), rows - 0.45, " today", color=INK, fontsize=8.5, va="bottom")
    axes.set_xlim(left, right)
    axes.set_ylim(rows - 0.4, -0.6)
    axes.set_yticks(range(len(pilots)), labels=[_label(p, 22 if narrow else 42) for p in pilots])
    axes.xaxis.set_major_locator(MonthLocator())
    axes.xaxis.set_major_formatter(DateFormatter("%b %y"))
    axes.grid(axis="x", color=GRID, linewidth=0.8)
    _style(axes)
    shown = [s for s in PilotStatus if any(p.status == s.value for p in pilots)]
    handles = [Patch(color=STATUS_COLOURS[s.value], label=s.label) for s in shown]
    if any(
        PilotStatus(p.status).is_running and p.planned_end_date and p.planned_end_date < today for p in pilots
    ):
        handles.append(Patch(facecolor="white", edgecolor=OVERDUE, hatch="///", label="Past planned end"))
    if handles:
        axes.legend(
            handles=handles,
            loc="lower left",
            bbox_to_anchor=(0, 1.01),
            ncol=2 if narrow else min(len(handles), 7),
            frameon=False,
            fontsize=8.5,
            handlelength=1.4,
            columnspacing=1.2,
        )
    return svg_bytes(figure)


def per_month_chart(counts: Sequence[MonthCount], *, narrow: bool = False) -> bytes:
    """Pilots started and pilots converted per calendar month, side by side: months along the bottom, or, for
    a phone (`narrow`), one row per month."""
    from matplotlib.figure import Figure

    labels = [date(c.year, c.month, 1).strftime("%b %y") for c in counts]
    top = max([c.started for c in counts] + [c.converted for c in counts] + [1])
    series = (
        ("Started", BRAND, -0.2, [c.started for c in counts]),
        ("Converted", "#047857", 0.2, [c.converted for c in counts]),
    )
    positions = range(len(counts))
    if narrow:
        figure = Figure(figsize=(NARROW_WIDTH, 1.1 + 0.36 * max(len(counts), 1)))
        axes = figure.subplots()
        for label, colour, offset, values in series:
            axes.barh([y + offset for y in positions], values, height=0.38, color=colour, label=label)
            for y, value in zip(positions, values, strict=True):
                if value:
                    axes.text(value, y + offset, f" {value}", va="center", fontsize=8, color=INK)
        axes.set_yticks(list(positions), labels=labels)
        axes.invert_yaxis()
        axes.set_xlim(0, top * 1.25 + 0.5)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.grid(axis="x", color=GRID, linewidth=0.8)
        axes.legend(frameon=False, fontsize=8.5, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2)
    else:
        figure = Figure(figsize=(8, 2.8))
        axes = figure.subplots()
        for label, colour, offset, values in series:
            axes.bar([x + offset for x in positions], values, width=0.38, color=colour, label=label)
            for x, value in zip(positions, values, strict=True):
                if value:
                    axes.text(
                        x + offset, value, str(value), ha="center", va="bottom", fontsize=7.5, color=INK
                    )
        axes.set_xticks(list(positions), labels=labels)
        axes.set_ylim(0, top * 1.18 + 0.5)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.grid(axis="y", color=GRID, linewidth=0.8)
        axes.legend(frameon=False, fontsize=8.5, loc="upper left", ncol=2)
    _style(axes)
    return svg_bytes(figure)
