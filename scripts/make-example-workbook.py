"""Write examples/perc-glass-backsheet-jiangsu.xlsx: the data-collection template filled with
the values of examples/perc-glass-backsheet-jiangsu.yaml, as a manufacturer fills it in.

    .venv/bin/python scripts/make-example-workbook.py [OUTPUT.xlsx]

Run it again whenever the template, the bundled defaults or the YAML twin change:
tests/test_example_workbook.py fails while the committed workbook differs from what this
script writes.

The workbook is the YAML file's twin: `footprint calc` computes the same total from both,
to the last digit. It is written the way real sheets are: sites by their Chinese names
(新疆, 内蒙古, 江苏省), the wafer electricity per 片, the fractions in percent cells, and
each YAML comment in the Source column (the citations above a value, and the comments that
say a value is the site's or the datasheet's) or else the Note column. Rows the YAML file does not give (output, wafer format, instruments, the use
phase) stay blank, so that the twin stays exact.
"""

import re
import sys
import tempfile
from pathlib import Path

import openpyxl
import yaml

from footprint.collect import write_template
from footprint.collect.layout import COLUMNS, sheet_title
from footprint.collect.template import save_workbook

ROOT = Path(__file__).resolve().parent.parent
TWIN = ROOT / "examples" / "perc-glass-backsheet-jiangsu.yaml"
OUTPUT = ROOT / "examples" / "perc-glass-backsheet-jiangsu.xlsx"

#: Sites as a Chinese manufacturer writes them; the import reads each as the YAML file's id.
SITES_AS_WRITTEN = {"CN-XJ": "新疆", "CN-NM": "内蒙古", "CN-JS": "江苏省"}
#: Units as written in a production report: a wafer is a 片.
UNITS_AS_WRITTEN = {"kWh/wafer": "kWh/片"}
#: How the twin's trailing comments begin when they say where a value comes from.
SOURCE_WORDS = ("site", "datasheet")
#: The template's columns, 1-based, in its order.
COLUMN = {role: index for index, role in enumerate(COLUMNS, start=1)}


def yaml_comments(text):
    """Each key path of a block-style YAML text -> (the comment lines above it, its trailing comment)."""
    found, stack, above = {}, [], []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("#").strip())
            continue
        match = re.match(r"^(\s*)([A-Za-z_]\w*):(.*)$", line)
        if match is None:
            continue
        indent, key, rest = len(match.group(1)), match.group(2), match.group(3)
        stack = [(level, name) for level, name in stack if level < indent] + [(indent, key)]
        trailing = rest.split("#", 1)[1].strip() if "#" in rest else ""
        found[".".join(name for _, name in stack)] = ([line for line in above if line], trailing)
        above = []
    return found


def cell_values(path, value, comments):
    """The cells of one row for a YAML value: value, unit and the comment as source or note."""
    above, trailing = comments.get(path, ([], ""))
    cells = {}
    key = path.rsplit(".", 1)[-1]
    if key == "site":
        cells["value"] = SITES_AS_WRITTEN.get(value, value)
    elif isinstance(value, str) and re.match(r"^[\d.]+\s*%$", value):
        cells["value"] = float(value.rstrip("% ")) / 100  # a percent cell: 23.0 % is 0.23
    elif isinstance(value, str) and re.match(r"^[\d.]+\s+\S+$", value):
        number, unit = value.split(None, 1)
        cells["value"] = int(number) if number.isdigit() else float(number)
        cells["unit"] = UNITS_AS_WRITTEN.get(unit, unit)
    else:
        cells["value"] = value
    # A trailing comment that says where the value comes from ("site", "datasheet: ...", the
    # twin's own words for measured and published values) is its source, as are the citations
    # above a value; any other trailing comment (the province's name, "half-cut") is a note.
    sourced = trailing.startswith(SOURCE_WORDS) and key != "site"
    source = "; ".join([*above, trailing] if sourced else above)
    if source:
        cells["source"] = source
    if trailing and not sourced:
        cells["note"] = trailing
    return cells


def rows_of(ws):
    """Item -> row number of a data sheet."""
    return {ws.cell(row, COLUMN["item"]).value: row for row in range(1, ws.max_row + 1)
            if isinstance(ws.cell(row, COLUMN["item"]).value, str)}


def fill(book, data, comments):
    """Type the YAML file's values into the template's rows."""
    header = comments.get("format", ([], ""))[0]
    product_values = dict(data["product"])
    if "dimensions" in product_values:  # as a datasheet writes them: 2278×1134 mm
        product_values["dimensions"] = product_values["dimensions"].replace(" x ", "×")
    sheets = {"product": product_values, **data["stages"]}
    for sheet, values in sheets.items():
        ws = book[sheet_title(sheet, "both")]
        rows = rows_of(ws)
        prefix = "product" if sheet == "product" else f"stages.{sheet}"
        for key, value in values.items():
            if key not in rows:
                raise SystemExit(f"{TWIN}: {prefix}.{key}: no row {key!r} in the template's {ws.title} sheet")
            for role, content in cell_values(f"{prefix}.{key}", value, comments).items():
                ws.cell(rows[key], COLUMN[role]).value = content
    product = book[sheet_title("product", "both")]
    product.cell(rows_of(product)["id"], COLUMN["note"]).value = " ".join(header[1:])  # the file's own note


def make(path=OUTPUT):
    """Write the example workbook to ``path``; returns the path."""
    text = TWIN.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    with tempfile.TemporaryDirectory() as folder:
        blank = write_template(Path(folder) / "template.xlsx")
        book = openpyxl.load_workbook(blank)
    fill(book, data, yaml_comments(text))
    save_workbook(book, path)
    return Path(path)


if __name__ == "__main__":
    print(make(sys.argv[1] if len(sys.argv) > 1 else OUTPUT))
