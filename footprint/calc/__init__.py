"""The calculator: a product's carbon footprint per declared unit, with its breakdowns.

:func:`compute` reads a product file, builds its product system
(:mod:`footprint.calc.system`: chain, suppliers' declarations, location- and market-based
electricity, stages after the gate), evaluates it on the background solved once
(:mod:`footprint.engine`) and returns plain data (:class:`FootprintResult`).

Every computation is also written into Brightway (one database per product study, the
record of the inventory) and solved there with bw2calc, on float64 matrices built from the
stored exchanges (:mod:`footprint.brightway.matrices`); the two totals must agree to 1e-9, else the
calculation stops with an internal error rather than report a number that two methods
disagree on.

Breakdowns add up to the total exactly: by stage, by flow ("activity": the cumulative
contribution of each input of each foreground process, such as the polysilicon stage's
electricity), by gas, and by origin (fossil / biogenic / land use from the IPCC 2021
sub-methods; the CO2-eq that sources give without a gas split is "aggregated").
"""

import contextlib
import copy
import datetime as _dt
import re
import sys
from dataclasses import asdict, dataclass, field

import numpy as np

from footprint._version import __version__
from footprint.claims import check_claims, claims_of
from footprint.claims import record_claims as record_product_claims
from footprint.engine import evaluate, load_background
from footprint.errors import InputError
from footprint.bundle.read import mixed_electricity_note, read_bundle
from footprint.brightway.foreground import write_foreground
from footprint.calc.system import build_system
from footprint.brightway.project import check_setup, require_setup
from footprint.vocab import BOUNDARIES, DECLARED_UNITS, EMISSION_UNIT, GWP_SETS, METHODS, SUB_METHODS

#: Relative agreement required between the engine and a full bw2calc LCA.
AGREEMENT = 1e-9


@dataclass
class Amount:
    value: float
    unit: str


@dataclass
class Share:
    value: float  # [kg CO2-eq per declared unit]
    share: float  # fraction of the total


@dataclass
class ActivityShare:
    """One input of one foreground process, with everything upstream of it."""

    value: float  # [kg CO2-eq per declared unit]
    share: float  # fraction of the total
    stage: str
    input: str  # what flows in: a dataset's or gas's label
    kind: str  # "dataset" (background input) or "gas" (direct emission)
    target: str  # dataset or gas id
    primary: float  # fraction of it from the user's (or a supplier's) own data


@dataclass
class ElectricityUse:
    """Grid electricity of one stage (location-based) [kWh per declared unit]."""

    stage: str
    site: str
    dataset: str
    name: str
    year: int
    scope: str
    amount: float


@dataclass
class ElectricityReport:
    """Dual reporting: the footprint with location- and market-based electricity."""

    location_based: Amount
    market_based: Amount
    market_based_by_stage: dict  # stage -> Share (of the market-based total)
    uses: list  # ElectricityUse
    instruments: list  # footprint.electricity.InstrumentClaim, kWh per declared unit
    notes: list = field(default_factory=list)


@dataclass
class Boundary:
    name: str  # cradle-to-gate | cradle-to-grave
    stages: list
    declared_unit: str  # description
    reference_flow: str  # the product one demand is


@dataclass
class ResultProvenance:
    """What a certification body needs to reproduce the number."""

    inputs_sha256: str
    input_files: dict  # path -> sha256
    data_version: str
    data_sha256: str
    method: str
    methods: dict  # indicator -> method
    gwp: str
    library_version: str
    brightway: str
    computed_at: str
    as_of: str  # the date supplier declarations were checked against


@dataclass
class FootprintResult:
    """A product's footprint per declared unit, with everything needed to reproduce it.

    ``total`` and the breakdowns use location-based electricity; ``electricity`` reports
    both results.
    """

    product: str
    product_name: str
    declared_unit: str
    total: Amount
    by_stage: dict  # stage -> Share
    by_gas: dict  # gas label -> Share
    by_origin: dict  # fossil / biogenic / land_use / aggregated -> Share
    method: str
    gwp: str
    by_activity: dict = field(default_factory=dict)  # "stage: input" -> ActivityShare
    primary_data_share: float = 0.0
    electricity: ElectricityReport = None
    parameters: dict = field(default_factory=dict)  # name -> {value, unit, source}
    boundary: Boundary = None
    supplier: list = field(default_factory=list)  # footprint.supplier.SupplierUse
    notes: list = field(default_factory=list)
    provenance: ResultProvenance = None
    data_version: str = ""
    data_sha256: str = ""
    inputs_sha256: str = ""
    input_file: str = ""
    library_version: str = __version__
    computed_at: str = ""

    def to_dict(self):
        """Plain JSON-ready data (the ``--format json`` output)."""
        return asdict(self)


def compute(product, *, per="module", gwp="ar6", boundary="cradle-to-gate", as_of=None, check=True, record_claims=True):
    """Compute the carbon footprint of a PV product.

    Parameters
    ----------
    product : str or Path or footprint.model.ProductSpec
        A product YAML file, an Excel data workbook (.xlsx), or an already read spec.
    per : str
        Declared unit: ``module``, ``m2``, ``W``/``Wp``, ``kWp``, ``kWh`` (over the module's
        life, needs the ``use:`` block), ``cell``, ``wafer``, ``kg-polysilicon``, ``kg-ingot``.
    gwp : str
        ``ar6`` (IPCC 2021 GWP100, default) or ``ar5`` (IPCC 2013 GWP100).
    boundary : str
        ``cradle-to-gate`` (default) or ``cradle-to-grave`` (needs the ``downstream:`` block).
    as_of : datetime.date or str, optional
        The date suppliers' declarations must be valid on (YYYY-MM-DD); today by default.
    check : bool
        Also solve the written foreground with bw2calc and require agreement (default).
    record_claims : bool
        Record the product's electricity-instrument claims in the data directory's claims
        ledger, replacing its earlier ones (default); False only checks them against the
        other products' claims (:mod:`footprint.claims`).

    Returns
    -------
    FootprintResult
        Values in kg CO2-eq per declared unit.

    Raises
    ------
    footprint.errors.FootprintError
        Bad input (named with file and field), or the data directory not set up.
    """
    as_of = check_options(per=per, gwp=gwp, boundary=boundary, as_of=as_of)
    from footprint.collect import read_any  # a product YAML file or an Excel data workbook

    spec = product if hasattr(product, "stages") else read_any(product)
    check_finite(spec)
    bundle = read_bundle()
    system = build_system(spec, bundle, per=per, boundary=boundary, gwp=gwp, as_of=as_of)
    check_amounts(system)
    check_setup(bundle)
    background = load_background(bundle, gwp)
    location = evaluate(system.location, background, demand=system.demand)
    market = evaluate(system.market, background, demand=system.demand)
    with np.errstate(over="ignore", invalid="ignore"):
        totals = [float(np.ravel(location.score())[0]), float(np.ravel(market.score())[0])]
    if not all(np.isfinite(totals)):
        raise InputError(f"{spec.source}: the footprint is {totals[0]!r} kg CO2-eq per reference flow, not a finite number: "
                         "the product file's values overflow when multiplied along the chain; check its largest values")
    brightway = ""
    if check:
        brightway = check_with_brightway(require_setup(bundle), system, bundle, gwp, {"location": location, "market": market})
    claims = claims_of(system.plan, product_id=spec.id, product_file=spec.source)
    if record_claims:
        shared = record_product_claims(claims, product_id=spec.id)
    else:
        shared = check_claims(claims, product_id=spec.id)
    return _result(system, bundle, background, location, market, gwp=gwp, as_of=as_of, brightway=brightway, shared=shared)


def check_finite(spec):
    """Refuse a number that is not finite (inf, nan) anywhere in a product spec.

    Raises
    ------
    InputError
        Naming the product file and the field.
    """
    def check(value, path):
        if value is None:
            return
        magnitude = np.asarray(getattr(value, "magnitude", value), dtype=float)
        if not np.all(np.isfinite(magnitude)):
            shown = f"{value:~}" if hasattr(value, "units") else repr(value)
            raise InputError(f"{spec.source}: {path}: got {shown}; expected a finite number")

    check(spec.rated_power, "product.rated_power")
    check(spec.area, "product.area")
    for name, stage in spec.stages.items():
        for group, values in (("", stage.parameters), ("materials.", stage.materials), ("emissions.", stage.emissions)):
            for key, quantity in values.items():
                check(quantity, f"stages.{name}.{group}{key}")
    if spec.use is not None:
        for key in ("specific_yield", "performance_ratio", "lifetime", "degradation"):
            check(getattr(spec.use, key), f"use.{key}")
    if spec.downstream is not None:
        for name, stage in spec.downstream.stages.items():
            for key in ("electricity", "heat", "mass"):
                check(getattr(stage, key), f"downstream.{name}.{key}")
            for group, values in (("materials", stage.materials), ("emissions", stage.emissions)):
                for key, quantity in values.items():
                    check(quantity, f"downstream.{name}.{group}.{key}")
            for index, leg in enumerate(stage.legs):
                check(leg.distance, f"downstream.{name}.legs[{index}].distance")
                check(leg.emission_factor, f"downstream.{name}.legs[{index}].emission_factor")


def check_amounts(system):
    """Refuse a product system with an amount that is not finite (a computed overflow).

    Finite inputs can still give an infinite amount (1e200 kg/kg x 1e200 kg/kg); the
    message names the stage and the flow.

    Raises
    ------
    InputError
    """
    source = system.spec.source
    for processes in (system.location, system.market):
        for process in processes.values():
            for flow in process.flows:
                if not np.all(np.isfinite(np.asarray(flow.amount, dtype=float))):
                    raise InputError(f"{source}: stages.{process.stage}: the amount of {flow.label!r} computed from the product "
                                     f"file is {flow.amount!r}; expected a finite number (check that stage's values)")
    divisor = np.asarray(system.divisor, dtype=float)
    if not np.all(np.isfinite(divisor)) or not np.all(divisor > 0):
        raise InputError(f"{source}: the declared unit per reference flow ({system.per}) is {system.divisor!r}; expected a "
                         "finite number above zero (check product.rated_power, product.area and use:)")


def check_options(*, per, gwp, boundary, as_of):
    """Check the calculation options; return ``as_of`` as a date.

    Raises
    ------
    InputError
        An unknown declared unit, GWP set or boundary, or a malformed date.
    """
    if per not in DECLARED_UNITS:
        raise InputError(f"--per: got {per!r}; expected one of {', '.join(DECLARED_UNITS)}")
    if gwp not in GWP_SETS:
        raise InputError(f"--gwp: got {gwp!r}; expected one of {', '.join(GWP_SETS)}")
    if boundary not in BOUNDARIES:
        raise InputError(f"--boundary: got {boundary!r}; expected one of {', '.join(BOUNDARIES)}")
    return _date(as_of)


def _date(value):
    if value is None:
        return _dt.date.today()
    if isinstance(value, _dt.datetime):  # a date-time would compare with no date (TypeError)
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"--as-of: got {value!r}; expected a date YYYY-MM-DD") from None


def brightway_lca(bd, processes, system, bundle, method, *, name=None):
    """Write a foreground into Brightway and solve it with bw2calc; return the score per demand.

    Parameters
    ----------
    processes : dict
        code -> Process (scalar amounts).
    name : str, optional
        The database name; by default the product study's (reused when inputs are unchanged).
    """
    import bw2calc

    from footprint.brightway.matrices import lca_inputs
    from footprint.vocab import BACKGROUND

    chain = copy.copy(system.chain)
    chain.processes = processes
    database, ids = write_foreground(bd, chain, bundle, name=name)
    with contextlib.redirect_stdout(sys.stderr):
        demand = {ids[code]: amount for code, amount in system.demand.items()}
        lca = bw2calc.LCA(demand=demand, data_objs=lca_inputs(bd, [database, BACKGROUND], method))
        lca.lci()
        lca.lcia()
    return float(lca.score)


def check_with_brightway(bd, system, bundle, gwp, evaluations):
    """Require the engine's totals to equal full bw2calc LCAs of the written foreground.

    Returns
    -------
    str
        The bw2data and bw2calc versions used.
    """
    import bw2calc
    import bw2data

    method = METHODS[(gwp, "total")]
    for label, processes in (("location", system.location), ("market", system.market)):
        engine = float(np.ravel(evaluations[label].score())[0])
        reference = brightway_lca(bd, processes, system, bundle, method)
        if not _agree(engine, reference):
            raise RuntimeError(f"{system.spec.source}: the engine gives {engine!r} and bw2calc {reference!r} kg CO2-eq "
                               f"({label}-based); they must agree to {AGREEMENT:g}")
    return f"bw2data {bw2data.__version__}, bw2calc {bw2calc.__version__}"


def _agree(a, b):
    return abs(a - b) <= AGREEMENT * max(abs(a), abs(b), 1e-300)


def _result(system, bundle, background, location, market, *, gwp, as_of, brightway, shared=None):
    spec = system.spec
    divisor = float(system.divisor)
    total = float(location.score()[0]) / divisor

    def share(value, whole=total):
        value = float(np.ravel(value)[0]) / divisor
        return Share(value, value / whole if whole else 0.0)

    by_stage = {stage: share(value) for stage, value in location.by_stage().items()}
    gas_labels = {gas: bundle.gases[gas].label for gas in bundle.gases}
    by_gas = {gas_labels[gas]: share(value) for gas, value in location.by_gas().items() if float(value[0]) != 0.0}
    by_gas = dict(sorted(by_gas.items(), key=lambda item: -abs(item[1].value)))
    by_origin = _by_origin(location, bundle, background, share)
    by_activity = {}
    primary = 0.0
    for flow, value in sorted(location.by_flow(), key=lambda item: -abs(float(item[1][0]))):
        value = float(value[0]) / divisor
        if value == 0.0:
            continue
        label = f"{flow.stage}: {flow.label}"
        while label in by_activity:
            label += " (2)"
        by_activity[label] = ActivityShare(value, value / total if total else 0.0, flow.stage, flow.label, flow.kind,
                                           flow.target, flow.primary)
        primary += flow.primary * value
    market_total = float(market.score()[0]) / divisor
    electricity = ElectricityReport(
        location_based=Amount(total, f"{EMISSION_UNIT}/{system.per}"),
        market_based=Amount(market_total, f"{EMISSION_UNIT}/{system.per}"),
        market_based_by_stage={stage: share(value, market_total) for stage, value in market.by_stage().items()},
        uses=_electricity_uses(location, bundle, divisor),
        instruments=_instrument_claims(system, market, divisor, shared or {}),
        notes=list(system.plan.notes) if system.plan else [],
    )
    mixed = mixed_electricity_note([use.dataset for use in electricity.uses], bundle=bundle)
    if mixed:
        electricity.notes.append(mixed)
    for claim in electricity.instruments:
        if claim.claimed_by_others:
            others = ", ".join(f"{product} {mwh:,.0f} MWh" for product, mwh in claim.claimed_by_others.items())
            claimed_in_all = claim.claimed_mwh + sum(claim.claimed_by_others.values())
            electricity.notes.append(f"instrument {claim.id} ({claim.site}): this product claims {claim.claimed_mwh:,.0f} MWh; the "
                                     f"claims ledger records {others} for other products: {claimed_in_all:,.0f} of "
                                     f"{claim.site_mwh:,.0f} MWh claimed")
    methods = {indicator: " | ".join(method) for indicator, method in background.methods.items()}
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    provenance = ResultProvenance(
        inputs_sha256=system.inputs_sha256, input_files=dict(system.input_files), data_version=bundle.data_version,
        data_sha256=bundle.sha256, method=methods["total"], methods=methods, gwp=GWP_SETS[gwp], library_version=__version__,
        brightway=brightway, computed_at=now, as_of=as_of.isoformat(),
    )
    _, description = DECLARED_UNITS[system.per]
    reference = next(iter(system.demand))
    return FootprintResult(
        product=spec.id,
        product_name=spec.name,
        declared_unit=f"1 {system.per}",
        total=Amount(total, f"{EMISSION_UNIT}/{system.per}"),
        by_stage=by_stage,
        by_gas=by_gas,
        by_origin=by_origin,
        method=methods["total"],
        gwp=GWP_SETS[gwp],
        by_activity=by_activity,
        primary_data_share=primary / total if total else 0.0,
        electricity=electricity,
        parameters=_parameters(system),
        boundary=Boundary(system.boundary, system.stages, description, f"1 {system.location[reference].unit} of {reference}"),
        supplier=list(system.suppliers),
        notes=[*system.notes, *_aggregated_note(location, bundle, system, total, divisor, gwp)],
        provenance=provenance,
        data_version=bundle.data_version,
        data_sha256=bundle.sha256,
        inputs_sha256=system.inputs_sha256,
        input_file=spec.source,
        computed_at=now,
    )


#: A GWP set named in a data file's source, locator or note ("GWP set of the source: AR5", "IPCC 2007 GWP set").
_GWP_NAMED = re.compile(r"\b(AR[1-6]|SAR|TAR|IPCC (?:1995|2001|2007|2013|2021))\b")
#: Parts shown by name in the note; the rest are summed.
_NOTE_PARTS = 6


def _aggregated_note(evaluation, bundle, system, total, divisor, gwp):
    """A note on the CO2-eq that no GWP set re-characterises: which part, from where, with which GWP set.

    Factors given only as CO2-eq (``co2e_aggregated``, suppliers' declared CO2-eq) count
    1:1 whatever ``--gwp`` says: they keep the GWP set their source used.
    """
    from footprint.engine import direct_sources
    from footprint.vocab import OWN_BIOSPHERE

    gases = [gas for gas, entry in bundle.gases.items() if entry.key[0] == OWN_BIOSPHERE]
    sources = direct_sources(evaluation, gases)
    amount = sum(sources.values()) / divisor
    if not total or amount <= 0:
        return []
    suppliers = {use.stage: use for use in system.suppliers}
    parts = []
    for (kind, name), value in sorted(sources.items(), key=lambda item: -item[1]):
        value /= divisor
        if kind == "dataset":
            dataset = bundle.datasets[name]
            exchange = next((e for e in dataset.exchanges if e.flow in gases), None)
            text = " ".join(part for part in (exchange.source, exchange.locator, exchange.note) if part) if exchange else ""
            named = sorted(set(_GWP_NAMED.findall(text)))
            origin = f"{exchange.source}, {exchange.year}" if exchange else "bundled data"
            gwp_set = f"GWP set stated in the data file: {', '.join(named)}" if named else "GWP set not stated in the data file"
            parts.append((value, f"{name} {value / total:.1%} ({origin}; {gwp_set})"))
        else:
            stage = name.split(":", 1)[0]
            if stage in suppliers:
                gwp_set = f"declared with {suppliers[stage].characterization}"
            else:
                gwp_set = "the user's own CO2-eq; GWP set as its source"
            parts.append((value, f"{name} {value / total:.1%} ({gwp_set})"))
    shown = [text for _, text in parts[:_NOTE_PARTS]]
    rest = sum(value for value, _ in parts[_NOTE_PARTS:])
    if rest:
        shown.append(f"{len(parts) - _NOTE_PARTS} more {rest / total:.1%}")
    return [f"{amount / total:.1%} of the total is CO2-eq that its sources give without a gas split: {'; '.join(shown)}. "
            f"These parts keep the GWP set their sources used and are not re-characterised to {GWP_SETS[gwp]}"]


def _by_origin(evaluation, bundle, background, share):
    """Fossil, biogenic, land use (IPCC 2021 sub-methods) and aggregated (no gas split).

    With AR5 there are no sub-methods in the installed IPCC 2013 set: gases are grouped by
    their origin in inventories/gases.csv, which follows the IPCC 2021 sub-methods.
    """
    total = evaluation.score()
    result = {}
    if all(indicator in background.factors for indicator in SUB_METHODS):
        for indicator in SUB_METHODS:
            result[indicator] = evaluation.score(indicator)
        result["aggregated"] = total - sum(result.values())
    else:
        for gas, value in evaluation.by_gas().items():
            origin = bundle.gases[gas].origin
            result[origin] = result.get(origin, 0.0) + value
        for origin in (*SUB_METHODS, "aggregated"):
            result.setdefault(origin, np.zeros(1))
    return {origin: share(value) for origin, value in result.items()}


def _electricity_uses(evaluation, bundle, divisor):
    uses = []
    for code, process in evaluation.processes.items():
        if not process.electricity_dataset:
            continue
        dataset = bundle.datasets[process.electricity_dataset]
        kwh = sum(float(flow.amount) for flow in process.flows if flow.kind == "dataset" and flow.target == dataset.id)
        amount = float(evaluation.supply[code][0]) * kwh / divisor
        uses.append(ElectricityUse(process.stage, process.site, dataset.id, dataset.name, dataset.year, dataset.scope, amount))
    return uses


def _instrument_claims(system, market, divisor, shared):
    if system.plan is None:
        return []
    claims = []
    for claim in system.plan.claims:
        claim = copy.copy(claim)
        claim.stages = list(claim.stages)
        claim.claimed_by_others = dict(shared.get((claim.id, claim.site), {}))
        claim.kwh = sum(float(market.supply[f"{stage}/electricity/{claim.id}"][0]) for stage in claim.stages
                        if f"{stage}/electricity/{claim.id}" in market.supply) / divisor
        claims.append(claim)
    return claims


def _parameters(system):
    """Every parameter the calculation used, with its unit and source."""
    spec = system.spec
    user = f"product file ({spec.source})"
    parameters = {
        "product.rated_power": {"value": float(spec.rated_power.to("W").magnitude), "unit": "W", "source": user},
        "product.area": {"value": float(spec.area.to("m**2").magnitude), "unit": "m2", "source": user},
    }
    for code, process in system.chain.processes.items():
        for name, (quantity, provenance) in process.parameters.items():
            parameters[f"stages.{code}.{name}"] = {"value": float(quantity.magnitude), "unit": f"{quantity.units:~C}",
                                                   "source": provenance.describe()}
    if system.energy is not None:
        for name, entry in system.energy.parameters.items():
            parameters[f"use.{name}"] = {**entry, "value": float(entry["value"])}
    parameters["declared_unit.per_reference_flow"] = {"value": float(system.divisor), "unit": system.per,
                                                      "source": "declared units in one reference flow"}
    return parameters
