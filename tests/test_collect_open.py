"""What real workbooks contain (tolerated) and files that are not workbooks (refused)."""

import io
import zipfile

import openpyxl
import pytest
from test_collect import BOTH, assert_same_flows, problems_of

import footprint.collect.xlsx as collect_open
from footprint.bundle.read import read_bundle
from footprint.collect import read_workbook
from footprint.collect.layout import MAX_FILE_BYTES, META_SHEET, sheet_title
from footprint.collect.xlsx import parse_number, parse_unit
from footprint.errors import InputError, WorkbookError
from footprint.model import build_chain, parse_product, read_product

from collect_helpers import (
    EXAMPLE,
    cell_of,
    fill,
    filled,
    find_row,
    free_row,
    merged,
    set_cached_value,
    sheet_xml_name,
    template,
    to_shared_strings,
    unexpected,
)
from conftest import PERC


# -- tolerated -------------------------------------------------------------------------------
def _perc_with_the_sites_silicon():
    """The PERC example with the silicon amounts the workbook below types instead of the defaults."""
    import yaml

    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    data["stages"]["polysilicon"]["mg_silicon"] = "1.136 kg/kg"  # 10,224 t per 9,000 t
    data["stages"]["ingot"]["polysilicon"] = "1.0204 kg/kg"
    data["stages"]["wafer"]["ingot_utilisation"] = 0.93
    return parse_product(yaml.safe_dump(data, allow_unicode=True), source=str(PERC))


def test_real_workbook_habits_import_to_the_same_product(tmp_path):
    values = merged(EXAMPLE, {
        "product": {"rated_power": "550 Wp", "area": ("2,583,000", "mm2")},  # thousands separators in text
        "mg_silicon": {"site": "新疆"},  # Chinese province names
        "polysilicon": {"site": "Xinjiang", "technology": "改良西门子法",
                        "output": {"value": "9,000", "unit": "吨", "period": "2024年"},
                        "mg_silicon": {"value": "10,224", "unit": "吨", "period": "2024年"}},
        "ingot": {"site": "CN-NM 内蒙古 Inner Mongolia", "polysilicon": "1.0204 kg/kg"},  # the drop-down's text
        "wafer": {"site": "江苏", "wafer_area": ("３３０．１５", "平方厘米"),  # full-width digits
                  "thickness": "150",  # a number stored as text, with its unit in the unit column
                  "kerf": "50 um",  # value and unit in one cell
                  "ingot_utilisation": {"value": "93%", "format": "@"},  # percent as text
                  "yield": 0.97,  # a percent-formatted cell
                  "electricity": ("=0.011*3", "千瓦时/片")},  # a formula (saved value added below)
        "cell": {"efficiency": {"value": 23, "unit": "%", "format": "General"}, "electricity": (17.7, "度/平方米")},
        "module": {"cells": "144", "cells_per_wafer": {"value": 2, "unit": ""}},
    })
    values["wafer"]["thickness"] = {"value": "150", "unit": "um", "source": "规格书 datasheet", "site": "Jiangsu"}
    path = filled(tmp_path, values)
    book = openpyxl.load_workbook(path)
    wafer = book[sheet_title("wafer", "both")]
    # merged cells: one source for two rows; a note row and a blank row inserted between items
    row = find_row(wafer, "thickness")
    wafer.insert_rows(row, 2)
    wafer.cell(row, 1).value = "备注：以下为2024年实测数据 (note row)"
    wafer.merge_cells(start_row=row + 2, start_column=7, end_row=row + 3, end_column=7)
    book[sheet_title("cell", "both")].insert_cols(2)  # a column inserted: columns are found by header
    book["Instructions 填写说明"].title = "我的说明"  # extra or renamed sheets other than data sheets are ignored
    book.save(path)
    coordinate = cell_of(path, "wafer", "electricity")
    set_cached_value(path, sheet_xml_name(path, sheet_title("wafer", "both")), coordinate, "0.033")
    product = read_workbook(path)
    assert unexpected(product.warnings) == []
    assert_same_flows(product, _perc_with_the_sites_silicon(), rel=1e-12)
    assert "source: 规格书 datasheet" in product.sources["stages.wafer.kerf"]  # the merged source cell
    assert product.stages["polysilicon"].technology == "siemens"


def test_numbers_as_people_write_them():
    assert parse_number("1,234.5") == (1234.5, "")
    assert parse_number(" 66.5 kWh/kg ") == (66.5, "kWh/kg")
    assert parse_number("97%") == (97.0, "%")
    assert parse_number(0.97, percent=True) == (0.97, "%")
    assert parse_number("１２３") == (123.0, "")
    assert parse_number("1.5e3 t") == (1500.0, "t")
    assert parse_number("900 000 000 pcs") == (900_000_000.0, "pcs")
    assert parse_number("1 234.5") == (1234.5, "")
    for bad, reason in (("66,5", "decimal comma"), ("1,23,456", "decimal comma"), ("29 700,5", "decimal comma"),
                        ("about 5", "not a number"), (True, "TRUE/FALSE"), ("29 70 MWh", "digits that are not one number"),
                        ("1234 567", "digits that are not one number"), ("1,234 567", "digits that are not one number"),
                        ("1e999", "not a finite number"), (float("inf"), "not a finite number")):
        with pytest.raises(ValueError, match=reason):
            parse_number(bad)


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u2009", "\u202f"])  # space, no-break, thin, narrow no-break
def test_digits_grouped_by_spaces_are_one_number(space):
    assert parse_number(f"29{space}700 MWh") == (29_700.0, "MWh")
    assert parse_number(f"8{space}000{space}000.5") == (8_000_000.5, "")


def test_units_as_people_write_them():
    assert parse_unit("千瓦时/千克").to("kWh/kg").magnitude == 1
    assert parse_unit("万千瓦时").to("kWh").magnitude == 10_000
    assert parse_unit("万片").to("piece").magnitude == 10_000
    assert parse_unit("MWh/t").to("kWh/kg").magnitude == pytest.approx(1.0)
    assert parse_unit("GJ").to("MJ").magnitude == pytest.approx(1000)
    assert parse_unit("㎡").to("m**2").magnitude == 1
    assert parse_unit("µm").to("um").magnitude == 1
    assert parse_unit("万度").to("kWh").magnitude == 10_000  # 度 is kWh; 万 is 10^4
    assert parse_unit("万吨").to("t").magnitude == 10_000
    assert parse_unit("年").to("year").magnitude == 1 and parse_unit("小时").to("h").magnitude == 1
    with pytest.raises(ValueError, match="unknown unit"):
        parse_unit("kWh/kq")
    # pint would multiply a number in: "700 MWh" as 700 MWh, "kWh/1000 pcs" as kWh x pcs / 1000
    for bad, number in (("700 MWh", "700"), ("kWh/1000 pcs", "1000"), ("1/kg", "1")):
        with pytest.raises(ValueError, match=rf"a number \({number}\) in the unit"):
            parse_unit(bad)


def test_space_grouped_totals_import_as_written(tmp_path):
    # the template's own examples (900 000 000 pcs, 9 000 t) and docs/excel.md's 29 700 MWh
    values = merged(EXAMPLE, {
        "polysilicon": {"output": {"value": "9\u00a0000 t", "period": "2024"},
                        "mg_silicon": {"value": "10 224", "unit": "t", "period": "2024"}},
        "wafer": {"output": {"value": "900 000 000", "unit": "pcs", "period": "2024"},
                  "electricity": {"value": "29\u202f700 MWh", "unit": None, "period": "2024"}},
    })
    product = read_workbook(filled(tmp_path, values))
    params = {s: product.stages[s].parameters for s in product.stages}
    assert params["wafer"]["electricity"].to("kWh/piece").magnitude == pytest.approx(29_700e3 / 900e6, rel=1e-12)
    assert params["polysilicon"]["mg_silicon"].to("").magnitude == pytest.approx(10_224 / 9_000, rel=1e-12)


def test_wan_du_totals_and_module_dimensions_import_as_written(tmp_path):
    # 2 970 万度 over 90 000 万片 is 0.033 kWh per wafer; 2278 x 1134 mm is 2.583252 m2, exactly
    values = merged(EXAMPLE, {
        "product": {"area": "2278×1134 mm"},
        "wafer": {"output": {"value": 90_000, "unit": "万片", "period": "2024"},
                  "electricity": {"value": 2_970, "unit": "万度", "period": "2024"}},
    })
    product = read_workbook(filled(tmp_path, values))
    assert product.data["product"]["area"] == "2.583252 m2"
    assert product.data["stages"]["wafer"]["electricity"] == "0.033 kWh/piece"
    assert "'2278×1134 mm' = 2278 mm x 1134 mm" in product.sources["product.area"]
    for index, (typed, unit) in enumerate((("2278 x 1134 mm", None), ("2278*1134mm", None), ("2278×1134", "mm"),
                                           ("2278×1134×35 mm", None))):
        path = filled(tmp_path, merged(EXAMPLE, {"product": {"area": {"value": typed, "unit": unit}}}), f"{index}.xlsx")
        assert read_workbook(path).data["product"]["area"] == "2.583252 m2", typed
    for index, (typed, message) in enumerate((("2278×1134", "expected dimensions with a unit of length"),
                                              ("35×2278×1134 mm", "thickness, the smallest"),
                                              ("2278×1134 kg", "a unit of length"),
                                              ("2,278 x 1,134 mm", "a number"))):  # separators in dimensions: not read
        path = filled(tmp_path, merged(EXAMPLE, {"product": {"area": typed}}), f"bad{index}.xlsx")
        with pytest.raises(WorkbookError, match=message):
            read_workbook(path)


def test_sites_by_chinese_name_and_ids_in_any_case(tmp_path):
    # in a workbook
    values = merged(EXAMPLE, {
        "mg_silicon": {"site": "新疆维吾尔自治区"}, "polysilicon": {"site": "xinjiang", "technology": "Siemens"},
        "ingot": {"site": "内蒙古"}, "wafer": {"site": "江苏省"}, "cell": {"site": "cn-js"},
        "module": {"site": "中国江苏省无锡市", "technology": "Glass-Backsheet"},
    })
    product = read_workbook(filled(tmp_path, values))
    assert_same_flows(product, read_product(PERC), rel=0)
    assert product.stages["ingot"].site == "CN-NM" and "typed '内蒙古'" in product.sources["stages.ingot.site"]
    # and in a product file
    text = PERC.read_text(encoding="utf-8")
    for typed, site in (("CN-XJ                 # Xinjiang", "新疆"), ("CN-NM", "内蒙古自治区"), ("CN-JS                 # Jiangsu", "江苏省"),
                        ("CN-XJ\n", "cn-xj\n")):
        text = text.replace(f"site: {typed}", f"site: {site}", 1)
    text = text.replace("technology: perc", "technology: PERC").replace("technology: siemens", "technology: SIEMENS")
    assert text.count("site: CN-") == 2  # the cell and module sites are left as they were
    spec = parse_product(text)
    assert {s: spec.stages[s].site for s in spec.stages} == {s: read_product(PERC).stages[s].site for s in spec.stages}
    assert spec.technology == "perc" and spec.stages["polysilicon"].technology == "siemens"
    assert_same_flows(spec, read_product(PERC), rel=0)
    # two provinces, or none, are never guessed
    path = filled(tmp_path, merged(EXAMPLE, {"ingot": {"site": "江苏浙江"}}), "two.xlsx")
    with pytest.raises(WorkbookError, match=r"got '江苏浙江'; unknown site"):
        read_workbook(path)
    with pytest.raises(InputError, match="unknown geography '江苏浙江'"):
        build_chain(parse_product(text.replace("site: 内蒙古自治区", "site: 江苏浙江")), read_bundle())


def test_wafer_formats_in_any_case_and_by_their_other_names():
    text = PERC.read_text(encoding="utf-8").replace("    wafer_area: 330.15 cm2", "    technology: {}")
    for typed, technology in (("M10", "m10"), ("g12R", "g12r"), ("210R", "g12r"), ("182 mm", "m10"), ("182×210", "g12r")):
        assert parse_product(text.format(typed)).stages["wafer"].technology == technology, typed
    assert build_chain(parse_product(text.format("m10")), read_bundle()).processes["wafer"].technology == "m10"


def test_every_example_of_the_template_reads_as_shown(tmp_path):
    book = openpyxl.load_workbook(template(tmp_path))
    seen = {}
    for sheet in ("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module"):
        ws = book[BOTH[sheet]]
        for row in range(5, ws.max_row + 1):
            example = ws.cell(row, 9).value  # column I, Example
            for part in str(example or "").split(" | "):
                if part[:1].isdigit():
                    number, unit = parse_number(part)
                    seen[part] = (number, parse_unit(unit) if unit else None)
    assert seen["470 000 MWh"] == (470_000, parse_unit("MWh"))  # 52.66 kWh/kg x 9 000 t, two digits
    assert seen["900 000 000 pcs"][0] == 900_000_000 and seen["90 000 万片"][0] == 90_000
    assert seen["8 000 t"][0] == 8_000


def test_digits_split_between_value_and_unit_are_refused(tmp_path):
    values = merged(EXAMPLE, {"wafer": {"output": {"value": 900_000_000, "unit": "pcs", "period": "2024"},
                                        "electricity": {"value": 29, "unit": "700 MWh", "period": "2024"}},
                              "cell": {"electricity": ("17 7", "kWh/m2")}})
    path = filled(tmp_path, values)
    with pytest.raises(WorkbookError) as excinfo:
        read_workbook(path)
    found = problems_of(excinfo)
    unit = (BOTH["wafer"], cell_of(path, "wafer", "electricity", "unit"))
    value = (BOTH["cell"], cell_of(path, "cell", "electricity"))
    assert set(found) == {unit, value}
    assert "a number (700) in the unit '700 MWh'" in found[unit].message
    assert "digits that are not one number" in found[value].message


def test_note_rows_are_notes_even_when_they_start_with_an_item(tmp_path):
    path = filled(tmp_path, merged(EXAMPLE, {"module": {"copper": (8.3, "g/m2")}}))
    book = openpyxl.load_workbook(path)
    wafer, module = book[BOTH["wafer"]], book[BOTH["module"]]
    row = find_row(wafer, "site") + 1
    wafer.insert_rows(row)
    wafer.cell(row, 1).value = "site data checked by QA in 2024"
    row = find_row(module, "copper")
    module.insert_rows(row)
    module.cell(row, 1).value = "copper ribbons: supplier changed in 2024"
    spare = free_row(module, "Materials")
    module.cell(spare, 1).value = "copper (copper, global supply mix)"  # the drop-down's text, no value
    book.save(path)
    product = read_workbook(path)  # no "given twice", no "unknown item"
    assert product.stages["wafer"].site == "CN-JS"
    assert product.stages["module"].materials["copper"].to("g/m**2").magnitude == pytest.approx(8.3, rel=1e-12)
    assert product.sources["stages.module.materials.copper"].startswith(f"{BOTH['module']}!C{row + 1}")
    # two rows of one item that both hold a value: which one is meant would be a guess
    module.cell(spare, 3).value = 9
    module.cell(spare, 4).value = "g/m2"
    book.save(path)
    with pytest.raises(WorkbookError, match=rf"A{spare} \(copper\): got 'copper \(copper, global supply mix\)'; "
                       rf"given twice \(first in A{row + 1}\)"):
        read_workbook(path)


def test_a_merged_value_over_two_rows_is_an_error(tmp_path):
    path = filled(tmp_path, merged(EXAMPLE, {"wafer": {"ingot_utilisation": 0.93, "yield": None}}))
    book = openpyxl.load_workbook(path)
    ws = book[sheet_title("wafer", "both")]
    row = find_row(ws, "ingot_utilisation")
    ws.merge_cells(start_row=row, start_column=3, end_row=row + 1, end_column=3)
    book.save(path)
    with pytest.raises(WorkbookError, match=rf"C{row + 1} \(yield\): got 0.93; the value cell is merged with C{row} "
                       rf"\(C{row}:C{row + 1}\)") as excinfo:
        read_workbook(path)
    # and no "no row 'yield'" besides (yield has no default: a missing row would be an error)
    assert len(problems_of(excinfo)) == 1


def test_a_stray_cell_far_down_is_read_without_reading_the_rows_between(tmp_path):
    path = filled(tmp_path)
    book = openpyxl.load_workbook(path)
    wafer = book[BOTH["wafer"]]
    wafer.cell(1_048_576, 1).value = "stray"
    wafer.cell(1_048_576, 3).value = 5
    book.save(path)
    with pytest.raises(WorkbookError) as excinfo:
        read_workbook(path)
    (problem,) = problems_of(excinfo).values()
    assert problem.cell == "A1048576" and "unknown item" in problem.message


def test_sheets_the_import_does_not_read_are_never_parsed(tmp_path):
    path = filled(tmp_path)
    book = openpyxl.load_workbook(path)
    book.create_sheet("My notes").append(["anything"])
    book.save(path)
    notes, lists = sheet_xml_name(path, "My notes"), sheet_xml_name(path, "Lists")
    _replace_part(path, notes, b"<worksheet><sheetData><row><c>not even XML")  # parsing it would fail
    _replace_part(path, lists, b"<broken")
    with pytest.raises(Exception):
        openpyxl.load_workbook(path)
    assert_same_flows(read_workbook(path), read_product(PERC), rel=0)


def test_a_data_sheet_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    path = filled(tmp_path)
    size = zipfile.ZipFile(path).getinfo(sheet_xml_name(path, BOTH["wafer"])).file_size
    monkeypatch.setattr(collect_open, "MAX_SHEET_BYTES", size - 1)
    with pytest.raises(InputError, match=rf"sheet 'Wafer 硅片' is {size / 1024:.0f} kB of XML, over the "
                       rf"{(size - 1) / 1024:.0f} kB limit for a data sheet"):
        read_workbook(path)


def test_text_of_other_sheets_in_the_shared_table_is_not_loaded(tmp_path, monkeypatch):
    path = filled(tmp_path)
    book = openpyxl.load_workbook(path)
    notes = book.create_sheet("Notes 备注")
    for row in range(1, 201):
        notes.append([f"meeting note {row}", f"会议纪要 {row}"])
    book.save(path)
    texts = to_shared_strings(path)  # as Excel saves it: one table of every sheet's text
    assert texts > 400
    assert_same_flows(read_workbook(path), read_product(PERC), rel=0)
    monkeypatch.setattr(collect_open, "SHARED_STRINGS_FILTER_BYTES", 0)
    with zipfile.ZipFile(path) as archive:
        data = collect_open._only_sheets(path, archive, lambda title: not title.startswith(("Notes", "Lists", "Instr")))
    table = zipfile.ZipFile(io.BytesIO(data)).read("xl/sharedStrings.xml").decode()
    assert "meeting note" not in table and "会议纪要" not in table
    assert "perc-gb-550-jiangsu" in table and "glass-backsheet" in table
    assert 0 < table.count("</ns0:si>") < texts - 400  # cut down and renumbered, not emptied in place
    assert_same_flows(read_workbook(path), read_product(PERC), rel=0)


# -- refused ---------------------------------------------------------------------------------
def _ole(tmp_path, name, *streams):
    """A small file that starts like an OLE compound file, with stream names in its directory."""
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    for stream in streams:
        body += stream.encode("utf-16-le") + b"\x00" * 32
    path = tmp_path / name
    path.write_bytes(body)
    return path


@pytest.mark.parametrize("make, message", [
    (lambda d: _ole(d, "old.xls", "Workbook"), r"old Excel 97-2003 \(.xls\)"),
    (lambda d: _ole(d, "locked.xlsx", "EncryptionInfo", "EncryptedPackage"), "password-protected"),
    (lambda d: _write(d / "data.xlsx", "site,value\nCN-JS,66.5\n"), r"text \(CSV\) file renamed"),
    (lambda d: _write(d / "gb.xlsx", "项目,数值,单位\n电耗,66.5,千瓦时/千克\n\n".encode("gb18030")),  # decodes as UTF-16 too
     r"text \(CSV\) file renamed"),
    (lambda d: _write(d / "u16.xlsx", "地点\t数值\n江苏\t66.5\n".encode("utf-16")), r"text \(CSV\) file renamed"),
    (lambda d: _write(d / "page.xlsx", "<html><table></table></html>"), "HTML or XML file"),
    (lambda d: _write(d / "empty.xlsx", ""), "the file is empty"),
    (lambda d: _write(d / "noise.xlsx", bytes(range(256)) * 4), "not an .xlsx workbook"),
    (lambda d: _truncated(d), "damaged"),
    (lambda d: _zip(d / "sheet.xlsx", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), r"\.ods"),
    (lambda d: _zip(d / "b.xlsx", {"xl/workbook.bin": b"x"}), r"\.xlsb"),
    (lambda d: _zip(d / "doc.xlsx", {"word/document.xml": b"<w/>"}), "not an Excel workbook"),
    (lambda d: _not_a_template(d), "not a footprint data-collection workbook"),
    (lambda d: _version(d, 3), "version 3 is not known; this footprint .* reads footprint-workbook version 1 or 2"),
    (lambda d: d / "missing.xlsx", "no such file"),
])
def test_refused_files(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as excinfo:
        read_workbook(path)
    assert str(excinfo.value).startswith(str(path))


def test_oversize_and_zip_bomb_are_refused(tmp_path, monkeypatch):
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as handle:  # sparse: no 20 MB written to disk
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputError, match="20.0 MB is over the 20 MB limit"):
        read_workbook(big)
    path = filled(tmp_path)
    monkeypatch.setattr(collect_open, "MAX_UNZIPPED_BYTES", 10_000)
    with pytest.raises(InputError, match=r"the workbook expands to \d+ kB, over the 10 kB limit"):
        read_workbook(path)


def _write(path, content):
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def _replace_part(path, name, data):
    with zipfile.ZipFile(path) as source:
        parts = {part: source.read(part) for part in source.namelist()}
    parts[name] = data
    return _zip(path, parts)


def _zip(path, parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return _write(path, buffer.getvalue())


def _truncated(tmp_path):
    path = template(tmp_path)
    data = path.read_bytes()
    return _write(path, data[: len(data) // 2])


def _not_a_template(tmp_path):
    path = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(path)
    return path


def _version(tmp_path, version):
    path = filled(tmp_path)
    book = openpyxl.load_workbook(path)
    book[META_SHEET]["B2"] = version
    book.save(path)
    fill(path, {})
    return path
