"""The analysis charts: a forest plot of effects, and per trait value its rates, spread or survival curves."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ecp_tracker.services.analysis.analysis import Report
from ecp_tracker.services.analysis.detail import GroupRates, ValueDetail
from ecp_tracker.services.analysis.outcomes import OutcomeKind
from ecp_tracker.web.charts import BRAND, INK, MUTED, NARROW_WIDTH, svg_bytes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

COLOURS = {
    "graduate": "#15803d",
    "exclude": "#b91c1c",
    "confounded": "#c2410c",
    "promising": "#1d4ed8",
    "no_evidence": "#6b7280",
    "insufficient_data": "#9ca3af",
}
OTHERS = "#9ca3af"
MAX_ROWS = 40


def _tidy(axes: Axes, title: str, xlabel: str) -> None:
    axes.set_title(title, loc="left", fontsize=11, color=INK)
    axes.set_xlabel(xlabel, fontsize=9, color=MUTED)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="x", color="#e5e7eb", linewidth=0.8)
    axes.set_axisbelow(True)


def _effect(result: dict[str, Any], kind: OutcomeKind, stratified: bool) -> tuple[Any, Any, Any]:
    """(estimate, low, high) of the primary effect; crude when the adjusted one is missing."""
    if kind is OutcomeKind.CONTINUOUS:
        names = ("probability_greater", "probability_greater_ci")
    elif kind is OutcomeKind.TIME_TO_EVENT:
        names = (
            ("adjusted_hazard_ratio", "adjusted_hazard_ratio_ci")
            if stratified
            else ("hazard_ratio", "hazard_ratio_ci")
        )
    else:
        names = (
            ("adjusted_odds_ratio", "adjusted_odds_ratio_ci")
            if stratified
            else ("odds_ratio", "odds_ratio_ci")
        )
    estimate, interval = result.get(names[0]), result.get(names[1]) or [None, None]
    return estimate, interval[0], interval[1]


def effect_rows(report: Report) -> list[tuple[dict[str, Any], Any, Any, Any]]:
    """The forest plot's rows as data (result, estimate, low, high): the table shown instead on a phone."""
    kind = report.outcome.kind
    stratified = report.stratify_by is not None
    rows = [(r, *_effect(r, kind, stratified)) for r in report.to_json()["results"]]
    return [row for row in rows if row[1] is not None][:MAX_ROWS]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def forest_plot(report: Report) -> bytes:
    """Every tested value's effect with its interval, sorted by evidence, coloured by recommendation."""
    from matplotlib.figure import Figure

    kind = report.outcome.kind
    stratified = report.stratify_by is not None
    rows = [r for r in report.to_json()["results"] if _effect(r, kind, stratified)[0] is not None][:MAX_ROWS]
    log_scale = kind is not OutcomeKind.CONTINUOUS
    figure = Figure(figsize=(8, 1.2 + 0.32 * max(len(rows), 1)))
    axes = figure.subplots()
    if not rows:
        axes.text(
            0.5, 0.5, "Nothing could be tested yet: record more decided accounts.", ha="center", color=MUTED
        )
        axes.set_axis_off()
        return svg_bytes(figure)
    low_edge, high_edge = (1 / 64, 64) if log_scale else (0.0, 1.0)
    for row, result in enumerate(rows):
        estimate, low, high = _effect(result, kind, stratified)
        colour = COLOURS.get(result["recommendation"], MUTED)
        low = low_edge if low is None or (log_scale and low <= low_edge) else low
        high = high_edge if high is None or high >= high_edge else high
        estimate = min(max(estimate, low_edge), high_edge)
        axes.plot([low, high], [row, row], color=colour, linewidth=2.2, alpha=0.6)
        axes.plot([estimate], [row], "o", color=colour, markersize=6)
        if stratified and kind is OutcomeKind.BINARY and result.get("odds_ratio") is not None:
            crude = min(max(result["odds_ratio"], low_edge), high_edge)
            axes.plot([crude], [row], "o", markerfacecolor="none", markeredgecolor=OTHERS, markersize=6)
    reference = 0.5 if kind is OutcomeKind.CONTINUOUS else 1.0
    axes.axvline(reference, color=INK, linewidth=0.8)
    if log_scale:
        axes.set_xscale("log", base=2)
        axes.set_xlim(low_edge, high_edge)
        ticks = [1 / 16, 1 / 4, 1, 4, 16]
        axes.set_xticks(ticks, labels=["1/16", "1/4", "1", "4", "16"])
    else:
        axes.set_xlim(0, 1)
    labels = [_sentence(f"{report.label_of(r['trait'])}: {r['value']}")[:48] for r in rows]
    axes.set_yticks(range(len(rows)), labels=labels, fontsize=8)
    axes.invert_yaxis()
    xlabel = {
        OutcomeKind.BINARY: "Odds ratio with 95% interval (log scale; right of 1 = more likely)"
        + ("; hollow dot: before adjustment" if stratified else ""),
        OutcomeKind.CONTINUOUS: "Probability that an account with the value scores higher than one without",
        OutcomeKind.TIME_TO_EVENT: "Hazard ratio of churn, 95% interval (log scale; left of 1 = churns less)",
    }[kind]
    _tidy(axes, f"{report.outcome.label}: every trait value tested", xlabel)
    return svg_bytes(figure)


def value_chart(report: Report, detail: ValueDetail, *, narrow: bool = False) -> bytes:
    """The value's chart for its outcome kind; `narrow` draws it about as wide as a phone's screen, without
    the title the page's heading already gives."""
    if detail.kind is OutcomeKind.BINARY:
        return _rates_chart(report, detail, narrow)
    if detail.kind is OutcomeKind.CONTINUOUS:
        return _spread_chart(report, detail, narrow)
    return _survival_chart(report, detail, narrow)


def _width(narrow: bool) -> float:
    return NARROW_WIDTH - 0.8 if narrow else 8  # on a phone the labels left of the axes need the rest


def _rates_chart(report: Report, detail: ValueDetail, narrow: bool) -> bytes:
    """Rate with the value and without it, overall and within each stratum, with Wilson intervals."""
    from matplotlib.figure import Figure

    groups: list[GroupRates] = [g for g in (detail.crude, *detail.strata) if g is not None]
    figure = Figure(figsize=(_width(narrow), 1.4 + 0.55 * len(groups)))
    axes = figure.subplots()
    for row, group in enumerate(groups):
        for offset, rate, colour, name in (
            (-0.15, group.rate_with, BRAND, f"with {detail.value}"),
            (0.15, group.rate_without, OTHERS, "the rest"),
        ):
            if rate is None:
                continue
            axes.plot(
                [rate.low * 100, rate.high * 100], [row + offset] * 2, color=colour, linewidth=2.4, alpha=0.5
            )
            axes.plot(
                [rate.value * 100],
                [row + offset],
                "o",
                color=colour,
                markersize=6,
                label=name if row == 0 else None,
            )
            axes.text(
                rate.high * 100 + 1.5,
                row + offset,
                f"{rate.value:.0%} ({rate.successes}/{rate.total})",
                va="center",
                fontsize=8,
                color=INK,
            )
    labels = ["All accounts" if not g.label else g.label for g in groups]
    axes.set_yticks(range(len(groups)), labels=labels, fontsize=9)
    axes.set_xlim(0, 125)
    axes.set_xticks([0, 25, 50, 75, 100], labels=["0%", "25%", "50%", "75%", "100%"])
    axes.invert_yaxis()
    axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=8, frameon=False)
    _tidy(
        axes,
        "" if narrow else f"{report.outcome.label}: {detail.label} {detail.value} vs the rest",
        "Rate with 95% Wilson interval",
    )
    return svg_bytes(figure)


def _spread_chart(report: Report, detail: ValueDetail, narrow: bool) -> bytes:
    """Box plot with every account as a dot, for the accounts with the value and the rest."""
    import numpy as np
    from matplotlib.figure import Figure

    figure = Figure(figsize=(_width(narrow), 2.8))
    axes = figure.subplots()
    groups = [list(detail.with_values), list(detail.without_values)]
    present = [(i, g) for i, g in enumerate(groups) if g]
    if present:
        axes.boxplot(
            [g for _, g in present],
            positions=[i for i, _ in present],
            orientation="horizontal",
            widths=0.5,
            showfliers=False,
        )
    jitter = np.random.default_rng(7)  # fixed seed: the same chart for the same data
    for i, values in present:
        axes.plot(
            values,
            i + jitter.uniform(-0.18, 0.18, len(values)),
            "o",
            color=BRAND if i == 0 else OTHERS,
            alpha=0.5,
            markersize=4,
        )
    axes.set_yticks([0, 1], labels=[f"with {detail.value}"[:40], "the rest"])
    axes.set_ylim(-0.6, 1.6)
    axes.invert_yaxis()
    title = "" if narrow else f"{report.outcome.label}: {detail.label} {detail.value} vs the rest"
    _tidy(axes, title, report.outcome.label)
    return svg_bytes(figure)


def _survival_chart(report: Report, detail: ValueDetail, narrow: bool) -> bytes:
    """Kaplan-Meier curves of staying a customer, with and without the value."""
    from matplotlib.figure import Figure

    from ecp_tracker.analysis.survival import km_curve

    durations = detail.durations
    figure = Figure(figsize=(_width(narrow), 3.6))
    axes = figure.subplots()
    if durations is not None:
        for times, events, colour, name in (
            (durations.with_times, durations.with_events, BRAND, f"with {detail.value}"),
            (durations.without_times, durations.without_events, OTHERS, "the rest"),
        ):
            if not times:
                continue
            points = km_curve(times, events)
            xs = [0.0] + [p.time for p in points]
            ys = [1.0] + [p.survival for p in points]
            axes.step(xs, ys, where="post", color=colour, label=f"{name} ({len(times)})")
            lows = [1.0] + [
                p.low if p.low is not None and math.isfinite(p.low) else p.survival for p in points
            ]
            highs = [1.0] + [
                p.high if p.high is not None and math.isfinite(p.high) else p.survival for p in points
            ]
            axes.fill_between(xs, lows, highs, step="post", color=colour, alpha=0.12)
    axes.set_ylim(0, 1.05)
    axes.set_yticks([0, 0.25, 0.5, 0.75, 1], labels=["0%", "25%", "50%", "75%", "100%"])
    axes.legend(loc="lower left", fontsize=8, frameon=False)
    title = "" if narrow else f"Still a customer: {detail.label} {detail.value} vs the rest"
    _tidy(axes, title, "Days since conversion")
    return svg_bytes(figure)
