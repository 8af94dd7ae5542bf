"""What real workbooks contain (tolerated) and files that are not workbooks (refused)."""

import io
import zipfile

import openpyxl
import pytest
from collect_helpers import EXAMPLE, cell_of, fill, filled, find_row, merged, set_cached_value, sheet_xml_name, template
from conftest import PERC
from test_collect import assert_same_flows

import footprint.collect_open as collect_open
from footprint.collect import MAX_FILE_BYTES, META_SHEET, read_workbook, sheet_title
from footprint.collect_open import parse_number, parse_unit
from footprint.errors import InputError
from footprint.model import read_product


# -- tolerated -------------------------------------------------------------------------------
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
    assert product.warnings == []
    assert_same_flows(product, read_product(PERC), rel=1e-12)
    assert "source: 规格书 datasheet" in product.sources["stages.wafer.kerf"]  # the merged source cell
    assert product.stages["polysilicon"].technology == "siemens"


def test_numbers_as_people_write_them():
    assert parse_number("1,234.5") == (1234.5, "")
    assert parse_number(" 66.5 kWh/kg ") == (66.5, "kWh/kg")
    assert parse_number("97%") == (97.0, "%")
    assert parse_number(0.97, percent=True) == (0.97, "%")
    assert parse_number("１２３") == (123.0, "")
    assert parse_number("1.5e3 t") == (1500.0, "t")
    for bad, reason in (("66,5", "decimal comma"), ("1,23,456", "decimal comma"), ("about 5", "not a number"),
                        (True, "TRUE/FALSE")):
        with pytest.raises(ValueError, match=reason):
            parse_number(bad)


def test_units_as_people_write_them():
    assert parse_unit("千瓦时/千克").to("kWh/kg").magnitude == 1
    assert parse_unit("万千瓦时").to("kWh").magnitude == 10_000
    assert parse_unit("万片").to("piece").magnitude == 10_000
    assert parse_unit("MWh/t").to("kWh/kg").magnitude == pytest.approx(1.0)
    assert parse_unit("GJ").to("MJ").magnitude == pytest.approx(1000)
    assert parse_unit("㎡").to("m**2").magnitude == 1
    assert parse_unit("µm").to("um").magnitude == 1
    with pytest.raises(ValueError, match="unknown unit"):
        parse_unit("kWh/kq")


def test_a_merged_value_over_two_rows_is_an_error(tmp_path):
    path = filled(tmp_path, merged(EXAMPLE, {"wafer": {"thickness": (150, "um"), "kerf": None}}))
    book = openpyxl.load_workbook(path)
    ws = book[sheet_title("wafer", "both")]
    row = find_row(ws, "thickness")
    ws.merge_cells(start_row=row, start_column=3, end_row=row + 1, end_column=3)
    book.save(path)
    with pytest.raises(InputError, match=r"C9 \(kerf\): got 150; the value cell is merged with C8 \(C8:C9\)"):
        read_workbook(path)


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
    (lambda d: _write(d / "page.xlsx", "<html><table></table></html>"), "HTML or XML file"),
    (lambda d: _write(d / "empty.xlsx", ""), "the file is empty"),
    (lambda d: _write(d / "noise.xlsx", bytes(range(256)) * 4), "not an .xlsx workbook"),
    (lambda d: _truncated(d), "damaged"),
    (lambda d: _zip(d / "sheet.xlsx", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), r"\.ods"),
    (lambda d: _zip(d / "b.xlsx", {"xl/workbook.bin": b"x"}), r"\.xlsb"),
    (lambda d: _zip(d / "doc.xlsx", {"word/document.xml": b"<w/>"}), "not an Excel workbook"),
    (lambda d: _not_a_template(d), "not a footprint data-collection workbook"),
    (lambda d: _version(d, 2), "version 2 is not known; this footprint .* reads footprint-workbook version 1"),
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
    with pytest.raises(InputError, match="the workbook expands to 0 MB, over the 0 MB limit"):
        read_workbook(path)


def _write(path, content):
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


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
