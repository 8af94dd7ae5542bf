"""Write a footprint result as an Excel workbook: summary, breakdowns, inputs, provenance.

The workbook is written from ``result.to_dict()`` (the same data as ``--format json``).
The keys it knows get their own layout with units in the headers (summary, by stage, by
gas, by origin, by activity, electricity location- and market-based with the instruments,
parameters, suppliers); every other table-like key gets a sheet of its own, and every other
value (the ``provenance`` block, notes, hashes, versions) is listed, flattened, on the one
Provenance sheet, so nothing the calculator adds is lost. With the product
(spec or workbook import) the Inputs sheet lists every number the calculation used, per
stage, with its source: the user's (the workbook's cell and source column) or a bundled
default (publication, year, locator).

Every text is written as text: a product name such as ``=HYPERLINK(...)`` stays the
characters typed and is never stored as a formula (formula injection); characters that
XML cannot hold are dropped.
"""

import json
import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from footprint.errors import InputError

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
#: Keys shown on the summary sheet, with their labels.
_SUMMARY = (
    ("product_name", "Product"),
    ("product", "Product id"),
    ("declared_unit", "Declared unit"),
    ("total", "Carbon footprint"),
    ("boundary", "System boundary"),
    ("method", "Method"),
    ("gwp", "GWP set"),
)
#: Breakdown keys -> sheet titles.
_BREAKDOWNS = {"by_stage": "By stage", "by_gas": "By gas", "by_origin": "By origin", "by_activity": "By activity"}
_MAX_TEXT = 32767  # characters an Excel cell holds
#: Keys always listed on the Provenance sheet (flattened), even when they look like tables.
_PROVENANCE_KEYS = ("provenance", "notes", "input_files")


def write_results_workbook(result, path, *, product=None):
    """Write a result as an ``.xlsx`` workbook.

    Parameters
    ----------
    result : footprint.calc.FootprintResult or dict
        A result, or its ``to_dict()``.
    path : str or Path
        The ``.xlsx`` file to write (replaced if it exists).
    product : footprint.model.spec.ProductSpec, optional
        The product the result was computed from: adds the Inputs sheet.

    Returns
    -------
    Path
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"{path}: expected a file name ending in .xlsx for --format xlsx")
    data = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    book = Workbook()
    unit = _total_unit(data)
    shown = _summary(book.active, data, unit)
    for key, title in _BREAKDOWNS.items():
        if key in data:
            _table(book.create_sheet(title), data[key], unit, first=title.split()[-1].capitalize())
            shown.add(key)
    if isinstance(data.get("electricity"), dict) and "uses" in data["electricity"]:
        _electricity(book, data["electricity"], data, unit)
        shown.add("electricity")
    if isinstance(data.get("parameters"), dict) and data["parameters"]:
        _parameters(book.create_sheet("Parameters"), data["parameters"])
        shown.add("parameters")
    if isinstance(data.get("supplier"), list) and data["supplier"]:
        _suppliers(book.create_sheet("Suppliers"), data["supplier"])
        shown.add("supplier")
    for key, value in data.items():
        if key not in shown and key not in _PROVENANCE_KEYS and _is_table(value):
            _table(book.create_sheet(_sheet_title(key, book)), value, None, first=key)
            shown.add(key)
    if product is not None:
        _inputs(book.create_sheet("Inputs"), product)
    _provenance(book.create_sheet(_sheet_title("provenance", book)), {k: v for k, v in data.items() if k not in shown})
    from footprint.collect.template import save_workbook

    save_workbook(book, path)
    return path


def put(ws, row, column, value):
    """Write one value safely: text as text (never a formula), numbers as numbers."""
    cell = ws.cell(row, column)
    if value is None:
        return cell
    if isinstance(value, bool):
        cell.value = value
        return cell
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            value = str(value)
        else:
            cell.value = value
            return cell
    if isinstance(value, (dict, list, tuple)):
        value = json.dumps(value, ensure_ascii=False, default=str)
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:_MAX_TEXT]
    cell.value = text
    # openpyxl stores a text starting with "=" as a formula; force a string cell, and set the
    # quote prefix so that Excel keeps it text when someone edits the cell.
    cell.data_type = "s"
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        cell.quotePrefix = True
    return cell


def _header(ws, row, labels):
    for column, text in enumerate(labels, start=1):
        cell = put(ws, row, column, text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    ws.freeze_panes = ws.cell(row + 1, 1)


def _total_unit(data):
    total = data.get("total")
    return total.get("unit", "") if isinstance(total, dict) else ""


def _summary(ws, data, unit):
    ws.title = "Summary"
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 22
    shown = set()
    row = 1
    put(ws, row, 1, "Carbon footprint of a PV product").font = Font(bold=True, size=14)
    row += 2
    for key, text in _SUMMARY:
        if key not in data:
            continue
        shown.add(key)
        put(ws, row, 1, text).font = _HEADER_FONT
        value = data[key]
        if isinstance(value, dict) and "value" in value:
            put(ws, row, 2, value.get("value")).number_format = "#,##0.00"
            put(ws, row, 3, value.get("unit", ""))
        elif key == "boundary" and isinstance(value, dict):
            put(ws, row, 2, f"{value.get('name', '')}: {', '.join(value.get('stages') or [])}")
            if value.get("reference_flow"):
                row += 1
                put(ws, row, 1, "Reference flow").font = _HEADER_FONT
                put(ws, row, 2, value["reference_flow"])
        else:
            put(ws, row, 2, value)
        row += 1
        if key == "total" and isinstance(data.get("electricity"), dict):
            for which, label in (("location_based", "Location-based electricity"), ("market_based", "Market-based electricity")):
                amount = data["electricity"].get(which)
                if isinstance(amount, dict):
                    put(ws, row, 1, label).font = _HEADER_FONT
                    put(ws, row, 2, amount.get("value")).number_format = "#,##0.00"
                    put(ws, row, 3, amount.get("unit", ""))
                    row += 1
    share = data.get("primary_data_share")
    if isinstance(share, (int, float)) and not isinstance(share, bool):
        put(ws, row, 1, "Primary data share").font = _HEADER_FONT
        put(ws, row, 2, share).number_format = "0.0%"
        shown.add("primary_data_share")
        row += 1
    stages = data.get("by_stage")
    if isinstance(stages, dict) and stages:
        row += 1
        put(ws, row, 1, "Largest stages").font = _HEADER_FONT
        parts = sorted(((k, v) for k, v in stages.items() if isinstance(v, dict)), key=lambda kv: -abs(kv[1].get("value") or 0))
        for name, part in parts[:3]:
            row += 1
            put(ws, row, 1, name)
            put(ws, row, 2, part.get("value")).number_format = "#,##0.00"
            if "share" in part:
                put(ws, row, 3, part.get("share")).number_format = "0.0%"
    return shown


def _is_table(value):
    if isinstance(value, dict):
        return bool(value) and any(isinstance(v, (dict, list)) for v in value.values()) or len(value) > 1
    return isinstance(value, list) and bool(value)


def _table(ws, value, unit, *, first):
    """A dict of dicts, a dict of values, a list of dicts or a list of values, as a table."""
    if isinstance(value, dict):
        rows = [({first: key} | (item if isinstance(item, dict) else {"value": item})) for key, item in value.items()]
    else:
        rows = [item if isinstance(item, dict) else {"value": item} for item in value]
    columns = []
    for item in rows:
        for key in item:
            if key not in columns:
                columns.append(key)
    labels = [f"{c} [{unit}]" if c == "value" and unit else c for c in columns]
    _header(ws, 1, labels)
    for index, item in enumerate(rows, start=2):
        for column, key in enumerate(columns, start=1):
            cell = put(ws, index, column, item.get(key))
            if key == "share":
                cell.number_format = "0.0%"
            elif isinstance(item.get(key), float):
                cell.number_format = "#,##0.000"
    if "value" in columns and all(isinstance(item.get("value"), (int, float)) for item in rows) and isinstance(value, dict):
        total_row = len(rows) + 2
        put(ws, total_row, 1, "total").font = _HEADER_FONT
        put(ws, total_row, columns.index("value") + 1, sum(item["value"] for item in rows)).number_format = "#,##0.000"
    for column, key in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(1, column).column_letter].width = max(12, min(60, len(str(labels[column - 1])) + 4))


def _rows(ws, row, header, records, formats=None):
    """A header and records (lists of values) from ``row``; returns the next free row."""
    formats = formats or {}
    _header(ws, row, header)
    for record in records:
        row += 1
        for column, value in enumerate(record, start=1):
            cell = put(ws, row, column, value)
            if column in formats and isinstance(value, (int, float)):
                cell.number_format = formats[column]
    return row + 1


def _electricity(book, report, data, unit):
    """Electricity: grid use per stage (location-based), market-based by stage, instruments, notes."""
    per = data.get("declared_unit", "").replace("1 ", "", 1) or "declared unit"
    ws = book.create_sheet("Electricity")
    for column, width in enumerate((16, 10, 26, 48, 8, 18, 22), start=1):
        ws.column_dimensions[ws.cell(1, column).column_letter].width = width
    uses = [[u.get("stage"), u.get("site"), u.get("dataset"), u.get("name"), u.get("year") or (f"valid from {u['valid_from']}" if u.get("valid_from") else None), u.get("scope"), u.get("amount")]
            for u in report.get("uses") or []]
    row = _rows(ws, 1, ("stage", "site", "grid dataset", "name", "year", "scope", f"electricity [kWh/{per}]"), uses, {7: "#,##0.000"})
    row += 1
    for which, label in (("location_based", "location-based total"), ("market_based", "market-based total")):
        amount = report.get(which)
        if isinstance(amount, dict):
            put(ws, row, 1, label).font = _HEADER_FONT
            put(ws, row, 2, amount.get("value")).number_format = "#,##0.000"
            put(ws, row, 3, amount.get("unit", unit))
            row += 1
    for note in report.get("notes") or []:
        put(ws, row, 1, "note")
        put(ws, row, 2, note)
        row += 1
    by_stage = report.get("market_based_by_stage")
    if isinstance(by_stage, dict) and by_stage:
        _table(book.create_sheet("Market-based by stage"), by_stage, unit, first="Stage")
    instruments = report.get("instruments") or []
    if instruments:
        ws = book.create_sheet("Instruments")
        columns = (("id", "instrument"), ("type", "type"), ("site", "site"), ("file", "file"), ("stages", "stages"),
                   ("market", "market"), ("vintage", "vintage"), ("technology", "technology"), ("site_mwh", "instrument [MWh]"),
                   ("coverage", "coverage of the site's electricity [fraction]"), ("output_share", "product's share of the site's output [fraction]"),
                   ("claimed_mwh", "claimed [MWh]"), ("kwh", f"claimed [kWh/{per}]"), ("emission_factor", "emission factor [kg CO2-eq/kWh]"),
                   ("emission_factor_source", "emission factor source"), ("in_location_based", "counts in location-based"))
        records = [[", ".join(c.get(key) or []) if key == "stages" else c.get(key) for key, _ in columns] for c in instruments]
        _rows(ws, 1, [label for _, label in columns], records, {9: "#,##0.0", 10: "0.0%", 11: "0.0%", 12: "#,##0.0", 13: "#,##0.000", 14: "0.000"})


def _parameters(ws, parameters):
    """Every parameter the calculation used: value, its own unit, source."""
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 90
    records = [[name, entry.get("value"), entry.get("unit", ""), entry.get("source", "")] if isinstance(entry, dict) else [name, entry, "", ""]
               for name, entry in parameters.items()]
    _rows(ws, 1, ("parameter", "value", "unit", "source"), records)


def _suppliers(ws, suppliers):
    """Supplier declarations used: value, validity, data quality, certificate."""
    columns = (("stage", "stage"), ("company", "company"), ("product", "product"), ("id", "footprint id"), ("file", "file"),
               ("sha256", "file SHA-256"), ("value", "declared value [kg CO2-eq per declared unit]"), ("declared_unit", "declared unit"),
               ("per_reference_unit", "value per reference unit of the stage [kg CO2-eq]"), ("characterization", "GWP set"),
               ("primary_data_share", "primary data share [fraction]"), ("validity", "valid from"), ("validity", "valid until"),
               ("validity_source", "validity basis"), ("data_quality", "data quality"), ("certificate", "assurance"), ("notes", "notes"))
    records = []
    for entry in suppliers:
        validity = list(entry.get("validity") or []) + [None, None]
        record = []
        for index, (key, label) in enumerate(columns):
            value = entry.get(key)
            if label == "valid from":
                value = validity[0]
            elif label == "valid until":
                value = validity[1]
            elif key == "data_quality" and isinstance(value, dict):
                value = "; ".join(f"{k} {v}" for k, v in value.items())
            elif key == "notes":
                value = "; ".join(value or [])
            record.append(value)
        records.append(record)
    _rows(ws, 1, [label for _, label in columns], records, {11: "0.0%"})


def _inputs(ws, product):
    """Every number the calculation used, per stage, with its source."""
    from footprint.bundle.read import read_bundle
    from footprint.model import build_chain

    labels = ("stage", "item", "amount", "unit", "per", "origin", "source", "year", "where")
    _header(ws, 1, labels)
    for column, width in enumerate((14, 40, 14, 12, 8, 10, 70, 8, 50), start=1):
        ws.column_dimensions[ws.cell(1, column).column_letter].width = width
    try:
        chain = build_chain(product, read_bundle())
    except Exception as exc:  # the inputs sheet must not stop the report; say why it is empty
        put(ws, 2, 1, f"inputs not available: {exc}")
        return
    sources = getattr(product, "sources", {}) or {}
    row = 2
    for stage, process in chain.processes.items():
        put(ws, row, 1, stage)
        put(ws, row, 2, "site")
        put(ws, row, 7, sources.get(f"stages.{stage}.site", ""))
        put(ws, row, 9, process.site)
        row += 1
        for name, (quantity, provenance) in process.parameters.items():
            path = f"stages.{stage}.{name}"
            amount = float(quantity.magnitude)
            _input_row(ws, row, stage, name, amount, f"{quantity.units:~C}", process.unit, provenance, sources.get(path))
            row += 1
        for flow in process.flows:
            if flow.target in (process.electricity_dataset, "heat_natural_gas"):
                continue  # listed above as the electricity and heat parameters
            group = {"dataset": "materials", "gas": "emissions"}.get(flow.kind)
            path = f"stages.{stage}.{group}.{flow.target}" if group else ""
            _input_row(ws, row, stage, flow.label, flow.amount, _flow_unit(flow, chain), process.unit, flow.provenance,
                       sources.get(path))
            row += 1


def _input_row(ws, row, stage, item, amount, unit, per, provenance, workbook_source):
    values = (stage, item, amount, unit, per, "primary" if provenance.primary else "default",
              workbook_source if provenance.primary and workbook_source else provenance.source,
              provenance.year, provenance.locator or (provenance.describe() if not workbook_source else ""))
    for column, value in enumerate(values, start=1):
        cell = put(ws, row, column, value)
        if column == 3:
            cell.number_format = "0.000000"
        cell.alignment = Alignment(vertical="top")


def _flow_unit(flow, chain):
    if flow.kind == "stage":
        return chain.processes[flow.target].unit
    if flow.kind == "gas":
        return "kg"
    from footprint.bundle.read import read_bundle

    dataset = read_bundle().datasets.get(flow.target)
    return dataset.unit if dataset else ""


def _provenance(ws, data):
    _header(ws, 1, ("field", "value"))
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 90
    row = 2
    for key, value in _flatten(data):
        put(ws, row, 1, key)
        put(ws, row, 2, value)
        row += 1


def _flatten(data, prefix=""):
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            yield from _flatten(value, prefix=f"{name}.")
        elif isinstance(value, list) and value and not any(isinstance(item, (dict, list)) for item in value):
            for index, item in enumerate(value, start=1):  # notes: one row each
                yield f"{name}[{index}]", item
        elif isinstance(value, (list, dict)) and not value:
            yield name, "(none)"
        else:
            yield name, value


def _sheet_title(key, book):
    title = "".join(ch for ch in str(key).replace("_", " ") if ch not in "[]:*?/\\'").strip()[:31] or "Data"
    title = title[0].upper() + title[1:]
    base, number = title, 2
    while title in book.sheetnames:
        title = f"{base[:28]} {number}"
        number += 1
    return title
