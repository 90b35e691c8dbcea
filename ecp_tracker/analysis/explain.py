"""One plain-English sentence per trait value: what the numbers say and why the recommendation follows."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

OUTCOME_PHRASES = {
    "converted": "converted",
    "churned": "churned",
    "gave_testimonial": "gave a testimonial",
    "referred": "referred another customer",
}

TRAIT_LABELS = {
    "archetype": "archetype",
    "industry": "industry",
    "size_band": "size band",
    "revenue_band": "revenue band",
    "region": "region",
    "country": "country",
    "acquisition_channel": "acquisition channel",
    "discount_band": "discount band",
}


class Reason(StrEnum):
    """Why a recommendation was reached; each has its own sentence."""

    FEW_WITH = "few_with"
    FEW_WITHOUT = "few_without"
    NO_VARIATION = "no_variation"  # every known account had the same outcome
    NO_OVERLAP = "no_overlap"  # stratified: no stratum holds both groups and both outcomes
    VANISHES = "vanishes"  # confounded: the estimate changes clearly once adjusted
    CANNOT_TELL = "cannot_tell"  # confounded: the adjusted estimate is too imprecise: they coincide
    REVERSES = "reverses"  # graduate / exclude on an adjusted effect pointing against the crude one
    UNLIKELY_LUCK = "unlikely_luck"  # graduate / exclude
    MAY_BE_LUCK = "may_be_luck"  # promising: p below the bar, but not after the multiple-testing correction
    TOO_SMALL = "too_small"  # promising: real but possibly below the declared lift
    COULD_BE_LUCK = "could_be_luck"  # no evidence


@dataclass(frozen=True)
class Wording:
    """What a sentence needs to know about one result."""

    trait: str
    value: str
    n_with: int
    n_without: int
    positives: int  # among accounts whose trait is known
    rate_with: float | None
    rate_without: float | None
    reason: Reason
    tested: int  # trait values in the multiple-testing family
    more_needed: int | None  # shown only when more accounts would actually help
    min_lift: float
    adjusted_difference: float | None = None  # Mantel-Haenszel risk difference, when stratified
    adjusted_difference_ci: tuple[float, float] | None = None
    confidence: float = 0.95
    corrected_difference: float | None = None  # the lift corrected for the winner's curse (passing values)


def trait_label(trait: str, labels: Mapping[str, str] | None = None) -> str:
    """The human name of a trait: given labels first, then built-in names, then the key of a custom trait."""
    if labels and labels.get(trait):
        return labels[trait]
    if trait in TRAIT_LABELS:
        return TRAIT_LABELS[trait]
    return trait.removeprefix("trait:").replace("_", " ").replace("-", " ")


def outcome_phrase(outcome: str) -> str:
    return OUTCOME_PHRASES.get(outcome, outcome)


_IRREGULAR_PLURALS = {"person": "people", "criterion": "criteria"}


def plural(noun: str) -> str:
    """The plural of a trait label's last word: "industry" -> "industries", "acquisition channel" ->
    "acquisition channels", "discount band" -> "discount bands", "address" -> "addresses"."""
    head, _, last = noun.rpartition(" ")
    lower = last.casefold()
    if lower in _IRREGULAR_PLURALS:
        word = _IRREGULAR_PLURALS[lower]
    elif not last or (lower.endswith("s") and not lower.endswith(("ss", "us"))):
        word = last  # already plural ("sales", "tools") or empty
    elif lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        word = last[:-1] + "ies"
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        word = last + "es"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def percent(rate: float) -> str:
    """A rate as a whole percentage, halves rounded up."""
    return f"{math.floor(rate * 100 + 0.5)}%"


def subject(trait: str, value: str, label: str) -> str:
    """The accounts a value names: "Game changers", ""Accounts without API"."""
    if trait == "archetype":
        return f"{value} accounts" if value.endswith("s") else f"{value}s"
    if value.casefold() == "yes":
        return f"Accounts with {label}"
    if value.casefold() == "no":
        return f"Accounts without {label}"
    return f"Accounts with {label} {value}"


def sentence(
    wording: Wording, outcome: str, stratified_by: str | None, labels: Mapping[str, str] | None = None
) -> str:
    w = wording
    label = trait_label(w.trait, labels)
    phrase = outcome_phrase(outcome)
    strata = trait_label(stratified_by, labels) if stratified_by else ""
    more = "1 more account" if w.more_needed == 1 else f"{w.more_needed} more accounts"
    settle = f"; about {more} with this value would settle it" if w.more_needed else ""
    checked = f"with {w.tested} trait values checked, " if w.tested > 1 else ""
    known = w.n_with + w.n_without

    if w.reason is Reason.FEW_WITH:
        if w.n_with == 0:
            return f"No account with a known {label} has this value yet."
        have = "1 account has" if w.n_with == 1 else f"{w.n_with} accounts have"
        if w.more_needed:
            return f"Only {have} this value; about {w.more_needed} more would settle it."
        return f"Only {have} this value, too few to compare."
    if w.reason is Reason.FEW_WITHOUT:
        if w.n_without == 0:
            return (
                f"Every account with a known {label} has this value, so there is nothing to compare it with."
            )
        return (
            f"Almost every account has this value (only {w.n_without} without it), "
            "so there is too little to compare it with."
        )
    if w.reason is Reason.NO_VARIATION:
        every = "All" if w.positives == known else "None of the"
        return f"{every} {known} accounts with a known {label} {phrase}, so there is nothing to compare yet."

    who = subject(w.trait, w.value, label)
    rates = f"{who} {phrase} {_rate(w.rate_with)} vs {_rate(w.rate_without)} for the rest"
    adjusted = _adjusted_lift(w, strata) if strata else ""
    curse = (
        f"; allowing for the winner's curse, the lift is about {points(w.corrected_difference)}"
        if w.corrected_difference is not None
        else ""
    )
    if w.reason is Reason.NO_OVERLAP:
        return (
            f"{rates}, but accounts with and without this value are never in the same {strata}, "
            "so they cannot be compared fairly."
        )
    if w.reason is Reason.VANISHES:
        return (
            f"{rates}, but much of that comes with {strata}: "
            f"compared within each {strata}{adjusted}, clearly different from the overall figures."
        )
    if w.reason is Reason.CANNOT_TELL:
        return (
            f"{rates}, but this value and {strata} go together so closely that we cannot tell them apart: "
            f"compared within each {strata}{adjusted}, too uncertain to decide."
        )
    if w.reason is Reason.REVERSES:
        return (
            f"{rates}, but within each {strata} it goes the other way{adjusted}; "
            f"the overall figures mislead because of {strata}; {checked}this is unlikely to be luck{curse}."
        )
    if w.reason is Reason.UNLIKELY_LUCK:
        within = f", even within the same {strata}{adjusted}" if strata else ""
        return f"{rates}{within}; {checked}this is unlikely to be luck{curse}."
    if w.reason is Reason.MAY_BE_LUCK:
        why = (
            f"with {w.tested} trait values checked it could still be luck"
            if w.tested > 1
            else "it could still be luck"
        )
        return f"{rates}; promising, but {why}{settle}."
    if w.reason is Reason.TOO_SMALL:
        lift = math.floor(w.min_lift * 100 + 0.5)
        within = f" (within each {strata}{adjusted})" if strata else ""
        return (
            f"{rates}{within}; it looks real but may be smaller than the {lift} points that matter"
            f"{curse}{settle}."
        )
    within = f"; within the same {strata}{adjusted}" if strata else ";"
    return f"{rates}{within} a difference this size could easily be luck{settle}."


def points(difference: float) -> str:
    """A difference in rates as signed percentage points: "+10 points", "-4 points"."""
    value = math.floor(abs(difference) * 100 + 0.5)
    sign = "-" if difference < 0 and value else "+"
    return f"{sign}{value} point" + ("" if value == 1 else "s")


def _adjusted_lift(w: Wording, strata: str) -> str:
    """ " the difference is +10 points (95% range +4 to +16 points)": the Mantel-Haenszel figures."""
    if w.adjusted_difference is None:
        return ""
    text = f" the difference is {points(w.adjusted_difference)}"
    if w.adjusted_difference_ci is not None:
        level = math.floor(w.confidence * 100 + 0.5)
        low, high = w.adjusted_difference_ci
        bound = points(low).removesuffix(" points").removesuffix(" point")
        text += f" ({level}% range {bound} to {points(high)})"
    return "," + text


def _rate(rate: float | None) -> str:
    return percent(rate) if rate is not None else "an unknown share"
