"""Base data of the shared database in a product file: ``factor: registry:ENTRY@N`` and ``electricity_factor: registry:ENTRY@N``.

The expected totals are computed by hand from the same product without the entry: the
change is the material's amount x (the entry's factor - the bundled one), or the stage's kWh x
(the entry's grid factor - the bundled one), per kWp.
"""

import datetime as dt

import pytest
from test_shareddb_use import BODY, SUPPLIER, registry  # noqa: F401 (the fixture)

import footprint.shareddb as shared
from footprint.calc import compute
from footprint.errors import InputError
from footprint.supplier import resolving

from calc_helpers import emission_factors, product_data, write_product
from conftest import invoke
from handcalc import default

TODAY = dt.date.today()
ALUMINIUM_CN = 15.947  # kg CO2-eq/kg, aluminium_primary_CN (inventories/materials.csv)
JIANGSU_CO2 = 0.5827  # kg CO2/kWh, electricity_co2_CN-JS_2023, the official basis of the by-hand product
KWP = 0.55  # the by-hand product's 550 W
FRAME = 4.08  # kg of aluminium per module
AL_REF, GRID_REF = "registry:AL-SMELTER-2026@1", "registry:GRID-CN-JS-2025@1"


def material_entry(**changes):
    entry = {"id": "AL-SMELTER-2026", "kind": "material_factor", "title": "Primary aluminium of one smelter",
             "value": "8.6 kg CO2-eq/kg", "dataset": "aluminium_primary_CN", "source": "smelter's EPD S-P-01234, table 5",
             "valid_from": str(TODAY - dt.timedelta(days=10)), "valid_until": str(TODAY + dt.timedelta(days=300)),
             "quality": "2,2,1,2,1"}
    entry.update(changes)
    return entry


def grid_entry(**changes):
    entry = {"id": "GRID-CN-JS-2025", "kind": "grid_factor", "title": "Jiangsu grid 2025", "value": "0.61 kg CO2-eq/kWh",
             "geography": "CN-JS", "basis": "co2-only", "source": "Provincial announcement 2026, table 2",
             "valid_from": str(TODAY - dt.timedelta(days=30)), "valid_until": str(TODAY + dt.timedelta(days=300))}
    entry.update(changes)
    return entry


def publish(registry, entry, state="published"):  # noqa: F811
    ref = shared.add_entry(entry, owner=SUPPLIER, registry=registry)["ref"]
    if state == "draft":
        return ref
    shared.submit(ref, by=SUPPLIER, registry=registry)
    shared.validate(ref, reviewer=BODY, by="Zhang Min", registry=registry)
    shared.publish(ref, by=SUPPLIER, registry=registry)
    if state == "withdrawn":
        shared.withdraw(ref, by=SUPPLIER, reason="smelter changed its power supply", registry=registry)
    return ref


def frame_product(tmp_path, factor=None, name="frame.yaml", **changes):
    frame = {"dataset": "aluminium_primary_CN", "amount": f"{FRAME} kg/module"}
    if factor is not None:
        frame["factor"] = factor
    materials = dict(product_data()["stages"]["module"]["materials"])
    del materials["aluminium_primary_CN"]  # the default frame: the role 'frame' replaces it
    materials["frame"] = frame
    return write_product(tmp_path, product_data(**{"stages.module.materials": materials, **changes}), name)


def extrusion_per_kg(result):
    """The extrusion of 1 kg of bundled aluminium frame at the module stage's grid, by hand [kg CO2-eq/kg].

    2.015 kWh and 8.63 MJ of natural gas per kg (processes.csv, frame_extrusion_*): a bundled frame is extruded
    at the module maker's grid; a factor from the shared database covers the delivered frame, so nothing is added to it.
    """
    ef = emission_factors()
    [grid] = [use.dataset for use in result.electricity.uses if use.stage == "module"]
    return (default("module", "any", "frame_extrusion_electricity") * ef(grid)
            + default("module", "any", "frame_extrusion_heat") * ef("heat_natural_gas"))


def test_a_material_factor_from_the_shared_database_replaces_the_bundled_one(tmp_path, registry):  # noqa: F811
    publish(registry, material_entry())
    bundled = compute(frame_product(tmp_path, name="bundled.yaml"), per="kWp")
    with resolving(shared.resolver(registry=registry)):
        result = compute(frame_product(tmp_path, AL_REF), per="kWp")
    expected = bundled.total.value + FRAME * (8.6 - ALUMINIUM_CN - extrusion_per_kg(bundled)) / KWP
    assert result.total.value == pytest.approx(expected, rel=1e-9)
    sha = shared.show_entry("AL-SMELTER-2026@1", registry=registry)["sha256"]
    assert result.provenance.shared_entries == [{"stage": "module", "field": "materials.frame.factor", "ref": AL_REF,
                                                 "id": "AL-SMELTER-2026", "version": 1, "sha256": sha, "state": "published",
                                                 "owner": SUPPLIER}]
    assert result.provenance.input_files[AL_REF] == sha
    [label] = [key for key in result.by_activity if "supplier-specific factor" in key]
    assert AL_REF in label and result.by_activity[label].value == pytest.approx(FRAME * 8.6 / KWP, rel=1e-9)
    factor = result.to_dict()["parameters"]["stages.module.materials.frame.factor"]
    assert factor["value"] == pytest.approx(8.6) and AL_REF in factor["source"]


def test_a_factor_in_tonnes_is_converted_with_pint(tmp_path, registry):  # noqa: F811
    publish(registry, material_entry(value="8600 kg CO2-eq/t"))
    bundled = compute(frame_product(tmp_path, name="bundled.yaml"), per="kWp")
    with resolving(shared.resolver(registry=registry)):
        result = compute(frame_product(tmp_path, AL_REF), per="kWp")
    assert result.total.value == pytest.approx(bundled.total.value + FRAME * (8.6 - ALUMINIUM_CN - extrusion_per_kg(bundled)) / KWP,
                                               rel=1e-9)


def test_a_grid_factor_of_a_new_year_replaces_the_stage_s_bundled_grid(tmp_path, registry):  # noqa: F811
    publish(registry, grid_entry())
    bundled = compute(write_product(tmp_path, product_data(), "bundled.yaml"), per="kWp")
    [cell_kwh] = [use.amount for use in bundled.electricity.uses if use.stage == "cell"]  # kWh/kWp, the factor does not move it
    path = write_product(tmp_path, product_data(**{"stages.cell.electricity_factor": GRID_REF}), "grid.yaml")
    with resolving(shared.resolver(registry=registry)):
        result = compute(path, per="kWp")
    assert result.total.value == pytest.approx(bundled.total.value + cell_kwh * (0.61 - JIANGSU_CO2), rel=1e-9)
    assert result.electricity.market_based.value == pytest.approx(result.total.value, rel=1e-12)  # no instrument
    [use] = [use for use in result.electricity.uses if use.stage == "cell"]
    assert (use.dataset, use.amount, use.scope) == (GRID_REF, pytest.approx(cell_kwh, rel=1e-12), "co2_combustion")
    [entry] = result.provenance.shared_entries
    assert (entry["stage"], entry["field"], entry["ref"]) == ("cell", "electricity_factor", GRID_REF)
    assert result.provenance.input_files[GRID_REF] == entry["sha256"]


@pytest.mark.parametrize("entry, changes, message", [
    (grid_entry(basis="life-cycle"), {}, "is a life-cycle factor; the stage's electricity basis (official) takes electricity_grid_CN-JS (co2_combustion)"),
    (grid_entry(basis=None), {}, "does not say its basis"),
    (grid_entry(geography="CN-XJ", id="GRID-CN-XJ-2025"), {}, "holds for CN-XJ; stages.cell.site is CN-JS"),
    (grid_entry(), {"stages.cell.electricity_instruments": "site.yaml"}, "expected one of the two"),
])
def test_an_electricity_factor_that_does_not_fit_the_stage_is_refused(tmp_path, registry, entry, changes, message):  # noqa: F811
    entry = {key: value for key, value in entry.items() if value is not None}
    ref = f"registry:{publish(registry, entry)}"
    (tmp_path / "site.yaml").write_text("format: footprint-site-electricity/1\n", encoding="utf-8")
    path = write_product(tmp_path, product_data(**{"stages.cell.electricity_factor": ref, **changes}), "grid.yaml")
    with resolving(shared.resolver(registry=registry)), pytest.raises(InputError) as caught:
        compute(path, per="kWp")
    assert f"grid.yaml: stages.cell.electricity_factor: {ref}" in str(caught.value) and message in str(caught.value)


@pytest.mark.parametrize("state, message", [
    ("draft", "draft, not validated"),
    ("withdrawn", "withdrawn (smelter changed its power supply)"),
])
def test_an_unusable_material_entry_is_refused_with_the_reason(tmp_path, registry, state, message):  # noqa: F811
    publish(registry, material_entry(), state=state)
    with resolving(shared.resolver(registry=registry)), pytest.raises(InputError) as caught:
        compute(frame_product(tmp_path, AL_REF), per="kWp")
    assert f"frame.yaml: stages.module.materials.frame.factor: {AL_REF}: {message}" in str(caught.value)


def test_an_expired_entry_is_refused(tmp_path, registry):  # noqa: F811
    publish(registry, material_entry(valid_from=str(TODAY - dt.timedelta(days=400)), valid_until=str(TODAY - dt.timedelta(days=1))),
            state="draft")
    with shared.db.transaction(registry) as session:  # validated on a day it was still valid (the checks refuse expired ones)
        from footprint.shareddb.models import SharedEntry

        session.query(SharedEntry).update({"state": "published"})
    with resolving(shared.resolver(registry=registry)), pytest.raises(InputError, match=r"expired on .*; the calculation date is"):
        compute(frame_product(tmp_path, AL_REF), per="kWp")


@pytest.mark.parametrize("entry, message", [
    (material_entry(value="20 kg CO2-eq/m2", dataset=None), "AL-SMELTER-2026@1 is 20 kg_CO2_eq/m2; expected kg CO2-eq per kg (the amount's unit)"),
    (grid_entry(id="AL-SMELTER-2026"), "is a grid factor entry; expected material_factor"),
])
def test_an_entry_of_another_kind_or_unit_is_refused(tmp_path, registry, entry, message):  # noqa: F811
    publish(registry, {key: value for key, value in entry.items() if value is not None})
    with resolving(shared.resolver(registry=registry)), pytest.raises(InputError) as caught:
        compute(frame_product(tmp_path, AL_REF), per="kWp")
    assert message in str(caught.value), str(caught.value)


def test_without_a_shared_database_the_reference_is_refused(tmp_path):
    with pytest.raises(InputError, match="AL-SMELTER-2026@1 is a shared database entry, but no shared database was given"):
        compute(frame_product(tmp_path, AL_REF), per="kWp")


@pytest.mark.parametrize("changes, message", [
    ({"stages.cell.electricity_factor": "registry:GRID"}, "stages.cell.electricity_factor: got 'registry:GRID'; expected registry:ENTRY@VERSION"),
    ({"stages.cell.electricity_factor": "0.6 kg CO2-eq/kWh"}, "expected registry:ENTRY@VERSION"),
    ({"stages.polysilicon.heat": {"amount": "70 MJ/kg", "factor": "registry:GAS@1"}}, "not heat's"),
])
def test_malformed_references_are_one_line_errors(tmp_path, changes, message):
    from footprint.calc.compute import read_product

    with pytest.raises(InputError) as caught:
        read_product(write_product(tmp_path, product_data(**changes)))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_source_beside_a_registry_factor_is_refused(tmp_path):
    from footprint.calc.compute import read_product

    path = frame_product(tmp_path, AL_REF)
    text = path.read_text(encoding="utf-8").replace(f"factor: {AL_REF}", f"factor: {AL_REF}\n        source: mine")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="a shared database entry brings its own source"):
        read_product(path)


def test_the_command_line_resolves_against_its_registry(tmp_path, registry, home_env):  # noqa: F811
    publish(registry, material_entry())
    path = frame_product(tmp_path, AL_REF)
    completed = invoke("calc", str(path), "--per", "kWp", "--registry", registry, "--format", "json", home=home_env)
    assert completed.returncode == 0, completed.stderr
    assert '"field": "materials.frame.factor"' in completed.stdout
    shared.withdraw("AL-SMELTER-2026@1", by=SUPPLIER, reason="recalled", registry=registry)
    completed = invoke("calc", str(path), "--per", "kWp", "--registry", registry, home=home_env)
    assert completed.returncode == 1
    [line] = [line for line in completed.stderr.splitlines() if line.startswith("error: ")]
    assert "withdrawn (recalled)" in line and line == completed.stderr.splitlines()[-1]


def test_a_label_reads_each_entry_once(tmp_path, registry, monkeypatch):  # noqa: F811
    """evaluate_label computes, builds the chain again and, with montecarlo, builds the system once more (the
    review's 'supplier ref resolved 2-4 times per label'): one read of the database per entry."""
    from test_shareddb_use import REF as POLY_REF
    from test_shareddb_use import publish as publish_declaration

    from footprint.labels.study import evaluate_label
    from footprint.shareddb import entries

    publish(registry, material_entry())
    publish(registry, grid_entry())
    publish_declaration(registry)
    path = frame_product(tmp_path, AL_REF, **{"stages.cell.electricity_factor": GRID_REF, "stages.polysilicon.supplier": POLY_REF})
    calls = []
    real = entries.resolve_entry

    def counting(ref, **options):
        calls.append(ref)
        return real(ref, **options)

    monkeypatch.setattr(entries, "resolve_entry", counting)
    with resolving(shared.resolver(registry=registry)):
        study = evaluate_label(path, scheme="cn-cfp", montecarlo=200, seed=1)
    assert sorted(calls) == sorted([AL_REF, GRID_REF, POLY_REF])
    assert {row["ref"] for row in study.result["provenance"]["shared_entries"]} == {AL_REF, GRID_REF, POLY_REF}
    assert study.analysis is not None


def test_impact_lists_a_product_whose_material_factor_has_a_newer_version(tmp_path, registry):  # noqa: F811
    publish(registry, material_entry())
    publish(registry, material_entry(value="9.6 kg CO2-eq/kg"))  # @2 supersedes @1
    path = frame_product(tmp_path, AL_REF)
    found = shared.impact(AL_REF, products=[path], per="kWp", registry=registry)
    assert (found["from"], found["to"]) == ("AL-SMELTER-2026@1", "AL-SMELTER-2026@2")
    [row] = found["rows"]
    assert row["change"] == pytest.approx(FRAME * (9.6 - 8.6) / KWP, rel=1e-9)


def test_the_report_shows_the_stage_s_kwh_beside_the_shared_grid_factor(tmp_path, registry):  # noqa: F811
    from footprint.report import write_report

    publish(registry, grid_entry())
    path = write_product(tmp_path, product_data(**{"stages.cell.electricity_factor": GRID_REF}), "grid.yaml")
    with resolving(shared.resolver(registry=registry)):
        files = write_report(path, scheme="cn-cfp", out_dir=tmp_path / "dossier", pdf=False)
    html = files.html.read_text(encoding="utf-8")
    assert f"{17.7 * 330.15e-4:,.3g} kWh/pc" in html  # the cell's 17.7 kWh/m2 x its 330.15 cm2 wafer
    assert GRID_REF in html


def test_the_command_line_s_default_registry_reads_each_entry_once_per_label(tmp_path, registry, home_env, monkeypatch):  # noqa: F811
    from footprint.shareddb import entries

    publish(registry, material_entry())
    path = frame_product(tmp_path, AL_REF)
    calls = []
    real = entries.resolve_entry
    counting = lambda ref, **options: calls.append(ref) or real(ref, **options)  # noqa: E731
    monkeypatch.setattr(entries, "resolve_entry", counting)
    monkeypatch.setattr(shared, "resolve_entry", counting)  # the name the package exports, in case a caller uses it
    monkeypatch.setenv("FOOTPRINT_REGISTRY", registry)
    completed = invoke("label", str(path), "--scheme", "cn-cfp", "--format", "json", home=home_env)
    assert completed.returncode == 0, completed.stderr
    assert calls == [AL_REF]


def test_a_shared_grid_entry_shows_its_validity_not_a_year_taken_from_it(tmp_path, registry):  # noqa: F811
    """A 2025 grid factor valid from a day of another year showed that year as its data year (electricity tables).

    An entry has no field for the year of its data (footprint/shareddb/checks.py FIELDS): the tables say
    'valid from DAY' for it, and the year of a bundled grid stays its data year.
    """
    from footprint.cli.render import result_table
    from footprint.report import write_report

    start = dt.date(TODAY.year - 1, 1, 1)  # another year than the title's 2025 unless this runs in 2026
    publish(registry, grid_entry(valid_from=str(start)))
    path = write_product(tmp_path, product_data(**{"stages.cell.electricity_factor": GRID_REF}), "grid.yaml")
    with resolving(shared.resolver(registry=registry)):
        result = compute(path, per="kWp")
        files = write_report(path, scheme="cn-cfp", out_dir=tmp_path / "dossier", pdf=False)
    [use] = [use for use in result.electricity.uses if use.stage == "cell"]
    assert (use.year, use.valid_from) == (None, str(start))
    assert all(other.year for other in result.electricity.uses if other.stage != "cell")  # the bundled grids keep theirs
    [line] = [line for line in result_table(result).splitlines() if GRID_REF in line and " kWh " in line]
    assert line.endswith(f"(valid from {start})") and f"({start.year})" not in line
    html = files.html.read_text(encoding="utf-8")
    assert f"({GRID_REF}) (valid from {start})" in html or f"({GRID_REF}) (有效期自" in html
    assert f"({GRID_REF}) ({start.year})" not in html
