"""Base data of the shared database in a product file: a material's factor and a stage's grid electricity factor.

A product file names a shared database entry where it would give a supplier's factor or
take the bundled grid (docs/calculator.md, "Supplier-specific factors"; docs/server.md)::

    stages:
      module:
        materials:
          frame: {dataset: aluminium_primary_CN, amount: 4.08 kg/module, factor: registry:AL-SMELTER-2026@2}
      cell: {site: CN-JS, electricity_factor: registry:GRID-CN-JS-2025@1}

:func:`resolve_shared` fetches each entry with the resolver in effect
(:func:`footprint.supplier.resolving`; this layer never imports the shared database), which
refuses a missing, unvalidated, withdrawn, expired or not yet valid entry with the reason;
then checks what the product needs of it:

- a material's ``factor``: an entry of kind ``material_factor`` whose unit is kg CO2-eq per
  the unit of the material's amount (pint); it becomes a supplier-specific factor (the
  entry's value, its reference and source, its last valid day);
- a stage's ``electricity_factor``: an entry of kind ``grid_factor`` or ``electricity_mix``
  in kg CO2-eq/kWh, that says its ``basis`` (``life-cycle`` or ``co2-only``), on the basis of
  the bundled grid it replaces (the stage's electricity basis: a life-cycle factor where the
  stage takes a life-cycle grid, a CO2-only one where it takes a CO2-only grid), for a
  geography that contains the stage's site. It replaces the grid factor of the stage's
  electricity in the location- and market-based results alike, so a stage with
  ``electricity_instruments`` is refused.

The result records each entry (id, version, sha256, state, owner) in
``provenance.shared_entries`` and ``provenance.input_files``, as for a supplier declaration.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as _dt

from footprint.errors import InputError
from footprint.model.spec import SharedFactor, SharedGrid, SupplierFactor, _numerator, _plain_unit
from footprint.supplier import fetch_entry
from footprint.units import Quantity, format_quantity
from footprint.vocab import CO2_ONLY_SCOPES, REFERENCE_UNITS

#: The kinds of entry a product file's field takes.
MATERIAL_KINDS = ("material_factor",)
ELECTRICITY_KINDS = ("grid_factor", "electricity_mix")
#: The entry's basis that may replace a bundled grid of a scope (``co2_combustion`` ...).
SCOPE_BASIS = {"co2e_lifecycle": "life-cycle"} | {scope: "co2-only" for scope in CO2_ONLY_SCOPES}


def uses_shared(spec) -> bool:
    """Whether a product names a shared database entry as a material's factor or a stage's electricity factor."""
    for stage in spec.stages.values():
        if isinstance(stage.electricity_factor, str):
            return True
        if any(isinstance(entry.factor, SharedFactor) for entry in stage.material_entries.values()):
            return True
    return False


def resolve_shared(spec, *, bundle, as_of: _dt.date, resolve=None):
    """A copy of the spec with each ``registry:ENTRY@N`` of a material's factor or a stage's electricity fetched and checked.

    Parameters
    ----------
    spec : footprint.model.spec.ProductSpec
    bundle : footprint.bundle.read.Bundle
        For the stage's bundled grid (its basis) and the site's geographies.
    as_of : datetime.date
        The calculation date the entries must be valid on.
    resolve : callable, optional
        ``resolve(ref, *, as_of) -> (data, provenance)``; default: the one in effect
        (:func:`footprint.supplier.resolving`). Without any, a reference is refused.

    Returns
    -------
    (ProductSpec, list of dict)
        The spec (the same object when it names no entry) and, for each entry used,
        ``{"stage", "field", "ref", "id", "version", "sha256", "state", "owner"}``.

    Raises
    ------
    InputError
        One line: the product file, the field, the reference and the reason.
    """
    if not uses_shared(spec):
        return spec, []
    from footprint.supplier import RESOLVER

    resolve = resolve or RESOLVER.get()
    spec = copy.copy(spec)
    spec.stages = {name: copy.copy(stage) for name, stage in spec.stages.items()}
    uses = []
    for name, stage in spec.stages.items():
        stage.material_entries = dict(stage.material_entries)
        for key, entry in stage.material_entries.items():
            if not isinstance(entry.factor, SharedFactor):
                continue
            where = f"{spec.source}: stages.{name}.materials.{key}.factor"
            data, provenance = _fetch(entry.factor.ref, resolve=resolve, as_of=as_of, where=where, kinds=MATERIAL_KINDS)
            amount = stage.materials[key]
            numerator = _numerator(amount, REFERENCE_UNITS[name])
            value = _converted(data["quantity"], f"kg_CO2_eq/({numerator})", where=where, ref=entry.factor.ref,
                               expected=f"kg CO2-eq per {_plain_unit(numerator)} (the amount's unit)")
            source = f"{entry.factor.ref} ({provenance['owner']}): {provenance['source']}"
            stage.material_entries[key] = dataclasses.replace(entry, factor=SupplierFactor(value, source, _date(data["valid_until"])))
            uses.append(_use(name, f"materials.{key}.factor", provenance))
        if isinstance(stage.electricity_factor, str):
            where = f"{spec.source}: stages.{name}.electricity_factor"
            ref = stage.electricity_factor
            if stage.instruments is not None:
                raise InputError(f"{where}: {ref} replaces the stage's grid factor, and electricity_instruments splits the grid "
                                 "electricity by instrument; expected one of the two")
            data, provenance = _fetch(ref, resolve=resolve, as_of=as_of, where=where, kinds=ELECTRICITY_KINDS)
            value = _converted(data["quantity"], "kg_CO2_eq/kWh", where=where, ref=ref, expected="kg CO2-eq/kWh")
            basis = data.get("basis")
            _check_place(spec, name, stage, data, bundle, where=where, ref=ref, basis=basis)
            stage.electricity_factor = SharedGrid(ref, value, basis, data.get("title") or ref,
                                                  f"{provenance['source']} ({provenance['owner']})", _date(data["valid_until"]),
                                                  data.get("geography") or "", _date(data["valid_from"]))
            uses.append(_use(name, "electricity_factor", provenance))
    return spec, uses


def _fetch(ref, *, resolve, as_of, where, kinds):
    data, provenance = fetch_entry(ref, resolve=resolve, as_of=as_of, where=where)
    if data.get("kind") not in kinds:
        raise InputError(f"{where}: {ref} is a {str(data.get('kind')).replace('_', ' ')} entry; expected "
                         f"{' or '.join(kinds)}")
    return data, provenance


def _converted(quantity, unit, *, where, ref, expected):
    target = Quantity(1, unit)
    if quantity.dimensionality != target.dimensionality:
        raise InputError(f"{where}: {ref} is {format_quantity(quantity)}; expected {expected}")
    return quantity.to(target.units)


def _check_place(spec, name, stage, data, bundle, *, where, ref, basis):
    """The entry's basis is the bundled grid's the stage would take; its geography contains the stage's site."""
    from footprint.electricity import _ancestors

    if basis is None:
        raise InputError(f"{where}: {ref} does not say its basis; expected an entry with basis life-cycle or co2-only, "
                         "so that it replaces a bundled grid factor of the same basis")
    site = stage.site
    if not site or site not in bundle.geographies:
        return  # the chain names the missing or unknown site
    stage_basis = stage.electricity_basis or spec.electricity_basis
    grid = bundle.grid_for(site, stage_basis)
    wanted = SCOPE_BASIS.get(grid.scope) if grid is not None else None
    if grid is not None and wanted != basis:
        raise InputError(f"{where}: {ref} is a {basis} factor; the stage's electricity basis ({stage_basis}) takes "
                         f"{grid.id} ({grid.scope}): expected a {wanted or grid.scope} factor, or another electricity_basis")
    geography = data.get("geography")
    if geography not in _ancestors(bundle, site):
        raise InputError(f"{where}: {ref} holds for {geography}; stages.{name}.site is {site}: expected an entry of the site's "
                         "geography or of a grid or country containing it")


def _use(stage, field, provenance):
    return {"stage": stage, "field": field, "ref": f"registry:{provenance['id']}@{provenance['version']}", "id": provenance["id"],
            "version": provenance["version"], "sha256": provenance["sha256"], "state": provenance.get("state"),
            "owner": provenance.get("owner")}


def _date(value):
    return value if isinstance(value, _dt.date) else _dt.date.fromisoformat(str(value))
