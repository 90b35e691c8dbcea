"""A trend test for a number trait and a yes/no outcome: does the rate rise or fall with the number?

The bands of a number trait (tertiles) compare each third with the rest; a trend test asks one question of the
numbers themselves: the Cochran-Armitage test, computed as the linear-by-linear association test of the table
(number x outcome) with the numbers as scores (statsmodels' `Table.test_ordinal_association`; Agresti 2002,
section 3.4.6). It is descriptive, shown beside the bands: it graduates nothing by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from ecp_tracker.analysis.continuous import finite


@dataclass(frozen=True)
class Trend:
    """The trend of the positive rate along a number trait's values."""

    trait: str
    accounts: int
    distinct_values: int
    z: float | None  # positive: the rate rises with the number
    p_value: float | None  # two-sided
    direction: Literal["rises", "falls", "flat"] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "trait": self.trait,
            "accounts": self.accounts,
            "distinct_values": self.distinct_values,
            "z": finite(self.z),
            "p_value": finite(self.p_value),
            "direction": self.direction,
            "method": "cochran_armitage",
        }


def trend_test(
    trait: str, counts: Mapping[Decimal | float, tuple[int, int]], *, alpha: float = 0.05
) -> Trend:
    """counts: {number: (accounts, positives)}. None values when it cannot be computed: fewer than two
    distinct numbers, or every account positive (or none)."""
    rows = sorted((float(number), n, positives) for number, (n, positives) in counts.items() if n > 0)
    accounts = sum(n for _, n, _ in rows)
    positives = sum(p for _, _, p in rows)
    if len(rows) < 2 or positives in (0, accounts):
        return Trend(trait, accounts, len(rows), None, None, None)
    import numpy as np  # heavy: imported on first use only
    from statsmodels.stats.contingency_tables import Table

    table = np.array([[n - p, p] for _, n, p in rows], dtype=float)
    scores = np.array([number for number, _, _ in rows])
    with np.errstate(all="ignore"):
        result = Table(table).test_ordinal_association(row_scores=scores, col_scores=np.array([0.0, 1.0]))
    z, p = finite(result.zscore), finite(result.pvalue)
    if z is None or p is None:
        return Trend(trait, accounts, len(rows), None, None, None)
    direction = "flat" if p >= alpha else ("rises" if z > 0 else "falls")
    return Trend(trait, accounts, len(rows), z, p, direction)
