"""Supplier-specific data: a supplier's declared footprint replaces an upstream stage.

A stage (polysilicon, wafer, cell ...) names a JSON file in the shape of a WBCSD PACT
``ProductFootprint`` [1]_ (one object, a list, or an API response ``{"data": [...]}``)::

    stages:
      wafer:
        supplier: suppliers/wafer-2025.pact.json        # or {file: ..., id: <footprint id>}

Fields read (PACT Technical Specification 2.x [1]_):

- ``pcf.declaredUnit`` (``kilogram``, ``square meter``; ``piece`` is accepted as well)
  and ``pcf.pCfExcludingBiogenic`` [kg CO2-eq per declared unit]: the value used;
- ``pcf.fossilGhgEmissions`` and ``pcf.dLucGhgEmissions``: reported as fossil and land use,
  the rest of ``pCfExcludingBiogenic`` as aggregated (unsplit);
- ``validityPeriodStart`` / ``validityPeriodEnd``; where absent, three years from
  ``pcf.referencePeriodEnd``, the longest validity the Pathfinder Framework allows [2]_.
  An expired declaration, one not yet valid, or a ``Deprecated`` one is refused;
- ``pcf.primaryDataShare`` [%] and ``pcf.dqi``: data quality, reported; the primary data
  share weighs the stage's contribution to the product's primary data share;
- ``pcf.characterizationFactors`` or ``pcf.ipccCharacterizationFactorsSources``: a GWP set
  other than the one requested is reported in the result's notes (a declared CO2-eq total
  cannot be re-characterised);
- ``pcf.assurance`` (provider, standard, date): the certificate reference.

A declaration per kg of wafer uses the wafer's mass from its area and thickness; per m2 of
wafer or cell uses the wafer area.

References
----------
.. [1] WBCSD PACT, Technical Specifications for PCF Data Exchange, version 2.x
   (ProductFootprint, CarbonFootprint, DataQualityIndicators, Assurance).
.. [2] WBCSD, Pathfinder Framework v2.0 (2023): PCFs have a maximum validity period of
   three years.
"""

import contextlib
import contextvars
import copy
import datetime as _dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from footprint.errors import FootprintError, InputError, OptionError, show
from footprint.fileio import add_years, load_json, read_bytes
from footprint.model.chain import SILICON_DENSITY, Flow, Process, Provenance, stage_parameter
from footprint.units import Quantity
from footprint.vocab import REFERENCE_UNITS

DECLARED_UNITS = {"kilogram": "kg", "square meter": "m**2", "piece": "piece"}
VALIDITY_YEARS = 3  # [2]


@dataclass
class SupplierFootprint:
    """A supplier's declared footprint, checked."""

    id: str
    company: str
    product: str
    file: str
    sha256: str
    declared_unit: str  # PACT name, e.g. "kilogram"
    value: float  # pCfExcludingBiogenic [kg CO2-eq per declared unit]
    fossil: float  # [kg CO2-eq per declared unit]
    land_use: float  # dLUC [kg CO2-eq per declared unit]
    characterization: str
    primary_data_share: object  # fraction 0..1, or None
    data_quality: dict
    validity: tuple  # (first day, last day)
    validity_source: str
    reference_period: tuple
    certificate: str
    status: str

    @property
    def unsplit(self):
        return self.value - self.fossil - self.land_use


@dataclass
class SupplierUse:
    """What the result reports for a stage taken from a supplier (``supplier`` entries)."""

    stage: str
    id: str
    company: str
    product: str
    file: str
    sha256: str
    declared_unit: str
    value: float
    per_reference_unit: float  # [kg CO2-eq per the stage's reference unit]
    characterization: str
    primary_data_share: object
    data_quality: dict
    validity: list
    validity_source: str
    certificate: str
    notes: list = field(default_factory=list)
    #: The shared database entry it came from (``registry:ENTRY@N``): id, version, sha256, state, owner; None for a file.
    entry: dict | None = None


#: How a product file names a shared database entry: ``registry:ENTRY@VERSION``.
REGISTRY_PREFIX = "registry:"
#: The resolver of ``registry:`` references in effect (:func:`resolving`), for callers that do not pass one.
#: This layer sits below the shared database and never imports it: a caller above binds a resolver to a registry.
RESOLVER: contextvars.ContextVar = contextvars.ContextVar("footprint_supplier_resolver", default=None)


@contextlib.contextmanager
def resolving(resolve):
    """Within the block, ``supplier: registry:ENTRY@N`` references are fetched with ``resolve``.

    Parameters
    ----------
    resolve : callable
        ``resolve(ref, *, as_of) -> (data, provenance)``, as :func:`footprint.shareddb.resolver` makes.

    Examples
    --------
    >>> from footprint.shareddb import resolver  # doctest: +SKIP
    >>> with resolving(resolver(registry="registry.sqlite")):  # doctest: +SKIP
    ...     result = footprint.compute("product.yaml")
    """
    token = RESOLVER.set(resolve)
    try:
        yield resolve
    finally:
        RESOLVER.reset(token)


def read_pact(path, *, footprint_id=None):
    """Read one product footprint from a PACT JSON file.

    Parameters
    ----------
    path : str or Path
    footprint_id : str, optional
        Which footprint when the file holds several.

    Raises
    ------
    InputError
        Not JSON, no or several footprints, a field missing or out of range.
    """
    path = Path(path)
    raw = read_bytes(path, what="the supplier's PACT file")
    data = load_json(raw, path, what="a PACT ProductFootprint")
    return parse_pact(data, where=path, sha256=hashlib.sha256(raw).hexdigest(), footprint_id=footprint_id)


def parse_pact(data, *, where, sha256, footprint_id=None):
    """Read one product footprint from PACT data already loaded (a file's JSON, a shared database entry's payload).

    Parameters
    ----------
    data : dict or list
        A ProductFootprint, a list of them, or an API response ``{"data": [...]}``.
    where : str or Path
        What errors and the result name it by: the file, or ``registry:ENTRY@N``.
    sha256 : str
        The SHA-256 recorded for it (the file's bytes, the entry's content).
    footprint_id : str, optional
        Which footprint when the data holds several.

    Raises
    ------
    InputError
    """
    path = where
    footprints = data.get("data") if isinstance(data, dict) and "data" in data else data
    footprints = footprints if isinstance(footprints, list) else [footprints]
    if footprint_id is not None:
        footprints = [fp for fp in footprints if isinstance(fp, dict) and str(fp.get("id")) == footprint_id]
        if not footprints:
            raise InputError(f"{path}: no product footprint with id {footprint_id!r}")
    if len(footprints) != 1:
        raise InputError(f"{path}: holds {len(footprints)} product footprints; name one with supplier: {{file: ..., id: ...}}")
    footprint = footprints[0]
    if not isinstance(footprint, dict) or not isinstance(footprint.get("pcf"), dict):
        raise InputError(f"{path}: expected a PACT ProductFootprint object with a 'pcf' object")
    pcf = footprint["pcf"]
    where = f"{path}: pcf"

    def number(key, *, required=True):
        value = pcf.get(key)
        if value is None:
            if required:
                raise InputError(f"{where}.{key}: missing; a PACT footprint must give it")
            return 0.0
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise InputError(f"{where}.{key}: got {show(value)} ({type(value).__name__}); expected a decimal number")
        try:
            number_value = float(value)
        except (TypeError, ValueError, OverflowError):
            raise InputError(f"{where}.{key}: got {show(value)}; expected a decimal number") from None
        if not np.isfinite(number_value) or number_value < 0:
            raise InputError(f"{where}.{key}: got {value!r}; expected a number >= 0 (kg CO2-eq per declared unit)")
        return number_value

    unit = pcf.get("declaredUnit")
    if unit not in DECLARED_UNITS:
        raise InputError(f"{where}.declaredUnit: got {unit!r}; expected one of {', '.join(DECLARED_UNITS)}")
    value = number("pCfExcludingBiogenic")
    fossil = number("fossilGhgEmissions")
    land_use = number("dLucGhgEmissions", required=False)
    if fossil + land_use > value * (1 + 1e-9) + 1e-12:
        raise InputError(f"{where}: fossilGhgEmissions + dLucGhgEmissions = {fossil + land_use:g} exceed pCfExcludingBiogenic = {value:g}")
    reference = (_timestamp(pcf.get("referencePeriodStart"), f"{where}.referencePeriodStart"),
                 _timestamp(pcf.get("referencePeriodEnd"), f"{where}.referencePeriodEnd"))
    if "validityPeriodEnd" in footprint:
        end = _timestamp(footprint["validityPeriodEnd"], f"{path}: validityPeriodEnd")
        start = _timestamp(footprint.get("validityPeriodStart") or pcf.get("referencePeriodEnd"), f"{path}: validityPeriodStart")
        validity_source = "validityPeriodStart/End"
    else:
        start = reference[1]
        end = add_years(reference[1], VALIDITY_YEARS)
        validity_source = f"referencePeriodEnd + {VALIDITY_YEARS} years (Pathfinder Framework maximum validity)"
    share = pcf.get("primaryDataShare")
    if share is not None:
        if isinstance(share, bool) or not isinstance(share, (int, float, str)):
            raise InputError(f"{where}.primaryDataShare: got {show(share)}; expected a percentage 0-100")
        try:
            share = float(share) / 100.0
        except (TypeError, ValueError):
            raise InputError(f"{where}.primaryDataShare: got {share!r}; expected a percentage 0-100") from None
        if not 0 <= share <= 1:
            raise InputError(f"{where}.primaryDataShare: got {pcf['primaryDataShare']!r}; expected a percentage 0-100")
    for key in ("companyName", "productNameCompany", "productDescription", "id", "status"):
        if footprint.get(key) is not None and not isinstance(footprint[key], str):
            raise InputError(f"{path}: {key}: got {show(footprint[key])} ({type(footprint[key]).__name__}); expected text")
    sources = pcf.get("ipccCharacterizationFactorsSources") or []
    if not isinstance(sources, list) or not all(isinstance(source, str) for source in sources):
        raise InputError(f"{where}.ipccCharacterizationFactorsSources: got {show(sources)}; expected a list of texts such as ['AR6']")
    if pcf.get("characterizationFactors") is not None and not isinstance(pcf["characterizationFactors"], str):
        raise InputError(f"{where}.characterizationFactors: got {show(pcf['characterizationFactors'])}; expected text such as 'AR6'")
    quality = pcf.get("dqi") or pcf.get("dataQualityRating") or {}
    if not isinstance(quality, dict):
        raise InputError(f"{where}.dqi: got {show(quality)}; expected an object of data quality indicators")
    characterization = pcf.get("characterizationFactors") or ",".join(sources) or "unknown"
    return SupplierFootprint(
        id=str(footprint.get("id", "")), company=str(footprint.get("companyName", "")),
        product=str(footprint.get("productNameCompany") or footprint.get("productDescription") or ""),
        file=str(path), sha256=sha256, declared_unit=unit, value=value, fossil=fossil,
        land_use=land_use, characterization=str(characterization), primary_data_share=share,
        data_quality=dict(quality), validity=(start, end),
        validity_source=validity_source, reference_period=reference, certificate=_assurance(pcf.get("assurance")),
        status=str(footprint.get("status", "Active")),
    )


#: PACT data model version of the declarations :func:`declaration` writes [1]_.
SPEC_VERSION = "2.3.3"
#: A supplier's own stage: its declared unit in footprint -> (PACT declaredUnit, per piece?).
#: PACT has no "piece" unit: wafers and cells are declared per square metre of wafer; a cell's
#: result per m2 (``m2-cell``) is that already. PACT has no watt either (:data:`NOT_DECLARABLE`).
STAGE_DECLARED = {"kg-polysilicon": ("kilogram", False), "kg-ingot": ("kilogram", False),
                  "wafer": ("square meter", True), "cell": ("square meter", True), "m2-cell": ("square meter", False)}
#: Results a PACT declaration cannot carry, and why.
NOT_DECLARABLE = {"W-cell": "PACT's declaredUnit has no watt (liter, kilogram, cubic meter, kilowatt hour, megajoule, "
                            "ton kilometer, square meter); expected a result per cell or m2-cell, declared per square meter "
                            "(the module maker's file converts it with its own wafer area)"}
#: UN CPC Ver. 2.1 subclass 47150 (photosensitive semiconductor devices, incl. photovoltaic
#: cells), as footprint.report.pact cites it for modules; no subclass is assumed for
#: polysilicon, ingots or wafers (give ``cpc``).
CPC_CELLS = "47150"


def declaration(result, *, company, period, cpc=None, created=None, validity=None):
    """A supplier's own stage as a PACT ProductFootprint that a module maker's file can reference.

    Parameters
    ----------
    result : dict
        ``FootprintResult.to_dict()`` of a product file for one stage (``product.stage``),
        per its own unit: ``kg-polysilicon``, ``kg-ingot``, ``wafer``, ``cell`` or ``m2-cell``.
    company : str
        The declaring company (``companyName``; a vendor-assigned code in ``companyIds``).
    period : (datetime.date, datetime.date)
        First and last day of the period the figures describe (``referencePeriodStart``/``End``).
    cpc : str, optional
        UN CPC code of the product (``productCategoryCpc``); required except for cells.
    created : str, optional
        ISO timestamp; the result's ``computed_at`` by default.
    validity : (datetime.date, datetime.date), optional
        ``validityPeriodStart``/``End``; without it a reader takes the reference period's end
        plus three years (Pathfinder Framework).

    Returns
    -------
    dict
        JSON-ready; its ``pcf.pCfExcludingBiogenic`` is the result's total per kg, or per m2 of
        wafer (a wafer's or cell's result divided by ``stages.wafer.wafer_area``).

    Raises
    ------
    InputError
        A result of another declared unit, a missing wafer area, CPC code or company.
    """
    unit = str(result.get("declared_unit", "")).removeprefix("1 ")
    if unit in NOT_DECLARABLE:
        raise InputError(f"declaration: the result is per {unit}; {NOT_DECLARABLE[unit]}")
    if unit not in STAGE_DECLARED:
        raise InputError(f"declaration: the result is per {unit!r}; a supplier's declaration is per "
                         f"{', '.join(STAGE_DECLARED)} (a product file with product.stage)")
    if not company:
        raise InputError("declaration: company missing; a PACT footprint names the company that declares it")
    cpc = cpc or (CPC_CELLS if unit in ("cell", "m2-cell") else None)
    if not cpc:
        # an OptionError: the command line names its --cpc, the one thing the user must add
        raise OptionError("cpc", f"missing; give the UN CPC code of the product (none is assumed for {unit})")
    declared_unit, per_piece = STAGE_DECLARED[unit]
    amount = 1.0
    if per_piece:
        area = (result.get("parameters") or {}).get("stages.wafer.wafer_area")
        if area is None:
            raise InputError("declaration: the result has no stages.wafer.wafer_area; a wafer or cell is declared per m2 of wafer")
        amount = float(Quantity(area["value"], area["unit"].replace("²", "**2")).to("m**2").magnitude)
    origins = {key: float(part["value"]) for key, part in (result.get("by_origin") or {}).items()}
    total = float(result["total"]["value"])
    biogenic = origins.get("biogenic", 0.0)
    gwp = "AR5" if "AR5" in str(result.get("gwp", "")) else "AR6"
    start, end = period
    stages = ", ".join(result.get("by_stage", {}))
    pcf = {
        "declaredUnit": declared_unit,
        "unitaryProductAmount": _decimal(amount),
        "pCfExcludingBiogenic": _decimal(max(total - biogenic, 0.0) / amount),
        "pCfIncludingBiogenic": _decimal(total / amount),
        "fossilGhgEmissions": _decimal(origins.get("fossil", 0.0) / amount),
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "dLucGhgEmissions": _decimal(origins.get("land_use", 0.0) / amount),
        "characterizationFactors": gwp,
        "ipccCharacterizationFactorsSources": [gwp],
        "crossSectoralStandardsUsed": ["ISO Standard 14067"],
        "crossSectoralStandards": ["ISO14067"],
        "boundaryProcessesDescription": f"Cradle to gate: {stages}; electricity of each stage from its site's grid "
                                        "(location-based).",
        "referencePeriodStart": _utc_day(start),
        "referencePeriodEnd": _utc_day(end + _dt.timedelta(days=1)),  # PACT's end is excluded
        "secondaryEmissionFactorSources": [{"name": "footprint bundled inventories",
                                            "version": str(result.get("data_version") or "unknown")}],
        "exemptedEmissionsPercent": 0,
        "exemptedEmissionsDescription": "No emissions are exempted by a cut-off rule; inputs the bundled inventory "
                                        "does not contain are not modelled.",
        "packagingEmissionsIncluded": False,
    }
    share = result.get("primary_data_share")
    if isinstance(share, (int, float)):
        pcf["primaryDataShare"] = round(float(share) * 100.0, 6)
    name = str(result.get("product_name") or result.get("product") or unit)
    digest = hashlib.sha256(f"{result.get('product')}|{result.get('inputs_sha256')}|{company}|{start}|{end}".encode()).hexdigest()
    footprint = {
        "id": f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-{'89ab'[int(digest[16], 16) % 4]}{digest[17:20]}-{digest[20:32]}",
        "specVersion": SPEC_VERSION,
        "version": 0,
        "created": _utc_text(created or result.get("computed_at")),
        "status": "Active",
        "companyName": company,
        "companyIds": [f"urn:pact:company:customcode:vendor-assigned:{_urn_part(company)}"],
        "productDescription": f"{name}, {result.get('declared_unit')}",
        "productIds": [f"urn:pact:footprint:supplier-id:{_urn_part(result.get('product') or name)}"],
        "productCategoryCpc": cpc,
        "productNameCompany": name,
        "comment": (f"{total:.6g} kg CO2e per {unit}, computed by footprint {result.get('library_version', '')} "
                    f"(data {result.get('data_version', '')}; inputs sha256 {result.get('inputs_sha256', '')}); "
                    "self-declared, not verified by a third party."),
        "pcf": pcf,
    }
    if validity is not None:
        footprint["validityPeriodStart"] = _utc_day(validity[0])
        footprint["validityPeriodEnd"] = _utc_day(validity[1] + _dt.timedelta(days=1))
    return footprint


def _decimal(value):
    """A PACT Decimal: a JSON string in fixed notation."""
    text = f"{float(value):.9f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _utc_text(text):
    """An ISO timestamp (now if empty) as PACT writes it: UTC with a Z."""
    moment = _dt.datetime.fromisoformat(str(text)) if text else _dt.datetime.now(_dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_day(day):
    return f"{day.isoformat()}T00:00:00Z"


def _urn_part(text):
    """A URN's namespace-specific string from free text (RFC 8141)."""
    import re
    from urllib.parse import quote

    return quote(re.sub(r"\s+", "-", str(text).strip()), safe="-._~") or "unnamed"


def _timestamp(value, where):
    if value is None:
        raise InputError(f"{where}: missing; expected an ISO 8601 date-time such as 2024-12-31T23:59:59Z")
    try:
        stamp = _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: got {value!r}; expected an ISO 8601 date-time such as 2024-12-31T23:59:59Z") from None
    return stamp.date()




def _assurance(assurance):
    if not isinstance(assurance, dict) or not assurance.get("assurance", True):
        return ""
    parts = [str(assurance[key]) for key in ("providerName", "standardName", "level", "completedAt", "comments") if assurance.get(key)]
    return "; ".join(parts)


def check_valid(footprint, *, as_of):
    """Refuse an expired, not yet valid or deprecated declaration.

    Raises
    ------
    InputError
    """
    start, end = footprint.validity
    where = f"{footprint.file}: product footprint {footprint.id or '(no id)'}"
    if footprint.status.lower() == "deprecated":
        raise InputError(f"{where}: status Deprecated; expected an Active declaration")
    if as_of > end:
        raise InputError(f"{where}: expired on {end} ({footprint.validity_source}); the calculation date is {as_of}")
    if as_of < start:
        raise InputError(f"{where}: valid only from {start}; the calculation date is {as_of}")


def apply(chain, spec, *, bundle, as_of, gwp, resolve=None):
    """Replace each stage with a ``supplier:`` by the declared footprint.

    The chain must have been built with those stages (and their upstream) left out.

    Parameters
    ----------
    resolve : callable, optional
        ``resolve(ref, *, as_of) -> (data, provenance)`` for a ``supplier: registry:ENTRY@N``
        (:func:`footprint.shareddb.resolver`; this layer does not import the shared database).
        Default: the one in effect (:func:`resolving`); without any, such a reference is refused.

    Returns
    -------
    (Chain, list of SupplierUse)
    """
    uses = []
    result = chain
    resolve = resolve or RESOLVER.get()
    for stage_name, stage in spec.stages.items():
        if stage.supplier is None:
            continue
        path, footprint_id = stage.supplier
        entry = None
        if isinstance(path, str) and path.startswith(REGISTRY_PREFIX):
            footprint, entry = read_entry(path, resolve=resolve, as_of=as_of, where=f"{spec.source}: stages.{stage_name}.supplier")
        else:
            footprint = read_pact(path, footprint_id=footprint_id)
        check_valid(footprint, as_of=as_of)
        factor = _per_reference_unit(footprint, stage_name, spec, bundle)
        provenance = Provenance(True, f"{footprint.file} ({footprint.company}, {footprint.id})", locator=footprint.certificate,
                                share=footprint.primary_data_share if footprint.primary_data_share is not None else 0.0)
        process = Process(stage_name, f"{stage_name}, supplier-declared ({footprint.company or footprint.id})",
                          REFERENCE_UNITS[stage_name], stage.site, "")
        for gas, amount in (("co2e_fossil_declared", footprint.fossil), ("co2e_land_use_declared", footprint.land_use),
                            ("co2e_aggregated", footprint.unsplit)):
            if amount > 0:
                process.flows.append(Flow("gas", gas, factor * amount, f"supplier-declared footprint ({gas.split('_')[1]})", provenance))
        if result is chain:
            result = copy.copy(chain)
            result.processes = dict(chain.processes)
        result.processes[stage_name] = process
        use = SupplierUse(stage_name, footprint.id, footprint.company, footprint.product, footprint.file, footprint.sha256,
                          footprint.declared_unit, footprint.value, _scalar(factor * footprint.value), footprint.characterization,
                          footprint.primary_data_share, footprint.data_quality,
                          [footprint.validity[0].isoformat(), footprint.validity[1].isoformat()], footprint.validity_source,
                          footprint.certificate, entry=entry)
        wanted = gwp.upper()
        if wanted not in footprint.characterization.upper():
            use.notes.append(f"{stage_name}: the supplier declared with {footprint.characterization} characterisation factors, "
                             f"the result uses {wanted}; a declared CO2-eq total cannot be re-characterised")
        if footprint.primary_data_share is None:
            use.notes.append(f"{stage_name}: the supplier declared no primaryDataShare; its contribution counts as secondary data")
        uses.append(use)
    # restore the stage order: upstream first, as the chain was built
    if result is not chain:
        order = [code for code in ("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module") if code in result.processes]
        order += [code for code in result.processes if code not in order]
        result.processes = {code: result.processes[code] for code in order}
    return result, uses


def fetch_entry(ref, *, resolve, as_of, where):
    """A shared database entry's data and provenance through ``resolve``: its refusal, or a missing resolver, as an
    InputError with ``where`` (the product file's field) in front."""
    if resolve is None:
        raise InputError(f"{where}: {ref} is a shared database entry, but no shared database was given; expected "
                         "FOOTPRINT_REGISTRY (the command line), or footprint.supplier.resolving(footprint.shareddb.resolver(...))")
    try:
        return resolve(ref, as_of=as_of)
    except FootprintError as error:
        raise InputError(f"{where}: {error}") from None


def read_entry(ref, *, resolve, as_of, where):
    """The PACT payload of a shared database entry (``registry:ENTRY@N``), and what the result records of the entry.

    ``resolve`` refuses an entry that is missing, not validated, withdrawn or not valid on
    ``as_of``, with the reason; the refusal is given again with ``where`` (the product file's field) in front.

    Returns
    -------
    (SupplierFootprint, dict)
        The declaration (its ``file`` is the reference, its ``sha256`` the entry's) and
        ``{"ref", "id", "version", "sha256", "state", "owner"}``.

    Raises
    ------
    InputError
    """
    data, provenance = fetch_entry(ref, resolve=resolve, as_of=as_of, where=where)
    name = f"{REGISTRY_PREFIX}{provenance['id']}@{provenance['version']}"
    if data.get("kind") != "supplier_declaration" or not isinstance(data.get("payload"), dict):
        raise InputError(f"{where}: {name} is a {str(data.get('kind')).replace('_', ' ')} entry without a PACT payload; "
                         "expected a supplier_declaration entry carrying a PACT ProductFootprint")
    footprint = parse_pact(data["payload"], where=name, sha256=provenance["sha256"])
    entry = {"ref": name, "id": provenance["id"], "version": provenance["version"], "sha256": provenance["sha256"],
             "state": provenance.get("state"), "owner": provenance.get("owner")}
    return footprint, entry


def _per_reference_unit(footprint, stage_name, spec, bundle):
    """Declared units per reference unit of the stage (kg, or one piece)."""
    reference = REFERENCE_UNITS[stage_name]
    unit = DECLARED_UNITS[footprint.declared_unit]
    where = f"{spec.source}: stages.{stage_name}.supplier"
    if reference == "kg":
        if unit != "kg":
            raise InputError(f"{where}: {footprint.file} declares per {footprint.declared_unit}; {stage_name} needs a footprint per kilogram")
        return 1.0
    if unit == "piece":
        return 1.0
    area = _scalar(stage_parameter(spec, bundle, "wafer", "wafer_area", "m**2")[0].magnitude)
    if unit == "m**2":
        return area
    if stage_name == "wafer":
        thickness = _scalar(stage_parameter(spec, bundle, "wafer", "thickness", "m")[0].magnitude)
        return _scalar((Quantity(area, "m**2") * Quantity(thickness, "m") * SILICON_DENSITY).to("kg").magnitude)
    raise InputError(f"{where}: {footprint.file} declares per kilogram; a {stage_name} declaration must be per piece or per square meter")


def _scalar(value):
    return float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)
