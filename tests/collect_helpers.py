"""Fill data-collection workbooks the way a user would, for the tests of footprint.collect."""

import io
import re
import zipfile

import openpyxl

from footprint.collect import write_template
from footprint.collect.layout import sheet_title

#: The template columns (see footprint.collect.COLUMNS).
COLUMN = {"item": 1, "value": 3, "unit": 4, "period": 5, "site": 6, "source": 7, "note": 8}

#: The values of examples/perc-glass-backsheet-jiangsu.yaml, as typed into the workbook.
EXAMPLE = {
    "product": {"id": "perc-gb-550-jiangsu", "name": "PERC glass-backsheet module 550 W (M10, 144 half cells)",
                "technology": "perc", "rated_power": (550, "W"), "area": (2.583, "m2"), "dimensions": "2278×1134 mm"},
    "mg_silicon": {"site": "CN-XJ"},
    "polysilicon": {"site": "CN-XJ", "technology": "siemens"},
    "ingot": {"site": "CN-NM"},
    "wafer": {"site": "CN-JS", "wafer_area": (330.15, "cm2"), "thickness": (150, "um"), "kerf": (50, "um"),
              "yield": 0.97, "electricity": (0.033, "kWh/piece")},
    "cell": {"site": "CN-JS", "efficiency": "23.0 %", "yield": 0.98, "electricity": (17.7, "kWh/m2")},
    "module": {"site": "CN-JS", "technology": "glass-backsheet", "cells": 144, "cells_per_wafer": 2},
}


def merged(base, changes):
    """EXAMPLE with some sheets' values replaced (a value of None removes the item)."""
    result = {sheet: dict(values) for sheet, values in base.items()}
    for sheet, values in changes.items():
        result.setdefault(sheet, {}).update(values)
    return result


def template(tmp_path, name="data.xlsx", **options):
    return write_template(tmp_path / name, **options)


def filled(tmp_path, values=None, name="data.xlsx", **options):
    """A template filled with ``values`` (default: EXAMPLE); returns its path."""
    path = template(tmp_path, name, **options)
    fill(path, EXAMPLE if values is None else values, lang=options.get("lang", "both"))
    return path


def find_row(ws, key):
    """The row whose Item column names ``key`` (first word), or None."""
    for row in range(1, ws.max_row + 1):
        text = ws.cell(row, COLUMN["item"]).value
        if isinstance(text, str) and re.split(r"[\s(]", text.strip())[0] == key:
            return row
    return None


def free_row(ws, section):
    """The first empty Item cell of the Materials (or Emissions) section."""
    start = None
    for row in range(1, ws.max_row + 1):
        text = ws.cell(row, COLUMN["item"]).value or ""
        if section in str(text):
            start = row
            continue
        if start and ws.cell(row, COLUMN["item"]).value is None:
            return row
    raise AssertionError(f"no free row in {section}")


def fill(path, values, *, lang="both"):
    book = openpyxl.load_workbook(path)
    for sheet, items in values.items():
        ws = book[sheet_title(sheet, lang)]
        for key, value in items.items():
            row = find_row(ws, key)
            if row is None:
                section = "Emissions" if key in ("co2_fossil", "sf6", "nf3", "cf4", "n2o") else "Materials"
                row = free_row(ws, "Direct emissions" if section == "Emissions" else section)
                ws.cell(row, COLUMN["item"]).value = key
            if value is None:
                continue
            if isinstance(value, tuple):
                value = {"value": value[0], "unit": value[1]}
            if not isinstance(value, dict):
                value = {"value": value}
            for column, content in value.items():
                if column == "format":
                    ws.cell(row, COLUMN["value"]).number_format = content
                else:
                    ws.cell(row, COLUMN[column]).value = content
    book.save(path)
    return path


_books = {}


def cell_of(path, sheet, key, column="value", lang="both"):
    """The coordinate of a row's cell in a template, such as 'C7'."""
    stamp = (str(path), path.stat().st_mtime_ns, path.stat().st_size)
    if stamp not in _books:
        _books.clear()
        _books[stamp] = openpyxl.load_workbook(path)
    ws = _books[stamp][sheet_title(sheet, lang)]
    row = find_row(ws, key)
    return ws.cell(row, COLUMN[column]).coordinate


def set_cached_value(path, sheet_xml, coordinate, value):
    """Give a formula cell the saved value Excel would have written (openpyxl writes none)."""
    source = zipfile.ZipFile(path)
    parts = {name: source.read(name) for name in source.namelist()}
    source.close()
    xml = parts[sheet_xml].decode()
    pattern = re.compile(rf'(<c r="{coordinate}"[^>]*>(?:<f>[^<]*</f>))<v\s*/?>(?:</v>)?')
    xml, count = pattern.subn(rf"\g<1><v>{value}</v>", xml)
    assert count == 1, f"no formula at {coordinate} in {sheet_xml}"
    parts[sheet_xml] = xml.encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def sheet_xml_name(path, title):
    """The zip part name of a sheet (xl/worksheets/sheetN.xml) from its title."""
    book = openpyxl.load_workbook(path)
    return f"xl/worksheets/sheet{book.sheetnames.index(title) + 1}.xml"


def to_shared_strings(path):
    """Move every sheet's text into one shared table (xl/sharedStrings.xml), as Excel saves it.

    openpyxl writes each text in its cell (inline strings); Excel and LibreOffice write a
    table of all the workbook's texts, shared by the sheets, and cells that point into it.
    """
    source = zipfile.ZipFile(path)
    parts = {name: source.read(name) for name in source.namelist()}
    source.close()
    table, positions = [], {}

    def shared(match):
        text = match.group(3)
        if text not in positions:
            positions[text] = len(table)
            table.append(text)
        return f'<c {match.group(1)}t="s"{match.group(2)}><v>{positions[text]}</v></c>'

    inline = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.S)
    for name in [n for n in parts if n.startswith("xl/worksheets/sheet")]:
        parts[name] = inline.sub(shared, parts[name].decode()).encode()
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{main}" count="{len(table)}" '
                                     f'uniqueCount="{len(table)}">' + "".join(f"<si>{t}</si>" for t in table)
                                     + "</sst>").encode()
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
                                                 '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings'
                                                 '+xml"/></Types>').encode()
    relations = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = relations.replace("</Relationships>", '<Relationship Id="rIdShared" Type='
                                                            '"http://schemas.openxmlformats.org/officeDocument/2006/'
                                                            'relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                                            "</Relationships>").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return len(table)


def is_wafer_electricity_outlier(problem):
    """The one warning the example's workbook rightly gets.

    Its wafer electricity, 0.033 kWh per wafer (Müller et al. 2021, per kg of wafer), is 0.44
    times the bundled default of Götz et al. 2026 (2.252 kWh/m2 x 330.15 cm2 = 0.0743 kWh), so
    the import warns. Two published sources disagree; the warning is the import doing its job.
    """
    return problem.item == "electricity" and "0.44 times the bundled default 2.252 kWh/m2" in problem.message


def unexpected(warnings):
    """The warnings other than the example's known wafer-electricity outlier."""
    return [problem for problem in warnings if not is_wafer_electricity_outlier(problem)]
