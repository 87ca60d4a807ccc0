"""What a service refuses, in plain words for a person.

Services know nothing of HTTP: ``server_stub.errors`` answers each refusal
with its status code, the same on every route.
"""

from __future__ import annotations


class Refused(Exception):
    """A request the rules refuse; ``str(refused)`` is the message for the user."""


class NotAllowed(Refused):
    """The account's role or scope does not allow it."""


class NotFound(Refused):
    """What the request names does not exist."""


class Conflict(Refused):
    """It clashes with what exists already (a user name that is taken)."""


class Invalid(Refused):
    """The request is well formed, but what it asks for breaks a rule."""


class CodeNotValid(Refused):
    """An invite or reset code that is unknown, expired or used already."""


class SignInRefused(Refused):
    """Wrong user name or password, or a sign-in that has expired."""


class Locked(Refused):
    """The account is locked after too many wrong passwords."""


class TooManyAttempts(Refused):
    """Too many sign-in attempts from one client; it may try again after ``retry_after_seconds``."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
