"""Where homes are: local authority -> ICB -> NHS region, distances, postcode district centroids.

The lookup rows come from the caller (server_stub/data/icb-la-lookup.csv);
nothing here reads a file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.homes import IcbChoice

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class IcbResolution:
    """The ICB of a home, or the ICBs an administrator chooses between (never a guess)."""

    icb: IcbChoice | None
    candidates: tuple[IcbChoice, ...] = ()

    @property
    def needs_decision(self) -> bool:
        return self.icb is None and bool(self.candidates)


def _short_name(icb_name: str) -> str:
    """"NHS Frimley Integrated Care Board" -> "frimley"."""
    name = re.sub(r"\bintegrated care board\b|\bicb\b|^nhs\b", "", icb_name.lower())
    return re.sub(r"[^a-z0-9]+", " ", name).strip()


def resolve_icb(
    local_authority: str,
    lookup: Mapping[str, Sequence[IcbChoice]],
    *,
    sub_icb_code: str | None = None,
    sub_icb_name: str | None = None,
    sub_icb_codes: Mapping[str, str] | None = None,
) -> IcbResolution:
    """The home's ICB from its local authority; where the authority spans several ICBs, from its sub-ICB.

    ``sub_icb_codes`` maps sub-ICB (or CCG) codes to ICB codes, where known. A sub-ICB location's name
    carries its ICB's ("NHS Frimley ICB - 15A"), so a name that names exactly one candidate decides too.
    """
    candidates = tuple(lookup.get(local_authority.strip(), ()))
    if len(candidates) <= 1:
        return IcbResolution(candidates[0] if candidates else None)
    if sub_icb_code and sub_icb_codes and (code := sub_icb_codes.get(sub_icb_code.strip())):
        chosen = [choice for choice in candidates if choice.code == code]
        if len(chosen) == 1:
            return IcbResolution(chosen[0])
    if sub_icb_name:
        words = " " + re.sub(r"[^a-z0-9]+", " ", sub_icb_name.lower()) + " "
        named = [choice for choice in candidates if f" {_short_name(choice.name)} " in words]
        if len(named) == 1:
            return IcbResolution(named[0])
    return IcbResolution(None, candidates)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Box:
    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float


def bounding_box(latitude: float, longitude: float, radius_km: float) -> Box:
    """A box holding every point within ``radius_km`` of the point (so a query can leave out what is outside)."""
    d_lat = math.degrees(radius_km / EARTH_RADIUS_KM)
    widest = min(89.9, max(abs(latitude - d_lat), abs(latitude + d_lat)))  # a parallel is shortest nearest a pole
    d_lon = min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * math.cos(math.radians(widest)))))
    return Box(latitude - d_lat, latitude + d_lat, longitude - d_lon, longitude + d_lon)


@dataclass(frozen=True)
class Centroid:
    latitude: float
    longitude: float
    homes: int  # how many homes it was computed from


def centroid(points: Iterable[tuple[float, float]]) -> Centroid | None:
    """The mean position of some points (fine at the scale of a postcode district)."""
    lats, lons = [], []
    for lat, lon in points:
        lats.append(lat)
        lons.append(lon)
    if not lats:
        return None
    return Centroid(sum(lats) / len(lats), sum(lons) / len(lons), len(lats))
