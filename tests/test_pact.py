"""The PACT export validates against tests/data/pact-2.3.3.schema.json, footprint's own JSON Schema
written from the PACT Technical Specifications v2.3.3 (data model sections; see the schema's
description): a draft, a certificate and an expired one, with and without a company, and the
rules of the prose a JSON Schema cannot state. Export and import agree: footprint reads back what
it writes."""

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from footprint.bundle.read import read_bundle
from footprint.labels import evaluate
from footprint.model import build_chain, read_product
from footprint.report.pact import decimal, fossil_carbon_content, product_footprint

from conftest import PERC

SCHEMA = json.loads((Path(__file__).parent / "data" / "pact-2.3.3.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
TODAY = dt.date(2026, 3, 1)
PERIOD = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
#: The O* fields the prose requires for reference periods from 2025 that footprint fills.
O_STAR_FILLED = ("pCfIncludingBiogenic", "dLucGhgEmissions", "otherBiogenicGhgEmissions", "biogenicCarbonWithdrawal",
                 "biogenicAccountingMethodology", "primaryDataShare")


def result_of(total):
    """A per-kWp result with every optional item [kg CO2-eq/kWp], a part from a source kept in AR5."""
    stages = ("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module")
    return {
        "product": "test module/1", "product_name": "Test module", "declared_unit": "1 kWp",
        "total": {"value": total, "unit": "kg CO2-eq/kWp"},
        "by_stage": {stage: {"value": total / 6, "share": 1 / 6} for stage in stages},
        "by_gas": {"CO2, fossil": {"value": total, "share": 1.0}},
        "by_origin": {"fossil": {"value": total * 0.6, "share": 0.6}, "aggregated": {"value": total * 0.4, "share": 0.4}},
        "method": "IPCC 2021", "gwp": "IPCC AR6 GWP100 (IPCC 2021)", "data_version": "2026.12.1",
        "electricity": [{"stage": "module", "site": "CN-JS", "dataset": "electricity_grid_CN-JS", "name": "grid",
                         "year": 2023, "scope": "co2_combustion", "amount": 10.0}],
        "notes": ["solar_glass 12.2% (UK DESNZ, 2025; GWP set stated in the data file: AR5)"],
        "primary_data_share": 0.6, "uncertainty": {"p5": total * 0.9}, "sensitivity": {"module electricity": 0.1},
        "computed_at": "2026-01-01T08:00:00+08:00",
    }


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    raw = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    raw["stages"]["module"]["electricity"] = "3.5 kWh/m2"  # site data: nothing unmet, so a certificate passes
    path = tmp_path_factory.mktemp("products") / "site.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return build_chain(read_product(path), read_bundle())


def exports(chain):
    """(name, footprint) for a draft, a certificate and an expired one, with and without the company."""
    result = result_of(350.0)
    cases = {"draft": {}, "certified": {"certificate": "EPEAT-2026-1", "issued": dt.date(2026, 1, 10)},
             "expired": {"certificate": "EPEAT-2024-1", "issued": dt.date(2024, 1, 10)}}
    for name, kwargs in cases.items():
        decision = evaluate(result, "epeat-ulcs", chain=chain, today=TODAY, **kwargs)
        yield name, product_footprint(result, decision, chain, company="示例光伏 Co.", period=PERIOD)
        if name != "certified":
            yield f"{name} without company", product_footprint(result, decision, chain, period=PERIOD)


def test_every_export_validates_against_the_schema(chain):
    for name, pact in exports(chain):
        errors = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in VALIDATOR.iter_errors(pact)]
        assert not errors, (name, errors)
        for field in O_STAR_FILLED:  # the reference period is 2025: the prose makes these mandatory
            assert field in pact["pcf"], (name, field)
        assert pact["status"] == ("Active" if name == "certified" else "Deprecated"), name


def test_the_schema_catches_what_the_old_export_wrote(chain):
    """The 17 failures docs/research/pact.md found with WBCSD's schema are failures of ours too."""
    decision = evaluate(result_of(350.0), "epeat-ulcs", chain=chain, today=TODAY)
    good = product_footprint(result_of(350.0), decision, chain, company="ACME", period=PERIOD)
    bad = json.loads(json.dumps(good))
    bad.update(companyIds=[], productCategoryCpc=None, companyName=None, created="2026-01-01T00:00:00+00:00",
               id="5f1c0f9e-0000-5000-8000-000000000000")
    bad["pcf"].update(unitaryProductAmount=2.583, pCfExcludingBiogenic=135.5, fossilCarbonContent=None,
                      biogenicCarbonContent=None, referencePeriodStart=None, referencePeriodEnd=None,
                      exemptedEmissionsPercent=None, uncertaintyAssessmentDescription=None, primaryDataShare=None)
    failed = {"/".join(map(str, error.absolute_path)) for error in VALIDATOR.iter_errors(bad)}
    assert {"companyIds", "productCategoryCpc", "companyName", "created", "id", "pcf/unitaryProductAmount",
            "pcf/pCfExcludingBiogenic", "pcf/fossilCarbonContent", "pcf/biogenicCarbonContent", "pcf/referencePeriodStart",
            "pcf/referencePeriodEnd", "pcf/exemptedEmissionsPercent", "pcf/uncertaintyAssessmentDescription",
            "pcf/primaryDataShare"} <= failed
    assert not list(VALIDATOR.iter_errors(good))


def test_values_follow_the_result(chain):
    result = result_of(350.0)
    decision = evaluate(result, "epeat-ulcs", chain=chain, today=TODAY, certificate="EPEAT-2026-1", issued=dt.date(2026, 1, 10))
    pact = product_footprint(result, decision, chain, company="ACME", period=PERIOD)
    kwp = float(chain.rated_power.to("kW").magnitude)
    area = float(chain.area.to("m**2").magnitude)
    assert float(pact["pcf"]["pCfIncludingBiogenic"]) == pytest.approx(350.0 * kwp / area, rel=1e-5)
    assert float(pact["pcf"]["fossilGhgEmissions"]) == pytest.approx(0.6 * 350.0 * kwp / area, rel=1e-5)
    assert pact["pcf"]["primaryDataShare"] == pytest.approx(60.0)  # percent, from the fraction 0.6
    assert (pact["pcf"]["characterizationFactors"], pact["pcf"]["ipccCharacterizationFactorsSources"]) == ("AR5", ["AR5", "AR6"])
    assert pact["created"] == "2026-01-01T00:00:00Z"  # 08:00 in UTC+8, written in UTC
    assert pact["productIds"] == ["urn:pact:footprint:supplier-id:test-module%2F1"]
    # the polymers of the module by hand: LDPE and PET masses from the chain, carbon by their repeat units
    module = chain.processes["module"]
    masses = {flow.target: float(flow.amount) for flow in module.flows if flow.kind == "dataset"}
    by_hand = (masses.get("ldpe", 0) * 24.022 / 28.054 + masses.get("pet", 0) * 120.11 / 192.17 + masses.get("hdpe", 0) * 24.022 / 28.054)
    assert masses.get("ldpe", 0) > 0 and fossil_carbon_content(chain) == pytest.approx(by_hand, rel=1e-3)
    assert float(pact["pcf"]["fossilCarbonContent"]) == pytest.approx(by_hand / area, rel=1e-3)
    assert pact["pcf"]["packagingEmissionsIncluded"] is ("paperboard" in masses)


def test_an_active_footprint_needs_its_company_and_every_footprint_its_period(chain):
    from footprint.errors import OptionError

    result = result_of(350.0)
    certified = evaluate(result, "epeat-ulcs", chain=chain, today=TODAY, certificate="EPEAT-2026-1", issued=dt.date(2026, 1, 10))
    with pytest.raises(OptionError, match=r"^company: an Active PACT footprint needs the company"):
        product_footprint(result, certified, chain, period=PERIOD)
    with pytest.raises(OptionError, match=r"^period: a PACT footprint needs the reporting period"):
        product_footprint(result, certified, chain, company="ACME")


@pytest.mark.parametrize("value, text", [(92.7, "92.7"), (0.0, "0"), (1e-7, "0.0000001"), (123456789.0, "123456789"),
                                         (-182.84, "-182.84"), (2.583, "2.583"), (1 / 3, "0.333333")])
def test_decimals_are_fixed_notation_strings(value, text):
    assert decimal(value) == text


def test_import_reads_what_export_writes(chain, tmp_path):
    """footprint's supplier reader takes the exported file: the same value per square metre, the same period."""
    from footprint.supplier import read_pact

    result = result_of(350.0)
    decision = evaluate(result, "epeat-ulcs", chain=chain, today=TODAY, certificate="EPEAT-2026-1", issued=dt.date(2026, 1, 10))
    pact = product_footprint(result, decision, chain, company="ACME", period=PERIOD)
    path = tmp_path / "module.pact.json"
    path.write_text(json.dumps(pact), encoding="utf-8")
    read = read_pact(path)
    assert (read.id, read.declared_unit, read.status) == (pact["id"], "square meter", "Active")
    assert read.value == pytest.approx(float(pact["pcf"]["pCfExcludingBiogenic"]), rel=1e-12)
    assert read.primary_data_share == pytest.approx(0.6)
    assert tuple(map(str, read.reference_period))[0].startswith("2025-01-01")
