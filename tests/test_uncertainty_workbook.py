"""The workbook's Data quality column: a figure's kind of source or pedigree scores, into the uncertainty: block."""

import math
import shutil

import openpyxl
import pytest

from footprint.collect import read_workbook, write_template
from footprint.collect.layout import COLUMNS, SOURCE_KINDS, sheet_title
from footprint.collect.product_yaml import write_product_yaml
from footprint.errors import WorkbookError
from footprint.model.spec import parse_product
from footprint.uncertainty import montecarlo
from footprint.uncertainty.pedigree import SOURCE_KINDS as PEDIGREE_KINDS

from conftest import EXAMPLES

WORKBOOK = EXAMPLES / "perc-glass-backsheet-jiangsu.xlsx"
QUALITY = list(COLUMNS).index("quality") + 1


def _row(ws, key):
    return next(row for row in range(1, ws.max_row + 1) if ws.cell(row, 1).value == key)


def _filled(tmp_path, cells):
    """The example workbook with Data quality cells: {(stage, item): text}."""
    path = tmp_path / "data.xlsx"
    shutil.copy(WORKBOOK, path)
    book = openpyxl.load_workbook(path)
    for (stage, key), text in cells.items():
        ws = book[sheet_title(stage, "both")]
        ws.cell(_row(ws, key), QUALITY, text)
    book.save(path)
    return path


def test_the_kinds_are_the_pedigree_module_s():
    assert list(SOURCE_KINDS) == list(PEDIGREE_KINDS)


def test_the_template_offers_the_kinds_in_its_languages(tmp_path):
    for lang in ("zh", "both"):
        path = write_template(tmp_path / f"{lang}.xlsx", lang=lang)
        ws = openpyxl.load_workbook(path)[sheet_title("wafer", lang)]
        header = next(row for row in range(1, 10) if ws.cell(row, 1).value and "Item" in str(ws.cell(row, 1).value)
                      or ws.cell(row, 1).value == "项目")
        assert "数据质量" in ws.cell(header, QUALITY).value
        thickness = ws.cell(_row(ws, "thickness"), QUALITY).coordinate
        rules = [rule for rule in ws.data_validations.dataValidation if thickness in rule.sqref]
        assert len(rules) == 1 and all(kind["zh"] in rules[0].formula1 for kind in SOURCE_KINDS.values())
        assert ("measured" in rules[0].formula1) == (lang == "both")
        site = ws.cell(_row(ws, "site"), QUALITY).coordinate  # a text: no drop-down
        assert not [rule for rule in ws.data_validations.dataValidation if site in rule.sqref and "实测" in rule.formula1]
        assert not ws.cell(_row(ws, "thickness"), QUALITY).protection.locked


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_column_becomes_the_uncertainty_block_and_the_spread(home_env, tmp_path):
    path = _filled(tmp_path, {("wafer", "thickness"): "实测", ("wafer", "kerf"): "2，2，1，1，1",
                              ("cell", "efficiency"): "Estimated", ("module", "cells"): None})
    product = read_workbook(path)
    assert product.data["uncertainty"] == {"figures": {"stages.wafer.thickness": "measured",
                                                       "stages.wafer.kerf": {"quality": "2,2,1,1,1"},
                                                       "stages.cell.efficiency": "estimated"}}
    text = write_product_yaml(product)
    assert parse_product(text, source="imported.yaml").data["uncertainty"] == product.data["uncertainty"]
    found = {figure["path"]: figure for figure in montecarlo.monte_carlo(path, iterations=20, seed=1, per="kWp").figures}
    assert found["stages.wafer.thickness"]["source"] == "measured" and found["stages.wafer.thickness"]["quality"] == [2, 1, 1, 1, 1]
    assert found["stages.wafer.kerf"]["quality"] == [2, 2, 1, 1, 1]
    # sigma by hand (docs/uncertainty.md): basic 0.0006 + reliability 2 0.0006 -> GSD exp(sqrt(0.0012))
    assert f"GSD {math.exp(math.sqrt(0.0006 + 0.0006)):.4g}" in found["stages.wafer.thickness"]["distribution"]
    # an efficiency is spread on its loss: reliability 4 (0.008) + basic 0.0006
    assert f"GSD {math.exp(math.sqrt(0.0006 + 0.008)):.4g}" in found["stages.cell.efficiency"]["distribution"]
    assert found["stages.wafer.yield"]["source"] == "calculated"  # no cell: the default kind


def test_bad_cells_are_named(home_env, tmp_path):
    path = _filled(tmp_path, {("wafer", "thickness"): "pretty good", ("wafer", "site"): "measured",
                              ("polysilicon", "electricity"): "measured"})
    with pytest.raises(WorkbookError) as error:
        read_workbook(path)
    problems = {(problem.severity, problem.item): problem for problem in error.value.problems}
    thickness = problems["error", "thickness"]
    assert thickness.cell.startswith(openpyxl.utils.get_column_letter(QUALITY)) and thickness.value == "'pretty good'"
    assert "expected a kind of source: measured (实测)" in thickness.message
    assert "this row has no uncertainty" in problems["error", "site"].message
    # the example gives no polysilicon electricity (the default is used): a warning, not an error
    polysilicon = [p for p in error.value.problems if p.item == "electricity" and p.sheet == sheet_title("polysilicon", "both")]
    assert [(p.severity, "a data quality without a value" in p.message) for p in polysilicon] == [("warning", True)]
