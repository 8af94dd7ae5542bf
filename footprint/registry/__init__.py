"""The certification body's registry: applications, audits, decisions, certificates, surveillance, every event.

Each function is one command of ``footprint cert`` (the command line only parses options, calls
it and renders what it returns), in the order of the process of CNCA-CFP-00:2025 that
:mod:`footprint.registry.workflow` describes:

=================  ==========================================================================
:func:`apply`      an application with its dossier (checked, and stored by its SHA-256)
:func:`accept`     acceptance (or rejection) of the application
:func:`plan`       the audit plan: auditors, dates, sites, scope
:func:`audit`      a document review or an on-site inspection, with evidence files by hash
:func:`finding`    a major or minor finding, with its due date
:func:`close_finding`  its closure, with the closure evidence
:func:`verify_cfp` the CFP verification: the result recomputed from the dossier, equal to the declared one
:func:`evaluate`   the evaluation and its recommendation
:func:`decide`     the decision, by a person who did not audit
:func:`issue`      the certificate: a unique number, signed, its surveillance scheduled
:func:`renew`      an application that renews a certificate
=================  ==========================================================================

and, on a certificate (:mod:`footprint.registry.certificates`): :func:`surveil`,
:func:`change`, :func:`suspend`, :func:`reinstate`, :func:`withdraw`, :func:`label`;
reading (:mod:`footprint.registry.records`): :func:`show`, :func:`list_records`,
:func:`export`, :func:`log`, :func:`certificate_status`; the schema: :func:`upgrade`.

A move the rules do not allow raises :class:`~footprint.registry.workflow.TransitionError`
naming the rule, and nothing is written. Every change appends an event to the hash chain in
the same transaction as the change. ``registry`` is a URL or SQLite file (default
``FOOTPRINT_REGISTRY``, else ``registry.sqlite`` in the data directory); dates ``on`` are
``YYYY-MM-DD`` or dates, default today, and never after today.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from footprint.errors import InputError, OptionError
from footprint.registry import store
from footprint.registry.certificates import change, label, reinstate, surveil, suspend, withdraw
from footprint.registry.db import RegistryError, registry_url, transaction, upgrade
from footprint.registry.models import (
    Application,
    Audit,
    AuditPlan,
    CertificateAction,
    CfpVerification,
    Decision,
    DossierFile,
    Evaluation,
    Evidence,
    Finding,
    Product,
    ProductModel,
    Surveillance,
)
from footprint.registry.records import application_dict, certificate_dict, certificate_status, export, list_records, log, show
from footprint.registry.workflow import AUDIT_KINDS, OUTCOMES, SEVERITIES, Facts, Process, TransitionError, check

if TYPE_CHECKING:
    from footprint.signing import PublicKey, Signer

__all__ = [
    "RegistryError", "TransitionError", "accept", "apply", "audit", "certificate_status", "change", "close_finding", "decide",
    "evaluate", "export", "finding", "issue", "label", "list_records", "log", "plan", "register_key", "registry_url", "reinstate", "renew",
    "show", "surveil", "suspend", "upgrade", "verify_cfp", "withdraw",
]


def _facts(session, app, *, on: str | _dt.date | None = None, person="", **extra):
    """What the rules read of an application."""
    from footprint.registry.models import Person

    names = {}

    def name(person_id):
        if person_id not in names:
            names[person_id] = session.get(Person, person_id).name
        return names[person_id]

    auditors = set()
    for plan_row in session.scalars(select(AuditPlan).where(AuditPlan.application_id == app.id)):
        auditors.update(name(pid) for pid in json.loads(plan_row.auditors))
    auditors.update(name(row.auditor_id) for row in session.scalars(select(Audit).where(Audit.application_id == app.id)))
    verifications = session.scalars(select(CfpVerification).where(CfpVerification.application_id == app.id)
                                    .order_by(CfpVerification.id)).all()
    auditors.update(name(row.verifier_id) for row in verifications)
    decision = session.scalars(select(Decision).where(Decision.application_id == app.id).order_by(Decision.id.desc())).first()
    open_major = session.scalars(select(Finding.number).where(Finding.application_id == app.id, Finding.severity == "major",
                                                              Finding.closed_on.is_(None)).order_by(Finding.number)).all()
    dossier = store.dossier_decision(session, app)
    fields = {"decision": decision.outcome if decision else None,
              "verification": verifications[-1].verdict if verifications else None,
              "dossier_outcome": dossier.get("outcome"), "unmet": [str(item.get("item")) for item in dossier.get("unmet") or []],
              **extra}
    return Facts(subject=f"application {app.number}", today=store.today(), on=on, state=app.state, last_date=app.last_on,
                 person=person, auditors=auditors, open_major=list(open_major), **fields)


def _step(session, app, move_name, *, on, by, data, person="", **extra):
    """Check ``move_name`` on ``app``, append its event, move the application; return the new state."""
    process = store.process_of(app)
    facts = _facts(session, app, on=on, person=person, **extra)
    state = store.move(session, move_name, facts, process, actor=by, subject=f"application:{app.number}",
                       data={"on": on.isoformat(), "state_before": app.state, **data})
    app.state = state
    app.last_on = on
    return state


def _body(session, app):
    from footprint.registry.models import Organisation

    return session.get(Organisation, app.body_id)


def _scheme_process(scheme_id):
    """The scheme (bundled id), its file's SHA-256 and its process."""
    import hashlib

    from footprint.fileio import load_yaml, read_bytes
    from footprint.labels import load_scheme

    scheme = load_scheme(scheme_id)
    raw = read_bytes(scheme.path, what="a label-scheme YAML file")
    # the certification: block is read from the file (the label loader keeps only its own fields);
    # parsed only when present, YAML being slow to parse twice
    data = load_yaml(raw, scheme.path, what="a label-scheme YAML file") if b"\ncertification:" in raw else None
    return scheme, hashlib.sha256(raw).hexdigest(), Process.from_scheme(scheme, data)


def apply(dossier: str | os.PathLike, *, applicant: str, body: str, manufacturer: str | None = None,
          models: Sequence[str] = (), sites: Sequence[str] = (), on: str | _dt.date | None = None,
          registry: str | os.PathLike | None = None, _renews: str | None = None, _reason: str = "") -> dict:
    """Record an application for certification with its dossier.

    The dossier is checked first (every file as its manifest lists it, its signature if it is
    signed) and stored by SHA-256, file by file; the application records the scheme's process
    as the scheme file states it now.

    Parameters
    ----------
    dossier : str or os.PathLike
        A dossier folder written by ``footprint report``.
    applicant, body, manufacturer : str
        Organisations by name (added at first mention); the manufacturer defaults to the applicant.
    models : list of str
        Model names the certificate is to cover (default: the product's name).
    sites : list of str
        Production sites, ``NAME`` or ``NAME=REGION`` (ISO 3166-2).

    Returns
    -------
    dict
        The application as :func:`show` gives it.
    """
    read = store.read_dossier(dossier)
    manifest = read["manifest"]
    scheme, scheme_sha256, process = _scheme_process(manifest["scheme"])
    day = store.on_date(on)
    with transaction(registry) as session:
        store.sweep_expired(session, store.today())
        check("apply", Facts(subject="application", today=store.today(), on=day), process)
        applicant_org = store.organisation(session, applicant)
        maker = store.organisation(session, manufacturer) if manufacturer else applicant_org
        body_org = store.organisation(session, body)
        if body_org.id in (applicant_org.id, maker.id):
            raise TransitionError("impartiality", "application", "the certification body cannot certify its own product")
        product = session.scalar(select(Product).where(Product.manufacturer_id == maker.id, Product.code == manifest["product"]))
        if product is None:
            product = Product(manufacturer_id=maker.id, code=manifest["product"], name=read["product_name"])
            session.add(product)
            session.flush()
        model_rows = []
        for model_name in (models or [read["product_name"]]):
            model_name = store.name_of(model_name, what="model")
            row = session.scalar(select(ProductModel).where(ProductModel.product_id == product.id, ProductModel.name == model_name))
            if row is None:
                row = ProductModel(product_id=product.id, name=model_name)
                session.add(row)
            model_rows.append(row)
        site_rows = [store.site(session, maker, text) for text in sites]
        from footprint.registry.numbering import application_number

        decision = read["decision"]
        number = application_number(session, day.year)
        app = Application(number=number, state="applied", scheme=scheme.id, scheme_sha256=scheme_sha256,
                          process=json.dumps(process.to_dict()), applicant_id=applicant_org.id, manufacturer_id=maker.id,
                          body_id=body_org.id, product_id=product.id, dossier_sha256=read["sha256"],
                          result_sha256=str(manifest.get("result_sha256")), data_version=str(manifest.get("data_version")),
                          library_version=str(manifest.get("library_version")), declared_value=float(decision["value"]),
                          declared_text=str(decision["value_text"]), unit=str(decision["unit"]), applied_on=day, last_on=day,
                          renews=_renews)
        app.models, app.sites = model_rows, site_rows
        session.add(app)
        session.flush()
        for path, data in sorted(read["files"].items()):
            session.add(DossierFile(application_id=app.id, path=path, sha256=store.store_bytes(session, data)))
        store.append_event(session, actor=applicant_org.name, action="renew" if _renews else "apply",
                           subject=f"application:{number}",
                           data={"on": day.isoformat(), "scheme": scheme.id, "scheme_sha256": scheme_sha256,
                                 "dossier_sha256": read["sha256"], "result_sha256": app.result_sha256,
                                 "declared": f"{app.declared_text} {app.unit}", "dossier_signed_by": read["signer"],
                                 "dossier_outcome": decision.get("outcome"), "unmet": len(decision.get("unmet") or []),
                                 "renews": _renews, "reason": _reason or None})
        return application_dict(session, app)


def renew(certificate: str, dossier: str | os.PathLike, *, reason: str, models: Sequence[str] = (), sites: Sequence[str] = (),
          on: str | _dt.date | None = None, registry: str | os.PathLike | None = None) -> dict:
    """An application that renews ``certificate`` with a new dossier; the process runs again and,
    when its certificate is issued, the renewed one is marked ``renewed``.

    Raises
    ------
    TransitionError
        The certificate is withdrawn, expired or renewed already (rule ``renew-active``), or no reason.
    """
    with transaction(registry, write=False) as session:
        cert = store.certificate(session, certificate)
        app = session.get(Application, cert.application_id)
        from footprint.registry.models import Organisation

        names = {key: session.get(Organisation, value).name for key, value in
                 (("applicant", app.applicant_id), ("manufacturer", app.manufacturer_id), ("body", app.body_id))}
        facts = Facts(subject=f"certificate {cert.number}", today=store.today(), certificate_status=cert.status,
                      expires_on=cert.expires_on, reason=reason)
        check("renew", facts, store.process_of(app))
        default_models = json.loads(cert.models)
        default_sites = [f"{s['name']}={s['region']}" if s.get("region") else s["name"] for s in json.loads(cert.sites)]
    return apply(dossier, models=models or default_models, sites=sites or default_sites, on=on, registry=registry,
                 _renews=cert.number, _reason=reason, **names)


def accept(application: str, *, by: str, reject: bool = False, reason: str = "", on: str | _dt.date | None = None,
           registry: str | os.PathLike | None = None) -> dict:
    """Accept the application (or reject it, with ``reject`` and a reason) after reviewing it for completeness."""
    day = store.on_date(on)
    with transaction(registry) as session:
        app = store.application(session, application)
        store.person(session, _body(session, app), by)
        if reject:
            if not reason.strip():
                raise OptionError("reason", "a rejection states its reason")
            _step(session, app, "reject", on=day, by=by, data={"reason": reason})
        else:
            _step(session, app, "accept", on=day, by=by, data={"reason": reason or None})
        return application_dict(session, app)


def plan(application: str, *, by: str, auditors: Sequence[str], starts: str | _dt.date, ends: str | _dt.date, scope: str,
         sites: Sequence[str] = (), on: str | _dt.date | None = None, registry: str | os.PathLike | None = None) -> dict:
    """The audit plan: who audits (persons of the certification body), from ``starts`` to ``ends``, which sites, the scope."""
    day = store.on_date(on)
    starts, ends = store.on_date(starts, where="starts"), store.on_date(ends, where="ends")
    if ends < starts:
        raise OptionError("ends", f"{ends.isoformat()} is before the start {starts.isoformat()}")
    if not list(auditors):
        raise OptionError("auditor", "an audit plan names at least one auditor")
    with transaction(registry) as session:
        app = store.application(session, application)
        body = _body(session, app)
        store.person(session, body, by)
        team = [store.person(session, body, name) for name in auditors]
        by_name = {s.name: s for s in app.sites}
        chosen = []
        for text in sites or [s.name for s in app.sites]:
            if text not in by_name:
                raise OptionError("site", f"{text!r} is not a site of {app.number} ({', '.join(by_name) or 'none recorded'})")
            chosen.append(by_name[text])
        _step(session, app, "plan", on=day, by=by, data={"auditors": [p.name for p in team], "starts": starts.isoformat(),
                                                          "ends": ends.isoformat(), "sites": [s.name for s in chosen], "scope": scope})
        session.add(AuditPlan(application_id=app.id, scope=scope, starts_on=starts, ends_on=ends, planned_on=day,
                              auditors=json.dumps([p.id for p in team]), sites=json.dumps([s.id for s in chosen])))
        return application_dict(session, app)


def audit(application: str, *, kind: str, by: str, summary: str, site: str | None = None,
          evidence: Sequence[str | os.PathLike] = (), on: str | _dt.date | None = None,
          registry: str | os.PathLike | None = None) -> dict:
    """A document review or an on-site inspection by ``by``, with its evidence files (kept by SHA-256)."""
    kind = str(kind).replace("-", "_")
    if kind not in AUDIT_KINDS[:2]:
        raise OptionError("kind", f"got {kind!r}; expected one of {', '.join(AUDIT_KINDS[:2])} (surveillance: 'cert surveil')")
    day = store.on_date(on)
    with transaction(registry) as session:
        app = store.application(session, application)
        auditor = store.person(session, _body(session, app), by)
        site_row = None
        if site is not None:
            site_row = next((s for s in app.sites if s.name == site), None)
            if site_row is None:
                raise OptionError("site", f"{site!r} is not a site of {app.number}")
        files = [store.store_file(session, path) for path in evidence]
        _step(session, app, kind, on=day, by=by, data={"site": site, "summary": summary,
                                                       "evidence": [{"name": n, "sha256": h} for n, h in files]})
        row = Audit(application_id=app.id, kind=kind, auditor_id=auditor.id, site_id=site_row.id if site_row else None,
                    held_on=day, summary=summary)
        session.add(row)
        session.flush()
        for name, digest in files:
            session.add(Evidence(audit_id=row.id, name=name, sha256=digest))
        return application_dict(session, app)


def finding(subject: str, *, severity: str, text: str, by: str, due: str | _dt.date, on: str | _dt.date | None = None,
            registry: str | os.PathLike | None = None) -> dict:
    """A finding on an application (during audits, verification, evaluation) or on a certificate (surveillance)."""
    from footprint.registry.numbering import finding_number

    if severity not in SEVERITIES:
        raise OptionError("severity", f"got {severity!r}; expected one of {', '.join(SEVERITIES)}")
    day = store.on_date(on)
    due = store.on_date(due, where="due")
    if due < day:
        raise OptionError("due", f"{due.isoformat()} is before the finding's date {day.isoformat()}")
    with transaction(registry) as session:
        store.sweep_expired(session, store.today())
        app = session.scalar(select(Application).where(Application.number == subject))
        if app is not None:
            person = store.person(session, _body(session, app), by)
            facts = _facts(session, app, on=day)
            store.move(session, "finding", facts, store.process_of(app), actor=by, subject=f"application:{app.number}",
                       data={"severity": severity, "text": text, "due": due.isoformat(), "on": day.isoformat()})
            row = Finding(number=finding_number(session, app.number), application_id=app.id, severity=severity, text=text,
                          raised_by_id=person.id, raised_on=day, due_on=due)
        else:
            cert = store.certificate(session, subject)
            app = session.get(Application, cert.application_id)
            person = store.person(session, _body(session, app), by)
            facts = Facts(subject=f"certificate {cert.number}", today=store.today(), on=day, certificate_status=cert.status,
                          expires_on=cert.expires_on)
            store.move(session, "surveil", facts, store.process_of(app), actor=by, subject=f"certificate:{cert.number}",
                       data={"finding": True, "severity": severity, "text": text, "due": due.isoformat(), "on": day.isoformat()})
            row = Finding(number=finding_number(session, cert.number), certificate_id=cert.id, severity=severity, text=text,
                          raised_by_id=person.id, raised_on=day, due_on=due)
        session.add(row)
        session.flush()
        return _finding_dict(row, by)


def close_finding(number: str, *, by: str, note: str, evidence: str | os.PathLike | None = None, on: str | _dt.date | None = None,
                  registry: str | os.PathLike | None = None) -> dict:
    """Close a finding with its closure evidence (a file kept by SHA-256) and a note."""
    day = store.on_date(on)
    with transaction(registry) as session:
        row = session.scalar(select(Finding).where(Finding.number == number))
        if row is None:
            raise InputError(f"finding {number!r}: not in the registry")
        if row.closed_on is not None:
            raise TransitionError("finding-open", f"finding {number}", f"closed on {row.closed_on.isoformat()}")
        if day > store.today() or day < row.raised_on:
            raise TransitionError("no-future-date" if day > store.today() else "date-order", f"finding {number}", day.isoformat())
        app_id = row.application_id
        if app_id is None:
            from footprint.registry.models import Certificate

            app_id = session.get(Certificate, row.certificate_id).application_id
        person = store.person(session, _body(session, session.get(Application, app_id)), by)
        name, digest = store.store_file(session, evidence) if evidence else (None, None)
        row.closed_on, row.closed_by_id, row.closure_sha256, row.closure_note = day, person.id, digest, note
        store.append_event(session, actor=by, action="close_finding", subject=f"finding:{number}",
                           data={"on": day.isoformat(), "note": note, "evidence": {"name": name, "sha256": digest} if digest else None})
        return _finding_dict(row, by)


def _finding_dict(row, by):
    return {"finding": row.number, "severity": row.severity, "text": row.text, "raised_on": row.raised_on.isoformat(),
            "due_on": row.due_on.isoformat(), "closed_on": row.closed_on.isoformat() if row.closed_on else None,
            "closure_sha256": row.closure_sha256, "by": by}


def verify_cfp(application: str, *, by: str, dossier: str | os.PathLike | None = None, fresh: bool = False,
               on: str | _dt.date | None = None, registry: str | os.PathLike | None = None) -> dict:
    """The CFP verification: the dossier's result recomputed from its own inputs, against the declared one.

    The dossier is the one stored with the application, or ``dossier`` (a folder), which must
    have the application's SHA-256 (rule ``dossier-hash``). The recomputation runs outside
    the registry's lock. An earlier recomputation of the same dossier with the same data and
    library versions, found identical, is reused unless ``fresh``: the same inputs give the
    same result.

    Returns
    -------
    dict
        The application, with the verification's verdict (identical, different, altered,
        cannot reproduce) and reasons; only ``identical`` lets the evaluation follow.
    """
    from footprint._version import __version__
    from footprint.bundle.read import read_bundle
    from footprint.report.verify import verify_dossier

    day = store.on_date(on)
    data_version = read_bundle().data_version
    with transaction(registry, write=False) as session:
        app = store.application(session, application)
        check("verify_cfp", _facts(session, app, on=day), store.process_of(app))
        if dossier is not None:
            given = store.read_dossier(dossier)
            if given["sha256"] != app.dossier_sha256:
                raise TransitionError("dossier-hash", f"application {app.number}", f"{dossier} has sha256 {given['sha256'][:16]}..., "
                                      f"the application {app.dossier_sha256[:16]}...")
        earlier = None if fresh else session.execute(
            select(CfpVerification, Application.number).join(Application, CfpVerification.application_id == Application.id)
            .where(Application.dossier_sha256 == app.dossier_sha256, CfpVerification.verdict == "identical",
                   CfpVerification.data_version == data_version, Application.library_version == __version__)
            .order_by(CfpVerification.id)).first()
        if earlier is not None:
            row, number = earlier
            verdict, reasons = "identical", [f"recomputed for {number} on {row.verified_on.isoformat()} from the same dossier "
                                             f"(sha256 {app.dossier_sha256[:16]}...), data {data_version}: identical"]
            declared, recomputed = row.declared_total, row.recomputed_total
            recomputed_sha = row.recomputed_sha256
        else:
            with tempfile.TemporaryDirectory(prefix="footprint-verify-") as scratch:
                folder = Path(dossier) if dossier is not None else store.extract_dossier(session, app, Path(scratch) / "dossier")
                checked = verify_dossier(folder)
            verdict, reasons = checked.verdict, list(checked.reasons)
            declared = (checked.declared.get("total") or {}).get("value")
            recomputed = (checked.recomputed.get("total") or {}).get("value")
            recomputed_sha = checked.recomputed.get("result_sha256")
    with transaction(registry) as session:
        app = store.application(session, application)
        verifier = store.person(session, _body(session, app), by)
        data = {"verdict": verdict, "reasons": reasons, "declared_sha256": app.result_sha256, "recomputed_sha256": recomputed_sha,
                "data_version": data_version}
        if verdict == "identical":
            _step(session, app, "verify_cfp", on=day, by=by, data=data)
        else:  # recorded, the application stays where it was: the evaluation will not follow
            check("verify_cfp", _facts(session, app, on=day), store.process_of(app))
            store.append_event(session, actor=by, action="verify_cfp", subject=f"application:{app.number}",
                               data={"on": day.isoformat(), **data})
        session.add(CfpVerification(application_id=app.id, verifier_id=verifier.id, verified_on=day, verdict=verdict,
                                    declared_sha256=app.result_sha256, recomputed_sha256=recomputed_sha, declared_total=declared,
                                    recomputed_total=recomputed, data_version=data_version, reasons=json.dumps(reasons)))
        session.flush()
        return {**application_dict(session, app), "verification": {"verdict": verdict, "reasons": reasons}}


def evaluate(application: str, *, by: str, recommendation: str, notes: str = "", on: str | _dt.date | None = None,
             registry: str | os.PathLike | None = None) -> dict:
    """The evaluation of the records (audits, findings, verification) and its recommendation (grant or refuse)."""
    if recommendation not in OUTCOMES:
        raise OptionError("recommendation", f"got {recommendation!r}; expected one of {', '.join(OUTCOMES)}")
    day = store.on_date(on)
    with transaction(registry) as session:
        app = store.application(session, application)
        evaluator = store.person(session, _body(session, app), by)
        _step(session, app, "evaluate", on=day, by=by, recommendation=recommendation,
              data={"recommendation": recommendation, "notes": notes})
        session.add(Evaluation(application_id=app.id, evaluator_id=evaluator.id, evaluated_on=day,
                               recommendation=recommendation, notes=notes))
        return application_dict(session, app)


def decide(application: str, *, by: str, outcome: str, reason: str = "", on: str | _dt.date | None = None,
           registry: str | os.PathLike | None = None) -> dict:
    """The certification decision (grant or refuse), by a person who neither audited nor verified the application."""
    if outcome not in OUTCOMES:
        raise OptionError("outcome", f"got {outcome!r}; expected one of {', '.join(OUTCOMES)}")
    day = store.on_date(on)
    with transaction(registry) as session:
        app = store.application(session, application)
        person = store.person(session, _body(session, app), by)
        _step(session, app, "decide", on=day, by=by, person=person.name, decision=outcome,
              data={"outcome": outcome, "reason": reason})
        session.add(Decision(application_id=app.id, decided_by_id=person.id, decided_on=day, outcome=outcome, reason=reason))
        return application_dict(session, app)


def issue(application: str, *, by: str, key: str | os.PathLike | Signer, passphrase: str | None = None,
          surveillance_months: int | None = None, on: str | _dt.date | None = None,
          verify_url: str | None = None, out_dir: str | os.PathLike | None = None, registry: str | os.PathLike | None = None) -> dict:
    """Issue the certificate of a granted application: its number, validity from the scheme, signed by the body's key.

    The key is loaded first (a corrupt key or a wrong passphrase writes nothing) and, at its
    first use, registered as the certification body's. The surveillance is scheduled every
    ``surveillance_months`` (default: the scheme's interval; a body may set a shorter one, or
    one when the scheme states none). ``verify_url`` is the base of the verification URL in
    the certificate and its QR code (default ``FOOTPRINT_VERIFY_URL``). With ``out_dir``, the
    signed certificate document (JSON) is written there as well.

    Returns
    -------
    dict
        The certificate as :func:`show` gives it.
    """
    from footprint.registry.document import certificate_document
    from footprint.registry.numbering import certificate_number
    from footprint.signing import Signer, document_bytes, load_signer, sign_json_document

    signer = key if isinstance(key, Signer) else load_signer(key, passphrase=passphrase)
    day = store.on_date(on)
    with transaction(registry) as session:
        store.sweep_expired(session, store.today())
        app = store.application(session, application)
        body = _body(session, app)
        store.person(session, body, by)
        process = store.process_of(app)
        months = _surveillance_months(process, surveillance_months)
        store.register_key(session, body, signer.public, by, day)
        _step(session, app, "issue", on=day, by=by, data={})
        from footprint.registry.models import Certificate, ChainHead

        number = certificate_number(session, app.scheme, day.year)
        head = session.get(ChainHead, 1)
        cert = Certificate(number=number, application_id=app.id, scheme=app.scheme, scheme_sha256=app.scheme_sha256,
                           holder_id=app.applicant_id, body_id=app.body_id, product_id=app.product_id,
                           models=json.dumps([m.name for m in app.models], ensure_ascii=False),
                           sites=json.dumps([{"name": s.name, "region": s.region} for s in app.sites], ensure_ascii=False),
                           declared_value=app.declared_value, declared_text=app.declared_text, unit=app.unit, issued_on=day,
                           expires_on=process.expiry(day), status="valid", surveillance_months=months, reevaluation_due=0,
                           key_fingerprint=signer.public.fingerprint, document_sha256="")
        document = certificate_document(session, cert, app, process, anchor={"seq": head.seq, "hash": head.hash},
                                        public_key=signer.public.to_dict(), verify_url=verify_url)
        signed = sign_json_document(document, signer, name=f"{number}.json")
        cert.document_sha256 = store.store_bytes(session, document_bytes(signed))
        session.add(cert)
        session.flush()
        schedule = process.surveillance_schedule(day, cert.expires_on, months)
        for due in schedule:
            session.add(Surveillance(certificate_id=cert.id, due_on=due))
        if app.renews:
            _mark_renewed(session, app, cert, by, day)
        store.append_event(session, actor=by, action="certificate", subject=f"certificate:{number}",
                           data={"application": app.number, "issued_on": day.isoformat(),
                                 "expires_on": cert.expires_on.isoformat() if cert.expires_on else None,
                                 "declared": f"{cert.declared_text} {cert.unit}", "key": signer.public.fingerprint,
                                 "document_sha256": cert.document_sha256, "surveillance": [d.isoformat() for d in schedule],
                                 "surveillance_months": months, "surveillance_basis": process.surveillance_basis
                                 if months == process.surveillance_months else "set by the certification body at issue"})
        result = certificate_dict(session, cert)
    if out_dir is not None:
        result["files"] = [str(p) for p in export(number, out_dir=out_dir, formats=("json",), registry=registry)]
    return result


def register_key(org: str, public_key: str | os.PathLike | PublicKey, *, by: str, on: str | _dt.date | None = None,
                 registry: str | os.PathLike | None = None) -> dict:
    """Register a public key (a PEM file written by ``footprint keys init``, or its organisation) for ``org``.

    A certification body signs certificates and labels only with its registered keys; its
    first key is registered when it first signs, any other one here.
    """
    from footprint.signing import PublicKey, load_public_key

    public = public_key if isinstance(public_key, PublicKey) else load_public_key(public_key)
    day = store.on_date(on)
    if day > store.today():
        raise TransitionError("no-future-date", f"key {public.fingerprint}", day.isoformat())
    with transaction(registry) as session:
        body = store.organisation(session, org)
        store.register_key(session, body, public, by, day, first_use=False)
        return {"organisation": body.name, "fingerprint": public.fingerprint, "registered_on": day.isoformat()}


def _surveillance_months(process, given):
    if given is None:
        return process.surveillance_months
    if not isinstance(given, int) or given <= 0:
        raise OptionError("surveillance_months", f"got {given!r}; expected a whole number of months")
    if process.surveillance_months and given > process.surveillance_months:
        raise OptionError("surveillance_months", f"{given} months is longer than the scheme's {process.surveillance_months} "
                          f"({process.surveillance_basis}); a body may only survey more often")
    return given


def _mark_renewed(session, app, cert, by, day):
    from footprint.registry.models import Certificate

    old = session.scalar(select(Certificate).where(Certificate.number == app.renews))
    event = session.scalars(select(CertificateAction).where(CertificateAction.certificate_id == old.id)).all()
    reason = f"renewed by {cert.number} ({app.number})"
    session.add(CertificateAction(certificate_id=old.id, action="renew", acted_on=day, reason=reason))
    store.append_event(session, actor=by, action="renewed", subject=f"certificate:{old.number}",
                       data={"status_before": old.status, "by_certificate": cert.number, "on": day.isoformat(),
                             "actions_before": len(event)})
    old.status = "renewed"
    cert.renews_id = old.id
