"""A review as Markdown, for the meeting notes: the month's numbers, the feedback loop, the candidates with
their evidence, looks and readiness, the decisions (marked when against the evidence), the snapshot hash."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ecp_tracker.models import Review
from ecp_tracker.services.experiments import experiments
from ecp_tracker.services.reviews import reviews
from ecp_tracker.services.shared import raw_input

NUMBER_LABELS = {
    "new_accounts": "New accounts",
    "pilots_started": "Pilots started",
    "pilots_ended": "Pilots ended",
    "conversions": "Conversions",
    "losses": "Losses",
    "testimonials_collected": "Testimonials collected",
    "discount_value_granted": "Discount value granted",
    "promises_overdue": "Promises overdue",
}
SHARE_LABELS = {
    "new_accounts": "New accounts",
    "pilots_started": "Pilots started",
    "conversions": "Conversions",
}


def _cell(value: Any) -> str:
    return str(value if value is not None else "—").replace("|", "\\|").replace("\n", " ")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def to_markdown(session: Session, review: Review) -> str:
    snap = review.snapshot
    version = snap.get("icp_version")
    lines = [
        f"# ECP to ICP review, {review.period}"
        + (f" (revision {review.revision})" if review.revision > 1 else ""),
        "",
        f"- Status: {review.status}" + (f", {review.finalised_at:%Y-%m-%d}" if review.finalised_at else ""),
        f"- Data cut-off: {snap.get('cutoff')} (UTC)",
        f"- ICP in force: version {version['number']}, {version['name']}"
        if version
        else "- ICP in force: none",
        f"- Snapshot SHA-256: `{review.snapshot_sha256}`",
    ]
    if review.attendees:
        lines.append(f"- Attendees: {_cell(review.attendees)}")
    lines += ["", "## The month", "", "| | |", "|---|---:|"]
    lines += [f"| {label} | {_cell(snap['numbers'].get(key))} |" for key, label in NUMBER_LABELS.items()]
    feedback = snap.get("feedback")
    if feedback:
        top = feedback["top_tier"]
        lines += ["", f"## Feedback loop (top tier {top}, target {_pct(feedback['target_share'])})", ""]
        lines += ["| | In the top tier | Share |", "|---|---:|---:|"]
        for key, label in SHARE_LABELS.items():
            share = feedback["shares"].get(key) or {}
            lines.append(
                f"| {label} | {share.get('in_top', 0)} of {share.get('total', 0)} | "
                f"{_pct(share.get('share'))} |"
            )
        lines += ["", "| Tier | Decided | Converted | Rate (95% interval) |", "|---|---:|---:|---|"]
        for row in feedback["by_tier"]:
            ci = row["rate_ci"]
            interval = f" ({_pct(ci[0])} to {_pct(ci[1])})" if ci else ""
            lines.append(
                f"| {row['tier']} | {row['decided']} | {row['converted']} | {_pct(row['rate'])}{interval} |"
            )
        if feedback.get("top_tier_stops_out_converting"):
            lines += ["", f"**Warning:** tier {top} no longer converts better than the other accounts."]
    discussed = experiments.discussed_in(session, review.id, raw_input.today())
    if discussed:
        lines += ["", "## Experiments discussed", ""]
        for experiment, result in discussed:
            verdict = f"{result.verdict.label}: {result.explanation}" if result else "not started"
            lines.append(
                f"- {_cell(experiment.name)} ({experiment.target_label}, {experiment.status}): {verdict}"
            )
    lines += ["", "## Candidates", ""]
    found = reviews.candidates(session, review)
    if not found:
        lines.append("No trait value is a candidate this month.")
    else:
        lines += [
            "| Trait | Value | With | Without | Odds ratio | q | Engine | Looks | Ready | Decision |",
            "|---|---|---:|---:|---:|---:|---|---:|---|---|",
        ]
        for c in found:
            r = c.result
            decision = c.decision.decision if c.decision else "—"
            if c.decision and c.decision.against_evidence:
                decision += " (against the evidence)"
            lines.append(
                f"| {_cell(c.label)} | {_cell(c.value)} | {_pct(r.get('rate_with'))} of {r.get('n_with')} | "
                f"{_pct(r.get('rate_without'))} of {r.get('n_without')} | {_num(r.get('odds_ratio'))} | "
                f"{_num(r.get('adjusted_q_value') or r.get('q_value'))} | {r.get('recommendation')} | "
                f"{c.looks} | {c.ready or 'not yet'} | {decision} |"
            )
    if review.decisions:
        labels = reviews.trait_labels_of(review)
        lines += ["", "## Decisions", ""]
        for d in review.decisions:
            extra = f", revisit on {d.revisit_on:%Y-%m-%d}" if d.revisit_on else ""
            extra += f", {d.points} points" if d.points else ""
            against = " **Against the evidence.**" if d.against_evidence else ""
            by = f" Decided by {_cell(d.deciders)}." if d.deciders else ""
            trait = _cell(labels.get(d.trait, d.trait))
            lines.append(
                f"- **{trait} = {_cell(d.value)}: {d.decision}**{extra}.{against} {_cell(d.rationale)}{by}"
            )
    if review.notes:
        lines += ["", "## Notes", "", review.notes]
    return "\n".join(lines) + "\n"


def _num(value: Any) -> str:
    return "—" if value is None else f"{value:.3g}"
