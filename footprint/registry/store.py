"""What every registry command needs: find or add organisations, persons, sites and files; read a dossier; dates.

Helpers of :mod:`footprint.registry` and :mod:`footprint.registry.certificates`, used inside
their write transactions. Nothing here commits: the caller's transaction does, with the event.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from pathlib import Path

from sqlalchemy import select

from footprint.errors import InputError, OptionError
from footprint.fileio import load_json, parse_date, read_bytes
from footprint.registry.events import append as append_event
from footprint.registry.models import (
    Application,
    Certificate,
    CertificateAction,
    Organisation,
    Person,
    SigningKey,
    Site,
    StoredFile,
)
from footprint.registry.workflow import Facts, Process, check, effective_status

#: Largest file the registry stores [bytes] (a dossier's PDF is about 0.5 MB).
MAX_FILE = 256 * 1024 * 1024


def today() -> _dt.date:
    """The registry's today (one place, so that tests can move it)."""
    return _dt.date.today()


def on_date(value, *, where="on") -> _dt.date:
    """The date of a record: ``value`` (a date or ``YYYY-MM-DD``), default today."""
    return parse_date(value, where=where, today=today())


def name_of(text, *, what) -> str:
    """A name as given, trimmed; refused when empty."""
    value = " ".join(str(text or "").split())
    if not value:
        raise OptionError(what, f"got {text!r}; expected a name")
    return value[:200]


def organisation(session, name, *, create=True) -> Organisation:
    name = name_of(name, what="organisation")
    found = session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        if not create:
            raise InputError(f"organisation {name!r}: not in the registry")
        found = Organisation(name=name)
        session.add(found)
        session.flush()
    return found


def person(session, body: Organisation, name) -> Person:
    """A person of the certification body ``body`` (added at first mention)."""
    name = name_of(name, what="by")
    found = session.scalar(select(Person).where(Person.organisation_id == body.id, Person.name == name))
    if found is None:
        found = Person(organisation_id=body.id, name=name)
        session.add(found)
        session.flush()
    return found


def site(session, owner: Organisation, text) -> Site:
    """A site of ``owner`` from ``NAME`` or ``NAME=REGION`` (ISO 3166-2, CN-JS)."""
    name, _, region = str(text).partition("=")
    name = name_of(name, what="site")
    found = session.scalar(select(Site).where(Site.organisation_id == owner.id, Site.name == name))
    if found is None:
        found = Site(organisation_id=owner.id, name=name, region=region.strip() or None)
        session.add(found)
        session.flush()
    elif region.strip() and found.region != region.strip():
        raise InputError(f"site {name!r} of {owner.name}: recorded in region {found.region}, given {region.strip()}")
    return found


def store_bytes(session, data: bytes) -> str:
    """Keep ``data`` by its SHA-256 (once); return the hash."""
    digest = hashlib.sha256(data).hexdigest()
    if session.get(StoredFile, digest) is None:
        session.add(StoredFile(sha256=digest, size=len(data), content=data))
        session.flush()
    return digest


def store_file(session, path) -> tuple[str, str]:
    """Keep a file by its SHA-256; return (its name, the hash)."""
    path = Path(path)
    return path.name, store_bytes(session, read_bytes(path, what="an evidence file", limit=MAX_FILE))


def stored(session, digest: str) -> bytes:
    found = session.get(StoredFile, digest)
    if found is None:
        raise InputError(f"sha256 {digest[:16]}...: no such file in the registry")
    return found.content


def application(session, number) -> Application:
    found = session.scalar(select(Application).where(Application.number == str(number).strip()))
    if found is None:
        raise InputError(f"application {number!r}: not in the registry (see 'footprint cert list --applications')")
    return found


def certificate(session, number) -> Certificate:
    found = session.scalar(select(Certificate).where(Certificate.number == str(number).strip()))
    if found is None:
        raise InputError(f"certificate {number!r}: not in the registry (see 'footprint cert list')")
    return found


def process_of(app: Application) -> Process:
    return Process.from_dict(json.loads(app.process))


def move(session, move_name: str, facts: Facts, process: Process, *, actor: str, subject: str, data: dict) -> str:
    """Check a move against the rules, then append its event; return the state after it."""
    state = check(move_name, facts, process)
    append_event(session, actor=actor, action=move_name, subject=subject, data=data)
    return state


def sweep_expired(session, on: _dt.date) -> list:
    """Certificates whose last valid day has passed become ``expired``, each with its action and event."""
    expired = []
    for cert in session.scalars(select(Certificate).where(Certificate.status.in_(("valid", "suspended")),
                                                          Certificate.expires_on.is_not(None), Certificate.expires_on < on)):
        if effective_status(cert.status, cert.expires_on, on) != "expired":
            continue
        reason = f"the validity ended on {cert.expires_on.isoformat()}"
        session.add(CertificateAction(certificate_id=cert.id, action="expire", acted_on=cert.expires_on + _dt.timedelta(days=1),
                                      reason=reason))
        append_event(session, actor="registry", action="expire", subject=f"certificate:{cert.number}",
                      data={"status_before": cert.status, "reason": reason})
        cert.status = "expired"
        expired.append(cert.number)
    return expired


def register_key(session, body, public, by, day, *, first_use=True):
    """A signing key of the certification body ``body`` (a :class:`footprint.signing.PublicKey`).

    With ``first_use`` (issuing, granting a label), a body's first key is registered as it
    signs; a body that has a key signs only with a registered one: another key is registered
    on purpose (``footprint cert register-key``), never by signing with it.

    Raises
    ------
    InputError
        The key is another organisation's, or not one of the body's registered keys.
    """
    found = session.scalar(select(SigningKey).where(SigningKey.fingerprint == public.fingerprint))
    if found is not None:
        if found.organisation_id != body.id:
            owner = session.get(Organisation, found.organisation_id).name
            raise InputError(f"key {public.fingerprint}: registered to {owner}, not to {body.name}; sign with {body.name}'s key")
        return found
    if first_use:
        known = session.scalars(select(SigningKey.fingerprint).where(SigningKey.organisation_id == body.id)).all()
        if known:
            raise InputError(f"key {public.fingerprint}: not a registered key of {body.name} (registered: "
                             f"{', '.join(fp[:23] for fp in known)}); register it first: footprint cert register-key")
    encoded = public.to_dict()["public_key"]
    found = SigningKey(organisation_id=body.id, fingerprint=public.fingerprint, public_key=encoded, registered_on=day)
    session.add(found)
    append_event(session, actor=by, action="register_key", subject=f"organisation:{body.name}",
                 data={"fingerprint": public.fingerprint, "public_key": encoded, "on": day.isoformat()})
    return found


# -- dossiers ---------------------------------------------------------------------------------


def read_dossier(folder) -> dict:
    """A dossier folder read and checked: its manifest, its files (name -> bytes), what it declares.

    Raises
    ------
    InputError
        Not a dossier, a file missing, changed or added since the manifest was written, or a
        signature that does not verify.
    """
    from footprint.signing import MEMBER, verify_folder

    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not folder.is_dir() or not manifest_path.is_file():
        raise InputError(f"{folder}: no manifest.json; expected a dossier folder written by 'footprint report'")
    raw = read_bytes(manifest_path, what="a dossier manifest")
    manifest = load_json(raw, manifest_path, what="a dossier manifest")
    if not isinstance(manifest, dict) or manifest.get("format") != "footprint-dossier/1":
        raise InputError(f"{manifest_path}: expected a dossier manifest (format footprint-dossier/1)")
    files = {"manifest.json": raw}
    for name, digest in sorted((manifest.get("files") or {}).items()):
        data = read_bytes(folder / name, what=f"a file of the dossier (listed in {manifest_path})", limit=MAX_FILE)
        if hashlib.sha256(data).hexdigest() != digest:
            raise InputError(f"{folder / name}: changed since the dossier was written (sha256 differs from manifest.json); "
                             "expected the dossier as written")
        files[name] = data
    extra = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
                   and p.relative_to(folder).as_posix() not in files)
    if extra:
        raise InputError(f"{folder / extra[0]}: not listed in manifest.json (added after the dossier was written)")
    signer = None
    if MEMBER in manifest:
        checked = verify_folder(folder)
        if not checked.valid:
            raise InputError(f"{folder}: the dossier's signature does not verify: {checked.reasons[0] if checked.reasons else ''}")
        signer = checked.signer
    label_name = next((name for name in files if name.endswith("-label.json")), None)
    result_name = next((name for name in files if name.endswith("-result.json")), None)
    if label_name is None or result_name is None:
        raise InputError(f"{folder}: no -label.json or -result.json; expected a dossier written by 'footprint report'")
    decision = load_json(files[label_name], folder / label_name, what="a label decision")["decision"]
    result = load_json(files[result_name], folder / result_name, what="a result JSON")
    return {"folder": str(folder), "manifest": manifest, "files": files, "sha256": hashlib.sha256(raw).hexdigest(),
            "signer": signer, "decision": decision, "product_name": result.get("product_name") or manifest.get("product")}


def dossier_decision(session, app: Application) -> dict:
    """The scheme's decision in the application's stored dossier (its ``*-label.json``): outcome, unmet requirements."""
    from footprint.registry.models import DossierFile

    for row in session.scalars(select(DossierFile).where(DossierFile.application_id == app.id)):
        if row.path.endswith("-label.json"):
            return dict(json.loads(stored(session, row.sha256)).get("decision") or {})
    return {}


def extract_dossier(session, app: Application, target: Path) -> Path:
    """Write an application's stored dossier into ``target`` (a new folder), as it was received."""
    from footprint.registry.models import DossierFile

    target.mkdir(parents=True)
    for row in session.scalars(select(DossierFile).where(DossierFile.application_id == app.id)):
        path = target / row.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(stored(session, row.sha256))
    return target
