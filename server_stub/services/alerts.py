"""Alerts and notices on the central API: send to homes, see who has read and acknowledged, remind the rest.

A commissioner sends within her area (access.scope_of: never a home outside it), an administrator anywhere.
Each home's copy is an ``alert`` record (home_id = that home), so the ordinary sync scoping takes it to that
home's devices and to the area's commissioners; the homes answer with ``alert_ack`` records through their
outbox (services/sync.py merges them with the server's clock). Sending and reminding are audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.alerts import Alert, AlertContent, AlertReceipt, HomeAnswer, answer_of, check_expiry
from domain.area import AreaLevel, AreaRef
from protocol.alerts import AlertHome, AlertStatus, AlertSummary, RemindAnswer, SendAlert
from protocol.sync import Account
from server_stub import account_repository, alerts_repository, area_repository, repository
from server_stub.access import ADMINISTRATOR, COMMISSIONER, Scope, may_read_home, scope_of
from server_stub.alerts_repository import SentAlert
from server_stub.clock import iso
from server_stub.db import Connection, read_transaction, write_transaction
from server_stub.services.errors import Conflict, Invalid, NotAllowed, NotFound

SENDERS = frozenset({COMMISSIONER, ADMINISTRATOR})
NOT_A_SENDER = "Alerts are sent by commissioners and administrators."
NO_SUCH_ALERT = "There is no alert with this id among the alerts you sent."
WHOLE_AREA = "mine"
LIST_LIMIT = 200
_EVERYTHING = Scope(everything=True)
_ANSWER_ORDER = {HomeAnswer.NOT_YET: 0, HomeAnswer.READ: 1, HomeAnswer.ACKNOWLEDGED: 2}


def _sender_scope(account: Account) -> Scope:
    if account.role not in SENDERS:
        raise NotAllowed(NOT_A_SENDER)
    scope = scope_of(account)
    if scope.empty:
        raise NotAllowed("Your account has no area yet: ask an administrator to set it.")
    return scope


def _area_of(account: Account, text: str) -> AreaRef:
    if text.strip() == WHOLE_AREA:
        return AreaRef.parse(account.area) if account.area else AreaRef(AreaLevel.ENGLAND, "", "England")
    try:
        area = AreaRef.parse(text)
    except ValueError as error:
        raise Invalid(f"area: {error}") from None
    if area.level is AreaLevel.HOME:
        raise Invalid("area: to send to homes, list them under homes")
    return area


def _targets(connection: Connection, account: Account, scope: Scope, request: SendAlert) -> tuple[list[str], str]:
    """The homes to send to, and who they are for people; refused if any is outside the sender's area."""
    if bool(request.homes) == bool(request.area):
        raise Invalid("homes: choose the homes to send to, or an area (area), one of the two")
    if request.homes:
        wanted = sorted({home.strip() for home in request.homes})
        known = area_repository.homes_by_id(connection, wanted)
        unknown = [home for home in wanted if home not in known]
        if unknown:
            raise Invalid(f"homes: no registered care home {unknown[0]!r}")
        outside = [home for home in wanted if not may_read_home(connection, account, home)]
        if outside:
            raise NotAllowed(f"homes: {known[outside[0]].name} ({outside[0]}) is outside your area")
        gone = [home for home in wanted if not known[home].registered]
        if gone:
            raise Invalid(f"homes: {known[gone[0]].name} ({gone[0]}) is no longer registered")
        return wanted, (known[wanted[0]].name if len(wanted) == 1 else f"{len(wanted)} chosen homes")
    area = _area_of(account, request.area or "")
    reachable = area_repository.homes_in(connection, scope, area)
    if not scope.everything and len(area_repository.homes_in(connection, _EVERYTHING, area)) > len(reachable):
        raise NotAllowed(f"area: {area.key} reaches homes outside your area")
    if not reachable:
        raise Invalid(f"area: there are no registered care homes in {area.key}")
    named = area_repository.area_name(connection, scope, area)
    return [home.home_id for home in reachable], named.name or area.key


def send(connection: Connection, account: Account, now: datetime, request: SendAlert) -> AlertSummary:
    """One copy of the alert per home (an ``alert`` record each), the send itself recorded and audited."""
    scope = _sender_scope(account)
    content = AlertContent.model_validate(request.model_dump(include=set(AlertContent.model_fields)))
    try:
        check_expiry(content, now)
    except ValueError as error:
        raise Invalid(str(error)) from None
    alert_id = uuid.uuid4().hex
    with write_transaction(connection):
        home_ids, audience = _targets(connection, account, scope, request)
        sent = SentAlert(alert_id, account.username, iso(now), audience, content.model_dump(mode="json"), None)
        alerts_repository.insert_alert(connection, sent, home_ids)
        for home_id in home_ids:
            _write_copy(connection, sent, _sender_name(account), home_id, now, reminded_at=None)
        account_repository.audit(connection, iso(now), account.username, "alert_sent", alert_id,
                                 f"{content.priority.label}: {content.title} (to {audience}, {len(home_ids)} homes)")
    return _summary(sent, len(home_ids), {})


def _sender_name(account: Account) -> str:
    return account.display_name or account.username


def _write_copy(connection: Connection, sent: SentAlert, sender_name: str, home_id: str, now: datetime,
                reminded_at: datetime | None) -> None:
    alert = Alert(**sent.content, alert_id=sent.alert_id, home_id=home_id, sent_by=sender_name,
                  sent_at=datetime.fromisoformat(sent.sent_at), reminded_at=reminded_at)
    repository.upsert_record(connection, kind="alert", record_id=alert.record_id, home_id=home_id,
                             version=repository.next_version(connection), data=alert.model_dump(mode="json"),
                             updated_at=iso(now), updated_by_device=None)


def _own_alert(connection: Connection, account: Account, alert_id: str) -> SentAlert:
    """An alert the account sent (an administrator: anyone's); the same 404 whether it exists or not."""
    _sender_scope(account)
    sent = alerts_repository.find_alert(connection, alert_id)
    if sent is None or (account.role != ADMINISTRATOR and sent.sent_by != account.username):
        raise NotFound(NO_SUCH_ALERT)
    return sent


def _receipts(connection: Connection, alert_id: str) -> dict[str, AlertReceipt]:
    return {home: AlertReceipt.model_validate(data) for home, data in alerts_repository.receipts(connection,
                                                                                                 alert_id).items()}


def _summary(sent: SentAlert, homes: int, receipts: dict[str, AlertReceipt]) -> AlertSummary:
    content = AlertContent.model_validate(sent.content)
    answers = [answer_of(receipt) for receipt in receipts.values()]
    acknowledged = answers.count(HomeAnswer.ACKNOWLEDGED)
    read = answers.count(HomeAnswer.READ)
    return AlertSummary(
        alert_id=sent.alert_id, title=content.title, priority=content.priority, sent_by=sent.sent_by,
        sent_at=datetime.fromisoformat(sent.sent_at), audience=sent.audience, expires_at=content.expires_at,
        reminded_at=datetime.fromisoformat(sent.reminded_at) if sent.reminded_at else None,
        homes=homes, acknowledged=acknowledged, read=read, not_yet=homes - acknowledged - read)


def sent_alerts(connection: Connection, account: Account) -> list[AlertSummary]:
    """The account's alerts, newest first (an administrator's: everyone's), with how many homes answered."""
    _sender_scope(account)
    with read_transaction(connection):
        found = alerts_repository.alerts_sent(
            connection, None if account.role == ADMINISTRATOR else account.username, LIST_LIMIT)
        counts = alerts_repository.count_targets(connection, [sent.alert_id for sent in found])
        return [_summary(sent, counts.get(sent.alert_id, 0), _receipts(connection, sent.alert_id)) for sent in found]


def _status(connection: Connection, sent: SentAlert) -> AlertStatus:
    targets = alerts_repository.target_homes(connection, sent.alert_id)
    receipts = _receipts(connection, sent.alert_id)
    homes = []
    for target in targets:
        receipt = receipts.get(target.home_id)
        homes.append(AlertHome(
            home_id=target.home_id, name=target.name, phone=target.phone, answer=answer_of(receipt),
            read_at=receipt.read_recorded_at if receipt else None, read_by=receipt.read_by if receipt else None,
            acknowledged_at=receipt.acknowledged_recorded_at if receipt else None,
            acknowledged_by=receipt.acknowledged_by if receipt else None))
    homes.sort(key=lambda home: (_ANSWER_ORDER[home.answer], home.name, home.home_id))
    return AlertStatus(summary=_summary(sent, len(targets), receipts),
                       content=AlertContent.model_validate(sent.content), homes=homes)


def status(connection: Connection, account: Account, alert_id: str) -> AlertStatus:
    """Per home: acknowledged (who, when: the server's clock), read, or not yet, with its phone number."""
    with read_transaction(connection):
        return _status(connection, _own_alert(connection, account, alert_id))


def remind(connection: Connection, account: Account, now: datetime, alert_id: str) -> RemindAnswer:
    """Send the alert again to the homes that have not acknowledged it: each copy gets a new version (so it
    syncs again) and ``reminded_at``, which shows it as unread on the home's devices."""
    with write_transaction(connection):
        sent = _own_alert(connection, account, alert_id)
        content = AlertContent.model_validate(sent.content)
        if content.expires_at <= now:
            raise Conflict("This alert has expired: send a new one instead.")
        receipts = _receipts(connection, alert_id)
        copies = alerts_repository.copies(connection, alert_id)
        waiting = [home for home in sorted(copies) if answer_of(receipts.get(home)) is not HomeAnswer.ACKNOWLEDGED]
        for home_id in waiting:
            copy = copies[home_id]
            _write_copy(connection, sent, copy.get("sent_by") or sent.sent_by, home_id, now, reminded_at=now)
        alerts_repository.set_reminded(connection, alert_id, iso(now))
        account_repository.audit(connection, iso(now), account.username, "alert_reminded", alert_id,
                                 f"{content.title} ({len(waiting)} homes reminded)")
        sent = alerts_repository.find_alert(connection, alert_id)
        return RemindAnswer(reminded=len(waiting), status=_status(connection, sent))


