"""Report items of ISO 14067 7.3 / GB/T 24067 beyond the result: who and what the report is
(organisation, practitioner, number, version, date, reporting period), the comparison basis,
the provenance of every product-file figure (workbook cell or YAML line, checked by reading the
file), hotspots by activity, the data quality rating, and numbers with their units as people
read them."""

import datetime as dt
import html
import re

import openpyxl
import pytest

from footprint.errors import OptionError
from footprint.report import write_report
from footprint.report.items import parse_period, readable
from footprint.report.templates import num

from conftest import EXAMPLES, PERC, ROOT, invoke

WORKBOOK = ROOT / "examples" / "perc-glass-backsheet-jiangsu.xlsx"


def plain(text):
    """The report's HTML as text: tags out, entities decoded, spaces folded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


@pytest.fixture(scope="module")
def workbook_report(footprint_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("items") / "dossier"
    files = write_report(WORKBOOK, scheme="cn-cfp", out_dir=out, pdf=False, lang="en", company="Example PV Co.",
                         practitioner="Example LCA Ltd", report_number="R-2026-001", report_version="2", period="2024")
    return files, files.html.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def yaml_report(footprint_home, tmp_path_factory):
    out = tmp_path_factory.mktemp("items") / "dossier"
    files = write_report(PERC, scheme="kr-carbon", out_dir=out, pdf=False, lang="zh")
    return files, files.html.read_text(encoding="utf-8")


def row(page, row_id):
    found = re.search(rf'<tr id="{row_id}">(.*?)</tr>', page, re.S)
    assert found, row_id
    return plain(found.group(1)).strip()


def test_the_cover_says_who_and_what(workbook_report):
    _, page = workbook_report
    assert row(page, "commissioner") == "Organisation (commissioner) Example PV Co."
    assert row(page, "practitioner") == "Practitioner Example LCA Ltd"
    assert row(page, "report_number") == "Report number and version R-2026-001, version 2"
    assert row(page, "reporting_period") == "Reporting period (of the data) 2024-01-01 to 2024-12-31"
    assert re.fullmatch(r"Report date \d{4}-\d\d-\d\d", row(page, "report_date"))


def test_what_is_not_given_is_said(yaml_report):
    files, page = yaml_report
    assert row(page, "commissioner") == "委托组织 未提供" and row(page, "practitioner") == "研究执行人 未提供"
    assert row(page, "report_number") == "报告编号和版本 未提供,第 1 版"
    assert row(page, "reporting_period").startswith("报告期(数据所属期间) 未提供")
    assert files.pact_json is None  # PACT needs the period


def test_provenance_names_the_workbook_cell_of_each_figure(workbook_report):
    """Each figure's cell, read back from the workbook, holds the figure."""
    _, page = workbook_report
    table = page[page.index('id="provenance"'):page.index('id="provenance"') + 60000]
    rows = re.findall(r'<tr><td class="mono">([^<]+)</td><td>([^<]*)</td><td class="nowrap">([^<]*)</td>', table)
    assert len(rows) >= 20
    book = openpyxl.load_workbook(WORKBOOK, data_only=True)
    checked = 0
    for path, value, where in rows:
        sheet, _, cell = html.unescape(where).rpartition("!")
        assert sheet in book.sheetnames, (path, where)
        typed = book[sheet][cell].value
        number = re.match(r"^-?[\d.]+", value)
        if number and isinstance(typed, (int, float)) and not path.endswith("efficiency"):
            assert float(number.group(0)) == pytest.approx(float(typed)), (path, where, typed)
            checked += 1
    assert checked >= 8


def test_provenance_names_the_yaml_line_of_each_figure(yaml_report):
    _, page = yaml_report
    lines = PERC.read_text(encoding="utf-8").splitlines()
    found = dict(re.findall(r'<td class="mono">(stages\.[a-z_.]+)</td><td>[^<]*</td><td class="nowrap">第 (\d+) 行</td>', page))
    assert {"stages.wafer.thickness", "stages.cell.efficiency", "stages.module.cells"} <= set(found)
    for path, line in found.items():
        key = path.rsplit(".", 1)[1]
        assert lines[int(line) - 1].strip().startswith(f"{key}:"), (path, line)


def test_hotspots_follow_the_result_and_show_frame_and_glass(workbook_report):
    files, page = workbook_report
    import json

    result = json.loads(files.result_json.read_text(encoding="utf-8"))
    largest = sorted(result["by_activity"].values(), key=lambda part: -abs(part["value"]))
    section = plain(page[page.index('id="hotspots"'):page.index('id="by_gas"')])
    numbers = [float(value) for value in re.findall(r" \d+ \S.*? ([\d.]+) [\d.]+% [\d.]+% (?:primary|default)", section)]
    assert numbers[:3] == [float(num(part["value"], 3)) for part in largest[:3]]
    assert "aluminium" in section and "glass" in section


def test_data_quality_rating_is_the_mean_of_its_criteria(workbook_report):
    _, page = workbook_report
    section = plain(page[page.index('id="dqr"'):page.index('id="electricity"')])
    scores = dict(re.findall(r"\((TeR|GeR|TiR|P)\) ([\d.]+)", section))
    dqr = float(re.search(r"Data quality rating \(DQR\) ([\d.]+)", section).group(1))
    assert set(scores) == {"TeR", "GeR", "TiR", "P"} and all(1 <= float(v) <= 5 for v in scores.values())
    assert dqr == pytest.approx(sum(map(float, scores.values())) / 4, abs=0.06)  # each shown to 0.1


def test_comparison_basis_names_unit_boundary_gwp_and_data(workbook_report):
    files, page = workbook_report
    section = plain(page[page.index('id="comparison_basis"'):page.index('id="system_boundary"')])
    assert "per 1 kWp, cradle to gate, with IPCC AR6 GWP100" in section and "not a result per kWh" in section


@pytest.mark.parametrize("text, first, last", [("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
                                               ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
                                               ("2024-12", dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
                                               ("2024-04-01/2025-03-31", dt.date(2024, 4, 1), dt.date(2025, 3, 31))])
def test_periods(text, first, last):
    assert parse_period(text) == (first, last)


@pytest.mark.parametrize("text, message", [("2024-13", "expected a month 01 to 12"), ("24", "expected a year"),
                                           ("2025-01-01/2024-01-01", "the end is before the start")])
def test_bad_periods_are_one_line(text, message):
    with pytest.raises(OptionError, match=message) as caught:
        parse_period(text)
    assert "\n" not in str(caught.value)


def test_a_bad_period_on_the_command_line_writes_nothing(footprint_home, tmp_path):
    done = invoke("report", PERC, "--scheme", "cn-cfp", "-o", tmp_path / "out", "--no-pdf", "--period", "2024-13",
                  home=footprint_home)
    assert done.returncode == 1 and done.stderr.strip() == "error: --period: got '2024-13'; expected a month 01 to 12"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("amount, unit, parameter, expected", [
    (0.000085, "kg/pc", None, (85.0, "mg/pc")), (0.03326, "kg/pc", None, (33.26, "g/pc")), (4.081, "kg/pc", None, (4.081, "kg/pc")),
    (0.93, "", "ingot_utilisation", (93.0, "%")), (0.23, "", "efficiency", (23.0, "%")), (1.136, "", "mg_silicon", (1.136, "kg/kg")),
    (2.0, "", "cells_per_wafer", (2.0, "cells/wafer")), (22.58, "kWh/kg", None, (22.58, "kWh/kg")),
])
def test_amounts_in_units_people_read(amount, unit, parameter, expected):
    value, shown = readable(amount, unit, parameter=parameter)
    assert (value, shown) == (pytest.approx(expected[0]), expected[1])


@pytest.mark.parametrize("value, digits, text", [(144.0, 4, "144"), (0.2580, 4, "0.258"), (0.000085, 4, "0.000085"),
                                                 (432.75, 4, "432.8"), (11.0, 4, "11"), (1234.6, 4, "1,235"), (0.0, 4, "0")])
def test_numbers_without_trailing_zeros(value, digits, text):
    assert num(value, digits) == text


def test_a_per_kwh_result_names_its_use_stage_assumptions():
    from footprint.report.items import comparison_basis

    result = {"declared_unit": "1 kWh", "boundary": {"name": "cradle-to-grave"},
              "parameters": {"use.specific_yield": {"value": 1300.0, "unit": "kWh/kWp/year", "source": "product file"},
                             "use.lifetime": {"value": 30.0, "unit": "year", "source": "default"},
                             "stages.cell.efficiency": {"value": 0.23, "unit": "", "source": "product file"}}}
    basis = comparison_basis(result)
    assert basis["per"] == "1 kWh" and basis["boundary"] == "cradle-to-grave"
    assert [row[0] for row in basis["use"]] == ["use.specific_yield", "use.lifetime"]


def test_the_cut_off_list_names_what_the_defaults_leave_out_and_no_false_chemicals():
    """The report's "not modelled" list: HFC-134a is not hydrogen fluoride, and a default that leaves out an input of
    its source (the Siemens steam, the FBR's SiCl4, the recycling chemicals of the ingot default) is named when used."""
    import yaml as _yaml

    from footprint.bundle.read import read_bundle
    from footprint.model import build_chain, parse_product
    from footprint.report.context import _not_modelled

    def listed(path, change=None):
        data = _yaml.safe_load(path.read_text(encoding="utf-8"))
        if change:
            change(data)
        chain = build_chain(parse_product(_yaml.safe_dump(data, allow_unicode=True), source="p.yaml"), read_bundle())
        return " | ".join(str(item) for item in _not_modelled(chain, "en"))

    topcon = listed(EXAMPLES / "topcon-glass-glass-vietnam.yaml")  # FBR polysilicon; its cells emit HFC-134a
    assert "process chemicals and gases" in topcon and "silicon tetrachloride" in topcon and "steam" not in topcon
    assert "ethanol and hydrogen fluoride" in topcon
    perc = listed(EXAMPLES / "perc-glass-backsheet-jiangsu.yaml")  # modified Siemens
    assert "steam of the Siemens process" in perc and "silicon tetrachloride" not in perc

    def own_heat(data):
        data["stages"]["polysilicon"]["heat"] = "40 MJ/kg"  # the site's metered heat, steam included

    assert "steam" not in listed(EXAMPLES / "perc-glass-backsheet-jiangsu.yaml", own_heat)


def test_each_default_the_report_names_as_leaving_an_input_out_still_says_so_in_its_row():
    """report.context.DEFAULT_EXCLUSIONS and inventories/processes.csv stay in step: a row that gains the missing
    input (a sourced steam factor, say) must lose its "NOT" statement, and the report its line, together."""
    from footprint.bundle.read import read_bundle
    from footprint.report.context import DEFAULT_EXCLUSIONS

    bundle = read_bundle()
    for (stage, technology, parameter), key in DEFAULT_EXCLUSIONS.items():
        default = bundle.process_default(stage, technology or "any", parameter)
        assert default is not None, (stage, technology, parameter)
        assert "NOT" in f"{default.locator} {default.note}", f"{stage}/{technology}/{parameter} ({key}): its row no longer says what it leaves out"
