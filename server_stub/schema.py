"""The central database's tables, once for SQLite and PostgreSQL (SQLAlchemy Core).

Engine-neutral types: JSON documents and ISO 8601 UTC times (fixed width, so
text order is time order) are Text, flags are 0/1 Integers, versions are
BigIntegers. Alembic (server_stub/migrations) builds and upgrades the database;
its head must equal this MetaData (tests/test_migrations.py checks).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Sequence,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from domain.workforce import WORKFORCE_FIELDS

# SQLite only numbers rows itself (and AUTOINCREMENT only works) on an "INTEGER PRIMARY KEY" column.
_SERIAL = BigInteger().with_variant(Integer(), "sqlite")

metadata = MetaData()

accounts = Table(
    "accounts", metadata,
    Column("username", Text, primary_key=True),
    Column("display_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("home_id", Text),
    Column("password_hash", Text, nullable=False),
    Column("area", Text),  # commissioners: "england", "region:<name>", "icb:<code>" or "la:<name>"
    Column("failed_sign_ins", Integer, nullable=False, server_default=text("0")),
    Column("locked_until", Text),
    Column("hospital_ods", Text),  # hospital users: the ODS code transfers name as their destination
)

# Access tokens. Every token of one sign-in (its access tokens, its refresh
# tokens) shares a family: signing out, or a refresh token used twice, ends the family.
sessions = Table(
    "sessions", metadata,
    Column("token_hash", Text, primary_key=True),  # sha256 of the token; the token itself is never stored
    Column("username", Text, ForeignKey("accounts.username", ondelete="CASCADE"), nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("family", Text, nullable=False),
    Index("sessions_expires_at", "expires_at"),
    Index("sessions_family", "family"),
)

# Refresh tokens: long-lived, single use (each refresh hands out a new one). A
# spent one is kept (spent_at) until it expires, so its reuse is recognised.
refresh_tokens = Table(
    "refresh_tokens", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("username", Text, ForeignKey("accounts.username", ondelete="CASCADE"), nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("family", Text, nullable=False),
    Column("spent_at", Text),
    Index("refresh_tokens_expires_at", "expires_at"),
    Index("refresh_tokens_family", "family"),
)

records = Table(
    "records", metadata,
    Column("kind", Text, nullable=False),
    Column("id", Text, nullable=False),
    Column("home_id", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("data", Text, nullable=False),  # JSON
    Column("updated_at", Text, nullable=False),
    Column("deleted", Integer, nullable=False, server_default=text("0")),
    Column("updated_by_device", Text),
    PrimaryKeyConstraint("kind", "id"),
    UniqueConstraint("version"),
    # A home's or an area's records after a cursor, the kinds an account may read, from the index alone
    # (pull pages and their counts: repository.changes_since; migration 0013).
    Index("records_home_version_kind", "home_id", "version", "kind"),
    Index("records_tombstones", "deleted", "updated_at"),
)

# Allocates the server's change sequence (record versions) on SQLite: AUTOINCREMENT never hands out a
# number twice. On PostgreSQL the table is empty and unused (migration 0012): versions come from the
# record_versions sequence below, which takes no row lock between writers.
change_seq = Table(
    "change_seq", metadata,
    Column("seq", _SERIAL, primary_key=True, autoincrement=True),
    sqlite_autoincrement=True,
)
# PostgreSQL only (SQLite has no sequences; SQLAlchemy leaves it out there).
record_versions = Sequence("record_versions", metadata=metadata, data_type=BigInteger)

applied_mutations = Table(
    "applied_mutations", metadata,
    Column("mutation_id", Text, primary_key=True),
    Column("username", Text, nullable=False),
    Column("device_id", Text, nullable=False),
    Column("result", Text, nullable=False),  # JSON MutationResult, returned again on a retry
    Column("applied_at", Text, nullable=False),
)

# When the central API last heard from each device (a push, or a pull naming the device): the earliest a
# confirmation the device sends later can have been made (services/sync.py, docs/sync.md).
device_contacts = Table(
    "device_contacts", metadata,
    Column("device_id", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("last_contact_at", Text, nullable=False),
    PrimaryKeyConstraint("device_id", "username"),
)

# Server-wide facts such as the tombstone horizon.
server_state = Table(
    "server_state", metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

# Where each home is, so an area's records are found without listing its homes;
# kept in step with the care_home records (repository.upsert_record).
# Also the area view's index (GET /area/...): one row per home with what search, the stale list and the
# overview look at, kept in step with its care_home, home_settings, home_status and readiness records.
homes = Table(
    "homes", metadata,
    Column("home_id", Text, primary_key=True),
    Column("local_authority", Text),
    Column("icb_code", Text),
    Column("region", Text),
    Column("name", Text),
    Column("icb_name", Text),
    Column("postcode", Text),
    Column("postcode_district", Text),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("phone", Text),
    Column("manager_name", Text),
    Column("cqc_rating", Text),
    Column("cqc_rating_date", Text),
    Column("registered", Integer, nullable=False, server_default=text("1")),
    Column("deregistered_on", Text),
    Column("awaiting_icb", Integer, nullable=False, server_default=text("0")),
    Column("closed_to_admissions", Integer, nullable=False, server_default=text("0")),
    Column("confirmed_at", Text),  # ISO UTC: when the home last confirmed its bed state
    Column("funding", Text, nullable=False, server_default=text("''")),  # ",self_funded,nhs_chc," (LIKE-able)
    Column("dspt", Text),
    Column("nhsmail", Text),
    Column("band", Text),
    Column("outbreak", Text),  # domain.outbreak.OutbreakKind of an outbreak today (as of the index day); NULL: none
    # The last workforce headcounts (domain.workforce.WORKFORCE_FIELDS); workforce_reported 0: none yet.
    Column("workforce_reported", Integer, nullable=False, server_default=text("0")),
    *(Column(name, Integer, nullable=False, server_default=text("0")) for name in WORKFORCE_FIELDS),
    # The home's sharing choices (domain.sharing, its "sharing" record): 1 = said yes. Commissioners see every
    # home of their area whatever these say; the public counts, cross-boundary bed search and the research export read them.
    Column("shares_with_neighbours", Integer, nullable=False, server_default=text("0")),
    Column("shares_publicly", Integer, nullable=False, server_default=text("0")),
    Column("shares_for_research", Integer, nullable=False, server_default=text("0")),
    Column("shares_readiness_for_research", Integer, nullable=False, server_default=text("0")),  # research export
    Index("homes_local_authority", "local_authority"),
    Index("homes_icb_code", "icb_code"),
    Index("homes_region", "region"),
    Index("homes_confirmed_at", "confirmed_at"),
    Index("homes_postcode_district", "postcode_district"),
    Index("homes_position", "latitude", "longitude"),  # the box around a search's origin
    # A discharge team's search: her area OR the homes sharing with neighbours (each side of the OR indexed).
    Index("homes_shares_with_neighbours", "shares_with_neighbours"),
)

# Each home's current counts per bed category (the area view's index of the bed_count records).
home_beds = Table(
    "home_beds", metadata,
    Column("home_id", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("max_capacity", Integer, nullable=False),
    Column("occupied", Integer, nullable=False),
    Column("vacant_reserved", Integer, nullable=False),
    Column("vacant_accepting", Integer, nullable=False),
    PrimaryKeyConstraint("home_id", "category"),
    Index("home_beds_category_vacant", "category", "vacant_accepting"),
)

# Every applied bed count change, kept (vacancies over time); a removed category is a row with deleted = 1.
bed_history = Table(
    "bed_history", metadata,
    Column("id", _SERIAL, Identity(always=True), primary_key=True),
    Column("home_id", Text, nullable=False),
    Column("category", Text, nullable=False),
    Column("at", Text, nullable=False),  # ISO UTC, the server's clock
    Column("max_capacity", Integer, nullable=False),
    Column("occupied", Integer, nullable=False),
    Column("vacant_reserved", Integer, nullable=False),
    Column("vacant_accepting", Integer, nullable=False),
    Column("deleted", Integer, nullable=False, server_default=text("0")),
    Index("bed_history_home_at", "home_id", "at"),
    Index("bed_history_at", "at"),
    sqlite_autoincrement=True,
)

# Each directory import that changed the database (python -m server_stub import-homes): its summary.
directory_imports = Table(
    "directory_imports", metadata,
    Column("id", _SERIAL, Identity(always=True), primary_key=True),
    Column("at", Text, nullable=False),
    Column("by", Text),
    Column("file_name", Text, nullable=False),
    Column("summary", Text, nullable=False),  # JSON protocol.directory.ImportSummary
    sqlite_autoincrement=True,
)

# An administrator's choice of ICB for a home whose local authority spans several; later imports keep it.
icb_decisions = Table(
    "icb_decisions", metadata,
    Column("home_id", Text, primary_key=True),
    Column("icb_code", Text, nullable=False),
    Column("decided_by", Text, nullable=False),
    Column("decided_at", Text, nullable=False),
)

# Which hospital each transfer is going to, so a hospital reads only its own
# transfers; kept in step with the transfer records (repository.upsert_record).
transfer_destinations = Table(
    "transfer_destinations", metadata,
    Column("record_id", Text, primary_key=True),  # the transfer record's id
    Column("hospital_ods", Text, nullable=False),
    Index("transfer_destinations_hospital_ods", "hospital_ods"),
)

# Requests that are rate limited per client address (sign-in, refresh, registration,
# password resets), kept for the last minute only.
rate_limited_requests = Table(
    "rate_limited_requests", metadata,
    Column("action", Text, nullable=False),
    Column("client", Text, nullable=False),
    Column("at", Text, nullable=False),
    Index("rate_limited_requests_action_client_at", "action", "client", "at"),
)

champion_homes = Table(
    "champion_homes", metadata,
    Column("username", Text, ForeignKey("accounts.username", ondelete="CASCADE"), nullable=False),
    Column("home_id", Text, nullable=False),
    PrimaryKeyConstraint("username", "home_id"),
)

# Invite and password reset codes (hashed, like tokens).
one_time_codes = Table(
    "one_time_codes", metadata,
    Column("code_hash", Text, primary_key=True),
    Column("purpose", Text, nullable=False),
    Column("username", Text),
    Column("home_id", Text),
    Column("created_by", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", _SERIAL, Identity(always=True), primary_key=True),
    Column("at", Text, nullable=False),
    Column("actor", Text),
    Column("action", Text, nullable=False),
    Column("subject", Text),
    Column("detail", Text),
    Index("audit_log_subject", "subject"),
    sqlite_autoincrement=True,
)

# Alerts and notices a commissioner or administrator sent (POST /alerts): who sent what, to whom. Each home's
# copy is an "alert" record and its answer an "alert_ack" record (records table), so they sync like any other.
alerts = Table(
    "alerts", metadata,
    Column("alert_id", Text, primary_key=True),
    Column("sent_by", Text, nullable=False),  # the sender's user name
    Column("sent_at", Text, nullable=False),  # ISO UTC, the server's clock
    Column("audience", Text, nullable=False),  # for people: "Trafford", "3 chosen homes"
    Column("content", Text, nullable=False),  # JSON domain.alerts.AlertContent
    Column("reminded_at", Text),
    Index("alerts_sent_by_at", "sent_by", "sent_at"),
)

# The homes each alert was sent to.
alert_homes = Table(
    "alert_homes", metadata,
    Column("alert_id", Text, ForeignKey("alerts.alert_id", ondelete="CASCADE"), nullable=False),
    Column("home_id", Text, nullable=False),
    PrimaryKeyConstraint("alert_id", "home_id"),
)

# Other digital care record systems that send their homes' bed states (the supplier API, docs/sync.md).
suppliers = Table(
    "suppliers", metadata,
    Column("id", _SERIAL, Identity(always=True), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("registered_at", Text, nullable=False),
    Column("registered_by", Text, nullable=False),
    sqlite_autoincrement=True,
)

# The homes each supplier may send bed states for.
supplier_homes = Table(
    "supplier_homes", metadata,
    Column("supplier_id", BigInteger, ForeignKey("suppliers.id", ondelete="CASCADE"), nullable=False),
    Column("home_id", Text, nullable=False),
    PrimaryKeyConstraint("supplier_id", "home_id"),
)

# API keys, like session tokens: only the sha256 is kept. A revoked (or rotated) key keeps its row, for the record.
supplier_keys = Table(
    "supplier_keys", metadata,
    Column("key_hash", Text, primary_key=True),
    Column("supplier_id", BigInteger, ForeignKey("suppliers.id", ondelete="CASCADE"), nullable=False),
    Column("issued_at", Text, nullable=False),
    Column("issued_by", Text, nullable=False),
    Column("revoked_at", Text),
    Index("supplier_keys_supplier_id", "supplier_id"),
)

# Each answered supplier request by its Idempotency-Key: a retry gets the stored answer, a different body 409.
supplier_requests = Table(
    "supplier_requests", metadata,
    Column("supplier_id", BigInteger, ForeignKey("suppliers.id", ondelete="CASCADE"), nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("request_digest", Text, nullable=False),  # sha256 of the request (path and body)
    Column("status_code", Integer, nullable=False),
    Column("answer", Text, nullable=False),  # JSON body returned
    Column("at", Text, nullable=False),
    PrimaryKeyConstraint("supplier_id", "idempotency_key"),
)
