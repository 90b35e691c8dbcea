"""ICP versions: drafts (editable), activation (exactly one active; re-activating a retired version is a
rollback), reading any version forever, and the difference between two versions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import InvalidFields, NotFound, StaleEdit, ValidationError
from ecp_tracker.domain.icp import IcpStatus, clean_tiers
from ecp_tracker.models import IcpCriterion, IcpVersion
from ecp_tracker.models.base import utcnow
from ecp_tracker.services.analysis import analysis
from ecp_tracker.services.icp.criteria import CriterionSpec, Vocabulary, check_criterion, spec_of
from ecp_tracker.services.shared import audit


def list_versions(session: Session) -> list[IcpVersion]:
    stmt = select(IcpVersion).options(selectinload(IcpVersion.criteria)).order_by(IcpVersion.number.desc())
    return list(session.scalars(stmt))


def get_version(session: Session, version_id: int) -> IcpVersion:
    version = session.scalar(
        select(IcpVersion).where(IcpVersion.id == version_id).options(selectinload(IcpVersion.criteria))
    )
    if version is None:
        raise NotFound(f"There is no ICP version with id {version_id}.")
    return version


def version_by_number(session: Session, number: int) -> IcpVersion:
    version = session.scalar(select(IcpVersion).where(IcpVersion.number == number))
    if version is None:
        raise NotFound(f"There is no ICP version number {number}.")
    return version


@dataclass(frozen=True)
class VersionInput:
    name: str
    narrative: str
    criteria: list[CriterionSpec]
    tiers: list[dict[str, Any]]


def check_body(session: Session, body: Mapping[str, Any]) -> VersionInput:
    """A version's body checked whole: every problem at once, each naming its field (`criteria.1.value`)."""
    problems: list[tuple[str, str]] = []
    name = str(body.get("name") or "").strip()
    if not name or len(name) > 120:
        problems.append(("name", "Give the version a name of at most 120 characters."))
    narrative = str(body.get("narrative") or "")
    if len(narrative) > 20_000:
        problems.append(("narrative", "The narrative is at most 20,000 characters."))
    vocabulary = Vocabulary(session)
    specs: list[CriterionSpec] = []
    raw_criteria = body.get("criteria") or []
    if not isinstance(raw_criteria, Sequence) or isinstance(raw_criteria, str):
        problems.append(("criteria", "Criteria are a list."))
        raw_criteria = []
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(raw_criteria):
        if not isinstance(raw, Mapping):
            problems.append((f"criteria.{index}", 'A criterion is {"trait", "value", "points"}.'))
            continue
        spec, found = check_criterion(vocabulary, raw, f"criteria.{index}")
        problems += found
        if spec is not None:
            if spec.key() in seen:
                problems.append((f"criteria.{index}", f"{spec.trait}={spec.describe()} is listed twice."))
            seen.add(spec.key())
            evidence = raw.get("evidence") if isinstance(raw.get("evidence"), Mapping) else None
            specs.append(CriterionSpec(**{**spec.__dict__, "evidence": evidence and dict(evidence)}))
    tiers, tier_problems = clean_tiers(body.get("tiers"))
    problems += tier_problems
    if problems:
        raise InvalidFields(problems)
    return VersionInput(name, narrative, specs, [{"name": t.name, "min_score": t.min_score} for t in tiers])


KEEP = (
    "n_with", "n_without", "rate_with", "rate_without", "odds_ratio", "odds_ratio_ci", "difference",
    "difference_ci", "p_value", "q_value", "adjusted_odds_ratio", "adjusted_odds_ratio_ci",
    "adjusted_q_value", "recommendation", "explanation",
)  # fmt: skip


class Evidence:
    """The conversion analysis (adjusted as the analysis page adjusts), run once when first needed."""

    def __init__(self, session: Session, today: date | None = None) -> None:
        self.session = session
        self.today = today
        self._results: dict[tuple[str, str], dict[str, Any]] | None = None
        self._meta: dict[str, Any] = {}

    def of(self, spec: CriterionSpec) -> dict[str, Any] | None:
        """The analysis result for this trait value today (None for a number range or an untested value)."""
        if spec.value is None:
            return None
        if self._results is None:
            report = analysis.run(
                self.session,
                "converted",
                stratify_by=analysis.default_stratify_by(self.session),
                today=self.today,
            )
            self._results = {(r["trait"], r["value"]): r for r in report.to_json()["results"]}
            self._meta = {
                "outcome": "converted",
                "stratified_by": report.stratify_by.name if report.stratify_by else None,
                "on": report.today.isoformat(),
            }
        result = self._results.get((spec.trait, spec.value))
        return None if result is None else {**self._meta, **{k: result.get(k) for k in KEEP}}


def _write_criteria(session: Session, version: IcpVersion, specs: Sequence[CriterionSpec]) -> None:
    previous = {spec_of(c).key(): c for c in version.criteria}
    evidence = Evidence(session)
    version.criteria.clear()
    session.flush()
    for position, spec in enumerate(specs):
        old = previous.get(spec.key())
        kept = spec.evidence or (old.evidence if old is not None else None)
        version.criteria.append(
            IcpCriterion(
                position=position,
                trait=spec.trait,
                value=spec.value,
                min_value=spec.min_value,
                max_value=spec.max_value,
                points=spec.points,
                exclude=spec.exclude,
                evidence=kept or evidence.of(spec),
                graduation_decision_id=old.graduation_decision_id if old is not None else None,
            )
        )


def _criteria_json(specs: Sequence[CriterionSpec]) -> list[str]:
    return [f"{s.trait}={s.describe()} ({'exclude' if s.exclude else s.points})" for s in specs]


def create_draft(session: Session, actor: Actor, body: Mapping[str, Any]) -> IcpVersion:
    clean = check_body(session, body)
    number = (session.scalar(select(func.max(IcpVersion.number))) or 0) + 1
    version = IcpVersion(
        number=number, name=clean.name, narrative=clean.narrative, status=IcpStatus.DRAFT, tiers=clean.tiers
    )
    session.add(version)
    session.flush()
    _write_criteria(session, version, clean.criteria)
    audit.log_write(
        session,
        actor,
        version,
        summary=f"ICP version {number} drafted",
        extra_changes={"criteria": [None, _criteria_json(clean.criteria)]},
    )
    return version


def update_draft(
    session: Session, actor: Actor, version_id: int, body: Mapping[str, Any], expected_version: Any
) -> IcpVersion:
    """Edit a draft; an active or retired version never changes (409). `expected_version` is required."""
    version = get_version(session, version_id)
    if version.status != IcpStatus.DRAFT:
        raise StaleEdit(f"ICP version {version.number} is {version.status}; only a draft can be edited.")
    if expected_version is None or isinstance(expected_version, bool):
        raise ValidationError("Send the version you edited (its `version`).", field="version")
    if int(expected_version) != version.version:
        raise StaleEdit(
            f"ICP version {version.number} was changed by someone else; reload it and edit again.",
            current={"version": version.version},
        )
    merged = {"name": version.name, "narrative": version.narrative, "tiers": version.tiers}
    merged["criteria"] = [criterion_json(c) for c in version.criteria]
    merged |= {k: v for k, v in body.items() if k in ("name", "narrative", "criteria", "tiers")}
    clean = check_body(session, merged)
    before = _criteria_json([spec_of(c) for c in version.criteria])
    version.name, version.narrative, version.tiers = clean.name, clean.narrative, clean.tiers
    _write_criteria(session, version, clean.criteria)
    version.updated_at = utcnow()
    after = _criteria_json(clean.criteria)
    audit.log_write(
        session,
        actor,
        version,
        summary=f"ICP version {version.number} edited",
        extra_changes={"criteria": [before, after]} if before != after else None,
    )
    return version


def activate(session: Session, actor: Actor, version_id: int) -> IcpVersion:
    """Make a draft (or, as a rollback, a retired version) the one active version; the active one retires."""
    version = get_version(session, version_id)
    if version.status == IcpStatus.ACTIVE:
        raise ValidationError(f"ICP version {version.number} is already active.", field="status")
    if not version.tiers:
        raise ValidationError("A version needs tiers before it can be activated.", field="tiers")
    rollback = version.status == IcpStatus.RETIRED
    now = utcnow()
    current = session.scalar(select(IcpVersion).where(IcpVersion.status == IcpStatus.ACTIVE))
    if current is not None:
        current.status, current.retired_at = IcpStatus.RETIRED, now
        audit.log_write(
            session, actor, current, action="retire", summary=f"ICP version {current.number} retired"
        )
    version.status, version.activated_at, version.retired_at = IcpStatus.ACTIVE, now, None
    audit.log_write(
        session,
        actor,
        version,
        action="rollback" if rollback else "activate",
        summary=(
            f"Rolled back to ICP version {version.number}"
            if rollback
            else f"ICP version {version.number} activated"
        ),
    )
    return version


def criterion_json(criterion: IcpCriterion) -> dict[str, Any]:
    spec = spec_of(criterion)
    data: dict[str, Any] = {"trait": spec.trait}
    if spec.value is not None:
        data["value"] = spec.value
    else:
        data["min"] = None if spec.min_value is None else float(spec.min_value)
        data["max"] = None if spec.max_value is None else float(spec.max_value)
    if spec.exclude:
        data["exclude"] = True
    else:
        data["points"] = spec.points
    data["evidence"] = criterion.evidence
    data["graduation_decision_id"] = criterion.graduation_decision_id
    return data


def version_json(version: IcpVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "number": version.number,
        "name": version.name,
        "narrative": version.narrative,
        "status": version.status,
        "criteria": [criterion_json(c) for c in version.criteria],
        "tiers": version.tiers,
        "created_at": version.created_at,
        "activated_at": version.activated_at,
        "retired_at": version.retired_at,
        "version": version.version,
    }


@dataclass(frozen=True)
class Diff:
    added: list[CriterionSpec]
    removed: list[CriterionSpec]
    changed: list[tuple[CriterionSpec, CriterionSpec]]  # same trait value, other points or exclusion
    tiers: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None
    name: tuple[str, str] | None
    narrative_changed: bool

    def to_json(self) -> dict[str, Any]:
        def one(s: CriterionSpec) -> dict[str, Any]:
            return {"trait": s.trait, "value": s.describe(), "points": s.points, "exclude": s.exclude}

        return {
            "added": [one(s) for s in self.added],
            "removed": [one(s) for s in self.removed],
            "changed": [{"from": one(a), "to": one(b)} for a, b in self.changed],
            "tiers": None if self.tiers is None else {"from": self.tiers[0], "to": self.tiers[1]},
            "name": None if self.name is None else {"from": self.name[0], "to": self.name[1]},
            "narrative_changed": self.narrative_changed,
        }


def diff(old: IcpVersion, new: IcpVersion) -> Diff:
    """What changed from `old` to `new`: criteria added, removed or re-weighted, tiers, name, narrative."""
    before = {spec_of(c).key(): spec_of(c) for c in old.criteria}
    after = {spec_of(c).key(): spec_of(c) for c in new.criteria}
    return Diff(
        added=[s for k, s in after.items() if k not in before],
        removed=[s for k, s in before.items() if k not in after],
        changed=[
            (before[k], s)
            for k, s in after.items()
            if k in before and (before[k].points, before[k].exclude) != (s.points, s.exclude)
        ],
        tiers=None if old.tiers == new.tiers else (old.tiers, new.tiers),
        name=None if old.name == new.name else (old.name, new.name),
        narrative_changed=old.narrative != new.narrative,
    )


DEFAULT_TIERS = [
    {"name": "A", "min_score": 60},
    {"name": "B", "min_score": 30},
    {"name": "C", "min_score": 0},
]


def latest_draft(session: Session) -> IcpVersion | None:
    return session.scalar(
        select(IcpVersion).where(IcpVersion.status == IcpStatus.DRAFT).order_by(IcpVersion.number.desc())
    )


def new_draft_from_active(session: Session, actor: Actor, name: str) -> IcpVersion:
    """A draft that starts as a copy of the active version (criteria with their evidence, tiers)."""
    active = session.scalar(select(IcpVersion).where(IcpVersion.status == IcpStatus.ACTIVE))
    body: dict[str, Any] = {"name": name, "tiers": DEFAULT_TIERS, "criteria": []}
    if active is not None:
        body |= {"narrative": active.narrative, "tiers": active.tiers}
        body["criteria"] = [criterion_json(c) for c in active.criteria]
    return create_draft(session, actor, body)


def add_to_draft(
    session: Session, actor: Actor, *, trait: str, value: str, points: int | None, exclude: bool
) -> IcpVersion:
    """Put one analysis result into the newest draft (a new draft copied from the active version when there is
    none); its evidence is the analysis result as it stands now. A value already there is re-weighted."""
    draft = latest_draft(session) or new_draft_from_active(session, actor, "Draft from the analysis")
    criteria = [criterion_json(c) for c in draft.criteria if (c.trait, c.value) != (trait, value)]
    entry: dict[str, Any] = {"trait": trait, "value": value}
    entry |= {"exclude": True} if exclude else {"points": points if points is not None else 20}
    return update_draft(session, actor, draft.id, {"criteria": [*criteria, entry]}, draft.version)
