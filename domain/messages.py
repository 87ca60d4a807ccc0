"""A refused record in plain words, for a care home manager (never the framework's own text).

Every screen that shows why something was not saved, and every 4xx answer of
the central API, uses this one helper: pydantic's errors ("String should have
at least 10 characters", "Value error, ...") become a sentence naming the
field in words a person reads ("Password needs at least 10 characters").

Field names become words in one place, ``FIELD_LABELS`` (``label`` falls back
to the name with its spaces and abbreviations put right), so the app and the
API's messages name a field the same way.

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

# A field's name as a person reads it, where the name with spaces for underscores would not do.
FIELD_LABELS: dict[str, str] = {
    # accounts and signing in
    "username": "User name", "display_name": "Your name", "password": "Password", "new_password": "New password",
    "invite_code": "Invite code", "reset_code": "Reset code", "one_time_passcode": "Code from your authenticator app",
    "refresh_token": "Sign-in", "role": "Role", "assigned_homes": "Homes", "champion_homes": "Homes",
    # beds and the home
    "max_capacity": "Maximum capacity", "occupied": "Occupied", "vacant_reserved": "Vacant reserved",
    "vacant_accepting": "Vacant accepting admissions", "closed_reason": "Reason for closing",
    "closed_to_admissions": "Closed to admissions", "bed_categories": "Bed categories",
    "manager_name": "Name to ask for", "contact_phone": "Phone", "funding_accepted": "Funding accepted",
    "home_id": "Home", "cqc_location_id": "CQC location ID", "registered_beds": "Registered beds",
    # workforce and outbreaks
    "nurses_employed": "Registered nurses (employed)", "nurses_agency": "Registered nurses (agency)",
    "care_workers_employed": "Care workers (employed)", "care_workers_agency": "Care workers (agency)",
    "non_care_employed": "Non-care staff (employed)", "non_care_agency": "Non-care staff (agency)",
    "absent_today": "Staff absent today", "started_on": "Start date", "last_case_on": "Date of the last new case",
    "closed_on": "Date closed", "kind": "Kind",
    # residents, observations, transfers
    "given_name": "Given name", "family_name": "Family name", "date_of_birth": "Date of birth",
    "nhs_number": "NHS number", "ods_code": "ODS code", "gp_practice": "GP practice", "next_of_kin": "Next of kin",
    "no_known_allergies": "No known allergies", "respect_form": "ReSPECT form", "respect_summary": "ReSPECT summary",
    "dnacpr": "DNACPR", "what_matters_to_me": "What matters to me", "substance": "Allergy",
    "respiration_rate": "Respiration rate", "spo2": "Oxygen saturation (SpO2)", "spo2_scale": "SpO2 scale",
    "systolic_bp": "Systolic blood pressure", "air_or_oxygen": "Air or oxygen", "on_oxygen": "On oxygen",
    "news2_total": "NEWS2 score", "news2_risk": "NEWS2 risk", "taken_at": "Time taken",
    "observations_not_taken_reason": "Why observations were not taken", "soft_signs_other": "Other soft signs",
    "hospital_ods": "Hospital", "destination_hospital": "Hospital", "sent_at": "Time sent",
    "returned_at": "Time returned", "missing_items": "Missing belongings", "last_given": "Last given",
    "medicines_to_take_home": "Medicines to take home", "discharge_summary": "Discharge summary",
    # readiness
    "contracted_down_mbps": "Contracted download speed (Mbps)", "contracted_up_mbps": "Contracted upload speed (Mbps)",
    "download_mbps": "Download speed (Mbps)", "upload_mbps": "Upload speed (Mbps)", "latency_ms": "Latency (ms)",
    "no_broadband": "No broadband", "no_connection": "No connection", "measured_at": "Time measured",
    "dspt": "DSPT", "dspt_level": "DSPT status", "dspt_year": "DSPT year", "published_on": "Date published",
    "site_count": "Number of sites", "shared_mailbox": "Shared mailbox", "users_text": "Users",
    "email": "Email", "mobile": "Mobile", "gp_access": "GP record access",
    # alerts
    "expires_at": "Expiry", "link": "Link", "homes": "Homes",
}
# Words that are spelled otherwise inside a name: nhs -> NHS.
_WORDS = {"nhs": "NHS", "ods": "ODS", "gp": "GP", "cqc": "CQC", "icb": "ICB", "id": "ID", "mbps": "Mbps",
          "dspt": "DSPT", "dscr": "DSCR", "nhsmail": "NHSmail", "bp": "blood pressure", "mfa": "MFA", "news2": "NEWS2",
          "sbard": "SBARD", "fhir": "FHIR", "spo2": "SpO2", "dnacpr": "DNACPR", "wifi": "WiFi", "url": "web address"}


def label(field: str, labels: Mapping[str, str] | None = None) -> str:
    """A field's name for a person: 'date_of_birth' -> 'Date of birth' (``labels`` first, then ``FIELD_LABELS``)."""
    found = (labels or {}).get(field) or FIELD_LABELS.get(field)
    if found:
        return found
    words = [_WORDS.get(word, word) for word in field.split("_") if word]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


_SNAKE = re.compile(r"\(?\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b\)?")


def _in_words(text: str, labels: Mapping[str, str] | None = None) -> str:
    """Our own validators' text with any field name in it as words: '(no_broadband)' goes, 'sent_at' -> 'time sent'."""
    def say(match: re.Match[str]) -> str:
        if match.group(0).startswith("(") and match.group(0).endswith(")"):
            return ""  # a field named again in brackets: the sentence already says it
        name = label(match.group(1), labels)
        first = name.split(" ")[0]
        keep = any(ch.isupper() for ch in first[1:])  # NHS number, ReSPECT form: spelled as they are
        return name if keep else name[:1].lower() + name[1:]
    return re.sub(r"\s+([),.;])|\s{2,}", lambda m: m.group(1) or " ", _SNAKE.sub(say, text)).strip()


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _plural(count: Any, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _choices(expected: Any) -> str:
    """pydantic's "'alert', 'new_confusion' or 'pain'" as 'alert, new confusion or pain'."""
    return str(expected).replace("'", "").replace("_", " ")


# What a pattern allows, for the patterns a person types against (a user name she chooses).
_PATTERN_WORDS = {
    r"^[A-Za-z0-9._@-]+$": "can have only letters, numbers and . _ @ - (no spaces)",
}

# error type -> the rule in plain words (following the field's name), from the error's ctx.
_RULES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda ctx: "is required",
    "string_too_short": lambda ctx: ("can't be empty" if ctx.get("min_length") == 1
                                     else f"needs at least {_plural(ctx.get('min_length'), 'character')}"),
    "string_too_long": lambda ctx: f"can't be longer than {_plural(ctx.get('max_length'), 'character')}",
    "too_short": lambda ctx: f"needs at least {_plural(ctx.get('min_length'), 'entry')}".replace("entrys", "entries"),
    "too_long": lambda ctx: f"can have {_plural(ctx.get('max_length'), 'entry')} at most".replace("entrys", "entries"),
    "string_pattern_mismatch": lambda ctx: _PATTERN_WORDS.get(ctx.get("pattern"), "is not written the expected way"),
    "greater_than": lambda ctx: f"must be more than {_number(ctx.get('gt'))}",
    "greater_than_equal": lambda ctx: f"can't be less than {_number(ctx.get('ge'))}",
    "less_than": lambda ctx: f"must be less than {_number(ctx.get('lt'))}",
    "less_than_equal": lambda ctx: f"can't be more than {_number(ctx.get('le'))}",
    "int_parsing": lambda ctx: "must be a whole number",
    "int_type": lambda ctx: "must be a whole number",
    "int_from_float": lambda ctx: "must be a whole number",
    "float_parsing": lambda ctx: "must be a number",
    "float_type": lambda ctx: "must be a number",
    "finite_number": lambda ctx: "must be a number",
    "decimal_parsing": lambda ctx: "must be a number",
    "decimal_type": lambda ctx: "must be a number",
    "decimal_max_places": lambda ctx: f"can have at most {_plural(ctx.get('decimal_places'), 'decimal place')}",
    "decimal_max_digits": lambda ctx: f"can have at most {_plural(ctx.get('max_digits'), 'digit')}",
    "bool_parsing": lambda ctx: "must be yes or no",
    "bool_type": lambda ctx: "must be yes or no",
    "date_parsing": lambda ctx: "must be a date",
    "date_type": lambda ctx: "must be a date",
    "date_from_datetime_parsing": lambda ctx: "must be a date",
    "date_from_datetime_inexact": lambda ctx: "must be a date",
    "date_future": lambda ctx: "can't be in the past",
    "date_past": lambda ctx: "can't be in the future",
    "datetime_parsing": lambda ctx: "must be a date and time",
    "datetime_type": lambda ctx: "must be a date and time",
    "datetime_from_date_parsing": lambda ctx: "must be a date and time",
    "timezone_aware": lambda ctx: "must include a time zone",
    "enum": lambda ctx: f"must be one of: {_choices(ctx.get('expected'))}",
    "literal_error": lambda ctx: f"must be one of: {_choices(ctx.get('expected'))}",
    "extra_forbidden": lambda ctx: "is not expected here",
    "string_type": lambda ctx: "must be text",
    "list_type": lambda ctx: "must be a list",
    "dict_type": lambda ctx: "must be a set of named values",
    "model_type": lambda ctx: "must be a set of named values",
    "model_attributes_type": lambda ctx: "must be a set of named values",
    "json_invalid": lambda ctx: "the information sent could not be read",
    "uuid_parsing": lambda ctx: "is not written the expected way",
    "uuid_type": lambda ctx: "is not written the expected way",
    "url_parsing": lambda ctx: "must be a web address",
    "url_scheme": lambda ctx: "must be a web address starting with https://",
    "value_error": lambda ctx: "is not valid",
}
# Whatever else pydantic says, in the same voice: "Input should be ..." -> "must be ...".
_FRAMEWORK_OPENING = re.compile(
    r"^(?:Input|String|Value|List|Tuple|Decimal|Date|Datetime|Dictionary|Object|Data|Url|UUID) should ")
_OUR_OWN = ("value_error", "assertion_error")


def _own_words(error: Mapping[str, Any]) -> str:
    return str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")


def rule(error: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    """The rule one error broke, without the field: "can't be less than 0"."""
    kind, message = str(error.get("type", "")), str(error.get("msg", ""))
    if kind in _OUR_OWN and message:  # our own validators' words, with any field name in them as words
        return _in_words(_own_words(error), labels)
    explain = _RULES.get(kind)
    if explain is not None:
        return explain(error.get("ctx") or {})
    return _in_words(_FRAMEWORK_OPENING.sub("must ", message), labels)


def field_of(error: Mapping[str, Any]) -> str | None:
    """The field an error is about, as its name ('vacant_reserved'); None for the record as a whole.

    The innermost named part: ('allergies', 0, 'substance') is 'substance', ('conditions', 2) is 'conditions'.
    pydantic's own parts of a location ('function-after[...]', 'literal[...]') name no field.
    """
    parts = [str(p) for p in error.get("loc", ()) if p not in _NOT_FIELDS and not isinstance(p, int)
             and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(p))]
    return parts[-1] if parts else None


def _names_its_field(text: str, field: str, name: str) -> bool:
    lowered = text.lower()
    return field in text or name.lower() in lowered or field.replace("_", " ") in lowered


def describe(error: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
    """One error as a sentence naming its field: 'Vacant reserved can't be less than 0'.

    A rule that already names its field (our validators' own words do) is not named twice.
    """
    text = rule(error, labels)
    field = field_of(error)
    if field is None:
        return as_sentence(text)
    name = label(field, labels)
    own = error.get("type") in _OUR_OWN and _names_its_field(_own_words(error), field, name)
    if own or text.lower().startswith(name.lower()):  # the API's answers already say it in these words
        return as_sentence(text)
    return f"{name} {text}"


def plain_words(errors: Errors, labels: Mapping[str, str] | None = None) -> str:
    """Every error, described and joined: "Given name can't be empty; Pulse can't be more than 250"."""
    found = errors.errors() if isinstance(errors, ValidationError) else errors
    return "; ".join(describe(error, labels) for error in found)


def as_sentence(text: str) -> str:
    """The first letter capitalised, the rest kept ('password needs ...' -> 'Password needs ...')."""
    return text[:1].upper() + text[1:]
