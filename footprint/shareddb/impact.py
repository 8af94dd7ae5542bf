"""What a newer version of a shared entry changes: the certificates and products that use ``registry:ENTRY@N``, recomputed.

:func:`impact` finds the certificates of the registry whose stored dossier's result used the
version (its ``provenance.input_files`` or ``shared_entries``), and recomputes each from the
dossier's own inputs and options twice: with the version it used and with the newer one put in
its place (a resolver that answers ``ENTRY@M`` when asked for ``ENTRY@N``; the dossier is not
changed). Product files given by path are recomputed the same way. The bundled data version's
route (a new grid factor changing certified footprints) is not covered here.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from footprint.errors import OptionError
from footprint.registry import store
from footprint.shareddb.db import transaction
from footprint.shareddb.entries import USABLE, ReviewError, _version, parse_ref, resolve_entry, resolver
from footprint.shareddb.models import SharedEntry


def successor(ref: str, *, registry=None) -> str:
    """The version that replaces ``ENTRY@N``: the one that superseded it, else the newest usable version after it.

    Raises
    ------
    ReviewError
        No such version, or no usable version after it (give one with ``to``).
    """
    entry_id, version = parse_ref(ref, version_required=True)
    with transaction(registry, write=False) as session:
        entry = _version(session, f"{entry_id}@{version}")
        if entry.superseded_by:
            return f"{entry_id}@{entry.superseded_by}"
        newer = session.scalars(select(SharedEntry).where(SharedEntry.entry_id == entry_id, SharedEntry.version > version,
                                                          SharedEntry.state.in_(USABLE))
                                .order_by(SharedEntry.version.desc()).limit(1)).first()
    if newer is None:
        raise ReviewError(f"entry {entry_id}@{version}: no validated or published version after it; "
                          "expected a newer version (or give one with --to ENTRY@M)")
    return f"{entry_id}@{newer.version}"


def _substituting(old: tuple[str, int], new: str, *, registry):
    """A resolver that answers ``new`` where ``old`` is asked for, and any other reference as it is."""

    def resolve(ref: str, *, as_of: _dt.date):
        asked = parse_ref(ref, version_required=True)
        return resolve_entry(new if asked == old else ref, as_of=as_of, registry=registry)

    return resolve


def _uses(result: dict, ref: str) -> bool:
    provenance = result.get("provenance") or {}
    if ref in (provenance.get("input_files") or {}):
        return True
    return any(row.get("ref") == ref for row in provenance.get("shared_entries") or [])


def _row(kind, name, product, unit, old, new, *, declared=None, status=None, outcome=None, new_outcome=None) -> dict:
    change = new - old
    return {"kind": kind, "certificate": name if kind == "certificate" else None, "product": product,
            "file": name if kind == "product" else None, "status": status, "unit": unit, "declared": declared,
            "old": old, "new": new, "change": change, "change_percent": 100.0 * change / old if old else None,
            "outcome": outcome, "new_outcome": new_outcome,
            "crosses": None if outcome is None or new_outcome is None else outcome != new_outcome}


def _certificate_rows(ref, old_key, new_ref, *, registry, on):
    from footprint.labels.study import evaluate_label
    from footprint.registry.models import Application, Certificate, DossierFile, Product
    from footprint.registry.workflow import effective_status
    from footprint.supplier import resolving

    rows = []
    with transaction(registry, write=False) as session:
        found = session.execute(select(Certificate, Application).join(Application, Certificate.application_id == Application.id)
                                .order_by(Certificate.number)).all()
        for cert, app in found:
            files = session.scalars(select(DossierFile).where(DossierFile.application_id == app.id)).all()
            result_file = next((row for row in files if row.path.endswith("-result.json")), None)
            if result_file is None or not _uses(json.loads(store.stored(session, result_file.sha256)), ref):
                continue
            product = session.get(Product, cert.product_id)
            status = effective_status(cert.status, cert.expires_on, on)
            with tempfile.TemporaryDirectory(prefix="footprint-impact-") as scratch:
                folder = store.extract_dossier(session, app, Path(scratch) / "dossier")
                manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
                options = manifest.get("options") or {}
                studies = []
                for resolve in (resolver(registry=registry), _substituting(old_key, new_ref, registry=registry)):
                    with resolving(resolve):
                        studies.append(evaluate_label(
                            folder / str(manifest.get("product_file", "")), scheme=options.get("scheme") or manifest["scheme"],
                            gwp=options.get("gwp"), factors=folder / options["factors"] if options.get("factors") else None,
                            shares=folder / options["shares"] if options.get("shares") else None,
                            certificate=options.get("certificate"), previous=options.get("previous"),
                            issued=options.get("issued") if options.get("certificate") else None,
                            as_of=options.get("as_of"), electricity_basis=options.get("electricity_basis")))
            before, after = (study.decision for study in studies)
            rows.append(_row("certificate", cert.number, f"{product.name} ({product.code})", before.unit,
                             before.value_unrounded, after.value_unrounded, declared=cert.declared_value, status=status,
                             outcome=before.outcome, new_outcome=after.outcome))
    return rows


def _product_rows(paths, old_key, new_ref, *, registry, per):
    from footprint.calc import compute
    from footprint.supplier import resolving

    rows = []
    for path in paths:
        with resolving(resolver(registry=registry)):
            before = compute(path, per=per)
        if not _uses(before.to_dict(), f"registry:{old_key[0]}@{old_key[1]}"):
            continue  # not computed again with the newer version: it does not use this one
        with resolving(_substituting(old_key, new_ref, registry=registry)):
            after = compute(path, per=per)
        rows.append(_row("product", str(path), before.product_name, before.total.unit, before.total.value, after.total.value))
    return rows


def impact(ref: str, *, to: str | None = None, products: Sequence[str | os.PathLike] = (), per: str = "module",
           on: str | _dt.date | None = None, registry: str | os.PathLike | None = None) -> dict:
    """The certificates and products whose footprint a newer version of a shared entry changes, recomputed.

    Parameters
    ----------
    ref : str
        The version in use, ``registry:ENTRY@N`` or ``ENTRY@N``.
    to : str, optional
        The version to put in its place (``ENTRY@M``); default :func:`successor`.
    products : sequence of path
        Product files not under certification, recomputed too (only those that use ``ref`` are listed).
    per : str
        The declared unit of the product files (``module``, ``kWp``, ``m2``, ...), as :func:`footprint.calc.compute`.
    on : date, optional
        The day a certificate's status is told for (default today).
    registry : str, optional
        The registry's URL or SQLite file.

    Returns
    -------
    dict
        ``{"from", "to", "rows": [...]}``; a row has ``kind`` (certificate | product), ``certificate``
        or ``file``, ``product``, ``status``, ``unit`` (the certificate's declared unit), ``declared``,
        ``old`` and ``new`` [unit] (both recomputed), ``change`` [unit], ``change_percent`` [%],
        ``outcome`` and ``new_outcome`` (the scheme's pass | fail ...) and ``crosses`` (the outcome changes).

    Raises
    ------
    OptionError
        A malformed reference, or ``to`` naming another entry.
    ReviewError
        No such version, no newer one, or one a calculation may not use.
    """
    entry_id, version = parse_ref(ref, version_required=True)
    old = f"{entry_id}@{version}"
    new = successor(old, registry=registry) if to is None else to
    new_id, new_version = parse_ref(new, version_required=True)
    if new_id != entry_id:
        raise OptionError("to", f"got {new!r}; expected a version of {entry_id} (ENTRY@M)")
    new = f"{new_id}@{new_version}"
    with transaction(registry, write=False) as session:
        _version(session, old)  # both exist, else 'not in the shared database'
        _version(session, new)
    day = store.on_date(on)
    rows = _certificate_rows(f"registry:{old}", (entry_id, version), new, registry=registry, on=day)
    rows += _product_rows(list(products), (entry_id, version), new, registry=registry, per=per)
    return {"from": old, "to": new, "rows": rows}
