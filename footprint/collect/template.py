"""Write the data-collection workbook that manufacturers and their suppliers fill in.

Layout of every data sheet (``Product`` and one per stage)::

    row 1   title
    row 2   how to fill it in
    row 4   column headers (Item, Description, Value, Unit, Period, Site, Source ...)
    row 5+  one row per item; then a Materials and a Direct emissions section

The Example and Default columns are written from the bundled data, never typed: a default
shows its value in a unit people read (``3.484 g/m2``, not ``0.003484 mg/mm2``), with its
first author and the year of the publication; an example of a row with a default is that
default, and a total's example is the default times the example output.

Headers, descriptions, examples and defaults are locked (the sheet is protected without a
password, so that nobody types over them by accident; rows may be inserted); the input
columns are unlocked and carry drop-down lists. A hidden ``Lists`` sheet holds the sites,
materials, gases and source suggestions; a very hidden ``_footprint`` sheet holds the
template version that the import checks.
"""

import datetime as _dt
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from footprint._version import __version__
from footprint.bundle.read import read_bundle
from footprint.bundle.types import cite
from footprint.collect.layout import (
    CHINESE_UNITS,
    COLUMNS,
    DESIGN_ROWS,
    EMISSION_ROWS,
    INPUT_COLUMNS,
    LISTS_SHEET,
    MATERIAL_ROWS,
    META_SHEET,
    QUALITY_KINDS,
    SECTION_TITLES,
    SOURCE_KINDS,
    SOURCE_SUGGESTIONS,
    STAGES,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    USE_ROWS,
    label,
    sheet_title,
    stage_rows,
)
from footprint.energy_yield import DEFAULT_DEGRADATION, DEFAULT_LIFETIME, DEFAULT_PERFORMANCE_RATIO
from footprint.energy_yield import SOURCE as USE_SOURCE
from footprint.errors import InputError, OptionError, OutputExistsError
from footprint.fileio import atomic_path
from footprint.i18n import names, text, words
from footprint.model.chain import SILICON_DENSITY
from footprint.units import Quantity, number_in_unit, unit_text
from footprint.vocab import MOUNTINGS, REFERENCE_UNITS, TECHNOLOGIES

HEADER_ROW = 4
FIRST_ROW = 5
_WIDTHS = {"item": 22, "description": 52, "value": 14, "unit": 12, "period": 12, "site": 12, "source": 28,
           "note": 24, "example": 24, "default": 48, "quality": 16}
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_SECTION_FILL = PatternFill("solid", fgColor="E2EFDA")
_HINT_FONT = Font(italic=True, color="7F7F7F")

#: The Chinese unit of 10 000 pieces, which production reports count wafers in: offered beside
#: pcs. Taken from the units the import reads, so the template offers no unit it cannot read.
_TEN_THOUSAND_PIECES = next(word for word, unit in CHINESE_UNITS.items() if unit == "(10000*piece)")
#: The Chinese word for a piece (a wafer, a cell), which production reports write per-piece figures in.
_PIECE = next(word for word, unit in CHINESE_UNITS.items() if unit == "piece")

#: The example output of each stage, shown in its row and used for the example totals of the
#: other rows (a default per unit times this output).
_OUTPUT_EXAMPLES = {
    "mg_silicon": (Quantity(8_000, "t"), "8 000 t"),
    "polysilicon": (Quantity(9_000, "t"), "9 000 t"),
    "ingot": (Quantity(9_000, "t"), "9 000 t"),
    "wafer": (Quantity(900_000_000, "piece"), f"900 000 000 pcs | 90 000 {_TEN_THOUSAND_PIECES}"),
    "cell": (Quantity(600_000_000, "piece"), "600 000 000 pcs"),
    "module": (Quantity(3_600_000, "piece"), "2 000 MW | 3 600 000 pcs"),
}
#: The unit an example total is shown in, by the row's unit.
_TOTAL_UNITS = {"kWh": "MWh", "MJ": "GJ", "kg": "t"}
#: Units a default may be shown in, in order of preference: the first of the default's dimension
#: that gives a number from 1 to 1000 (3.484 g/m2 rather than 0.003484 mg/mm2).
_READABLE_UNITS = ("kWh/kg", "MJ/kg", "kg/kg", "g/kg", "kWh/m**2", "MJ/m**2", "kg/m**2", "g/m**2", "mg/m**2", "g/W",
                   "mg/W", "kWh/W", "kWh/MW", "kg/piece", "g/piece", "mg/piece", "cm**2", "um")
#: A publication year in a citation: "(2021)", "(2023-07-20)", "T12-33:2026", "issued 2024-11-20".

#: Units offered in the drop-down of each kind of row (any other unit of the right dimension
#: is accepted too). Totals are listed after the per-unit forms.
_UNITS = {
    ("flow", "kg", "kWh"): "kWh/kg,MWh/t,MWh,kWh,GWh",
    ("flow", "piece", "kWh"): f"kWh/piece,kWh/{_PIECE},kWh/m2,MWh,kWh,GWh",
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
    ("quantity", "", "m**2"): "m2,cm2,mm2,mm",
    ("quantity", "", "cm**2"): "cm2,mm2,m2",
    ("quantity", "", "um"): "um,mm",
    ("fraction", "", ""): "%",
    ("count", "", "piece"): "pcs",
    ("quantity", "", "year"): "year",
    ("yield", "", "kWh/kWp"): "kWh/kWp,kWh/kWp/year,h",
    ("degradation", "", ""): "%,%/year",
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
            for paragraph_text in texts:
                cell = ws.cell(row, 1, paragraph_text)
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
            if spec is USE_ROWS[0]:
                row = self.title_row(ws, row + 1, "use")
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
        example = self.example(sheet, spec)
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
        elif spec.kind == "degradation":
            value.number_format = "0.00%"
        elif spec.kind in ("text", "choice", "site", "country", "file"):
            value.number_format = "@"  # typed ids such as "1-2" must not become dates
        prompt = label((spec.en, spec.zh), self.lang) + (f" | e.g. {example}" if example else "")
        if spec.kind in ("site", "country"):
            self.validate(ws, value.coordinate, "list_sites", "warning", prompt=prompt)
        elif spec.kind == "choice":
            choices = self.choices(sheet, spec.key)
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
        if sheet != "product" and spec.kind != "file":
            self.validate(ws, ws.cell(row, self.columns["site"]).coordinate, "list_sites", "warning")
        self.validate(ws, ws.cell(row, self.columns["source"]).coordinate, "list_sources", "information")
        if spec.kind in QUALITY_KINDS and spec.key not in DESIGN_ROWS:
            self.validate(ws, ws.cell(row, self.columns["quality"]).coordinate, self.quality_list(), "warning")

    def title_row(self, ws, row, section):
        """A section's title row; returns the row after it."""
        title = ws.cell(row, self.columns["item"], label(SECTION_TITLES[section], self.lang))
        title.font = Font(bold=True)
        for column in self.columns.values():
            ws.cell(row, column).fill = _SECTION_FILL
        return row + 1

    def section(self, ws, row, sheet, section, list_name, free_rows):
        row = self.title_row(ws, row, section)
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
            self.validate(ws, ws.cell(row, self.columns["quality"]).coordinate, self.quality_list(), "warning")
            row += 1
        return row

    def quality_list(self):
        """The Data quality drop-down: the kinds of source in the template's language(s); five scores may be typed."""
        langs = ("zh", "en") if self.lang == "both" else (self.lang,)
        return '"' + ",".join(kind[lang] for lang in langs for kind in SOURCE_KINDS.values()) + '"'

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

    def choices(self, sheet, key):
        if key == "mounting":
            return list(MOUNTINGS)
        if sheet in ("product", "cell"):
            return list(TECHNOLOGIES)
        return self.bundle.known_technologies(sheet)

    def example(self, sheet, spec):
        """The Example cell: the bundled default where there is one (in step with the Default column), else the row's."""
        if spec.kind == "output":
            return _OUTPUT_EXAMPLES[sheet][1]
        if sheet == "product":
            return spec.example
        technology = _example_technology(sheet)
        if spec.kind == "check":
            return self.check_example(spec.key)
        default = self.bundle.process_default(sheet, technology, spec.key)
        if default is None or spec.kind not in ("flow", "quantity", "fraction"):
            return spec.example
        amount = _readable(default)
        total = self.example_total(sheet, spec, default)
        return f"{amount} | {total}" if total else amount

    def example_total(self, sheet, spec, default):
        """A total over the example output for a flow's default (52.66 kWh/kg x 9 000 t: 470 000 MWh), or ''."""
        if spec.kind != "flow":
            return ""
        output = _OUTPUT_EXAMPLES[sheet][0]
        per_unit = default.value
        if REFERENCE_UNITS[sheet] == "piece":
            # per m2 of wafer, cell or module: times the area of one piece, then the number of pieces
            per_unit = per_unit * self.example_area(sheet) if per_unit.check(f"[{_dimension(spec.unit)}]/[area]") else per_unit
            total = per_unit * float(output.to("piece").magnitude)
        else:
            total = per_unit * output
        if not total.check(f"[{_dimension(spec.unit)}]"):
            return ""  # per W (HJT cells): the example output holds no power
        unit = _TOTAL_UNITS.get(spec.unit, spec.unit)
        return f"{_grouped(_round(float(total.to(unit).magnitude), 2))} {unit}"

    def example_area(self, sheet):
        """The area of one example piece: the module's example area, or the example wafer format's."""
        if sheet == "module":
            return Quantity(float(next(row for row in stage_rows("product") if row.key == "area").example.split()[0]), "m**2")
        return self.bundle.process_default("wafer", _example_technology("wafer"), "wafer_area").value

    def check_example(self, key):
        """The wafer mass and ingot silicon of the example wafer, from the defaults (so they pass the checks)."""
        area = self.bundle.process_default("wafer", _example_technology("wafer"), "wafer_area").value
        thickness = self.bundle.process_default("wafer", "any", "thickness").value
        if key == "wafer_mass":
            return f"{float((area * thickness * SILICON_DENSITY).to('g').magnitude):.4g} g"
        kerf = self.bundle.process_default("wafer", "any", "kerf").value
        rows = {row.key: row for row in stage_rows("wafer")}
        losses = 1.0
        for name in ("ingot_utilisation", "yield"):
            losses *= float(rows[name].example.split()[0]) / 100
        silicon = (area * (thickness + kerf) * SILICON_DENSITY / losses).to("kg")
        return f"{float(silicon.magnitude):.3g} kg/piece"

    def describe_defaults(self, defaults):
        """The Default cell of a row: each default with its technology and citation, one unit per dimension."""
        return "; ".join(_describe_default(default, unit) for default, unit in zip(defaults, _common_units(defaults)))

    def default_text(self, sheet, spec):
        if spec in USE_ROWS:
            return self.use_default(spec)
        if sheet == "product" or spec.kind in ("output", "check", "text"):
            return ""
        if spec.kind == "site":
            return label(words("workbook_text", "required"), self.lang)
        if spec.kind == "file":
            return label(words("workbook_text", "no_instruments"), self.lang)
        if spec.kind == "choice":
            if sheet == "cell":
                return label(words("workbook_text", "product_technology"), self.lang)
            if sheet == "module":
                return label(words("workbook_text", "required"), self.lang)
            return label(words("workbook_text", "any_technology"), self.lang) if sheet in ("ingot", "wafer") else ""
        found = [d for d in self.bundle.processes if d.stage == sheet and d.parameter == spec.key]
        if not found:
            if spec.key == "heat":  # the one optional input without a default: blank means none
                return label(words("workbook_text", "none_zero"), self.lang)
            return label(words("workbook_text", "required"), self.lang)
        return self.describe_defaults(found)

    def use_default(self, spec):
        """The Default cell of a use-phase row: the defaults of footprint.energy_yield, with their source."""
        citation = cite(USE_SOURCE)
        if spec.key == "lifetime":
            return f"{DEFAULT_LIFETIME:g} year - {citation}"
        if spec.key == "degradation":
            return f"{DEFAULT_DEGRADATION * 100:g} %/year - {citation}"
        if spec.key == "performance_ratio":
            ratios = {mounting: f"{ratio * 100:g} %" for mounting, ratio in DEFAULT_PERFORMANCE_RATIO.items()}
            return label(text("workbook_text", "use_performance_ratio", source=citation, **ratios), self.lang)
        if spec.key == "specific_yield":
            sources = sorted({row.source for row in self.bundle.specific_yields.values()})
            return label(text("workbook_text", "use_yield", source="; ".join(cite(s) for s in sources)), self.lang)
        return label(words("workbook_text", "use_optional"), self.lang)

    def item_defaults(self, sheet, prefix):
        found = {}
        for default in self.bundle.processes:
            if default.stage == sheet and default.parameter.startswith(prefix):
                found.setdefault(default.parameter.split(":", 1)[1], []).append(default)
        return [(key, self.describe_defaults(defaults)) for key, defaults in found.items()]


def _describe_default(default, unit=None):
    """``66.5 kWh/kg [siemens] - Masson G., 2021`` (value, technology, first author, publication year)."""
    technology = "" if default.technology == "any" else f" [{default.technology}]"
    return f"{_readable(default, unit)}{technology} - {cite(default.source, data_year=default.year)}"


def _published(default):
    """(number, unit) of a default as written in processes.csv (``("96", "mg/(166 mm)**2")``)."""
    match = re.match(r"\s*([-+0-9.eE]+)\s*(.*)$", default.text)
    return (match.group(1), match.group(2).strip()) if match else ("", "")


def _readable_range(magnitudes, low, high):
    return all(low <= abs(m) < high for m in magnitudes)


def _common_units(defaults):
    """The unit each default of one cell is shown in: one per dimension, so the values compare at a glance.

    None keeps the published unit: when every default of that dimension has the same one,
    without a number in it, and it gives numbers from 0.1 to 100 000. Otherwise the first
    unit of :data:`_READABLE_UNITS` giving all of them numbers from 1 to 1000 (or else from
    0.01 to 100 000); fractions are percentages.
    """
    groups = {}
    for index, default in enumerate(defaults):
        groups.setdefault(str(default.value.dimensionality), []).append(index)
    units = [None] * len(defaults)
    for indices in groups.values():
        group = [defaults[i] for i in indices]
        published = {_published(d)[1] for d in group}
        value = group[0].value
        if value.dimensionless and published <= {"", "%"}:
            continue
        magnitudes = [float(d.value.magnitude) for d in group]
        if len(published) == 1 and not number_in_unit(next(iter(published))) and _readable_range(magnitudes, 0.1, 100_000):
            continue
        candidates = [u for u in _READABLE_UNITS if Quantity(1, u).dimensionality == value.dimensionality]
        chosen = next((candidate for low, high in ((1, 1000), (0.01, 100_000)) for candidate in candidates
                       if _readable_range([float(d.value.to(candidate).magnitude) for d in group], low, high)), None)
        for i in indices:
            units[i] = chosen
    return units


def _readable(default, unit=None):
    """A default's value as people read it (24.28 kWh/kg, 91.74 %, 3.484 g/m2).

    In ``unit`` if given (see :func:`_common_units`), else in its published unit when that
    gives a number from 0.1 to 100 000, else in the first unit of :data:`_READABLE_UNITS`
    that gives a number from 1 to 1000 (3.484 g/m2, not 0.003484 mg/mm2). A published unit
    that holds a number (96 mg/(166 mm)**2) is quoted. At most 4 significant digits, unless
    the published number has 5 or fewer (331.24 cm2).
    """
    number, published = _published(default)
    value = default.value
    if published in ("", "%") and value.dimensionless:
        return f"{_significant(float(value.to('').magnitude) * 100)} %"
    if unit is None and published and not number_in_unit(published) and 0.1 <= abs(float(value.magnitude)) < 100_000:
        shown = number if _digits(number) <= 5 else _significant(float(number))
        return f"{_grouped(float(shown)) if float(shown) >= 10_000 else shown} {unit_text(published)}"
    if unit is None:
        candidates = [u for u in _READABLE_UNITS if Quantity(1, u).dimensionality == value.dimensionality]
        unit = next((candidate for low, high in ((1, 1000), (0.01, 100_000)) for candidate in candidates
                     if low <= abs(float(value.to(candidate).magnitude)) < high), None)
    if unit is None:
        return f"{_significant(float(value.magnitude))} {unit_text(value.units)}"
    quoted = f" (published as {default.text.replace('**', '')})" if number_in_unit(published) else ""
    return f"{_significant(float(value.to(unit).magnitude))} {unit_text(unit)}{quoted}"


def _example_technology(sheet):
    """The technology of a sheet's example (its technology row's example: siemens, m10, perc ...), or ``any``."""
    rows = {row.key: row for row in stage_rows(sheet)}
    if "technology" in rows:
        return rows["technology"].example.split(" | ")[0]
    return "any"


def _dimension(unit):
    return {"kWh": "energy", "MJ": "energy", "kg": "mass"}.get(unit, "")


def _digits(number):
    """Significant digits of a number as written ('24.2775512' has 9)."""
    return len(number.lower().split("e")[0].replace("-", "").replace(".", "").lstrip("0"))


def _significant(value, digits=4):
    """``value`` with ``digits`` significant digits, as plain text (24.28, 0.4325, 70 000)."""
    rounded = float(f"{value:.{digits}g}")
    if abs(rounded) >= 10_000:
        return _grouped(rounded)
    return f"{rounded:.{digits}g}" if abs(rounded) >= 1e-4 else f"{rounded:.{digits}e}"


def _round(value, digits):
    """``value`` rounded to ``digits`` significant digits (598 500 -> 600 000)."""
    return float(f"{value:.{digits}g}")


def _grouped(value):
    """A whole number with its digits grouped by three with spaces (600 000), as the examples write them."""
    return f"{round(value):,}".replace(",", " ")
