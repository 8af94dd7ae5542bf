"""A footprint result: plain dataclasses, JSON-ready, and how the engine's evaluations become one.

Breakdowns add up to the total exactly: by stage, by flow ("activity": the cumulative
contribution of each input of each foreground process, such as the polysilicon stage's
electricity), by gas, and by origin (fossil / biogenic / land use from the IPCC 2021
sub-methods; the CO2-eq that sources give without a gas split is "aggregated").
"""

from __future__ import annotations

import copy
import datetime as _dt
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from footprint._version import __version__
from footprint.bundle.read import mixed_electricity_note
from footprint.engine import direct_sources
from footprint.errors import InputError
from footprint.provenance import ResultProvenance

if TYPE_CHECKING:
    import pandas

from footprint.vocab import DECLARED_UNITS, EMISSION_UNIT, GWP_SETS, OWN_BIOSPHERE, SUB_METHODS


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
    year: int | None  # the bundled dataset's data year; None for a shared database entry (it has no data year)
    scope: str
    amount: float
    basis: str = ""  # the product's or stage's electricity basis (vocab.ELECTRICITY_BASES) the grid factor was chosen on
    valid_from: str = ""  # a shared database entry's first valid day (ISO date), shown where a bundled dataset shows its year


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

    def to_dict(self) -> dict:
        """Plain JSON-ready data (the ``--format json`` output)."""
        return asdict(self)

    def to_frame(self, by: str = "stage") -> pandas.DataFrame:
        """A breakdown as a pandas DataFrame, one row per part, adding up to the total.

        Parameters
        ----------
        by : str
            ``stage``, ``activity`` (each input of each stage, upstream included), ``gas``,
            ``origin`` (fossil / biogenic / land use / aggregated) or ``electricity``
            (market-based, by stage).

        Returns
        -------
        pandas.DataFrame
            Columns ``value`` [the result's unit, in ``attrs["unit"]`` and the column name's
            metadata] and ``share`` [fraction of the total]; ``activity`` adds ``stage``,
            ``input``, ``kind``, ``target`` and ``primary`` [fraction of primary data].
            ``attrs`` holds ``unit``, ``product``, ``declared_unit`` and ``method``.
        """
        import pandas

        tables = {"stage": self.by_stage, "activity": self.by_activity, "gas": self.by_gas, "origin": self.by_origin,
                  "electricity": self.electricity.market_based_by_stage if self.electricity else {}}
        if by not in tables:
            raise InputError(f"by: got {by!r}; expected one of {', '.join(tables)}")
        rows = [{by: key, **asdict(part)} for key, part in tables[by].items()]
        frame = pandas.DataFrame(rows, columns=[by, "value", "share"] if by != "activity" else None)
        frame = frame.set_index(by)
        frame.attrs.update(unit=self.total.unit, product=self.product, declared_unit=self.declared_unit, method=self.method,
                           basis="market-based electricity" if by == "electricity" else "location-based electricity")
        return frame

    def __repr__(self) -> str:
        return (f"FootprintResult(product={self.product!r}, total={self.total.value:.6g} {self.total.unit}, "
                f"stages={len(self.by_stage)}, data_version={self.data_version!r})")

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(f"<tr><td>{escape(stage)}</td><td style='text-align:right'>{part.value:,.4g}</td>"
                       f"<td style='text-align:right'>{part.share:.1%}</td></tr>" for stage, part in self.by_stage.items())
        return (f"<div><strong>{escape(self.product_name)}</strong> ({escape(self.product)}): "
                f"<strong>{self.total.value:,.4g} {escape(self.total.unit)}</strong>, {escape(self.boundary.name if self.boundary else '')}, "
                f"{escape(self.gwp)}, data {escape(self.data_version)}"
                f"<table><thead><tr><th>stage</th><th>{escape(self.total.unit)}</th><th>share</th></tr></thead>"
                f"<tbody>{rows}</tbody></table></div>")


#: The share of a total under which a gas's contribution is the background solve's rounding, not an emission.
GAS_NOISE = 1e-12


def build_result(system, bundle, background, location, market, *, gwp, as_of, brightway, shared=None, cross_check="not run"):
    spec = system.spec
    divisor = float(system.divisor)
    total = float(location.score()[0]) / divisor

    def share(value, whole=total):
        value = float(np.ravel(value)[0]) / divisor
        return Share(value, value / whole if whole else 0.0)

    by_stage = {stage: share(value) for stage, value in location.by_stage().items()}
    gas_labels = {gas: bundle.gases[gas].label for gas in bundle.gases}
    # a gas below GAS_NOISE of the total is the background solve's rounding (the dense inverse of the
    # background spreads ~1e-17 into every entry), not an emission: a PERC module emits no NF3
    noise = GAS_NOISE * abs(float(location.score()[0]))
    by_gas = {gas_labels[gas]: share(value) for gas, value in location.by_gas().items() if abs(float(value[0])) > noise}
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
        brightway=brightway, computed_at=now, as_of=as_of.isoformat(), cross_check=cross_check,
        shared_entries=[{"stage": use.stage, **use.entry} for use in system.suppliers if use.entry]
        + list(getattr(system, "shared_entries", [])),
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
    """Grid electricity per stage and grid: the stage's own grid, and any other grid it draws on.

    A module's frame extruded at another site (``frame: {site: ...}``) draws on that site's grid:
    it is listed as a use of the module stage at the grid's geography.
    """
    uses = []
    for code, process in evaluation.processes.items():
        if not process.electricity_dataset:
            continue
        grids = []
        if process.electricity_dataset.startswith("registry:"):  # a shared database entry's grid factor (footprint.shared_data)
            uses.append(_shared_electricity_use(evaluation, code, process, divisor))
        else:
            grids.append(process.electricity_dataset)
        for flow in process.flows:  # another grid of the stage (a frame extruded at its maker's site)
            target = bundle.datasets.get(flow.target) if flow.kind == "dataset" else None
            if target is not None and target.category == "electricity" and target.id not in grids:
                grids.append(target.id)
        for grid in grids:
            dataset = bundle.datasets[grid]
            kwh = sum(float(flow.amount) for flow in process.flows if flow.kind == "dataset" and flow.target == dataset.id)
            amount = float(evaluation.supply[code][0]) * kwh / divisor
            site = process.site if grid == process.electricity_dataset else dataset.geography
            uses.append(ElectricityUse(process.stage, site, dataset.id, dataset.name, dataset.year, dataset.scope, amount,
                                       getattr(process, "electricity_basis", "")))
    return uses


def _shared_electricity_use(evaluation, code, process, divisor):
    """The grid electricity of a stage whose factor is a shared database entry: its kWh, the entry as the dataset."""
    quantity, _ = process.parameters["electricity"]
    kwh = float(np.ravel(quantity.to(f"kWh/{process.unit}").magnitude)[0])
    flow = next(flow for flow in process.flows if flow.kind == "gas" and flow.label.endswith(f"({process.electricity_dataset})"))
    # an entry has no data year: its validity (model/chain.py's locator) is shown instead, not a year guessed from it
    valid_from = re.match(r"valid from (\S+) until", flow.provenance.locator)
    scope = "co2_combustion" if flow.provenance.locator.endswith("co2-only") else "co2e_lifecycle"
    amount = float(evaluation.supply[code][0]) * kwh / divisor
    return ElectricityUse(process.stage, process.site, process.electricity_dataset, flow.label, None, scope, amount,
                          getattr(process, "electricity_basis", ""), valid_from.group(1) if valid_from else "")


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
    parameters = {}
    if spec.rated_power is not None:  # a supplier's own stage has neither (product.stage)
        parameters["product.rated_power"] = {"value": float(spec.rated_power.to("W").magnitude), "unit": "W", "source": user}
    if spec.area is not None:
        parameters["product.area"] = {"value": float(spec.area.to("m**2").magnitude), "unit": "m2", "source": user}
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
