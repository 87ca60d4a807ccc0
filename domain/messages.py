"""A refused record in plain words, for a care home manager (never the framework's own text).

Every screen that shows why something was not saved uses this one helper:
pydantic's errors ("String should have at least 1 character", "Value error,
...") become the rule that was broken ("must not be empty"), named by the
field it is about ("given name: must not be empty").

The input is pydantic's ``ValidationError`` or the same list of error
mappings (``exc.errors()``, or the ``detail`` of a 422 answer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import ValidationError

Errors = ValidationError | Iterable[Mapping[str, Any]]

# Parts of a 422 answer's error location that name no field.
_NOT_FIELDS = {"body", "query", "path", "header"}


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _characters(count: Any) -> str:
    return f"{count} character{'' if count == 1 else 's'}"


# error type -> the rule in plain words, from the error's ctx.
_RULES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: "is required",
    "string_too_short": lambda ctx: ("must not be empty" if ctx.get("min_length") == 1
                                     else f"must be at least {_characters(ctx.get('min_length'))} long"),
    "string_too_long": lambda ctx: f"must be {_characters(ctx.get('max_length'))} at most",
    "too_short": lambda ctx: f"needs at least {ctx.get('min_length')}",
    "too_long": lambda ctx: f"may have {ctx.get('max_length')} at most",
    "string_pattern_mismatch": lambda ctx: "is not written the expected way",
    "greater_than": lambda ctx: f"must be greater than {_number(ctx.get('gt'))}",
    "greater_than_equal": lambda ctx: f"must be {_number(ctx.get('ge'))} or more",
    "less_than": lambda ctx: f"must be less than {_number(ctx.get('lt'))}",
    "less_than_equal": lambda ctx: f"must be {_number(ctx.get('le'))} or less",
    "int_parsing": lambda ctx: "must be a whole number",
    "int_type": lambda ctx: "must be a whole number",
    "int_from_float": lambda ctx: "must be a whole number",
    "float_parsing": lambda ctx: "must be a number",
    "float_type": lambda ctx: "must be a number",
    "decimal_parsing": lambda ctx: "must be a number",
    "decimal_type": lambda ctx: "must be a number",
    "decimal_max_places": lambda ctx: (f"may have {ctx.get('decimal_places')} decimal "
                                       f"place{'' if ctx.get('decimal_places') == 1 else 's'} at most"),
    "bool_parsing": lambda ctx: "must be yes or no",
    "bool_type": lambda ctx: "must be yes or no",
    "date_parsing": lambda ctx: "must be a date",
    "date_type": lambda ctx: "must be a date",
    "date_from_datetime_parsing": lambda ctx: "must be a date",
    "datetime_parsing": lambda ctx: "must be a date and time",
    "datetime_type": lambda ctx: "must be a date and time",
    "datetime_from_date_parsing": lambda ctx: "must be a date and time",
    "timezone_aware": lambda ctx: "must include a time zone",
    "enum": lambda ctx: f"must be one of {ctx.get('expected')}",
    "literal_error": lambda ctx: f"must be one of {ctx.get('expected')}",
    "extra_forbidden": lambda ctx: "is not expected here",
    "string_type": lambda ctx: "must be text",
}
# Whatever else pydantic says, in the same voice: "Input should be ..." -> "must be ...".
_FRAMEWORK_OPENING = re.compile(r"^(?:Input|String|Value|List|Tuple|Decimal|Date|Datetime|Dictionary) should ")


def rule(error: Mapping[str, Any]) -> str:
    """The rule one error broke, without the field: 'must be 0 or more'."""
    kind, message = str(error.get("type", "")), str(error.get("msg", ""))
    if kind in ("value_error", "assertion_error"):  # our own validators' words, as written
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    explain = _RULES.get(kind)
    if explain is not None:
        return explain(error.get("ctx") or {})
    return _FRAMEWORK_OPENING.sub("must ", message)


def field_of(error: Mapping[str, Any]) -> str | None:
    """The field an error is about, as its name ('vacant_reserved'); None for the record as a whole.

    The innermost named part: ('allergies', 0, 'substance') is 'substance', ('conditions', 2) is 'conditions'.
    """
    parts = [str(p) for p in error.get("loc", ()) if p not in _NOT_FIELDS and not isinstance(p, int)]
    return parts[-1] if parts else None


def describe(error: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    """One error: 'vacant reserved: must be 0 or more' ('Vacant reserved: ...' with ``labels``).

    A rule that already names its field (our validators' own words do) is not named twice.
    """
    text = rule(error)
    field = field_of(error)
    if field is None or field in text:
        return text
    return f"{(labels or {}).get(field) or field.replace('_', ' ')}: {text}"


def plain_words(errors: Errors, labels: Mapping[str, str] | None = None) -> str:
    """Every error, described and joined: 'given name: must not be empty; pulse: must be 250 or less'."""
    found = errors.errors() if isinstance(errors, ValidationError) else errors
    return "; ".join(describe(error, labels) for error in found)


def as_sentence(text: str) -> str:
    """The first letter capitalised, the rest kept ('password: ...' -> 'Password: ...')."""
    return text[:1].upper() + text[1:]

