"""footprint.shareddb.impact: the products a newer version of a shared entry changes, recomputed.

POLY-XJ-2026@1 carries the PACT declaration of tests/data/pact-polysilicon.json (30.5 kg CO2-eq/kg);
@2 the same declaration at 33.0. The expected totals are compute() of the product pointing at @1 and at @2.
"""

import copy
import json

import pytest
from test_registry import SCHEME, issue, material, run_process  # noqa: F401 (the fixture)
from test_shareddb_use import BODY, PACT, REF, SUPPLIER, poly_entry, publish, registry  # noqa: F401 (the fixture)

import footprint.shareddb as shared
from footprint.calc import compute
from footprint.errors import OptionError
from footprint.supplier import resolving

from calc_helpers import product_data, write_product
from conftest import ROOT, invoke

NEW_REF = "registry:POLY-XJ-2026@2"


def publish_second(registry, state="published"):  # noqa: F811
    pact = copy.deepcopy(PACT)
    pact["pcf"]["pCfExcludingBiogenic"] = "33.0"
    ref = shared.add_entry(poly_entry(value="33.0 kg CO2-eq/kg", payload=pact), owner=SUPPLIER, registry=registry)["ref"]
    shared.submit(ref, by=SUPPLIER, registry=registry)
    shared.validate(ref, reviewer=BODY, by="Zhang Min", registry=registry)
    if state == "published":
        shared.publish(ref, by=SUPPLIER, registry=registry)
    return ref


def product_at(tmp_path, ref, name):
    return write_product(tmp_path, product_data(**{"stages.polysilicon.supplier": ref}), name)


def test_impact_lists_the_product_with_its_old_and_new_totals(tmp_path, registry):  # noqa: F811
    publish(registry)
    publish_second(registry)
    old_path, new_path = product_at(tmp_path, REF, "old.yaml"), product_at(tmp_path, NEW_REF, "new.yaml")
    unused = write_product(tmp_path, product_data(), "unused.yaml")
    with resolving(shared.resolver(registry=registry)):
        expected_old, expected_new = compute(old_path, per="kWp"), compute(new_path, per="kWp")
    assert expected_old.total.value != pytest.approx(expected_new.total.value)
    found = shared.impact("POLY-XJ-2026@1", products=[old_path, unused], per="kWp", registry=registry)
    assert (found["from"], found["to"]) == ("POLY-XJ-2026@1", "POLY-XJ-2026@2")  # the successor
    [row] = found["rows"]
    assert (row["kind"], row["file"], row["unit"]) == ("product", str(old_path), expected_old.total.unit)
    assert row["old"] == pytest.approx(expected_old.total.value, rel=1e-12)
    assert row["new"] == pytest.approx(expected_new.total.value, rel=1e-12)
    assert row["change"] == pytest.approx(expected_new.total.value - expected_old.total.value, rel=1e-9)
    assert row["change_percent"] == pytest.approx(100 * row["change"] / row["old"], rel=1e-9)


def test_to_names_a_validated_version_not_yet_published(tmp_path, registry):  # noqa: F811
    publish(registry)
    publish_second(registry, state="validated")
    old_path = product_at(tmp_path, REF, "old.yaml")
    found = shared.impact(REF, to="POLY-XJ-2026@2", products=[old_path], registry=registry)
    [row] = found["rows"]
    with resolving(shared.resolver(registry=registry)):
        expected = compute(product_at(tmp_path, NEW_REF, "new.yaml"))
    assert row["new"] == pytest.approx(expected.total.value, rel=1e-12)


def test_an_entry_nobody_uses_lists_nothing(tmp_path, registry, home_env, monkeypatch):  # noqa: F811
    publish(registry)
    publish_second(registry)
    assert shared.impact("POLY-XJ-2026@1", registry=registry)["rows"] == []
    completed = invoke("shared", "impact", "POLY-XJ-2026@1", "--registry", registry, home=home_env)
    assert completed.returncode == 0, completed.stderr
    assert "no certificate or product uses registry:POLY-XJ-2026@1" in completed.stdout


def test_the_command_line_prints_json(tmp_path, registry, home_env):  # noqa: F811
    publish(registry)
    publish_second(registry)
    old_path = product_at(tmp_path, REF, "old.yaml")
    completed = invoke("shared", "impact", REF, "--product", old_path, "--registry", registry, "--format", "json", home=home_env)
    assert completed.returncode == 0, completed.stderr
    [row] = json.loads(completed.stdout)["rows"]
    assert row["new"] > row["old"] and row["change_percent"] > 0


@pytest.mark.parametrize("args, message", [
    (["POLY-XJ-2026"], "expected ENTRY@VERSION"),
    (["POLY-XJ-2026@1", "--to", "OTHER@2"], "expected a version of POLY-XJ-2026"),
    (["POLY-XJ-2026@9"], "not in the shared database"),
    (["POLY-XJ-2026@1", "--to", "POLY-XJ-2026@7"], "not in the shared database"),
    (["POLY-XJ-2026@1"], "no validated or published version after it"),
])
def test_bad_refs_are_one_line_exit_1(registry, home_env, args, message):  # noqa: F811
    publish(registry)
    completed = invoke("shared", "impact", *args, "--registry", registry, home=home_env)
    assert completed.returncode == 1, completed.stdout
    [line] = completed.stderr.splitlines()
    assert line.startswith("error: ") and message in line, line


def test_a_bad_to_is_an_option_error(registry):  # noqa: F811
    with pytest.raises(OptionError):
        shared.impact("POLY-XJ-2026@1", to="OTHER@2", registry=registry)


def test_a_certificate_whose_dossier_used_the_entry_is_recomputed(tmp_path, registry, material):  # noqa: F811
    """The example PERC module of tests/test_registry.py, its polysilicon from POLY-XJ-2026@1, certified."""
    from footprint.labels.study import evaluate_label
    from footprint.report import write_report

    publish(registry)
    text = material["product"].read_text(encoding="utf-8")
    products = {}
    for ref in (REF, NEW_REF):
        path = tmp_path / f"perc-{ref[-1]}.yaml"
        path.write_text(text.replace("    technology: siemens\n", f"    technology: siemens\n    supplier: {ref}\n", 1),
                        encoding="utf-8")
        products[ref] = path
    with resolving(shared.resolver(registry=registry)):
        write_report(products[REF], scheme=SCHEME, out_dir=tmp_path / "dossier", pdf=False)
        app = run_process(registry, tmp_path / "dossier")
        number = issue(registry, app, material)["certificate"]
    publish_second(registry)
    with resolving(shared.resolver(registry=registry)):
        old, new = (evaluate_label(products[ref], scheme=SCHEME).decision for ref in (REF, NEW_REF))
    found = shared.impact(REF, registry=registry)
    [row] = found["rows"]
    assert (row["kind"], row["certificate"], row["unit"], row["status"]) == ("certificate", number, old.unit, "valid")
    assert row["old"] == pytest.approx(old.value_unrounded, rel=1e-12)
    assert row["new"] == pytest.approx(new.value_unrounded, rel=1e-12)
    assert row["new"] > row["old"]
    assert (row["outcome"], row["new_outcome"], row["crosses"]) == (old.outcome, new.outcome, old.outcome != new.outcome)


def test_a_new_grid_factor_in_the_bundled_data_lists_the_certificates_it_moves(tmp_path, material, monkeypatch):  # noqa: F811
    """A copy of inventories/ with China's life-cycle grid factor of 2024 at 0.6777 in place of 0.5777 kg CO2-eq/kWh:
    the certified footprint moves by 0.1 x the grid kWh per kWp its recorded result used of that dataset."""
    import shutil

    from footprint.brightway.install import setup
    from footprint.labels.study import evaluate_label

    registry = str(tmp_path / "registry.sqlite")  # noqa: F811 (a database of its own, not the fixture)
    app = run_process(registry, material["dossier"])
    number = issue(registry, app, material)["certificate"]
    assert shared.data_impact(registry=registry)["rows"] == []  # certified on the data installed: nothing moves
    [same] = shared.data_impact(every=True, registry=registry)["rows"]
    assert same["certificate"] == number and same["change"] == pytest.approx(0.0, abs=1e-9 * same["old"])
    recorded = json.loads(next(material["dossier"].glob("*-result.json")).read_text(encoding="utf-8"))
    kwh = sum(use["amount"] for use in recorded["electricity"]["uses"] if use["dataset"] == "electricity_lifecycle_CN_2024")
    assert kwh > 100  # kWh per kWp: every stage of the example is in China, on the life-cycle basis

    changed = tmp_path / "inventories"
    shutil.copytree(ROOT / "inventories", changed)
    china = changed / "electricity_china.csv"
    old_row = "electricity_lifecycle_CN_2024,\"electricity, grid, China national average, life cycle CO2-eq, 2024\",kWh,CN,electricity,co2e_aggregated,0.5777,"
    text = china.read_text(encoding="utf-8")
    assert text.count(old_row) == 1
    china.write_text(text.replace(old_row, old_row.replace(",0.5777,", ",0.6777,")), encoding="utf-8")
    monkeypatch.setenv("FOOTPRINT_INVENTORIES", str(changed))
    monkeypatch.setenv("FOOTPRINT_HOME", str(tmp_path / "home"))
    setup()
    found = shared.data_impact(registry=registry)
    [row] = found["rows"]
    assert found["data_sha256"] != recorded["provenance"]["data_sha256"]
    assert (row["certificate"], row["old_data_version"], row["status"]) == (number, recorded["provenance"]["data_version"], "valid")
    assert row["old"] == pytest.approx(recorded["total"]["value"], rel=1e-12)
    assert row["change"] == pytest.approx(0.1 * kwh, rel=1e-6)
    assert row["new"] == pytest.approx(recorded["total"]["value"] + 0.1 * kwh, rel=1e-9)
    decision = evaluate_label(material["product"], scheme=SCHEME).decision  # the same product, computed afresh on the new data
    assert row["new"] == pytest.approx(decision.value_unrounded, rel=1e-12)
    assert row["new_outcome"] == decision.outcome


def test_data_impact_on_the_command_line(tmp_path, material, home_env):  # noqa: F811
    registry = str(tmp_path / "registry.sqlite")  # noqa: F811
    number = issue(registry, run_process(registry, material["dossier"]), material)["certificate"]
    completed = invoke("shared", "data-impact", "--registry", registry, home=home_env)
    assert completed.returncode == 0, completed.stderr
    assert "no certificate was certified on other bundled data" in completed.stdout
    completed = invoke("shared", "data-impact", "--all", "--registry", registry, "--format", "json", home=home_env)
    [row] = json.loads(completed.stdout)["rows"]
    assert row["certificate"] == number and row["change"] == pytest.approx(0.0, abs=1e-9 * row["old"])


def test_a_certificate_whose_scheme_needs_the_uncertainty_analysis_keeps_its_outcome(tmp_path, material):  # noqa: F811
    """cn-cfp requires the uncertainty and sensitivity analyses: the dossier was written with --montecarlo, so the
    recomputation runs them again (the iterations and seed its result records) and an unchanged footprint stays 'pass'
    (not 'incomplete', which would list every cn-cfp certificate as crossing its threshold)."""
    from footprint.report import write_report

    registry = str(tmp_path / "registry.sqlite")  # noqa: F811
    write_report(material["product"], scheme="cn-cfp", out_dir=tmp_path / "dossier", pdf=False, montecarlo=200, seed=3)
    number = issue(registry, run_process(registry, tmp_path / "dossier"), material)["certificate"]
    label = json.loads(next((tmp_path / "dossier").glob("*-label.json")).read_text(encoding="utf-8"))
    assert label["decision"]["outcome"] == "pass"
    [row] = shared.data_impact(every=True, registry=registry)["rows"]
    assert row["certificate"] == number and row["change"] == pytest.approx(0.0, abs=1e-9 * row["old"])
    assert (row["outcome"], row["new_outcome"], row["crosses"]) == ("pass", "pass", False)
