"""Who may see and change which homes' records: the table in docs/security.md, in code.

The signed-in account decides (its role, home, area or assigned homes, all
from the database via the token); home ids in a request are never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from protocol.accounts import Role
from protocol.kinds import RecordKind
from protocol.sync import Account
from server_stub import repository

HOME_STAFF = Role.HOME_STAFF
HOME_MANAGER = Role.HOME_MANAGER
DIGITAL_CHAMPION = Role.DIGITAL_CHAMPION
COMMISSIONER = Role.COMMISSIONER
HOSPITAL_USER = Role.HOSPITAL_USER
ADMINISTRATOR = Role.ADMINISTRATOR
HOME_ROLES = frozenset({HOME_STAFF, HOME_MANAGER})

# area strings: "england", "region:<NHS region name>", "icb:<ICB ODS code>", "la:<local authority name>"
AREA_COLUMNS = {"region": "region", "icb": "icb_code", "la": "local_authority"}


@dataclass(frozen=True)
class Scope:
    """The homes an account may read: a set of homes, an area of the homes index, or nothing."""

    home_ids: frozenset[str] = frozenset()
    area_column: str | None = None  # a column of the homes table
    area_value: str | None = None
    everything: bool = False
    # Special-category personal data (residents, transfers): only a home's own staff sync it.
    personal_data: bool = False
    # Also the homes beyond the area that share their bed state with neighbouring areas' discharge teams
    # (domain.sharing): only a hospital user's bed search (bed_search_scope) widens so.
    with_neighbours_sharing: bool = False

    @property
    def empty(self) -> bool:
        return not (self.home_ids or self.area_column or self.everything)


def scope_of(account: Account) -> Scope:
    """What the account may read. Hospital users read their area's homes and beds, never residents: transfer
    packs to their hospital come from GET /hospital/transfers."""
    if account.role in HOME_ROLES and account.home_id:
        return Scope(home_ids=frozenset({account.home_id}), personal_data=True)
    if account.role == DIGITAL_CHAMPION:
        return Scope(home_ids=frozenset(account.assigned_homes))
    if account.role == ADMINISTRATOR:
        return Scope(everything=True)
    # A commissioner's area, and a discharge team's (a hospital user's: bed search works offline on her device).
    if account.role in (COMMISSIONER, HOSPITAL_USER) and account.area:
        if account.area == "england":
            return Scope(everything=True)
        prefix, _, value = account.area.partition(":")
        if prefix in AREA_COLUMNS and value:
            return Scope(area_column=AREA_COLUMNS[prefix], area_value=value)
    return Scope()


def bed_search_scope(account: Account) -> Scope:
    """Where an account's bed search looks: its scope, and for a discharge team (a hospital user) also the
    homes outside her area that chose to share with neighbouring areas' discharge teams. A home that has not
    said yes never appears outside its own area; commissioners see their own area only, whatever homes say."""
    scope = scope_of(account)
    if account.role == HOSPITAL_USER and not scope.empty and not scope.everything:
        return replace(scope, with_neighbours_sharing=True)
    return scope


def may_read_home(connection, account: Account, home_id: str) -> bool:
    scope = scope_of(account)
    if scope.everything or home_id in scope.home_ids:
        return True
    if scope.area_column is None:
        return False
    return repository.area_of_home(connection, scope.area_column, home_id) == scope.area_value


def may_change(account: Account, kind: RecordKind, home_id: str) -> bool:
    """Whether the account may write this kind of record for this home."""
    if account.role not in kind.editors:
        return False
    if account.role in HOME_ROLES:
        return account.home_id == home_id
    if account.role == DIGITAL_CHAMPION:
        return home_id in account.assigned_homes
    return False


def may_invite_to(account: Account, home_id: str) -> bool:
    """Who may hand out invite codes for a home's staff to register themselves.

    An invite makes a member of the home's staff, who reads its residents and
    transfers: only someone who reads them already may hand one out, so never
    more access than its issuer has. That is the home's manager; a champion or
    an administrator (no personal data) may not.
    """
    return account.role == HOME_MANAGER and account.home_id == home_id


def may_reset_password_of(account: Account, target: Account) -> bool:
    """Only a higher role, never an equal: a reset lets its issuer choose the next password.

    An administrator resets anyone but an administrator; a manager resets her
    own home's staff (not a co-manager); nobody resets their own this way.
    """
    if account.username == target.username:
        return False
    if account.role == ADMINISTRATOR:
        return target.role != ADMINISTRATOR
    return account.role == HOME_MANAGER and target.role == HOME_STAFF and target.home_id == account.home_id


def may_manage_roles(account: Account) -> bool:
    return account.role == ADMINISTRATOR


def may_read_audit(account: Account) -> bool:
    return account.role == ADMINISTRATOR


def may_manage_suppliers(account: Account) -> bool:
    """Registering other care record systems and issuing their API keys (the supplier API)."""
    return account.role == ADMINISTRATOR


def may_export_research(account: Account) -> bool:
    """The research export: totals over the homes that chose research, for administrators to hand on."""
    return account.role == ADMINISTRATOR
