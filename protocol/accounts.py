"""Roles and the account-management requests (see docs/security.md for what each role may do)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Role(StrEnum):
    HOME_STAFF = "home_staff"
    HOME_MANAGER = "home_manager"
    DIGITAL_CHAMPION = "digital_champion"
    COMMISSIONER = "commissioner"
    HOSPITAL_USER = "hospital_user"
    ADMINISTRATOR = "administrator"


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InviteRequest(_Wire):
    home_id: str = Field(min_length=1, max_length=64, description="The home the new staff member will work in")


class InviteResponse(_Wire):
    invite_code: str = Field(description="Give it to the new staff member; it works once, until expires_at")
    home_id: str
    expires_at: datetime


class RegisterRequest(_Wire):
    invite_code: str = Field(min_length=8, max_length=64)
    username: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9._@-]+$")
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=10, max_length=200, description="At least 10 characters")


class PasswordResetResponse(_Wire):
    reset_code: str = Field(description="Give it to the user; it works once, until expires_at")
    expires_at: datetime


class CompleteResetRequest(_Wire):
    username: str = Field(min_length=1, max_length=100)
    reset_code: str = Field(min_length=8, max_length=64)
    new_password: str = Field(min_length=10, max_length=200)


class RoleChangeRequest(_Wire):
    role: Role
    home_id: str | None = Field(default=None, max_length=64)
    area: str | None = Field(default=None, max_length=120)
    hospital_ods: str | None = Field(default=None, max_length=20)
    champion_homes: list[str] = Field(default_factory=list, max_length=500)


class AuditEntry(_Wire):
    at: datetime
    actor: str | None
    action: str
    subject: str | None
    detail: str | None
