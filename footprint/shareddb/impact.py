"""What a newer version of a shared entry changes: the certificates and products that use ``registry:ENTRY@N``, recomputed.

:func:`impact` finds the certificates of the registry whose stored dossier's result used the
version (its ``provenance.input_files`` or ``shared_entries``), and recomputes each from the
dossier's own inputs and options twice: with the version it used and with the newer one put in
its place (a resolver that answers ``ENTRY@M`` when asked for ``ENTRY@N``; the dossier is not
changed). Product files given by path are recomputed the same way.

:func:`data_impact` is the bundled data's route: the certificates whose dossier was computed on
another data version than the one installed (a new data release, a new grid factor), each
recomputed against the installed data and listed beside its recorded result.
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


def _dossier_files(session, app) -> dict:
    """The dossier's stored files by path: ``{path: DossierFile}``."""
    from footprint.registry.models import DossierFile

    return {row.path: row for row in session.scalars(select(DossierFile).where(DossierFile.application_id == app.id))}


def _stored_json(session, files, suffix):
    row = next((row for path, row in sorted(files.items()) if path.endswith(suffix)), None)
    return json.loads(store.stored(session, row.sha256)) if row is not None else None


def _evaluate_dossiers(session, app, resolvers, result):
    """The label decision of a dossier recomputed from its own inputs and options, once per resolver (as 'verify' does).

    ``result`` is the dossier's recorded result: when it holds the uncertainty analysis (``report --montecarlo``), the
    analysis runs again with its iterations and seed, so that a scheme requiring it (cn-cfp, epd) is evaluated as the
    dossier was, not found incomplete.
    """
    from footprint.labels.study import evaluate_label
    from footprint.supplier import resolving

    analysis = (result or {}).get("uncertainty") or {}
    montecarlo, seed = analysis.get("iterations"), analysis.get("seed")
    decisions = []
    with tempfile.TemporaryDirectory(prefix="footprint-impact-") as scratch:
        folder = store.extract_dossier(session, app, Path(scratch) / "dossier")
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        options = manifest.get("options") or {}
        for resolve in resolvers:
            with resolving(resolve):
                decisions.append(evaluate_label(
                    folder / str(manifest.get("product_file", "")), scheme=options.get("scheme") or manifest["scheme"],
                    gwp=options.get("gwp"), factors=folder / options["factors"] if options.get("factors") else None,
                    shares=folder / options["shares"] if options.get("shares") else None,
                    certificate=options.get("certificate"), previous=options.get("previous"),
                    issued=options.get("issued") if options.get("certificate") else None,
                    as_of=options.get("as_of"), electricity_basis=options.get("electricity_basis"),
                    montecarlo=montecarlo, seed=seed if montecarlo else None).decision)
    return decisions


def _certificates(session):
    from footprint.registry.models import Application, Certificate, Product

    found = session.execute(select(Certificate, Application).join(Application, Certificate.application_id == Application.id)
                            .order_by(Certificate.number)).all()
    for cert, app in found:
        product = session.get(Product, cert.product_id)
        yield cert, app, f"{product.name} ({product.code})"


def _certificate_rows(ref, old_key, new_ref, *, registry, on):
    from footprint.registry.workflow import effective_status

    rows = []
    with transaction(registry, write=False) as session:
        for cert, app, product in _certificates(session):
            files = _dossier_files(session, app)
            result = _stored_json(session, files, "-result.json")
            if result is None or not _uses(result, ref):
                continue
            status = effective_status(cert.status, cert.expires_on, on)
            before, after = _evaluate_dossiers(session, app, (resolver(registry=registry),
                                                              _substituting(old_key, new_ref, registry=registry)), result)
            rows.append(_row("certificate", cert.number, product, before.unit, before.value_unrounded, after.value_unrounded,
                             declared=cert.declared_value, status=status, outcome=before.outcome, new_outcome=after.outcome))
    return rows


def _product_rows(paths, old_key, new_ref, *, registry, per):
    return product_rows(paths, old_key, new_ref, per=per, current=lambda: resolver(registry=registry),
                        substituted=lambda: _substituting(old_key, new_ref, registry=registry))


def product_rows(paths, old_key, new_ref, *, per, current, substituted) -> list[dict]:
    """The product files that use ``old_key`` (``(ENTRY, N)``), computed with it and with ``new_ref`` in its place.

    ``current`` and ``substituted`` make the two resolvers (a database's, or a server's: footprint.shareddb.client).
    """
    from footprint.calc import compute
    from footprint.supplier import resolving

    rows = []
    for path in paths:
        with resolving(current()):
            before = compute(path, per=per)
        if not _uses(before.to_dict(), f"registry:{old_key[0]}@{old_key[1]}"):
            continue  # not computed again with the newer version: it does not use this one
        with resolving(substituted()):
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


def data_impact(*, every: bool = False, on: str | _dt.date | None = None, registry: str | os.PathLike | None = None) -> dict:
    """The certificates whose footprint the bundled data of this installation changes: each recomputed against it.

    A certificate's dossier records the result it was certified on, with the data version and
    the data's sha256 (``provenance.data_version``, ``data_sha256``). Each certificate whose
    recorded data is not this installation's (every certificate with ``every``) is recomputed from
    the dossier's own inputs and options, as ``footprint verify`` does, with the bundled data now
    installed (a new data release, a new grid factor, ``FOOTPRINT_INVENTORIES``); shared database
    entries resolve as they did (``registry``).

    Parameters
    ----------
    every : bool
        List every certificate, also those certified on this very data (their change is 0).
    on : date, optional
        The day a certificate's status is told for (default today).
    registry : str, optional
        The registry's URL or SQLite file.

    Returns
    -------
    dict
        ``{"data_version", "data_sha256", "rows": [...]}``: this installation's data, and per certificate
        ``certificate``, ``product``, ``status``, ``unit``, ``declared``, ``old_data_version``, ``old``
        (the recorded result) and ``new`` (recomputed) [unit], ``change`` [unit], ``change_percent`` [%],
        ``outcome`` (recorded) and ``new_outcome``, ``crosses``.
    """
    from footprint.bundle import read_bundle
    from footprint.registry.workflow import effective_status

    bundle = read_bundle()
    day = store.on_date(on)
    rows = []
    with transaction(registry, write=False) as session:
        for cert, app, product in _certificates(session):
            files = _dossier_files(session, app)
            result = _stored_json(session, files, "-result.json")
            if result is None:
                continue
            recorded = result.get("provenance") or {}
            if not every and recorded.get("data_sha256") == bundle.sha256:
                continue
            label = _stored_json(session, files, "-label.json") or {}
            outcome = (label.get("decision") or {}).get("outcome")
            [after] = _evaluate_dossiers(session, app, (resolver(registry=registry),), result)
            row = _row("certificate", cert.number, product, after.unit, float(result["total"]["value"]), after.value_unrounded,
                       declared=cert.declared_value, status=effective_status(cert.status, cert.expires_on, day),
                       outcome=outcome, new_outcome=after.outcome)
            row["old_data_version"] = recorded.get("data_version")
            rows.append(row)
    return {"data_version": bundle.data_version, "data_sha256": bundle.sha256, "rows": rows}
