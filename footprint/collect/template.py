"""Write the data-collection workbook that manufacturers and their suppliers fill in.

Layout of every data sheet (``Product`` and one per stage)::

    row 1   title
    row 2   how to fill it in
    row 4   column headers (Item, Description, Value, Unit, Period, Site, Source ...)
    row 5+  one row per item; then a Materials and a Direct emissions section

Headers, descriptions, examples and defaults are locked (the sheet is protected without a
password, so that nobody types over them by accident; rows may be inserted); the input
columns are unlocked and carry drop-down lists. A hidden ``Lists`` sheet holds the sites,
materials, gases and source suggestions; a very hidden ``_footprint`` sheet holds the
template version that the import checks.
"""

import datetime as _dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from footprint._version import __version__
from footprint.bundle.read import read_bundle
from footprint.bundle.types import short_source
from footprint.collect.layout import (
    CHINESE_UNITS,
    COLUMNS,
    EMISSION_ROWS,
    INPUT_COLUMNS,
    LISTS_SHEET,
    MATERIAL_ROWS,
    META_SHEET,
    SECTION_TITLES,
    SOURCE_SUGGESTIONS,
    STAGES,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    label,
    sheet_title,
    stage_rows,
)
from footprint.errors import InputError, OptionError, OutputExistsError
from footprint.fileio import atomic_path
from footprint.i18n import names, words
from footprint.vocab import REFERENCE_UNITS, TECHNOLOGIES

HEADER_ROW = 4
FIRST_ROW = 5
_WIDTHS = {"item": 22, "description": 52, "value": 14, "unit": 12, "period": 12, "site": 12, "source": 28,
           "note": 24, "example": 24, "default": 48}
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_SECTION_FILL = PatternFill("solid", fgColor="E2EFDA")
_HINT_FONT = Font(italic=True, color="7F7F7F")

#: The Chinese unit of 10 000 pieces, which production reports count wafers in: offered beside
#: pcs. Taken from the units the import reads, so the template offers no unit it cannot read.
_TEN_THOUSAND_PIECES = next(word for word, unit in CHINESE_UNITS.items() if unit == "(10000*piece)")

#: Format examples for the rows whose example depends on the stage.
_EXAMPLES = {
    ("mg_silicon", "electricity"): "11 kWh/kg | 95 000 MWh",
    ("polysilicon", "electricity"): "66.5 kWh/kg | 600 000 MWh",
    ("ingot", "electricity"): "38.4 kWh/kg | 350 000 MWh",
    ("wafer", "electricity"): "0.033 kWh/piece | 30 000 MWh",
    ("cell", "electricity"): "17.7 kWh/m2 | 0.58 kWh/piece",
    ("module", "electricity"): "3.32 kWh/m2 | 8.6 kWh/piece",
    ("polysilicon", "heat"): "70 MJ/kg | 630 000 GJ",
    ("mg_silicon", "output"): "8 000 t",
    ("polysilicon", "output"): "9 000 t",
    ("ingot", "output"): "9 000 t",
    ("wafer", "output"): f"900 000 000 pcs | 90 000 {_TEN_THOUSAND_PIECES}",
    ("cell", "output"): "600 000 000 pcs",
    ("module", "output"): "2 000 MW | 3 600 000 pcs",
}

#: Units offered in the drop-down of each kind of row (any other unit of the right dimension
#: is accepted too). Totals are listed after the per-unit forms.
_UNITS = {
    ("flow", "kg", "kWh"): "kWh/kg,MWh/t,MWh,kWh,GWh",
    ("flow", "piece", "kWh"): "kWh/piece,kWh/m2,MWh,kWh,GWh",
    ("flow", "kg", "MJ"): "MJ/kg,GJ/t,GJ,MJ,TJ",
    ("flow", "piece", "MJ"): "MJ/piece,MJ/m2,GJ,MJ",
    ("flow", "kg", "kg"): "kg/kg,g/kg,t,kg",
    ("flow", "piece", "kg"): "g/piece,kg/piece,g/m2,kg/m2,t,kg",
    ("check", "piece", "g"): "g,g/piece",
    ("check", "piece", "kg"): "kg/piece,g/piece,t,kg",
    ("output", "kg", ""): "t,kg",
    ("output", "piece", ""): f"pcs,{_TEN_THOUSAND_PIECES}",
    ("output", "module", ""): "pcs,MW,kW",
    ("quantity", "", "W"): "W,kW",
    ("quantity", "", "m**2"): "m2,cm2,mm2",
    ("quantity", "", "cm**2"): "cm2,mm2,m2",
    ("quantity", "", "um"): "um,mm",
    ("fraction", "", ""): "%",
    ("count", "", "piece"): "pcs",
}

#: The paragraphs of the instructions sheet (``names.yaml``), in order, the heading first.
_INSTRUCTIONS = names("workbook_instruction")


def write_template(path, *, stage="all", lang="both", overwrite=False):
    """Write a data-collection workbook.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file to write.
    stage : str
        ``all`` for the whole module chain (product sheet and every stage), or one stage
        (``polysilicon``, ``ingot``, ``wafer``, ``cell``, ``module`` or ``mg_silicon``) for
        one supplier; ``module`` also has the product sheet.
    lang : str
        ``zh``, ``en`` or ``both`` (headers and descriptions in Chinese and English).
    overwrite : bool
        Replace an existing file (a filled workbook would be lost).

    Returns
    -------
    Path

    Raises
    ------
    InputError
        Unknown stage or language, or the file exists and ``overwrite`` is false.
    """
    path = Path(path)
    if stage != "all" and stage not in STAGES:
        raise OptionError("stage", f"got {stage!r}; expected all or one of {', '.join(STAGES)}")
    if lang not in ("zh", "en", "both"):
        raise OptionError("lang", f"got {lang!r}; expected zh, en or both")
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"{path}: expected a file name ending in .xlsx")
    if path.exists() and not overwrite:
        raise OutputExistsError(f"{path}: exists; choose another name or allow replacing it")
    bundle = read_bundle()
    stages = list(STAGES) if stage == "all" else [stage]
    sheets = (["product"] if stage in ("all", "module") else []) + stages
    writer = _Writer(bundle, lang)
    workbook = writer.workbook(sheets)
    save_workbook(workbook, path)
    return path


def save_workbook(workbook, path):
    """Save an openpyxl workbook atomically: a failure never leaves half a workbook."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temporary:
        workbook.save(temporary)


class _Writer:
    def __init__(self, bundle, lang):
        self.bundle = bundle
        self.lang = lang
        self.columns = {role: index + 1 for index, role in enumerate(COLUMNS)}
        self.rules = {}

    def workbook(self, sheets):
        book = Workbook()
        self.instructions(book.active)
        for sheet in sheets:
            self.data_sheet(book, sheet)
        self.lists(book)
        self.meta(book, sheets)
        book.active = 0
        return book

    # -- sheets ---------------------------------------------------------------------------
    def instructions(self, ws):
        ws.title = sheet_title("instructions", self.lang)
        ws.column_dimensions["A"].width = 130
        row = 1
        for index, paragraph in enumerate(_INSTRUCTIONS.values()):
            texts = [paragraph[self.lang]] if self.lang in paragraph else [paragraph["zh"], paragraph["en"]]
            for text in texts:
                cell = ws.cell(row, 1, text)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if index == 0:
                    cell.font = Font(bold=True, size=14)
                row += 1
            row += 1
        ws.protection.sheet = True

    def lists(self, book):
        ws = book.create_sheet(LISTS_SHEET)
        ws.sheet_state = "hidden"
        columns = {
            "list_sites": [f"{g.id} {g.name_zh} {g.name}" for g in self.bundle.geographies.values()
                           if self.bundle.electricity_for(g.id) is not None],
            "list_materials": [f"{d.id} ({d.name})" for d in self.bundle.datasets.values() if d.category == "material"],
            "list_gases": [f"{g.id} ({g.label})" for g in self.bundle.gases.values()],
            "list_sources": list(SOURCE_SUGGESTIONS),
        }
        for index, (name, values) in enumerate(columns.items(), start=1):
            letter = ws.cell(1, index).column_letter
            ws.cell(1, index, name).font = Font(bold=True)
            for offset, value in enumerate(values, start=2):
                ws.cell(offset, index, value)
            ws.column_dimensions[letter].width = 50
            reference = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
            book.defined_names[name] = DefinedName(name, attr_text=reference)
        ws.protection.sheet = True

    def meta(self, book, sheets):
        ws = book.create_sheet(META_SHEET)
        ws.sheet_state = "veryHidden"
        rows = (
            ("format", TEMPLATE_FORMAT),
            ("version", TEMPLATE_VERSION),
            ("sheets", ",".join(sheets)),
            ("lang", self.lang),
            ("data_version", self.bundle.data_version),
            ("written_by", f"footprint {__version__}"),
            ("written_at", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")),
        )
        for index, (key, value) in enumerate(rows, start=1):
            ws.cell(index, 1, key)
            ws.cell(index, 2, value)
        ws.protection.sheet = True

    def data_sheet(self, book, sheet):
        ws = book.create_sheet(sheet_title(sheet, self.lang))
        last = len(COLUMNS)
        activity = words("workbook_text", "activity_data")
        title = ws.cell(1, 1, sheet_title(sheet, "both") + (f" - {activity['en']} {activity['zh']}" if sheet != "product" else ""))
        title.font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
        guide = ws.cell(2, 1, label(words("workbook_text", "guide"), self.lang))
        guide.font = _HINT_FONT
        guide.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
        ws.row_dimensions[2].height = 32
        for role, column in self.columns.items():
            cell = ws.cell(HEADER_ROW, column, label(COLUMNS[role], self.lang))
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            ws.column_dimensions[cell.column_letter].width = _WIDTHS[role]
        row = FIRST_ROW
        reference = REFERENCE_UNITS.get(sheet, "")
        for spec in stage_rows(sheet):
            self.item_row(ws, row, sheet, spec, reference)
            row += 1
        if sheet != "product":
            row = self.section(ws, row + 1, sheet, "materials", "list_materials", MATERIAL_ROWS)
            row = self.section(ws, row + 1, sheet, "emissions", "list_gases", EMISSION_ROWS)
        ws.freeze_panes = ws.cell(FIRST_ROW, self.columns["value"])
        protection = ws.protection
        protection.sheet = True
        # Allowed in the protected sheet: formatting, and inserting rows for more materials.
        protection.formatCells = protection.formatColumns = protection.formatRows = False
        protection.insertRows = False

    def item_row(self, ws, row, sheet, spec, reference):
        item = ws.cell(row, self.columns["item"], spec.key)
        item.fill = _LOCKED_FILL
        description = ws.cell(row, self.columns["description"], label((spec.en, spec.zh), self.lang))
        description.fill = _LOCKED_FILL
        description.alignment = Alignment(wrap_text=True, vertical="top")
        example = _EXAMPLES.get((sheet, spec.key), spec.example)
        hint = ws.cell(row, self.columns["example"], example)
        hint.font = _HINT_FONT
        hint.fill = _LOCKED_FILL
        default = ws.cell(row, self.columns["default"], self.default_text(sheet, spec))
        default.font = _HINT_FONT
        default.fill = _LOCKED_FILL
        default.alignment = Alignment(wrap_text=True, vertical="top")
        self.unlock_inputs(ws, row)
        value = ws.cell(row, self.columns["value"])
        if spec.kind == "fraction":
            value.number_format = "0.0%"
        elif spec.kind in ("text", "choice", "site"):
            value.number_format = "@"  # typed ids such as "1-2" must not become dates
        prompt = label((spec.en, spec.zh), self.lang) + (f" | e.g. {example}" if example else "")
        if spec.kind == "site":
            self.validate(ws, value.coordinate, "list_sites", "warning", prompt=prompt)
        elif spec.kind == "choice":
            choices = self.technologies(sheet)
            if choices:
                self.validate(ws, value.coordinate, '"' + ",".join(choices) + '"', "warning", prompt=prompt)
        else:
            self.prompt(ws, value.coordinate, prompt)
        if spec.kind in ("flow", "check"):
            unit_key = (spec.kind, reference, spec.unit)
        elif spec.kind == "output":
            unit_key = ("output", "module" if sheet == "module" else reference, "")
        else:
            unit_key = (spec.kind, "", spec.unit)
        units = _UNITS.get(unit_key)
        if units:
            self.validate(ws, ws.cell(row, self.columns["unit"]).coordinate, f'"{units}"', "warning")
        if sheet != "product":
            self.validate(ws, ws.cell(row, self.columns["site"]).coordinate, "list_sites", "warning")
        self.validate(ws, ws.cell(row, self.columns["source"]).coordinate, "list_sources", "information")

    def section(self, ws, row, sheet, section, list_name, free_rows):
        title = ws.cell(row, self.columns["item"], label(SECTION_TITLES[section], self.lang))
        title.font = Font(bold=True)
        for column in self.columns.values():
            ws.cell(row, column).fill = _SECTION_FILL
        row += 1
        prefix = "material:" if section == "materials" else "emission:"
        defaults = self.item_defaults(sheet, prefix)
        reference = "piece" if sheet in ("wafer", "cell", "module") else "kg"
        units = _UNITS[("flow", reference, "kg")]
        for index in range(len(defaults) + free_rows):
            item = ws.cell(row, self.columns["item"])
            item.protection = Protection(locked=False)
            self.validate(ws, item.coordinate, list_name, "warning")
            if index < len(defaults):
                key, text = defaults[index]
                item.value = key
                known = self.bundle.datasets.get(key) or self.bundle.gases.get(key)
                name = getattr(known, "name", None) or getattr(known, "label", "")
                ws.cell(row, self.columns["description"], name).alignment = Alignment(wrap_text=True, vertical="top")
                default = ws.cell(row, self.columns["default"], text)
                default.font = _HINT_FONT
                default.alignment = Alignment(wrap_text=True, vertical="top")
            self.unlock_inputs(ws, row)
            self.validate(ws, ws.cell(row, self.columns["unit"]).coordinate, f'"{units}"', "warning")
            self.validate(ws, ws.cell(row, self.columns["site"]).coordinate, "list_sites", "warning")
            self.validate(ws, ws.cell(row, self.columns["source"]).coordinate, "list_sources", "information")
            row += 1
        return row

    # -- helpers --------------------------------------------------------------------------
    def unlock_inputs(self, ws, row):
        for role in INPUT_COLUMNS:
            ws.cell(row, self.columns[role]).protection = Protection(locked=False)

    def validate(self, ws, coordinate, formula, style, *, prompt=""):
        # One rule per sheet, list and prompt, covering all its cells (not one rule per cell).
        # Formulas are stored as in the file format, without "=": a defined name, or "a,b" quoted.
        key = (ws.title, formula, style, prompt)
        rule = self.rules.get(key)
        if rule is None:
            rule = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle=style,
                                  showErrorMessage=True, showInputMessage=bool(prompt))
            rule.errorTitle = "footprint"
            rule.error = label(words("workbook_text", "not_in_list"), self.lang)
            if prompt:
                rule.prompt = prompt[:250]
            ws.add_data_validation(rule)
            self.rules[key] = rule
        rule.add(coordinate)

    def prompt(self, ws, coordinate, text):
        rule = DataValidation(showInputMessage=True, allow_blank=True)
        rule.prompt = text[:250]
        ws.add_data_validation(rule)
        rule.add(coordinate)

    def technologies(self, sheet):
        if sheet in ("product", "cell"):
            return list(TECHNOLOGIES)
        return self.bundle.known_technologies(sheet)

    def default_text(self, sheet, spec):
        if sheet == "product" or spec.kind in ("output", "check", "text"):
            return ""
        if spec.kind == "site":
            return label(words("workbook_text", "required"), self.lang)
        if spec.kind == "choice":
            if sheet == "cell":
                return label(words("workbook_text", "product_technology"), self.lang)
            return label(words("workbook_text", "required"), self.lang) if sheet == "module" else ""
        found = [d for d in self.bundle.processes if d.stage == sheet and d.parameter == spec.key]
        if not found:
            if spec.key == "heat":  # the one optional input without a default: blank means none
                return label(words("workbook_text", "none_zero"), self.lang)
            return label(words("workbook_text", "required"), self.lang)
        return "; ".join(_describe_default(d) for d in found)

    def item_defaults(self, sheet, prefix):
        found = {}
        for default in self.bundle.processes:
            if default.stage == sheet and default.parameter.startswith(prefix):
                key = default.parameter.split(":", 1)[1]
                found.setdefault(key, []).append(_describe_default(default))
        return [(key, "; ".join(texts)) for key, texts in found.items()]


def _describe_default(default):
    """``66.5 kWh/kg [siemens] - Masson G., 2020`` (value, technology, first author, year)."""
    value = default.value
    if value.dimensionless and str(value.units) in ("", "dimensionless") and value.magnitude <= 1:
        amount = f"{value.magnitude * 100:g} %"
    else:
        amount = f"{value.magnitude:g} {value.units:~}".replace(" ** 2", "2").replace(" / ", "/").strip()
    technology = "" if default.technology == "any" else f" [{default.technology}]"
    return f"{amount}{technology} - {short_source(default.source)}, {default.year}"
