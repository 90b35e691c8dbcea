"""Custom trait definitions (admin) and validating trait values against them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ecp_tracker.domain.accounts import TraitKind, slugify
from ecp_tracker.domain.actors import Actor
from ecp_tracker.domain.errors import NotFound, StaleEdit, ValidationError
from ecp_tracker.domain.numbers import parse_decimal
from ecp_tracker.models import TraitDefinition
from ecp_tracker.services.shared import audit

TRUE_WORDS = {"yes", "true", "1", "y"}
FALSE_WORDS = {"no", "false", "0", "n"}
MAX_VALUE_LENGTH = 200


def list_definitions(session: Session, *, include_archived: bool = False) -> Sequence[TraitDefinition]:
    stmt = select(TraitDefinition).order_by(TraitDefinition.label)
    if not include_archived:
        stmt = stmt.where(TraitDefinition.archived_at.is_(None))
    return session.scalars(stmt).all()


def definitions_by_key(session: Session) -> dict[str, TraitDefinition]:
    return {d.key: d for d in list_definitions(session)}


def get_definition(session: Session, definition_id: int) -> TraitDefinition:
    definition = session.get(TraitDefinition, definition_id)
    if definition is None:
        raise NotFound(f"There is no trait with id {definition_id}.")
    return definition


def _clean_allowed(kind: TraitKind, allowed: Iterable[str]) -> list[str]:
    values: list[str] = []
    for raw in allowed:
        value = " ".join(raw.split())
        if value and value.casefold() not in {v.casefold() for v in values}:
            values.append(value[:MAX_VALUE_LENGTH])
    if kind == TraitKind.CATEGORY and not values:
        raise ValidationError(
            "A category trait needs its allowed values, one per line.", field="allowed_values"
        )
    return values if kind in {TraitKind.CATEGORY, TraitKind.TAGS} else []


def _parse_kind(kind: str) -> TraitKind:
    try:
        return TraitKind(kind)
    except ValueError:
        options = ", ".join(k.value for k in TraitKind)
        raise ValidationError(f"Kind must be one of {options}.", field="kind") from None


def create_definition(
    session: Session,
    actor: Actor,
    *,
    label: str,
    kind: str,
    key: str | None = None,
    allowed_values: Iterable[str] = (),
    description: str = "",
    externally_observable: bool = False,
) -> TraitDefinition:
    label = " ".join(label.split())
    if not label:
        raise ValidationError("Enter a label.", field="label")
    slug = slugify(key or label)[:60]
    if not slug:
        raise ValidationError("The key needs letters or digits.", field="key")
    if session.scalar(select(TraitDefinition).where(TraitDefinition.key == slug)) is not None:
        raise ValidationError(f"A trait with the key {slug!r} already exists.", field="key")
    parsed = _parse_kind(kind)
    definition = TraitDefinition(
        key=slug,
        label=label[:120],
        kind=parsed.value,
        allowed_values=_clean_allowed(parsed, allowed_values),
        description=description.strip(),
        externally_observable=externally_observable,
    )
    audit.log_write(session, actor, definition, summary=f"trait:{slug}")
    return definition


def update_definition(
    session: Session,
    actor: Actor,
    definition_id: int,
    *,
    version: int | None,
    label: str,
    allowed_values: Iterable[str],
    description: str,
    externally_observable: bool,
) -> TraitDefinition:
    """Label, description, observability and allowed values may change; key and kind may not."""
    definition = get_definition(session, definition_id)
    if version is None or version != definition.version:
        raise StaleEdit(
            f"The trait {definition.label!r} was changed by someone else; reload to see the change."
        )
    label = " ".join(label.split())
    if not label:
        raise ValidationError("Enter a label.", field="label")
    definition.label = label[:120]
    definition.allowed_values = _clean_allowed(TraitKind(definition.kind), allowed_values)
    definition.description = description.strip()
    definition.externally_observable = externally_observable
    audit.log_write(session, actor, definition, summary=f"trait:{definition.key}")
    return definition


def set_archived(session: Session, actor: Actor, definition_id: int, *, archived: bool) -> TraitDefinition:
    definition = get_definition(session, definition_id)
    return audit.set_archived(
        session, actor, definition, archived=archived, summary=f"trait:{definition.key}"
    )


def canonical_values(definition: TraitDefinition, raw: str | Iterable[str] | None) -> list[str]:
    """The stored values for `raw` input (a string, or several strings for tags); [] means no value.

    Raises ValidationError (field `trait:<key>`) when the input does not fit the definition.
    """
    field = f"trait:{definition.key}"
    if isinstance(raw, dict):
        raise ValidationError(
            f"{definition.label} takes a value or a list of values, not an object.", field=field
        )
    parts = (
        [raw] if raw is None or isinstance(raw, str) or not isinstance(raw, list | tuple | set) else list(raw)
    )
    parts = [_as_text(p) for p in parts]
    texts = [" ".join(p.split()) for p in parts if p is not None and p.strip()]
    if not texts:
        return []
    kind = TraitKind(definition.kind)
    if kind == TraitKind.TAGS:
        tags: list[str] = []
        seen: set[str] = set()  # the casefolded tags kept so far
        for text in texts:
            for tag in text.replace(",", ";").split(";"):
                tag = " ".join(tag.split())
                if tag and tag.casefold() not in seen:
                    kept = _tag(definition, tag, field)
                    tags.append(kept)
                    seen.add(kept.casefold())
        return tags
    if len(texts) > 1:
        raise ValidationError(f"{definition.label} takes one value, not {len(texts)}.", field=field)
    text = texts[0]
    if kind == TraitKind.BOOLEAN:
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return ["yes"]
        if lowered in FALSE_WORDS:
            return ["no"]
        raise ValidationError(f"{definition.label} is yes or no, not {text!r}.", field=field)
    if kind == TraitKind.NUMBER:
        number = parse_decimal(text)
        if number is None:
            raise ValidationError(
                f"{definition.label} is a number such as 12 or 3.5, not {text!r}.", field=field
            )
        return [format(number.normalize(), "f")]
    return [_allowed(definition, text, field)]


def _tag(definition: TraitDefinition, tag: str, field: str) -> str:
    """A tag as stored: its allowed spelling (ValidationError when not allowed), or the text cut to length."""
    if definition.allowed_values:
        return _allowed(definition, tag, field)
    return tag[:MAX_VALUE_LENGTH]


class TagReader:
    """`canonical_values` of the text cells of one tags trait, each distinct piece between separators checked
    once: an import's tags columns have tens of thousands of distinct cells made of a few dozen tags, so a
    cache by cell misses where one by tag hits. Same values and the same first error as canonical_values."""

    MAX_PIECES = 20_000  # distinct pieces remembered; later ones are checked every time

    def __init__(self, definition: TraitDefinition) -> None:
        self.definition = definition
        self.field = f"trait:{definition.key}"
        # piece as written -> ("", "", "") for a blank one, else (its casefold, the tag kept, that
        # casefolded), or the message of the error the tag raises
        self.pieces: dict[str, tuple[str, str, str] | str] = {}

    def values(self, cell: str) -> list[str]:
        """The stored tags of a cell (raises ValidationError as canonical_values does)."""
        if not cell.strip():
            return []
        tags: list[str] = []
        seen: set[str] = set()
        pieces = self.pieces
        for piece in cell.replace(",", ";").split(";"):
            found = pieces.get(piece)
            if found is None:
                found = self.piece(piece)
                if len(pieces) < self.MAX_PIECES:
                    pieces[piece] = found
            if isinstance(found, str):
                raise ValidationError(found, field=self.field)
            folded, kept, kept_folded = found
            if folded and folded not in seen:
                tags.append(kept)
                seen.add(kept_folded)
        return tags

    def piece(self, piece: str) -> tuple[str, str, str] | str:
        tag = " ".join(piece.split())
        if not tag:
            return ("", "", "")
        try:
            kept = _tag(self.definition, tag, self.field)
        except ValidationError as error:
            return error.message
        return (tag.casefold(), kept, kept.casefold())


def _as_text(value: object) -> str | None:
    """JSON gives numbers and booleans as such: true -> "yes", 12 -> "12"."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _allowed(definition: TraitDefinition, value: str, field: str) -> str:
    for allowed in definition.allowed_values:
        if allowed.casefold() == value.casefold():
            return allowed
    options = ", ".join(definition.allowed_values)
    raise ValidationError(
        f"{value!r} is not an allowed value of {definition.label} ({options}).", field=field
    )
