"""Read the rows of a filled workbook's sheets into entries, by the item each row names.

A row is found by the item in its "Item" column, not by its position: blank rows, note
rows, section titles, rows moved or inserted, merged title cells and extra sheets do not
matter. The Item cell names an item when it is exactly the item's name, or the name
followed by a bracketed description (what the drop-down lists write:
``copper (copper, global supply mix)``); any other text is a note, such as "site data
checked by QA" or "copper ribbons: supplier changed". A second row of an item is an error
only when both rows hold a value. Each column is found by its header (in Chinese, English
or both), so a column moved or inserted by the user does not shift the others. What a
row's value means is decided later, in :mod:`footprint.collect.importer`.
"""

import re
from dataclasses import dataclass

from footprint._version import __version__
from footprint.collect.layout import (
    COLUMNS,
    LISTS_SHEET,
    META_SHEET,
    READ_VERSIONS,
    SECTION_TITLES,
    SHEET_TITLES,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    Problem,
    label,
    stage_rows,
)
from footprint.collect.xlsx import MAX_COLUMN, SheetCells, normalise_text
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
    quality: str = ""  # the Data quality column: a kind of source or five pedigree scores, as typed
    quality_cell: str = ""
    note: str = ""  # the Note column: kept as a comment of the product file
    derivation: str = ""  # how a total became a per-unit value
    target: str = ""  # the unit the value is written in, in the YAML file
    invalid: bool = False  # the row's value cannot be read and its error was reported already


class WorkbookReader:
    """Collects the entries of one or more workbooks, with the problems found reading them."""

    def __init__(self, bundle, problems):
        self.bundle = bundle
        self.problems = problems
        self.entries = {}  # sheet ("product" or a stage) -> {key or (kind, key): Entry}
        self.sheets = {}  # sheet -> (file, title)
        self.notes = {}  # sheet -> [(title, cell, text)]: note rows, kept as comments of the product file
        self.template_texts = {_norm(label(words, lang)) for words in SECTION_TITLES.values() for lang in ("en", "zh", "both")}
        self.titles = {}  # normalised sheet title -> sheet
        for sheet, variants in SHEET_TITLES.items():
            for title in (*variants.values(), f"{variants['en']} {variants['zh']}"):
                self.titles[_norm(title)] = sheet

    def wants(self, title):
        """True for a sheet the import reads: the version sheet, Product and the stages."""
        return title == META_SHEET or self.titles.get(_norm(title)) not in (None, "instructions")

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
        known = {text for number in READ_VERSIONS for text in (str(number), f"{number}.0")}
        if meta.get("format") != TEMPLATE_FORMAT or str(version).strip() not in known:
            versions = " or ".join(str(number) for number in READ_VERSIONS)
            raise InputError(f"{opened.path}: template {meta.get('format')!r} version {version!r} is not known; this "
                             f"footprint {__version__} reads {TEMPLATE_FORMAT} version {versions}: make a new "
                             f"template (version {TEMPLATE_VERSION}) with `footprint template` and copy the data into it")
        for name in names:
            sheet = self.titles.get(_norm(name))
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
        fixed = {row.key: row for row in stage_rows(sheet)}
        found = {}
        for number in cells.rows(header + 1):
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
                elif _norm(text) not in self.template_texts:
                    self.notes.setdefault(sheet, []).append((cells.title, item.coordinate, _as_typed(item.value)))
                continue
            entry = Entry(file, cells.title, sheet, key, kind, unit, item.coordinate, value)
            own = cells.coordinate(number, columns["value"])
            if value.merged and not blank and own != value.coordinate and _spans_rows(value.merged):
                # the row shows the value of the row above: which item it belongs to would be a guess
                self.error(entry, own, show_value(value.value), f"the value cell is merged with {value.coordinate} "
                           f"({value.merged}); expected one value per row")
                entry.invalid = True
            for role in ("unit", "period", "site", "source", "quality", "note"):
                if role in columns:
                    cell = cells.get(number, columns[role])
                    # a source or note is kept as typed (full-width punctuation included), on one line
                    text = _as_typed(cell.value) if role in ("source", "note") else normalise_text(cell.value)
                    setattr(entry, "unit_text" if role == "unit" else role, text)
                    if role in ("unit", "period", "site", "quality"):
                        setattr(entry, f"{role}_cell", cell.coordinate)
            slot = key if kind not in ("material", "emission") else (kind, key)
            first = found.get(slot)
            if first is not None:
                if blank:
                    continue  # another row naming the item, without a value: a note, nothing to read
                if not _is_blank(first):
                    self.error(entry, item.coordinate, show_value(item.value), f"given twice (first in "
                               f"{first.item_cell}); expected each item once per sheet")
                    continue
            found[slot] = entry  # the first row with a value wins over an earlier empty one
        return found

    def identify(self, text, sheet, fixed):
        """The item a row names: (key, kind, unit) or (None, None, None) for a note row."""
        name = _item_name(text)
        if name is None:
            return None, None, None
        if name in fixed:
            row = fixed[name]
            return name, row.kind, row.unit
        if sheet == "product":
            return None, None, None
        for kind, known in (("material", self.bundle.datasets), ("emission", self.bundle.gases)):
            matches = [k for k in known if k == name] or [k for k in known if k.casefold() == name.casefold()]
            if matches:
                unit = self.bundle.datasets[matches[0]].unit if kind == "material" else "kg"
                return matches[0], kind, unit
        return None, None, None


def _item_name(text):
    """The item an Item cell names: all of it, or what precedes a bracketed description; else None."""
    match = re.fullmatch(r"([^\s(（]+)\s*[(（].*[)）]", text)
    if match:
        return match.group(1)
    return None if re.search(r"\s", text) else text


def _as_typed(value):
    """A cell's text as typed, on one line (a number as Excel shows it: 2024, not 2024.0)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if value is not None else ""


def _is_blank(entry):
    return entry.value.value is None and not entry.value.problem


def _find_header(cells):
    variants = {}
    for role, (en, zh) in COLUMNS.items():
        for text in (en, zh, f"{zh} {en}", f"{en} {zh}", f"{en}/{zh}"):
            variants[_norm(text)] = role
    for row in range(1, min(cells.max_row, 20) + 1):
        found = {}
        for column in range(1, min(cells.ws.max_column, MAX_COLUMN) + 1):
            cell = cells.raw(row, column)
            role = variants.get(_norm(cell.value if cell is not None else None))
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
