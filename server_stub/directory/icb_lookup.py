"""Local authority -> ICB -> NHS region (server_stub/data/icb-la-lookup.csv), and each home placed in its ICB.

Eight local authorities span more than one ICB. There the home's sub-ICB location (the file's ONSPD or
Commissioning CCG columns) decides: by its name ("NHS Frimley ICB - 15A" names Frimley), or by its
code when another home of the same file, in an authority with one ICB, showed which ICB that code is
in. A home still undecided keeps no ICB and lists its candidates for an administrator: never a guess.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from domain.geography import resolve_icb
from domain.homes import CareHome, IcbChoice
from server_stub.directory.reader import DirectoryEntry

LOOKUP_CSV = Path(__file__).resolve().parents[1] / "data" / "icb-la-lookup.csv"
ICB_CODE_YEAR = 2022  # the lookup carries the ICBs of July 2022


@dataclass(frozen=True)
class IcbLookup:
    """Each local authority's ICBs, keyed by its name in lower case (files differ in capitals)."""

    by_authority: Mapping[str, tuple[IcbChoice, ...]]
    year: int = ICB_CODE_YEAR

    def choices(self, local_authority: str) -> tuple[IcbChoice, ...]:
        return self.by_authority.get(_key(local_authority), ())


def _key(local_authority: str) -> str:
    return " ".join(local_authority.split()).casefold()


def load_icb_lookup(path: Path = LOOKUP_CSV) -> IcbLookup:
    lookup: dict[str, list[IcbChoice]] = {}
    with Path(path).open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            choice = IcbChoice(code=row["ICB22CDH"].strip(), name=row["ICB22NM"].strip(),
                               region=row["NHSER22NM"].strip())
            choices = lookup.setdefault(_key(row["Location.Local.Authority"]), [])
            if choice not in choices:
                choices.append(choice)
    return IcbLookup({authority: tuple(choices) for authority, choices in lookup.items()})


def learn_sub_icb_codes(entries: Iterable[DirectoryEntry], lookup: IcbLookup) -> dict[str, str]:
    """Sub-ICB (CCG) code -> ICB code, learnt from the file's homes whose authority has exactly one ICB."""
    learnt: dict[str, str] = {}
    for entry in entries:
        choices = lookup.choices(entry.home.local_authority)
        if len(choices) == 1:
            for sub_icb in entry.sub_icbs:
                if sub_icb.code:
                    learnt.setdefault(sub_icb.code, choices[0].code)
    return learnt


def place_home(entry: DirectoryEntry, lookup: IcbLookup, sub_icb_codes: Mapping[str, str]) -> CareHome:
    """The entry's home with its ICB and region, or with the ICBs an administrator chooses between."""
    home = entry.home
    key = _key(home.local_authority)
    resolution = resolve_icb(key, lookup.by_authority)
    for sub_icb in entry.sub_icbs:
        if not resolution.needs_decision:
            break
        resolution = resolve_icb(key, lookup.by_authority, sub_icb_code=sub_icb.code, sub_icb_name=sub_icb.name,
                                 sub_icb_codes=sub_icb_codes)
    if resolution.icb is not None:
        return with_icb(home, resolution.icb, lookup.year)
    candidates = resolution.candidates
    regions = {choice.region for choice in candidates}
    return home.model_copy(update={
        "icb": None, "icb_code": None, "icb_code_year": None, "icb_candidates": candidates,
        # The region is a fact when every candidate ICB is in the same one.
        "region": regions.pop() if len(regions) == 1 else None,
    })


def with_icb(home: CareHome, icb: IcbChoice, year: int = ICB_CODE_YEAR) -> CareHome:
    return home.model_copy(update={"icb": icb.name, "icb_code": icb.code, "icb_code_year": year,
                                   "region": icb.region, "icb_candidates": ()})


def place_homes(entries: list[DirectoryEntry], lookup: IcbLookup) -> list[CareHome]:
    sub_icb_codes = learn_sub_icb_codes(entries, lookup)
    return [place_home(entry, lookup, sub_icb_codes) for entry in entries]
