"""The one-page ICP of a version: criteria with points and evidence, exclusions, tiers with today's counts and
conversion, the publishable proof (testimonials with current public consent) per archetype of top-tier
accounts, and the interview themes (pains, triggers) most common among top-tier accounts; also as Markdown."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ecp_tracker.domain.interviews import FindingKind
from ecp_tracker.models import (
    Account,
    Archetype,
    IcpVersion,
    Interview,
    InterviewFinding,
    ReviewDecision,
    Testimonial,
    account_archetypes,
)
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.icp.criteria import spec_of
from ecp_tracker.services.icp.quality import Sorting, sorting_quality
from ecp_tracker.services.icp.scoring import Scorer, tier_counts
from ecp_tracker.services.testimonials.testimonials import publicly_shown_clause

THEME_KINDS = (FindingKind.PAIN_POINT, FindingKind.DECISION_TRIGGER)
TOP_THEMES = 5
PROOF_PER_ARCHETYPE = 3


@dataclass(frozen=True)
class Proof:
    account: str
    kind: str
    body: str


@dataclass(frozen=True)
class OnePage:
    version: IcpVersion
    counts: dict[str, int]
    sorting: Sorting
    proof: dict[str, list[Proof]]  # archetype -> publishable testimonials of top-tier accounts
    themes: dict[str, list[tuple[str, int]]]  # finding kind -> (theme, accounts) most common in the top tier
    top_tier: str | None
    on: date
    decided: dict[int, str]  # criterion id -> the review decision that put it there, in words

    def decision_note(self, criterion: Any) -> str:
        return self.decided.get(criterion.id, "")

    def markdown(self) -> str:
        v = self.version
        lines = [
            f"# ICP version {v.number}: {v.name}",
            "",
            f"Status: {v.status} · as of {self.on.isoformat()}",
        ]
        if v.narrative:
            lines += ["", v.narrative]
        lines += [
            "",
            "## Criteria",
            "",
            "| Trait | Value | Points | Evidence when added |",
            "|---|---|---|---|",
        ]
        for c in v.criteria:
            if not c.exclude:
                lines.append(
                    f"| {c.trait} | {_md(spec_of(c).describe())} | {c.points:+d} | {_evidence(c.evidence)}"
                    f"{' · ' + _md(self.decision_note(c)) if self.decision_note(c) else ''} |"
                )
        exclusions = [c for c in v.criteria if c.exclude]
        lines += ["", "## Exclusions (anti-ICP)", ""]
        lines += [
            f"- {c.trait} = {_md(spec_of(c).describe())}: {_evidence(c.evidence)}"
            + (f" · {_md(self.decision_note(c))}" if self.decision_note(c) else "")
            for c in exclusions
        ] or ["- none"]
        rates = {r.tier: r for r in self.sorting.rows}
        lines += [
            "",
            "## Tiers today",
            "",
            "| Tier | From score | Accounts | Decided | Conversion |",
            "|---|---|---|---|---|",
        ]
        for t in v.tiers:
            r = rates.get(t["name"])
            rate = f"{r.rate.value:.0%} ({r.rate.low:.0%} to {r.rate.high:.0%})" if r and r.rate else "—"
            count, decided = self.counts.get(t["name"], 0), r.accounts if r else 0
            lines.append(f"| {t['name']} | {t['min_score']} | {count} | {decided} | {rate} |")
        lines.append(f"| excluded | — | {self.counts.get('excluded', 0)} | | |")
        lines += ["", "Conversion is in-sample: criteria chosen on these accounts flatter it."]
        lines += ["", f"## Proof in tier {self.top_tier or '—'} (publishable testimonials)", ""]
        if not self.proof:
            lines.append("- none yet")
        for archetype, items in self.proof.items():
            lines.append(f"- **{_md(archetype)}**")
            for p in items:
                quote = f": “{_md(p.body)}”" if p.body else ""
                lines.append(f"  - {_md(p.account)} ({p.kind}){quote}")
        lines += ["", f"## Interview themes in tier {self.top_tier or '—'}", ""]
        for kind in THEME_KINDS:
            found = self.themes.get(kind.value, [])
            listed = ", ".join(f"{_md(theme)} ({n})" for theme, n in found) or "none recorded"
            lines.append(f"- {kind.label}: {listed}")
        return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _evidence(e: dict[str, Any] | None) -> str:
    if not e:
        return "no analysis result when added"

    def pct(x: Any) -> str:
        return "—" if x is None else f"{x:.0%}"

    ratio = e.get("adjusted_odds_ratio") if e.get("adjusted_odds_ratio") is not None else e.get("odds_ratio")
    q = e.get("adjusted_q_value") if e.get("adjusted_q_value") is not None else e.get("q_value")
    parts = [f"{pct(e.get('rate_with'))} vs {pct(e.get('rate_without'))} converted"]
    if ratio is not None:
        parts.append(f"OR {ratio:.2f}")
    if q is not None:
        parts.append(f"q {q:.2f}")
    parts.append(f"{str(e.get('recommendation', '')).replace('_', ' ')} on {e.get('on', '')}")
    return ", ".join(parts)


def one_page(session: Session, version: IcpVersion, today: date | None = None) -> OnePage:
    today = today or utcnow().date()
    scorer = Scorer(session, version)
    top = scorer.tiers[0].name if scorer.tiers else None
    in_top = (
        select(Account.id).where(Account.archived_at.is_(None), scorer.tier == top)
        if top
        else select(Account.id).where(False)
    )
    proof: dict[str, list[Proof]] = defaultdict(list)
    stmt = (
        select(Archetype.name, Account.name, Testimonial.kind, Testimonial.body)
        .join(Account, Account.id == Testimonial.account_id)
        .join(account_archetypes, account_archetypes.c.account_id == Account.id)
        .join(Archetype, Archetype.id == account_archetypes.c.archetype_id)
        .where(
            Testimonial.account_id.in_(in_top), publicly_shown_clause(today), Archetype.archived_at.is_(None)
        )
        .order_by(Archetype.name, Testimonial.id.desc())
    )
    for archetype, account, kind, body in session.execute(stmt):
        if len(proof[archetype]) < PROOF_PER_ARCHETYPE:
            proof[archetype].append(Proof(account, kind, body))
    accounts = func.count(func.distinct(Interview.account_id))
    themes: dict[str, list[tuple[str, int]]] = {}
    for kind in THEME_KINDS:
        rows = session.execute(
            select(InterviewFinding.theme, accounts)
            .join(Interview, Interview.id == InterviewFinding.interview_id)
            .where(
                InterviewFinding.kind == kind.value,
                InterviewFinding.archived_at.is_(None),
                Interview.archived_at.is_(None),
                Interview.account_id.in_(in_top),
            )
            .group_by(InterviewFinding.theme)
            .order_by(accounts.desc(), InterviewFinding.theme)
            .limit(TOP_THEMES)
        ).all()
        themes[kind.value] = [(theme, n) for theme, n in rows]
    return OnePage(
        version,
        tier_counts(session, version),
        sorting_quality(session, version).in_sample,
        dict(proof),
        themes,
        top,
        today,
        _decided(session, version),
    )


def _decided(session: Session, version: IcpVersion) -> dict[int, str]:
    """Each criterion a review put there: "graduated at the 2026-11 review", and when the meeting went
    against the evidence, that with its rationale."""
    ids = {c.graduation_decision_id: c.id for c in version.criteria if c.graduation_decision_id}
    notes = {}
    for decision in session.scalars(select(ReviewDecision).where(ReviewDecision.id.in_(ids))):
        note = f"{decision.decision}d at the {decision.review.period} review"
        if decision.against_evidence:
            note += f", against the evidence: {decision.rationale}"
        notes[ids[decision.id]] = note
    return notes
