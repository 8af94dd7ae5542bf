"""Plausibility checks (footprint.model.checks): the same findings from a product file, a dict and a workbook."""

import copy
import json
import warnings

import pytest
import yaml

from footprint.bundle.read import read_bundle
from footprint.calc.compute import read_product
from footprint.collect import read_any, read_workbook
from footprint.collect.layout import sheet_title
from footprint.errors import InputError, ProductWarning, WorkbookError
from footprint.model.checks import (
    CTM_MAX,
    EFFICIENCY_LIMIT,
    EFFICIENCY_LOW,
    KERF_MAX,
    OUTLIER_FACTOR,
    WAFER_THICKNESS_MAX,
    check_product,
)
from footprint.model.spec import parse_product

from collect_helpers import EXAMPLE, cell_of, filled, merged
from conftest import EXAMPLES, PERC, invoke

#: The PERC example's cells: 144 half cells = 72 wafers x 330.15 cm2 x 23 % x 1000 W/m2 = 546.7 W.
CELLS_POWER = "547 W of cells"


def example(change):
    """The PERC example as a dict, with ``change(data)`` applied."""
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    change(data)
    return data


def set_stage(stage, key, value):
    def change(data):
        data["stages"][stage][key] = value
    return change


def set_product(key, value):
    def change(data):
        data["product"][key] = value
    return change


def write(tmp_path, data, name="product.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def from_yaml(tmp_path, data):
    """read_any on the product written as a file: (spec or the InputError, warning lines)."""
    path = write(tmp_path, data)
    seen = []
    try:
        return read_any(path, warn=seen.append), seen, path
    except InputError as error:
        return error, seen, path


def from_dict(data):
    """The API's read_product on a dict: (spec or the InputError, ProductWarning messages)."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            result = read_product(data)
        except InputError as error:
            result = error
    return result, [str(w.message) for w in record if issubclass(w.category, ProductWarning)]


def findings(data):
    spec = parse_product(yaml.safe_dump(data, allow_unicode=True), source="<test>")
    return check_product(spec, read_bundle())


def finding(data, path, severity):
    (found,) = [f for f in findings(data) if f.path == path and f.severity == severity]
    return found


# -- the product file and the dict ----------------------------------------------------------------
def test_the_examples_pass_every_check():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = [f for f in findings(data) if f.severity == "error"]
        assert errors == [], path.name


def test_an_efficiency_of_0_23_percent_is_refused(tmp_path):
    # 72 wafers x 330.15 cm2 x 0.23 % x 1000 W/m2 = 5.5 W of cells for a 550 W module
    data = example(set_stage("cell", "efficiency", "0.23 %"))
    error, seen, path = from_yaml(tmp_path, data)
    assert isinstance(error, InputError)
    message = str(error)
    assert message.startswith(f"{path}: stages.module.cells: got 144; ")
    assert "5 W of cells for a rated power of 550 W (product.rated_power)" in message
    assert f"expected at most {CTM_MAX:.2f}" in message and "\n" not in message
    # the warning on the efficiency itself goes out before the error
    low = [line for line in seen if line.startswith(f"{path}: stages.cell.efficiency: got '0.23 %'; ")]
    assert len(low) == 1 and f"below {EFFICIENCY_LOW:.0%} is unusual" in low[0]
    error, warned = from_dict(data)
    assert isinstance(error, InputError) and str(error).startswith("<dict>: stages.module.cells: got 144; ")
    assert any(w.startswith("<dict>: stages.cell.efficiency: got '0.23 %'") for w in warned)


def test_an_efficiency_above_the_limit_is_refused(tmp_path):
    data = example(set_stage("cell", "efficiency", "31 %"))
    error, _, path = from_yaml(tmp_path, data)
    assert str(error).startswith(f"{path}: stages.cell.efficiency: got '31 %'; above the {EFFICIENCY_LIMIT:.2%} limiting "
                                 "efficiency of a crystalline silicon cell (Richter et al. 2013)")
    error, _ = from_dict(data)
    assert str(error).startswith("<dict>: stages.cell.efficiency: got '31 %'; above the 29.43% limiting efficiency")


def test_a_rated_power_the_cells_cannot_deliver_is_refused(tmp_path):
    data = example(set_product("rated_power", "800 W"))
    error, _, path = from_yaml(tmp_path, data)
    message = str(error)
    assert message.startswith(f"{path}: stages.module.cells: got 144; 144 cells from 2 per wafer give {CELLS_POWER} for a "
                              "rated power of 800 W (product.rated_power): a cell-to-module ratio of 1.46; expected at most 1.10")
    error, _ = from_dict(data)
    assert isinstance(error, InputError) and CELLS_POWER in str(error) and "rated power of 800 W" in str(error)


def test_a_low_cell_to_module_ratio_is_a_warning(tmp_path):
    data = example(set_product("rated_power", "450 W"))
    spec, seen, path = from_yaml(tmp_path, data)
    assert spec.rated_power.magnitude == 450
    (line,) = [line for line in seen if "stages.module.cells" in line]
    assert "a cell-to-module ratio of 0.82; below 0.85 is unusual" in line


def test_an_outlier_is_a_warning_naming_the_default(tmp_path):
    # 31 kWh/m2 against the 9.69 default: the workbook warned, the product file said nothing
    data = example(set_stage("cell", "electricity", "31 kWh/m2"))
    spec, seen, path = from_yaml(tmp_path, data)
    assert spec.stages["cell"].parameters["electricity"].to("kWh/m**2").magnitude == pytest.approx(31)
    (line,) = [line for line in seen if "stages.cell.electricity" in line]
    assert line.startswith(f"{path}: stages.cell.electricity: got 31 kWh/m2; 3.2 times the bundled default "
                           "9.69 kWh/m2 (Götz M. et al., 2026); check the value and its unit")
    spec, warned = from_dict(data)
    assert spec.id == "perc-gb-550-jiangsu"
    assert any(w.startswith("<dict>: stages.cell.electricity: got 31 kWh/m2; 3.2 times the bundled default 9.69 "
                            "kWh/m2 (Götz M.") for w in warned)
    # within the factor: no warning
    near = example(set_stage("cell", "electricity", f"{9.69 * OUTLIER_FACTOR * 0.99:.3f} kWh/m2"))
    assert [f for f in findings(near) if f.path == "stages.cell.electricity"] == []


def test_no_gas_heat_is_allowed_but_no_electricity_is_not(tmp_path):
    # a TOPCon line heated electrically gives heat: 0 (the default is 2.51 MJ/m2); a line without electricity is impossible
    topcon = yaml.safe_load((EXAMPLES / "topcon-glass-glass-vietnam.yaml").read_text(encoding="utf-8"))
    topcon["stages"]["cell"]["heat"] = "0 MJ/m2"
    assert [f for f in findings(topcon) if f.path == "stages.cell.heat"] == []
    topcon["stages"]["cell"]["electricity"] = "0 kWh/m2"
    assert [f.severity for f in findings(topcon) if f.path == "stages.cell.electricity"] == ["error"]


def test_a_unit_slip_beyond_a_hundred_times_the_default_is_refused(tmp_path):
    # 17.7 MWh/m2 instead of 17.7 kWh/m2 computed about 1e5 kg CO2-eq/kWp with exit 0
    data = example(set_stage("cell", "electricity", "17.7 MWh/m2"))
    error, _, path = from_yaml(tmp_path, data)
    assert isinstance(error, InputError)
    assert str(error).startswith(f"{path}: stages.cell.electricity: got 1.77e+04 kWh/m2; 1.8e+03 times the bundled default "
                                 "9.69 kWh/m2 (Götz M. et al., 2026), beyond any plausible value; expected a value within 100 "
                                 "times the default")
    assert finding(data, "stages.cell.electricity", "error").check == "outlier"


def test_a_wafer_thickness_of_150_mm_is_an_error(tmp_path):
    data = example(set_stage("wafer", "thickness", "150 mm"))
    error, seen, path = from_yaml(tmp_path, data)
    assert str(error).startswith(f"{path}: stages.wafer.thickness: got '150 mm'; above 1 mm, thicker than any wafer for "
                                 "solar cells (the bundled default is 165 µm; check threshold chosen here)")
    # the error is not repeated as an outlier
    assert not any("stages.wafer.thickness" in line for line in seen)
    error, warned = from_dict(data)
    assert str(error).startswith("<dict>: stages.wafer.thickness: got '150 mm'; above 1 mm")
    assert not any("stages.wafer.thickness" in w for w in warned)
    assert WAFER_THICKNESS_MAX.to("um").magnitude == 1000 and KERF_MAX.to("um").magnitude == 1000


def test_a_kerf_and_a_mass_balance_out_of_bounds_are_errors():
    kerf = finding(example(set_stage("wafer", "kerf", "2 mm")), "stages.wafer.kerf", "error")
    assert kerf.value == "'2 mm'" and kerf.message.startswith("above 1 mm, wider than the cut of any wafering saw")
    poly = finding(example(set_stage("polysilicon", "mg_silicon", "0.9 kg/kg")), "stages.polysilicon.mg_silicon", "error")
    assert poly.message == "0.9 kg of mg_silicon per kg of polysilicon breaks the mass balance; expected 1 kg/kg or more"


def test_cells_larger_than_the_module_are_named_before_the_chain_is_built(tmp_path):
    # 200 half cells = 100 wafers x 330.15 cm2 = 3.3 m2 of cells in a 2.583 m2 module
    data = example(set_stage("module", "cells", 200))
    error, seen, path = from_yaml(tmp_path, data)
    assert str(error).startswith(f"{path}: stages.module.cells: got 200; ")
    assert "cover 3.3 m2, more than the module area 2.583 m2 (product.area)" in str(error)
    assert any("a cell-to-module ratio of 0.72; below 0.85 is unusual" in line for line in seen)


def test_every_error_is_named_in_the_one_line(tmp_path):
    data = example(lambda d: (d["stages"]["cell"].update(efficiency="31 %"), d["stages"]["wafer"].update(thickness="150 mm")))
    error, _, path = from_yaml(tmp_path, data)
    message = str(error)
    assert message.startswith(f"{path}: stages.cell.efficiency: got '31 %'; ")
    assert message.endswith("(and 1 more error: stages.wafer.thickness)") and "\n" not in message


def test_defaults_are_checked_too():
    # a PERC module without its efficiency takes the bundled 23.2 %: 551 W of cells, no finding
    data = example(lambda d: d["stages"]["cell"].pop("efficiency"))
    assert [f for f in findings(data) if f.path == "stages.module.cells"] == []
    data["product"]["rated_power"] = "800 W"
    assert "551 W of cells" in finding(data, "stages.module.cells", "error").message


# -- the command line -------------------------------------------------------------------------------
def test_cli_prints_warnings_and_refuses_errors(tmp_path, home_env):
    outlier = write(tmp_path, example(set_stage("cell", "electricity", "31 kWh/m2")), "outlier.yaml")
    result = invoke("calc", outlier, "--per", "kWp", "--format", "json", home=home_env)
    assert result.returncode == 0, result.stderr
    assert f"warning: {outlier}: stages.cell.electricity: got 31 kWh/m2; 3.2 times the bundled default" in result.stderr
    assert json.loads(result.stdout)["total"]["unit"] == "kg CO2-eq/kWp"
    refused = write(tmp_path, example(set_product("rated_power", "800 W")), "refused.yaml")
    result = invoke("calc", refused, "--per", "kWp", home=home_env)
    assert result.returncode == 1 and result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {refused}: stages.module.cells: got 144; ")
    assert CELLS_POWER in errors[0]


# -- the same findings in a workbook ------------------------------------------------------------------
def workbook_problem(tmp_path, values, sheet, key, severity="error"):
    path = filled(tmp_path, merged(EXAMPLE, values))
    try:
        problems = read_workbook(path).warnings
    except WorkbookError as error:
        problems = error.problems
    cell = cell_of(path, sheet, key)
    (problem,) = [p for p in problems if p.severity == severity and p.cell == cell and p.sheet == sheet_title(sheet, "both")]
    return path, problem


def test_the_workbook_gives_the_same_finding_at_its_cell(tmp_path):
    product_sheet = sheet_title("product", "both")
    cases = [
        ({"cell": {"efficiency": "0.23 %"}}, set_stage("cell", "efficiency", "0.23 %"), "module", "cells", "error"),
        ({"product": {"rated_power": (800, "W")}}, set_product("rated_power", "800 W"), "module", "cells", "error"),
        ({"cell": {"electricity": (31, "kWh/m2")}}, set_stage("cell", "electricity", "31 kWh/m2"), "cell", "electricity",
         "warning"),
        ({"cell": {"electricity": (17.7, "MWh/m2")}}, set_stage("cell", "electricity", "17.7 MWh/m2"), "cell", "electricity",
         "error"),
        ({"wafer": {"thickness": (150, "mm")}}, set_stage("wafer", "thickness", "150 mm"), "wafer", "thickness", "error"),
    ]
    for index, (values, change, sheet, key, severity) in enumerate(cases):
        folder = tmp_path / str(index)
        folder.mkdir()
        path, problem = workbook_problem(folder, values, sheet, key, severity)
        expected = finding(example(change), f"stages.{sheet}.{key}", severity).message
        # a message naming another field names its cell in the workbook
        expected = expected.replace("(product.rated_power)", f"({product_sheet}!{cell_of(path, 'product', 'rated_power')})")
        assert problem.message == expected, key


def test_a_workbook_efficiency_above_the_limit_keeps_its_typed_value(tmp_path):
    path, problem = workbook_problem(tmp_path, {"cell": {"efficiency": 0.31}}, "cell", "efficiency")
    assert problem.value == "'31 %'"
    assert problem.message == finding(example(set_stage("cell", "efficiency", "31 %")), "stages.cell.efficiency", "error").message
