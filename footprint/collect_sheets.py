"""Read the rows of a filled workbook's sheets into entries, by the item each row names.

A row is found by the item in its "Item" column, not by its position: blank rows, note
rows, section titles, rows moved or inserted, merged title cells and extra sheets do not
matter. Each column is found by its header (in Chinese, English or both), so a column
moved or inserted by the user does not shift the others. What a row's value means is
decided later, in :mod:`footprint.collect_import`.
"""

import re
from dataclasses import dataclass

from footprint.collect import COLUMNS, LISTS_SHEET, META_SHEET, ROWS, SHEET_TITLES, TEMPLATE_FORMAT, TEMPLATE_VERSION, Problem
from footprint.collect_open import SheetCells, normalise_text
from footprint import __version__
from footprint.errors import InputError


@dataclass
class Entry:
    """One row of a data sheet that names an item."""

    file: str
    sheet: str  # the sheet's title as the user sees it
    stage: str  # "product" or a stage
    key: str
    kind: str  # a Row kind, or "material" / "emission"
    unit: str  # the row's unit (numerator of a flow)
    item_cell: str
    value: object  # CellValue
    unit_text: str = ""
    unit_cell: str = ""
    period: str = ""
    period_cell: str = ""
    site: str = ""
    site_cell: str = ""
    source: str = ""
    derivation: str = ""  # how a total became a per-unit value
    target: str = ""  # the unit the value is written in, in the YAML file


class WorkbookReader:
    """Collects the entries of one or more workbooks, with the problems found reading them."""

    def __init__(self, bundle, problems):
        self.bundle = bundle
        self.problems = problems
        self.entries = {}  # sheet ("product" or a stage) -> {key or (kind, key): Entry}
        self.sheets = {}  # sheet -> (file, title)

    def error(self, entry, cell, value, message):
        self.problems.append(Problem("error", entry.file, entry.sheet, cell, value, message, entry.key))

    def read(self, opened):
        names = opened.values.sheetnames
        if META_SHEET not in names:
            raise InputError(f"{opened.path}: not a footprint data-collection workbook (it has no {META_SHEET!r} "
                             "sheet); fill in a workbook made by `footprint template`")
        meta = {}
        for row in opened.values[META_SHEET].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
            if row[0] is not None:
                meta[str(row[0]).strip()] = row[1]
        version = meta.get("version")
        if meta.get("format") != TEMPLATE_FORMAT or str(version).strip() not in (str(TEMPLATE_VERSION), f"{TEMPLATE_VERSION}.0"):
            raise InputError(f"{opened.path}: template {meta.get('format')!r} version {version!r} is not known; this "
                             f"footprint {__version__} reads {TEMPLATE_FORMAT} version {TEMPLATE_VERSION}: make a new "
                             "template with `footprint template` and copy the data into it")
        titles = {}
        for sheet, variants in SHEET_TITLES.items():
            for title in (*variants.values(), f"{variants['en']} {variants['zh']}"):
                titles[_norm(title)] = sheet
        for name in names:
            sheet = titles.get(_norm(name))
            if name in (META_SHEET, LISTS_SHEET) or sheet in (None, "instructions"):
                continue
            if sheet in self.sheets:
                first = self.sheets[sheet]
                self.problems.append(Problem("error", opened.path, name, "", "", f"{sheet} is also given in "
                                             f"{first[0]}, sheet {first[1]}; expected it once"))
                continue
            self.sheets[sheet] = (opened.path, name)
            cells = SheetCells(opened.values[name], opened.formulas[name])
            self.entries[sheet] = self.read_sheet(opened.path, cells, sheet)

    def read_sheet(self, file, cells, sheet):
        header, columns = _find_header(cells)
        where = Entry(file, cells.title, sheet, "", "", "", "", None)
        if header is None:
            self.error(where, "", "", "no header row with the columns Item and Value in rows 1-20; "
                       "expected the template's header row (项目 Item, 数值 Value ...)")
            return {}
        fixed = {row.key: row for row in ROWS[sheet]}
        found = {}
        for number in range(header + 1, cells.max_row + 1):
            item = cells.get(number, columns["item"])
            text = normalise_text(item.value)
            value = cells.get(number, columns["value"])
            blank = value.value is None and not value.problem
            if not text:
                if not blank:
                    self.error(where, value.coordinate, show_value(value.value), "a value without an item in the Item "
                               "column; expected the item (parameter, material or gas) it belongs to")
                continue
            key, kind, unit = self.identify(text, sheet, fixed)
            if key is None:
                if not blank:
                    self.error(where, item.coordinate, show_value(item.value), "unknown item; expected a row of the "
                               "template, a material or a gas of the lists (see the drop-down)")
                continue
            entry = Entry(file, cells.title, sheet, key, kind, unit, item.coordinate, value)
            own = cells.ws.cell(number, columns["value"]).coordinate
            if value.merged and not blank and own != value.coordinate and _spans_rows(value.merged):
                # the row shows the value of the row above: which item it belongs to would be a guess
                self.error(entry, own, show_value(value.value), f"the value cell is merged with {value.coordinate} "
                           f"({value.merged}); expected one value per row")
                continue
            for role in ("unit", "period", "site", "source"):
                if role in columns:
                    cell = cells.get(number, columns[role])
                    setattr(entry, "unit_text" if role == "unit" else role, normalise_text(cell.value))
                    if role in ("unit", "period", "site"):
                        setattr(entry, f"{role}_cell", cell.coordinate)
            slot = key if kind not in ("material", "emission") else (kind, key)
            if slot in found:
                self.error(entry, item.coordinate, show_value(item.value), f"given twice (first in {found[slot].item_cell}); "
                           "expected each item once per sheet")
                continue
            found[slot] = entry
        return found

    def identify(self, text, sheet, fixed):
        """The item a row names: (key, kind, unit) or (None, None, None)."""
        candidates = [text, re.split(r"[\s(（|]", text)[0]]
        for candidate in candidates:
            if candidate in fixed:
                row = fixed[candidate]
                return candidate, row.kind, row.unit
        if sheet == "product":
            return None, None, None
        for candidate in candidates:
            for kind, known in (("material", self.bundle.datasets), ("emission", self.bundle.gases)):
                matches = [k for k in known if k == candidate] or [k for k in known if k.casefold() == candidate.casefold()]
                if matches:
                    return matches[0], kind, "kg"
        return None, None, None

def _find_header(cells):
    variants = {}
    for role, (en, zh) in COLUMNS.items():
        for text in (en, zh, f"{zh} {en}", f"{en} {zh}", f"{en}/{zh}"):
            variants[_norm(text)] = role
    for row in range(1, min(cells.max_row, 20) + 1):
        found = {}
        for column in range(1, min(cells.ws.max_column, 40) + 1):
            role = variants.get(_norm(cells.ws.cell(row, column).value))
            if role and role not in found:
                found[role] = column
        if "item" in found and "value" in found:
            return row, found
    return None, {}


def _norm(text):
    return re.sub(r"[\s/()（）:：_\-]", "", normalise_text(text).casefold())


def _spans_rows(coordinate):
    from openpyxl.utils.cell import range_boundaries

    _, min_row, _, max_row = range_boundaries(coordinate)
    return max_row > min_row


def show_value(value):
    text = f"{value:g}" if isinstance(value, float) else str(value)
    text = f"'{text}'" if isinstance(value, str) else text
    return text if len(text) <= 60 else text[:57] + "...'"
