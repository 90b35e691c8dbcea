"""The stored ICP scores against an oracle: a seeded random sequence of writes through the services (accounts
created, edited, archived and restored, archetypes renamed and archived, traits archived and restored,
discounts granted, CSV imports, versions activated and rolled back), and after each batch the `icp_scores`
table equals the scores computed from scratch (`Scorer.scores`: the criteria's SQL over the live data) for
every account and every field (its archived flag equal to the account's), with no row of another version and
no row at all without an active version; a list filtered by tier counts the same accounts whether it is
counted from the stored table alone or joined to the accounts."""

from __future__ import annotations

import io
import random
from collections import Counter
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from ecp_tracker.domain.errors import InvalidFields, ValidationError
from ecp_tracker.domain.icp import IcpStatus
from ecp_tracker.models import Account, Archetype, AuditEvent, IcpScore, IcpVersion, TraitDefinition
from ecp_tracker.services.accounts import accounts, archetypes, traits
from ecp_tracker.services.accounts.importing.importer import import_accounts
from ecp_tracker.services.accounts.listing import AccountFilters, list_accounts
from ecp_tracker.services.icp import scoring, versions
from ecp_tracker.services.icp.criteria import Vocabulary
from ecp_tracker.services.pilots import discounts
from tests.conftest import TEST_ACTOR

TODAY = date(2026, 11, 1)
INDUSTRIES = ("Fintech", "Retail", "Gambling", "Health", "")
REGIONS = ("EMEA", "NA", "APAC", "")
CHANNELS = ("referral", "outbound", "event", "")
FUNDING = ("Seed", "Series A", "Series B")
STEPS = 300
WRITES = {
    "create_account",
    "edit_account",
    "archive_account",
    "grant_discount",
    "rename_archetype",
    "archive_archetype",
    "new_archetype",
    "archive_trait",
    "import_csv",
    "activate_new_version",
    "roll_back",
}
BATCH = 25


def stored(session: Session) -> dict[int, tuple[int, int, str, tuple[tuple[str, str, int], ...], bool]]:
    version = scoring.active_version(session)
    rows = session.execute(select(IcpScore.account_id, IcpScore.version, IcpScore.archived)).all()
    if version is None:
        return {account_id: (number, 0, "", (), archived) for account_id, number, archived in rows}
    ids = [row.account_id for row in rows]
    numbers = {row.account_id: row.version for row in rows}
    flags = {row.account_id: bool(row.archived) for row in rows}
    return {
        account_id: (numbers[account_id], s.score, s.tier, _reasons(s), flags[account_id])
        for account_id, s in scoring.account_scores(session, ids).items()
    }


def _reasons(score: scoring.AccountScore) -> tuple[tuple[str, str, int], ...]:
    return tuple(
        (r["trait"], r["value"], r["points"]) + (("x",) if r.get("exclude") else ()) for r in score.reasons
    )


def assert_matches_oracle(session: Session, step: int) -> None:
    session.expire_all()
    version = scoring.active_version(session)
    table = stored(session)
    if version is None:
        assert table == {}, f"step {step}: rows stored without an active version"
        return
    archived = {i: at is not None for i, at in session.execute(select(Account.id, Account.archived_at))}
    every = sorted(archived)
    expected = scoring.Scorer(session, version).scores(session, every)
    oracle = {i: (version.number, s.score, s.tier, _reasons(s), archived[i]) for i, s in expected.items()}
    assert set(table) == set(every), f"step {step}: accounts without a stored row or rows without an account"
    stale = {i: row[0] for i, row in table.items() if row[0] != version.number}
    assert not stale, f"step {step}: rows of another version {stale}"
    wrong = {i: (table[i], oracle[i]) for i in every if table[i] != oracle[i]}
    assert not wrong, f"step {step}: stored != from scratch {wrong}"
    for _, score, _, reasons, _ in table.values():  # the reasons add up to the score
        assert score == sum(r[2] for r in reasons)
    # the list's tier filter reads the same table; a tier alone is counted from the stored rows only (their
    # archived flag), a tier with another filter by joining the accounts: both give the oracle's numbers
    every_stage = ["prospect", "pilot", "customer", "churned", "lost"]
    for tier in {row[2] for row in oracle.values()}:
        rows = [row for row in oracle.values() if row[2] == tier]
        live = sum(1 for row in rows if not row[4])
        for query, n in (({"include_archived": ["1"]}, len(rows)), ({}, live)):
            alone = list_accounts(session, AccountFilters.from_query({"tier": [tier], **query}))
            joined = AccountFilters.from_query({"tier": [tier], "stage": every_stage, **query})
            assert alone.total == list_accounts(session, joined).total == n, f"step {step}: tier {tier}"


class Writer:
    """Random writes through the services, each committed (a refused one rolled back)."""

    def __init__(self, session: Session, rng: random.Random) -> None:
        self.session = session
        self.rng = rng
        self.made = 0
        self.done: Counter[str] = Counter()  # writes committed, by kind

    # --- helpers
    def _archetypes(self, *, live: bool = True) -> list[Archetype]:
        return list(archetypes.list_archetypes(self.session, include_archived=not live))

    def _account_ids(self, *, live: bool = True) -> list[int]:
        """Live accounts (an archived one is read-only until restored); with live=False every account."""
        stmt = select(Account.id)
        return list(self.session.scalars(stmt.where(Account.archived_at.is_(None)) if live else stmt))

    def _raw(self) -> dict[str, Any]:
        rng = self.rng
        raw: dict[str, Any] = {}
        if rng.random() < 0.7:
            raw["industry"] = rng.choice(INDUSTRIES)
        if rng.random() < 0.5:
            raw["region"] = rng.choice(REGIONS)
        if rng.random() < 0.4:
            raw["acquisition_channel"] = rng.choice(CHANNELS)
        if rng.random() < 0.5:
            raw["employees"] = rng.choice(["", "5", "40", "150", "600", "5000"])
        if rng.random() < 0.4:
            raw["annual_revenue"] = rng.choice(["", "500000", "2000000", "60000000", "900000000"])
        if rng.random() < 0.5:
            live = [a.name for a in self._archetypes()]
            raw["archetypes"] = "; ".join(rng.sample(live, k=rng.randint(0, min(2, len(live)))))
        definitions = {d.key: d for d in traits.list_definitions(self.session)}
        if "seats" in definitions and rng.random() < 0.5:
            raw["trait:seats"] = rng.choice(["", "3", "10", "55", "100", "400"])
        if "funding" in definitions and rng.random() < 0.5:
            raw["trait:funding"] = rng.choice(["", *FUNDING])
        return raw

    # --- the writes
    def create_account(self) -> None:
        self.made += 1
        accounts.create_account(
            self.session, TEST_ACTOR, {"name": f"Acc {self.made}", **self._raw()}, today=TODAY
        )

    def edit_account(self) -> None:
        ids = self._account_ids()
        if ids:
            account = accounts.get_account(self.session, self.rng.choice(ids))
            accounts.update_account(
                self.session, TEST_ACTOR, account.id, self._raw(), version=account.version, today=TODAY
            )

    def archive_account(self) -> None:
        ids = self._account_ids(live=False)
        if ids:
            account = accounts.get_account(self.session, self.rng.choice(ids))
            accounts.set_archived(self.session, TEST_ACTOR, account.id, archived=account.archived_at is None)

    def grant_discount(self) -> None:
        ids = self._account_ids()
        if ids:
            amount = self.rng.choice(["5", "15", "30", "45", "70"])
            discounts.grant_discount(
                self.session,
                TEST_ACTOR,
                self.rng.choice(ids),
                {
                    "kind": "percent",
                    "amount": amount,
                    "list_price": "1000",
                    "starts_on": "2026-10-01",
                    "reason": "pilot",
                },
            )

    def rename_archetype(self) -> None:
        archetype = self.rng.choice(self._archetypes(live=False))
        suffix = " II"
        name = (
            archetype.name.removesuffix(suffix)
            if archetype.name.endswith(suffix)
            else archetype.name + suffix
        )
        archetypes.update_archetype(
            self.session,
            TEST_ACTOR,
            archetype.id,
            version=archetype.version,
            name=name,
            description=archetype.description,
        )

    def archive_archetype(self) -> None:
        archetype = self.rng.choice(self._archetypes(live=False))
        archetypes.set_archived(
            self.session, TEST_ACTOR, archetype.id, archived=archetype.archived_at is None
        )

    def new_archetype(self) -> None:
        archetypes.create_archetype(self.session, TEST_ACTOR, name=f"Kind {self.rng.randint(1, 6)}")

    def archive_trait(self) -> None:
        definition = self.rng.choice(list(traits.list_definitions(self.session, include_archived=True)))
        traits.set_archived(self.session, TEST_ACTOR, definition.id, archived=definition.archived_at is None)

    def import_csv(self) -> None:
        rng = self.rng
        lines = ["name,industry,employees,archetypes,trait:seats,trait:funding"]
        live = [a.name for a in self._archetypes()]
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.4 and self.made:
                name = f"Acc {rng.randint(1, self.made)}"  # an existing account: updated
            else:
                self.made += 1
                name = f"Acc {self.made}"
            archetype = rng.choice(["", *live])
            seats = rng.choice(["", "7", "20", "80", "300"])
            lines.append(
                f"{name},{rng.choice(INDUSTRIES)},{rng.choice(['', '8', '120', '2000'])},{archetype},{seats},"
                f"{rng.choice(['', *FUNDING])}"
            )
        report = import_accounts(self.session, TEST_ACTOR, io.BytesIO("\n".join(lines).encode()), today=TODAY)
        if not report.ok:
            raise ValidationError(f"import refused: {report.problems}")

    def activate_new_version(self) -> None:
        vocabulary = Vocabulary(self.session)
        rng = self.rng
        pool: list[dict[str, Any]] = [{"trait": "industry", "value": v} for v in INDUSTRIES if v] + [
            {"trait": "region", "value": v} for v in REGIONS if v
        ]
        pool += [{"trait": "acquisition_channel", "value": v} for v in CHANNELS if v]
        pool += [{"trait": "size_band", "value": v} for v in ("1-10", "11-50", "51-200", "201-1000", "1001+")]
        pool += [{"trait": "revenue_band", "value": v} for v in ("<1M", "1M-10M", "50M-250M", "250M+")]
        pool += [{"trait": "discount_band", "value": v} for v in ("none", "51%+")]
        pool += [{"trait": "archetype", "value": v} for v in vocabulary.archetypes.values()]
        if "trait:seats" in vocabulary.traits:
            pool += [{"trait": "trait:seats", "min": 10, "max": 100}, {"trait": "trait:seats", "min": 200}]
        if "trait:funding" in vocabulary.traits:
            pool += [{"trait": "trait:funding", "value": v} for v in FUNDING]
        chosen = rng.sample(pool, k=rng.randint(1, min(6, len(pool))))
        criteria = []
        for criterion in chosen:
            if rng.random() < 0.15:
                criteria.append({**criterion, "exclude": True})
            else:
                criteria.append({**criterion, "points": rng.choice([-10, 0, 5, 15, 25, 40])})
        high = rng.randint(30, 70)
        body = {
            "name": f"ICP {rng.randint(1, 10**6)}",
            "narrative": "random",
            "criteria": criteria,
            "tiers": [
                {"name": "A", "min_score": high},
                {"name": "B", "min_score": rng.randint(1, high - 1)},
                {"name": "C", "min_score": 0},
            ][: rng.randint(1, 3)],
        }
        draft = versions.create_draft(self.session, TEST_ACTOR, body)
        self.session.flush()
        versions.activate(self.session, TEST_ACTOR, draft.id)

    def roll_back(self) -> None:
        retired = list(self.session.scalars(select(IcpVersion).where(IcpVersion.status == IcpStatus.RETIRED)))
        if retired:
            versions.activate(self.session, TEST_ACTOR, self.rng.choice(retired).id)

    def run(self, step: int) -> None:
        writes = [
            (self.create_account, 20),
            (self.edit_account, 25),
            (self.archive_account, 6),
            (self.grant_discount, 6),
            (self.rename_archetype, 4),
            (self.archive_archetype, 4),
            (self.new_archetype, 2),
            (self.archive_trait, 3),
            (self.import_csv, 6),
            (self.activate_new_version, 4),
            (self.roll_back, 3),
        ]
        write = self.rng.choices([w for w, _ in writes], weights=[n for _, n in writes])[0]
        try:
            write()
            self.session.commit()
            self.done[write.__name__] += 1
        except (InvalidFields, ValidationError):
            self.session.rollback()  # refused input changes nothing; the oracle checks that too


@pytest.mark.parametrize("seed", [12, 2026])
def test_stored_scores_equal_scores_from_scratch_after_random_writes(db_session, seed):
    traits.create_definition(db_session, TEST_ACTOR, label="Seats", kind="number")
    traits.create_definition(
        db_session, TEST_ACTOR, label="Funding", kind="category", allowed_values=list(FUNDING)
    )
    db_session.commit()
    writer = Writer(db_session, random.Random(seed))
    for _ in range(10):  # accounts before any version: no stored rows
        writer.create_account()
    db_session.commit()
    assert_matches_oracle(db_session, 0)
    for step in range(1, STEPS + 1):
        if step == 5:
            writer.activate_new_version()
            db_session.commit()
        writer.run(step)
        if step % BATCH == 0:
            assert_matches_oracle(db_session, step)
    assert_matches_oracle(db_session, STEPS)
    # every kind of write did happen (not only refused), and versions did change
    assert set(writer.done) == WRITES, writer.done
    assert writer.done["activate_new_version"] >= 3 and writer.done["roll_back"] >= 1
    assert db_session.scalar(select(func.count(Account.id))) > 50
    assert db_session.scalar(select(func.count(TraitDefinition.id))) == 2


def test_a_retired_version_leaves_no_stored_row_behind(db_session):
    writer = Writer(db_session, random.Random(7))
    for _ in range(20):
        writer.create_account()
    writer.activate_new_version()
    db_session.commit()
    first = scoring.active_version(db_session).number
    writer.activate_new_version()
    db_session.commit()
    db_session.expire_all()
    numbers = set(db_session.scalars(select(IcpScore.version)))
    assert numbers == {first + 1}
    assert db_session.scalar(select(func.count()).select_from(IcpScore)) == 20


def test_flask_icp_rescore_rebuilds_the_table_from_scratch(app, db_session):
    writer = Writer(db_session, random.Random(3))
    for _ in range(30):
        writer.create_account()
    writer.activate_new_version()
    db_session.commit()
    # the table damaged behind the services' back (a restored backup, a hand edit): rows lost and wrong
    ids = list(db_session.scalars(select(Account.id).order_by(Account.id)))
    db_session.execute(delete(IcpScore).where(IcpScore.account_id.in_(ids[:10])))
    db_session.execute(update(IcpScore).values(score=999, tier="A", version=77, archived=True))
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["icp", "rescore"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Rescored 30 accounts: ")
    assert_matches_oracle(db_session, 0)
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "rescore")).one()
    assert event.entity == "icp_version" and event.changes == {"accounts": [None, 30]}


def test_flask_icp_rescore_without_an_active_version_clears_the_table(app, db_session):
    writer = Writer(db_session, random.Random(4))
    writer.create_account()
    db_session.commit()
    account_id = db_session.scalar(select(Account.id))
    db_session.execute(
        insert(IcpScore).values(account_id=account_id, version=1, score=5, tier="A", matched="")
    )
    db_session.commit()
    result = app.test_cli_runner().invoke(args=["icp", "rescore"])
    assert result.exit_code == 0 and "No ICP version is active" in result.output
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(IcpScore)) == 0
