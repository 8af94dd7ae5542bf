"""Variants of one product: a CSV file or a pandas DataFrame, read into columns of cell texts.

A variants file is CSV. Each column but the optional first ``variant`` (or ``id``) names a
field of the base product file by its YAML path; each row overrides those fields; an empty
cell keeps the base value::

    variant,stages.cell.site,stages.polysilicon.electricity,stages.wafer.thickness [um],stages.cell.efficiency
    base-js,,,,
    yunnan-poly,CN-JS,45 kWh/kg,150,23.5 %

A unit in brackets in the header lets cells hold bare numbers; otherwise each cell is
"number unit" as in the product file. A DataFrame has the same columns; its cells may be
numbers (the unit in the header) or the same texts.

The rules of a column (:func:`column_rule`) say whether its values can be evaluated as one
array per group of variants, and which range the product reader requires of them. The
numbers are read by :func:`parse_values`, one pass per column: plain decimals as Python's
``float`` reads them, a comma refused (a decimal comma and a thousands separator look
alike: "17,7" must not read as 177), a value that is not finite refused, each naming the
row and the column.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import io
import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np
from numpy.dtypes import StringDType

from footprint.errors import InputError
from footprint.fileio import decode_text, read_bytes
from footprint.units import ureg
from footprint.vocab import FRACTIONS, STAGE_PARAMETERS, STAGES, WHOLE_NUMBERS

if TYPE_CHECKING:
    import pandas

#: Names of the optional column that names each variant (any case).
ID_COLUMNS = ("variant", "id")
#: ``use`` fields a batch evaluates as arrays, and their range rule.
USE_FIELDS = {"specific_yield": "positive", "performance_ratio": "fraction", "lifetime": "positive", "degradation": "degradation"}
#: Downstream amounts a batch evaluates as arrays (per module, m2 or W), and their range rule.
DOWNSTREAM_FIELDS = {"electricity": "non-negative", "heat": "non-negative", "mass": "positive"}
#: A "number unit" cell: a plain decimal number first, then the unit text.
NUMBER_UNIT = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")
_HEADER_UNIT = re.compile(r"^(.*?)\s*\[(.*)\]\s*$")
#: Records read from the CSV reader at a time (bounds the memory of Python strings).
_READ_ROWS = 65536
#: Where a DataFrame's rows come from in messages.
FRAME_SOURCE = "<DataFrame>"


@dataclass
class Column:
    """One parameter column of a variants table."""

    header: str  # as written, such as "stages.wafer.thickness [um]"
    path: tuple  # the product-file path, such as ("stages", "wafer", "thickness")
    unit: str  # unit from the header, or ""
    numeric: bool  # can be evaluated as an array
    rule: str  # "non-negative", "positive", "whole", "fraction", "degradation"


@dataclass
class Variants:
    """A variants table: one text per cell, column by column.

    ``texts[j][i]`` is the cell of row ``i`` and column ``columns[j]`` as written, stripped
    of surrounding whitespace (``""`` keeps the base value). Texts are numpy arrays of
    ``StringDType`` (16 bytes a cell for short texts): a million variants of five columns
    take about 80 MB.
    """

    source: str  # the file read, or "<DataFrame>"
    columns: list  # Column, one per parameter column
    ids: np.ndarray  # (rows,) str: each variant's name, or "row N" where the table names none
    texts: list  # one (rows,) array of str per column
    sha256: str = ""  # of the file's bytes (of a DataFrame: of its cells written as CSV)
    first_row: int = 2  # the number messages give the first variant (the CSV header is row 1)

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, index: int) -> list[str]:
        """The cells of one variant, as written (``""`` keeps the base value)."""
        return [str(texts[index]) for texts in self.texts]

    def take(self, indices: Sequence[int]) -> Variants:
        """A table of some of the variants (their ids and row numbers in messages change)."""
        indices = np.asarray(indices, dtype=np.intp)
        return Variants(self.source, self.columns, self.ids[indices], [texts[indices] for texts in self.texts], self.sha256,
                        self.first_row)

    def where(self, index: int, column: Column | None = None) -> str:
        """Where a row (and a column) is, for messages: ``file: row 5 (name), column header``."""
        place = f"{self.source}: row {index + self.first_row} ({self.ids[index]})"
        return f"{place}, column {column.header}" if column else place


@dataclass
class CellValues:
    """The cells of a variants table as the batch groups and evaluates them (:func:`parse_values`)."""

    numbers: np.ndarray  # (rows, columns) float: a numeric cell's number [in its unit]; nan if empty or not numeric
    keys: np.ndarray  # (rows, columns) int32: index into labels[column]; -1 for an empty cell
    labels: list  # per column: the unit texts its numeric cells are written in, or the texts of its other cells


def read_variants(source: str | os.PathLike | pandas.DataFrame) -> Variants:
    """Read a variants table: a CSV file, or a pandas DataFrame with the same columns.

    Parameters
    ----------
    source : str or os.PathLike or pandas.DataFrame
        A CSV file: a header row of product-file paths (``stages.wafer.thickness [um]``,
        ``stages.cell.site``, ``product.rated_power [W]`` ...), the first column optionally
        ``variant`` or ``id``, then one row per variant. Or a DataFrame with such columns
        (a ``variant`` or ``id`` column anywhere, else its index if it is not the default
        0..n-1): numbers under a header with a unit in brackets, or "number unit" texts;
        a missing value (NaN, None) keeps the base value, as an empty CSV cell does.

    Returns
    -------
    Variants
        The cells as texts; numbers are read when the batch runs (:func:`parse_values`).

    Raises
    ------
    InputError
        A missing or non-UTF-8 file, no parameter columns, a column that is no product-file
        path or has an unknown unit, a path given twice, a row of the wrong length; each
        naming the file and the row or column.

    Examples
    --------
    >>> import footprint
    >>> table = footprint.read_variants("variants.csv")  # doctest: +SKIP
    >>> len(table), [column.header for column in table.columns]  # doctest: +SKIP
    (1000, ['stages.wafer.thickness [um]', 'stages.cell.efficiency'])
    """
    if _is_frame(source):
        return _read_frame(source)
    return _read_csv(Path(source))


def _is_frame(source):
    module = type(source).__module__ or ""
    return module.startswith("pandas") and type(source).__name__ == "DataFrame"


def _read_csv(path):
    raw = read_bytes(path, what="a CSV variants file", limit=MAX_VARIANTS_BYTES)
    text = decode_text(raw, path, what="a CSV variants file")
    sha256 = hashlib.sha256(raw).hexdigest()
    del raw
    state = {"width": 0, "count": 0}  # the header's length; variants read so far (for row numbers in messages)
    with _collector_paused():
        blocks = _plain_blocks(text, path, state) if _is_plain(text) else _csv_blocks(text, path, state)
        del text
        header = next(blocks, None)
        if header is None:
            raise InputError(f"{path}: empty; expected a header row of product-file paths, then one row per variant")
        has_id = header[0].lower() in ID_COLUMNS
        columns = [parse_header(text, path, index) for index, text in enumerate(header) if not (has_id and index == 0)]
        if not columns:
            raise InputError(f"{path}: header: no parameter columns; expected paths such as stages.cell.efficiency")
        _check_once(columns, path, first=2 if has_id else 1)
        parts = [[] for _ in header]  # per column, arrays of a block of rows each
        state["width"] = len(header)
        for cells, stripped in blocks:
            if not cells[0]:
                continue
            for position, texts in enumerate(cells):
                texts = texts if stripped[position] else [cell.strip() for cell in texts]
                parts[position].append(np.array(texts, dtype=StringDType()))
            # a row whose cells are all blank (" , ,") is no variant: the reader skips it, as an empty line
            kept = np.zeros(len(cells[0]), dtype=bool)
            for texts in (array[-1] for array in parts):
                kept |= texts != ""
            if not kept.all():
                for array in parts:
                    array[-1] = array[-1][kept]
            state["count"] += int(kept.sum())
    count = state["count"]
    if not count:
        raise InputError(f"{path}: a header and no variants; expected one row per variant under the header")
    texts = [np.concatenate(array) if array else np.array([], dtype=StringDType()) for array in parts]
    if has_id:
        ids = texts.pop(0)
    else:
        ids = np.full(count, "", dtype=StringDType())
    ids = _name_rows(ids, first=2)
    return Variants(str(path), columns, ids, texts, sha256)


@contextlib.contextmanager
def _collector_paused():
    """Reading creates millions of short-lived lists and no reference cycles: the cycle collector would only rescan them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: Largest variants file read [bytes]: a million rows of a few columns is about 40 MB.
MAX_VARIANTS_BYTES = 2 * 1024**3
#: Whitespace that str.strip removes from ASCII text, besides the line ends.
_ASCII_SPACES = " \t\x0b\x0c\x1c\x1d\x1e\x1f"
#: Characters of text read a block at a time by the fast reader.
_BLOCK_CHARS = 1 << 22


def _is_plain(text):
    """CSV text the csv module reads as comma-separated lines: no quote, no lone CR, no NUL."""
    return '"' not in text and "\x00" not in text and text.count("\r") == text.count("\r\n")


def _plain_blocks(text, path, state):
    """The header, then blocks of rows as columns of cells, of text without quotes (see :func:`_csv_blocks`).

    Without a quote character, a CSV record is one line and its fields are the line's
    comma-separated parts: the csv module's reading, without a Python list per row.
    """
    crlf = "\r" in text  # a CR only comes before an LF (_is_plain): it ends a last field, and stripping removes it
    lines = _line_blocks(text)
    header, block, line_number = None, [], 0  # line_number: lines before the block
    for block in lines:
        for position, line in enumerate(block):
            cells = line.split(",")
            if any(cell.strip() for cell in cells):
                header = [cell.strip() for cell in cells]
                line_number += position + 1
                block = block[position + 1:]
                break
        if header is not None:
            break
        line_number += len(block)
    if header is None:
        return
    yield header
    width = state["width"]
    limit = csv.field_size_limit()
    for block in itertools.chain([block], lines):
        if not block:
            continue
        if max(map(len, block)) > limit:
            _check_field_sizes(block, limit, path, line_number)
        commas = list(map(str.count, block, itertools.repeat(",")))
        if commas.count(width - 1) == len(commas):
            flat = ",".join(block).split(",")
            columns = [flat[position::width] for position in range(width)]
        else:
            columns = _columns(_variant_rows([line.split(",") for line in block], width, path, state["count"]), width)
        joined = "".join(block)
        stripped = [joined.isascii() and not any(space in joined for space in _ASCII_SPACES)] * width
        if crlf:
            stripped[-1] = False
        line_number += len(block)
        yield columns, stripped


def _check_field_sizes(lines, limit, path, line_number):
    """The csv module's refusal of a field above its size limit, for the fast reader."""
    for position, line in enumerate(lines):
        if len(line) > limit and any(len(cell) > limit for cell in line.rstrip("\r").split(",")):
            raise InputError(f"{path}: line {line_number + position + 1}: field larger than field limit ({limit}); "
                             "expected CSV text")


def _line_blocks(text):
    start = 0
    while start < len(text):
        end = text.find("\n", start + _BLOCK_CHARS)
        end = len(text) if end < 0 else end
        lines = text[start:end].split("\n")
        if end == len(text) and lines[-1] == "" and text.endswith("\n"):
            lines.pop()  # the file's last line end
        yield lines
        start = end + 1


def _csv_blocks(text, path, state):
    """The header, then blocks of rows as columns of cells, read by the csv module.

    A generator of the header, then of (columns of cells, whether each column's cells are
    stripped already) per block; ``state`` holds the header's length (``width``) and the number of variants read
    before the block (``count``), for the row numbers of messages.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    records = _records(reader, path)
    header = None
    for line in records:
        if any(cell.strip() for cell in line):
            header = [cell.strip() for cell in line]
            break
    if header is None:
        return
    yield header
    width = state["width"]
    while True:
        block = list(itertools.islice(records, _READ_ROWS))
        if not block:
            return
        yield _columns(_variant_rows(block, width, path, state["count"]), width), [False] * width


def _columns(rows, width):
    return [list(cells) for cells in zip(*rows)] if rows else [[] for _ in range(width)]


def _records(reader, path):
    """The CSV reader's records; a malformed record is an InputError naming the line."""
    try:
        yield from reader
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: {exc}; expected CSV text") from None


def _variant_rows(block, width, path, count):
    """The records of a block that hold a variant, each checked to be as long as the header.

    ``count`` variants came before the block: a row's number in messages is its place among
    the variants (blank rows are not counted), after the header, row 1.
    """
    if all(len(row) == width for row in block):
        return block
    kept = []
    for row in block:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            raise InputError(f"{path}: row {count + len(kept) + 2}: {len(row)} cells; expected {width} as in the header")
        kept.append(row)
    return kept


def _name_rows(ids, *, first):
    """Ids with "row N" where a variant has no name (N counts from ``first``)."""
    missing = np.flatnonzero(ids == "")
    if missing.size:
        ids = ids.copy()
        ids[missing] = [f"row {index + first}" for index in missing.tolist()]
    return ids


def parse_header(text: str, source: str | os.PathLike, index: int) -> Column:
    """One header cell as a :class:`Column` (``index`` counts from 0, messages from 1).

    Raises
    ------
    InputError
        Not a product-file path, or an unknown unit in brackets.
    """
    match = _HEADER_UNIT.match(text)
    name, unit = (match.group(1), match.group(2).strip()) if match else (text, "")
    parts = tuple(name.split("."))
    if not name or any(not part for part in parts) or parts[0] not in ("product", "stages", "use", "downstream"):
        raise InputError(f"{source}: header, column {index + 1}: got {text!r}; expected a product-file path such as "
                         "stages.wafer.thickness or product.rated_power")
    if unit:
        try:
            ureg.Unit(unit)
        except Exception:
            raise InputError(f"{source}: header, column {index + 1}: unknown unit {unit!r} in {text!r}") from None
    numeric, rule = column_rule(parts)
    return Column(text, parts, unit, numeric, rule)


def _check_once(columns, source, *, first):
    seen = {}
    for index, column in enumerate(columns, start=first):
        if column.path in seen:
            raise InputError(f"{source}: header, column {index}: {column.header!r} sets {'.'.join(column.path)} again "
                             f"(column {seen[column.path]}); expected each product-file path once")
        seen[column.path] = index


def column_rule(parts: tuple) -> tuple[bool, str]:
    """Whether a product-file path holds a number a batch evaluates as an array, and its range rule.

    Parameters
    ----------
    parts : tuple of str
        The path, such as ``("stages", "wafer", "thickness")``.

    Returns
    -------
    tuple of (bool, str)
        Numeric or not; the product reader's rule for the value: ``non-negative``,
        ``positive``, ``whole``, ``fraction``, ``degradation`` (``""`` if not numeric).
    """
    if parts[0] == "product" and len(parts) == 2 and parts[1] in ("rated_power", "area"):
        return True, "positive"
    if parts[0] == "stages" and len(parts) == 3 and parts[1] in STAGES:
        if parts[2] in ("electricity", "heat"):
            return True, "non-negative"
        if parts[2] in STAGE_PARAMETERS[parts[1]]:
            return True, "fraction" if parts[2] in FRACTIONS else "whole" if parts[2] in WHOLE_NUMBERS else "positive"
    if parts[0] == "stages" and len(parts) == 4 and parts[1] in STAGES and parts[2] in ("materials", "emissions"):
        return True, "non-negative"
    if parts[0] == "use" and len(parts) == 2 and parts[1] in USE_FIELDS:
        return True, USE_FIELDS[parts[1]]
    if parts[0] == "downstream" and len(parts) == 3 and parts[2] in DOWNSTREAM_FIELDS:
        return True, DOWNSTREAM_FIELDS[parts[2]]
    if parts[0] == "downstream" and len(parts) == 4 and parts[2] in ("materials", "emissions"):
        return True, "non-negative"
    return False, ""


# -- a DataFrame ------------------------------------------------------------------------------

def _read_frame(frame):
    source = FRAME_SOURCE
    names = [str(name).strip() for name in frame.columns]
    id_position = next((index for index, name in enumerate(names) if name.lower() in ID_COLUMNS), None)
    columns = [parse_header(name, source, index) for index, name in enumerate(names) if index != id_position]
    if not columns:
        raise InputError(f"{source}: columns: no parameter columns; expected paths such as stages.cell.efficiency")
    _check_once(columns, source, first=1)
    if not len(frame):
        raise InputError(f"{source}: no rows; expected one row per variant")
    positions = [index for index in range(len(names)) if index != id_position]
    texts = [_frame_texts(frame.iloc[:, index]) for index in positions]
    if id_position is not None:
        ids = _frame_texts(frame.iloc[:, id_position])
    elif not _default_index(frame.index):
        ids = _frame_texts(frame.index.to_series())
    else:
        ids = np.full(len(frame), "", dtype=StringDType())
    ids = _name_rows(ids, first=0)
    digest = hashlib.sha256()
    header = ([names[id_position]] if id_position is not None else ["variant"]) + [column.header for column in columns]
    digest.update(csv_lines([[name] for name in header]).encode("utf-8"))
    for start in range(0, len(ids), _READ_ROWS):
        block = [ids[start:start + _READ_ROWS].tolist()] + [array[start:start + _READ_ROWS].tolist() for array in texts]
        digest.update(csv_lines(block).encode("utf-8"))
    return Variants(source, columns, ids, texts, digest.hexdigest(), first_row=0)


def _default_index(index):
    import pandas

    return isinstance(index, pandas.RangeIndex) and index.start == 0 and index.step == 1


def _frame_texts(series):
    """A DataFrame column as cell texts: numbers as Python writes them (repr), missing values as ""."""
    values = series.to_numpy()
    kind = values.dtype.kind
    if kind == "f":
        texts = [repr(value) if value == value else "" for value in values.tolist()]
    elif kind in "iu":
        texts = [str(value) for value in values.tolist()]
    else:
        missing = series.isna().to_numpy()
        texts = ["" if gone else _text(value) for value, gone in zip(values.tolist(), missing.tolist())]
    return np.array(texts, dtype=StringDType())


def _text(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


# -- numbers ----------------------------------------------------------------------------------

def parse_values(variants: Variants) -> CellValues:
    """Read the numeric cells of a variants table; key every cell for grouping.

    A column with a unit in its header holds plain numbers, read as Python's ``float`` reads
    them (no comma); a numeric column without one holds "number unit" texts, each distinct
    text read once. Other columns' cells are keyed by their text.

    Parameters
    ----------
    variants : Variants

    Returns
    -------
    CellValues

    Raises
    ------
    InputError
        The first bad cell in reading order (row by row, left to right): a number that cannot
        be read, a comma in it, an unknown unit, a value that is not finite; naming the row,
        the variant and the column.
    """
    rows, width = len(variants), len(variants.columns)
    numbers = np.full((rows, width), np.nan, order="F")  # column by column
    keys = np.full((rows, width), -1, dtype=np.int32, order="F")
    labels = []
    problems = []  # (row, column position, message): the first bad cell of each column
    for position, column in enumerate(variants.columns):
        texts = variants.texts[position]
        if column.numeric and column.unit:
            labels.append([column.unit])
            problem = _read_plain_numbers(variants, position, numbers, keys)
        elif column.numeric:
            unit_texts, problem = _read_number_units(variants, position, numbers, keys)
            labels.append(unit_texts)
        else:
            codes, uniques = factorize(texts)
            keys[:, position] = codes
            labels.append(uniques)
            problem = None
        if problem is not None:
            problems.append(problem)
    if problems:
        row, _, message = min(problems)
        raise InputError(message)
    return CellValues(numbers, keys, labels)


def factorize(texts: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Codes of a column's texts (``""`` gets -1) and the distinct texts, in order of appearance."""
    index = {"": -1}
    codes = np.fromiter((index.setdefault(text, len(index) - 1) for text in texts.tolist()), dtype=np.int32,
                        count=len(texts))
    del index[""]
    return codes, list(index)


def _read_plain_numbers(variants, position, numbers, keys):
    """A column with a unit in its header: every non-empty cell a number, as ``float`` reads it."""
    column = variants.columns[position]
    texts = variants.texts[position]
    empty = texts == ""
    filled = np.flatnonzero(~empty) if empty.any() else slice(None)
    try:
        # numpy reads each text with Python's own float(): the same numbers, the same refusals
        values = (texts[filled] if isinstance(filled, np.ndarray) else texts).astype(np.float64)
    except ValueError:
        filled = np.flatnonzero(~empty)
        for index in filled.tolist():
            cell = str(texts[index])
            try:
                if "," in cell:  # "17,7" would read as 177: a decimal comma and a thousands separator look alike
                    raise ValueError(cell)
                float(cell)
            except ValueError:
                return index, position, f"{variants.where(index, column)}: got {cell!r}; expected a number in {column.unit}"
        raise  # unreachable: some cell failed above
    bad = ~np.isfinite(values)
    if bad.any():
        index = int(np.flatnonzero(~empty)[np.argmax(bad)])
        return index, position, f"{variants.where(index, column)}: got {str(texts[index])!r}; expected a finite number"
    numbers[filled, position] = values
    keys[filled, position] = 0
    return None


def _read_number_units(variants, position, numbers, keys):
    """A numeric column without a unit in its header: "number unit" cells, each distinct text read once."""
    column = variants.columns[position]
    codes, uniques = factorize(variants.texts[position])
    values = np.empty(len(uniques))
    unit_keys = np.empty(len(uniques), dtype=np.int32)
    unit_texts, known = {}, {}
    for code, cell in enumerate(uniques):
        message = None
        match = NUMBER_UNIT.match(cell)
        if match is None:
            message = f"cannot read {cell!r} as 'number unit'"
        else:
            value, unit = float(match.group(1)), match.group(2)
            if unit not in known:
                try:
                    ureg.Unit(unit)
                    known[unit] = True
                except Exception:
                    known[unit] = False
            if not known[unit]:
                message = f"unknown unit {unit!r} in {cell!r}"
            elif not np.isfinite(value):
                message = f"got {cell!r}; expected a finite number"
        if message is not None:
            # texts are coded in order of appearance: the first bad one is the column's first bad cell
            index = int(np.argmax(codes == code))
            return list(unit_texts), (index, position, f"{variants.where(index, column)}: {message}")
        values[code] = value
        unit_keys[code] = unit_texts.setdefault(unit, len(unit_texts))
    filled = codes >= 0
    numbers[filled, position] = values[codes[filled]]
    keys[filled, position] = unit_keys[codes[filled]]
    return list(unit_texts), None


# -- CSV text ---------------------------------------------------------------------------------

def csv_field(text: str) -> str:
    """A field as :func:`csv.writer` writes it: quoted if it holds a comma, a quote or a line break."""
    if "," in text or '"' in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


#: First characters that make a spreadsheet read a CSV cell as a formula (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(texts: list[str]) -> list[str]:
    """Free texts (variant ids, sites) with a leading ``'`` where a spreadsheet would read a formula.

    The xlsx writer stores such a text as text; a CSV has no cell types, so the quote keeps
    ``=HYPERLINK(...)`` from running when the results are opened in Excel or LibreOffice.
    """
    if not any(text.startswith(FORMULA_STARTS) for text in texts):
        return texts
    return [f"'{text}" if text.startswith(FORMULA_STARTS) else text for text in texts]


def csv_fields(texts: list[str]) -> list[str]:
    """Fields as :func:`csv.writer` writes them (see :func:`csv_field`)."""
    joined = "".join(texts)
    if "," in joined or '"' in joined or "\r" in joined or "\n" in joined:
        return [csv_field(text) for text in texts]
    return texts


def csv_lines(columns: Sequence[Sequence[str]]) -> str:
    """CSV text of columns of fields, as :func:`csv.writer` writes their rows (``\\r\\n`` after each).

    ``columns`` holds one sequence of texts per column, all of one length.
    """
    columns = [csv_fields(list(column)) for column in columns]
    if not columns or not columns[0]:
        return ""
    return "\r\n".join(map(",".join, zip(*columns))) + "\r\n"
