"""The sign-in service driven directly: lockout, the per-client rate limit, refresh, password reset."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from protocol.accounts import CompleteResetRequest, RegisterRequest, Role
from protocol.sync import RefreshRequest, SignInRequest
from server_stub import account_repository, repository, security
from server_stub.clock import iso
from server_stub.demo_data import DEMO_HOME_ID, DEMO_PASSWORD
from server_stub.security import token_digest
from server_stub.services import accounts, auth
from server_stub.services.errors import CodeNotValid, Locked, SignInRefused, TooManyAttempts
from tests.support.services import central
from tests.support.timing import scaled

NEW_PASSWORD = "a new password, long enough"
CLIENT = "10.0.0.1"


@pytest.fixture()
def world(tmp_path, demo_database):
    with central(tmp_path / "central.sqlite3", template=demo_database, lockout_after_failures=3, sign_in_attempts_per_minute=5) as world:
        yield world


def sign_in(world, username="demo", password=DEMO_PASSWORD, client=CLIENT):
    return auth.sign_in(world.connection, world.settings, world.clock(),
                        SignInRequest(username=username, password=password), client)


def actions(world, subject):
    return [entry.action for entry in account_repository.audit_entries(world.connection, 100, subject)]


def test_a_right_password_gives_tokens_for_the_complete_account(world):
    signed_in = sign_in(world)
    assert signed_in.account.role is Role.HOME_MANAGER and signed_in.account.home_id == DEMO_HOME_ID
    assert signed_in.expires_at == world.clock() + timedelta(seconds=world.settings.token_ttl_seconds)
    assert repository.account_for_session(world.connection, token_digest(signed_in.token), iso(world.clock())) is not None
    assert actions(world, "demo") == ["sign_in"]


def test_a_refused_sign_in_is_raised_after_its_audit_entry_is_kept(world):
    with pytest.raises(SignInRefused, match="Wrong user name or password"):
        sign_in(world, password="wrong password")
    with pytest.raises(SignInRefused, match="Wrong user name or password"):  # the same words: no hint who exists
        sign_in(world, username="nobody")
    assert actions(world, "demo") == ["sign_in_failed"]
    assert actions(world, "nobody") == ["sign_in_failed"]


def test_wrong_passwords_in_a_row_lock_the_account_until_the_lockout_ends(world):
    for _ in range(2):
        with pytest.raises(SignInRefused):
            sign_in(world, password="wrong password")
    with pytest.raises(Locked, match="locked after too many wrong passwords until 09:15. "):
        sign_in(world, password="wrong password")
    with pytest.raises(Locked):  # the right password too, while locked
        sign_in(world)
    assert "account_locked" in actions(world, "demo") and "sign_in_refused_locked" in actions(world, "demo")
    world.clock.now += timedelta(seconds=world.settings.lockout_seconds + 1)
    assert sign_in(world).account.username == "demo"


def test_one_client_is_rate_limited_whatever_the_user_name_and_others_are_not(world):
    for username in ("demo", "admin", "champion", "nobody", "hospital"):
        try:
            sign_in(world, username=username, client="10.0.0.9")
        except SignInRefused:
            pass
    with pytest.raises(TooManyAttempts) as refused:
        sign_in(world, client="10.0.0.9")
    assert refused.value.retry_after_seconds == 60
    assert sign_in(world, client="10.0.0.10").account.username == "demo"
    world.clock.now += timedelta(minutes=1, seconds=1)
    assert sign_in(world, client="10.0.0.9").account.username == "demo"


def test_a_refresh_token_works_once(world):
    first = sign_in(world)
    refreshed = auth.refresh(world.connection, world.settings, world.clock(),
                             RefreshRequest(refresh_token=first.refresh_token), CLIENT)
    assert refreshed.account.username == "demo" and refreshed.token != first.token
    with pytest.raises(SignInRefused, match="please sign in again"):
        auth.refresh(world.connection, world.settings, world.clock(),
                     RefreshRequest(refresh_token=first.refresh_token), CLIENT)


def test_a_reset_code_sets_a_new_password_signs_out_everywhere_and_works_only_for_its_user(world):
    old = sign_in(world)
    code = accounts.issue_password_reset(world.connection, world.settings, world.clock(), world.account("admin"),
                                         "demo", CLIENT).reset_code
    with pytest.raises(CodeNotValid):  # someone else's code changes nothing, and the code still works after
        auth.complete_password_reset(world.connection, world.settings, world.clock(), CompleteResetRequest(
            username="admin", reset_code=code, new_password=NEW_PASSWORD), CLIENT)
    auth.complete_password_reset(world.connection, world.settings, world.clock(), CompleteResetRequest(
        username="demo", reset_code=code, new_password=NEW_PASSWORD), CLIENT)
    assert repository.account_for_session(world.connection, token_digest(old.token), iso(world.clock())) is None
    assert sign_in(world, password=NEW_PASSWORD).account.username == "demo"
    with pytest.raises(CodeNotValid, match="not valid"):
        auth.complete_password_reset(world.connection, world.settings, world.clock(), CompleteResetRequest(
            username="demo", reset_code=code, new_password=NEW_PASSWORD), CLIENT)


class WriteLockProbe:
    """Argon2 that, each time it runs, checks another writer could begin a write transaction right now."""

    def __init__(self, hasher, database: Path) -> None:
        self.hasher, self.database, self.lock_was_free = hasher, database, []

    def _probe(self) -> None:
        # A moment's wait lets a brief writer (the app's tombstone clean-up at start) finish; a caller
        # hashing inside its own write transaction is blocked right here, so it never lets go in time.
        other_writer = sqlite3.connect(self.database, timeout=scaled(1), isolation_level=None)
        try:
            other_writer.execute("BEGIN IMMEDIATE")
            other_writer.execute("ROLLBACK")
            self.lock_was_free.append(True)
        except sqlite3.OperationalError:  # "database is locked": the caller hashes inside its write transaction
            self.lock_was_free.append(False)
        finally:
            other_writer.close()

    def hash(self, password):
        self._probe()
        return self.hasher.hash(password)

    def verify(self, password_hash, password):
        self._probe()
        return self.hasher.verify(password_hash, password)


def test_passwords_are_never_hashed_or_checked_inside_a_write_transaction(world, tmp_path, monkeypatch):
    """A slow argon2 inside the write lock would hold up every home's pushes (issue 10, section 3)."""
    probe = WriteLockProbe(security._hasher, tmp_path / "central.sqlite3")
    monkeypatch.setattr(security, "_hasher", probe)
    for username, password in (("demo", "wrong password"), ("nobody", "whatever"), ("demo", DEMO_PASSWORD)):
        try:
            sign_in(world, username=username, password=password)
        except SignInRefused:
            pass
    invite = accounts.create_invite(world.connection, world.settings, world.clock(), world.account("demo"), DEMO_HOME_ID)
    accounts.register(world.connection, world.settings, world.clock(), RegisterRequest(
        invite_code=invite.invite_code, username="nurse.jo", display_name="Jo", password=NEW_PASSWORD), CLIENT)
    code = accounts.issue_password_reset(world.connection, world.settings, world.clock(), world.account("demo"),
                                         "nurse.jo", CLIENT).reset_code
    auth.complete_password_reset(world.connection, world.settings, world.clock(), CompleteResetRequest(
        username="nurse.jo", reset_code=code, new_password=NEW_PASSWORD + "!"), CLIENT)
    assert len(probe.lock_was_free) >= 7 and all(probe.lock_was_free), probe.lock_was_free
