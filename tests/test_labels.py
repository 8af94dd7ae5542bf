"""Label schemes: reading, rounding, thresholds and grades at their boundaries, unmet requirements.

Values are given by hand (synthetic results) or recomputed here from the product file's
own numbers, never read back from the code under test.
"""

import datetime as dt
import hashlib
import json
import math
import shutil

import pytest
import yaml

from footprint.bundle.read import read_bundle
from footprint.errors import DataError, InputError
from footprint.labels import (
    Scheme,
    evaluate,
    list_schemes,
    load_scheme,
    read_scheme,
    result_sha256,
    round_value,
)
from footprint.labels.schemes import RULES
from footprint.model import build_chain, read_product

from conftest import PERC, ROOT, invoke

DATA = ROOT / "tests" / "data"
STAGES = ("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module")
TODAY = dt.date(2026, 3, 1)


def synthetic(total, **extra):
    """A complete result per kWp with the given total [kg CO2-eq/kWp], every optional item present."""
    share = 1 / len(STAGES)
    result = {
        "product": "test-module",
        "product_name": "Test module",
        "declared_unit": "1 kWp",
        "total": {"value": total, "unit": "kg CO2-eq/kWp"},
        "by_stage": {stage: {"value": total * share, "share": share} for stage in STAGES},
        "by_gas": {"CO2, fossil": {"value": total, "share": 1.0}},
        "by_origin": {"fossil": {"value": total, "share": 1.0}},
        "method": "IPCC 2021 | climate change | global warming potential (GWP100)",
        "gwp": "IPCC AR6 GWP100 (IPCC 2021)",
        "electricity": [{"stage": "module", "site": "CN-JS", "dataset": "electricity_grid_CN-JS", "name": "grid",
                         "year": 2023, "scope": "co2_combustion", "amount": 10.0}],
        "primary_data_share": 0.6,
        "uncertainty": {"p5": total * 0.9, "p95": total * 1.1},
        "sensitivity": {"module electricity": 0.1},
        "computed_at": "2026-01-01T00:00:00+00:00",
    }
    result.update(extra)
    return result


@pytest.fixture(scope="session")
def bundle():
    return read_bundle()


@pytest.fixture(scope="session")
def site_chain(tmp_path_factory, bundle):
    """The example module with the module stage's own electricity given: site-specific data."""
    raw = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    raw["stages"]["module"]["electricity"] = "3.5 kWh/m2"
    path = tmp_path_factory.mktemp("products") / "site.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return build_chain(read_product(path), bundle)


@pytest.fixture(scope="session")
def example_chain(bundle):
    return build_chain(read_product(PERC), bundle)


def decide(total, scheme, chain, **kwargs):
    extra = kwargs.pop("extra", {})
    return evaluate(synthetic(total, **extra), scheme, chain=chain, today=TODAY, **kwargs)


def test_every_bundled_scheme_reads_and_cites_its_rules():
    schemes = {scheme.id: scheme for scheme in list_schemes()}
    assert set(schemes) == {"cn-cfp", "epeat-ulcs", "kr-carbon", "fr-ecs", "fr-ecs@ppe2", "epd"}
    for scheme in schemes.values():
        assert isinstance(scheme, Scheme)
        ids = {entry["id"] for entry in scheme.sources}
        for rule in ("boundary", "gwp", "data_quality", "decision", "rounding", "validity"):
            assert set(getattr(scheme, rule)["source"]) <= ids
    assert schemes["cn-cfp"].validity["years"] == 2
    assert schemes["kr-carbon"].validity["years"] == 3
    assert schemes["epd"].validity["years"] == 5
    assert schemes["fr-ecs"].factor_table["shipped"] is None


def test_every_scheme_rule_cites_a_dated_source():
    """Each rule's numbers (thresholds, validity, rounding...) cite at least one source with a year."""
    import re

    for scheme in list_schemes():
        dated = {entry["id"] for entry in scheme.sources if re.search(r"\b(19|20)\d\d\b", str(entry.get("date", "")))}
        rules = {rule: getattr(scheme, rule)["source"] for rule in ("boundary", "gwp", "data_quality", "decision", "rounding", "validity")}
        for i, level in enumerate(scheme.decision.get("thresholds", []) + scheme.decision.get("other_thresholds", [])):
            if "source" in level:
                rules[f"decision level {i}"] = level["source"]
        for rule, cited in rules.items():
            assert set(cited) & dated, (scheme.id, rule, cited)


def test_schemes_command_lists_them_as_json(footprint_home):
    done = invoke("schemes", "--format", "json", home=footprint_home)
    assert done.returncode == 0, done.stderr
    ids = [row["id"] for row in json.loads(done.stdout)]
    assert ids == ["cn-cfp", "epd", "epeat-ulcs", "fr-ecs", "fr-ecs@ppe2", "kr-carbon"]
    versions = {row["id"]: (row["version"], row["version_date"]) for row in json.loads(done.stdout)}
    assert versions["fr-ecs"] == ("ppe2-v2", "2024-09-01") and versions["fr-ecs@ppe2"] == ("ppe2", "2021-10-01")


def test_unknown_scheme_is_an_input_error():
    with pytest.raises(InputError, match="unknown scheme 'nope'.*cn-cfp"):
        load_scheme("nope")


def test_scheme_citing_an_unknown_source_is_rejected(tmp_path):
    raw = yaml.safe_load((ROOT / "methods" / "label-kr-carbon.yaml").read_text(encoding="utf-8"))
    raw["decision"]["source"] = ["nowhere"]
    path = tmp_path / "label-bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError, match=r"label-bad.yaml: decision.source: unknown source id 'nowhere'"):
        read_scheme(path)


def test_scheme_with_levels_out_of_order_is_rejected(tmp_path):
    raw = yaml.safe_load((ROOT / "methods" / "label-epeat-ulcs.yaml").read_text(encoding="utf-8"))
    raw["decision"]["grades"].reverse()
    path = tmp_path / "label-bad.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError, match=r"decision levels\[1\].max: levels must be listed from the strictest"):
        read_scheme(path)


@pytest.mark.parametrize("value, rounding, expected", [
    (630.5, {"step": 1, "mode": "half_up"}, 631.0),
    (630.49, {"step": 1, "mode": "half_up"}, 630.0),
    (0.125, {"step": 0.01, "mode": "half_up"}, 0.13),   # binary 0.125 is exact; half up, not half even
    (670.005, {"step": 0.01, "mode": "half_up"}, 670.01),
    (731.0, {"step": 10, "mode": "up"}, 740.0),
    (740.0, {"step": 10, "mode": "up"}, 740.0),
    (740.01, {"step": 10, "mode": "up"}, 750.0),
    (745.0, {"step": 10, "mode": "half_up"}, 750.0),
])
def test_rounding(value, rounding, expected):
    assert round_value(value, rounding) == expected


@pytest.mark.parametrize("total, grade, outcome", [
    (399.9, "ultra-low", "pass"),
    (400.0, "ultra-low", "pass"),
    (400.0001, "low", "pass"),
    (630.0, "low", "pass"),
    (630.0001, None, "fail"),
    (810.0, None, "fail"),
])
def test_epeat_thresholds(total, grade, outcome, site_chain):
    decision = decide(total, "epeat-ulcs", site_chain)
    assert (decision.grade, decision.outcome) == (grade, outcome)
    assert decision.unmet == []


def test_epeat_decides_on_the_unrounded_value(site_chain):
    decision = decide(630.4, "epeat-ulcs", site_chain)
    assert decision.value_text == "630" and decision.grade is None and decision.outcome == "fail"


@pytest.mark.parametrize("total, grade, shown", [
    (669.99, "1", "669.99"),
    (670.0, "1", "670.00"),
    (670.004, "2", "670.00"),   # grades follow the unrounded value; the label shows two decimals
    (830.0, "2", "830.00"),
    (830.01, "3", "830.01"),
    (1200.0, "3", "1,200.00"),
])
def test_korea_grades(total, grade, shown, site_chain):
    decision = decide(total, "kr-carbon", site_chain, certificate="KR-2026-001", issued=TODAY)
    assert decision.grade == grade
    assert decision.value_text == shown
    assert decision.outcome == "pass"  # grade 3 is still certified
    assert [(t["id"], t["max"]) for t in decision.thresholds] == [("1", 670), ("2", 830), ("3", None)]
    assert decision.valid_until == "2029-02-28"  # three years, to the day before (KEA's certificate 2020-001)
    assert decision.label_text == {"en": f"Carbon certification Grade {grade}: {shown} kg CO2-eq/kWp",
                                   "zh": f"碳认证{grade}级:{shown} kg CO2-eq/kWp"}


def test_epeat_wording_above_the_thresholds(site_chain):
    certified = decide(700.0, "epeat-ulcs", site_chain, certificate="EPEAT-2026-1", issued=TODAY)
    assert certified.label_text["en"] == "above the thresholds: 700 kg CO2-eq/kWp (frame, if any, included)"
    # without a certificate the scheme's wording is not used: a self-assessment says so
    assert decide(700.0, "epeat-ulcs", site_chain).label_text["en"] == "Self-assessed, not certified: 700 kg CO2-eq/kWp; above the thresholds"


def test_cn_cfp_declares_the_value_with_validity(site_chain):
    decision = evaluate(synthetic(444.5), "cn-cfp", chain=site_chain, today=dt.date(2026, 2, 28), issued=dt.date(2024, 2, 29),
                        certificate="CFP-2024-001")
    assert decision.outcome == "pass" and decision.grade is None
    assert decision.value == 445.0 and decision.value_unrounded == 444.5
    assert decision.valid_until == "2026-02-28"
    assert decision.certificate == "CFP-2024-001" and decision.status == "certified"
    assert decision.label_text["zh"] == "产品碳足迹 445 kg CO2-eq/kWp"
    # the day after its last valid day, the same certificate is expired
    later = decide(444.5, "cn-cfp", site_chain, issued=dt.date(2024, 2, 29), certificate="CFP-2024-001")
    assert (later.status, later.outcome) == ("expired", "expired")


def test_missing_items_make_the_study_incomplete(site_chain):
    result = synthetic(500.0)
    for key in ("primary_data_share", "uncertainty", "sensitivity"):
        del result[key]
    decision = evaluate(result, "cn-cfp", chain=site_chain, today=TODAY)
    assert decision.outcome == "incomplete"
    assert {(u.kind, u.item) for u in decision.unmet} == {
        ("missing_data", "primary_data_share"), ("missing_data", "uncertainty"), ("missing_data", "sensitivity")}
    # Korea does not ask for those items
    assert evaluate(result, "kr-carbon", chain=site_chain, today=TODAY).outcome == "pass"


def test_default_electricity_of_the_holders_stage_is_a_data_quality_gap(example_chain):
    decision = decide(500.0, "cn-cfp", example_chain)
    assert decision.outcome == "incomplete"
    [unmet] = decision.unmet
    assert unmet.kind == "data_quality" and "module: electricity is a bundled default" in unmet.reason


def test_expired_supplier_data(site_chain):
    suppliers = [{"name": "wafer supplier A", "valid_until": "2026-02-28"}, {"name": "glass supplier", "valid_until": "2026-03-01"}]
    decision = decide(500.0, "kr-carbon", site_chain, extra={"suppliers": suppliers})
    assert [(u.kind, u.reason) for u in decision.unmet] == [
        ("expired", "supplier data wafer supplier A expired on 2026-02-28 (evaluated on 2026-03-01)")]
    assert decision.outcome == "incomplete"


def test_gwp_set_and_declared_unit_must_match_the_scheme(site_chain):
    decision = decide(500.0, "kr-carbon", site_chain, extra={"gwp": "IPCC AR4 GWP100", "declared_unit": "1 module"})
    assert {u.kind for u in decision.unmet} == {"gwp", "declared_unit"}


def test_minimum_primary_data_share_when_a_scheme_sets_one(site_chain):
    scheme = load_scheme("kr-carbon")
    scheme.data_quality = {**scheme.data_quality, "primary_data_share_min": 0.7}
    low = evaluate(synthetic(500.0, primary_data_share=0.6), scheme, chain=site_chain, today=TODAY)
    assert [u.reason for u in low.unmet] == ["primary data share 60% is below the minimum 70%"]
    assert evaluate(synthetic(500.0, primary_data_share=70.0), scheme, chain=site_chain, today=TODAY).unmet == []


def test_epeat_needs_the_frame_in_the_inventory(site_chain):
    """An inventory without a frame input, and no product file saying the module is frameless."""
    import copy

    chain = copy.copy(site_chain)
    chain.processes = dict(site_chain.processes)
    module = copy.copy(site_chain.processes["module"])
    module.flows = [flow for flow in module.flows if "aluminium" not in flow.target and "frame" not in flow.label]
    chain.processes["module"] = module
    decision = decide(350.0, "epeat-ulcs", chain)
    assert decision.grade == "ultra-low" and decision.outcome == "incomplete"
    assert [(u.kind, u.reason.split(":")[0]) for u in decision.unmet] == [("boundary", "frame")]
    assert decision.unmet[0].reason_zh.startswith("边框:")
    assert "no frame (aluminium) input" in decision.unmet[0].reason


def _without(chain, drop):
    import copy

    changed = copy.copy(chain)
    changed.processes = dict(chain.processes)
    module = copy.copy(chain.processes["module"])
    module.flows = [flow for flow in module.flows if not drop(flow)]
    changed.processes["module"] = module
    return changed


def test_epeat_frame_included_means_the_frame_not_only_its_aluminium(site_chain):
    """"Frame included": the frame's aluminium ingot without its extrusion does not meet the rule."""
    labels = [flow.label for flow in site_chain.processes["module"].flows]
    assert any(label.startswith("frame extrusion (aluminium_primary_CN): electricity") for label in labels)
    assert any(label == "frame extrusion (aluminium_primary_CN): heat, natural gas" for label in labels)
    assert decide(350.0, "epeat-ulcs", site_chain).unmet == []  # aluminium and extrusion: met
    ingot_only = _without(site_chain, lambda flow: flow.label.startswith("frame extrusion"))
    decision = decide(350.0, "epeat-ulcs", ingot_only)
    assert decision.outcome == "incomplete"
    (unmet,) = decision.unmet
    assert unmet.kind == "boundary" and unmet.reason.startswith("frame: ")
    assert "has the frame's aluminium but not its extrusion" in unmet.reason and "挤压" in unmet.reason_zh


def test_epeat_a_supplier_factor_for_the_frame_counts_the_frame_as_delivered(tmp_path, bundle):
    """A frame supplier's factor covers the frame as delivered: the rule is met, and no extrusion is added on top."""
    raw = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    raw["stages"]["module"]["electricity"] = "3.5 kWh/m2"  # site data, as the scheme asks of the label holder's stage
    raw["stages"]["module"]["materials"] = {"frame": {"dataset": "aluminium_primary_CN", "amount": "4.08 kg/module", "factor": "8.6 kg CO2-eq/kg",
                                                      "source": "Example Aluminium Co., frame EPD (illustrative)", "valid_until": "2099-01-01"}}
    path = tmp_path / "supplied.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    spec = read_product(path)
    chain = build_chain(spec, bundle)
    flows = chain.processes["module"].flows
    assert not [flow for flow in flows if flow.kind == "dataset" and ("aluminium" in flow.target or "frame" in flow.label)]
    assert decide(350.0, "epeat-ulcs", chain, spec=spec).unmet == []


def test_epeat_frameless_module_meets_the_frame_rule(tmp_path, bundle):
    """"Frame included": a module the product file declares frameless (frame material 0) has no frame to count."""
    raw = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    raw["stages"]["module"]["electricity"] = "3.5 kWh/m2"
    raw["stages"]["module"]["materials"] = {"aluminium_primary_CN": "0 kg/m2"}
    path = tmp_path / "frameless.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    spec = read_product(path)
    chain = build_chain(spec, bundle)
    assert not any("aluminium" in flow.target for flow in chain.processes["module"].flows)
    decision = decide(350.0, "epeat-ulcs", chain, spec=spec)
    assert decision.unmet == [] and decision.outcome == "pass" and decision.grade == "ultra-low"
    assert any(note.startswith("frame: none in this product (stages.module.materials.aluminium_primary_CN set to 0") for note in decision.notes)
    # the bundled frameless example says so the same way
    hjt = read_product(ROOT / "examples" / "hjt-glass-glass-anhui.yaml")
    assert [u.kind for u in decide(350.0, "epeat-ulcs", build_chain(hjt, bundle), spec=hjt).unmet] == ["data_quality"]  # module electricity


def test_stages_inside_a_supplier_declaration_are_in_the_boundary(site_chain):
    """A polysilicon declaration (cradle to gate) covers metallurgical silicon: no boundary gap."""
    result = synthetic(500.0)
    del result["by_stage"]["mg_silicon"]
    assert [u.reason.split(";")[0] for u in evaluate(result, "cn-cfp", chain=site_chain, today=TODAY).unmet] == [
        "stage 'mg_silicon' missing from the result"]
    result["supplier"] = [{"stage": "polysilicon", "company": "Poly Co.", "validity": ["2025-01-01", "2027-01-01"]}]
    for scheme in ("cn-cfp", "epeat-ulcs", "epd"):
        decision = evaluate(result, scheme, chain=site_chain, today=TODAY)
        assert decision.unmet == [], scheme
        assert decision.notes[0].startswith("mg_silicon: inside the supplier's declared footprint for polysilicon (Poly Co.)")
        assert decision.notes_zh[0].startswith("工业硅:包含在供应商(Poly Co.)声明的多晶硅碳足迹中")
    # a declaration downstream does not cover a stage after it
    result["supplier"] = [{"stage": "polysilicon", "company": "Poly Co."}]
    del result["by_stage"]["module"]
    assert [u.reason.split(";")[0] for u in evaluate(result, "cn-cfp", chain=site_chain, today=TODAY).unmet] == [
        "stage 'module' missing from the result"]


def test_epd_asks_for_reverification_after_a_ten_percent_rise(site_chain):
    assert decide(440.0, "epd", site_chain, previous=400.0).unmet[0].kind == "reverification"  # +10.0 %
    kept = decide(439.9, "epd", site_chain, previous=400.0)
    assert kept.unmet == [] and kept.outcome == "pass" and "+9.97%" in kept.notes[0]
    assert decide(439.9, "epd", site_chain, certificate="EPD-IES-0000001:001", issued=TODAY).valid_until == "2031-03-01"


def test_fr_ecs_without_a_factor_table_asks_for_one(site_chain):
    decision = decide(500.0, "fr-ecs", site_chain)
    assert decision.outcome == "incomplete" and decision.value is None
    assert decision.unmet[0].kind == "factor_table"
    assert "no sourced table is shipped" in decision.unmet[0].reason and "--factors" in decision.unmet[0].reason


def ecs_by_hand():
    """G of tests/data/ecs-test-*.csv for the example product, from the product file's numbers."""
    kwp = 0.55
    cells = 144 / 2 / 0.97                      # full cells per module, module yield 0.97
    wafers = cells / 0.98                       # cell yield
    # kg of ingot, Si density 2.329 g/cm3; ingot utilisation 1 (the default: the offcuts return to the melt), wafer yield 0.97
    ingot = wafers * 330.15 * (150 + 50) * 1e-4 * 2.329 / 1000 / (1.0 * 0.97)
    poly = ingot * 1.81176827886474 * 0.584057797125913  # Götz et al. 2026: kg pulled per kg squared ingot x virgin per kg pulled
    glass = 8.0 * 2.583                         # kg per module, bundled 8.0 kg/m2 (PERC)
    return ((50 * 0.75 + 20 * 0.25) * poly + 30 * ingot + 0.5 * wafers + 100 * cells * 0.033015
            + 10 * 2.583 + (1.5 * 0.6 + 1.0 * 0.4) * glass) / kwp


def test_fr_ecs_formula(site_chain, bundle):
    from footprint.labels.ecs import evaluate_ecs, read_factor_table, read_shares

    ecs = evaluate_ecs(site_chain, bundle, read_factor_table(DATA / "ecs-test-factors.csv"),
                       shares=read_shares(DATA / "ecs-test-shares.csv"), table=str(DATA / "ecs-test-factors.csv"))
    assert ecs.unmet == []
    assert ecs.value == pytest.approx(ecs_by_hand(), rel=1e-9)
    decision = evaluate(synthetic(500.0), "fr-ecs", chain=site_chain, today=TODAY, ecs=ecs)
    expected = math.floor(ecs_by_hand() / 10 + 0.5) * 10    # PPE2_V2: to the nearest multiple of 10
    assert decision.value == expected and decision.decided_on == "rounded"
    assert decision.outcome == ("pass" if expected <= 740 else "fail")
    assert decision.cfp_value == 500.0


def test_fr_ecs_label_identity_includes_the_factor_table(site_chain, bundle, tmp_path):
    """The QR names the factor table's SHA-256; another table (same result) is another label."""
    from footprint.labels.ecs import evaluate_ecs, read_factor_table, read_shares
    from footprint.report.label_art import label_id, qr_payload

    table = DATA / "ecs-test-factors.csv"
    shares = DATA / "ecs-test-shares.csv"
    ecs = evaluate_ecs(site_chain, bundle, read_factor_table(table), shares=read_shares(shares), table=str(table), shares_table=str(shares))
    decision = evaluate(synthetic(500.0), "fr-ecs", chain=site_chain, today=TODAY, ecs=ecs)
    payload = qr_payload(decision)
    assert f";factors={hashlib.sha256(table.read_bytes()).hexdigest()}" in payload
    assert f";shares={hashlib.sha256(shares.read_bytes()).hexdigest()}" in payload
    other = tmp_path / "other.csv"
    other.write_bytes(table.read_bytes() + b"# another edition of the table\n")
    ecs2 = evaluate_ecs(site_chain, bundle, read_factor_table(other), shares=read_shares(shares), table=str(other), shares_table=str(shares))
    decision2 = evaluate(synthetic(500.0), "fr-ecs", chain=site_chain, today=TODAY, ecs=ecs2)
    assert decision2.result_sha256 == decision.result_sha256 and decision2.value == decision.value
    assert label_id(decision2) != label_id(decision)


@pytest.mark.parametrize("scheme, g, value, outcome", [
    # PPE2_V2 (the current pack, also named fr-ecs@ppe2-v2): nearest 10, a ...5 goes up, "<= 740"
    ("fr-ecs", 730.01, 730, "pass"), ("fr-ecs", 744.99, 740, "pass"), ("fr-ecs", 745.0, 750, "fail"),
    ("fr-ecs@ppe2-v2", 734.99, 730, "pass"), ("fr-ecs@ppe2-v2", 782.46, 780, "fail"),
    # PPE2: nearest 50, "< 550"
    ("fr-ecs@ppe2", 524.99, 500, "pass"), ("fr-ecs@ppe2", 525.0, 550, "fail"), ("fr-ecs@ppe2", 574.99, 550, "fail"),
    ("fr-ecs@ppe2", 782.46, 800, "fail"),
])
def test_fr_ecs_threshold_on_the_rounded_value(scheme, g, value, outcome, site_chain):
    from footprint.labels.ecs import EcsResult

    ecs = EcsResult(g, [], {}, "table.csv", "0" * 64)
    decision = decide(500.0, scheme, site_chain, ecs=ecs)
    assert (decision.value, decision.outcome) == (value, outcome)
    assert not decision.rule_confirmed and "rounding" in decision.unconfirmed_rules  # official software, not the CDC


def test_fr_ecs_rule_packs_are_versioned_and_dated():
    current, named, earlier = load_scheme("fr-ecs"), load_scheme("fr-ecs@ppe2-v2"), load_scheme("fr-ecs@ppe2")
    assert current == named and (current.id, current.version, current.version_date) == ("fr-ecs", "ppe2-v2", "2024-09-01")
    assert (earlier.id, earlier.version, earlier.version_date) == ("fr-ecs@ppe2", "ppe2", "2021-10-01")
    assert [level["max"] for level in current.decision["thresholds"]] == [740]
    assert {level["id"]: level["max"] for level in current.decision["other_thresholds"]} == {"ppe2-v2-soren": 630, "vat-5-5": 530}
    assert (current.rounding["step"], current.rounding["mode"]) == (10, "half_up")
    assert (earlier.rounding["step"], earlier.rounding["mode"], earlier.decision["comparison"]) == (50, "half_up", "<")
    for scheme in (current, earlier):  # the tender's country table is not public: never shipped, always given
        assert scheme.factor_table["shipped"] is None and scheme.factor_table["required"] is True
        assert scheme.unconfirmed_rules() == list(RULES)
    with pytest.raises(InputError, match=r"^scheme: unknown scheme 'fr-ecs@ppe3'; expected one of .*fr-ecs@ppe2-v2, fr-ecs@ppe2"):
        load_scheme("fr-ecs@ppe3")


def test_a_versioned_file_must_carry_its_name(tmp_path):
    raw = yaml.safe_load((ROOT / "methods" / "label-fr-ecs@ppe2.yaml").read_text(encoding="utf-8"))
    raw["id"] = "fr-ecs"
    path = tmp_path / "label-fr-ecs@ppe2.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError, match=r"label-fr-ecs@ppe2.yaml: id: got 'fr-ecs' version 'ppe2'; expected id 'fr-ecs@ppe2'"):
        read_scheme(path)


def test_fr_ecs_material_without_origin_is_reported(site_chain, bundle):
    from footprint.labels.ecs import evaluate_ecs, read_factor_table

    ecs = evaluate_ecs(site_chain, bundle, read_factor_table(DATA / "ecs-test-factors.csv"), table="t.csv")
    assert ecs.value is None
    assert [entry[2] for entry in ecs.unmet] == ["solar_glass: origin country unknown; give it in the shares file (stage,country,share)"]
    assert ecs.unmet[0][3].startswith("solar_glass:来源国未知")


def test_factor_table_rows_must_cite_a_source(tmp_path):
    from footprint.labels.ecs import read_factor_table

    table = tmp_path / "f.csv"
    table.write_text("# a comment\nstage,country,gwp,per,source,locator\npolysilicon,CN,50,kg,,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"f.csv: line 3, column source: empty; each factor must cite the tender"):
        read_factor_table(table)


def test_result_hash_ignores_the_time_and_place_of_computation():
    """computed_at (top level and in provenance), the as-of date and file paths are not part of the identity."""
    def provenance(when, as_of, path):
        return {"computed_at": when, "as_of": as_of, "inputs_sha256": "ab" * 32, "input_files": {path: "ab" * 32}}

    a = synthetic(500.0, provenance=provenance("2026-01-01T00:00:00+00:00", "2026-01-01", "examples/p.yaml"), input_file="examples/p.yaml",
                  supplier=[{"stage": "polysilicon", "file": "examples/s.json", "sha256": "cd" * 32}])
    b = synthetic(500.0, computed_at="2027-05-05T00:00:00+00:00", input_file="/elsewhere/p.yaml",
                  provenance=provenance("2027-05-05T00:00:01+00:00", "2027-05-05", "/elsewhere/p.yaml"),
                  supplier=[{"stage": "polysilicon", "file": "/elsewhere/s.json", "sha256": "cd" * 32}])
    canonical = {k: v for k, v in a.items() if k not in ("computed_at", "input_file")}
    canonical["provenance"] = {"inputs_sha256": "ab" * 32, "input_files": ["ab" * 32]}
    canonical["supplier"] = [{"stage": "polysilicon", "sha256": "cd" * 32}]
    expected = hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    assert result_sha256(a) == result_sha256(b) == expected
    assert result_sha256(synthetic(500.1)) != result_sha256(synthetic(500.0))
    changed = dict(a, supplier=[{"stage": "polysilicon", "file": "examples/s.json", "sha256": "ef" * 32}])
    assert result_sha256(changed) != expected  # another supplier file content is another result


@pytest.mark.slow
def test_two_label_runs_give_the_same_hash_and_label_id(footprint_home, tmp_path):
    """Same inputs, run twice (a second apart, from another working directory): same identity."""
    import os
    import subprocess
    import sys
    import time

    from footprint.labels import LabelDecision, Unmet
    from footprint.report.label_art import label_id

    product = tmp_path / "p.yaml"
    shutil.copy(PERC, product)
    first = invoke("label", product, "--scheme", "cn-cfp", "--format", "json", home=footprint_home)
    time.sleep(1.1)
    env = {**os.environ, "FOOTPRINT_HOME": str(footprint_home)}
    second = subprocess.run([sys.executable, "-m", "footprint", "label", "p.yaml", "--scheme", "cn-cfp", "--format", "json"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert one["result_sha256"] == two["result_sha256"]

    def decision(data):
        return LabelDecision(**{**data, "unmet": [Unmet(**u) for u in data["unmet"]]})

    assert label_id(decision(one)) == label_id(decision(two))


def test_label_command_on_the_example(footprint_home, tmp_path):
    """The label value is the kWp footprint: the per-module result divided by 0.55 kWp."""
    product = tmp_path / "p.yaml"
    shutil.copy(PERC, product)
    done = invoke("label", product, "--scheme", "kr-carbon", "--format", "json", home=footprint_home)
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    per_module = json.loads(invoke("calc", product, "--per", "module", "--format", "json", home=footprint_home).stdout)
    assert decision["value_unrounded"] == pytest.approx(per_module["total"]["value"] / 0.55, rel=1e-9)
    assert decision["value_text"] == f"{per_module['total']['value'] / 0.55:,.2f}"
    assert decision["grade"] == ("1" if decision["value_unrounded"] <= 670 else "2" if decision["value_unrounded"] <= 830 else "3")
    assert [u["kind"] for u in decision["unmet"]] == ["data_quality"]  # module electricity is a default


def test_label_command_prints_korea_grade_3_as_above_830(footprint_home, tmp_path):
    product = tmp_path / "p.yaml"
    shutil.copy(PERC, product)
    done = invoke("label", product, "--scheme", "kr-carbon", home=footprint_home)
    assert done.returncode == 0, done.stderr
    lines = [line.split() for line in done.stdout.splitlines()]
    assert ["1", "<=", "670"] in lines and ["2", "<=", "830"] in lines and ["3", ">", "830"] in lines
    assert "None" not in done.stdout


def supplier_product(tmp_path, **pact_changes):
    """The example with its polysilicon from the test PACT declaration (valid 2025-03-01 to 2027-02-28)."""
    pact = json.loads((DATA / "pact-polysilicon.json").read_text(encoding="utf-8"))
    pact.update(pact_changes)
    (tmp_path / "poly.json").write_text(json.dumps(pact), encoding="utf-8")
    raw = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    raw["stages"]["polysilicon"]["supplier"] = "poly.json"
    product = tmp_path / "with-supplier.yaml"
    product.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return product


def test_supplier_declaration_end_to_end_has_no_boundary_gap(footprint_home, tmp_path):
    from footprint.labels import evaluate_label as study

    product = supplier_product(tmp_path)
    for scheme in ("cn-cfp", "epeat-ulcs", "epd"):
        st = study(product, scheme=scheme, as_of=dt.date(2026, 1, 1))
        assert "mg_silicon" not in st.result["by_stage"]
        assert not [u for u in st.decision.unmet if u.kind in ("boundary", "expired")], (scheme, st.decision.unmet)
        assert "mg_silicon" not in st.chain.processes  # the chain as calculated: the supplier's stage replaces it


def test_a_module_file_without_the_stages_a_declaration_covers_is_labelled(footprint_home, tmp_path):
    """A module file taking polysilicon from a declaration needs no mg_silicon stage (calc takes it): label
    evaluates it too, on the value calc computes, instead of asking for stages.mg_silicon.site."""
    from footprint.calc import compute
    from footprint.labels import evaluate_label as study

    product = supplier_product(tmp_path)
    raw = yaml.safe_load(product.read_text(encoding="utf-8"))
    del raw["stages"]["mg_silicon"]
    product.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    expected = compute(product, per="kWp", as_of=dt.date(2026, 1, 1)).total.value
    st = study(product, scheme="cn-cfp", as_of=dt.date(2026, 1, 1))
    assert st.decision.value_unrounded == pytest.approx(expected, rel=1e-12)
    assert "mg_silicon" not in st.chain.processes
    done = invoke("label", product, "--scheme", "epeat-ulcs", "--as-of", "2026-01-01", home=footprint_home)
    assert done.returncode == 0, done.stderr


def test_expired_supplier_data_is_an_unmet_requirement_not_an_error(footprint_home, tmp_path):
    """calc refuses the expired declaration; label evaluates with it and reports it as unmet, with the reason."""
    product = supplier_product(tmp_path)
    calc = invoke("calc", product, "--per", "kWp", "--as-of", "2027-03-01", home=footprint_home)
    assert calc.returncode == 1 and "expired on 2027-02-28" in calc.stderr
    valid = json.loads(invoke("label", product, "--scheme", "cn-cfp", "--as-of", "2027-02-28", "--format", "json",
                               home=footprint_home).stdout)
    assert not [u for u in valid["unmet"] if u["kind"] == "expired"]
    done = invoke("label", product, "--scheme", "cn-cfp", "--as-of", "2027-03-01", "--format", "json", home=footprint_home)
    assert done.returncode == 0, done.stderr
    decision = json.loads(done.stdout)
    expired = [u for u in decision["unmet"] if u["kind"] == "expired"]
    assert [u["reason"] for u in expired] == [
        "supplier data Example Polysilicon Co. (polysilicon) expired on 2027-02-28 (evaluated on 2027-03-01)"]
    assert expired[0]["reason_zh"] == "供应商数据 Example Polysilicon Co. (polysilicon) 已于 2027-02-28 过期(评价日期 2027-03-01)"
    assert decision["outcome"] == "incomplete"
    # the value is the one computed with the declaration, as on its last valid day
    assert decision["value_unrounded"] == pytest.approx(valid["value_unrounded"], rel=1e-12)
    assert decision["notes"][0].startswith("supplier declarations (polysilicon) are not all valid on 2027-03-01")
    table = invoke("label", product, "--scheme", "cn-cfp", "--as-of", "2027-03-01", home=footprint_home)
    assert "[expired] data_sources: supplier data Example Polysilicon Co. (polysilicon) expired on 2027-02-28" in table.stdout


def test_every_unmet_reason_has_chinese_text(site_chain, example_chain):
    result = synthetic(500.0, gwp="IPCC AR4", declared_unit="1 module")
    for key in ("primary_data_share", "uncertainty"):
        del result[key]
    del result["by_stage"]["ingot"]
    scheme = load_scheme("cn-cfp")
    scheme.data_quality = {**scheme.data_quality, "primary_data_share_min": 0.5}
    decision = evaluate(result, scheme, chain=example_chain, today=TODAY, previous=300.0)
    assert len({u.kind for u in decision.unmet}) >= 5
    for unmet in decision.unmet:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in unmet.reason_zh), unmet


def test_label_command_rejects_factors_for_other_schemes(footprint_home):
    done = invoke("label", PERC, "--scheme", "cn-cfp", "--factors", DATA / "ecs-test-factors.csv", home=footprint_home)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == "error: --factors: scheme cn-cfp does not use a factor table (only schemes with indicator 'ecs' do)"


def test_a_bilingual_label_has_both_certificate_lines_and_the_whole_name(site_chain):
    import re

    from footprint.report.label_art import render_label_svg
    from footprint.report.templates import environment

    name = "PERC glass-backsheet module 550 W (M10, 144 half cells)"
    env = environment()
    for kwargs, certificate in (({}, ["证书编号: 无(自我评估)", "Certificate number: none (self-assessment)"]),
                                ({"certificate": "KR-1", "issued": TODAY}, ["证书编号 / Certificate number: KR-1"])):
        decision = decide(500.0, "kr-carbon", site_chain, **kwargs)
        svg = render_label_svg(env, decision, lang="both", scheme=load_scheme("kr-carbon"), product_name=name)
        texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert set(certificate) <= set(texts)
        assert any(text == f"有效期至 / Valid until: {decision.valid_until}" for text in texts) == bool(kwargs)
        lines = [text for text in texts if text and name.startswith(text.split(" (M10")[0][:10]) and "…" not in text]
        assert " ".join(texts[texts.index(lines[0]):texts.index(lines[0]) + 2]) == name  # broken on two lines, not cut


@pytest.mark.parametrize("share, said", [(0.0, "declared primary data share 0.0%"), (None, "primary data share not declared")])
def test_a_supplier_declared_stage_is_supplier_specific_in_both_report_tables(footprint_home, tmp_path, share, said):
    """A PACT declaration with primaryDataShare 0 was 'primary' in the data sources table and 'default' in the
    hotspots table; both now say supplier-specific, with the primary share the declaration states."""
    import re

    from footprint.report import write_report

    product = supplier_product(tmp_path)
    pact = json.loads((tmp_path / "poly.json").read_text(encoding="utf-8"))
    if share is None:
        del pact["pcf"]["primaryDataShare"]
    else:
        pact["pcf"]["primaryDataShare"] = share
    (tmp_path / "poly.json").write_text(json.dumps(pact), encoding="utf-8")
    files = write_report(product, scheme="cn-cfp", out_dir=tmp_path / "dossier", pdf=False, as_of=dt.date(2026, 1, 1))
    html = files.html.read_text(encoding="utf-8")
    sources = html[html.index('<section id="data_sources">'):]
    sources = sources[:sources.index("</section>")]
    spots = html[html.index('<h3 id="hotspots">'):]
    spots = spots[:spots.index("</table>")]
    for table in (sources, spots):
        rows = [row for row in re.findall(r"<tr>.*?</tr>", table, flags=re.S) if '<td class="nowrap">Polysilicon</td>' in row]
        assert rows, table[:2000]
        for row in rows:
            assert 'class="tag supplier">supplier-specific</span>' in row and said in row, row
            assert "tag primary" not in row and "tag default" not in row, row
