"""Reads a CQC directory file saved as CSV into care homes (their ICB is placed later: icb_lookup.py).

Two formats, told apart by the header line (lines before it, a preamble, are skipped):
- **hsca**: the CQC's "HSCA Active Locations" file (a column ``Location ID``). Only rows with
  ``Care home?`` = Y and ``Dormant (Y/N)`` = N are care homes; every other row is passed over.
- **directory**: the simpler CQC-directory-derived file of the Trafford Data Lab (a column ``cqc_id``).

A row that is a care home but cannot become one (no location ID, no postcode, beds that are not a
number...) is a bad row: its line number and the reason in plain words. A file that is not one of
these (unreadable, not text, no such header) raises ``UnreadableFile``. The mapping: docs/directory.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from domain.beds import BedCategory
from domain.homes import CareHome, CqcRating
from protocol.directory import BadRow

HSCA, DIRECTORY = "hsca", "directory"
HSCA_ID, DIRECTORY_ID = "Location ID", "cqc_id"
BLANKS = frozenset({"", "na", "n/a", "-", "null", "none"})
LOCATION_ID = re.compile(r"^1-\d{5,12}$")
ODS_SITE_CODE = re.compile(r"^V[A-Z0-9]{4,5}$")
RATINGS = {rating.value.lower(): rating for rating in CqcRating}

HSCA_REQUIRED = ("Location ID", "Care home?", "Dormant (Y/N)", "Location Name", "Location Postal Code",
                 "Location Local Authority")
DIRECTORY_REQUIRED = ("cqc_id", "name", "type", "address", "postcode", "area_name")

RESIDENTIAL = (BedCategory.RESIDENTIAL, BedCategory.RESIDENTIAL_DEMENTIA)
NURSING = (BedCategory.NURSING, BedCategory.NURSING_DEMENTIA)

# Field names of CareHome as a person reads them (a row that breaks one of its rules).
FIELD_WORDS = {"cqc_location_id": "CQC location ID", "name": "name", "address": "address", "postcode": "postcode",
               "local_authority": "local authority", "registered_beds": "beds", "provider": "provider",
               "phone": "phone number", "registered_manager": "registered manager", "latitude": "latitude",
               "longitude": "longitude"}


class UnreadableFile(Exception):
    """The file cannot be imported at all; ``str(error)`` says why in plain words."""


class BadValue(Exception):
    """One row's value that cannot be used; ``str(error)`` is the reason shown beside its line."""


@dataclass(frozen=True, slots=True)
class SubIcb:
    """A sub-ICB location (a CCG before July 2022) named by the file, to tell a home's ICB."""

    code: str | None
    name: str | None


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    line: int
    home: CareHome  # no ICB yet: icb_lookup.place_homes sets it
    sub_icbs: tuple[SubIcb, ...] = ()


@dataclass(frozen=True)
class DirectoryFile:
    file_name: str
    file_format: str  # HSCA or DIRECTORY
    entries: list[DirectoryEntry]
    bad_rows: list[BadRow]
    # Location IDs seen on bad rows: such a home is still listed, so it is never deregistered for a bad row.
    ids_on_bad_rows: frozenset[str] = frozenset()

    @property
    def areas(self) -> list[str]:
        """The local authorities the file covers: it is the new truth for their homes."""
        return sorted({entry.home.local_authority for entry in self.entries})


def read_directory(path: Path | str) -> DirectoryFile:
    """Read the file at ``path``; raises UnreadableFile (plain words) if it cannot be imported at all."""
    path = Path(path)
    text = _decode(path)
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header, file_format = _find_header(rows, path.name)
        parse = _hsca_row if file_format == HSCA else _directory_row
        columns = {name: index for index, name in reversed(list(enumerate(header)))}
        entries, bad_rows, bad_ids = [], [], set()
        first_line_of: dict[str, int] = {}
        previous_end = rows.line_num
        for row in rows:
            line, previous_end = previous_end + 1, rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            cell = _cells(row, columns)
            try:
                entry = parse(cell, line)
            except BadValue as bad:
                bad_rows.append(BadRow(line=line, reason=str(bad)))
                if LOCATION_ID.match(location_id := cell(HSCA_ID if file_format == HSCA else DIRECTORY_ID)):
                    bad_ids.add(location_id)
                continue
            if entry is None:
                continue  # not an active care home (HSCA): not ours to import
            home_id = entry.home.cqc_location_id
            if home_id in first_line_of:
                bad_rows.append(BadRow(line=line, reason=f"the same CQC location ID as line {first_line_of[home_id]}"))
                continue
            first_line_of[home_id] = line
            entries.append(entry)
    except csv.Error as error:
        raise UnreadableFile(f"{path.name} is not a CSV file that can be read (line {rows.line_num}: {error})") from None
    return DirectoryFile(path.name, file_format, entries, bad_rows, frozenset(bad_ids - first_line_of.keys()))


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFile(f"There is no file {path}") from None
    except OSError as error:
        raise UnreadableFile(f"The file {path} cannot be read ({error.strerror or error})") from None
    if b"\x00" in raw:
        raise UnreadableFile(f"{path.name} is not a CSV text file (it holds binary data)")
    for encoding in ("utf-8-sig", "cp1252"):  # utf-8-sig reads plain UTF-8 too; Excel on Windows saves cp1252
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(f"{path.name} is not a text file in UTF-8 or Windows-1252")


def _find_header(rows: Iterator[list[str]], file_name: str) -> tuple[list[str], str]:
    for row in rows:
        header = [cell.strip() for cell in row]
        for file_format, key, required in ((HSCA, HSCA_ID, HSCA_REQUIRED), (DIRECTORY, DIRECTORY_ID, DIRECTORY_REQUIRED)):
            if key in header:
                missing = [name for name in required if name not in header]
                if missing:
                    raise UnreadableFile(f"{file_name} has no {', '.join(repr(name) for name in missing)} column")
                return header, file_format
    raise UnreadableFile(f"{file_name} is not a CQC directory file: no 'Location ID' or 'cqc_id' column")


def _cells(row: list[str], columns: dict[str, int]) -> Callable[[str], str]:
    """A row's cell by column name ('' when the row is short or the file has no such column)."""
    def cell(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(row):
            return ""
        value = row[index].strip()
        return "" if value.lower() in BLANKS else value
    return cell


# -- the two formats ---------------------------------------------------------------------------------------


def _hsca_row(cell: Callable[[str], str], line: int) -> DirectoryEntry | None:
    if cell("Care home?").upper() != "Y" or cell("Dormant (Y/N)").upper() != "N":
        return None
    with_nursing = _flag(cell("Service type - Care home service with nursing"))
    without_nursing = _flag(cell("Service type - Care home service without nursing"))
    bands = {band for band in ("Dementia", "Learning disabilities or autistic spectrum disorder", "Mental Health",
                               "Physical Disability", "Younger Adults") if _flag(cell(f"Service user band - {band}"))}
    ods_code = cell("Location ODS Code").upper()
    home = _care_home(
        cqc_location_id=cell("Location ID"),
        ods_code=ods_code if ODS_SITE_CODE.match(ods_code) else None,
        name=cell("Location Name"),
        address=_join(cell(name) for name in ("Location Street Address", "Location Address Line 2", "Location City",
                                              "Location County")),
        postcode=cell("Location Postal Code").upper(),
        local_authority=cell("Location Local Authority"),
        registered_beds=_beds(cell("Care homes beds")),
        with_nursing=with_nursing,
        bed_categories=_categories(with_nursing, without_nursing, bands),
        provider=cell("Provider Name") or None,
        phone=_phone(cell("Location Telephone Number")),
        registered_manager=cell("Registered manager") or None,
        latitude=_coordinate(cell("Location Latitude"), "latitude", 90),
        longitude=_coordinate(cell("Location Longitude"), "longitude", 180),
        cqc_rating=RATINGS.get(cell("Location Latest Overall Rating").lower()),
        cqc_rating_date=_date(cell("Publication Date"), "publication date"),
    )
    sub_icbs = tuple(
        SubIcb(cell(f"{kind} Code") or None, cell(kind) or None)
        for kind in ("Location ONSPD CCG", "Location Commissioning CCG")
        if cell(f"{kind} Code") or cell(kind)
    )
    return DirectoryEntry(line, home, sub_icbs)


def _directory_row(cell: Callable[[str], str], line: int) -> DirectoryEntry:
    services = {part.strip() for part in cell("type").split("|")}
    with_nursing = "Nursing homes" in services
    # This format has no service user bands: a home is offered its kind's dementia beds too (unknown is
    # not "no"), which its manager can correct in the home's settings.
    categories = (RESIDENTIAL if "Residential homes" in services else ()) + (NURSING if with_nursing else ())
    home = _care_home(
        cqc_location_id=cell("cqc_id"),
        name=cell("name"),
        address=_join(cell("address").split(",")),
        postcode=cell("postcode").upper(),
        local_authority=cell("area_name"),
        registered_beds=None,  # not in this format
        with_nursing=with_nursing,
        bed_categories=categories or RESIDENTIAL,
        provider=cell("provider") or None,
        phone=_phone(cell("telephone")),
        latitude=_coordinate(cell("lat"), "latitude", 90),
        longitude=_coordinate(cell("lon"), "longitude", 180),
    )
    return DirectoryEntry(line, home)


# -- values ------------------------------------------------------------------------------------------------


def _care_home(**fields) -> CareHome:
    location_id = fields["cqc_location_id"]
    if not location_id:
        raise BadValue("no CQC location ID")
    if not LOCATION_ID.match(location_id):
        raise BadValue(f"the CQC location ID {location_id[:30]!r} is not like 1-123456789")
    for name, words in (("name", "name"), ("postcode", "postcode"), ("local_authority", "local authority")):
        if not fields[name]:
            raise BadValue(f"{words} missing")
    try:
        return CareHome(**fields)
    except ValidationError as error:
        problem = error.errors()[0]
        field = FIELD_WORDS.get(str(problem["loc"][0]), str(problem["loc"][0]).replace("_", " "))
        too_long = problem["type"] == "string_too_long"
        raise BadValue(f"{field} is too long" if too_long else f"{field} is not valid") from None


def _flag(value: str) -> bool:
    """CQC flags are "Y" or blank; a blank is unknown, so only "Y" says yes."""
    return value.upper() in ("Y", "YES")


def _categories(with_nursing: bool, without_nursing: bool, bands: set[str]) -> tuple[BedCategory, ...]:
    dementia = "Dementia" in bands
    categories: list[BedCategory] = []
    if not with_nursing or without_nursing:
        categories += [BedCategory.RESIDENTIAL] + ([BedCategory.RESIDENTIAL_DEMENTIA] if dementia else [])
    if with_nursing:
        categories += [BedCategory.NURSING] + ([BedCategory.NURSING_DEMENTIA] if dementia else [])
    if "Learning disabilities or autistic spectrum disorder" in bands:
        categories.append(BedCategory.LEARNING_DISABILITY)
    if "Mental Health" in bands:
        categories.append(BedCategory.MENTAL_HEALTH)
    if bands & {"Physical Disability", "Younger Adults"}:
        categories.append(BedCategory.YOUNG_PHYSICALLY_DISABLED)
    return tuple(categories)


def _join(parts) -> str:
    return ", ".join(part.strip() for part in parts if part and part.strip() and part.strip().lower() not in BLANKS)


def _beds(value: str) -> int | None:
    if not value:
        return None  # unknown, never 0
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        raise BadValue(f"beds is not a number ({value[:20]!r})") from None
    if number < 0 or number != int(number):
        raise BadValue(f"beds is not a whole number of beds ({value[:20]!r})")
    return int(number)


def _coordinate(value: str, name: str, limit: float) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadValue(f"{name} is not a number ({value[:20]!r})") from None
    if not -limit <= number <= limit:
        raise BadValue(f"{name} is out of range ({value[:20]!r})")
    return number


def _phone(value: str) -> str | None:
    if not value:
        return None
    digits = value.replace(" ", "")
    # A spreadsheet that saw a number dropped the leading 0 of a UK number ("1619291783").
    if digits.isdigit() and len(digits) == 10 and not digits.startswith("0"):
        return "0" + digits
    return value[:30]


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(value[:10], pattern).date()
        except ValueError:
            continue
    raise BadValue(f"{name} is not a date ({value[:20]!r})")
