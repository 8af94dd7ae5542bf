"""Open a workbook safely and read its cells the way a person sees them.

Refused before openpyxl sees the file, each with a message saying what the file is and what
to do: a missing or empty file, one over :data:`~footprint.collect.MAX_FILE_BYTES`, an old
``.xls`` or a password-protected workbook (both are OLE compound files, not zip), a CSV or
HTML file renamed to ``.xlsx``, a corrupted zip, an OpenDocument or binary (``.xlsb``)
workbook, and a zip that would expand beyond :data:`~footprint.collect.MAX_UNZIPPED_BYTES`.

Reading a cell tolerates what real workbooks contain: the saved value of a formula, merged
cells (the value of the merged block), numbers stored as text, thousands separators,
percent-formatted cells, full-width digits and Chinese unit names. What cannot be read
without guessing is reported: a formula whose value was never saved, an Excel error value
(``#DIV/0!``), a date where a number belongs, a decimal comma.
"""

import datetime as _dt
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from footprint.collect import CHINESE_UNITS, MAX_FILE_BYTES, MAX_UNZIPPED_BYTES
from footprint.errors import InputError
from footprint.units import Quantity, ureg

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
                "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!"}
#: What people type for "nothing here". Read as blank, with a warning saying so.
BLANK_MARKERS = {"-", "--", "—", "–", "/", "n/a", "na", "none", "无", "不适用", "—-"}

_NUMBER = re.compile(r"^([+-]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*)$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d+)?$")


@dataclass
class OpenedWorkbook:
    """A workbook opened twice: with saved formula values, and with the formulas themselves."""

    path: str
    values: object  # openpyxl Workbook, data_only=True
    formulas: object  # openpyxl Workbook, data_only=False
    sha256: str


def open_workbook(path):
    """Check that ``path`` is a readable xlsx workbook and open it.

    Returns
    -------
    OpenedWorkbook

    Raises
    ------
    InputError
        The file is missing, too large, not xlsx (old .xls, csv renamed, ods, xlsb),
        password-protected, or corrupted; the message says which and what to do.
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
    data = path.read_bytes()
    _check_container(path, data)
    archive = _check_zip(path, data)
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it drops (data validation, styles)
            values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
            formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises many types for malformed parts
        raise InputError(f"{path}: the workbook is damaged and cannot be read ({type(exc).__name__}: {_short(exc)}); "
                         "open it in Excel or LibreOffice and save it again as .xlsx") from None
    finally:
        archive.close()
    return OpenedWorkbook(str(path), values, formulas, hashlib.sha256(data).hexdigest())


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
    head = data[:2048]
    text = None
    for encoding in ("utf-8-sig", "utf-16", "gb18030"):
        try:
            text = head.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is not None and text.lstrip().startswith("<"):
        raise InputError(f"{path}: this is an HTML or XML file saved with an Excel name, not .xlsx; open it in Excel "
                         "and save it as 'Excel Workbook (.xlsx)'")
    if text is not None and ("," in text or "\t" in text or ";" in text) and "\x00" not in text:
        raise InputError(f"{path}: this is a text (CSV) file renamed to {path.suffix or 'a workbook'}, not .xlsx; "
                         "fill in the template made by `footprint template` instead")
    raise InputError(f"{path}: not an .xlsx workbook (the file does not start like one); expected a workbook made "
                     "by `footprint template`")


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
        raise InputError(f"{path}: the workbook expands to {expanded / 1024 / 1024:.0f} MB, over the "
                         f"{MAX_UNZIPPED_BYTES // 1024 // 1024} MB limit; remove unused sheets and pictures")
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
    """Cell access for one worksheet: merged blocks, saved formula values, error values."""

    def __init__(self, values_sheet, formulas_sheet):
        self.ws = values_sheet
        self.wf = formulas_sheet
        self.merged = {}
        for block in values_sheet.merged_cells.ranges:
            for row in range(block.min_row, block.max_row + 1):
                for column in range(block.min_col, block.max_col + 1):
                    self.merged[(row, column)] = block

    def get(self, row, column):
        block = self.merged.get((row, column))
        source_row, source_column = (block.min_row, block.min_col) if block else (row, column)
        cell = self.ws.cell(source_row, source_column)
        result = CellValue(cell.coordinate, cell.value, merged=block.coord if block else "")
        if isinstance(cell.value, str) and cell.value.strip() in EXCEL_ERRORS or cell.data_type == "e":
            result.problem = f"the formula gives the error {str(cell.value).strip()}; expected a number"
            result.value = None
            return result
        if cell.value is None:
            formula = self.wf.cell(source_row, source_column).value
            text = getattr(formula, "text", formula)  # ArrayFormula keeps its text in .text
            if isinstance(text, str) and text.startswith("="):
                result.problem = (f"the formula {text[:60]} has no saved value (the file was written by a program "
                                  "that does not calculate); open and save it in Excel or LibreOffice, or type the number")
            return result
        if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) and "%" in (cell.number_format or ""):
            result.percent = True
        return result

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

    Accepts numbers, numbers stored as text, thousands separators ("1,234.5"), a unit
    written in the same cell ("66.5 kWh/kg", "97%"), full-width digits. Refuses dates,
    booleans and decimal commas ("66,5"), which cannot be read without guessing.
    """
    if isinstance(value, bool):
        raise ValueError("TRUE/FALSE; expected a number")
    if isinstance(value, (int, float)):
        return float(value), ("%" if percent else "")
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time, _dt.timedelta)):
        raise ValueError("a date or time (Excel may have turned what was typed into a date); expected a number, "
                         "type it as text or format the cell as Number")
    text = normalise_text(value)
    match = _NUMBER.match(text)
    if not match:
        raise ValueError("not a number; expected a number such as 66.5 or 1,234.5")
    number, unit = match.group(1), match.group(2).strip()
    if "," in number:
        if not _THOUSANDS.match(number):
            raise ValueError("a comma that is not a thousands separator (a decimal comma?); write 66.5 or 1,234.5")
        number = number.replace(",", "")
    try:
        return float(number), unit
    except ValueError:
        raise ValueError("not a number; expected a number such as 66.5 or 1,234.5") from None


def parse_unit(text):
    """A unit as typed (``kWh/kg``, ``千瓦时/吨``, ``万片``, ``%``) -> a pint Quantity of 1 such unit.

    Raises
    ------
    ValueError
        The unit is not known.
    """
    text = normalise_text(text)
    for chinese in sorted(CHINESE_UNITS, key=len, reverse=True):
        text = text.replace(chinese, CHINESE_UNITS[chinese])
    text = text.replace("·", "*")
    try:
        unit = ureg.parse_expression(text)
    except Exception:
        raise ValueError(f"unknown unit {text!r}") from None
    if not isinstance(unit, Quantity):
        unit = Quantity(float(unit), "")
    return unit
