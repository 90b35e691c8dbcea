"""The thresholds the decision rules use (docs/statistics.md); an admin changes them on the settings page."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AnalysisSettings:
    fdr: float = 0.10  # Benjamini-Hochberg false-discovery rate for graduate / exclude
    min_lift: float = 0.15  # declared minimum difference in rates (0.15 = 15 percentage points)
    # declared minimum effects of the other outcome kinds (issue 16): a continuous outcome graduates only when
    # P(X > Y) is at least this far from one half on the good side (0.60: 6 in 10 pairs favour the value) ...
    min_probability: float = 0.60
    # ... and time to churn only when the hazard ratio is at most 1 / this (1.25: churn at most 0.8 x as fast)
    min_hazard_ratio: float = 1.25
    min_group: int = 5  # fewer accounts with or without a value: insufficient_data
    small_sample: int = 30  # fewer decided accounts: the small_sample flag and the "still an ECP" banner
    promising_p: float = 0.05  # primary p below this but no graduation: promising
    heterogeneity_p: float = 0.10  # Breslow-Day p below this: effect_differs_by_stratum
    power: float = 0.80  # target power for "about N more accounts needed"
    alpha: float = 0.05  # two-sided level used in the power calculation
    confidence: float = 0.95  # level of every interval
    traits: tuple[str, ...] = field(default_factory=tuple)  # trait names taking part; empty: all

    def __post_init__(self) -> None:
        problems = []
        if not 0 < self.fdr < 1:
            problems.append("fdr must lie between 0 and 1")
        if not 0 < self.min_lift < 1:
            problems.append("min_lift must lie between 0 and 1")
        if not 0.5 < self.min_probability < 1:
            problems.append("min_probability must lie between 0.5 and 1")
        if not self.min_hazard_ratio > 1:
            problems.append("min_hazard_ratio must be above 1")
        if self.min_group < 1:
            problems.append("min_group must be at least 1")
        if problems:
            raise ValueError("; ".join(problems))
