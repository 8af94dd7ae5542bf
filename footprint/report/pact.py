"""A PACT ProductFootprint (WBCSD PACT Technical Specifications for PCF Data Exchange, v2.3.3).

PACT's declared units are mass, volume, energy, area and transport work, not kWp or pieces: a
module's footprint is exchanged per square metre (``"square meter"``), with
``unitaryProductAmount`` the module's area. The per-kWp value the schemes use goes in
``comment``. Every number the specification types as a Decimal is a JSON string in fixed
notation (``"92.7"``, never ``9.27e1``); a field this library cannot fill is left out rather
than sent as null, except where the specification requires it (then :func:`product_footprint`
refuses, naming what is missing).

``status`` says whether recipients may use the footprint. PACT v2 knows only ``Active`` ("CAN
be used by data recipients") and ``Deprecated`` ("SHOULD NOT be used ... by data recipients").
So ``Active`` only for a certified evaluation that passes, with its validity period. Everything
else is ``Deprecated`` with ``statusComment`` saying why: an expired certificate, and a draft
(self-assessed, incomplete or failed), whose ``comment`` starts "DRAFT, not for exchange". A
draft's id differs from the certified footprint's of the same result (it follows the label id,
which holds the certificate number and issue date), so deprecating a draft never deprecates a
certificate.

``id`` is a UUID in the version-4 layout (RFC 9562: version nibble 4, variant 10) whose other
bits are the SHA-256 of the label id: the same dossier gives the same id, and an id is never
reused for another result, scheme or certificate.

References
----------
.. [1] WBCSD, Technical Specifications for PCF Data Exchange, version 2.3.3 (2025-12-11),
   github.com/wbcsd/data-exchange-protocol ``spec/v2/index.bs``: section "Data Type:
   ProductFootprint" (properties), "Data Type: CarbonFootprint" (properties, scope),
   "DataQualityIndicators", "EmissionFactorDS", "CompanyId" (custom company codes,
   ``urn:pact:company:customcode:vendor-assigned:...``), "Product Identifier URN's"
   (``urn:pact:$domain-of-issuer$:$identifier-type$:$id$``), "Decimal", "DateTime" (ISO 8601,
   UTC), "PfId" (UUID v4).
.. [2] United Nations, Central Product Classification (CPC) Ver. 2.1 (2015): subclass 47150,
   diodes, transistors and similar semiconductor devices; photosensitive semiconductor
   devices, including photovoltaic cells whether or not assembled in modules.
.. [3] Carbon content of polymers from their repeat units and IUPAC standard atomic weights
   (C 12.011, H 1.008, O 15.999, Cl 35.45): polyethylene and polypropylene (CH2)n 0.8563,
   PET C10H8O4 0.6250, PVC C2H3Cl 0.3844 kg C/kg.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid

from footprint._version import __version__
from footprint.errors import OptionError
from footprint.labels import gwp_id, optional

SPEC_VERSION = "2.3.3"
#: UN CPC Ver. 2.1 subclass of photovoltaic cells and modules [2].
CPC_PV_MODULES = "47150"
#: kg of fossil carbon per kg of the bundled polymer datasets (stoichiometric, [3]); the
#: encapsulant is valued as LDPE, as the inventory models it. Packaging (paperboard) is not
#: part of the product.
FOSSIL_CARBON_FRACTION = {"ldpe": 0.8563, "hdpe": 0.8563, "polypropylene": 0.8563, "pet": 0.6250, "pvc": 0.3844}
#: Words of an inventory input that make it packaging (the inventory then includes packaging).
PACKAGING_WORDS = ("packaging", "pallet", "carton")
_GWP_OF_SOURCE = re.compile(r"GWP set stated in the data file: (AR\d+)")


def product_footprint(result, decision, chain, *, company=None, period=None, created=None):
    """Build the PACT ProductFootprint object for a result (per kWp) and its label decision.

    Parameters
    ----------
    result : dict
        ``FootprintResult.to_dict()``, per kWp.
    decision : footprint.labels.LabelDecision
    chain : footprint.model.chain.Chain
        Gives the module's rated power, area and materials.
    company : str, optional
        The company that declares the footprint (``companyName``; its vendor-assigned company
        code in ``companyIds``). Required for a certified (``Active``) footprint.
    period : (datetime.date, datetime.date)
        First and last day of the reporting period (``referencePeriodStart``/``End``).
    created : str, optional
        ISO timestamp of the footprint; the result's ``computed_at`` by default.

    Returns
    -------
    dict
        JSON-ready, valid against the data model of PACT v2.3.3.

    Raises
    ------
    OptionError
        No period, or a certified footprint without a company.
    """
    if period is None:
        raise OptionError("period", "a PACT footprint needs the reporting period of its figures (referencePeriodStart/End); "
                                    "give --period 2024 (or START/END dates)")
    status, why = pact_status(decision)
    if status == "Active" and not company:
        raise OptionError("company", "an Active PACT footprint needs the company that declares it (companyName, companyIds); give --company")
    kwp = float(chain.rated_power.to("kW").magnitude)
    area = float(chain.area.to("m**2").magnitude)
    per_kwp = float(result["total"]["value"])
    to_m2 = kwp / area  # [kWp/m2]: (kg/kWp) x (kWp/m2) = kg/m2
    origins = {key: float(part["value"]) for key, part in (result.get("by_origin") or {}).items()}
    biogenic = origins.get("biogenic", 0.0)
    unsplit = sum(value for key, value in origins.items() if key not in ("fossil", "biogenic", "land_use"))
    share = optional(result, "primary_data_share")
    if isinstance(share, dict):
        share = share.get("value")
    start, end = period
    lifecycle = {"status": status}
    if why:
        lifecycle["statusComment"] = why
    if (status == "Active" or decision.status == "expired") and decision.issued and decision.valid_until:
        lifecycle.update(_validity(decision, end))
    gwps = _gwp_sets(result)
    grade = decision.grade_text["en"] if decision.grade_text else ""
    name = result.get("product_name") or result.get("product") or "module"
    pcf = {
        "declaredUnit": "square meter",
        "unitaryProductAmount": decimal(area),
        "pCfExcludingBiogenic": decimal(max(per_kwp - biogenic, 0.0) * to_m2),
        "pCfIncludingBiogenic": decimal(per_kwp * to_m2),
        "fossilGhgEmissions": decimal(origins.get("fossil", 0.0) * to_m2),
        "fossilCarbonContent": decimal(fossil_carbon_content(chain) / area),
        "biogenicCarbonContent": "0",
        "dLucGhgEmissions": decimal(origins.get("land_use", 0.0) * to_m2),
        "otherBiogenicGhgEmissions": decimal(max(biogenic, 0.0) * to_m2),
        "biogenicCarbonWithdrawal": "0",
        "characterizationFactors": min(gwps, key=lambda ar: int(ar[2:])),
        "ipccCharacterizationFactorsSources": gwps,
        "crossSectoralStandardsUsed": ["ISO Standard 14067"],
        "crossSectoralStandards": ["ISO14067"],
        "productOrSectorSpecificRules": [{"operator": "Other", "ruleNames": [decision.scheme],
                                          "otherOperatorName": decision.scheme_name.get("en") or decision.scheme}],
        "biogenicAccountingMethodology": "ISO",
        "boundaryProcessesDescription": f"Cradle to gate: {', '.join(result.get('by_stage', {}))}; "
                                        "electricity of each stage from its site's grid (location-based).",
        "referencePeriodStart": _utc(start),
        "referencePeriodEnd": _utc(end + datetime.timedelta(days=1)),  # PACT's end is excluded
        **_geography(chain),
        "secondaryEmissionFactorSources": [{"name": "footprint bundled inventories",
                                            "version": str(result.get("data_version") or "unknown")}],
        "exemptedEmissionsPercent": 0,
        "exemptedEmissionsDescription": "No emissions are exempted by a cut-off rule. Inputs the inventory does not "
                                        "contain (listed in the study report's cut-off section) are not modelled and "
                                        "not estimated.",
        "packagingEmissionsIncluded": includes_packaging(chain),
    }
    if share is not None:
        pcf["primaryDataShare"] = round(float(share) * 100.0, 6)  # the result's share is a fraction
    uncertainty = optional(result, "uncertainty")
    if uncertainty is not None:
        if isinstance(uncertainty, dict) and "iterations" in uncertainty:
            from footprint.uncertainty.section import describe_uncertainty

            uncertainty = describe_uncertainty(uncertainty)
        pcf["uncertaintyAssessmentDescription"] = str(uncertainty)
    comment = ((f"DRAFT, not for exchange: {why} " if status != "Active" and decision.status != "expired" else "")
               + f"{per_kwp:.6g} kg CO2e/kWp; {per_kwp * kwp:.6g} kg CO2e per module ({kwp:g} kWp, {area:g} m2). "
               + f"Scheme {decision.scheme}: {decision.status}, {decision.outcome}"
               + (f", {grade}" if grade else "")
               + ("" if decision.rule_confirmed else " (rule unconfirmed)")
               + (f". fossilGhgEmissions counts the gases of fossil origin; {unsplit * to_m2:.4g} kg CO2e/m2 comes from "
                  "sources that give a CO2e total without a gas or origin split and is not in it" if unsplit else "")
               + f". Result sha256 {decision.result_sha256}. footprint {__version__}.")
    return {
        "id": footprint_id(decision),
        "specVersion": SPEC_VERSION,
        "version": 0,
        "created": _utc_text(created or result.get("computed_at")),
        **lifecycle,
        "companyName": company or "not given",
        "companyIds": [f"urn:pact:company:customcode:vendor-assigned:{_urn_part(company or 'not-given')}"],
        "productDescription": f"{name}: {chain.technology} photovoltaic module, {kwp * 1000:g} W, {area:g} m2",
        "productIds": [f"urn:pact:footprint:supplier-id:{_urn_part(result.get('product') or name)}"],
        "productClassifications": [f"urn:cpc:{CPC_PV_MODULES}"],
        "productCategoryCpc": CPC_PV_MODULES,
        "productNameCompany": name,
        "comment": comment,
        "pcf": pcf,
    }


def pact_status(decision):
    """PACT ``status`` for a label decision, and why: (``"Active"`` or ``"Deprecated"``, comment or None).

    ``Active`` only for a certificate whose evaluation passes; ``Deprecated`` (recipients
    should not use it) for an expired certificate and for a draft: a self-assessment, or an
    evaluation that is incomplete or fails.
    """
    if decision.status == "expired":
        return "Deprecated", f"certificate {decision.certificate} expired on {decision.valid_until} (evaluated on {decision.as_of})."
    if decision.status == "self-assessed":
        return "Deprecated", (f"draft, never active: self-assessed, not certified (no certificate number), "
                              f"{decision.scheme} outcome {decision.outcome}.")
    if decision.outcome != "pass":
        return "Deprecated", f"draft, never active: certificate {decision.certificate} given, but the {decision.scheme} evaluation is {decision.outcome}."
    return "Active", None


def footprint_id(decision):
    """The footprint's id: a UUID in the version-4 layout made from the label id's SHA-256."""
    from footprint.report.label_art import label_id

    digest = bytearray(hashlib.sha256(f"pact:{label_id(decision)}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x40  # version 4
    digest[8] = (digest[8] & 0x3F) | 0x80  # variant 10 (RFC 9562)
    return str(uuid.UUID(bytes=bytes(digest)))


def decimal(value, digits=6):
    """A PACT Decimal: a JSON string in fixed notation with ``digits`` significant digits, no exponent."""
    value = float(value)
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text or "E" in text:
        exponent = int(text.lower().split("e")[1])
        text = f"{value:.{max(digits - 1 - exponent, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fossil_carbon_content(chain):
    """kg of fossil carbon in one module: the polymers of its bill of materials (:data:`FOSSIL_CARBON_FRACTION`)."""
    total = 0.0
    module = chain.processes.get("module")
    for flow in (module.flows if module is not None else []):
        if flow.kind == "dataset" and flow.target in FOSSIL_CARBON_FRACTION:
            total += float(flow.amount) * FOSSIL_CARBON_FRACTION[flow.target]
    return total


def includes_packaging(chain):
    """Whether the inventory has a packaging input (and so the footprint includes its emissions)."""
    for process in chain.processes.values():
        for flow in process.flows:
            if any(word in f"{flow.target} {flow.label}".lower() for word in PACKAGING_WORDS):
                return True
    return False


def _gwp_sets(result):
    """The IPCC reports of every characterisation in the result: its own set and those its sources kept."""
    own = (gwp_id(result) or "").upper()
    found = {own} if own else set()
    for note in result.get("notes") or []:
        found.update(_GWP_OF_SOURCE.findall(str(note)))
    if not found:
        raise OptionError("gwp", "the result names no IPCC GWP set; PACT needs ipccCharacterizationFactorsSources")
    return sorted(found, key=lambda ar: int(ar[2:]))


def _geography(chain):
    """``geographyCountry`` when every site is in one country; nothing (global) otherwise."""
    countries = {str(process.site).split("-")[0].upper() for process in chain.processes.values() if process.site}
    if len(countries) == 1:
        (country,) = countries
        if re.fullmatch(r"[A-Z]{2}", country):
            return {"geographyCountry": country}
    return {}


def _validity(decision, reference_end):
    """validityPeriodStart/End of a certificate, when they meet PACT's rules (start on or after the
    reference period's end, end at most 3 years after it); else nothing (the default: 3 years)."""
    start = datetime.date.fromisoformat(str(decision.issued))
    end = datetime.date.fromisoformat(str(decision.valid_until)) + datetime.timedelta(days=1)  # excluded
    period_end = reference_end + datetime.timedelta(days=1)
    limit = period_end.replace(year=period_end.year + 3) if not (period_end.month == 2 and period_end.day == 29) \
        else period_end.replace(year=period_end.year + 3, day=28)
    if start < period_end or end <= start or end > limit:
        return {}
    return {"validityPeriodStart": _utc(start), "validityPeriodEnd": _utc(end)}


def _utc(day):
    return f"{day.isoformat()}T00:00:00Z"


def _utc_text(text):
    """An ISO timestamp as PACT writes it: UTC with Z."""
    if not text:
        moment = datetime.datetime.now(datetime.timezone.utc)
    else:
        moment = datetime.datetime.fromisoformat(str(text))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _urn_part(text):
    """A URN's namespace-specific string from free text: spaces as -, other characters percent-encoded (RFC 8141)."""
    from urllib.parse import quote

    return quote(re.sub(r"\s+", "-", str(text).strip()), safe="-._~") or "unnamed"
