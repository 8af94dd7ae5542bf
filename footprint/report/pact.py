"""A PACT-shaped product footprint (WBCSD PACT Technical Specifications, data model v2).

PACT's declared units are mass, volume, energy, area and transport work, not kWp or
pieces: a module's footprint is exchanged per square metre (``"square meter"``), with
``unitaryProductAmount`` the module's area. The per-kWp value the schemes use goes in
``comment``. Fields this library does not compute (carbon content of the product,
reference period, exempted emissions, product category) are ``null`` rather than guessed;
fill them before exchanging the file.

``status`` says whether recipients may use the footprint. PACT v2 knows only ``Active`` and
``Deprecated`` ("no longer valid"), no draft. So ``Active`` only for a certified evaluation
that passes: a certificate number and its dates, every requirement met. An expired
certificate is ``Deprecated``. A draft (self-assessed, incomplete or failed) has no ``status``
at all, no validity period, and says why in ``statusComment`` and ``comment``: PACT requires
``status``, so a conforming host refuses the file rather than take a draft for an active
footprint; ``Deprecated`` would wrongly say that it once was one.

References
----------
.. [1] WBCSD, PACT Technical Specifications for PCF Data Exchange, version 2 (field names
   and declared-unit list; ``status`` Active or Deprecated, section "Product Footprint
   Lifecycle": a footprint that is no longer valid is set to Deprecated).
"""

import uuid

from footprint._version import __version__
from footprint.labels import gwp_id, optional

SPEC_VERSION = "2.2.0"
NAMESPACE = uuid.UUID("9d3c4f55-2b8e-4a51-8f4b-70616374706e")


def product_footprint(result, decision, chain, *, company=None):
    """Build the PACT ProductFootprint object for a result (per kWp) and its label decision.

    Parameters
    ----------
    result : dict
        ``FootprintResult.to_dict()``, per kWp.
    decision : footprint.labels.LabelDecision
    chain : footprint.model.chain.Chain
        Gives the module's rated power and area, to convert per kWp to per m2.
    company : str, optional
        The company that declares the footprint.

    Returns
    -------
    dict
        JSON-ready.
    """
    kwp = float(chain.rated_power.to("kW").magnitude)
    area = float(chain.area.to("m**2").magnitude)
    per_kwp = float(result["total"]["value"])
    to_m2 = kwp / area  # [kWp/m2]: (kg/kWp) x (kWp/m2) = kg/m2
    origins = {key: float(part["value"]) for key, part in (result.get("by_origin") or {}).items()}
    biogenic = origins.get("biogenic", 0.0)
    share = optional(result, "primary_data_share")
    if isinstance(share, dict):
        share = share.get("value")
    gwp = (gwp_id(result) or "ar6").upper()
    stages = ", ".join(result.get("by_stage", {}))
    footprint_id = str(uuid.uuid5(NAMESPACE, f"{decision.result_sha256}:{decision.scheme}"))
    status, why = pact_status(decision)
    lifecycle = {"status": status} if status else {}
    if why:
        lifecycle["statusComment"] = why
    if status:  # a draft has no validity period: nothing is issued
        lifecycle.update(validityPeriodStart=decision.issued, validityPeriodEnd=decision.valid_until)
    grade = decision.grade_text["en"] if decision.grade_text else ""
    return {
        "id": footprint_id,
        "specVersion": SPEC_VERSION,
        "version": 0,
        "created": result.get("computed_at") or None,
        **lifecycle,
        "companyName": company or None,
        "companyIds": [],
        "productDescription": result.get("product_name", ""),
        "productIds": [f"urn:footprint:product:{result.get('product', '')}"],
        "productCategoryCpc": None,
        "productNameCompany": result.get("product_name", ""),
        "comment": ((f"DRAFT, not for exchange: {why} " if not status else "")
                    + f"{per_kwp:.6g} kg CO2e/kWp; {per_kwp * kwp:.6g} kg CO2e per module ({kwp:g} kWp, {area:g} m2). "
                    + f"Scheme {decision.scheme}: {decision.status}, {decision.outcome}"
                    + (f", {grade}" if grade else "")
                    + ("" if decision.rule_confirmed else " (rule unconfirmed)")
                    + f". Result sha256 {decision.result_sha256}. footprint {__version__}."),
        "pcf": {
            "declaredUnit": "square meter",
            "unitaryProductAmount": area,
            "pCfExcludingBiogenic": (per_kwp - biogenic) * to_m2,
            "pCfIncludingBiogenic": per_kwp * to_m2,
            "fossilGhgEmissions": origins.get("fossil", 0.0) * to_m2,
            "fossilCarbonContent": None,
            "biogenicCarbonContent": None,
            "dLucGhgEmissions": origins.get("land_use", 0.0) * to_m2,
            "otherBiogenicGhgEmissions": biogenic * to_m2,
            "aircraftGhgEmissions": 0.0,
            "characterizationFactors": gwp,
            "ipccCharacterizationFactorsSources": [gwp],
            "crossSectoralStandardsUsed": ["ISO Standard 14067"],
            "productOrSectorSpecificRules": [{"operator": "Other", "ruleNames": [decision.scheme],
                                              "otherOperatorName": decision.scheme_name.get("en", decision.scheme)}],
            "boundaryProcessesDescription": f"Cradle to gate: {stages}; electricity by location-based grid factors.",
            "referencePeriodStart": None,
            "referencePeriodEnd": None,
            "geographyCountry": chain.processes["module"].site.split("-")[0],
            "secondaryEmissionFactorSources": [{"name": f"footprint bundled inventories {result.get('data_version', '')}".strip(), "version": result.get("data_version", "")}],
            "exemptedEmissionsPercent": None,
            "exemptedEmissionsDescription": "Not quantified; see the report's cut-off section for what is not modelled.",
            "packagingEmissionsIncluded": False,
            "primaryDataShare": (share * 100.0 if isinstance(share, (int, float)) and share <= 1.0 else share),
            "uncertaintyAssessmentDescription": None if optional(result, "uncertainty") is None else str(optional(result, "uncertainty")),
        },
    }


def pact_status(decision):
    """PACT ``status`` for a label decision, and why: (``"Active"``, ``"Deprecated"`` or None, comment or None).

    ``Active`` only for a certificate whose evaluation passes; ``Deprecated`` for an expired
    certificate; None (no status: not an exchangeable footprint) for a self-assessment or an
    evaluation that is incomplete or fails.
    """
    if decision.status == "expired":
        return "Deprecated", f"certificate {decision.certificate} expired on {decision.valid_until} (evaluated on {decision.as_of})."
    if decision.status == "self-assessed":
        return None, f"self-assessed, not certified (no certificate number), {decision.scheme} outcome {decision.outcome}."
    if decision.outcome != "pass":
        return None, f"certificate {decision.certificate} given, but the {decision.scheme} evaluation is {decision.outcome}."
    return "Active", None
