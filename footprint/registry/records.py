"""Reading the registry: an application or a certificate in full, lists, the event log and its check, exports.

Nothing here writes to the registry; a certificate past its last valid day is shown
``expired`` whether or not a write has recorded it yet.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

from footprint.errors import InputError, OptionError
from footprint.registry import store
from footprint.registry.db import registry_url, sqlite_path, transaction
from footprint.registry.models import (
    Application,
    Audit,
    AuditPlan,
    Certificate,
    CertificateAction,
    CfpVerification,
    Decision,
    Evaluation,
    Event,
    Evidence,
    Finding,
    LabelLicence,
    Organisation,
    Person,
    Product,
    ProductChange,
    SigningKey,
    Site,
    Surveillance,
)
from footprint.registry.workflow import APPLICATION_STATES, CERTIFICATE_STATES, STEPS, effective_status


def _iso(day):
    return day.isoformat() if day else None


def _names(session, model, ids):
    return {row.id: row.name for row in session.scalars(select(model).where(model.id.in_(set(ids))))} if ids else {}


def application_dict(session, app: Application) -> dict:
    """An application with every step recorded on it, and what comes next."""
    session.flush()
    orgs = _names(session, Organisation, (app.applicant_id, app.manufacturer_id, app.body_id))
    product = session.get(Product, app.product_id)
    process = store.process_of(app)
    plans = session.scalars(select(AuditPlan).where(AuditPlan.application_id == app.id).order_by(AuditPlan.id)).all()
    audits = session.scalars(select(Audit).where(Audit.application_id == app.id).order_by(Audit.id)).all()
    findings = session.scalars(select(Finding).where(Finding.application_id == app.id).order_by(Finding.number)).all()
    checks = session.scalars(select(CfpVerification).where(CfpVerification.application_id == app.id).order_by(CfpVerification.id)).all()
    evaluation = session.scalars(select(Evaluation).where(Evaluation.application_id == app.id).order_by(Evaluation.id)).all()
    decision = session.scalars(select(Decision).where(Decision.application_id == app.id).order_by(Decision.id)).all()
    people = [pid for plan in plans for pid in json.loads(plan.auditors)] + [a.auditor_id for a in audits] + \
        [f.raised_by_id for f in findings] + [c.verifier_id for c in checks] + [e.evaluator_id for e in evaluation] + \
        [d.decided_by_id for d in decision]
    persons = _names(session, Person, people)
    sites = _names(session, Site, [sid for plan in plans for sid in json.loads(plan.sites)] + [a.site_id for a in audits if a.site_id])
    cert = session.scalar(select(Certificate.number).where(Certificate.application_id == app.id))
    evidence = {}
    for row in session.scalars(select(Evidence).where(Evidence.audit_id.in_([a.id for a in audits]))) if audits else []:
        evidence.setdefault(row.audit_id, []).append({"name": row.name, "sha256": row.sha256})
    return {
        "application": app.number, "state": app.state, "scheme": app.scheme, "rule_pack": f"{app.scheme}@{app.scheme_sha256[:12]}",
        "process": process.to_dict(), "next": _next_steps(app.state, process),
        "applicant": orgs[app.applicant_id], "manufacturer": orgs[app.manufacturer_id], "body": orgs[app.body_id],
        "product": {"id": product.code, "name": product.name}, "models": [m.name for m in app.models],
        "sites": [{"name": s.name, "region": s.region} for s in app.sites],
        "declared": {"value": app.declared_value, "text": app.declared_text, "unit": app.unit},
        "dossier_sha256": app.dossier_sha256, "result_sha256": app.result_sha256, "data_version": app.data_version,
        "applied_on": _iso(app.applied_on), "last_on": _iso(app.last_on), "renews": app.renews, "certificate": cert,
        "plans": [{"auditors": [persons[p] for p in json.loads(plan.auditors)], "starts_on": _iso(plan.starts_on),
                   "ends_on": _iso(plan.ends_on), "sites": [sites[s] for s in json.loads(plan.sites)], "scope": plan.scope}
                  for plan in plans],
        "audits": [{"kind": a.kind, "by": persons[a.auditor_id], "on": _iso(a.held_on), "site": sites.get(a.site_id),
                    "summary": a.summary, "evidence": evidence.get(a.id, [])} for a in audits],
        "findings": [_finding(f, persons) for f in findings],
        "verifications": [{"by": persons[c.verifier_id], "on": _iso(c.verified_on), "verdict": c.verdict,
                           "declared_total": c.declared_total, "recomputed_total": c.recomputed_total,
                           "data_version": c.data_version, "reasons": json.loads(c.reasons)} for c in checks],
        "evaluation": [{"by": persons[e.evaluator_id], "on": _iso(e.evaluated_on), "recommendation": e.recommendation,
                        "notes": e.notes} for e in evaluation],
        "decision": [{"by": persons[d.decided_by_id], "on": _iso(d.decided_on), "outcome": d.outcome, "reason": d.reason}
                     for d in decision],
    }


def _finding(row, persons):
    return {"finding": row.number, "severity": row.severity, "text": row.text, "by": persons.get(row.raised_by_id),
            "raised_on": _iso(row.raised_on), "due_on": _iso(row.due_on), "closed_on": _iso(row.closed_on),
            "closure_sha256": row.closure_sha256, "closure_note": row.closure_note}


def _next_steps(state, process):
    if state in ("rejected", "refused", "certified"):
        return []
    if state == "granted":
        return ["issue"]
    done = [step for step in process.steps if STEPS[step] == state]
    index = process.steps.index(done[-1]) if done else -1
    following = list(process.steps[index + 1:index + 2])
    if state in ("reviewed", "inspected"):
        following.insert(0, process.steps[index])
    return following


def certificate_dict(session, cert: Certificate) -> dict:
    """A certificate with its status on today, surveillance, changes, actions, findings and licences."""
    session.flush()
    orgs = _names(session, Organisation, (cert.holder_id, cert.body_id))
    product = session.get(Product, cert.product_id)
    app = session.get(Application, cert.application_id)
    surveillance = session.scalars(select(Surveillance).where(Surveillance.certificate_id == cert.id).order_by(Surveillance.due_on)).all()
    actions = session.scalars(select(CertificateAction).where(CertificateAction.certificate_id == cert.id)
                              .order_by(CertificateAction.id)).all()
    changes = session.scalars(select(ProductChange).where(ProductChange.certificate_id == cert.id).order_by(ProductChange.id)).all()
    findings = session.scalars(select(Finding).where(Finding.certificate_id == cert.id).order_by(Finding.number)).all()
    licences = session.scalars(select(LabelLicence).where(LabelLicence.certificate_id == cert.id).order_by(LabelLicence.id)).all()
    persons = _names(session, Person, [s.auditor_id for s in surveillance if s.auditor_id] + [a.by_id for a in actions if a.by_id]
                     + [f.raised_by_id for f in findings])
    renews = session.get(Certificate, cert.renews_id).number if cert.renews_id else None
    return {
        "certificate": cert.number, "status": effective_status(cert.status, cert.expires_on, store.today()),
        "status_recorded": cert.status, "scheme": cert.scheme, "rule_pack": f"{cert.scheme}@{cert.scheme_sha256[:12]}",
        "holder": orgs[cert.holder_id], "body": orgs[cert.body_id], "product": {"id": product.code, "name": product.name},
        "models": json.loads(cert.models), "sites": json.loads(cert.sites),
        "declared": {"value": cert.declared_value, "text": cert.declared_text, "unit": cert.unit},
        "issued_on": _iso(cert.issued_on), "expires_on": _iso(cert.expires_on), "application": app.number, "renews": renews,
        "surveillance_months": cert.surveillance_months, "reevaluation_due": bool(cert.reevaluation_due),
        "key_fingerprint": cert.key_fingerprint, "document_sha256": cert.document_sha256,
        "surveillance": [{"due_on": _iso(s.due_on), "done_on": _iso(s.done_on), "outcome": s.outcome,
                          "by": persons.get(s.auditor_id), "notes": s.notes} for s in surveillance],
        "actions": [{"action": a.action, "on": _iso(a.acted_on), "by": persons.get(a.by_id), "reason": a.reason} for a in actions],
        "changes": [{"on": _iso(c.recorded_on), "description": c.description, "value_before": c.value_before,
                     "value_after": c.value_after, "reevaluation": bool(c.reevaluation), "rule": c.rule} for c in changes],
        "findings": [_finding(f, persons) for f in findings],
        "licences": [{"licence": lic.number, "granted_on": _iso(lic.granted_on), "valid_until": _iso(lic.valid_until),
                      "document_sha256": lic.document_sha256} for lic in licences],
    }


def show(number: str, *, registry: str | os.PathLike | None = None) -> dict:
    """A certificate (by its number) or an application (by its number), in full."""
    with transaction(registry, write=False) as session:
        cert = session.scalar(select(Certificate).where(Certificate.number == str(number).strip()))
        if cert is not None:
            return certificate_dict(session, cert)
        app = session.scalar(select(Application).where(Application.number == str(number).strip()))
        if app is not None:
            return application_dict(session, app)
    raise InputError(f"{number!r}: no certificate or application of that number in the registry")


def list_records(*, applications: bool = False, state: str | None = None, scheme: str | None = None,
                 registry: str | os.PathLike | None = None) -> list:
    """Certificates (or applications) with their state, one short row each, newest first."""
    known = APPLICATION_STATES if applications else CERTIFICATE_STATES
    if state is not None and state not in known:
        raise OptionError("state", f"got {state!r}; expected one of {', '.join(known)}")
    rows = []
    with transaction(registry, write=False) as session:
        if applications:
            query = select(Application).order_by(Application.id.desc())
            if scheme:
                query = query.where(Application.scheme == scheme)
            for app in session.scalars(query):
                if state and app.state != state:
                    continue
                product = session.get(Product, app.product_id)
                rows.append({"application": app.number, "state": app.state, "scheme": app.scheme, "product": product.code,
                             "declared": f"{app.declared_text} {app.unit}", "applied_on": _iso(app.applied_on)})
            return rows
        query = select(Certificate).order_by(Certificate.id.desc())
        if scheme:
            query = query.where(Certificate.scheme == scheme)
        today = store.today()
        for cert in session.scalars(query):
            status = effective_status(cert.status, cert.expires_on, today)
            if state and status != state:
                continue
            holder = session.get(Organisation, cert.holder_id).name
            product = session.get(Product, cert.product_id)
            rows.append({"certificate": cert.number, "status": status, "scheme": cert.scheme, "holder": holder,
                         "product": product.code, "declared": f"{cert.declared_text} {cert.unit}",
                         "issued_on": _iso(cert.issued_on), "expires_on": _iso(cert.expires_on)})
    return rows


def log(*, subject: str | None = None, verify: bool = False, registry: str | os.PathLike | None = None) -> dict:
    """The events (all, or those of one application, certificate or finding), and with ``verify`` the chain's check."""
    from footprint.registry.events import event_dict, verify_chain

    with transaction(registry, write=False) as session:
        query = select(Event).order_by(Event.seq)
        if subject:
            query = query.where(Event.subject.like(f"%:{subject}"))
        found = [event_dict(event) for event in session.scalars(query)]
        checked = verify_chain(session).to_dict() if verify else None
    return {"events": found, "check": checked}


def export(number: str, *, out_dir: str | os.PathLike, formats: Sequence[str] = ("json", "html"), lang: str = "both",
           template_dir: str | os.PathLike | None = None,
           registry: str | os.PathLike | None = None) -> list[Path]:
    """Write a certificate's signed JSON (as stored), and its HTML and PDF rendered from it, into ``out_dir``."""
    from footprint.registry.document import write_documents

    with transaction(registry, write=False) as session:
        cert = store.certificate(session, number)
        raw = store.stored(session, cert.document_sha256)
    return write_documents(raw, out_dir=out_dir, formats=tuple(formats), lang=lang, template_dir=template_dir)


def certificate_status(document: dict, *, signer: dict | None = None, document_sha256: str | None = None,
                       registry: str | os.PathLike | None = None) -> dict:
    """A certificate document's standing in the registry: its status, whether its key is the body's, whether it is the issued one.

    Raises
    ------
    InputError
        No registry to ask (the default SQLite file does not exist and none is named).
    """

    from footprint.signing import short

    url = registry_url(registry)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise InputError(f"no registry at {path}; name one with --registry or FOOTPRINT_REGISTRY")
    number = str(document.get("number") or "")
    if not number:
        raise OptionError("certificate", "the document has no number")
    with transaction(registry, write=False) as session:
        cert = session.scalar(select(Certificate).where(Certificate.number == number))
        if cert is None:
            return {"status": "unknown", "certificate": number,
                    "summary": f"registry: no certificate {number} (not issued by this registry)"}
        body = session.get(Organisation, cert.body_id).name
        key = session.scalar(select(SigningKey).where(SigningKey.fingerprint == (signer or {}).get("fingerprint")))
        registered = key is not None and key.organisation_id == cert.body_id
        issued = document_sha256 is None or document_sha256 == cert.document_sha256
        status = effective_status(cert.status, cert.expires_on, store.today())
        newer = session.scalar(select(func.count()).select_from(Certificate).where(Certificate.renews_id == cert.id))
    words = [f"registry: certificate {number} is {status.upper()} (issued {_iso(cert.issued_on)}, last valid day "
             f"{_iso(cert.expires_on) or '-'})"]
    if signer is not None:  # asked without a key (a browser, a status check): nothing is said of one
        words.append(f"signing key {short(signer.get('fingerprint', ''))} " +
                     (f"is registered to {body}" if registered else f"is NOT a registered key of {body}"))
    else:
        registered = None
    if not issued:
        words.append("the document differs from the one the registry issued (sha256)")
    if newer:
        words.append("renewed since")
    return {"status": status if issued else "not the issued document", "certificate": number, "body": body,
            "key_registered": registered, "document_issued": issued, "expires_on": _iso(cert.expires_on),
            "summary": "; ".join(words)}
