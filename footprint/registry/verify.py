"""footprint verify: a dossier, a signed file or a certificate, checked in one call.

:func:`verify_path` says valid or invalid and why:

- a folder (a dossier written by ``footprint report``): its signature, when ``manifest.json``
  is signed (:func:`footprint.signing.verify_folder`: which file, which key, which byte range
  changed), then its files against the manifest and its result recomputed from its own
  inputs (:func:`footprint.report.verify.verify_dossier`);
- a file with a detached signature ``FILE.sig``, or a JSON document that carries its own
  (a certificate, a signed label or manifest): the signature;
- a certificate, besides: its status in the registry (valid, suspended, withdrawn, expired)
  when the registry can be reached, and whether the key that signed it is the one the
  registry holds for its certification body.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from footprint.errors import FootprintError, InputError
from footprint.fileio import load_json, read_bytes
from footprint.signing import MEMBER, SUFFIX, SignatureCheck, verify_file, verify_folder, verify_json_file

#: The format of a certificate document (footprint.registry.document writes it).
CERTIFICATE_FORMAT = "footprint-certificate/1"


@dataclass
class Verification:
    """What :func:`verify_path` found; ``valid`` is the answer, ``reasons`` say why."""

    target: str
    kind: str  # dossier | file | document | certificate
    valid: bool
    signature: dict | None = None  # footprint.signing.SignatureCheck.to_dict(); None when not signed
    dossier: dict | None = None  # footprint.report.verify.DossierCheck.to_dict()
    registry: dict | None = None  # a certificate's status in the registry, or why it could not be asked
    reasons: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def verify_path(path: str | os.PathLike, *, key=None, recompute: bool = True, registry: str | None = None,
                status=None, entry=None) -> Verification:
    """Check a dossier folder, a signed file or a certificate.

    Parameters
    ----------
    path : str or os.PathLike
        A dossier folder, a file with ``FILE.sig`` beside it, or a JSON document carrying
        its signature (a certificate).
    key : str or os.PathLike or footprint.signing.PublicKey, optional
        The public key that must have signed it; without it, any key's signature is checked
        and the key named (for a certificate, the registry says whose key it is).
    recompute : bool
        For a dossier: also recompute its result from its own inputs (needs set-up).
    registry : str, optional
        The registry URL for a certificate's status (default: ``FOOTPRINT_REGISTRY`` or the
        SQLite file in the data directory, if it exists).
    status : callable, optional
        Asks for a certificate's standing in place of the registry's database, with the
        arguments of :func:`footprint.registry.records.certificate_status` but ``registry``
        (a server's: ``functools.partial(footprint.shareddb.client.certificate_status, registry=server)``).
    entry : callable, optional
        For a dossier: ``entry("ID@N") -> dict`` gives a shared database entry's current state in place of
        ``registry``'s database (a server's: ``functools.partial(footprint.shareddb.client.show_entry, registry=server)``).
        Each entry the dossier used gets a note of its state now (withdrawn, superseded, ...), when the database can
        be asked; the note never changes the verdict: the dossier is recomputed from the entries it stores.

    Raises
    ------
    InputError
        Nothing at ``path``, or a folder that is not a dossier.
    """
    path = Path(path)
    if path.is_dir():
        return _verify_dossier(path, key=key, recompute=recompute, registry=registry, entry=entry)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder; expected a dossier folder, a signed file or a certificate")
    if path.with_name(path.name + SUFFIX).is_file():
        check = verify_file(path, key=key)
        return _from_signature(path, "file", check)
    raw = read_bytes(path, what="a signed file or certificate", limit=1024 * 1024 * 1024)
    document = None
    if path.suffix.lower() == ".json":
        document = load_json(raw, path, what="a signed JSON document")
    if not isinstance(document, dict) or MEMBER not in document:
        check = SignatureCheck(str(path), valid=False, signed=False,
                               reasons=[f"{path.name}: not signed (no {path.name}{SUFFIX} beside it, no signature inside)"])
        return _from_signature(path, "file", check)
    check, unsigned = verify_json_file(path, key=key)
    if (unsigned or {}).get("format") != CERTIFICATE_FORMAT:
        return _from_signature(path, "document", check)
    found = _from_signature(path, "certificate", check)
    found.registry = _registry_status(unsigned, check, registry, hashlib.sha256(raw).hexdigest(), status)
    status = found.registry.get("status")
    if status is not None:
        found.reasons.append(found.registry["summary"])
        if status != "valid" or found.registry.get("key_registered") is False:
            found.valid = False
    else:
        found.reasons.append(found.registry["summary"])
    return found


def _from_signature(path, kind, check):
    return Verification(str(path), kind, check.valid, signature=check.to_dict(), reasons=list(check.reasons))


def _verify_dossier(folder, *, key, recompute, registry=None, entry=None):
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise InputError(f"{folder}: no manifest.json; expected a dossier folder written by 'footprint report'")
    document = load_json(read_bytes(manifest, what="a dossier manifest"), manifest, what="a dossier manifest")
    found = Verification(str(folder), "dossier", True)
    if isinstance(document, dict) and MEMBER in document:
        check = verify_folder(folder, key=key)
        found.signature = check.to_dict()
        found.valid = check.valid
        found.reasons.append(f"signature: {check.verdict.upper()}" +
                             (f" (key {check.signer.get('fingerprint')}, {check.signer.get('org')})" if check.signer else ""))
        found.reasons.extend(f"  {reason}" for reason in check.reasons)
    else:
        found.reasons.append("signature: none (the dossier was written without --sign)")
        if key is not None:
            found.valid = False
            found.reasons.append("  a key was given, but the dossier is not signed")
    if recompute:
        from footprint.report.verify import verify_dossier

        dossier = verify_dossier(folder)
        found.dossier = dossier.to_dict()
        found.valid = found.valid and dossier.ok
        found.reasons.extend(entry_states(found.dossier["shared_entries"], registry=registry, entry=entry))
    return found


def entry_states(rows, *, registry=None, entry=None) -> list:
    """A line per shared database entry a dossier used: its state in the database now, as information.

    ``rows`` are :attr:`footprint.report.verify.DossierCheck.shared_entries`; each gets ``now`` (the state now, or
    None when the database could not be asked). Nothing is asked when there is no database (the default SQLite file
    does not exist and none is named): a dossier that stores its entries needs none.
    """
    if not rows:
        return []
    if entry is None:
        from footprint.registry.db import registry_url, sqlite_path

        path = sqlite_path(registry_url(registry))
        if path is not None and not path.is_file():
            return [f"shared database: not asked (no registry at {path}); the entries' state now is not known"]
        from functools import partial

        from footprint.shareddb import show_entry

        entry = partial(show_entry, registry=registry)
    lines = []
    for row in rows:
        ref = row["ref"]
        key = ref[len("registry:"):] if ref.startswith("registry:") else ref
        used = f"version {row.get('version')} as {row.get('state') or 'validated'} then"
        where = f" (stored in {row['file']})" if row.get("file") else ""
        row["now"] = None
        try:
            now = entry(key)
        except FootprintError as exc:
            lines.append(f"shared database: {ref}: state now not known ({exc})")
            continue
        state = row["now"] = now.get("state")
        if state == "withdrawn":
            text = f"withdrawn since the dossier was written ({now.get('reason')}); the dossier used {used}{where}"
        elif state == "superseded":
            text = f"superseded by version {now.get('superseded_by')}; the dossier used {used}{where}"
        elif state == row.get("state"):
            text = f"{state}, as when the dossier was written{where}"
        else:
            text = f"{state} now; the dossier used {used}{where}"
        if row.get("sha256") and now.get("sha256") and now["sha256"] != row["sha256"]:
            text += f"; the database's content (sha256 {now['sha256'][:16]}...) is not the dossier's"
        lines.append(f"shared database: {ref}: {text} (information; the verdict does not depend on it)")
    return lines


def _registry_status(certificate, check, registry, document_sha256, status=None):
    """The certificate's status in the registry, or why it could not be asked (never an error)."""
    from functools import partial

    from footprint.registry.records import certificate_status

    ask = status if status is not None else partial(certificate_status, registry=registry)
    try:
        return ask(certificate, signer=check.signer, document_sha256=document_sha256)
    except FootprintError as exc:
        return {"status": None, "summary": f"registry: not asked ({exc})"}
