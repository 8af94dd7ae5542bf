"""After the certificate: surveillance, product changes, suspension, reinstatement, withdrawal, label licences.

Each function is one ``footprint cert`` command on a certificate; the rules are those of
:mod:`footprint.registry.workflow` (no surveillance on a withdrawn certificate, no label after
expiry ...), each move appends its event. Expiry needs no command: the first write on or
after the day after a certificate's last valid day records it (``expire``, with its reason),
and every read shows a certificate past its last day as ``expired``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from footprint.errors import OptionError
from footprint.registry import store
from footprint.registry.db import transaction
from footprint.registry.models import (
    Application,
    Audit,
    CertificateAction,
    Evidence,
    Finding,
    LabelLicence,
    Organisation,
    ProductChange,
    Surveillance,
)
from footprint.registry.workflow import SURVEILLANCE_OUTCOMES, Facts

if TYPE_CHECKING:
    from footprint.signing import Signer


def _open(session, number):
    """The certificate, its application and process, after the expiry sweep."""
    store.sweep_expired(session, store.today())
    cert = store.certificate(session, number)
    app = session.get(Application, cert.application_id)
    return cert, app, store.process_of(app)


def _facts(session, cert, on, **extra):
    open_major = session.scalars(select(Finding.number).where(Finding.certificate_id == cert.id, Finding.severity == "major",
                                                              Finding.closed_on.is_(None)).order_by(Finding.number)).all()
    return Facts(subject=f"certificate {cert.number}", today=store.today(), on=on, last_date=cert.issued_on,
                 certificate_status=cert.status, expires_on=cert.expires_on, reevaluation_due=bool(cert.reevaluation_due),
                 open_major=list(open_major), **extra)


def _body(session, cert):
    return session.get(Organisation, cert.body_id)


def surveil(certificate: str, *, by: str, outcome: str, notes: str = "", evidence: Sequence[str | os.PathLike] = (),
            site: str | None = None, on: str | _dt.date | None = None, registry: str | os.PathLike | None = None) -> dict:
    """Record a surveillance of the certificate: the scheduled one due first (or an unscheduled one), its outcome and evidence.

    Raises
    ------
    TransitionError
        The certificate is withdrawn, expired or renewed (rule ``surveillance-active``).
    """
    from footprint.registry.records import certificate_dict

    if outcome not in SURVEILLANCE_OUTCOMES:
        raise OptionError("outcome", f"got {outcome!r}; expected one of {', '.join(SURVEILLANCE_OUTCOMES)}")
    day = store.on_date(on)
    with transaction(registry) as session:
        cert, app, process = _open(session, certificate)
        auditor = store.person(session, _body(session, cert), by)
        files = [store.store_file(session, path) for path in evidence]
        due = session.scalars(select(Surveillance).where(Surveillance.certificate_id == cert.id, Surveillance.done_on.is_(None))
                              .order_by(Surveillance.due_on)).first()
        store.move(session, "surveil", _facts(session, cert, day), process, actor=by, subject=f"certificate:{cert.number}",
                   data={"on": day.isoformat(), "outcome": outcome, "notes": notes, "due_on": due.due_on.isoformat() if due else None,
                         "evidence": [{"name": n, "sha256": h} for n, h in files]})
        if due is None:  # unscheduled (no interval stated, or all done)
            due = Surveillance(certificate_id=cert.id, due_on=day)
            session.add(due)
        due.done_on, due.auditor_id, due.outcome, due.notes = day, auditor.id, outcome, notes
        site_row = next((s for s in app.sites if s.name == site), None) if site else None
        if site and site_row is None:
            raise OptionError("site", f"{site!r} is not a site of {cert.number}")
        row = Audit(certificate_id=cert.id, kind="surveillance", auditor_id=auditor.id, site_id=site_row.id if site_row else None,
                    held_on=day, summary=f"{outcome}: {notes}")
        session.add(row)
        session.flush()
        for name, digest in files:
            session.add(Evidence(audit_id=row.id, name=name, sha256=digest))
        return certificate_dict(session, cert)


def change(certificate: str, *, by: str, description: str, value: float, on: str | _dt.date | None = None,
           registry: str | os.PathLike | None = None) -> dict:
    """Record a change to the certified product and its new footprint ``value`` [the certificate's unit].

    The scheme's rule decides whether it asks for re-evaluation (a rise of
    ``decision.reverification_increase`` or more, a crossed grade or threshold, or, when the
    scheme sets no tolerance, a change of the value as labelled); while one is due, no label
    licence is granted.
    """
    from footprint.registry.records import certificate_dict

    try:
        value = float(value)
    except (TypeError, ValueError):
        raise OptionError("value", f"got {value!r}; expected the new footprint, a number in the certificate's unit") from None
    if not value > 0:
        raise OptionError("value", f"got {value!r}; expected a positive footprint")
    day = store.on_date(on)
    with transaction(registry) as session:
        cert, app, process = _open(session, certificate)
        store.person(session, _body(session, cert), by)
        needed, why = process.needs_reevaluation(cert.declared_value, value)
        store.move(session, "change", _facts(session, cert, day), process, actor=by, subject=f"certificate:{cert.number}",
                   data={"on": day.isoformat(), "description": description, "value_before": cert.declared_value,
                         "value_after": value, "reevaluation": needed, "rule": why})
        session.add(ProductChange(certificate_id=cert.id, recorded_on=day, description=description,
                                  value_before=cert.declared_value, value_after=value, reevaluation=int(needed), rule=why))
        if needed:
            cert.reevaluation_due = 1
        result = certificate_dict(session, cert)
        result["change"] = {"reevaluation": needed, "rule": why}
        return result


def _status_move(move_name, certificate, *, by, reason, on, registry):
    from footprint.registry.records import certificate_dict

    day = store.on_date(on)
    with transaction(registry) as session:
        cert, app, process = _open(session, certificate)
        person = store.person(session, _body(session, cert), by)
        before = cert.status
        state = store.move(session, move_name, _facts(session, cert, day, reason=reason), process, actor=by,
                           subject=f"certificate:{cert.number}", data={"on": day.isoformat(), "reason": reason, "status_before": before})
        cert.status = state
        session.add(CertificateAction(certificate_id=cert.id, action=move_name, acted_on=day, by_id=person.id, reason=reason))
        return certificate_dict(session, cert)


def suspend(certificate: str, *, by: str, reason: str, on: str | _dt.date | None = None, registry: str | os.PathLike | None = None) -> dict:
    """Suspend a valid certificate (its label may not be used meanwhile), with the reason."""
    return _status_move("suspend", certificate, by=by, reason=reason, on=on, registry=registry)


def reinstate(certificate: str, *, by: str, reason: str, on: str | _dt.date | None = None,
              registry: str | os.PathLike | None = None) -> dict:
    """Reinstate a suspended certificate before its expiry, once no major finding on it is open."""
    return _status_move("reinstate", certificate, by=by, reason=reason, on=on, registry=registry)


def withdraw(certificate: str, *, by: str, reason: str, on: str | _dt.date | None = None,
             registry: str | os.PathLike | None = None) -> dict:
    """Withdraw a valid or suspended certificate, for good."""
    return _status_move("withdraw", certificate, by=by, reason=reason, on=on, registry=registry)


def label(certificate: str, *, by: str, key: str | os.PathLike | Signer, passphrase: str | None = None,
          on: str | _dt.date | None = None, out: str | os.PathLike | None = None,
          registry: str | os.PathLike | None = None) -> dict:
    """Grant a label licence on a valid certificate: the signed label JSON (number, value, validity), kept by its SHA-256.

    Raises
    ------
    TransitionError
        After expiry, on a suspended, withdrawn or renewed certificate, or while a
        re-evaluation is due (rule ``label-valid``).
    """
    from footprint.fileio import atomic_write
    from footprint.registry.numbering import licence_number
    from footprint.registry.records import certificate_dict
    from footprint.signing import Signer, document_bytes, load_signer, sign_json_document

    signer = key if isinstance(key, Signer) else load_signer(key, passphrase=passphrase)
    day = store.on_date(on)
    with transaction(registry) as session:
        cert, app, process = _open(session, certificate)
        store.person(session, _body(session, cert), by)
        store.register_key(session, _body(session, cert), signer.public, by, day)
        store.move(session, "label", _facts(session, cert, day), process, actor=by, subject=f"certificate:{cert.number}",
                   data={"on": day.isoformat()})
        number = licence_number(session, cert.number)
        holder = session.get(Organisation, cert.holder_id).name
        document = {"format": "footprint-label-licence/1", "licence": number, "certificate": cert.number, "scheme": cert.scheme,
                    "holder": holder, "models": json.loads(cert.models), "value": cert.declared_text, "unit": cert.unit,
                    "granted_on": day.isoformat(), "valid_until": cert.expires_on.isoformat() if cert.expires_on else None,
                    "certification_body": _body(session, cert).name}
        signed = sign_json_document(document, signer, name=f"{number}.json")
        data = document_bytes(signed)
        digest = store.store_bytes(session, data)
        session.add(LabelLicence(number=number, certificate_id=cert.id, granted_on=day, valid_until=cert.expires_on,
                                 document_sha256=digest))
        store.append_event(session, actor=by, action="label_licence", subject=f"certificate:{cert.number}",
                           data={"licence": number, "document_sha256": digest, "key": signer.public.fingerprint})
        result = certificate_dict(session, cert)
    if out is not None:
        atomic_write(out, data)
        result["files"] = [str(out)]
    result["licence"] = number
    return result
