"""The shared database in PACT's terms: published entries as ProductFootprints, received events kept.

An entry is exchanged through PACT when its payload is a PACT ProductFootprint (a supplier's
declaration as received, or a certified footprint's: the certified dossier's PACT figures with
the certificate as ``pcf.assurance``, :mod:`footprint.shareddb.certified`): the payload
goes out as given, with this database's id (a random UUID per version), version, creation
time and status (``Active`` while published, ``Deprecated`` once superseded, with the
version that superseded it in ``statusComment``; a certified footprint whose certificate is no
longer valid is ``Deprecated`` too, naming the certificate's status). An entry without such a payload is not
exported: a ProductFootprint made up from a value alone would have to assert fields (fossil
and biogenic carbon content, exemptions) that nobody declared.

Filters (``$filter`` of PACT 2, the subset a list needs): ``companyName eq '...'``,
``status eq 'Active'``, ``pcf/declaredUnit eq 'kilogram'``, ``productIds/any(productId:(productId
eq '...'))``, joined with ``and``; anything else is refused, never ignored.
"""

from __future__ import annotations

import datetime as _dt
import json
import re

from sqlalchemy import select

from footprint.errors import InputError, show
from footprint.registry import store
from footprint.registry.models import Organisation
from footprint.shareddb.db import transaction
from footprint.shareddb.entries import AccessError, visible
from footprint.shareddb.models import PactEvent, SharedEntry
from footprint.signing import canonical_json

#: The PACT event types this server accepts (PACT Technical Specification 2.x, §Action Events).
EVENT_TYPES = ("org.wbcsd.pathfinder.ProductFootprint.Published.v1",
               "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
               "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1",
               "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1")
_CLAUSES = (
    (re.compile(r"^companyName eq '([^']*)'$"), lambda doc: doc.get("companyName")),
    (re.compile(r"^status eq '([^']*)'$"), lambda doc: doc.get("status")),
    (re.compile(r"^pcf/declaredUnit eq '([^']*)'$"), lambda doc: (doc.get("pcf") or {}).get("declaredUnit")),
    (re.compile(r"^productIds/any\(productId:\(productId eq '([^']*)'\)\)$"), lambda doc: doc.get("productIds") or []),
)


def parse_filter(text: str | None):
    """A ``$filter`` as a predicate on a ProductFootprint; refused (InputError) when it is not of the supported subset."""
    if text is None or not text.strip():
        return lambda doc: True
    tests = []
    for clause in re.split(r"\s+and\s+", text.strip()):
        for pattern, field in _CLAUSES:
            match = pattern.match(clause.strip())
            if match:
                tests.append((field, match.group(1)))
                break
        else:
            raise InputError(f"$filter: {show(clause)} is not supported; expected companyName, status, pcf/declaredUnit eq "
                             "'...' or productIds/any(productId:(productId eq '...')), joined with 'and'")

    def accept(doc):
        for field, wanted in tests:
            value = field(doc)
            if not (wanted in value if isinstance(value, list) else value == wanted):
                return False
        return True

    return accept


def product_footprint(entry: SharedEntry, *, certificate: tuple[str, str] | None = None) -> dict:
    """The ProductFootprint of a version whose payload is one.

    ``certificate`` is (number, status today) for a certified footprint: a certificate that is
    no longer valid (suspended, withdrawn, expired) makes it ``Deprecated``, saying so.
    """
    payload = json.loads(entry.content)["payload"]
    doc = dict(payload)
    doc["id"] = entry.pf_id
    doc["version"] = entry.version - 1  # PACT counts from 0
    doc["created"] = f"{entry.created_on.isoformat()}T00:00:00Z"
    doc["status"] = "Active" if entry.state == "published" else "Deprecated"
    doc.pop("statusComment", None)
    if entry.state == "superseded":
        doc["statusComment"] = f"superseded by {entry.entry_id}@{entry.superseded_by}"
    if certificate is not None and certificate[1] != "valid":
        doc["status"] = "Deprecated"
        doc["statusComment"] = "; ".join(filter(None, [doc.get("statusComment"), f"certificate {certificate[0]} is {certificate[1]}"]))
    return doc


def _certificate_of(session, entry: SharedEntry):
    """(number, status today) of a certified footprint's certificate; None for any other entry."""
    if entry.kind != "certified_footprint":
        return None
    from footprint.registry.models import Certificate
    from footprint.registry.workflow import effective_status

    number = json.loads(entry.content).get("certificate")
    cert = session.scalar(select(Certificate).where(Certificate.number == str(number)))
    if cert is None:
        return (str(number), "not in the registry")
    return (cert.number, effective_status(cert.status, cert.expires_on, store.today()))


def _exportable(session, viewer):
    query = select(SharedEntry).where(SharedEntry.state.in_(("published", "superseded"))).order_by(SharedEntry.id)
    for entry in session.scalars(query):
        payload = json.loads(entry.content).get("payload")
        if isinstance(payload, dict) and "pcf" in payload and visible(session, entry, viewer):
            yield entry


def list_footprints(*, viewer: str, filter: str | None = None, limit: int = 100, offset: int = 0, registry=None) -> tuple:
    """The ProductFootprints ``viewer`` may read, filtered, one page: (footprints, whether more follow)."""
    accept = parse_filter(filter)
    found, more = [], False
    with transaction(registry, write=False) as session:
        org = store.organisation(session, viewer, create=False)
        skipped = 0
        for entry in _exportable(session, org):
            doc = product_footprint(entry, certificate=_certificate_of(session, entry))
            if not accept(doc):
                continue
            if skipped < offset:
                skipped += 1
                continue
            if len(found) == limit:
                more = True
                break
            found.append(doc)
    return found, more


def get_footprint(pf_id: str, *, viewer: str, registry=None) -> dict:
    """One ProductFootprint by its id; one the viewer may not see is 'no such footprint'."""
    with transaction(registry, write=False) as session:
        org = store.organisation(session, viewer, create=False)
        entry = session.scalar(select(SharedEntry).where(SharedEntry.pf_id == str(pf_id)))
        if entry is None or entry.state not in ("published", "superseded") or not visible(session, entry, org):
            raise AccessError(f"footprint {show(str(pf_id))}: not in the shared database")
        if "pcf" not in (json.loads(entry.content).get("payload") or {}):
            raise AccessError(f"footprint {show(str(pf_id))}: not in the shared database")
        return product_footprint(entry, certificate=_certificate_of(session, entry))


def record_event(event: dict, *, sender: str, registry=None) -> dict:
    """Keep a PACT event received from ``sender`` (CloudEvents 1.0 structure), after checking its shape."""
    if not isinstance(event, dict):
        raise InputError("event: expected a JSON object")
    for key in ("type", "specversion", "id", "source"):
        if not isinstance(event.get(key), str) or not event[key].strip() or not event[key].isprintable():
            raise InputError(f"event.{key}: got {show(event.get(key))}; expected text (a CloudEvents 1.0 attribute)")
    if event["type"] not in EVENT_TYPES:
        raise InputError(f"event.type: got {show(event['type'])}; expected one of {', '.join(EVENT_TYPES)}")
    if event["specversion"] != "1.0":
        raise InputError(f"event.specversion: got {show(event['specversion'])}; expected '1.0'")
    if not isinstance(event.get("data"), dict):
        raise InputError(f"event.data: got {show(event.get('data'))}; expected a JSON object")
    with transaction(registry) as session:
        org = session.scalar(select(Organisation).where(Organisation.name == sender))
        row = PactEvent(received_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), organisation_id=org.id,
                        type=event["type"], body=canonical_json(event).decode("utf-8"))
        session.add(row)
        session.flush()
        return {"received": row.id, "type": row.type}
