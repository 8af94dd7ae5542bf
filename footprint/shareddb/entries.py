"""Entries of the shared database and their review: add, submit, validate or reject, publish, share, withdraw.

The states of a version, and who moves it::

    draft --submit (owner)--> submitted --validate (reviewer)--> validated --publish (owner | operator)--> published
                                        \\--reject (reviewer, reasons)--> rejected
    any but rejected --withdraw (owner | operator, reason)--> withdrawn
    validated | published --(a newer version published)--> superseded

A reviewer is an organisation other than the owner with the role ``certification_body``, or
the ``operator``. Submitting and validating run the checks of :mod:`footprint.shareddb.checks`;
an error stops both. A version's content is fixed once added (its sha256 is taken then);
a change is a new version, which may be added only when no other version is open (draft or
submitted). Every move appends an event to the registry's chained log.

Who sees what (:func:`visible`): a published version everyone; a version of one's own
organisation; a submitted version the reviewers; a validated one the organisations its
owner shared the entry with; a version once published (now superseded) everyone;
the operator all.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import uuid

from sqlalchemy import select

from footprint.errors import InputError, OptionError, show
from footprint.registry import store
from footprint.registry.events import append as append_event
from footprint.registry.models import Organisation
from footprint.shareddb.certified import certified_findings, certified_payload
from footprint.shareddb.checks import Finding, check_plausible, check_schema
from footprint.shareddb.db import transaction
from footprint.shareddb.models import Member, SharedAccess, SharedEntry
from footprint.signing import canonical_json
from footprint.units import unit_text

#: The review states of a version, in the order of the review.
STATES = ("draft", "submitted", "validated", "published", "rejected", "superseded", "withdrawn")
#: States whose data a calculation may use (a superseded version stays usable: it was validated).
USABLE = ("validated", "published", "superseded")
#: The roles of organisations.
ROLES = ("operator", "certification_body", "manufacturer", "supplier")
#: Roles that may review another organisation's entry.
REVIEWERS = ("operator", "certification_body")


class ReviewError(InputError):
    """A move the review rules forbid (wrong state, wrong organisation); the message names the rule."""


class AccessError(ReviewError):
    """An organisation asked for an entry it may not see or change (the server answers 403 or 404)."""


def parse_ref(ref: str, *, version_required: bool = False) -> tuple[str, int | None]:
    """``registry:ID@3``, ``ID@3`` or ``ID`` as (ID, 3 or None)."""
    text = str(ref or "").strip()
    if text.startswith("registry:"):
        text = text[len("registry:"):]
    entry_id, at, version = text.partition("@")
    if not entry_id or (at and not version.isdigit()) or (version_required and not at):
        raise OptionError("entry", f"got {show(str(ref))}; expected ENTRY@VERSION such as registry:POLY-XJ-2026@3")
    return entry_id, int(version) if at else None


def role_of(session, organisation: Organisation | None) -> str | None:
    if organisation is None:
        return None
    member = session.get(Member, organisation.id)
    return member.role if member else None


def set_role(organisation: str, role: str, *, on=None, registry=None) -> dict:
    """Give an organisation its role (added to the registry at first mention)."""
    if role not in ROLES:
        raise OptionError("role", f"got {role!r}; expected one of {', '.join(ROLES)}")
    with transaction(registry) as session:
        org = store.organisation(session, organisation)
        member = session.get(Member, org.id)
        day = store.on_date(on)
        if member is None:
            session.add(Member(organisation_id=org.id, role=role, since=day))
        else:
            member.role = role
        append_event(session, actor=org.name, action="shared.role", subject=f"organisation:{org.id}",
                     data={"organisation": org.name, "role": role})
    return {"organisation": org.name, "role": role}


def _version(session, ref, *, for_update=False) -> SharedEntry:
    entry_id, version = parse_ref(ref)
    query = select(SharedEntry).where(SharedEntry.entry_id == entry_id)
    query = query.where(SharedEntry.version == version) if version is not None else query.order_by(SharedEntry.version.desc())
    found = session.scalars(query.limit(1)).first()
    if found is None:
        raise AccessError(f"entry {show(str(ref))}: not in the shared database")
    return found


def visible(session, entry: SharedEntry, viewer: Organisation | None) -> bool:
    """Whether ``viewer`` may read ``entry`` (None: the local registry's user, who sees everything)."""
    if viewer is None or entry.state == "published" or entry.owner_id == viewer.id:
        return True
    if entry.state in ("superseded", "withdrawn") and entry.published_on is not None:
        return True  # once public, its history stays public: who used it learns that it was withdrawn, and why
    role = role_of(session, viewer)
    if role == "operator":
        return True
    if entry.state == "submitted" and role in REVIEWERS:
        return True
    if entry.state in ("validated", "superseded"):
        return session.get(SharedAccess, (entry.entry_id, viewer.id)) is not None
    return False


def entry_dict(session, entry: SharedEntry) -> dict:
    """A version as plain data: its content, state, review and sha256."""
    owner = session.get(Organisation, entry.owner_id).name
    reviewer = session.get(Organisation, entry.reviewer_id).name if entry.reviewer_id else None
    content = json.loads(entry.content)
    return {"ref": f"{entry.entry_id}@{entry.version}", "id": entry.entry_id, "version": entry.version, "pf_id": entry.pf_id,
            "kind": entry.kind,
            "title": entry.title, "owner": owner, "state": entry.state, "value": entry.value, "unit": entry.unit,
            "quantity": content["value"], "dataset": entry.dataset, "geography": entry.geography, "site": content.get("site"),
            "basis": content.get("basis"),
            "source": entry.source, "valid_from": entry.valid_from.isoformat(), "valid_until": entry.valid_until.isoformat(),
            "quality": entry.quality, "note": content.get("note"), "certificate": content.get("certificate"),
            "payload": content.get("payload"), "sha256": entry.sha256, "created_on": entry.created_on.isoformat(),
            "submitted_on": _iso(entry.submitted_on), "checks": json.loads(entry.checks) if entry.checks else None,
            "reviewer": reviewer, "reviewed_by": entry.reviewed_by, "reviewed_on": _iso(entry.reviewed_on),
            "published_on": _iso(entry.published_on), "reason": entry.reason, "superseded_by": entry.superseded_by}


def _iso(day):
    return day.isoformat() if day else None


def content_of(read: dict) -> dict:
    """The data of a version that its sha256 covers (the value as 'number unit' in the registry's units)."""
    quantity = read["quantity"]
    content = {"id": read["id"], "kind": read["kind"], "title": read["title"],
               "value": f"{float(quantity.magnitude)!r} {unit_text(quantity.units)}",
               "source": read["source"], "valid_from": read["valid_from"].isoformat(),
               "valid_until": read["valid_until"].isoformat()}
    for key in ("dataset", "geography", "site", "quality", "note", "certificate", "payload", "basis"):
        if read.get(key) is not None:
            content[key] = read[key]
    return content


def add_entry(data: dict, *, owner: str, on=None, registry=None) -> dict:
    """Add a draft: a new entry at version 1, or the next version of the owner's entry.

    Parameters
    ----------
    data : dict
        ``id``, ``kind``, ``title``, ``value`` ("0.58 kg CO2-eq/kWh"), ``source``,
        ``valid_from``, ``valid_until`` and optionally ``dataset``, ``geography``, ``site``,
        ``quality`` (pedigree "2,2,1,1,2"), ``note``, ``certificate``, ``payload`` (a mapping).
    owner : str
        The organisation that owns it.

    Raises
    ------
    EntryError
        A field breaks the schema or unit rules: nothing is written.
    ReviewError
        The entry belongs to another organisation, or another version of it is still open.
    """
    read = check_schema(data)
    content = content_of(read)
    text = canonical_json(content).decode("utf-8")
    with transaction(registry) as session:
        org = store.organisation(session, owner)
        day = store.on_date(on)
        latest = session.scalars(select(SharedEntry).where(SharedEntry.entry_id == read["id"])
                                 .order_by(SharedEntry.version.desc()).limit(1)).first()
        if latest is not None:
            if latest.owner_id != org.id:
                raise AccessError(f"entry {read['id']}: owned by another organisation; choose another id")
            if latest.state in ("draft", "submitted"):
                raise ReviewError(f"entry {read['id']}@{latest.version} is still {latest.state}; submit, review or "
                                  "withdraw it before adding a new version")
        version = latest.version + 1 if latest else 1
        quantity = read["quantity"]
        entry = SharedEntry(entry_id=read["id"], version=version, pf_id=str(uuid.uuid4()), kind=read["kind"], title=read["title"], owner_id=org.id,
                            state="draft", value=float(quantity.magnitude), unit=unit_text(quantity.units),
                            dataset=read["dataset"], geography=read["geography"], source=read["source"],
                            valid_from=read["valid_from"], valid_until=read["valid_until"], quality=read["quality"],
                            content=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), created_on=day)
        session.add(entry)
        session.flush()
        append_event(session, actor=org.name, action="shared.add", subject=f"entry:{entry.entry_id}@{version}",
                     data={"sha256": entry.sha256, "kind": entry.kind})
        return entry_dict(session, entry)


def certified_entry(number: str, *, registry=None) -> dict:
    """The fields of a certified footprint's entry, read from a valid certificate of the registry.

    Raises
    ------
    ReviewError
        No such certificate, one not valid today, or one without a last valid day.
    """
    from footprint.registry.models import Certificate, Product
    from footprint.registry.workflow import effective_status

    with transaction(registry, write=False) as session:
        cert = session.scalar(select(Certificate).where(Certificate.number == str(number).strip()))
        if cert is None:
            raise ReviewError(f"certificate {show(str(number))}: not in the registry")
        status = effective_status(cert.status, cert.expires_on, store.today())
        if status != "valid":
            raise ReviewError(f"certificate {cert.number} is {status}; only a valid certificate's footprint is shared")
        if cert.expires_on is None:
            raise ReviewError(f"certificate {cert.number} has no last valid day; an entry needs one")
        product = session.get(Product, cert.product_id)
        holder = session.get(Organisation, cert.holder_id).name
        body = session.get(Organisation, cert.body_id).name
        payload = certified_payload(session, cert, holder=holder, body=body)
    entry_id = "CERT-" + "".join(char if char.isalnum() or char in "._-" else "-" for char in cert.number)
    fields = {"id": entry_id[:80], "kind": "certified_footprint", "title": f"{product.name} ({product.code})"[:400],
              "value": f"{cert.declared_value!r} {cert.unit}", "source": f"certificate {cert.number} ({cert.scheme}), issued by "
              f"{body}", "valid_from": cert.issued_on.isoformat(), "valid_until": cert.expires_on.isoformat(),
              "certificate": cert.number, "_holder": holder}
    if payload is not None:
        fields["payload"] = payload
    return fields


def add_certified(number: str, *, by: str, on=None, registry=None) -> dict:
    """Add a draft of a certificate's footprint (``CERT-<number>``), owned by the certificate's holder.

    Only the holder or the operator adds it; the value, unit, validity and source are the
    registry's, not typed again.

    Raises
    ------
    ReviewError
        As :func:`certified_entry`; AccessError for anyone else than the holder or the operator.
    """
    fields = certified_entry(number, registry=registry)
    holder = fields.pop("_holder")
    with transaction(registry, write=False) as session:
        org = _acting(session, by)
        if org.name != holder and role_of(session, org) != "operator":
            raise AccessError(f"certificate {fields['certificate']}: only its holder or the operator shares its footprint")
    return add_entry(fields, owner=holder, on=on, registry=registry)


def _checks(session, entry: SharedEntry, on) -> list[Finding]:
    read = check_schema(json.loads(entry.content))
    findings = check_plausible(read, on=on)
    if read["kind"] == "certified_footprint":
        findings += certified_findings(session, read, owner_id=entry.owner_id)
    return findings


def _errors(findings):
    return [finding for finding in findings if finding.severity == "error"]


def _acting(session, organisation: str) -> Organisation:
    return store.organisation(session, organisation, create=False)


def submit(ref: str, *, by: str, on=None, registry=None) -> dict:
    """The owner submits a draft for review; the checks run first and an error stops it (nothing written)."""
    with transaction(registry) as session:
        org = _acting(session, by)
        entry = _version(session, ref)
        _require_owner(session, entry, org, "submit")
        if entry.state != "draft":
            raise ReviewError(f"entry {entry.entry_id}@{entry.version} is {entry.state}; only a draft is submitted")
        day = store.on_date(on)
        findings = _checks(session, entry, day)
        errors = _errors(findings)
        if errors:
            raise ReviewError(f"entry {entry.entry_id}@{entry.version}: not submitted: {errors[0].message}"
                              + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))
        entry.state, entry.submitted_on = "submitted", day
        entry.checks = json.dumps([f.to_dict() for f in findings], ensure_ascii=False)
        append_event(session, actor=org.name, action="shared.submit", subject=f"entry:{entry.entry_id}@{entry.version}",
                     data={"sha256": entry.sha256})
        return entry_dict(session, entry)


def _require_owner(session, entry, org, what):
    if entry.owner_id == org.id or role_of(session, org) == "operator":
        return
    if not visible(session, entry, org):
        raise AccessError(f"entry {show(entry.entry_id)}: not in the shared database")
    raise AccessError(f"entry {entry.entry_id}@{entry.version}: only its owner or the operator may {what} it")


def _require_reviewer(session, entry, org):
    role = role_of(session, org)
    if not visible(session, entry, org):
        raise AccessError(f"entry {show(entry.entry_id)}: not in the shared database")
    if role not in REVIEWERS:
        raise AccessError(f"{org.name}: role {role or 'none'}; only a certification body or the operator reviews entries")
    if entry.owner_id == org.id and role != "operator":
        raise ReviewError(f"entry {entry.entry_id}@{entry.version}: its owner {org.name} may not review it; "
                          "a reviewer of another organisation or the operator does")


def validate(ref: str, *, reviewer: str, by: str, on=None, registry=None) -> dict:
    """A reviewer accepts a submitted version: the checks run again first, and an error stops it."""
    with transaction(registry) as session:
        org = _acting(session, reviewer)
        entry = _version(session, ref)
        _require_reviewer(session, entry, org)
        if entry.state != "submitted":
            raise ReviewError(f"entry {entry.entry_id}@{entry.version} is {entry.state}; only a submitted version is validated")
        day = store.on_date(on)
        findings = _checks(session, entry, day)
        errors = _errors(findings)
        if errors:
            raise ReviewError(f"entry {entry.entry_id}@{entry.version}: cannot be validated: {errors[0].message}; reject it "
                              "with the reason")
        person = store.name_of(by, what="by")
        entry.state, entry.reviewer_id, entry.reviewed_by, entry.reviewed_on = "validated", org.id, person, day
        entry.checks = json.dumps([f.to_dict() for f in findings], ensure_ascii=False)
        append_event(session, actor=f"{person} ({org.name})", action="shared.validate",
                     subject=f"entry:{entry.entry_id}@{entry.version}", data={"sha256": entry.sha256})
        return entry_dict(session, entry)


def reject(ref: str, *, reviewer: str, by: str, reason: str, on=None, registry=None) -> dict:
    """A reviewer rejects a submitted version, with the reasons."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise OptionError("reason", "a rejection needs its reasons")
    with transaction(registry) as session:
        org = _acting(session, reviewer)
        entry = _version(session, ref)
        _require_reviewer(session, entry, org)
        if entry.state != "submitted":
            raise ReviewError(f"entry {entry.entry_id}@{entry.version} is {entry.state}; only a submitted version is rejected")
        person = store.name_of(by, what="by")
        day = store.on_date(on)
        entry.state, entry.reviewer_id, entry.reviewed_by, entry.reviewed_on = "rejected", org.id, person, day
        entry.reason = reason[:2000]
        append_event(session, actor=f"{person} ({org.name})", action="shared.reject",
                     subject=f"entry:{entry.entry_id}@{entry.version}", data={"reason": entry.reason})
        return entry_dict(session, entry)


def publish(ref: str, *, by: str, on=None, registry=None) -> dict:
    """The owner (or the operator) publishes a validated version; the versions it replaces become superseded."""
    with transaction(registry) as session:
        org = _acting(session, by)
        entry = _version(session, ref)
        _require_owner(session, entry, org, "publish")
        if entry.state != "validated":
            raise ReviewError(f"entry {entry.entry_id}@{entry.version} is {entry.state}; only a validated version is published")
        day = store.on_date(on)
        entry.state, entry.published_on = "published", day
        older = session.scalars(select(SharedEntry).where(SharedEntry.entry_id == entry.entry_id,
                                                          SharedEntry.version < entry.version,
                                                          SharedEntry.state.in_(("validated", "published")))).all()
        for row in older:
            row.state, row.superseded_by = "superseded", entry.version
        append_event(session, actor=org.name, action="shared.publish", subject=f"entry:{entry.entry_id}@{entry.version}",
                     data={"sha256": entry.sha256, "supersedes": [row.version for row in older]})
        return entry_dict(session, entry)


def withdraw(ref: str, *, by: str, reason: str, on=None, registry=None) -> dict:
    """The owner (or the operator) withdraws a version, with the reason: a calculation refuses it from then on."""
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise OptionError("reason", "a withdrawal needs its reason")
    with transaction(registry) as session:
        org = _acting(session, by)
        entry = _version(session, ref)
        _require_owner(session, entry, org, "withdraw")
        if entry.state in ("withdrawn", "rejected"):
            raise ReviewError(f"entry {entry.entry_id}@{entry.version} is already {entry.state}")
        entry.state, entry.reason = "withdrawn", reason[:2000]
        append_event(session, actor=org.name, action="shared.withdraw", subject=f"entry:{entry.entry_id}@{entry.version}",
                     data={"reason": entry.reason})
        return entry_dict(session, entry)


def share(entry_id: str, *, by: str, with_organisation: str, on=None, registry=None) -> dict:
    """The owner shares an entry (all its versions) with another organisation."""
    with transaction(registry) as session:
        org = _acting(session, by)
        entry = _version(session, entry_id)
        _require_owner(session, entry, org, "share")
        other = store.organisation(session, with_organisation, create=False)
        if other.id == entry.owner_id:
            raise ReviewError(f"entry {entry.entry_id}: {other.name} owns it already")
        if session.get(SharedAccess, (entry.entry_id, other.id)) is None:
            session.add(SharedAccess(entry_id=entry.entry_id, organisation_id=other.id, granted_on=store.on_date(on)))
            append_event(session, actor=org.name, action="shared.share", subject=f"entry:{entry.entry_id}",
                         data={"with": other.name})
        return {"id": entry.entry_id, "shared_with": other.name}


def show_entry(ref: str, *, viewer: str | None = None, registry=None) -> dict:
    """A version (``ID@N``) or the latest version (``ID``) as data; an entry the viewer may not see is 'not in the database'."""
    with transaction(registry, write=False) as session:
        org = store.organisation(session, viewer, create=False) if viewer else None
        entry = _version(session, ref)
        if not visible(session, entry, org):
            raise AccessError(f"entry {show(str(ref))}: not in the shared database")
        return entry_dict(session, entry)


def list_entries(*, viewer: str | None = None, state: str | None = None, kind: str | None = None, registry=None) -> list:
    """The versions the viewer may see (all, for the local registry's user), newest first, one short row each."""
    if state is not None and state not in STATES:
        raise OptionError("state", f"got {state!r}; expected one of {', '.join(STATES)}")
    rows = []
    with transaction(registry, write=False) as session:
        org = store.organisation(session, viewer, create=False) if viewer else None
        query = select(SharedEntry).order_by(SharedEntry.entry_id, SharedEntry.version.desc())
        if state:
            query = query.where(SharedEntry.state == state)
        if kind:
            query = query.where(SharedEntry.kind == kind)
        for entry in session.scalars(query):
            if visible(session, entry, org):
                rows.append({"ref": f"{entry.entry_id}@{entry.version}", "kind": entry.kind, "state": entry.state,
                             "owner": session.get(Organisation, entry.owner_id).name, "title": entry.title,
                             "value": json.loads(entry.content)["value"], "valid_until": entry.valid_until.isoformat()})
    return rows


def resolve_entry(ref: str, *, as_of: _dt.date, registry=None, organisation: str | None = None) -> tuple[dict, dict]:
    """The data of ``registry:ID@N`` for a calculation on ``as_of``, and its provenance (id, version, sha256).

    Refused with the reason: an entry that does not exist or that ``organisation`` may not
    see, a draft, submitted or rejected version (not validated), a withdrawn one, one not
    yet valid or expired on ``as_of``. A superseded version is used, and its provenance
    says by which version.

    Returns
    -------
    (dict, dict)
        The version's content (``value`` as 'number unit', ``quantity`` a pint Quantity)
        and ``{"id", "version", "sha256", "state", "owner", "source", "valid_until", "superseded_by"}``.

    Raises
    ------
    ReviewError
    """
    entry_id, version = parse_ref(ref, version_required=True)
    from footprint.shareddb.checks import quantity_of

    with transaction(registry, write=False) as session:
        org = store.organisation(session, organisation, create=False) if organisation else None
        entry = _version(session, f"{entry_id}@{version}")
        if not visible(session, entry, org):
            raise AccessError(f"entry {entry_id}@{version}: not in the shared database")
        where = f"registry:{entry_id}@{version}"
        if entry.state == "withdrawn":
            raise ReviewError(f"{where}: withdrawn ({entry.reason}); expected a validated entry")
        if entry.state not in USABLE:
            raise ReviewError(f"{where}: {entry.state}, not validated; expected a validated or published entry")
        if as_of > entry.valid_until:
            raise ReviewError(f"{where}: expired on {entry.valid_until}; the calculation date is {as_of}")
        if as_of < entry.valid_from:
            raise ReviewError(f"{where}: valid only from {entry.valid_from}; the calculation date is {as_of}")
        if hashlib.sha256(entry.content.encode("utf-8")).hexdigest() != entry.sha256:
            raise ReviewError(f"{where}: its content no longer matches its sha256; the shared database was altered")
        data = json.loads(entry.content)
        owner = session.get(Organisation, entry.owner_id).name
        provenance = {"id": entry.entry_id, "version": entry.version, "sha256": entry.sha256, "state": entry.state,
                      "owner": owner, "source": entry.source, "valid_until": entry.valid_until.isoformat(),
                      "superseded_by": entry.superseded_by}
    data["quantity"] = quantity_of(data["value"], data["kind"], where=where)
    return data, provenance


def resolver(*, registry=None, organisation: str | None = None):
    """A calculation's resolver of ``supplier: registry:ENTRY@N``: :func:`resolve_entry` bound to ``registry``.

    The calculation (:mod:`footprint.supplier`, a lower layer) calls it as ``resolve(ref, as_of=day)``;
    :func:`footprint.supplier.resolving` puts it in effect::

        with footprint.supplier.resolving(resolver(registry="postgresql://...")):
            result = footprint.compute("product.yaml")

    Parameters
    ----------
    registry : str, optional
        The registry's URL or SQLite file; default ``FOOTPRINT_REGISTRY``, else registry.sqlite in ``FOOTPRINT_HOME``.
    organisation : str, optional
        Resolve as this member (only the entries it may see); default: the local registry's user, who sees every entry
        (the state rules still apply: only validated, published or superseded versions are used).

    The resolver remembers what it answered (per reference and calculation date): one run reads each entry
    once. Make a new resolver to see a move made since (a withdrawal, a newer version).
    """

    answered = {}

    def resolve(ref: str, *, as_of: _dt.date) -> tuple[dict, dict]:
        # One run (a label builds the chain again; a Monte Carlo builds the system per figure) asks for the same
        # entry several times: the database is read once per reference and date. A refusal is not kept.
        key = (str(ref).strip(), as_of)
        if key not in answered:
            answered[key] = resolve_entry(ref, as_of=as_of, registry=registry, organisation=organisation)
        data, provenance = answered[key]
        return dict(data), dict(provenance)

    return resolve


def monitor(*, within_days: int = 90, on=None, registry=None) -> dict:
    """What needs attention among the usable versions (validated, published): those expiring within ``within_days``
    (or expired), and those the plausibility checks now flag against the bundled data of this installation
    (a new data version, a new grid factor), each with the finding.

    Returns
    -------
    dict
        ``{"on", "expiring": [{"ref", "owner", "valid_until", "days_left"}], "flagged": [{"ref", "owner", "severity", "message"}]}``
    """
    if isinstance(within_days, bool) or not isinstance(within_days, int) or within_days < 0:
        raise OptionError("within_days", f"got {within_days!r}; expected a whole number of days, 0 or more")
    day = store.on_date(on)
    expiring, flagged = [], []
    with transaction(registry, write=False) as session:
        rows = session.scalars(select(SharedEntry).where(SharedEntry.state.in_(("validated", "published")))
                               .order_by(SharedEntry.valid_until, SharedEntry.entry_id)).all()
        owners = {row.id: row.name for row in session.scalars(select(Organisation))}
    for row in rows:
        ref, owner = f"{row.entry_id}@{row.version}", owners[row.owner_id]
        left = (row.valid_until - day).days
        if left <= within_days:
            expiring.append({"ref": ref, "owner": owner, "valid_until": row.valid_until.isoformat(), "days_left": left})
        for finding in check_plausible(check_schema(json.loads(row.content)), on=None):
            if finding.severity in ("error", "warning"):
                flagged.append({"ref": ref, "owner": owner, "severity": finding.severity, "message": finding.message})
    return {"on": day.isoformat(), "expiring": expiring, "flagged": flagged}
