"""The registry's tables (SQLAlchemy 2 declarative): who, what, which steps, which certificates, every event.

Rows record the present state; :class:`Event` records every change, chained by hash
(:mod:`footprint.registry.events`). The schema is created and changed only by the Alembic
migrations in ``migrations/versions/``; these classes must match the latest one (a test
compares them).

Dates of things done (an audit, a decision, an issue) are ``Date``; times of events are
ISO 8601 text in UTC, so that the event's hash reads the same text on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as _dt

from sqlalchemy import Column, Date, Float, ForeignKey, Integer, LargeBinary, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column, relationship

#: Constraint names the same on every database, so that later migrations can name them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organisation(Base):
    """An applicant, a manufacturer or a certification body (one organisation may be several)."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    country: Mapped[str | None] = mapped_column(String(8))
    sites: Mapped[list[Site]] = relationship(back_populates="organisation", order_by="Site.name")


class Site(Base):
    """A production site of an organisation (``region``: ISO 3166-2, CN-JS)."""

    __tablename__ = "sites"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(16))
    organisation: Mapped[Organisation] = relationship(back_populates="sites")


class Person(Base):
    """Someone of a certification body who plans, audits, verifies, evaluates or decides."""

    __tablename__ = "persons"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(200))


class SigningKey(Base):
    """A public key an organisation signs with (its private half never reaches the registry)."""

    __tablename__ = "signing_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    fingerprint: Mapped[str] = mapped_column(String(80), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))  # base64 of the 32 raw bytes
    registered_on: Mapped[_dt.date] = mapped_column(Date)


class Product(Base):
    """A product of a manufacturer, by the id of its product file."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("manufacturer_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    code: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(400))
    models: Mapped[list[ProductModel]] = relationship(order_by="ProductModel.name")


class ProductModel(Base):
    """A model (type designation) of a product that a certificate may cover."""

    __tablename__ = "product_models"
    __table_args__ = (UniqueConstraint("product_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    name: Mapped[str] = mapped_column(String(200))


class StoredFile(Base):
    """A file kept by its SHA-256 (dossier files, evidence, certificate documents): stored once, never changed."""

    __tablename__ = "stored_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))


application_models = Table(
    "application_models", Base.metadata,
    Column("application_id", ForeignKey("applications.id"), primary_key=True),
    Column("model_id", ForeignKey("product_models.id"), primary_key=True),
)
application_sites = Table(
    "application_sites", Base.metadata,
    Column("application_id", ForeignKey("applications.id"), primary_key=True),
    Column("site_id", ForeignKey("sites.id"), primary_key=True),
)


class Application(Base):
    """An application for certification, with its dossier (by its manifest's SHA-256) and its process."""

    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(20))
    scheme: Mapped[str] = mapped_column(String(40))
    scheme_sha256: Mapped[str] = mapped_column(String(64))  # the scheme file's bytes: the rule-pack version
    process: Mapped[str] = mapped_column(Text)  # workflow.Process as JSON, read from the scheme when applying
    applicant_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    body_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    dossier_sha256: Mapped[str] = mapped_column(String(64))
    result_sha256: Mapped[str] = mapped_column(String(64))
    data_version: Mapped[str] = mapped_column(String(40))
    library_version: Mapped[str] = mapped_column(String(40))
    declared_value: Mapped[float] = mapped_column(Float)  # [unit], as the label shows it
    declared_text: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(40))
    applied_on: Mapped[_dt.date] = mapped_column(Date)
    last_on: Mapped[_dt.date] = mapped_column(Date)  # the date of the last step done
    renews: Mapped[str | None] = mapped_column(String(60))  # the number of the certificate this application renews
    models: Mapped[list[ProductModel]] = relationship(secondary=application_models, order_by="ProductModel.name")
    sites: Mapped[list[Site]] = relationship(secondary=application_sites, order_by="Site.name")


class DossierFile(Base):
    """A file of an application's dossier, by its path in the dossier and its SHA-256."""

    __tablename__ = "dossier_files"
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(400), primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))


class AuditPlan(Base):
    """Who audits, when, where and what (the scope)."""

    __tablename__ = "audit_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    scope: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[_dt.date] = mapped_column(Date)
    ends_on: Mapped[_dt.date] = mapped_column(Date)
    planned_on: Mapped[_dt.date] = mapped_column(Date)
    auditors: Mapped[str] = mapped_column(Text)  # JSON list of person ids
    sites: Mapped[str] = mapped_column(Text)  # JSON list of site ids


class Audit(Base):
    """A document review, an on-site inspection or a surveillance audit, with its evidence files."""

    __tablename__ = "audits"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    kind: Mapped[str] = mapped_column(String(20))
    auditor_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    held_on: Mapped[_dt.date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text)


class Evidence(Base):
    """A file an audit rests on, by its SHA-256."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"))
    name: Mapped[str] = mapped_column(String(400))
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))


class Finding(Base):
    """A nonconformity: major or minor, due date, closure with its evidence."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))
    severity: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    raised_on: Mapped[_dt.date] = mapped_column(Date)
    due_on: Mapped[_dt.date] = mapped_column(Date)
    closed_on: Mapped[_dt.date | None] = mapped_column(Date)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    closure_sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_files.sha256"))
    closure_note: Mapped[str | None] = mapped_column(Text)


class CfpVerification(Base):
    """The CFP verification: the result recomputed from the dossier against the declared one."""

    __tablename__ = "cfp_verifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    verifier_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    verified_on: Mapped[_dt.date] = mapped_column(Date)
    verdict: Mapped[str] = mapped_column(String(20))  # identical | different | altered | cannot reproduce
    declared_sha256: Mapped[str] = mapped_column(String(64))
    recomputed_sha256: Mapped[str | None] = mapped_column(String(64))
    declared_total: Mapped[float | None] = mapped_column(Float)
    recomputed_total: Mapped[float | None] = mapped_column(Float)
    data_version: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[str] = mapped_column(Text)  # JSON list


class Evaluation(Base):
    """The evaluation of the audit and verification records, and its recommendation."""

    __tablename__ = "evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    evaluated_on: Mapped[_dt.date] = mapped_column(Date)
    recommendation: Mapped[str] = mapped_column(String(10))  # grant | refuse
    notes: Mapped[str] = mapped_column(Text)


class Decision(Base):
    """The certification decision, by a person who did not audit (impartiality)."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    decided_on: Mapped[_dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(10))  # grant | refuse
    reason: Mapped[str] = mapped_column(Text)


class Certificate(Base):
    """A certificate: its number, what it covers, its value, its dates, its status and the key that signed it."""

    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    scheme: Mapped[str] = mapped_column(String(40))
    scheme_sha256: Mapped[str] = mapped_column(String(64))
    holder_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    body_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    models: Mapped[str] = mapped_column(Text)  # JSON list of model names, as on the certificate
    sites: Mapped[str] = mapped_column(Text)  # JSON list of {name, region}
    declared_value: Mapped[float] = mapped_column(Float)
    declared_text: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(40))
    issued_on: Mapped[_dt.date] = mapped_column(Date)
    expires_on: Mapped[_dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    surveillance_months: Mapped[int | None] = mapped_column(Integer)
    reevaluation_due: Mapped[int] = mapped_column(Integer, default=0)  # 1 once a change asks for it
    key_fingerprint: Mapped[str] = mapped_column(String(80))
    document_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("certificates.id"))


class CertificateAction(Base):
    """A suspension, withdrawal, reinstatement, expiry or renewal, with its reason."""

    __tablename__ = "certificate_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    action: Mapped[str] = mapped_column(String(20))
    acted_on: Mapped[_dt.date] = mapped_column(Date)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    reason: Mapped[str] = mapped_column(Text)


class LabelLicence(Base):
    """The licence to use the label of a certificate."""

    __tablename__ = "label_licences"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(80), unique=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    granted_on: Mapped[_dt.date] = mapped_column(Date)
    valid_until: Mapped[_dt.date | None] = mapped_column(Date)
    document_sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"))


class Surveillance(Base):
    """A surveillance of a certificate: scheduled from the scheme's interval, then its result."""

    __tablename__ = "surveillances"
    __table_args__ = (UniqueConstraint("certificate_id", "due_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    due_on: Mapped[_dt.date] = mapped_column(Date)
    done_on: Mapped[_dt.date | None] = mapped_column(Date)
    auditor_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    outcome: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)


class ProductChange(Base):
    """A change to a certified product, and whether the scheme's rule asks for re-evaluation."""

    __tablename__ = "product_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id"))
    recorded_on: Mapped[_dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    value_before: Mapped[float] = mapped_column(Float)
    value_after: Mapped[float] = mapped_column(Float)
    reevaluation: Mapped[int] = mapped_column(Integer)  # 1: re-evaluation required
    rule: Mapped[str] = mapped_column(Text)  # why, in words


class Counter(Base):
    """The last number given in a series (certificates of a scheme and year, applications of a year)."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Event(Base):
    """One change of the registry: append-only (triggers refuse UPDATE and DELETE), chained by hash."""

    __tablename__ = "events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601, UTC
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    data: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class ChainHead(Base):
    """The last event's number and hash (one row): a removed last event is found by it."""

    __tablename__ = "chain_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
