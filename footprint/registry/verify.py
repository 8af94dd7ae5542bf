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
                status=None) -> Verification:
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

    Raises
    ------
    InputError
        Nothing at ``path``, or a folder that is not a dossier.
    """
    path = Path(path)
    if path.is_dir():
        return _verify_dossier(path, key=key, recompute=recompute)
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


def _verify_dossier(folder, *, key, recompute):
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
    return found


def _registry_status(certificate, check, registry, document_sha256, status=None):
    """The certificate's status in the registry, or why it could not be asked (never an error)."""
    from functools import partial

    from footprint.registry.records import certificate_status

    ask = status if status is not None else partial(certificate_status, registry=registry)
    try:
        return ask(certificate, signer=check.signer, document_sha256=document_sha256)
    except FootprintError as exc:
        return {"status": None, "summary": f"registry: not asked ({exc})"}
