"""Data-collection workbooks: the template, the import, its checks, and calc on a workbook."""

import datetime as dt

import openpyxl
import pytest

from footprint.bundle.read import read_bundle
from footprint.collect import WorkbookProduct, check_workbook, read_any, read_workbook, write_product_yaml
from footprint.collect.layout import META_SHEET, TEMPLATE_VERSION, sheet_title
from footprint.errors import InputError, WorkbookError
from footprint.model import build_chain, parse_product, read_product
from footprint.model.spec import STAGE_PARAMETERS, STAGES
from footprint.vocab import OPTIONAL_PARAMETERS

from collect_helpers import EXAMPLE, cell_of, fill, filled, find_row, is_wafer_electricity_outlier, merged, template, unexpected
from conftest import PERC, invoke

BOTH = {sheet: sheet_title(sheet, "both") for sheet in ("product", "mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module")}


def flows(spec):
    """Every foreground flow amount of a product, by (stage, kind, target)."""
    chain = build_chain(spec, read_bundle())
    return {(stage, f.kind, f.target): f.amount for stage, p in chain.processes.items() for f in p.flows}


def assert_same_flows(left, right, rel=1e-12):
    a, b = flows(left), flows(right)
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == pytest.approx(b[key], rel=rel), key


def problems_of(excinfo):
    return {(p.sheet, p.cell): p for p in excinfo.value.problems if p.severity == "error"}


# -- the template ---------------------------------------------------------------------------
def test_template_has_every_stage_lists_protection_and_version(tmp_path):
    path = template(tmp_path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Instructions 填写说明", *BOTH.values(), "Lists", META_SHEET]
    assert book["Lists"].sheet_state == "hidden" and book[META_SHEET].sheet_state == "veryHidden"
    meta = {row[0]: row[1] for row in book[META_SHEET].iter_rows(values_only=True)}
    assert meta["format"] == "footprint-workbook" and meta["version"] == TEMPLATE_VERSION
    assert set(book.defined_names) == {"list_sites", "list_materials", "list_gases", "list_sources"}
    wafer = book[BOTH["wafer"]]
    assert [c.value for c in wafer[4]][:4] == ["项目 Item", "说明 Description", "数值 Value", "单位 Unit"]
    assert wafer.protection.sheet and wafer["A4"].protection.locked and not wafer["C7"].protection.locked
    keys = [wafer.cell(r, 1).value for r in range(5, 17)]
    assert keys[:8] == ["site", "technology", "output", "wafer_area", "thickness", "kerf", "ingot_utilisation", "yield"]
    formulas = {str(dv.formula1) for dv in wafer.data_validations.dataValidation}
    assert {"list_sites", "list_materials", "list_gases", "list_sources"} <= formulas
    # defaults are shown with their source; items without one say they are required
    poly = book[BOTH["polysilicon"]]
    row = {poly.cell(r, 1).value: r for r in range(5, 12)}
    assert "52.66 kWh/kg [siemens] - Götz M. et al., 2026; 10.83 kWh/kg [fbr]" in poly.cell(row["electricity"], 10).value
    # wafer_area: only the wafer formats have one
    assert wafer.cell(find_row(wafer, "wafer_area"), 10).value.startswith("331.24 cm2 [m10] - ITRPV")
    assert wafer.cell(find_row(wafer, "yield"), 10).value == "必填 required"
    sites = [c.value for c in book["Lists"]["A"][1:]]
    assert "CN-JS 江苏 Jiangsu" in sites


def test_template_for_one_stage_and_language(tmp_path):
    wafer = openpyxl.load_workbook(template(tmp_path, "w.xlsx", stage="wafer", lang="zh"))
    assert wafer.sheetnames == ["填写说明", "硅片", "Lists", META_SHEET]
    assert wafer["硅片"]["C4"].value == "数值"
    module = openpyxl.load_workbook(template(tmp_path, "m.xlsx", stage="module", lang="en"))
    assert module.sheetnames == ["Instructions", "Product", "Module", "Lists", META_SHEET]
    with pytest.raises(InputError, match="exists; choose another name or allow replacing it"):
        template(tmp_path, "w.xlsx", stage="wafer")


def test_blank_template_lists_every_required_item_with_its_cell(tmp_path):
    path = template(tmp_path)
    with pytest.raises(WorkbookError) as excinfo:
        read_workbook(path)
    found = problems_of(excinfo)
    expected = [("product", key) for key in ("id", "name", "technology", "rated_power", "area")]
    expected += [(stage, "site") for stage in STAGES]
    # a module's glass and backsheet defaults depend on its type, which is never guessed
    expected.append(("module", "technology"))
    # every parameter without a bundled default for the blank technology ("any"): polysilicon
    # electricity, for instance, has a default only for a named route (siemens or fbr)
    bundle = read_bundle()
    expected += [(stage, key) for stage in STAGES for key in ("electricity", *STAGE_PARAMETERS[stage])
                 if bundle.process_default(stage, "any", key) is None and key not in OPTIONAL_PARAMETERS]
    assert ("wafer", "yield") in expected and ("polysilicon", "electricity") in expected
    cells = {(BOTH[sheet], cell_of(path, sheet, key)) for sheet, key in expected}
    assert set(found) == cells
    assert all("required" in p.message for p in found.values())
    assert "nothing was imported" in str(excinfo.value)


# -- equivalence with the YAML product file -------------------------------------------------
def test_filled_template_imports_to_the_example_product(tmp_path):
    path = filled(tmp_path)
    product = read_workbook(path)
    assert isinstance(product, WorkbookProduct) and unexpected(product.warnings) == []
    (outlier,) = product.warnings  # the example's wafer electricity against the newer default
    assert is_wafer_electricity_outlier(outlier) and outlier.sheet == BOTH["wafer"]
    assert product.id == "perc-gb-550-jiangsu" and product.stages["wafer"].site == "CN-JS"
    assert_same_flows(product, read_product(PERC), rel=0)
    # the YAML written by the import is a product file giving the same product
    text = write_product_yaml(product)
    assert "# Wafer 硅片!C" in text
    assert_same_flows(parse_product(text), product, rel=0)


def test_totals_are_divided_by_the_output_of_the_same_period(tmp_path):
    values = merged(EXAMPLE, {
        "polysilicon": {"output": {"value": "9,000", "unit": "t", "period": "2024"},
                        "mg_silicon": {"value": "10,224", "unit": "t", "period": "2024"},
                        "heat": {"value": 630_000, "unit": "GJ", "period": "2024"}},
        "wafer": {"output": {"value": 900_000_000, "unit": "pcs", "period": 2024},
                  "electricity": {"value": "29,700", "unit": "MWh", "period": "2024", "source": "meter reading"}},
        "module": {"output": {"value": 2000, "unit": "MW", "period": "2024"},
                   "electricity": {"value": 12_000, "unit": "MWh", "period": "2024"}},
    })
    product = read_workbook(filled(tmp_path, values))
    params = {s: product.stages[s].parameters for s in product.stages}
    assert params["polysilicon"]["mg_silicon"].to("").magnitude == pytest.approx(10224 / 9000, rel=1e-12)
    assert params["polysilicon"]["heat"].to("MJ/kg").magnitude == pytest.approx(630_000e3 / 9e6, rel=1e-12)
    assert params["wafer"]["electricity"].to("kWh/piece").magnitude == pytest.approx(29_700_000 / 900_000_000, rel=1e-12)
    # 2 000 MW of 550 W modules is 3 636 363.6 modules: 12 000 MWh over them
    assert params["module"]["electricity"].to("kWh/piece").magnitude == pytest.approx(12e6 * 550 / 2e9, rel=1e-12)
    assert "'29,700 MWh' / output '900000000 pcs' = 900000000 piece" in product.sources["stages.wafer.electricity"]
    assert "source: meter reading" in product.sources["stages.wafer.electricity"]


def test_calc_on_a_workbook_equals_calc_on_the_yaml(tmp_path, home_env):
    from footprint.calc import compute

    values = merged(EXAMPLE, {"wafer": {"output": {"value": 900_000_000, "unit": "pcs", "period": "2024"},
                                        "electricity": {"value": 29_700, "unit": "MWh", "period": "2024"}}})
    path = filled(tmp_path, values)
    from_yaml = compute(PERC, per="kWp")
    from_xlsx = compute(path, per="kWp")
    assert from_xlsx.total.value == pytest.approx(from_yaml.total.value, rel=1e-9)
    for stage, part in from_yaml.by_stage.items():
        assert from_xlsx.by_stage[stage].value == pytest.approx(part.value, rel=1e-9, abs=1e-12)
    assert from_xlsx.input_file == str(path)


# -- every error at once ----------------------------------------------------------------------
def test_every_error_is_reported_at_once_with_sheet_and_cell(tmp_path):
    values = merged(EXAMPLE, {
        "product": {"id": "perc 550", "area": (2.583, "kg")},
        "mg_silicon": {"electricity": (5, "MWh")},  # a total without output
        "polysilicon": {"technology": "siemen", "mg_silicon": (0.9, "kg/kg"), "electricity": ("66,5", "kWh/kg")},
        "ingot": {"site": "Atlantis", "electricity": (38.4, "kWh/kq")},
        "wafer": {"thickness": (150, "kg"), "yield": 1.2, "kerf": (-50, "um"),
                  "output": {"value": 9e8, "unit": "pcs", "period": "2024"},
                  "electricity": {"value": 30_000, "unit": "MWh", "period": "2023"}},
        "cell": {"efficiency": 0.31, "electricity": dt.datetime(2024, 3, 4), "yield": {"value": 0.98, "site": "CN-ZJ"},
                 "silver": "-0.1"},  # a negative bare number
        "module": {"cells": 144.5, "electricity": "#DIV/0!", "heat": "=A1*2", "unobtainium": (1, "g/piece")},
    })
    path = filled(tmp_path, values)
    with pytest.raises(WorkbookError) as excinfo:
        read_workbook(path)
    found = problems_of(excinfo)
    expected = {
        ("product", "id"): "letters, digits",
        ("product", "area"): "wrong kind of quantity; expected a quantity such as 2.58 m2",
        ("mg_silicon", "electricity"): "a total needs the production output",
        ("polysilicon", "technology"): "expected one of fbr, siemens",
        ("polysilicon", "mg_silicon"): "breaks the mass balance",
        ("polysilicon", "electricity"): "decimal comma",
        ("ingot", "site"): "unknown site",
        ("wafer", "thickness"): "wrong kind of quantity",
        ("wafer", "yield"): "fraction in (0, 1]",
        ("wafer", "kerf"): "non-negative",
        ("cell", "efficiency"): "29.43% limiting efficiency",
        ("cell", "electricity"): "a date or time",
        ("module", "cells"): "whole number",
        ("module", "electricity"): "#DIV/0!",
        ("module", "heat"): "has no saved value",
    }
    cells = {(BOTH[sheet], cell_of(path, sheet, key)): text for (sheet, key), text in expected.items()}
    cells[(BOTH["ingot"], cell_of(path, "ingot", "electricity", "unit"))] = "unknown unit"
    cells[(BOTH["wafer"], cell_of(path, "wafer", "electricity", "period"))] = "must cover the output's period '2024'"
    cells[(BOTH["module"], cell_of(path, "module", "unobtainium", "item"))] = "unknown item"
    cells[(BOTH["cell"], cell_of(path, "cell", "yield", "site"))] = "differs from the stage's site CN-JS"
    cells[(BOTH["cell"], cell_of(path, "cell", "silver"))] = "non-negative"
    assert set(found) == set(cells)
    for place, text in cells.items():
        assert text in found[place].message, (place, found[place])
    message = str(excinfo.value)
    assert message.startswith(f"{path}: 20 errors; nothing was imported")
    assert f"{BOTH['wafer']}!{cell_of(path, 'wafer', 'yield')} (yield): got '120 %'; expected a fraction" in message


def test_errors_of_values_and_of_the_product_as_a_whole_show_together(tmp_path, footprint_home):
    # a cell yield of 150 %, and 200 half cells: 100 wafers x 330.15 cm2 = 3.3015 m2 of cells
    # in a module of 2.583 m2 (the model refuses it); neither hides the other
    path = filled(tmp_path, merged(EXAMPLE, {"cell": {"yield": 1.5}, "module": {"cells": 200}}))
    with pytest.raises(WorkbookError) as excinfo:
        read_workbook(path)
    found = problems_of(excinfo)
    cells = (BOTH["module"], cell_of(path, "module", "cells"))
    assert set(found) == {(BOTH["cell"], cell_of(path, "cell", "yield")), cells}
    assert "cover 3.3 m2, more than the module area 2.583 m2" in found[cells].message
    # --check runs the same checks when the workbooks hold the whole product
    result = invoke("import", path, "--check", home=footprint_home)
    assert result.returncode == 1 and "2 errors; nothing was imported" in result.stderr
    assert all(p.severity == "warning" for p in check_workbook(filled(tmp_path, name="good.xlsx")))


def test_zero_removes_a_default_material(tmp_path):
    # docs/excel.md: a glass-glass module without backsheet gives pet = 0
    nothing = read_workbook(filled(tmp_path, merged(EXAMPLE, {"module": {"pet": 0}}), "zero.xlsx"))
    assert [p for p in nothing.warnings if p.item == "pet"] == []  # no "0 times the bundled default"
    assert nothing.stages["module"].materials["pet"].magnitude == 0
    assert ("module", "dataset", "pet") in flows(read_product(PERC))
    assert ("module", "dataset", "pet") not in flows(nothing)
    with_unit = read_workbook(filled(tmp_path, merged(EXAMPLE, {"module": {"pet": (0, "kg/m2")}}), "unit.xlsx"))
    assert [p for p in with_unit.warnings if p.item == "pet"] == []
    assert ("module", "dataset", "pet") not in flows(with_unit)
    # any other amount still needs its unit
    path = filled(tmp_path, merged(EXAMPLE, {"module": {"pet": 0.4}}), "bare.xlsx")
    with pytest.raises(WorkbookError, match=r"\(pet\): got '0.4'; wrong kind of quantity; expected kg per piece"):
        read_workbook(path)


def test_cli_import_refuses_to_write_anything_when_an_error_exists(tmp_path, footprint_home):
    path = filled(tmp_path, merged(EXAMPLE, {"wafer": {"yield": 1.2}, "cell": {"efficiency": 0.31}}))
    target = tmp_path / "product.yaml"
    result = invoke("import", path, "-o", target, home=footprint_home)
    assert result.returncode == 1 and not target.exists()
    assert "2 errors; nothing was imported" in result.stderr and result.stdout == ""


# -- checks of the product as a whole -----------------------------------------------------------
def test_wafer_mass_and_silicon_input_must_match_the_geometry(tmp_path):
    # 330.15 cm2 x 150 um x 2.329 g/cm3 = 11.534 g; ingot silicon per wafer
    # 330.15 cm2 x (150 + 50) um x 2.329 g/cm3 / (1 x 0.97) = 15.854 g (ingot utilisation: the default, 1)
    good = merged(EXAMPLE, {"wafer": {"wafer_mass": (11.9, "g"), "silicon_input": (15.9, "g/piece")}})
    assert unexpected(read_workbook(filled(tmp_path, good, "good.xlsx")).warnings) == []
    bad = merged(EXAMPLE, {"wafer": {"wafer_mass": (13, "g/piece"), "silicon_input": (0.0205, "kg/piece")}})
    path = filled(tmp_path, bad, "bad.xlsx")
    with pytest.raises(WorkbookError) as excinfo:
        read_workbook(path)
    found = problems_of(excinfo)
    mass = found[(BOTH["wafer"], cell_of(path, "wafer", "wafer_mass"))]
    assert "differs by +13% from" in mass.message and "= 11.53 g" in mass.message
    silicon = found[(BOTH["wafer"], cell_of(path, "wafer", "silicon_input"))]
    assert "differs by +29% from the 15.85 g per wafer" in silicon.message
    assert len(found) == 2


def test_cell_count_must_match_module_power(tmp_path):
    # 144 half cells = 72 wafers x 330.15 cm2 x 23 % x 1000 W/m2 = 546.7 W of cells
    high = filled(tmp_path, merged(EXAMPLE, {"product": {"rated_power": (650, "W")}}), "high.xlsx")
    with pytest.raises(WorkbookError) as excinfo:
        read_workbook(high)
    (problem,) = problems_of(excinfo).values()
    assert problem.cell == cell_of(high, "module", "cells") and "546.7 W" not in problem.message
    assert "547 W of cells for a rated power of 650 W" in problem.message and "ratio of 1.19" in problem.message
    low = read_workbook(filled(tmp_path, merged(EXAMPLE, {"product": {"rated_power": (450, "W")}}), "low.xlsx"))
    (warning,) = unexpected(low.warnings)
    assert "ratio of 0.82" in warning.message and warning.severity == "warning"


def test_outliers_against_the_defaults_are_warnings(tmp_path, footprint_home):
    values = merged(EXAMPLE, {"polysilicon": {"electricity": (200, "kWh/kg")}, "wafer": {"thickness": (50, "um")}})
    path = filled(tmp_path, values)
    product = read_workbook(path)
    messages = {p.item: p.message for p in unexpected(product.warnings)}
    assert messages["electricity"].startswith("3.8 times the bundled default 52.66 kWh/kg (Götz M. et al., 2026)")
    assert messages["thickness"].startswith("0.3 times the bundled default 165 µm")
    result = invoke("import", path, "-o", tmp_path / "p.yaml", home=footprint_home)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("warning: ") == 3 and (tmp_path / "p.yaml").exists()


def test_percent_cells_and_ambiguous_percent(tmp_path):
    # the template formats fraction cells as percentages: 0.97 shows as 97.0 %, and "%" agrees with it
    shown = read_workbook(filled(tmp_path, merged(EXAMPLE, {"wafer": {"yield": (0.97, "%")}}), "shown.xlsx"))
    assert shown.stages["wafer"].parameters["yield"].magnitude == 0.97 and unexpected(shown.warnings) == []
    # in a plain cell, "0.97" with unit "%" is 0.97 % as written, and a warning says so
    plain = {"wafer": {"yield": {"value": 0.97, "unit": "%", "format": "General"}}}
    product = read_workbook(filled(tmp_path, merged(EXAMPLE, plain), "plain.xlsx"))
    assert product.stages["wafer"].parameters["yield"].magnitude == pytest.approx(0.0097, rel=1e-12)
    (warning,) = unexpected(product.warnings)
    assert "read as 0.97 % = 0.0097; if 97 % was meant" in warning.message


# -- several suppliers' workbooks -----------------------------------------------------------------
def test_stage_workbooks_combine_into_one_product(tmp_path):
    paths = []
    for stage in ("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module"):
        values = {stage: EXAMPLE[stage]} | ({"product": EXAMPLE["product"]} if stage == "module" else {})
        paths.append(filled(tmp_path, values, f"{stage}.xlsx", stage=stage, lang="zh"))
    assert unexpected(check_workbook(paths[3])) == []
    with pytest.raises(WorkbookError, match="imported together with those of the other stages"):
        read_workbook(paths[3])
    product = read_workbook(*paths)
    assert_same_flows(product, read_product(PERC), rel=0)
    assert product.source == " + ".join(map(str, paths))
    with pytest.raises(WorkbookError, match="wafer is also given in"):
        read_workbook(*paths, paths[3])


def test_read_any_reads_yaml_and_workbooks(tmp_path):
    assert read_any(PERC).id == "perc-gb-550-jiangsu"
    path = filled(tmp_path, merged(EXAMPLE, {"wafer": {"thickness": (50, "um")}}))
    seen = []
    assert read_any(path, warn=seen.append).id == "perc-gb-550-jiangsu"
    assert len(seen) == 2 and "thickness" in seen[0] and "0.44 times the bundled default" in seen[1]
    with pytest.warns(UserWarning, match="bundled default"):
        read_any(path)


def test_cli_template_import_calc(tmp_path, footprint_home):
    data = tmp_path / "data.xlsx"
    result = invoke("template", "-o", data, home=footprint_home)
    assert result.returncode == 0 and data.exists()
    fill(data, EXAMPLE)
    product = tmp_path / "product.yaml"
    assert invoke("import", data, "-o", product, home=footprint_home).returncode == 0
    assert read_product(product).stages["cell"].parameters["efficiency"].magnitude == pytest.approx(0.23)
    result = invoke("calc", data, "--format", "xlsx", home=footprint_home)
    assert result.returncode == 2 and "-o FILE" in result.stderr
    results = tmp_path / "results.xlsx"
    result = invoke("calc", data, "--format", "xlsx", "-o", results, home=footprint_home)
    assert result.returncode == 0, result.stderr
    assert openpyxl.load_workbook(results)["Summary"]["B4"].value == "perc-gb-550-jiangsu"


# -- the rows real sheets need: wafer format, ingot type, green electricity, the use phase -----------
def test_the_wafer_format_and_the_ingot_type(tmp_path):
    # a wafer format names the default wafer area: M10 is 182 mm x 182 mm
    values = merged(EXAMPLE, {"wafer": {"technology": "M10", "wafer_area": None}, "ingot": {"technology": "CZ-N"}})
    product = read_workbook(filled(tmp_path, values))
    assert product.stages["wafer"].technology == "m10" and product.stages["ingot"].technology == "cz-n"
    assert "wafer_area" not in product.stages["wafer"].parameters
    chain = build_chain(product, read_bundle())
    assert chain.processes["wafer"].technology == "m10"
    assert 'technology: "m10"  # Wafer 硅片!' in write_product_yaml(product)
    path = filled(tmp_path, merged(EXAMPLE, {"wafer": {"technology": "M12"}}), "bad.xlsx")
    with pytest.raises(WorkbookError, match=r"got 'M12'; expected one of diamond-wire, g12, g12r, m10"):
        read_workbook(path)


SITE_FILE = """format: footprint-site-electricity/1
site: Jiangsu cell and module fab
geography: CN-JS
reporting_period: {start: 2024-01-01, end: 2024-12-31}
electricity_consumed: 100000 MWh
output: {perc-gb-550-jiangsu: 800 MWp}
instruments:
  - {id: GEC-2024-JS-001, type: gec, certificates: 30000, market: CN, vintage: 2024, technology: wind,
     emission_factor: 0.0336 kg_CO2_eq/kWh}   # on the default life-cycle basis an instrument gives its own factor
"""


def test_green_electricity_is_a_site_file_named_in_the_stage(tmp_path, home_env):
    from footprint.calc import compute

    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "jiangsu-2024.yaml").write_text(SITE_FILE, encoding="utf-8")
    values = merged(EXAMPLE, {"cell": {"electricity_instruments": "sites/jiangsu-2024.yaml"},
                              "module": {"electricity_instruments": {"value": "sites/jiangsu-2024.yaml", "source": "GEC registry"}}})
    path = filled(tmp_path, values)
    product = read_workbook(path)
    assert product.stages["module"].instruments == (tmp_path / "sites" / "jiangsu-2024.yaml").resolve()
    # written relative to the product file, wherever it is written
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "product.yaml"
    text = write_product_yaml(product, target)
    assert 'electricity_instruments: "../sites/jiangsu-2024.yaml"  # Module 组件!' in text and "source: GEC registry" in text
    from_xlsx, from_yaml = compute(path), compute(target)
    assert from_xlsx.total.value == from_yaml.total.value
    assert from_xlsx.electricity.market_based.value == from_yaml.electricity.market_based.value
    assert from_xlsx.electricity.market_based.value < from_xlsx.total.value  # the certificates count
    missing = filled(tmp_path, merged(EXAMPLE, {"cell": {"electricity_instruments": "sites/none.yaml"}}), "missing.xlsx")
    with pytest.raises(WorkbookError, match=r"\(electricity_instruments\): got 'sites/none.yaml'; no such file"):
        read_workbook(missing)


USE = {"specific_yield": (1300, "kWh/kWp"), "mounting": "屋顶", "lifetime": (30, "year"), "degradation": {"value": 0.007}}


def test_the_use_phase_gives_results_per_kwh(tmp_path, home_env):
    from footprint.calc import compute

    path = filled(tmp_path, merged(EXAMPLE, {"product": USE}))
    product = read_workbook(path)
    assert product.data["use"] == {"specific_yield": "1300 kWh/kWp", "mounting": "rooftop", "lifetime": "30 year",
                                   "degradation": "0.7 %"}
    twin = PERC.read_text(encoding="utf-8") + ("use: {specific_yield: 1300 kWh/kWp, mounting: rooftop, lifetime: 30 year, "
                                               "degradation: 0.7 %}\n")
    (tmp_path / "twin.yaml").write_text(twin, encoding="utf-8")
    assert compute(path, per="kWh").total.value == compute(tmp_path / "twin.yaml", per="kWh").total.value
    bad = {"specific_yield": 1300, "degradation": {"value": 0.7, "format": "General"}, "mounting": "facade", "country": "Atlantis"}
    path = filled(tmp_path, merged(EXAMPLE, {"product": bad}), "bad.xlsx")
    with pytest.raises(WorkbookError) as excinfo:
        read_workbook(path)
    found = {p.item: p.message for p in excinfo.value.problems}
    assert found["specific_yield"].startswith("expected a specific yield such as '1300 kWh/kWp'")
    assert "expected a percentage such as 0.7 %" in found["degradation"]
    assert found["mounting"] == "expected one of rooftop, ground" and "unknown country" in found["country"]


# -- what the product file keeps ----------------------------------------------------------------------
def test_the_product_file_has_no_float_noise_and_keeps_every_comment(tmp_path):
    # 0.7 MWh over 100 modules is 7 kWh each; in floats, 0.7 * 1000 / 100 is 6.999999999999999
    values = merged(EXAMPLE, {
        "module": {"output": {"value": 100, "unit": "pcs", "period": "2024"},
                   "electricity": {"value": 0.7, "unit": "MWh", "period": "2024", "source": "meter reading",
                                   "note": "line 3 only,\nnight shift included"}},
        "wafer": {"kerf": {"value": None, "source": "not measured", "note": "default until the 2025 audit"}},
    })
    path = filled(tmp_path, values)
    book = openpyxl.load_workbook(path)
    cell = book[BOTH["cell"]]
    cell.insert_rows(6)
    cell.cell(6, 1).value = "备注：效率为2024年全年平均值 (annual average)"  # a note row
    book.save(path)
    product = read_workbook(path)
    text = write_product_yaml(product)
    assert 'electricity: "7 kWh/piece"  # Module 组件!' in text and "6.99" not in text
    assert "period 2024; source: meter reading; note: line 3 only, night shift included" in text
    assert "    # kerf (Wafer 硅片!C10): blank, the default is used; source: not measured; note: default until the 2025 audit" in text
    assert "    # Cell 电池片!A6: 备注：效率为2024年全年平均值 (annual average)" in text
    assert "Materials (pick" not in text  # the template's own section titles are not notes
    assert_same_flows(parse_product(text), product, rel=0)


def test_a_version_1_workbook_is_still_read(tmp_path):
    # version 1 had the same columns and fewer rows: no wafer format, ingot type, instruments or use phase
    path = filled(tmp_path)
    book = openpyxl.load_workbook(path)
    book[META_SHEET]["B2"] = 1
    for sheet, keys in (("product", ["specific_yield", "performance_ratio", "mounting", "country", "lifetime", "degradation"]),
                        ("ingot", ["technology"]), ("wafer", ["technology"]),
                        *((stage, ["electricity_instruments"]) for stage in STAGES)):
        ws = book[BOTH[sheet]]
        for key in keys:
            ws.delete_rows(find_row(ws, key))
    book.save(path)
    product = read_workbook(path)
    assert_same_flows(product, read_product(PERC), rel=0)
    assert "use" not in product.data
