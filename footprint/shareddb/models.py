"""The shared database's tables: in the registry's database, with their own metadata and migrations.

An entry is one version of one piece of data (``entry_id@version``); its content (value,
unit, source, validity, quality, payload) is fixed once it is submitted, and its sha256 is
taken over that content. A change is a new version. Every change of state appends an event
to the registry's hash-chained log (:mod:`footprint.registry.events`).

Organisations are the registry's; a role (operator, certification body, manufacturer,
supplier) and API tokens (only their SHA-256 is stored) are added here for the server.
The tables are created by the registry's migration ``0002``
(``registry/migrations/versions/0002_shared.py``); they keep a metadata of their own, so that
the registry's model/migration test compares the registry's tables and
tests/test_shareddb.py these.
"""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Column, Date, Float, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from footprint.registry.models import NAMING


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


#: The registry's organisations, as far as the foreign keys here need them (the registry's migrations own the table).
ORGANISATIONS = Table("organisations", Base.metadata, Column("id", Integer, primary_key=True))
#: The tables this package's migrations own.
TABLES = ("shared_entries", "shared_access", "members", "api_tokens", "pact_events")


class SharedEntry(Base):
    """One version of an entry of the shared database."""

    __tablename__ = "shared_entries"
    __table_args__ = (UniqueConstraint("entry_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    pf_id: Mapped[str] = mapped_column(String(36), unique=True)  # a random UUID (v4): the PACT ProductFootprint id of this version
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(400))
    owner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    state: Mapped[str] = mapped_column(String(20))
    value: Mapped[float] = mapped_column(Float)  # [unit]
    unit: Mapped[str] = mapped_column(String(80))  # as pint writes it: kilogram_CO2_eq / kilowatt_hour
    dataset: Mapped[str | None] = mapped_column(String(120))  # the bundled dataset it stands beside
    geography: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[_dt.date] = mapped_column(Date)
    valid_until: Mapped[_dt.date] = mapped_column(Date)
    quality: Mapped[str | None] = mapped_column(String(40))  # pedigree scores, 1 best .. 5 worst
    content: Mapped[str] = mapped_column(Text)  # canonical JSON of everything above that is data
    sha256: Mapped[str] = mapped_column(String(64))  # of ``content``
    created_on: Mapped[_dt.date] = mapped_column(Date)
    submitted_on: Mapped[_dt.date | None] = mapped_column(Date)
    checks: Mapped[str | None] = mapped_column(Text)  # JSON: the validation checks' findings
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    reviewed_by: Mapped[str | None] = mapped_column(String(200))  # the person
    reviewed_on: Mapped[_dt.date | None] = mapped_column(Date)
    published_on: Mapped[_dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)  # of a rejection or a withdrawal
    superseded_by: Mapped[int | None] = mapped_column(Integer)  # the version that replaced it


class SharedAccess(Base):
    """An entry (all its versions) shared with one organisation by its owner."""

    __tablename__ = "shared_access"
    entry_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    granted_on: Mapped[_dt.date] = mapped_column(Date)


class Member(Base):
    """An organisation's role on the server (one role each)."""

    __tablename__ = "members"
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(30))
    since: Mapped[_dt.date] = mapped_column(Date)


class ApiToken(Base):
    """An API token of an organisation: only its SHA-256 is kept; it ends at ``expires_at`` (ISO 8601, UTC)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[str] = mapped_column(String(40))
    expires_at: Mapped[str] = mapped_column(String(40))
    revoked: Mapped[int] = mapped_column(Integer, default=0)


class PactEvent(Base):
    """A PACT event received by the server (POST /2/events), kept as received."""

    __tablename__ = "pact_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    type: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # canonical JSON
