"""Location- and market-based electricity: grids, green certificates, PPAs, on-site PV.

Every result is reported both ways (GHG Protocol Scope 2 Guidance [1]_, dual reporting):

- **location-based**: the grid average of the site's grid (``inventories/electricity.csv``);
  on-site PV consumed on site replaces grid electricity in both methods, since it never
  passes through the grid;
- **market-based**: electricity covered by contractual instruments (green electricity
  certificates, PPAs) takes the instrument's emission factor; the rest takes the residual
  mix of the market, or, where no residual mix is bundled, the grid average, as the
  market-based hierarchy of [1]_ (chapter 6) allows, with a note saying so.

A site's instruments live in a *site electricity file* (YAML) that a product's stage names
with ``electricity_instruments:``::

    format: footprint-site-electricity/1
    site: Jiangsu cell and module fab
    geography: CN-JS
    reporting_period: {start: 2024-01-01, end: 2024-12-31}
    electricity_consumed: 120000 MWh        # the whole site over the period, on-site PV included
    output:                                 # allocation key: the site's output per product
      perc-gb-550-jiangsu: 800 MWp
      topcon-gg-580-jiangsu: 400 MWp
    instruments:
      - {id: GEC-2024-JS-001, type: gec, certificates: 30000, market: CN, vintage: 2024, technology: wind}
      - {id: PPA-2024-07, type: ppa, amount: 20000 MWh, market: CN, vintage: 2024, technology: solar}
      - {id: rooftop-pv, type: onsite_pv, amount: 3000 MWh, vintage: 2024}

The instruments of a site cover the same fraction of every kWh the site consumes
(their MWh over the site's consumption); each product claims the share of each instrument
its output gives it, so no MWh is claimed by two products. One certificate is 1 MWh [2]_.

Several files may describe one site (the same ``site`` name, ``geography`` and
``reporting_period``): their instruments are pooled, and the files must agree on the
consumption and the outputs. Quality checks, each failing with an error naming the file,
site and instrument: the instrument's market (on-site PV's too, where given) is the site's
country or a geography of it that contains the site [1]_ [3]_; its vintage lies in the
reporting period; the instruments of a site together do not exceed the site's consumption;
an instrument id appears once across all the site files of a product; the product is one
of the site's outputs. Claims across products (another product claiming the same
instrument) are checked against the claims ledger of the data directory
(:mod:`footprint.claims`).

References
----------
.. [1] GHG Protocol Scope 2 Guidance (WRI/WBCSD, 2015): dual reporting; Scope 2 quality
   criteria (unique claims, retired instruments, same market, vintage close to the period
   of consumption); market-based emission-factor hierarchy (instruments, supplier-specific,
   residual mix, then regional or national grid averages).
.. [2] NDRC, NEA, MOF: 发改能源〔2023〕1044号 — one green electricity certificate per
   1000 kWh of renewable electricity; the GEC is the sole proof of renewable attributes.
.. [3] ISO 14067:2018, 6.4.9.4: the electricity of a contractual instrument comes from the
   country or market where it is consumed.
"""

import copy
import datetime as _dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from footprint.errors import InputError, OptionError
from footprint.fileio import load_yaml, parse_date, read_bytes
from footprint.model.chain import Flow, Process, Provenance
from footprint.units import Quantity, parse_quantity

FORMAT = "footprint-site-electricity/1"
INSTRUMENT_TYPES = {
    "gec": "green electricity certificate",
    "ppa": "power purchase agreement",
    "onsite_pv": "on-site PV",
}
#: Grid-factor scopes that count only emissions at generation: a renewable instrument
#: then has a factor of zero on the same basis [1].
GENERATION_SCOPES = {"co2_combustion", "co2e_combustion"}
ZERO_FACTOR_SOURCE = ("GHG Protocol Scope 2 Guidance (2015): renewable generation has no direct emissions; "
                      "zero on the same generation-only basis as the site's grid factor")
MWH_PER_CERTIFICATE = 1.0  # [2]


@dataclass
class Instrument:
    """One contractual instrument or on-site generator of a site."""

    id: str
    type: str
    mwh: float  # [MWh] over the reporting period
    market: str
    vintage: tuple  # (first day, last day)
    vintage_text: str
    technology: str
    emission_factor: object  # [kg CO2-eq/kWh] as given, or None
    where: str
    file: str = ""  # the site electricity file that lists it


@dataclass
class SiteElectricity:
    """A checked site electricity file."""

    name: str
    geography: str
    file: str
    sha256: str
    period: tuple  # (first day, last day)
    consumed_mwh: float
    output: dict  # product id -> output (any one unit)
    output_unit: str
    instruments: list = field(default_factory=list)
    files: list = field(default_factory=list)  # every file describing the site (pooled)

    @property
    def key(self):
        """What makes two files describe the same site: name, geography and reporting period."""
        return (self.name, self.geography, self.period[0].isoformat(), self.period[1].isoformat())


@dataclass
class InstrumentClaim:
    """What a product claims from one instrument (the result's ``electricity.instruments``)."""

    id: str
    type: str
    site: str
    file: str
    stages: list
    market: str
    vintage: str
    technology: str
    site_mwh: float  # [MWh] the whole instrument
    coverage: float  # fraction of every kWh of the site it covers
    output_share: float  # the product's share of the site's output (allocation key)
    claimed_mwh: float  # [MWh] the product's share of the instrument
    emission_factor: float  # [kg CO2-eq/kWh]
    emission_factor_source: str
    in_location_based: bool  # on-site PV counts in both methods
    kwh: float = 0.0  # [kWh per declared unit], filled in by the calculator
    geography: str = ""
    period: str = ""  # the site's reporting period, "start/end"
    site_consumed_mwh: float = 0.0  # [MWh] the whole site over the period
    product_output: float = 0.0  # the product's output over the period (allocation key), in output_unit
    site_output: float = 0.0  # every product's output of the site, in output_unit
    output_unit: str = ""
    file_sha256: str = ""
    #: Other products' claims on the same instrument, from the claims ledger: product -> MWh.
    claimed_by_others: dict = field(default_factory=dict)


@dataclass
class ElectricityPlan:
    """How each stage's electricity splits, location- and market-based."""

    sites: dict = field(default_factory=dict)  # file -> SiteElectricity
    stage_claims: dict = field(default_factory=dict)  # stage -> [(InstrumentClaim, coverage)]
    residual: dict = field(default_factory=dict)  # stage -> (dataset id, note)
    claims: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def read_site_electricity(path, *, bundle):
    """Read and check a site electricity file.

    Raises
    ------
    InputError
        A missing or malformed field, named with its file and YAML path.
    """
    path = Path(path)
    raw = read_bytes(path, what="a site electricity file")
    data = load_yaml(raw, path, what=f"a site electricity file ({FORMAT})")
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a mapping of fields ({FORMAT})")

    def fail(field_path, message):
        raise InputError(f"{path}: {field_path}: {message}")

    allowed = {"format", "site", "geography", "reporting_period", "electricity_consumed", "output", "instruments"}
    for key in data:
        if key not in allowed:
            fail(key, f"unknown field; expected one of {', '.join(sorted(allowed))}")
    if data.get("format", FORMAT) != FORMAT:
        fail("format", f"got {data.get('format')!r}; expected {FORMAT!r}")
    for key in ("site", "geography", "reporting_period", "electricity_consumed", "instruments"):
        if key not in data:
            fail(key, "missing; this field is required")
    name = str(data["site"])
    geography = str(data["geography"])
    if geography not in bundle.geographies:
        fail("geography", f"unknown geography {geography!r}; expected an id of inventories/geographies.csv")
    period = _period(data["reporting_period"], "reporting_period", fail)
    consumed = parse_quantity(data["electricity_consumed"], "MWh", where=f"{path}: electricity_consumed")
    if consumed.magnitude <= 0:
        fail("electricity_consumed", f"got {data['electricity_consumed']!r}; expected the site's consumption over the period, above zero")
    output, output_unit = _output(data.get("output"), fail)
    if not np.isfinite(consumed.magnitude):
        fail("electricity_consumed", f"got {data['electricity_consumed']!r}; expected a finite amount")
    site = SiteElectricity(name, geography, str(path), hashlib.sha256(raw).hexdigest(), period, float(consumed.magnitude),
                           output, output_unit)
    site.files = [site.file]
    instruments = data["instruments"] or []
    if not isinstance(instruments, list):
        fail("instruments", "expected a list of instruments")
    for index, item in enumerate(instruments):
        instrument = _instrument(item, f"instruments[{index}]", fail, path)
        instrument.file = site.file
        site.instruments.append(instrument)
    return site


def _period(value, field_path, fail):
    if not isinstance(value, dict) or set(value) != {"start", "end"}:
        fail(field_path, f"got {value!r}; expected {{start: YYYY-MM-DD, end: YYYY-MM-DD}}")
    start, end = _date(value["start"], f"{field_path}.start", fail), _date(value["end"], f"{field_path}.end", fail)
    if end < start:
        fail(field_path, f"ends ({end}) before it starts ({start})")
    return start, end


def _date(value, field_path, fail):
    try:
        return parse_date(value, where=field_path)
    except OptionError as exc:
        fail(field_path, exc.detail)


def _output(value, fail):
    if value is None:
        return {}, ""
    if not isinstance(value, dict) or not value:
        fail("output", "expected a mapping product id -> output over the period, such as {my-module: 800 MWp}")
    output = {}
    unit = None
    for product, amount in value.items():
        try:
            quantity = Quantity(amount) if isinstance(amount, str) else Quantity(float(amount), "piece")
        except Exception:
            fail(f"output.{product}", f"cannot read {amount!r}; expected an amount such as '800 MWp' or '1200000 pieces'")
        if unit is None:
            unit = quantity.units
        try:
            magnitude = float(quantity.to(unit).magnitude)
        except Exception:
            fail(f"output.{product}", f"got {amount!r}; expected the same kind of unit as the other products ({unit:~})")
        if magnitude < 0 or not np.isfinite(magnitude):
            fail(f"output.{product}", f"got {amount!r}; expected a finite, non-negative output")
        output[str(product)] = magnitude
    if sum(output.values()) <= 0:
        fail("output", "all outputs are zero; expected the site's output per product")
    return output, f"{unit:~}"


def _instrument(item, field_path, fail, path):
    if not isinstance(item, dict):
        fail(field_path, "expected a mapping {id, type, ...}")
    allowed = {"id", "type", "certificates", "amount", "market", "vintage", "technology", "emission_factor"}
    for key in item:
        if key not in allowed:
            fail(f"{field_path}.{key}", f"unknown field; expected one of {', '.join(sorted(allowed))}")
    if "id" not in item:
        fail(f"{field_path}.id", "missing; every instrument needs its certificate, contract or meter id")
    instrument_id = str(item["id"])
    where = f"{field_path} ({instrument_id})"
    kind = item.get("type")
    if kind not in INSTRUMENT_TYPES:
        fail(f"{where}.type", f"got {kind!r}; expected one of {', '.join(INSTRUMENT_TYPES)}")
    if kind == "gec":
        count = item.get("certificates")
        if not isinstance(count, int) or isinstance(count, bool) or count <= 0:
            fail(f"{where}.certificates", f"got {count!r}; expected a whole number of certificates (1 per MWh)")
        mwh = count * MWH_PER_CERTIFICATE
    else:
        if "amount" not in item:
            fail(f"{where}.amount", "missing; expected the electricity over the period, such as '20000 MWh'")
        mwh = float(parse_quantity(item["amount"], "MWh", where=f"{path}: {where}.amount").magnitude)
        if not mwh > 0 or not np.isfinite(mwh):
            fail(f"{where}.amount", f"got {item['amount']!r}; expected a finite amount above zero")
    # on-site PV needs no market (it never passes the grid), but one that is given is checked
    market = str(item.get("market") or "")
    if kind != "onsite_pv" and not market:
        fail(f"{where}.market", "missing; expected the country or market the instrument was issued in, such as CN")
    if "vintage" not in item:
        fail(f"{where}.vintage", "missing; expected the generation year (2024) or period {start, end}")
    vintage = item["vintage"]
    if isinstance(vintage, int) and not isinstance(vintage, bool):
        span, text = (_dt.date(vintage, 1, 1), _dt.date(vintage, 12, 31)), str(vintage)
    else:
        span = _period(vintage, f"{where}.vintage", fail)
        text = f"{span[0]}/{span[1]}"
    factor = None
    if item.get("emission_factor") is not None:
        factor = float(parse_quantity(item["emission_factor"], "kg_CO2_eq/kWh", where=f"{path}: {where}.emission_factor").magnitude)
        if factor < 0 or not np.isfinite(factor):
            fail(f"{where}.emission_factor", f"got {item['emission_factor']!r}; expected a finite, non-negative factor")
    return Instrument(instrument_id, kind, mwh, market, span, text, str(item.get("technology", "")), factor, where)


def _ancestors(bundle, geography):
    """The geography, the grids and regions that contain it, up to its country."""
    found = []
    queue = [geography]
    while queue:
        current = queue.pop(0)
        if not current or current in found or current == "GLO":
            continue
        found.append(current)
        place = bundle.geographies.get(current)
        if place is not None:
            queue.extend([place.grid, place.parent])
    return found


def check_site(site, *, bundle, product_id, grid):
    """Run the quality checks of a site's instruments for one product.

    ``site`` may pool several files of one site (:func:`pool_sites`); each message names
    the file that lists the instrument.

    Raises
    ------
    InputError
        The first failed check, naming the file, site and instrument.
    """
    markets = _ancestors(bundle, site.geography)
    seen = {}
    total = 0.0
    for instrument in site.instruments:
        where = f"{instrument.file or site.file}: site {site.name!r}: instrument {instrument.id}"
        if instrument.id in seen:
            elsewhere = "" if seen[instrument.id] == instrument.file else f" (also in {seen[instrument.id]})"
            raise InputError(f"{where}: listed twice{elsewhere}; an instrument is claimed once")
        seen[instrument.id] = instrument.file
        if instrument.market and instrument.market not in markets:
            raise InputError(f"{where}: market {instrument.market!r} is not the site's ({site.geography}); "
                             f"expected one of {', '.join(markets)} (same country or market)")
        start, end = site.period
        if instrument.vintage_text.isdigit():
            inside = start.year <= instrument.vintage[0].year <= end.year
        else:
            inside = start <= instrument.vintage[0] and instrument.vintage[1] <= end
        if not inside:
            raise InputError(f"{where}: vintage {instrument.vintage_text} is outside the reporting period {start}/{end}")
        total += instrument.mwh
        if total > site.consumed_mwh * (1 + 1e-12):
            files = f" (site files: {', '.join(site.files)})" if len(site.files) > 1 else ""
            raise InputError(f"{where}: brings the site's instruments to {total:,.0f} MWh, more than the "
                             f"{site.consumed_mwh:,.0f} MWh the site consumed{files}")
        if instrument.emission_factor is None and grid.scope not in GENERATION_SCOPES:
            raise InputError(f"{where}: emission_factor missing; the site's grid factor {grid.id} is {grid.scope}, "
                             "so the instrument needs its own factor on that basis (kg CO2-eq/kWh)")
    if site.output and product_id not in site.output:
        raise InputError(f"{site.file}: site {site.name!r}: output: product {product_id!r} is not listed; the site's "
                         f"instruments are allocated by output, expected one of {', '.join(site.output)}")


def pool_sites(files):
    """Pool the files that describe one site (same name, geography and reporting period).

    Parameters
    ----------
    files : list of SiteElectricity
        As read, one per file.

    Returns
    -------
    dict
        site key -> SiteElectricity holding the instruments of all its files.

    Raises
    ------
    InputError
        Two files of one site that disagree on its consumption or outputs.
    """
    pooled = {}
    for site in files:
        first = pooled.get(site.key)
        if first is None:
            merged = copy.copy(site)
            merged.instruments = list(site.instruments)
            merged.files = [site.file]
            pooled[site.key] = merged
            continue
        where = f"{site.file}: site {site.name!r}"
        if abs(site.consumed_mwh - first.consumed_mwh) > 1e-9 * max(site.consumed_mwh, first.consumed_mwh):
            raise InputError(f"{where}: electricity_consumed {site.consumed_mwh:,.0f} MWh, but {first.file} gives "
                             f"{first.consumed_mwh:,.0f} MWh for the same site and reporting period; the files of one site must agree")
        if site.output_unit != first.output_unit or set(site.output) != set(first.output) or any(
                abs(site.output[name] - first.output[name]) > 1e-9 * max(abs(first.output[name]), 1e-300) for name in site.output):
            raise InputError(f"{where}: output differs from {first.file} for the same site and reporting period; "
                             "the files of one site must give the same outputs")
        first.instruments.extend(site.instruments)
        first.files.append(site.file)
    return pooled


def plan(spec, chain, bundle):
    """Read and check every site electricity file of a product; split each stage's electricity.

    Returns
    -------
    ElectricityPlan
    """
    result = ElectricityPlan()
    stages = []  # (stage name, process, file key)
    for stage_name, stage in spec.stages.items():
        if stage.instruments is None or stage_name not in chain.processes:
            continue
        key = str(stage.instruments)
        if key not in result.sites:
            result.sites[key] = read_site_electricity(stage.instruments, bundle=bundle)
        site = result.sites[key]
        process = chain.processes[stage_name]
        if process.site != site.geography:
            raise InputError(f"{spec.source}: stages.{stage_name}.electricity_instruments: the stage is at {process.site} but "
                             f"{site.file} is for {site.geography}")
        stages.append((stage_name, process, key))
    pooled = pool_sites(list(result.sites.values()))
    owners = {}  # instrument id -> (site key, file), to refuse an instrument at two sites
    for site_key, site in pooled.items():
        grid = bundle.datasets[next(process.electricity_dataset for _, process, key in stages
                                    if result.sites[key].key == site_key)]
        check_site(site, bundle=bundle, product_id=spec.id, grid=grid)
        for instrument in site.instruments:
            if instrument.id in owners and owners[instrument.id][0] != site_key:
                raise InputError(f"{instrument.file}: site {site.name!r}: instrument {instrument.id}: already claimed in "
                                 f"{owners[instrument.id][1]}; an instrument is claimed once")
            owners.setdefault(instrument.id, (site_key, instrument.file))
    claims_by_key = {}
    sha256 = {site.file: site.sha256 for site in result.sites.values()}
    for stage_name, process, key in stages:
        site = pooled[result.sites[key].key]
        site_output = sum(site.output.values())
        share = site.output[spec.id] / site_output if site.output else 1.0
        stage_claims = []
        for instrument in site.instruments:
            claim_key = (site.key, instrument.id)
            claim = claims_by_key.get(claim_key)
            if claim is None:
                factor = instrument.emission_factor
                factor_source = f"{instrument.file}, {instrument.where}" if factor is not None else ZERO_FACTOR_SOURCE
                claim = InstrumentClaim(
                    id=instrument.id, type=instrument.type, site=site.name, file=instrument.file, stages=[], market=instrument.market,
                    vintage=instrument.vintage_text, technology=instrument.technology, site_mwh=instrument.mwh,
                    coverage=instrument.mwh / site.consumed_mwh, output_share=share, claimed_mwh=share * instrument.mwh,
                    emission_factor=factor or 0.0, emission_factor_source=factor_source,
                    in_location_based=instrument.type == "onsite_pv", geography=site.geography,
                    period=f"{site.period[0]}/{site.period[1]}", site_consumed_mwh=site.consumed_mwh,
                    product_output=site.output.get(spec.id, 0.0) if site.output else 0.0, site_output=site_output,
                    output_unit=site.output_unit, file_sha256=sha256.get(instrument.file, ""),
                )
                claims_by_key[claim_key] = claim
                result.claims.append(claim)
            claim.stages.append(stage_name)
            stage_claims.append(claim)
        result.stage_claims[stage_name] = stage_claims
        residual = _residual_dataset(bundle, process.site)
        result.residual[stage_name] = residual.id if residual is not None else process.electricity_dataset
    without = {}
    for stage_name, dataset in result.residual.items():
        if dataset == chain.processes[stage_name].electricity_dataset:
            without.setdefault((chain.processes[stage_name].site, dataset), []).append(stage_name)
    for (site, dataset), stages_without in without.items():
        result.notes.append(f"no residual mix is bundled for {site}: electricity of {', '.join(stages_without)} not covered by instruments "
                            f"takes the grid average {dataset} in the market-based result (GHG Protocol Scope 2 Guidance, chapter 6)")
    return result


def _residual_dataset(bundle, geography):
    for place in _ancestors(bundle, geography):
        dataset = bundle.datasets.get(f"electricity_residual_{place}")
        if dataset is not None:
            return dataset
    return None


def apply(chain, electricity_plan, *, market):
    """A copy of the chain with each stage's electricity split by the plan.

    Parameters
    ----------
    chain : footprint.model.chain.Chain
    electricity_plan : ElectricityPlan
    market : bool
        False: location-based (only on-site PV replaces grid electricity); True:
        market-based (every instrument, the rest from the residual mix).
    """
    result = copy.copy(chain)
    result.processes = dict(chain.processes)
    for stage_name, claims in electricity_plan.stage_claims.items():
        process = copy.copy(chain.processes[stage_name])
        process.flows = list(process.flows)
        grid_flows = [f for f in process.flows if f.kind == "dataset" and f.target == process.electricity_dataset]
        if not grid_flows:
            continue
        grid_flow = grid_flows[0]
        used = [claim for claim in claims if market or claim.in_location_based]
        uncovered = 1.0 - sum(claim.coverage for claim in used)
        rest_dataset = electricity_plan.residual[stage_name] if market else process.electricity_dataset
        index = process.flows.index(grid_flow)
        label = grid_flow.label if rest_dataset == process.electricity_dataset else f"electricity, residual mix ({rest_dataset})"
        process.flows[index] = Flow("dataset", rest_dataset, grid_flow.amount * uncovered, label, grid_flow.provenance)
        for claim in used:
            code = f"{stage_name}/electricity/{claim.id}"
            supply = Process(stage_name, f"electricity, {INSTRUMENT_TYPES[claim.type]} {claim.id}", "kWh", process.site, "")
            if claim.emission_factor > 0:
                supply.flows.append(Flow("gas", "co2e_aggregated", claim.emission_factor,
                                         f"{INSTRUMENT_TYPES[claim.type]} {claim.id}, emission factor",
                                         Provenance(True, claim.file, locator=claim.emission_factor_source)))
            result.processes[code] = supply
            process.flows.append(Flow("stage", code, grid_flow.amount * claim.coverage,
                                      f"electricity, {INSTRUMENT_TYPES[claim.type]} {claim.id}", grid_flow.provenance))
        result.processes[stage_name] = process
    return result
