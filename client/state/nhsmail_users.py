"""The NHSmail users form: a list of people (name, email, mobile, owner yes/no), each field checked in plain words.

UI-free: the view draws one row per person and forwards edits; the messages sit
under the field they are about (``error(index, field)``). ``people()`` gives
what ``domain.nhsmail.set_users`` takes once every field is fine. Rows come
from the saved users, or from an older record's free text (``users_text``) so
that what was typed there shows up in the fields, to fix rather than retype.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.nhsmail import (
    MAX_USERS,
    MIN_USERS,
    NhsmailProgress,
    UserRole,
    email_problem,
    mobile_problem,
    name_problem,
    users_from_text,
)

FIELDS = ("name", "email", "mobile")
FIELD_LABELS = {"name": "Name", "email": "Their own email", "mobile": "Their own UK mobile"}
_CHECKS = {"name": name_problem, "email": email_problem, "mobile": mobile_problem}


@dataclass
class Person:
    name: str = ""
    email: str = ""
    mobile: str = ""
    owner: bool = False

    @property
    def blank(self) -> bool:
        return not (self.name.strip() or self.email.strip() or self.mobile.strip())


class NhsmailUsersForm:
    def __init__(self, people: list[Person] | None = None) -> None:
        self.people = people or []
        while len(self.people) < MIN_USERS:
            self.people.append(Person())
        if not any(p.owner for p in self.people):
            self.people[0].owner = True
        self.errors: dict[tuple[int, str], str] = {}

    @classmethod
    def from_progress(cls, progress: NhsmailProgress) -> NhsmailUsersForm:
        if progress.users:
            return cls([Person(u.name, u.email, u.mobile, u.role is UserRole.OWNER) for u in progress.users])
        if progress.users_text:
            typed, _ = users_from_text(progress.users_text)
            form = cls([Person(p["name"], p["email"], p["mobile"], p["role"] is UserRole.OWNER) for p in typed])
            form.check()  # show at once what needs fixing
            return form
        return cls()

    @property
    def can_add(self) -> bool:
        return len(self.people) < MAX_USERS

    def add(self) -> None:
        if self.can_add:
            self.people.append(Person())

    def remove(self, index: int) -> None:
        del self.people[index]
        self.errors = {(i - (i > index), f): m for (i, f), m in self.errors.items() if i != index}
        while len(self.people) < MIN_USERS:
            self.people.append(Person())

    def update(self, index: int, field: str, value: str | bool) -> None:
        """One field edited: its old message goes (it is checked again on save)."""
        if field == "owner":
            self.people[index].owner = bool(value)
            return
        if field not in FIELDS:
            raise ValueError(f"unknown field {field!r}")
        setattr(self.people[index], field, str(value or ""))
        self.errors.pop((index, field), None)

    def error(self, index: int, field: str) -> str | None:
        return self.errors.get((index, field))

    def check(self) -> bool:
        """Check every field of every person who is not a blank row; True when all are fine."""
        self.errors = {}
        for index, person in enumerate(self.people):
            if person.blank:
                continue
            for field in FIELDS:
                problem = _CHECKS[field](getattr(person, field))
                if problem:
                    self.errors[(index, field)] = problem
        return not self.errors

    def people_to_save(self) -> list[dict[str, Any]]:
        """The people (blank rows left out) as set_users takes them; call check() first."""
        return [{"name": p.name, "email": p.email, "mobile": p.mobile,
                 "role": UserRole.OWNER if p.owner else UserRole.MEMBER} for p in self.people if not p.blank]
