"""Import presets: which CSV headers mean which account fields (our own columns, HubSpot, Salesforce),
and how CRM cells are read (stages, locale numbers and dates, neutralised formula cells).

Headers match case- and whitespace-insensitively. A header no preset knows is reported as ignored, never read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from ecp_tracker.domain.accounts import Stage, slugify
from ecp_tracker.domain.errors import ValidationError
from ecp_tracker.services.accounts.fields import NATIVE_COLUMNS
from ecp_tracker.services.accounts.vocabulary import custom_trait_key, custom_trait_name, is_custom_trait

DATE_FIELDS = frozenset({"converted_on", "churned_on"})
NUMBER_FIELDS = frozenset(
    {"employees", "annual_revenue", "founded_year", "contract_value", "nps", "referrals"}
)
PRESET_NAMES = ("native", "hubspot", "salesforce")
AUTO = "auto"

# A cell starting with one of these is a formula to a spreadsheet; exports prefix a single quote.
FORMULA_START = "=+-@\t\r"
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
QUOTE_STARTS = frozenset("'=+-@\t\r")  # the first characters _NEEDS_QUOTE can match
_QUOTED = re.compile(r"'+[=+\-@\t\r]")

NOT_USED = "not used by ECP Tracker"
# Columns an export adds that are computed from the account, so a re-import skips them.
DERIVED_COLUMNS = ("icp_score", "icp_tier", "icp_reasons")
DERIVED = "derived from the active ICP version (recomputed, never imported)"


def normalize_header(header: str) -> str:
    """`  Company   Name ` -> `company name`: the form headers are compared in."""
    return " ".join(header.replace("\ufeff", "").split()).casefold()


def neutralise(text: str) -> str:
    """Prefix a single quote to a cell a spreadsheet would run as a formula (CSV injection).

    Also quotes text that already starts with quotes before such a character, so `unquote` inverts it exactly.
    """
    if not text or text[0] not in QUOTE_STARTS:  # most cells: no regular expression needed
        return text
    return "'" + text if _NEEDS_QUOTE.match(text) else text


def unquote(text: str) -> str:
    """Undo `neutralise`: strip exactly one leading quote when the rest starts like a formula."""
    return text[1:] if _QUOTED.match(text) else text


@dataclass(frozen=True)
class Preset:
    """How one CRM names the account columns. Keys are normalized headers."""

    name: str
    label: str
    columns: Mapping[str, str]
    ignored: Mapping[str, str] = field(default_factory=dict)  # known headers we do not read -> why
    stage_values: Mapping[str, str | None] | None = None  # CRM stage (casefolded) -> ours; None: refused
    stage_help: str = ""

    def field_for(self, header: str) -> str | None:
        normalized = normalize_header(header)
        if is_custom_trait(normalized):
            key = slugify(custom_trait_key(normalized))
            return custom_trait_name(key) if key else None
        return self.columns.get(normalized)

    def knows(self, header: str) -> bool:
        return self.field_for(header) is not None or normalize_header(header) in self.ignored

    def read_stage(self, text: str) -> str:
        """A stage cell in this CRM's words -> our stage value (raises ValidationError when it has none)."""
        value = text.strip()
        if not value or self.stage_values is None:
            return value
        folded = " ".join(value.split()).casefold()
        if folded in self.stage_values:
            stage = self.stage_values[folded]
            if stage is None:
                raise ValidationError(
                    f"The {self.label} stage {value!r} has no ECP Tracker stage; change it in {self.label} "
                    f"or leave the cell empty (empty means prospect)."
                )
            return stage
        if folded in {s.value for s in Stage}:
            return folded
        raise ValidationError(f"Unknown {self.label} stage {value!r}; known: {self.stage_help}.")


NATIVE = Preset(
    name="native",
    label="ECP Tracker",
    columns={c: c for c in NATIVE_COLUMNS},
    ignored=dict.fromkeys(DERIVED_COLUMNS, DERIVED),
)

HUBSPOT = Preset(
    name="hubspot",
    label="HubSpot",
    columns={
        "company name": "name",
        "company domain name": "domain",
        "industry": "industry",
        "number of employees": "employees",
        "annual revenue": "annual_revenue",
        "year founded": "founded_year",
        "country/region": "country",
        "state/region": "region",
        "lifecycle stage": "stage",
        "original source type": "acquisition_channel",
        "company owner": "owner",
        "became a customer date": "converted_on",
    },
    ignored={
        "record id": NOT_USED,
        "create date": NOT_USED,
        "city": NOT_USED,
        "last modified date": NOT_USED,
        "last activity date": NOT_USED,
        "phone number": NOT_USED,
        "street address": NOT_USED,
        "postal code": NOT_USED,
        "time zone": NOT_USED,
        "website url": "the domain is read from Company Domain Name",
    },
    stage_values={
        "customer": Stage.CUSTOMER.value,
        "evangelist": Stage.CUSTOMER.value,
        "opportunity": Stage.PILOT.value,
        "lead": Stage.PROSPECT.value,
        "subscriber": Stage.PROSPECT.value,
        "marketing qualified lead": Stage.PROSPECT.value,
        "sales qualified lead": Stage.PROSPECT.value,
        "marketingqualifiedlead": Stage.PROSPECT.value,  # internal values, as the API writes them
        "salesqualifiedlead": Stage.PROSPECT.value,
        "other": None,
    },
    stage_help=(
        "Customer, Evangelist (customer); Opportunity (pilot); "
        "Lead, Subscriber, Marketing/Sales Qualified Lead (prospect)"
    ),
)

_SF_TYPE = "the Salesforce account type is not a stage; stages are kept in ECP Tracker"
SALESFORCE = Preset(
    name="salesforce",
    label="Salesforce",
    columns={
        # API names (Data Export, Data Loader)
        "name": "name",
        "industry": "industry",
        "annualrevenue": "annual_revenue",
        "numberofemployees": "employees",
        "billingcountry": "country",
        "billingstate": "region",
        "website": "domain",
        "accountsource": "acquisition_channel",
        "yearstarted": "founded_year",
        # report labels
        "account name": "name",
        "annual revenue": "annual_revenue",
        "employees": "employees",
        "billing country": "country",
        "billing state/province": "region",
        "account source": "acquisition_channel",
        "year started": "founded_year",
    },
    ignored={
        "type": _SF_TYPE,
        "account type": _SF_TYPE,
        "id": NOT_USED,
        "account id": NOT_USED,
        "createddate": NOT_USED,
        "created date": NOT_USED,
        "lastmodifieddate": NOT_USED,
        "last modified date": NOT_USED,
        "ownerid": "owners are set in ECP Tracker",
        "account owner": "owners are set in ECP Tracker",
        "billingcity": NOT_USED,
        "billing city": NOT_USED,
        "billingstreet": NOT_USED,
        "billingpostalcode": NOT_USED,
        "phone": NOT_USED,
        "parentid": NOT_USED,
        "isdeleted": NOT_USED,
    },
)

PRESETS: dict[str, Preset] = {p.name: p for p in (NATIVE, HUBSPOT, SALESFORCE)}


@dataclass(frozen=True)
class ColumnPlan:
    """How a file's header row will be read: `mapping` header -> field, `ignored` headers with `reasons`.

    `problems` are (header, reason) pairs that make the header unusable (no name column, two columns for
    one field); `fields` maps column positions to fields for the reader.
    """

    preset: str
    headers: list[str]
    mapping: dict[str, str]
    ignored: list[str]
    reasons: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    fields: dict[int, str] = field(default_factory=dict)

    def column_of(self, field_name: str) -> str:
        """The header a field is read from (for problem messages); the field name when none is."""
        for index, mapped in self.fields.items():
            if mapped == field_name:
                return self.headers[index]
        return field_name


def detect_preset(headers: Sequence[str]) -> Preset:
    """The preset that knows most of the headers; ties go to our own columns, then HubSpot, Salesforce."""
    best, best_score = NATIVE, -1
    for preset in PRESETS.values():
        score = sum(1 for h in headers if h.strip() and preset.knows(h))
        if score > best_score:
            best, best_score = preset, score
    return best


def mappable_field(target: str) -> bool:
    """A field a column may be mapped to by hand: one of our columns or `trait:<key>`."""
    return target in NATIVE_COLUMNS or (is_custom_trait(target) and bool(slugify(custom_trait_key(target))))


def plan_headers(
    headers: Sequence[str], preset: str = AUTO, columns: Mapping[str, str] | None = None
) -> ColumnPlan:
    """Map a header row with `preset` (or the best-matching one for "auto").

    `columns` overrides the preset for the headers it names (by their label as shown): a field name, or ""
    to ignore the column.
    """
    if preset == AUTO:
        chosen = detect_preset(headers)
    elif preset in PRESETS:
        chosen = PRESETS[preset]
    else:
        raise ValidationError(
            f"Unknown preset {preset!r}; use auto, {', '.join(PRESET_NAMES)}.", field="preset"
        )
    labels = [h.replace("\ufeff", "").strip() or f"(column {i + 1})" for i, h in enumerate(headers)]
    mapping: dict[str, str] = {}
    fields: dict[int, str] = {}
    ignored: list[str] = []
    reasons: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    first_header: dict[str, str] = {}
    overrides = dict(columns or {})
    for index, (header, label) in enumerate(zip(headers, labels, strict=True)):
        if label in overrides:
            target = overrides[label] or None
            if target is not None and not mappable_field(target):
                problems.append((label, f"{target!r} is not a field a column can be mapped to."))
                continue
        else:
            target = chosen.field_for(header) if header.strip() else None
        if target is None:
            ignored.append(label)
            reasons[label] = (
                "ignored by your choice"
                if label in overrides
                else chosen.ignored.get(normalize_header(header), f"not a {chosen.label} column we know")
            )
            continue
        if target in first_header:
            problems.append(
                (
                    label,
                    f"Columns {first_header[target]!r} and {label!r} both give {target}; keep one of them.",
                )
            )
            continue
        first_header[target] = label
        mapping[label] = target
        fields[index] = target
    if "name" not in first_header:
        names = [h for h, f in chosen.columns.items() if f == "name"]
        problems.append(
            ("name", f"The file has no column for the account name ({chosen.label}: {', '.join(names)}).")
        )
    return ColumnPlan(
        preset=chosen.name,
        headers=labels,
        mapping=mapping,
        ignored=ignored,
        reasons=reasons,
        problems=problems,
        fields=fields,
    )


# --- numbers and dates ---------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def read_number(text: str) -> str:
    """`35,000,000` -> `35000000`; other text is returned for the field check (which reads `3.5E+07`).

    A comma anywhere else (`1,5`, a decimal comma) is refused rather than read as a different number.
    """
    value = text.strip().replace("\u00a0", "")
    if "," not in value:
        return value
    if _THOUSANDS.fullmatch(value):
        return value.replace(",", "")
    raise ValidationError(
        f"{value!r} is not a number written like 35000000, 35,000,000 or 3.5E+07 (no decimal commas)."
    )


_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?")
_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:[ T,].*)?")
_DIRECTIVES = set("aAwdbBmyYHIpMSfzj%")


def check_date_format(date_format: str) -> str:
    """Refuse a --date-format that is not a strptime pattern with a day, a month and a year."""
    directives = set(re.findall(r"%(.)", date_format))
    if not directives or not directives <= _DIRECTIVES:
        raise ValidationError(
            f"{date_format!r} is not a date format such as %d/%m/%Y or %m/%d/%Y.", field="date_format"
        )
    has_all = "d" in directives and directives & {"m", "b", "B"} and directives & {"Y", "y"}
    if not has_all:
        raise ValidationError(
            f"The date format {date_format!r} needs a day, a month and a year (e.g. %d/%m/%Y).",
            field="date_format",
        )
    return date_format


class DateReader:
    """Reads date cells: ISO 8601 (a time part is ignored), the given --date-format, or a numeric date whose
    day/month order is unambiguous (a day above 12). Never guesses, and never mixes orders within one file."""

    def __init__(self, date_format: str | None = None) -> None:
        self.date_format = check_date_format(date_format) if date_format else None
        self.order_seen: tuple[str, int] | None = None  # ("day/month" or "month/day", row) first inferred

    def read(self, text: str, row: int) -> date | str:
        value = text.strip()
        if not value:
            return ""
        if self.date_format:
            for candidate in (value, value.split()[0]):
                try:
                    return datetime.strptime(candidate, self.date_format).date()  # noqa: DTZ007
                except ValueError:
                    pass
        iso = _ISO.fullmatch(value)
        if iso:
            return self._make(value, int(iso[1]), int(iso[2]), int(iso[3]))
        if self.date_format:
            raise ValidationError(f"{value!r} does not match the date format {self.date_format}.")
        numeric = _NUMERIC.fullmatch(value)
        if not numeric:
            raise ValidationError(f"{value!r} is not a date; write YYYY-MM-DD or pass --date-format.")
        first, second, year_text = int(numeric[1]), int(numeric[2]), numeric[3]
        if len(year_text) != 4:
            raise ValidationError(
                f"{value!r} has a two-digit year; write YYYY-MM-DD or pass --date-format (e.g. %d/%m/%y)."
            )
        year = int(year_text)
        if first == second:
            return self._make(value, year, first, second)
        if first > 12 and second <= 12:
            order, day, month = "day/month", first, second
        elif second > 12 and first <= 12:
            order, day, month = "month/day", second, first
        elif first > 12 and second > 12:
            raise ValidationError(f"{value!r} is not a date.")
        else:
            raise ValidationError(
                f"{value!r} could be day/month or month/day; pass --date-format "
                f"(e.g. %d/%m/%Y or %m/%d/%Y) to say which."
            )
        if self.order_seen is None:
            self.order_seen = (order, row)
        elif self.order_seen[0] != order:
            raise ValidationError(
                f"{value!r} reads as {order} but row {self.order_seen[1]} reads as {self.order_seen[0]}; "
                f"pass --date-format to say which order the file uses."
            )
        return self._make(value, year, month, day)

    @staticmethod
    def _make(text: str, year: int, month: int, day: int) -> date:
        try:
            return date(year, month, day)
        except ValueError:
            raise ValidationError(f"{text!r} is not a valid date.") from None
