"""Import filled data-collection workbooks: check everything, report every problem, never guess.

The import runs in three passes over one or more workbooks (one per supplier, or one for
the whole chain):

1. read: each sheet's rows, by the item in column "Item" (so blank rows, note rows, moved
   rows and merged title cells do not matter), with values read as in
   :mod:`footprint.collect_open`;
2. convert and check each value: dimension (pint), sign, fractions in (0, 1], plausible
   efficiency, mass balances, totals divided by the production output of the same period,
   sites and technologies from the lists, required items without a bundled default;
3. check the product as a whole: wafer mass against its geometry, silicon input against
   the model, cell count against module power, and values far from the bundled defaults
   (warnings).

Every problem is collected with its file, sheet, cell, the value seen and what was
expected; if any is an error, :class:`WorkbookError` lists them all and nothing is
imported. Otherwise the product is written as a product YAML text and read back with
:func:`footprint.model.parse_product`, so a workbook and the YAML file it imports to give
the same product.
"""

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass

from footprint import __version__
from footprint.collect import (
    COLUMNS, LISTS_SHEET, META_SHEET, ROWS, SHEET_TITLES, TEMPLATE_FORMAT, TEMPLATE_VERSION, Problem, WorkbookProduct,
)
from footprint.collect_open import BLANK_MARKERS, SheetCells, normalise_text, open_workbook, parse_number, parse_unit
from footprint.errors import InputError
from footprint.inventories import read_bundle
from footprint.model.chain import SILICON_DENSITY, STC_IRRADIANCE, build_chain
from footprint.model.spec import FORMAT, REFERENCE_UNITS, STAGE_PARAMETERS, STAGES, TECHNOLOGIES, parse_product
from footprint.units import Quantity, ureg

#: Highest efficiency a single-junction crystalline silicon cell can reach at STC: 29.43 %
#: (Richter A., Hermle M., Glunz S.W., Reassessment of the limiting efficiency for crystalline
#: silicon solar cells, IEEE J. Photovoltaics 3(4), 1184-1191 (2013)). Above it is an error.
EFFICIENCY_LIMIT = 0.2943
#: Check thresholds chosen for this import (not data from a source): an efficiency below
#: this is flagged as a warning (a percentage written as a fraction, or a typo) ...
EFFICIENCY_LOW = 0.15
#: ... measured and computed quantities that should agree may differ by this fraction ...
CONSISTENCY_TOLERANCE = 0.10
#: ... module power over the power of its cells (cell-to-module ratio) outside these bounds
#: is an error above and a warning below ...
CTM_MAX, CTM_LOW = 1.10, 0.85
#: ... and a value this many times above or below the bundled default is a warning.
OUTLIER_FACTOR = 2.0

#: Technologies written in Chinese or other spellings.
TECHNOLOGY_ALIASES = {"改良西门子法": "siemens", "西门子法": "siemens", "流化床法": "fbr", "流化床": "fbr",
                      "颗粒硅": "fbr", "异质结": "hjt", "背接触": "bc", "topcon": "topcon", "perc": "perc"}
_INVALID = object()


class WorkbookError(InputError):
    """The workbooks hold errors; ``problems`` lists every error and warning found."""

    def __init__(self, files, problems):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        warnings = [p for p in problems if p.severity != "error"]
        lines = [f"{files}: {len(errors)} error{'s' if len(errors) != 1 else ''}; nothing was imported "
                 "(fix them all and run again):"]
        lines += [f"  {p}" for p in errors] + [f"  warning: {p}" for p in warnings]
        super().__init__("\n".join(lines))


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


def _missing(value):
    return value is None or value is _INVALID


def read_workbooks(paths):
    """Read and check workbooks into one product; see :func:`footprint.collect.read_workbook`."""
    if not paths:
        raise InputError("no workbook given; expected one or more .xlsx files")
    return _Import(read_bundle()).run([str(p) for p in paths])


class _Import:
    def __init__(self, bundle):
        self.bundle = bundle
        self.problems = []
        self.entries = {}  # stage -> {key: Entry} ; materials and emissions under ("material", id)
        self.sheets = {}  # stage -> (file, sheet title)
        self.sources = {}  # product-file path -> description
        self.cells = {}  # product-file path -> (file, sheet, cell)
        self.resolved = {}  # (stage, key) -> Quantity, for the checks of pass 3
        self.sites = {}
        self.technologies = {}
        self.checks = {}  # (stage, key) -> Entry of the rows used only for checks
        geographies = bundle.geographies.values()
        self.site_names = {g.name.casefold(): g.id for g in geographies} | {g.name_zh: g.id for g in geographies}

    def problem(self, severity, entry, cell, value, message, *, sheet=None, file=None):
        self.problems.append(Problem(severity, file or entry.file, sheet or entry.sheet, cell, value, message))

    def error(self, entry, cell, value, message):
        self.problem("error", entry, cell, value, message)

    def warn(self, entry, cell, value, message):
        self.problem("warning", entry, cell, value, message)

    # -- pass 1: read --------------------------------------------------------------------
    def run(self, paths):
        hashes = []
        for path in paths:
            opened = open_workbook(path)
            hashes.append(opened.sha256)
            self.read_file(opened)
        files = " + ".join(paths)
        for stage in ("product", *STAGES):
            if stage not in self.sheets:
                titles = " / ".join(sorted(set(SHEET_TITLES[stage].values())))
                self.problems.append(Problem("error", files, titles, "", "", f"no sheet for {stage} in the "
                                             "workbooks; expected the template's sheet (made by `footprint template`)"))
        data = self.convert()
        self.check_product()
        if any(p.severity == "error" for p in self.problems):
            raise WorkbookError(files, self.problems)
        sha = hashes[0] if len(hashes) == 1 else hashlib.sha256("\n".join(hashes).encode()).hexdigest()
        product = self.product(data, files, sha, paths)
        if any(p.severity == "error" for p in self.problems):
            raise WorkbookError(files, self.problems)
        return product

    def read_file(self, opened):
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
                    self.error(where, value.coordinate, _show(value.value), "a value without an item in the Item "
                               "column; expected the item (parameter, material or gas) it belongs to")
                continue
            key, kind, unit = self.identify(text, sheet, fixed)
            if key is None:
                if not blank:
                    self.error(where, item.coordinate, _show(item.value), "unknown item; expected a row of the "
                               "template, a material or a gas of the lists (see the drop-down)")
                continue
            if value.merged and blank is False and _spans_rows(value.merged):
                self.error(where, value.coordinate, _show(value.value), f"the value cell is merged over several rows "
                           f"({value.merged}); expected one value per row")
                continue
            entry = Entry(file, cells.title, sheet, key, kind, unit, item.coordinate, value)
            for role in ("unit", "period", "site", "source"):
                if role in columns:
                    cell = cells.get(number, columns[role])
                    setattr(entry, "unit_text" if role == "unit" else role, normalise_text(cell.value))
                    if role in ("unit", "period", "site"):
                        setattr(entry, f"{role}_cell", cell.coordinate)
            slot = key if kind not in ("material", "emission") else (kind, key)
            if slot in found:
                self.error(entry, item.coordinate, _show(item.value), f"given twice (first in {found[slot].item_cell}); "
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

    # -- pass 2: convert and check values -------------------------------------------------
    def convert(self):
        data = {"format": FORMAT, "product": {}, "stages": {}}
        product = {}
        entries = self.entries.get("product", {})
        for key in ("id", "name", "technology", "rated_power", "area"):
            entry = entries.get(key)
            if entry is None:
                if "product" in self.sheets:
                    file, title = self.sheets["product"]
                    self.problems.append(Problem("error", file, title, "", "", f"no row {key!r}; expected the "
                                                 "template's row (this field is required)"))
                continue
            value = self.value(entry, required=True)
            if not _missing(value):
                product[key] = value
                data["product"][key] = _yaml_quantity(value, entry.unit) if isinstance(value, Quantity) else value
                self.note(f"product.{key}", entry)
        for key in ("rated_power", "area"):
            if key in product:
                self.resolved[("product", key)] = product[key]
        for stage in STAGES:
            if stage in self.entries:
                data["stages"][stage] = self.stage(stage, self.entries[stage], product)
        return data

    def stage(self, stage, entries, product):
        result = {}
        site_entry = entries.get("site")
        if site_entry is None:
            file, title = self.sheets[stage]
            self.problems.append(Problem("error", file, title, "", "", "no row 'site'; expected the site of the stage"))
        else:
            site = self.value(site_entry, required=True)
            if not _missing(site):
                result["site"] = self.sites[stage] = site
                self.note(f"stages.{stage}.site", site_entry)
        if "technology" in entries:
            technology = self.value(entries["technology"])
            if not _missing(technology):
                result["technology"] = technology
                self.note(f"stages.{stage}.technology", entries["technology"])
        technology = result.get("technology") or (product.get("technology") if stage in ("cell", "module") else "any")
        self.technologies[stage] = technology or "any"
        output = self.output(stage, entries.get("output"), product)
        given = {}
        for entry in entries.values():
            if entry.key in ("site", "technology", "output"):
                continue
            if entry.site:
                self.row_site(stage, entry)
            if entry.key == "wafer_mass":
                value = self.wafer_mass(entry)
            elif entry.kind in ("flow", "check", "material", "emission"):
                value = self.flow(stage, entry, output)
            else:
                value = self.value(entry)
            if entry.kind not in ("material", "emission"):
                given[entry.key] = value
            if _missing(value):
                continue
            self.resolved[(stage, entry.key)] = value if isinstance(value, Quantity) else Quantity(value, "")
            if entry.kind == "check":
                self.checks[(stage, entry.key)] = entry
                continue
            if entry.kind in ("material", "emission"):
                group = "materials" if entry.kind == "material" else "emissions"
                result.setdefault(group, {})[entry.key] = _yaml_quantity(value, entry.target)
                self.note(f"stages.{stage}.{group}.{entry.key}", entry)
                self.resolved[(stage, f"{entry.kind}:{entry.key}")] = value
            else:
                result[entry.key] = _yaml_quantity(value, entry.target or entry.unit) if isinstance(value, Quantity) \
                    else value
                self.note(f"stages.{stage}.{entry.key}", entry)
        for key in ("electricity", *STAGE_PARAMETERS[stage]):
            if key in given and given[key] is not None:
                continue  # a value, or an error already reported
            default = self.bundle.process_default(stage, technology or "any", key)
            if default is not None:
                continue
            entry = entries.get(key)
            if entry is not None:
                self.error(entry, entry.value.coordinate, "(blank)", f"required: no bundled default exists for {stage} "
                           f"(technology {technology or 'any'}); expected a value")
            else:
                file, title = self.sheets[stage]
                self.problems.append(Problem("error", file, title, "", "", f"no row {key!r}; required, as no bundled "
                                             f"default exists for {stage} (technology {technology or 'any'})"))
        return result

    def wafer_mass(self, entry):
        """The mass of one wafer: '11.5 g' and '11.5 g/piece' mean the same."""
        quantity = self.quantity(entry)
        if _missing(quantity):
            return quantity
        for unit in ("g", "g/piece"):
            if _same_dimension(quantity, unit) and quantity.magnitude > 0:
                return Quantity(float(quantity.to(unit).magnitude), "g")
        self.error(entry, entry.value.coordinate, _show_quantity(entry), "expected the mass of one wafer above zero, "
                   "such as 11.5 g")
        return _INVALID

    def value(self, entry, *, required=False):
        """A product or stage value (not a flow): text, choice, site, quantity, fraction or count."""
        kind = entry.kind
        if kind in ("text", "choice", "site"):
            cell = entry.value
            if cell.problem:
                self.error(entry, cell.coordinate, "", cell.problem)
                return _INVALID
            text = normalise_text(cell.value)
            if not text or text.casefold() in BLANK_MARKERS:
                if required:
                    self.error(entry, cell.coordinate, "(blank)", "required; expected a value")
                return None
            if kind == "site":
                return self.site(entry, text, cell.coordinate)
            if kind == "choice":
                return self.choice(entry, text, cell.coordinate)
            if entry.key == "id" and not (text.isascii() and all(ch.isalnum() or ch in "-_." for ch in text)):
                self.error(entry, cell.coordinate, _show(text), "expected letters, digits, '-', '_' or '.' (no spaces)")
                return _INVALID
            return text
        quantity = self.quantity(entry)
        if quantity is None and required:
            self.error(entry, entry.value.coordinate, "(blank)", "required; expected a value")
        if _missing(quantity):
            return quantity
        shown = _show_quantity(entry)
        if kind == "count":
            if not (quantity.dimensionless or quantity.check("[count]")):
                self.error(entry, entry.value.coordinate, shown, "expected a whole number such as 144")
                return _INVALID
            magnitude = float(quantity.to("piece" if quantity.check("[count]") else "").magnitude)
            if magnitude <= 0 or not magnitude.is_integer():
                self.error(entry, entry.value.coordinate, shown, "expected a whole number above zero")
                return _INVALID
            return int(magnitude)
        target = "" if kind == "fraction" else entry.unit
        if not _same_dimension(quantity, target):
            expected = "a fraction such as 0.97 or 97 %" if kind == "fraction" else f"a quantity such as {_example_unit(target)}"
            self.error(entry, entry.value.coordinate, shown, f"wrong kind of quantity; expected {expected}")
            return _INVALID
        magnitude = float(quantity.to(target).magnitude)
        if magnitude <= 0:
            self.error(entry, entry.value.coordinate, shown, "expected an amount above zero")
            return _INVALID
        if kind == "fraction":
            return self.fraction(entry, magnitude, shown)
        return quantity.to(target)

    def fraction(self, entry, magnitude, shown):
        coordinate = entry.value.coordinate
        if magnitude > 1:
            self.error(entry, coordinate, shown, "expected a fraction in (0, 1], such as 0.97 or 97 %")
            return _INVALID
        if entry.key == "efficiency":
            if magnitude > EFFICIENCY_LIMIT:
                self.error(entry, coordinate, shown, f"above the {EFFICIENCY_LIMIT:.2%} limiting efficiency of a crystalline "
                           "silicon cell (Richter et al. 2013); expected the cell efficiency at STC")
                return _INVALID
            if magnitude < EFFICIENCY_LOW:
                self.warn(entry, coordinate, shown, f"a cell efficiency below {EFFICIENCY_LOW:.0%} is unusual; check the "
                          "value (23 % is written 23 % or 0.23)")
        return magnitude

    def quantity(self, entry):
        """The value and unit of a row as a Quantity; None if blank; _INVALID after an error."""
        cell = entry.value
        if cell.problem:
            self.error(entry, cell.coordinate, "", cell.problem)
            return _INVALID
        raw = cell.value
        if raw is None or isinstance(raw, str) and not raw.strip():
            return None
        if isinstance(raw, str) and normalise_text(raw).casefold() in BLANK_MARKERS:
            self.warn(entry, cell.coordinate, _show(raw), "read as blank: the default is used")
            return None
        try:
            number, unit_in_cell = parse_number(raw, percent=cell.percent)
        except ValueError as exc:
            self.error(entry, cell.coordinate, _show(raw), str(exc))
            return _INVALID
        unit_column = entry.unit_text
        if cell.percent and unit_column not in ("", "%"):
            self.error(entry, entry.unit_cell, _show(unit_column), "the value cell is formatted as a percentage; "
                       "expected no unit or %")
            return _INVALID
        if cell.percent:
            return Quantity(number, "")
        if unit_in_cell and unit_column:
            try:
                same = parse_unit(unit_in_cell) == parse_unit(unit_column)
            except ValueError:
                same = False
            if not same:
                self.error(entry, entry.unit_cell, _show(unit_column), f"the value cell {cell.coordinate} already has the "
                           f"unit {unit_in_cell!r}; expected the unit once")
                return _INVALID
        unit_text = unit_in_cell or unit_column
        if not unit_text:
            return Quantity(number, "")
        try:
            unit = parse_unit(unit_text)
        except ValueError as exc:
            self.error(entry, entry.unit_cell if not unit_in_cell else cell.coordinate, _show(unit_text),
                       f"{exc}; expected a unit such as {_example_unit(entry.unit) or '%'}")
            return _INVALID
        if unit_text.strip() == "%" and 0 < number <= 1 and entry.kind == "fraction":
            self.warn(entry, cell.coordinate, f"{number:g} %", f"read as {number:g} % = {number / 100:g}; if "
                      f"{number * 100:g} % was meant, write {number * 100:g} with unit %, or {number:g} without a unit")
        if number < 0:
            self.error(entry, cell.coordinate, _show_quantity(entry), "expected a non-negative amount")
            return _INVALID
        return number * unit

    def choice(self, entry, text, coordinate):
        value = TECHNOLOGY_ALIASES.get(text, TECHNOLOGY_ALIASES.get(text.casefold(), text.casefold()))
        if entry.stage in ("product", "cell", "module"):
            choices = TECHNOLOGIES
        else:
            choices = sorted({d.technology for d in self.bundle.processes if d.stage == entry.stage} - {"any"})
        if value not in choices:
            self.error(entry, coordinate, _show(text), f"expected one of {', '.join(choices)}")
            return _INVALID
        return value

    def site(self, entry, text, coordinate):
        token = re.split(r"[\s(（|]", text)[0]
        found = None
        for candidate in (text, token):
            if candidate.upper() in self.bundle.geographies:
                found = candidate.upper()
                break
            found = self.site_names.get(candidate) or self.site_names.get(candidate.casefold())
            if found:
                break
        if found is None:
            self.error(entry, coordinate, _show(text), "unknown site; expected a geography of the list, such as "
                       "CN-JS (Jiangsu) or CN-XJ (Xinjiang)")
            return _INVALID
        if self.bundle.electricity_for(found) is None:
            self.error(entry, coordinate, _show(text), f"no bundled grid electricity for {found}; expected a site of "
                       "the drop-down list")
            return _INVALID
        return found

    def row_site(self, stage, entry):
        """The optional Site column of a row must name the stage's site (one grid per stage)."""
        site_entry = dataclasses.replace(entry, kind="site", value=None)
        resolved = self.site(site_entry, entry.site, entry.site_cell)
        stage_site = self.sites.get(stage)
        if not _missing(resolved) and stage_site and resolved != stage_site:
            self.error(entry, entry.site_cell, _show(entry.site), f"differs from the stage's site {stage_site}; the model "
                       "has one site, hence one electricity grid, per stage: expected blank or the stage's site")

    def output(self, stage, entry, product):
        """The production output of the stage in its reference unit (kg or pieces), with its period."""
        if entry is None:
            return None
        quantity = self.quantity(entry)
        if _missing(quantity):
            return quantity
        reference = REFERENCE_UNITS[stage]
        shown = _show_quantity(entry)
        if stage == "module" and quantity.check("[power]"):
            power = product.get("rated_power")
            if not isinstance(power, Quantity):
                self.error(entry, entry.value.coordinate, shown, "an output in MW needs the module's rated power "
                           "(Product sheet); expected it, or the output in pieces")
                return _INVALID
            quantity = (quantity / power.to("W")).to("") * Quantity(1, "piece")
        if not _same_dimension(quantity, reference):
            self.error(entry, entry.value.coordinate, shown, f"expected the output as {'a mass such as 9 000 t' if reference == 'kg' else 'a number of pieces such as 900 000 000 pcs'}"
                       + (" or a power such as 2 000 MW" if stage == "module" else ""))
            return _INVALID
        if quantity.magnitude <= 0:
            self.error(entry, entry.value.coordinate, shown, "expected an output above zero")
            return _INVALID
        return entry, quantity.to(reference)

    def flow(self, stage, entry, output):
        """A flow per reference unit: as given, or a total divided by the output of the same period."""
        quantity = self.quantity(entry)
        if _missing(quantity):
            return quantity
        reference = REFERENCE_UNITS[stage]
        shown = _show_quantity(entry)
        denominators = (reference, "m**2", "W") if reference == "piece" else (reference,)
        for denominator in denominators:
            if _same_dimension(quantity, f"{entry.unit}/{denominator}"):
                entry.target = f"{entry.unit}/{denominator}"
                return self.balance(stage, entry, quantity.to(entry.target), shown)
        if not _same_dimension(quantity, entry.unit):
            per_what = f"per {reference}" + (", per m2" if reference == "piece" else "")
            self.error(entry, entry.value.coordinate, shown, f"wrong kind of quantity; expected {entry.unit} {per_what} "
                       f"such as {_example_unit(entry.unit + '/' + reference)}, or a total such as {_example_unit(entry.unit, total=True)}")
            return _INVALID
        if output is None:
            self.error(entry, entry.value.coordinate, shown, "a total needs the production output of the same period "
                       "(row 'output'); expected the output, or the value per unit")
            return _INVALID
        if output is _INVALID:
            return _INVALID  # already reported at the output row
        output_entry, amount = output
        period, output_period = _period(entry.period), _period(output_entry.period)
        if not output_period:
            self.error(output_entry, output_entry.period_cell or output_entry.value.coordinate, "(blank)", "the output "
                       "divides totals, so it needs its period; expected a period such as 2024")
            return _INVALID
        if period != output_period:
            self.error(entry, entry.period_cell or entry.value.coordinate, _show(entry.period or "(blank)"),
                       f"a total must cover the output's period {output_entry.period!r} ({output_entry.period_cell})")
            return _INVALID
        entry.target = f"{entry.unit}/{reference}"
        per = (quantity / amount).to(entry.target)
        entry.derivation = (f"{shown} / output {amount.magnitude:g} {reference} ({output_entry.sheet}!"
                            f"{output_entry.value.coordinate}, {output_entry.period})")
        return self.balance(stage, entry, per, shown)

    def balance(self, stage, entry, per, shown):
        """Mass balances: a stage cannot make 1 kg of silicon from less than 1 kg."""
        if entry.key in ("mg_silicon", "polysilicon") and entry.kind == "flow" and per.to("").magnitude < 1:
            self.error(entry, entry.value.coordinate, shown, f"{per.to('').magnitude:g} kg of {entry.key} per kg of "
                       f"{stage} breaks the mass balance; expected 1 kg/kg or more")
            return _INVALID
        return per

    def note(self, path, entry):
        self.cells[path] = (entry.file, entry.sheet, entry.value.coordinate)
        parts = [f"{entry.sheet}!{entry.value.coordinate}"]
        if entry.derivation:
            parts.append(entry.derivation)
        if entry.period:
            parts.append(f"period {entry.period}")
        if entry.source:
            parts.append(f"source: {entry.source}")
        self.sources[path] = "; ".join(parts)

    # -- pass 3: the product as a whole ---------------------------------------------------
    def check_product(self):
        from footprint.collect_checks import check_product

        check_product(self)

    def product(self, data, files, sha, paths):
        header = f"Imported from {files} by footprint {__version__}"
        text = _yaml_text(data, self.sources, header)
        spec = parse_product(text, source=files)
        fields = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec)}
        fields["sha256"] = sha
        product = WorkbookProduct(**fields, sources=dict(self.sources),
                                  warnings=[p for p in self.problems if p.severity != "error"], data=data)
        try:
            build_chain(product, self.bundle)
        except InputError as exc:
            message = str(exc).split(": ", 2)
            path = message[1] if len(message) == 3 else ""
            file, sheet, cell = self.cells.get(path, (files, "", ""))
            self.problems.append(Problem("error", file, sheet or "(product)", cell, "", message[-1]))
        return product


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


def _same_dimension(quantity, unit):
    return quantity.dimensionality == ureg.Unit(unit or "").dimensionality


def _example_unit(unit, *, total=False):
    if total:
        return {"kWh": "12 000 MWh", "MJ": "600 000 GJ", "kg": "120 t"}.get(unit, unit)
    return {"kWh/kg": "66.5 kWh/kg", "kWh/piece": "0.033 kWh/piece", "MJ/kg": "70 MJ/kg", "MJ/piece": "1.5 MJ/piece",
            "kg/kg": "1.1 kg/kg", "kg/piece": "0.0165 kg/piece", "g": "11.5 g", "W": "550 W", "m**2": "2.58 m2",
            "cm**2": "330 cm2", "um": "150 um", "piece": "144"}.get(unit, unit)


def _period(text):
    return re.sub(r"\s", "", normalise_text(text).casefold())


def _show(value):
    text = f"{value:g}" if isinstance(value, float) else str(value)
    text = f"'{text}'" if isinstance(value, str) else text
    return text if len(text) <= 60 else text[:57] + "...'"


def _show_quantity(entry):
    raw = entry.value.value
    number = f"{raw * 100:g} %" if entry.value.percent and isinstance(raw, (int, float)) else normalise_text(raw)
    unit = entry.unit_text if entry.unit_text and not entry.value.percent else ""
    return f"'{number}{' ' + unit if unit else ''}'"


#: How each unit is written in the product YAML (pint parses each back to the same unit).
_UNIT_TEXT = {"m**2": "m2", "cm**2": "cm2", "W": "W", "um": "um", "kg": "kg", "piece": "piece", "g": "g"}


def _unit_text(unit):
    """``kWh/m**2`` -> ``kWh/m2``: a unit expression as written in the YAML file."""
    return "/".join(_UNIT_TEXT.get(part, part) for part in unit.split("/"))


def _yaml_quantity(quantity, unit=None):
    """A quantity as the YAML file's "number unit" text, in ``unit`` (default: its own)."""
    if unit is None:
        return f"{float(quantity.magnitude)!r} {quantity.units:~C}".replace("**", "").strip()
    magnitude = float(quantity.to(unit).magnitude)
    number = str(int(magnitude)) if magnitude.is_integer() and abs(magnitude) < 1e15 else repr(magnitude)
    return f"{number} {_unit_text(unit)}".strip()


def _yaml_scalar(value):
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _yaml_text(data, sources, header):
    """The product as YAML, each value followed by a comment naming its cell and source."""

    def comment(path):
        text = sources.get(path, "")
        return f"  # {' '.join(text.split())}" if text else ""

    lines = [f"# {' '.join(header.split())}", f"format: {data['format']}", "product:"]
    for key, value in data["product"].items():
        value = _yaml_quantity(value) if isinstance(value, Quantity) else value
        lines.append(f"  {key}: {_yaml_scalar(value)}{comment(f'product.{key}')}")
    lines.append("stages:")
    for stage, fields in data["stages"].items():
        lines.append(f"  {stage}:")
        for key, value in fields.items():
            if isinstance(value, dict):
                lines.append(f"    {key}:")
                for item, amount in value.items():
                    lines.append(f"      {item}: {_yaml_scalar(amount)}{comment(f'stages.{stage}.{key}.{item}')}")
            else:
                value = _yaml_quantity(value) if isinstance(value, Quantity) else value
                lines.append(f"    {key}: {_yaml_scalar(value)}{comment(f'stages.{stage}.{key}')}")
    return "\n".join(lines) + "\n"


def product_yaml(product):
    """The YAML text of an imported product (see :func:`footprint.collect.write_product_yaml`)."""
    return _yaml_text(product.data, product.sources, f"Imported from {product.source} by footprint {__version__}")
