"""Per trait value and stratum, the 2x2 table "has the value vs not" by outcome: what binary tests need."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

UNSTRATIFIED = ""  # the one stratum key of an unstratified table
NOT_RECORDED = "(not recorded)"  # the stratum of accounts without one when others have one
_BOOLEAN_VALUES = frozenset({"yes", "no"})
# text in a trait cell that means "nobody recorded this" (compared trimmed and case-folded), for built-in and
# custom traits alike: such an account's value is unknown, never a value of its own (docs/statistics.md)
NOT_RECORDED_TEXTS = frozenset({"", "n/a", "na", "n.a.", "-", "--", "null", "none", "?", "unknown", "nil"})


def is_recorded(text: str | None) -> bool:
    """False for a missing value and for text such as "N/A", "-", "null", "none" or "?"."""
    return text is not None and text.strip().casefold() not in NOT_RECORDED_TEXTS


@dataclass(frozen=True)
class StratumCounts:
    """One stratum's table among accounts whose value of the trait is known."""

    with_pos: int
    with_n: int
    without_pos: int
    without_n: int

    def __post_init__(self) -> None:
        if not (0 <= self.with_pos <= self.with_n and 0 <= self.without_pos <= self.without_n):
            raise ValueError(f"impossible counts: {self}")

    @property
    def with_neg(self) -> int:
        return self.with_n - self.with_pos

    @property
    def without_neg(self) -> int:
        return self.without_n - self.without_pos

    @property
    def total(self) -> int:
        return self.with_n + self.without_n

    @property
    def positives(self) -> int:
        return self.with_pos + self.without_pos

    def cells(self) -> tuple[int, int, int, int]:
        """(a, b, c, d) of [[with_pos, with_neg], [without_pos, without_neg]]."""
        return self.with_pos, self.with_neg, self.without_pos, self.without_neg

    def __add__(self, other: StratumCounts) -> StratumCounts:
        return StratumCounts(
            self.with_pos + other.with_pos,
            self.with_n + other.with_n,
            self.without_pos + other.without_pos,
            self.without_n + other.without_n,
        )


@dataclass(frozen=True)
class ValueCounts:
    """A trait value's tables by stratum; unstratified: exactly one entry with key ""."""

    trait: str
    value: str
    strata: Mapping[str, StratumCounts]

    def crude(self) -> StratumCounts:
        """The strata added up: the table the unadjusted tests use."""
        total = StratumCounts(0, 0, 0, 0)
        for counts in self.strata.values():
            total = total + counts
        return total


def tabulate(
    rows: Iterable[tuple[bool, str | None, Mapping[str, Collection[str]]]], traits: Sequence[str]
) -> list[ValueCounts]:
    """Count (outcome, stratum or None, {trait: values}) rows into one ValueCounts per trait value.

    A trait missing or empty for an account means unknown: the account is left out of that trait's tables.
    A value is tested against every other account whose trait is known, so multi-valued traits (archetypes,
    tags) need nothing special. A yes/no trait gives one test ("yes" against the rest), not two mirror images.
    Traits come out in the order given, values sorted case-insensitively, strata sorted, "(not recorded)"
    last.
    """
    wanted = list(dict.fromkeys(traits))
    # Tally per (stratum, outcome) group first: the inner loop then touches two small dicts per trait.
    groups: dict[tuple[str | None, bool], tuple[dict[str, int], dict[tuple[str, str], int]]] = {}
    multi_valued: set[str] = set()
    for outcome, stratum, values in rows:
        group = groups.get((stratum, bool(outcome)))
        if group is None:
            group = groups[stratum, bool(outcome)] = (defaultdict(int), defaultdict(int))
        known, held_counts = group
        for trait in wanted:
            held = values.get(trait)
            if not held:
                continue
            known[trait] += 1
            if isinstance(held, str):  # one value passed bare: not its letters
                held = (held,)
            elif len(held) > 1:
                held = set(held)
                if len(held) > 1:
                    multi_valued.add(trait)
            for value in held:
                held_counts[trait, value] += 1

    known_n: dict[tuple[str, str | None], int] = defaultdict(int)
    known_pos: dict[tuple[str, str | None], int] = defaultdict(int)
    with_n: dict[tuple[str, str, str | None], int] = defaultdict(int)
    with_pos: dict[tuple[str, str, str | None], int] = defaultdict(int)
    for (stratum, positive), (known, held_counts) in groups.items():
        for trait, count in known.items():
            known_n[trait, stratum] += count
            if positive:
                known_pos[trait, stratum] += count
        for (trait, value), count in held_counts.items():
            with_n[trait, value, stratum] += count
            if positive:
                with_pos[trait, value, stratum] += count
    strata_seen = {stratum for stratum, _ in groups}

    recorded = sorted((s for s in strata_seen if s is not None), key=lambda s: (s.casefold(), s))
    if not recorded:
        names: dict[str | None, str] = {None: UNSTRATIFIED}
    else:
        names = {s: s for s in recorded}
        if None in strata_seen:
            names[None] = NOT_RECORDED
    order = [*recorded, *([None] if None in strata_seen else [])]

    values_by_trait: dict[str, set[str]] = defaultdict(set)
    for trait, value, _ in with_n:
        values_by_trait[trait].add(value)

    result: list[ValueCounts] = []
    for trait in wanted:
        values = values_by_trait.get(trait, set())
        if (
            trait not in multi_valued
            and len(values) == 2
            and {v.casefold() for v in values} == _BOOLEAN_VALUES
        ):
            values = {v for v in values if v.casefold() == "yes"}
        for value in sorted(values, key=lambda v: (v.casefold(), v)):
            strata: dict[str, StratumCounts] = {}
            for stratum in order:
                n = known_n.get((trait, stratum), 0)
                if n == 0:
                    continue
                cell = (trait, value, stratum)
                vn, vp = with_n.get(cell, 0), with_pos.get(cell, 0)
                counts = StratumCounts(vp, vn, known_pos.get((trait, stratum), 0) - vp, n - vn)
                name = names[stratum]  # a stratum literally called "(not recorded)" joins the unrecorded ones
                strata[name] = strata[name] + counts if name in strata else counts
            result.append(ValueCounts(trait, value, strata))
    return result
