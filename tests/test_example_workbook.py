"""examples/perc-glass-backsheet-jiangsu.xlsx: the filled workbook that computes like its YAML twin.

The workbook is written by scripts/make-example-workbook.py from the template and the twin's
values; these tests check that `footprint calc` gives the twin's total to the last digit,
that the import gives the twin's product with the twin's comments kept, that the committed
file is what the script writes today (so its hints and defaults follow the bundle), and what
a person opening it sees.
"""

import importlib.util
import json

import openpyxl
import pytest

from footprint.bundle.read import read_bundle
from footprint.collect import read_workbook, write_product_yaml
from footprint.collect.layout import META_SHEET, sheet_title
from footprint.model import build_chain, parse_product, read_product

from collect_helpers import find_row, is_wafer_electricity_outlier
from conftest import EXAMPLES, PERC, ROOT, invoke

WORKBOOK = EXAMPLES / "perc-glass-backsheet-jiangsu.xlsx"
SCRIPT = ROOT / "scripts" / "make-example-workbook.py"
#: Columns of the template (footprint.collect.layout.COLUMNS), 1-based.
VALUE, UNIT, SOURCE, NOTE, EXAMPLE, DEFAULT = 3, 4, 7, 8, 9, 10


def _script():
    spec = importlib.util.spec_from_file_location("make_example_workbook", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _flows(spec):
    chain = build_chain(spec, read_bundle())
    return {(stage, f.kind, f.target): f.amount for stage, p in chain.processes.items() for f in p.flows}


def _cells(path):
    """Every cell value of every sheet, but the footprint version and time that wrote the template."""
    book = openpyxl.load_workbook(path)
    values = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and not (ws.title == META_SHEET and cell.row in (6, 7)):
                    values[(ws.title, cell.coordinate)] = cell.value
    return values


def test_calc_gives_the_twin_total_to_the_last_digit(home_env):
    results = {}
    for path in (WORKBOOK, PERC):
        result = invoke("calc", path, "--format", "json", "--per", "kWp", home=home_env)
        assert result.returncode == 0, result.stderr
        results[path] = json.loads(result.stdout)
    workbook, twin = results[WORKBOOK], results[PERC]
    assert workbook["total"] == twin["total"]  # value and unit: equal, not approximately
    assert workbook["by_stage"] == twin["by_stage"]


def test_the_import_gives_the_twin_with_its_comments():
    product = read_workbook(WORKBOOK)
    (warning,) = product.warnings  # the twin's wafer electricity against the newer default, as for the YAML file
    assert is_wafer_electricity_outlier(warning)
    assert _flows(product) == _flows(read_product(PERC))
    assert {stage: spec.site for stage, spec in product.stages.items()} == {
        "mg_silicon": "CN-XJ", "polysilicon": "CN-XJ", "ingot": "CN-NM", "wafer": "CN-JS", "cell": "CN-JS", "module": "CN-JS"}
    text = write_product_yaml(product)
    assert _flows(parse_product(text)) == _flows(product)
    assert 'site: "CN-NM"  # Ingot 硅棒!C5; typed \'内蒙古\'; note: Inner Mongolia' in text
    assert 'thickness: "150 um"  # Wafer 硅片!C9; source: site' in text
    assert "source: 2.85 kWh per kg of wafer (Müller et al. 2021) x 11.5 g per 150 um M10 wafer" in text
    assert "note: An example of what a manufacturer writes." in text


def test_the_committed_workbook_is_what_the_script_writes(tmp_path):
    fresh = _script().make(tmp_path / "fresh.xlsx")
    committed, made = _cells(WORKBOOK), _cells(fresh)
    stale = sorted(set(committed.items()) ^ set(made.items()), key=str)[:6]
    assert not stale, f"{WORKBOOK} is stale; run .venv/bin/python {SCRIPT.relative_to(ROOT)} (first differences: {stale})"


def test_what_a_user_sees():
    book = openpyxl.load_workbook(WORKBOOK)
    ingot = book[sheet_title("ingot", "both")]
    row = find_row(ingot, "electricity")
    bundle = read_bundle()
    default = bundle.process_default("ingot", "any", "electricity").value.magnitude
    assert f"{default:.4g}" == "24.53"
    # the hint and the default follow the bundle, and cite the publication year (Götz et al. 2026, not its data year)
    assert ingot.cell(row, EXAMPLE).value.startswith("24.53 kWh/kg | ")
    assert ingot.cell(row, DEFAULT).value == "24.53 kWh/kg - Götz M. et al., 2026"
    assert ingot.cell(find_row(ingot, "site"), VALUE).value == "内蒙古"
    cell = book[sheet_title("cell", "both")]
    silver = cell.cell(find_row(cell, "silver"), DEFAULT).value
    assert silver.startswith("3.484 g/m2 (published as 96 mg/(166 mm)2) [perc] - Zhang Y., 2021")
    texts = [str(c.value) for ws in book.worksheets for r in ws.iter_rows() for c in r if c.value is not None]
    assert not [t for t in texts if "mg/mm2" in t or "Götz M. et al., 2025" in t or "e-05" in t]
    wafer = book[sheet_title("wafer", "both")]
    assert wafer.cell(find_row(wafer, "electricity"), UNIT).value == "kWh/片"
    assert wafer.cell(find_row(wafer, "thickness"), SOURCE).value == "site"
    assert wafer.cell(find_row(wafer, "yield"), VALUE).number_format == "0.0%"


@pytest.mark.parametrize("key", ["specific_yield", "mounting", "lifetime", "degradation"])
def test_the_use_phase_has_its_rows(key):
    product = openpyxl.load_workbook(WORKBOOK)[sheet_title("product", "both")]
    assert find_row(product, key) is not None
