"""An administrator's first screen: the directory import, homes awaiting an ICB decision, accounts, the audit log.

Everything here is the central API's (``GET /admin/imports/latest``,
``/admin/icb-decisions``, ``/accounts?q=``, ``/accounts/audit``), read when
the screen opens and on demand; nothing is kept on the device (accounts and
the audit log name people). Offline, the screen says plainly that it needs a
connection. Each action (choose an ICB, unlock, change a role) answers in
plain words, the server's own when it refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from client.sync.api import ApiError, AuthExpired, CentralApi, Offline
from domain.messages import plain_words
from domain.uk_time import uk_day_and_time
from protocol.account_admin import FoundAccount
from protocol.accounts import AuditEntry, Role, RoleChangeRequest
from protocol.directory import IcbDecisionNeeded, ImportSummary

NEEDS_CONNECTION = "The administrator's screen needs a connection to the central API; none is available now."
NO_IMPORT = "No directory file has been imported yet"
ROLE_LABELS: dict[Role, str] = {
    Role.HOME_STAFF: "Home staff",
    Role.HOME_MANAGER: "Home manager",
    Role.DIGITAL_CHAMPION: "Digital champion",
    Role.COMMISSIONER: "Commissioner",
    Role.HOSPITAL_USER: "Hospital user",
    Role.ADMINISTRATOR: "Administrator",
}
# What the one "where" box of a role change means for each role.
PLACE_LABELS: dict[Role, str] = {
    Role.HOME_STAFF: "Home (CQC location ID)",
    Role.HOME_MANAGER: "Home (CQC location ID)",
    Role.DIGITAL_CHAMPION: "Homes (CQC location IDs, separated by commas)",
    Role.COMMISSIONER: "Area (e.g. icb:QOP, la:Trafford, england)",
    Role.HOSPITAL_USER: "Hospital (ODS code, e.g. R0A07)",
    Role.ADMINISTRATOR: "",
}


PART_NAMES = {"import": "The import status", "decisions": "Homes awaiting an ICB decision", "audit": "The audit log"}


class NeedsConnection(Exception):
    """Said to the user as it is."""


@dataclass(frozen=True)
class AccountRow:
    username: str
    line: str  # name, role and where
    locked: str | None  # "Locked until 09:15" or None


class AdminScreen:
    def __init__(self, api: Callable[[], CentralApi | None], *, now: Callable[[], datetime]) -> None:
        self._api, self._now = api, now
        self.last_import: ImportSummary | None = None
        self.import_loaded = False
        self.decisions: list[IcbDecisionNeeded] = []
        self.audit: list[AuditEntry] = []
        self.query = ""
        self.found: list[FoundAccount] = []
        self.searched = False
        self.message: str | None = None
        self.message_is_error = False

    # -- reading -----------------------------------------------------------------------------------

    async def load(self) -> bool:
        """The import status, the ICB decisions and the latest of the audit log; True if all came.

        Each is asked for on its own: one the central API cannot give does not hide the others.
        """
        try:
            api = self._signed_in()
        except NeedsConnection as exc:
            return self._said(exc)
        problems: list[str] = []
        for part, fetch in (("import", api.latest_import), ("decisions", api.icb_decisions),
                            ("audit", lambda: api.audit_log(limit=50))):
            try:
                answer = await fetch()
            except Offline as exc:  # no connection: the rest would fail the same way
                return self._said(exc)
            except ApiError as exc:
                problems.append(f"{PART_NAMES[part]} could not be loaded: {exc}")
                continue
            if part == "import":
                self.last_import, self.import_loaded = answer, True
            elif part == "decisions":
                self.decisions = answer
            else:
                self.audit = answer
        if problems:
            return self._refused("; ".join(problems))
        if self.message_is_error:
            self.message = None
        return True

    async def find(self, text: str) -> bool:
        self.query = text.strip()
        if not self.query:
            self.found, self.searched = [], False
            self.message, self.message_is_error = "Type part of a name, a user name or a home to find", True
            return False
        try:
            self.found = await self._signed_in().find_accounts(self.query)
        except (NeedsConnection, ApiError) as exc:
            return self._said(exc)
        self.searched = True
        self.message, self.message_is_error = None, False
        return True

    # -- what the screen shows -------------------------------------------------------------------------

    @property
    def import_lines(self) -> list[str]:
        """The last import in words: the file, when and by whom, the counts, each bad row by its line."""
        if not self.import_loaded:
            return ["Import status not loaded yet"]
        summary = self.last_import
        if summary is None:
            return [NO_IMPORT]
        kind = "CQC HSCA active locations" if summary.file_format == "hsca" else "CQC directory"
        who = f" by {summary.by}" if summary.by else " from the command line"
        trial = " (a dry run: nothing was changed)" if summary.dry_run else ""
        lines = [f"Last file: {summary.file_name} ({kind}), {_when(summary.at)}{who}{trial}",
                 f"{summary.added} added, {summary.updated} updated, {summary.deregistered} deregistered, "
                 f"{summary.restored} restored, {summary.unchanged} unchanged",
                 f"{summary.awaiting_icb} awaiting an ICB decision; {len(summary.bad_rows)} bad "
                 f"row{'s' if len(summary.bad_rows) != 1 else ''}"]
        if summary.areas:
            lines.append("Areas: " + ", ".join(summary.areas))
        lines.extend(f"Line {row.line}: {row.reason}" for row in summary.bad_rows)
        return lines

    @property
    def decision_summary(self) -> str:
        count = len(self.decisions)
        if not count:
            return "No homes are waiting for an ICB decision"
        return f"{count} home{'s' if count != 1 else ''} waiting for an ICB decision (not in searches until decided)"

    @property
    def account_rows(self) -> list[AccountRow]:
        now = self._now()
        rows = []
        for found in self.found:
            locked = (f"Locked until {_when(found.locked_until)}"
                      if found.locked_until is not None and found.locked_until > now else None)
            rows.append(AccountRow(found.username, f"{found.display_name} - {ROLE_LABELS[found.role]}{_place(found)}",
                                   locked))
        return rows

    @property
    def found_summary(self) -> str:
        if not self.searched:
            return ""
        if not self.found:
            return f"No accounts match \"{self.query}\""
        more = " (the first 50: type more to narrow it)" if len(self.found) >= 50 else ""
        count = len(self.found)
        return f"{count} account{'s match' if count != 1 else ' matches'} \"{self.query}\"{more}"

    @property
    def audit_lines(self) -> list[str]:
        return [f"{_when(e.at)}  {e.actor or '-'}  {e.action.replace('_', ' ')}"
                f"{'  ' + e.subject if e.subject else ''}{'  (' + e.detail + ')' if e.detail else ''}"
                for e in self.audit]

    # -- actions -----------------------------------------------------------------------------------------

    async def decide_icb(self, home_id: str, icb_code: str) -> bool:
        decision = next((d for d in self.decisions if d.home_id == home_id), None)
        choice = next((c for c in decision.candidates if c.code == icb_code), None) if decision else None
        if decision is None or choice is None:
            return self._refused("Choose one of the ICBs listed for this home")
        try:
            await self._signed_in().decide_icb(home_id, icb_code)
            self.decisions = await self._signed_in().icb_decisions()
        except (NeedsConnection, ApiError) as exc:
            return self._said(exc)
        return self._done(f"{decision.name} is now in {choice.name}")

    async def unlock(self, username: str) -> bool:
        try:
            unlocked = await self._signed_in().unlock_account(username)
        except (NeedsConnection, ApiError) as exc:
            return self._said(exc)
        self.found = [unlocked if f.username == username else f for f in self.found]
        return self._done(f"{unlocked.display_name} can sign in again now")

    async def change_role(self, username: str, role: Role | str, place: str = "") -> bool:
        """The new role and where it works (a home, homes, an area or a hospital: see PLACE_LABELS)."""
        role, place = Role(role), place.strip()
        fields: dict[str, object] = {"role": role}
        if role in (Role.HOME_STAFF, Role.HOME_MANAGER):
            fields["home_id"] = place or None
        elif role == Role.COMMISSIONER:
            fields["area"] = place or None
        elif role == Role.HOSPITAL_USER:
            fields["hospital_ods"] = place or None
        elif role == Role.DIGITAL_CHAMPION:
            fields["champion_homes"] = [h.strip() for h in place.split(",") if h.strip()]
        try:
            change = RoleChangeRequest.model_validate(fields)
        except ValidationError as exc:
            return self._refused(plain_words(exc.errors(include_url=False)))
        try:
            changed = await self._signed_in().change_role(username, change)
            self.audit = await self._signed_in().audit_log(limit=50)
        except (NeedsConnection, ApiError) as exc:
            return self._said(exc)
        self.found = [f.model_copy(update=changed.model_dump()) if f.username == username else f for f in self.found]
        return self._done(f"{changed.display_name} is now {ROLE_LABELS[changed.role].lower()}{_place(changed)}; "
                          "signed out everywhere so it applies at once")

    # -- how it went -------------------------------------------------------------------------------------

    def _signed_in(self) -> CentralApi:
        api = self._api()
        if api is None:
            raise NeedsConnection("Please sign in again to manage the directory and accounts")
        return api

    def _said(self, exc: Exception) -> bool:
        if isinstance(exc, Offline):
            message = NEEDS_CONNECTION
        elif isinstance(exc, AuthExpired):
            message = "Please sign in again to manage the directory and accounts"
        else:
            message = str(exc)
        return self._refused(message)

    def _refused(self, message: str) -> bool:
        self.message, self.message_is_error = message, True
        return False

    def _done(self, message: str) -> bool:
        self.message, self.message_is_error = message, False
        return True


def _place(account) -> str:
    if account.home_id:
        return f", home {account.home_id}"
    if account.area:
        return f", area {account.area}"
    if account.hospital_ods:
        return f", hospital {account.hospital_ods}"
    if account.assigned_homes:
        return f", {len(account.assigned_homes)} homes"
    return ""


def _when(moment: datetime) -> str:
    return uk_day_and_time(moment)
