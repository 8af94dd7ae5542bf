"""Check a dossier: every file as the manifest lists it, then the result recomputed from the dossier's own inputs.

A dossier written by :func:`footprint.write_report` holds its inputs (``inputs/``), the full
result (``*-result.json``) and ``manifest.json`` (every file with its sha256, the options the
study ran with, the data version). :func:`verify_dossier` says one of:

- ``identical``: every file is as listed, and the result recomputed from ``inputs/`` with the
  same options and data version has the same identity hash (and so the same numbers);
- ``different``: recomputed, the result differs; the differences say where and by how much;
- ``altered``: a listed file is missing or its content changed since the dossier was written;
- ``cannot reproduce``: the dossier names a data version or library this installation does
  not have, or an input that is not in the dossier.

The shared database entries the result used are stored in the dossier (``inputs/shared/ID@N.json``,
listed in ``manifest.json``'s ``shared_entries``) and read from there, each checked against the
sha256 the result recorded: no database is needed. An older dossier without them reads its
entries from the shared database in effect, as the calculation did.

Signatures (who wrote the dossier) are a separate check; this one is recomputation.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from footprint.bundle.read import read_bundle
from footprint.errors import InputError
from footprint.fileio import load_json, read_bytes

#: Relative difference below which two numbers are reported as the same (the cross-check's).
AGREEMENT = 1e-9


@dataclass
class DossierCheck:
    """What :func:`verify_dossier` found."""

    folder: str
    verdict: str  # identical | different | altered | cannot reproduce
    reasons: list = field(default_factory=list)
    files_checked: int = 0
    declared: dict = field(default_factory=dict)  # total {value, unit}, result_sha256, data_version
    recomputed: dict = field(default_factory=dict)
    differences: list = field(default_factory=list)  # {where, declared, recomputed, relative}
    #: each shared database entry the result used: {ref, sha256, file} (file None: not stored, read from the database);
    #: ``footprint verify`` adds ``now``, the entry's state in the database when it can be asked (information only)
    shared_entries: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict == "identical"

    def to_dict(self) -> dict:
        return asdict(self)


def verify_dossier(folder: str | os.PathLike) -> DossierCheck:
    """Check a dossier's files against its manifest and recompute its result from its inputs.

    Parameters
    ----------
    folder : str or os.PathLike
        A folder written by :func:`footprint.write_report` (``footprint report``).

    Returns
    -------
    DossierCheck
        The verdict (``identical``, ``different``, ``altered``, ``cannot reproduce``), the
        reasons, and for ``different`` each difference with the declared and recomputed
        values [the result's unit] and their relative difference.

    Raises
    ------
    InputError
        The folder is not a dossier (no readable ``manifest.json``).

    Examples
    --------
    >>> from footprint.report.verify import verify_dossier
    >>> verify_dossier("dossier").verdict  # doctest: +SKIP
    'identical'
    """
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not folder.is_dir() or not manifest_path.is_file():
        raise InputError(f"{folder}: no manifest.json; expected a dossier folder written by 'footprint report'")
    manifest = load_json(read_bytes(manifest_path, what="a dossier manifest"), manifest_path, what="a dossier manifest")
    if not isinstance(manifest, dict) or manifest.get("format") != "footprint-dossier/1":
        raise InputError(f"{manifest_path}: format {manifest.get('format') if isinstance(manifest, dict) else None!r}; "
                         "expected 'footprint-dossier/1'")
    check = DossierCheck(str(folder), "identical", declared={"result_sha256": manifest.get("result_sha256"),
                                                              "data_version": manifest.get("data_version")})
    altered = _check_files(folder, manifest.get("files") or {}, check)
    if altered:
        check.verdict = "altered"
        check.reasons = altered
        return check
    declared = _declared_result(folder, manifest)
    if declared is not None:
        check.declared["total"] = declared.get("total")
    stored = manifest.get("shared_entries") or {}
    check.shared_entries = _shared_entries(declared, stored)
    tampered = _check_stored_entries(folder, stored, check.shared_entries, manifest.get("files") or {})
    if tampered:
        check.verdict = "altered"
        check.reasons = tampered
        return check
    bundle = read_bundle()
    if bundle.data_version != manifest.get("data_version"):
        check.verdict = "cannot reproduce"
        check.reasons.append(f"the dossier was computed with data version {manifest.get('data_version')}; this "
                             f"installation has {bundle.data_version} (install the footprint release with that data)")
        return check
    options = manifest.get("options") or {}
    product = folder / str(manifest.get("product_file", ""))
    if not product.is_file():
        check.verdict = "cannot reproduce"
        check.reasons.append(f"the product file {manifest.get('product_file')!r} is not in the dossier")
        return check
    from footprint.labels.study import evaluate_label

    try:
        with _stored_resolving(folder, stored):
            study = evaluate_label(product, scheme=options.get("scheme") or manifest["scheme"], gwp=options.get("gwp"),
                                   factors=folder / options["factors"] if options.get("factors") else None,
                                   shares=folder / options["shares"] if options.get("shares") else None,
                                   certificate=options.get("certificate"), previous=options.get("previous"),
                                   issued=options.get("issued") if options.get("certificate") else None,
                                   as_of=options.get("as_of"), electricity_basis=options.get("electricity_basis"))
    except InputError as exc:
        check.verdict = "cannot reproduce"
        check.reasons.append(f"the inputs in the dossier do not compute: {exc}")
        return check
    check.recomputed = {"total": study.result["total"], "result_sha256": study.decision.result_sha256}
    if study.decision.result_sha256 == manifest.get("result_sha256"):
        check.reasons.append(f"recomputed from inputs/ with data version {bundle.data_version}: the same result "
                             f"(sha256 {study.decision.result_sha256[:16]}...)")
        kept = sum(1 for row in check.shared_entries if row["file"])
        if kept:
            check.reasons.append(f"{kept} shared database entr{'y' if kept == 1 else 'ies'} read from the dossier "
                                 "(inputs/shared/), not from a shared database")
        return check
    check.verdict = "different"
    check.differences = _differences(declared or {}, study.result)
    if not check.differences:
        check.reasons.append("the numbers agree, but other parts of the result differ (provenance, notes or parameters)")
    else:
        worst = max(check.differences, key=lambda d: d["relative"])
        check.reasons.append(f"{len(check.differences)} value(s) differ; the largest at {worst['where']}: declared "
                             f"{worst['declared']:.6g}, recomputed {worst['recomputed']:.6g} ({worst['relative']:.2e} relative)")
    return check


def _shared_entries(declared, stored):
    """The shared database entries the declared result used, each with the dossier's copy (``file``) when it holds one."""
    rows = {}
    for row in ((declared or {}).get("provenance") or {}).get("shared_entries") or []:
        if isinstance(row, dict) and row.get("ref"):
            rows.setdefault(row["ref"], {"ref": row["ref"], "version": row.get("version"), "sha256": row.get("sha256"),
                                         "state": row.get("state"), "file": None})
    for ref, kept in stored.items():
        row = rows.setdefault(ref, {"ref": ref, "version": None, "sha256": None, "state": None, "file": None})
        row["file"] = kept.get("file") if isinstance(kept, dict) else None
    return list(rows.values())


def _check_stored_entries(folder, stored, rows, files):
    """Each stored entry's file is one the manifest lists and hashes to the sha256 the manifest and the declared result
    record for it."""
    problems = []
    recorded = {row["ref"]: row["sha256"] for row in rows}
    for ref, kept in sorted(stored.items()):
        name = kept.get("file") if isinstance(kept, dict) else None
        path = folder / str(name or "")
        if name and (name not in files or Path(name).is_absolute() or ".." in Path(name).parts):
            problems.append(f"{name}: the stored copy of {ref} is not one of manifest.json's files inside the dossier")
            continue
        if not name or not path.is_file():
            problems.append(f"{name or ref}: the stored copy of {ref} is missing")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        for what, expected in (("manifest.json's shared_entries", kept.get("sha256")), ("the result's provenance.shared_entries",
                                                                                      recorded.get(ref))):
            if digest != expected:
                problems.append(f"{name}: sha256 {digest[:16]}... is not the {expected and expected[:16]}... that "
                                f"{what} records for {ref}; expected the entry as the calculation read it")
                break
    return problems


def _stored_resolving(folder, stored):
    """The calculation's resolver: each stored entry from the dossier, any other from the resolver in effect (a database)."""
    import contextlib
    import datetime as _dt
    import json

    from footprint.supplier import REGISTRY_PREFIX, RESOLVER, resolving

    if not stored:
        return contextlib.nullcontext()
    inner = RESOLVER.get()
    by_key = {ref[len(REGISTRY_PREFIX):] if ref.startswith(REGISTRY_PREFIX) else ref: kept for ref, kept in stored.items()}

    def resolve(ref, *, as_of):
        key = "".join(str(ref).split())
        key = key[len(REGISTRY_PREFIX):] if key.startswith(REGISTRY_PREFIX) else key
        kept = by_key.get(key)
        if kept is None:
            if inner is None:
                raise InputError(f"registry:{key} is not stored in the dossier, and no shared database was given; expected "
                                  "FOOTPRINT_REGISTRY")
            return inner(ref, as_of=as_of)
        from footprint.shareddb.checks import quantity_of

        where = f"{kept['file']} (registry:{key})"
        try:
            data = json.loads((folder / kept["file"]).read_bytes())
            data["valid_from"], data["valid_until"], data["value"], data["kind"]  # noqa: B018
            _dt.date.fromisoformat(data["valid_from"]), _dt.date.fromisoformat(data["valid_until"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{where}: not a shared database entry ({exc}); expected the entry's JSON as the database "
                             "hashed it") from None
        if as_of > _dt.date.fromisoformat(data["valid_until"]):
            raise InputError(f"{where}: expired on {data['valid_until']}; the calculation date is {as_of}")
        if as_of < _dt.date.fromisoformat(data["valid_from"]):
            raise InputError(f"{where}: valid only from {data['valid_from']}; the calculation date is {as_of}")
        data["quantity"] = quantity_of(data["value"], data["kind"], where=where)
        return data, dict(kept.get("provenance") or {})

    return resolving(resolve)


def _check_files(folder, files, check):
    problems = []
    for name, digest in sorted(files.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: listed in manifest.json but missing")
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            problems.append(f"{name}: changed since the dossier was written (sha256 differs from manifest.json)")
        check.files_checked += 1
    listed = set(files) | {"manifest.json"}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name not in listed:
            problems.append(f"{name}: not listed in manifest.json (added after the dossier was written)")
    return problems


def _declared_result(folder, manifest):
    names = [name for name in (manifest.get("files") or {}) if name.endswith("-result.json")]
    if not names:
        return None
    path = folder / names[0]
    return load_json(read_bytes(path, what="a result JSON"), path, what="a result JSON")


def _differences(declared, recomputed):
    """Numbers of the total, by stage and by gas that differ beyond :data:`AGREEMENT`."""
    pairs = [("total", (declared.get("total") or {}).get("value"), (recomputed.get("total") or {}).get("value"))]
    for part in ("by_stage", "by_gas", "by_origin"):
        names = set(declared.get(part) or {}) | set(recomputed.get(part) or {})
        for name in sorted(names):
            before = ((declared.get(part) or {}).get(name) or {}).get("value", 0.0)
            after = ((recomputed.get(part) or {}).get(name) or {}).get("value", 0.0)
            pairs.append((f"{part}.{name}", before, after))
    differences = []
    for where, before, after in pairs:
        if before is None or after is None:
            continue
        relative = abs(after - before) / max(abs(before), abs(after), 1e-300)
        if relative > AGREEMENT:
            differences.append({"where": where, "declared": before, "recomputed": after, "relative": relative})
    return differences
