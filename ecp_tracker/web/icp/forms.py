"""Forms for ICP versions: a draft's name, narrative, criteria and tiers (one per line), adding an analysis
result to the draft, and the CSRF-only action forms (activate)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

CRITERIA_HELP = (
    "One per line: trait | value | points. Use `exclude` instead of points for an exclusion, and for a "
    "number trait a range as min..max (either end may be left open), e.g. `archetype | Game changer | 40`, "
    "`industry | Gambling | exclude`, `trait:seats | 10..100 | 15`."
)
TIERS_HELP = "One per line from the highest: name minimum-score, e.g. `A 60`, `B 30`, `C 0`."


class DraftForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Give the version a name."), Length(max=120)])
    narrative = TextAreaField(
        "Narrative", validators=[Optional(), Length(max=20_000)], render_kw={"rows": 4},
        description="Who the ideal customer is, in a sentence or two sales can repeat.",
    )  # fmt: skip
    criteria = TextAreaField("Criteria", description=CRITERIA_HELP, render_kw={"rows": 8})
    tiers = TextAreaField("Tiers", description=TIERS_HELP, render_kw={"rows": 4})
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def body(self) -> dict[str, Any]:
        """The version body the ICP service checks (it names problems `criteria.N.field`, `tiers.N.field`)."""
        return {
            "name": self.name.data,
            "narrative": self.narrative.data or "",
            "criteria": [_criterion(line) for line in _lines(self.criteria.data)],
            "tiers": [_tier(line) for line in _lines(self.tiers.data)],
        }


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _criterion(line: str) -> dict[str, Any]:
    parts = [p.strip() for p in line.split("|")]
    trait, value, points = [*parts, "", "", ""][:3]
    data: dict[str, Any] = {"trait": trait}
    if ".." in value:
        low, _, high = value.partition("..")
        data["min"], data["max"] = low.strip() or None, high.strip() or None
    else:
        data["value"] = value
    if points.casefold() == "exclude":
        data["exclude"] = True
    else:
        data["points"] = points
    return data


def _tier(line: str) -> dict[str, Any]:
    name, _, score = line.rpartition(" ")
    try:
        return {"name": name.strip() or score, "min_score": int(score)}
    except ValueError:
        return {"name": line, "min_score": None}


def criteria_text(criteria: list[dict[str, Any]]) -> str:
    lines = []
    for c in criteria:
        if "value" in c:
            value = c["value"]
        else:
            low, high = c.get("min"), c.get("max")
            value = f"{'' if low is None else _plain(low)}..{'' if high is None else _plain(high)}"
        lines.append(f"{c['trait']} | {value} | {'exclude' if c.get('exclude') else c.get('points', 0)}")
    return "\n".join(lines)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def tiers_text(tiers: list[dict[str, Any]]) -> str:
    return "\n".join(f"{t['name']} {t['min_score']}" for t in tiers)


class AddToDraftForm(FlaskForm):
    trait = StringField(widget=HiddenInput(), validators=[InputRequired()])
    value = StringField(widget=HiddenInput(), validators=[InputRequired()])
    exclude = BooleanField(widget=HiddenInput())
    points = IntegerField("Points", validators=[Optional(), NumberRange(min=-1000, max=1000)], default=20)
    next = StringField(widget=HiddenInput(), validators=[Optional()])


class NewDraftForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired("Give the draft a name."), Length(max=120)])


class ActionForm(FlaskForm):
    """Activate, roll back: only the CSRF token."""


class ProspectFileForm(FlaskForm):
    file = FileField("Prospect list (CSV)", validators=[FileRequired("Choose a CSV file.")])
    preset = SelectField("Columns", default="auto")
    version = SelectField("Score against", default="")
