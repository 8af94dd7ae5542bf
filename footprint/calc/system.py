"""The product system of one calculation: a product file made ready for the engine.

From a checked product spec, :func:`build_system` builds the foreground chain, puts in the
suppliers' declared footprints, splits electricity location- and market-based, adds the
stages after the gate for cradle-to-grave, and fixes the reference flow and the divisor of
the declared unit. Pure data: nothing is written to Brightway here.
"""

import datetime as _dt
from dataclasses import dataclass, field

from footprint.errors import InputError, OptionError
from footprint.model.chain import STC_IRRADIANCE, build_chain, stage_parameter
from footprint.provenance import combined_sha256
from footprint.units import plain_number
from footprint.vocab import BOUNDARIES, DECLARED_UNITS, STAGE_PRODUCTS, STAGES  # noqa: F401


@dataclass
class ProductSystem:
    """Everything the engine needs for one product (or one group of batch variants)."""

    spec: object
    chain: object  # the location-based chain (parameters, sites)
    location: dict  # code -> Process, location-based electricity
    market: dict  # code -> Process, market-based electricity
    demand: dict  # code -> amount
    per: str
    divisor: object  # declared units per demand (float or array)
    boundary: str
    plan: object = None  # footprint.electricity.ElectricityPlan
    suppliers: list = field(default_factory=list)  # footprint.supplier.SupplierUse
    energy: object = None  # footprint.energy_yield.EnergyYield
    notes: list = field(default_factory=list)
    input_files: dict = field(default_factory=dict)  # path -> sha256
    #: Shared database entries used as a material's factor or a stage's electricity factor (footprint.shared_data).
    shared_entries: list = field(default_factory=list)

    @property
    def stages(self):
        """The life-cycle stages inside the boundary, in order."""
        seen = []
        for process in self.location.values():
            if process.stage not in seen:
                seen.append(process.stage)
        return seen

    @property
    def inputs_sha256(self):
        """The product file's sha256; with other input files, the sha256 of all of them."""
        return combined_sha256(self.input_files)


def build_system(spec, bundle, *, per="module", boundary="cradle-to-gate", gwp="ar6", as_of=None, resolve=None):
    """Build the product system of a product spec.

    Parameters
    ----------
    spec : footprint.model.spec.ProductSpec
    bundle : footprint.bundle.read.Bundle
    per : str
        A declared unit of :data:`DECLARED_UNITS`.
    boundary : str
        ``cradle-to-gate`` or ``cradle-to-grave`` (module units only).
    gwp : str
        The GWP set, to flag supplier declarations made with another.
    as_of : datetime.date, optional
        The date supplier declarations must be valid on; today by default.
    resolve : callable, optional
        ``resolve(ref, *, as_of) -> (data, provenance)``: fetches a ``supplier: registry:ENTRY@N``
        (and a material's ``factor`` or a stage's ``electricity_factor`` naming one) from the shared database; default: the one in effect (:func:`footprint.supplier.resolving`).

    Raises
    ------
    InputError
    """
    from footprint import electricity, lifecycle, shared_data, supplier
    from footprint.energy_yield import lifetime_energy

    last = getattr(spec, "stage", "module")
    if last != "module" and per == "module":  # the default declared unit: a supplier's file is per its own stage
        per = STAGE_PRODUCTS[last]
    if per not in DECLARED_UNITS:
        raise OptionError("per", f"got {per!r}; expected one of {', '.join(DECLARED_UNITS)}")
    if boundary not in BOUNDARIES:
        raise OptionError("boundary", f"got {boundary!r}; expected one of {', '.join(BOUNDARIES)}")
    reference, _ = DECLARED_UNITS[per]
    if STAGES.index(reference) > STAGES.index(last):
        raise OptionError("per", f"{per}: the product file describes the product up to {last} (product.stage); "
                                 f"expected {STAGE_PRODUCTS[last]} or the unit of a stage before it")
    if boundary == "cradle-to-grave" and reference != "module":
        raise OptionError("boundary", f"cradle-to-grave applies to the module (per module, m2, W, Wp, kWp, kWh); not per {per}")
    as_of = as_of or _dt.date.today()
    input_files = {spec.source: spec.sha256}
    replaced = [name for name, stage in spec.stages.items() if stage.supplier is not None]
    for name in replaced:
        if spec.stages[name].instruments is not None:
            raise InputError(f"{spec.source}: stages.{name}: both supplier and electricity_instruments; a supplier's declared "
                             "footprint already includes its electricity")
    spec, shared_entries = shared_data.resolve_shared(spec, bundle=bundle, as_of=as_of, resolve=resolve)
    for use in shared_entries:
        input_files[use["ref"]] = use["sha256"]
    chain = build_chain(spec, bundle, replaced=replaced)
    suppliers = []
    notes = []
    if replaced:
        chain, suppliers = supplier.apply(chain, spec, bundle=bundle, as_of=as_of, gwp=gwp, resolve=resolve)
        for use in suppliers:
            input_files[use.file] = use.sha256
            notes.extend(use.notes)
    if reference not in chain.processes:
        raise OptionError("per", f"{per}: the product's {reference} comes inside a supplier's declared footprint "
                         f"({', '.join(replaced)}); no separate {reference} footprint exists")
    plan = None
    location = market = chain.processes
    if any(stage.instruments is not None for stage in spec.stages.values()):
        plan = electricity.plan(spec, chain, bundle)
        for site in plan.sites.values():
            input_files[site.file] = site.sha256
        location = electricity.apply(chain, plan, market=False).processes
        market = electricity.apply(chain, plan, market=True).processes
    demand = {reference: 1.0}
    if boundary == "cradle-to-grave":
        downstream = lifecycle.downstream_processes(spec, bundle)
        location = {**location, **downstream}
        market = {**market, **downstream}
        for name in downstream:
            demand[name] = 1.0
    energy = None
    if per == "kWh":
        energy = lifetime_energy(rated_power=spec.rated_power, use=spec.use, source=spec.source, bundle=bundle)
    divisor = _divisor(per, spec, energy, bundle)
    from footprint.engine import reachable

    location = {code: location[code] for code in reachable(location, demand)}
    market = {code: market[code] for code in reachable(market, demand)}
    return ProductSystem(spec, chain, location, market, demand, per, divisor, boundary, plan, suppliers, energy, notes, input_files,
                         shared_entries)


def _divisor(per, spec, energy, bundle):
    """Declared units in one reference flow (one module, cell, wafer or kg)."""
    if per in ("m2-cell", "W-cell"):  # the cell's area and power as the chain takes them
        area = stage_parameter(spec, bundle, "wafer", "wafer_area", "m**2")[0]
        if per == "m2-cell":
            return plain_number(area.magnitude)
        efficiency = stage_parameter(spec, bundle, "cell", "efficiency", "")[0]
        return plain_number((area * efficiency * STC_IRRADIANCE).to("W").magnitude)
    if per == "m2":
        return plain_number(spec.area.to("m**2").magnitude)
    if per in ("W", "Wp"):
        return plain_number(spec.rated_power.to("W").magnitude)
    if per == "kWp":
        return plain_number(spec.rated_power.to("kW").magnitude)
    if per == "kWh":
        return energy.energy
    return 1.0

