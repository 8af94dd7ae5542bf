"""Open a workbook safely and read its cells the way a person sees them.

Refused before openpyxl sees the file, each with a message saying what the file is and what
to do: a missing or empty file, one over :data:`~footprint.collect.MAX_FILE_BYTES`, an old
``.xls`` or a password-protected workbook (both are OLE compound files, not zip), a CSV or
HTML file renamed to ``.xlsx``, a corrupted zip, an OpenDocument or binary (``.xlsb``)
workbook, and a zip that would expand beyond :data:`~footprint.collect.MAX_UNZIPPED_BYTES`.

Only the sheets the import reads are parsed: before openpyxl sees the file, the other
worksheets (instructions, lists, a user's own sheets) are replaced by empty ones in an
in-memory copy, and a sheet the import reads whose XML is over
:data:`~footprint.collect.MAX_SHEET_BYTES` is refused. A big extra sheet then costs the
time to check its zip checksum, not the time and memory to load it.

Reading a cell tolerates what real workbooks contain: the saved value of a formula, merged
cells (the value of the merged block), numbers stored as text, thousands separators (commas,
or spaces between groups of three digits: ``29 700``), percent-formatted cells, full-width
digits and Chinese unit names. What cannot be read without guessing is reported: a formula
whose value was never saved, an Excel error value (``#DIV/0!``), a date where a number
belongs, a decimal comma, digits that are not one number (``29 70 MWh``), a number inside
a unit (``kWh/1000 pcs``).
"""

import bisect
import codecs
import datetime as _dt
import hashlib
import io
import math
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from footprint.collect.layout import CHINESE_UNITS, MAX_FILE_BYTES, MAX_SHEET_BYTES, MAX_UNZIPPED_BYTES
from footprint.errors import InputError
from footprint.fileio import read_bytes
from footprint.units import number_in_unit, unit_quantity

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
                "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"}
#: What people type for "nothing here". Read as blank, with a warning saying so.
BLANK_MARKERS = {"-", "--", "—", "–", "/", "n/a", "na", "none", "无", "不适用", "—-"}

#: Spaces that group digits by three: a normal space, no-break space (U+00A0), thin space
#: (U+2009) and narrow no-break space (U+202F), as Excel, Word and ISO 80000-1 write them.
DIGIT_GROUP_SPACES = " \u00a0\u2009\u202f"
_GROUP = f"[{DIGIT_GROUP_SPACES}]"
# A number: digits grouped by spaces ("29 700"), or digits with optional comma separators
# (checked below), or a leading decimal point; then an optional exponent; then the rest.
_NUMBER = re.compile(rf"^([+-]?(?:\d{{1,3}}(?:{_GROUP}\d{{3}})+(?:\.\d*)?|\d[\d,]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
                     r"\s*(.*)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?$")
#: Columns searched for the header and read for values (the template uses 10).
MAX_COLUMN = 40
#: A shared text table larger than this [bytes] is cut down to the texts of the sheets read:
#: openpyxl took 38 s and 410 MB for a table of 1.5 million texts (125 MB); with the cut, 5 s.
SHARED_STRINGS_FILTER_BYTES = 1024 * 1024
_EMPTY_WORKSHEET = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class OpenedWorkbook:
    """A workbook opened twice: with saved formula values, and with the formulas themselves."""

    path: str
    values: object  # openpyxl Workbook, data_only=True
    formulas: object  # openpyxl Workbook, data_only=False
    sha256: str


def open_workbook(path, *, keep=None):
    """Check that ``path`` is a readable xlsx workbook and open the sheets ``keep`` accepts.

    Parameters
    ----------
    path : str or Path
    keep : callable, optional
        ``keep(title)`` is true for a sheet the caller reads. The other worksheets are
        opened empty (their XML is never parsed). Default: every sheet.

    Returns
    -------
    OpenedWorkbook

    Raises
    ------
    InputError
        The file is missing, too large, not xlsx (old .xls, csv renamed, ods, xlsb),
        password-protected, or corrupted, or a sheet to read is over
        :data:`~footprint.collect.MAX_SHEET_BYTES`; the message says which and what to do.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if path.is_dir():
        raise InputError(f"{path}: is a directory; expected an .xlsx workbook")
    if size > MAX_FILE_BYTES:
        raise InputError(f"{path}: {size / 1024 / 1024:.1f} MB is over the {MAX_FILE_BYTES // 1024 // 1024} MB limit "
                         "for a workbook; remove pictures and unused sheets, or split it by stage")
    data = read_bytes(path, what="an .xlsx workbook", limit=MAX_FILE_BYTES)  # a device or a pipe: bounded too
    _check_container(path, data)
    archive = _check_zip(path, data)
    try:
        readable = (_only_sheets(path, archive, keep) if keep is not None else None) or data
    finally:
        archive.close()
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (data validation, styles)
            values = openpyxl.load_workbook(io.BytesIO(readable), data_only=True)
            formulas = openpyxl.load_workbook(io.BytesIO(readable), data_only=False)
    except Exception as exc:  # openpyxl raises many types for malformed parts
        raise InputError(f"{path}: the workbook is damaged and cannot be read ({type(exc).__name__}: {_short(exc)}); "
                         "open it in Excel or LibreOffice and save it again as .xlsx") from None
    return OpenedWorkbook(str(path), values, formulas, hashlib.sha256(data).hexdigest())


def _only_sheets(path, archive, keep):
    """The workbook's bytes with every worksheet that ``keep`` rejects replaced by an empty one.

    None if every worksheet is kept.

    openpyxl has no way to load some sheets only, and loads every cell, picture and comment
    of every sheet. The sheets are kept (empty) rather than removed, so that the workbook's
    structure (sheet order, defined names) stays what Excel wrote. Excel keeps the text of
    all sheets in one shared table; when it is large, it is cut down to the texts the kept
    sheets use (see :func:`_shared_texts_of`).
    """
    sheets, strings = _sheet_parts(path, archive)
    replaced = {}
    kept = []
    for title, part in sheets:
        if keep(title):
            size = archive.getinfo(part).file_size
            if size > MAX_SHEET_BYTES:
                raise InputError(f"{path}: sheet {title!r} is {_size(size)} of XML, over the {_size(MAX_SHEET_BYTES)} "
                                 "limit for a data sheet (a filled one is about 20 kB); delete the unused rows, columns "
                                 "and pictures of that sheet, or copy its data into a new template")
            kept.append(part)
        else:
            replaced[part] = _EMPTY_WORKSHEET
            replaced[posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")] = None
    if strings and archive.getinfo(strings).file_size > SHARED_STRINGS_FILTER_BYTES:
        try:
            replaced.update(_shared_texts_of(archive, kept, strings))
        except (ElementTree.ParseError, ValueError) as exc:
            raise InputError(f"{path}: the workbook is damaged ({_short(exc)}); open it in Excel or LibreOffice and "
                             "save it again as .xlsx") from None
    if not replaced:
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as target:
        for info in archive.infolist():
            if info.filename not in replaced:
                target.writestr(info.filename, archive.read(info.filename))
            elif replaced[info.filename] is not None:
                target.writestr(info.filename, replaced[info.filename])
    return buffer.getvalue()


# A cell pointing into the shared text table: <c r="A1" s="3" t="s"><v>12</v></c>.
_SHARED_CELL = re.compile(rb"""(<(?:\w+:)?c\b[^>]*?\st=["']s["'][^>]*>\s*<(?:\w+:)?v>)\s*(\d+)\s*(</(?:\w+:)?v>)""")


def _shared_texts_of(archive, parts, strings):
    """The kept sheets and a shared text table holding only the texts they use, renumbered.

    Returns ``{part: bytes}`` for the table and each kept sheet whose references changed,
    or ``{}`` (keep the table whole) if the cells rewritten are not exactly the text cells
    an XML parser finds: a form of cell this reader does not know is never renumbered wrong.
    """
    sheets = {part: archive.read(part) for part in parts}
    found = {part: _shared_string_indices(xml) for part, xml in sheets.items()}
    used = sorted(set().union(*found.values()))
    position = {old: new for new, old in enumerate(used)}
    replaced = {}
    for part, xml in sheets.items():
        try:
            rewritten, count = _SHARED_CELL.subn(lambda m: m.group(1) + str(position[int(m.group(2))]).encode()
                                                 + m.group(3), xml)
        except KeyError:
            return {}
        if count != found[part].cells:
            return {}
        replaced[part] = rewritten
    with archive.open(strings) as stream:
        replaced[strings] = _used_strings(stream, set(used))
    return replaced


class _Indices(set):
    """The table positions a sheet uses, with the number of cells that use them."""

    cells = 0


def _shared_string_indices(xml):
    """The positions in the shared text table that a worksheet's cells use."""
    used = _Indices()
    for _, element in ElementTree.iterparse(io.BytesIO(xml)):
        if element.tag == f"{_MAIN_NS}c":
            if element.get("t") == "s":
                value = element.find(f"{_MAIN_NS}v")
                if value is not None and value.text:
                    used.add(int(value.text))
                    used.cells += 1
            element.clear()
    return used


def _used_strings(stream, used):
    """The shared text table (xl/sharedStrings.xml) with only the texts at positions ``used``."""
    out = io.StringIO()
    out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN_NS[1:-1]}">')
    index = 0
    root = None
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        if event == "start":
            root = element if root is None else root
        elif element.tag == f"{_MAIN_NS}si":  # never nested: each is one entry of the table
            if index in used:
                out.write(ElementTree.tostring(element, encoding="unicode"))
            index += 1
            root.clear()  # drop what was read: memory stays flat however long the table
    out.write("</sst>")
    return out.getvalue().encode("utf-8")


def _sheet_parts(path, archive):
    """(title, zip part) of each worksheet, and the shared text table's part (or None)."""
    names = set(archive.namelist())
    try:
        for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            if archive.getinfo(part).file_size > MAX_SHEET_BYTES:
                raise InputError(f"{path}: the workbook's {part} is over {_size(MAX_SHEET_BYTES)}; "
                                 "open it in Excel or LibreOffice and save it again as .xlsx")
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError) as exc:
        raise InputError(f"{path}: the workbook is damaged ({_short(exc)}); open it in Excel or LibreOffice and save it "
                         "again as .xlsx") from None
    targets = {}
    strings = None
    for relation in relations.iter(f"{_PACKAGE_REL_NS}Relationship"):
        target = relation.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        kind = relation.get("Type", "")
        if kind.endswith("/worksheet"):
            targets[relation.get("Id")] = target
        elif kind.endswith("/sharedStrings") and target in names:
            strings = target
    parts = []
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        part = targets.get(sheet.get(f"{_REL_NS}id"))
        if part in names:
            parts.append((sheet.get("name", ""), part))
    return parts, strings


def _check_container(path, data):
    """Refuse what is not a zip: OLE (old .xls or password-protected), text, HTML, empty."""
    if not data:
        raise InputError(f"{path}: the file is empty; expected an .xlsx workbook")
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise InputError(f"{path}: the workbook is password-protected (encrypted); open it in Excel, remove the "
                             "password (File > Info > Protect Workbook > Encrypt with Password) and save it as .xlsx")
        raise InputError(f"{path}: this is an old Excel 97-2003 (.xls) or other OLE file, not .xlsx; open it in Excel "
                         "or LibreOffice and save it as 'Excel Workbook (.xlsx)'")
    if data.startswith(ZIP_MAGIC) or data.startswith(b"PK\x05\x06"):
        return
    text = _as_text(data[:4096])
    if text is not None and text.lstrip().startswith("<"):
        raise InputError(f"{path}: this is an HTML or XML file saved with an Excel name, not .xlsx; open it in Excel "
                         "and save it as 'Excel Workbook (.xlsx)'")
    if text is not None and ("," in text or "\t" in text or ";" in text or "，" in text):
        raise InputError(f"{path}: this is a text (CSV) file renamed to {path.suffix or 'a workbook'}, not .xlsx; "
                         "fill in the template made by `footprint template` instead")
    raise InputError(f"{path}: not an .xlsx workbook (the file does not start like one); expected a workbook made "
                     "by `footprint template`")


def _as_text(head):
    """The start of a file as text, or None if it is binary.

    UTF-16 only with its byte-order mark (as Excel's "Unicode text" writes it): almost any
    even number of bytes decodes as UTF-16, GB18030 text included. Without it, a NUL byte
    means binary; else UTF-8, then GB18030 (what Chinese Excel writes as CSV). The head may
    end inside a character, hence the incremental decoders.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    elif b"\x00" in head:
        return None
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if not any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n\f" for ch in text):
            return text
    return None


def _check_zip(path, data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise InputError(f"{path}: the workbook is damaged (not a readable zip: {_short(exc)}); open it in Excel or "
                         "LibreOffice and save it again as .xlsx") from None
    if expanded > MAX_UNZIPPED_BYTES:  # checked before testzip(), which would expand everything
        archive.close()
        raise InputError(f"{path}: the workbook expands to {_size(expanded)}, over the {_size(MAX_UNZIPPED_BYTES)} "
                         "limit; remove unused sheets and pictures")
    try:
        damaged = archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise InputError(f"{path}: the workbook is damaged (not a readable zip: {_short(exc)}); open it in Excel or "
                         "LibreOffice and save it again as .xlsx") from None
    except RuntimeError as exc:  # an encrypted zip entry
        raise InputError(f"{path}: the file is an encrypted zip ({_short(exc)}); expected an unencrypted .xlsx") from None
    if damaged is not None:
        archive.close()
        raise InputError(f"{path}: the workbook is damaged (part {damaged} fails its checksum); open it in Excel or "
                         "LibreOffice and save it again as .xlsx")
    if "mimetype" in names and b"opendocument" in archive.read("mimetype"):
        archive.close()
        raise InputError(f"{path}: this is an OpenDocument spreadsheet (.ods), not .xlsx; save it as "
                         "'Excel 2007-365 (.xlsx)' in LibreOffice")
    if "xl/workbook.bin" in names:
        archive.close()
        raise InputError(f"{path}: this is a binary Excel workbook (.xlsb), not .xlsx; save it as 'Excel Workbook (.xlsx)'")
    if "xl/workbook.xml" not in names:
        archive.close()
        raise InputError(f"{path}: a zip file but not an Excel workbook (no xl/workbook.xml); expected an .xlsx "
                         "workbook made by `footprint template`")
    return archive


def _size(count):
    """A number of bytes for a message: '46.6 MB', '8 kB'."""
    return f"{count / 1024 / 1024:.1f} MB" if count >= 1024 * 1024 else f"{count / 1024:.0f} kB"


def _short(exc):
    text = " ".join(str(exc).split())
    return text if len(text) <= 100 else text[:97] + "..."


@dataclass
class CellValue:
    """A cell's value as the user sees it, or why it cannot be read."""

    coordinate: str  # where the value was found (the top-left cell of a merged block)
    value: object  # None, str, int, float, datetime ...
    percent: bool = False  # the cell is formatted as a percentage
    problem: str = ""  # a formula without saved value, an Excel error ...
    merged: str = ""  # the merged range the cell belongs to, if any


class SheetCells:
    """Cell access for one worksheet: merged blocks, saved formula values, error values.

    Reads openpyxl's store of the cells that exist (``Worksheet._cells``) instead of
    ``Worksheet.cell()``, which creates every cell it is asked for: a stray entry in row
    1 048 576 would otherwise cost a million empty rows of cells.
    """

    def __init__(self, values_sheet, formulas_sheet):
        self.ws = values_sheet
        self.wf = formulas_sheet
        # per column, the merged blocks covering it sorted by first row (blocks never overlap)
        self._starts = {}
        self._blocks = {}
        by_column = {}
        for block in values_sheet.merged_cells.ranges:
            for column in range(block.min_col, min(block.max_col, MAX_COLUMN) + 1):
                by_column.setdefault(column, []).append(block)
        for column, blocks in by_column.items():
            blocks.sort(key=lambda b: b.min_row)
            self._blocks[column] = blocks
            self._starts[column] = [b.min_row for b in blocks]

    def block(self, row, column):
        """The merged block holding a cell, or None."""
        starts = self._starts.get(column)
        if not starts:
            return None
        index = bisect.bisect_right(starts, row) - 1
        if index >= 0 and self._blocks[column][index].max_row >= row:
            return self._blocks[column][index]
        return None

    def raw(self, row, column, *, formulas=False):
        """The openpyxl cell at (row, column) if it exists, else None (nothing is created)."""
        return (self.wf if formulas else self.ws)._cells.get((row, column))

    def get(self, row, column):
        block = self.block(row, column)
        source_row, source_column = (block.min_row, block.min_col) if block else (row, column)
        cell = self.raw(source_row, source_column)
        coordinate = self.coordinate(source_row, source_column)
        value = cell.value if cell is not None else None
        result = CellValue(coordinate, value, merged=block.coord if block else "")
        if isinstance(value, str) and value.strip() in EXCEL_ERRORS or cell is not None and cell.data_type == "e":
            result.problem = f"the formula gives the error {str(value).strip()}; expected a number"
            result.value = None
            return result
        if value is None:
            formula = self.raw(source_row, source_column, formulas=True)
            text = getattr(formula.value, "text", formula.value) if formula is not None else None  # ArrayFormula: .text
            if isinstance(text, str) and text.startswith("="):
                result.problem = (f"the formula {text[:60]} has no saved value (the file was written by a program "
                                  "that does not calculate); open and save it in Excel or LibreOffice, or type the number")
            return result
        if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
            result.percent = True
        return result

    def rows(self, start=1):
        """The numbers of the rows from ``start`` on that hold any cell, in order."""
        found = {row for row, _ in self.ws._cells} | {row for row, _ in self.wf._cells}
        return sorted(row for row in found if row >= start)

    def coordinate(self, row, column):
        """'C7' for row 7, column 3."""
        from openpyxl.utils import get_column_letter  # loaded with the workbook already

        return f"{get_column_letter(column)}{row}"

    @property
    def max_row(self):
        return self.ws.max_row

    @property
    def title(self):
        return self.ws.title


def normalise_text(value):
    """A cell's text as one clean line: full-width forms folded (NFKC), spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def parse_number(value, *, percent=False):
    """Read a cell's value as (number, unit text in the cell) or raise ValueError with the reason.

    Accepts numbers, numbers stored as text, thousands separators ("1,234.5", "29 700" with
    a normal, no-break, thin or narrow no-break space between groups of three digits), a
    unit written in the same cell ("66.5 kWh/kg", "97%"), full-width digits. Refuses dates,
    booleans, decimal commas ("66,5") and digits that are not one number ("29 70 MWh"),
    which cannot be read without guessing.
    """
    if isinstance(value, bool):
        raise ValueError("TRUE/FALSE; expected a number")
    if isinstance(value, (int, float)):
        return _finite(float(value)), ("%" if percent else "")
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time, _dt.timedelta)):
        raise ValueError("a date or time (Excel may have turned what was typed into a date); expected a number, "
                         "type it as text or format the cell as Number")
    text = normalise_text(value)  # NFKC folds the no-break and thin spaces into plain spaces
    match = _NUMBER.match(text)
    if not match:
        raise ValueError("not a number; expected a number such as 66.5 or 1,234.5")
    number, unit = match.group(1), match.group(2).strip()
    if re.match(r",\d", unit) or "," in number and not _THOUSANDS.match(number):
        raise ValueError("a comma that is not a thousands separator (a decimal comma?); write 66.5 or 1,234.5")
    if re.match(r"[\d.,]", unit):
        raise ValueError("digits that are not one number; expected one number, its digits grouped by three "
                         "(29 700 or 29,700), then the unit")
    number = re.sub(f"[,{DIGIT_GROUP_SPACES}]", "", number)
    try:
        number = float(number)
    except ValueError:
        raise ValueError("not a number; expected a number such as 66.5 or 1,234.5") from None
    return _finite(number), unit


def _finite(number):
    if not math.isfinite(number):  # "1e999" reads as infinity
        raise ValueError("not a finite number (too large); expected a number such as 66.5 or 1,234.5")
    return number


def parse_unit(text):
    """A unit as typed (``kWh/kg``, ``千瓦时/吨``, ``万片``, ``%``) -> a pint Quantity of 1 such unit.

    Raises
    ------
    ValueError
        The unit is not known, or holds a number other than an exponent (``700 MWh``,
        ``kWh/1000 pcs``): pint would multiply it in, and the number belongs in the value.
    """
    text = normalise_text(text)
    number = number_in_unit(text)
    if number:
        raise ValueError(f"a number ({number}) in the unit {text!r}; expected the number in the value cell "
                         "and a unit only, such as MWh or kWh/piece")
    for chinese in sorted(CHINESE_UNITS, key=len, reverse=True):
        text = text.replace(chinese, CHINESE_UNITS[chinese])
    text = text.replace("·", "*")
    try:
        return unit_quantity(text)
    except Exception:
        raise ValueError(f"unknown unit {text!r}") from None
