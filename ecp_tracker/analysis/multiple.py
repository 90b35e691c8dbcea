"""Benjamini-Hochberg q-values across the trait values tested for one outcome."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Sequence


def bh_q_values(
    p_values: Sequence[float | None], groups: Sequence[Hashable] | None = None
) -> list[float | None]:
    """q-values in the same order; a missing or NaN p gets None and does not count as a test.

    Entries sharing a key in ``groups`` are one test (a value and its mirror: "yes" and "no" of a boolean
    trait, the two levels of a two-level category): the family holds the group once, with its smallest p,
    and every member gets the group's q.
    """
    keys = list(groups) if groups is not None else list(range(len(p_values)))
    best: dict[Hashable, float] = {}
    for key, p in zip(keys, p_values, strict=True):
        if p is not None and not math.isnan(p):
            best[key] = min(p, best.get(key, p))
    q: list[float | None] = [None] * len(p_values)
    if not best:
        return q
    from statsmodels.stats.multitest import multipletests  # heavy: imported on first use only

    order = list(best)
    _, adjusted, _, _ = multipletests([best[key] for key in order], method="fdr_bh")
    found = {key: float(value) for key, value in zip(order, adjusted, strict=True)}
    for i, (key, p) in enumerate(zip(keys, p_values, strict=True)):
        if p is not None and not math.isnan(p):
            q[i] = found[key]
    return q


def tests_counted(p_values: Sequence[float | None], groups: Sequence[Hashable] | None = None) -> int:
    """How many tests the correction counted: groups with a p-value, each once."""
    keys = list(groups) if groups is not None else list(range(len(p_values)))
    return len({key for key, p in zip(keys, p_values, strict=True) if p is not None and not math.isnan(p)})


def first_of_group(groups: Sequence[Hashable]) -> list[int]:
    """For each entry, the index of the first entry sharing its key. A value and its mirror are one test, so
    the mirror reads its twin's p-value: a Monte Carlo p drawn twice would give the two sides two numbers."""
    first: dict[Hashable, int] = {}
    return [first.setdefault(key, i) for i, key in enumerate(groups)]


def mirror_groups(values: Sequence[tuple[str, int, int]]) -> list[Hashable]:
    """One key per (trait, n_with, n_without): a trait with exactly two values, each the other's complement,
    gives both the same key (one comparison seen from both sides); every other value gets its own."""
    by_trait: dict[str, list[int]] = defaultdict(list)
    for i, (trait, _, _) in enumerate(values):
        by_trait[trait].append(i)
    keys: list[Hashable] = list(range(len(values)))
    for trait, members in by_trait.items():
        if len(members) == 2:
            first, second = (values[i] for i in members)
            if first[1] == second[2] and first[2] == second[1]:
                keys[members[0]] = keys[members[1]] = ("mirror", trait)
    return keys
