"""The results workbook: contents, tolerance of new result keys, and no formula injection."""

import math
import zipfile

import openpyxl
import pytest

from footprint.report.workbook import write_results_workbook

from collect_helpers import filled
from conftest import PERC

INJECTIONS = ("=HYPERLINK(\"http://example.com\",\"click\")", "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(1)")


def _no_formulas(path):
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name


def bundled_default(stage, technology, parameter):
    """(value, year, source) of a default in inventories/processes.csv: the technology's row, else the 'any' row."""
    import csv

    from conftest import ROOT

    lines = [line for line in (ROOT / "inventories" / "processes.csv").read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    rows = [row for row in csv.DictReader(lines) if row["stage"] == stage and row["parameter"] == parameter
            and row["technology"] in (technology, "any")]
    row = sorted(rows, key=lambda r: r["technology"] == "any")[0]
    return float(row["value"]), int(row["year"]), row["source"]


def test_any_result_dict_is_written_and_text_is_never_a_formula(tmp_path):
    data = {
        "product": INJECTIONS[1],
        "product_name": INJECTIONS[0],
        "declared_unit": "1 kWp",
        "total": {"value": 400.0, "unit": "kg CO2-eq/kWp"},
        "by_stage": {"polysilicon": {"value": 300.0, "share": 0.75}, "module": {"value": 100.0, "share": 0.25}},
        "by_gas": {"CO2, fossil": {"value": 400.0, "share": 1.0}},
        "by_activity": [{"activity": INJECTIONS[2], "stage": "module", "value": 100.0, "share": 0.25},
                        {"activity": "electricity", "stage": "polysilicon", "value": 300.0, "share": 0.75, "note": INJECTIONS[3]}],
        "electricity_market": {"scheme": INJECTIONS[4], "factors": [1, 2]},
        "uncertainty": float("nan"),
        "inputs_sha256": "ab" * 32,
    }
    path = write_results_workbook(data, tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "By stage", "By gas", "By activity", "Electricity market", "Provenance"]
    summary = book["Summary"]
    assert summary["B3"].value == INJECTIONS[0] and summary["B3"].data_type == "s" and summary["B3"].quotePrefix
    assert summary["B4"].value == INJECTIONS[1]
    assert (summary["B6"].value, summary["C6"].value) == (400.0, "kg CO2-eq/kWp")
    stages = book["By stage"]
    assert [c.value for c in stages[1]] == ["Stage", "value [kg CO2-eq/kWp]", "share"]
    assert [c.value for c in stages[2]] == ["polysilicon", 300.0, 0.75]
    assert [c.value for c in stages[4]][:2] == ["total", 400.0]
    activity = book["By activity"]
    assert [c.value for c in activity[1]] == ["activity", "stage", "value [kg CO2-eq/kWp]", "share", "note"]
    assert activity["A2"].value == INJECTIONS[2] and activity["E3"].value == INJECTIONS[3]
    provenance = {row[0]: row[1] for row in book["Provenance"].iter_rows(min_row=2, values_only=True)}
    assert provenance == {"uncertainty": "nan", "inputs_sha256": "ab" * 32}
    market = {row[0]: row[1] for row in book["Electricity market"].iter_rows(min_row=2, values_only=True)}
    assert market == {"scheme": INJECTIONS[4], "factors": "[1, 2]"}
    _no_formulas(path)


def test_results_workbook_of_a_computed_product(tmp_path, home_env):
    from footprint.calc import compute
    from footprint.collect import read_workbook

    product = read_workbook(filled(tmp_path))
    product.name = "=1+1 PERC"  # a name that would be a formula
    result = compute(product, per="kWp")
    path = write_results_workbook(result, tmp_path / "results.xlsx", product=product)
    book = openpyxl.load_workbook(path)
    assert book["Summary"]["B3"].value == "=1+1 PERC"
    assert book["Summary"]["B6"].value == pytest.approx(result.total.value, rel=1e-15)
    by_stage = {row[0]: row[1] for row in book["By stage"].iter_rows(min_row=2, values_only=True) if row[0] != "total"}
    assert by_stage == pytest.approx({stage: part.value for stage, part in result.by_stage.items()}, rel=1e-15)
    inputs = {(row[0], row[1]): row for row in book["Inputs"].iter_rows(min_row=2, values_only=True)}
    # module assembly electricity: the bundled default per m2 (read here from inventories/processes.csv) x 2.583 m2
    value, default_year, default_source = bundled_default("module", product.stages["module"].technology, "electricity")
    stage, item, amount, unit, per, origin, source, year, _ = inputs[("module", "electricity")]
    assert amount == pytest.approx(value * 2.583, rel=1e-12) and origin == "default" and year == default_year
    assert source == default_source
    thickness = inputs[("wafer", "thickness")]
    assert thickness[2] == 150 and thickness[5] == "primary" and thickness[6].startswith("Wafer 硅片!C")
    assert not math.isnan(inputs[("cell", "efficiency")][2])
    _no_formulas(path)
    assert compute(PERC, per="kWp").total.value == pytest.approx(result.total.value, rel=1e-9)


def test_electricity_parameters_and_provenance_sheets_have_their_own_headers(tmp_path, home_env):
    """Units in the headers of each sheet, no JSON blobs, and one Provenance sheet (provenance block flattened)."""
    from footprint.calc import compute

    result = compute(PERC, per="kWp")
    book = openpyxl.load_workbook(write_results_workbook(result, tmp_path / "r.xlsx"))
    assert [name for name in book.sheetnames if name.startswith("Provenance")] == ["Provenance"]
    assert {"Electricity", "Market-based by stage", "Parameters"} <= set(book.sheetnames)
    electricity = book["Electricity"]
    assert [c.value for c in electricity[1]] == ["stage", "site", "grid dataset", "name", "year", "scope", "electricity [kWh/kWp]"]
    rows = {row[0]: row for row in electricity.iter_rows(min_row=2, values_only=True) if row[0]}
    for use in result.electricity.uses:
        assert rows[use.stage][2] == use.dataset and rows[use.stage][6] == pytest.approx(use.amount, rel=1e-15)
    assert rows["market-based total"][1:3] == (pytest.approx(result.electricity.market_based.value, rel=1e-15), "kg CO2-eq/kWp")
    market = book["Market-based by stage"]
    assert [c.value for c in market[1]] == ["Stage", "value [kg CO2-eq/kWp]", "share"]
    parameters = book["Parameters"]
    assert [c.value for c in parameters[1]] == ["parameter", "value", "unit", "source"]
    by_name = {row[0]: row for row in parameters.iter_rows(min_row=2, values_only=True)}
    assert by_name["product.rated_power"][1:3] == (550, "W")
    provenance = {row[0]: row[1] for row in book["Provenance"].iter_rows(min_row=2, values_only=True)}
    assert provenance["provenance.data_version"] == result.provenance.data_version
    assert provenance[f"provenance.input_files.{result.input_file}"] == result.inputs_sha256
    for sheet in ("Electricity", "Parameters", "Provenance", "Summary"):
        for row in book[sheet].iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value[:1] in "{["), (sheet, value)
