"""Import filled data-collection workbooks: check everything, report every problem, never guess.

The import runs in three passes over one or more workbooks (one per supplier, or one for
the whole chain):

1. read: each sheet's rows, by the item in column "Item" (so blank rows, note rows, moved
   rows and merged title cells do not matter), with values read as in
   :mod:`footprint.collect.xlsx`;
2. convert and check each value: dimension (pint), sign, fractions in (0, 1], totals
   divided by the production output of the same period, sites and technologies from the
   lists, required items without a bundled default;
3. the plausibility checks of :mod:`footprint.model.checks`, the same as for a product
   file, each finding placed on the cell that gave its path (:mod:`footprint.collect.checks`):
   cell efficiency, wafer thickness and kerf, and mass balances within their bounds, wafer
   mass against its geometry, silicon input against the model, cell count against module
   power and module area, and values far from the bundled defaults (warnings); then, if
   no error was found, build the product's chain as the model does (its checks are
   covered by the passes above, each with its cell, so that every problem shows at once;
   this is the last guard).

Every problem is collected with its file, sheet, cell, the value seen and what was
expected; if any is an error, :class:`WorkbookError` lists them all and nothing is
imported. Otherwise the product is written as a product YAML text and read back with
:func:`footprint.model.parse_product`, so a workbook and the YAML file it imports to give
the same product.
"""

import dataclasses
import hashlib
import re
from decimal import Decimal
from pathlib import Path

from footprint._version import __version__
from footprint.bundle.quality import scores_of
from footprint.bundle.read import WAFER_FORMATS, read_bundle
from footprint.collect.checks import check_product
from footprint.collect.layout import DESIGN_ROWS, QUALITY_KINDS, SHEET_TITLES, SOURCE_KINDS, USE_ROWS, Problem, WorkbookProduct
from footprint.collect.product_yaml import number_text, yaml_quantity, yaml_text
from footprint.collect.sheets import WorkbookReader, show_value
from footprint.collect.xlsx import BLANK_MARKERS, normalise_text, open_workbook, parse_number, parse_unit
from footprint.errors import InputError, WorkbookError
from footprint.model.chain import build_chain
from footprint.model.spec import FORMAT, geography_id, parse_product
from footprint.units import Quantity, parse_degradation, parse_yield, ureg
from footprint.vocab import MOUNTINGS, OPTIONAL_PARAMETERS, REFERENCE_UNITS, STAGE_PARAMETERS, STAGES, TECHNOLOGIES

#: Technologies (and mountings) written in Chinese or other spellings; ids are read in any case.
TECHNOLOGY_ALIASES = {"改良西门子法": "siemens", "西门子法": "siemens", "流化床法": "fbr", "流化床": "fbr",
                      "颗粒硅": "fbr", "异质结": "hjt", "背接触": "bc", "双玻": "glass-glass", "玻璃-背板": "glass-backsheet",
                      "单玻": "glass-backsheet", "p型": "cz-p", "n型": "cz-n", "屋顶": "rooftop", "roof": "rooftop",
                      "地面": "ground", "ground-mounted": "ground"}
#: A module's dimensions as datasheets write them: "2278×1134 mm", "2278 x 1134 mm", "2278*1134mm",
#: "2278×1134×35 mm" (length, width, then thickness); the unit may be in the Unit column.
_DIMENSIONS = re.compile(r"^(\d+(?:\.\d+)?)\s*[x×X*]\s*(\d+(?:\.\d+)?)(?:\s*[x×X*]\s*(\d+(?:\.\d+)?))?\s*(\D*)$")
_INVALID = object()




def _missing(value):
    return value is None or value is _INVALID


_SHEET_ORDER = {title: rank for rank, sheet in enumerate(("product", *STAGES))
                for title in (*SHEET_TITLES[sheet].values(), f"{SHEET_TITLES[sheet]['en']} {SHEET_TITLES[sheet]['zh']}")}


def _reading_order(problem):
    """Problems in the order a person reads the workbooks: file, sheet, row, column."""
    match = re.match(r"([A-Z]+)(\d+)", problem.cell or "")
    row, column = (int(match.group(2)), (len(match.group(1)), match.group(1))) if match else (0, (0, ""))
    return problem.file, _SHEET_ORDER.get(problem.sheet, len(_SHEET_ORDER)), problem.sheet, row, column


def read_workbooks(paths, *, check_only=False):
    """Read and check workbooks into one product; see :func:`footprint.collect.read_workbook`.

    With ``check_only``, check the sheets the workbooks hold without requiring the whole
    product (a supplier checking its own stage) and return the warnings, or raise
    :class:`WorkbookError`.
    """
    if not paths:
        raise InputError("no workbook given; expected one or more .xlsx files")
    return _Import(read_bundle()).run([str(p) for p in paths], check_only=check_only)


class _Import:
    def __init__(self, bundle):
        self.bundle = bundle
        self.problems = []
        self.reader = WorkbookReader(bundle, self.problems)
        self.entries = self.reader.entries  # stage -> {key or ("material"/"emission", id): Entry}
        self.sheets = self.reader.sheets  # stage -> (file, sheet title)
        self.sources = {}  # product-file path -> description
        self.cells = {}  # product-file path -> (file, sheet, cell)
        self.resolved = {}  # (stage, key) -> Quantity, for the checks of pass 3
        self.module_dimensions = None  # "2278 x 1134 mm" when the area row holds the module's dimensions
        self.sites = {}
        self.technologies = {}
        self.notes = {}  # "product" or "stages.<stage>" -> comment lines: the notes of rows left blank
        self.qualities = {}  # product-file path -> kind of source or {"quality": scores}: the uncertainty: block

    def problem(self, severity, entry, cell, value, message):
        self.problems.append(Problem(severity, entry.file, entry.sheet, cell, value, message, entry.key))

    def error(self, entry, cell, value, message):
        self.problem("error", entry, cell, value, message)

    def warn(self, entry, cell, value, message):
        self.problem("warning", entry, cell, value, message)

    def shown(self, entry):
        """A row's value as typed, for a problem's "got ..."."""
        return _show_quantity(entry)

    # -- pass 1: read (footprint.collect.sheets) ---------------------------------------------
    def run(self, paths, *, check_only=False):
        hashes = []
        for path in paths:
            opened = open_workbook(path, keep=self.reader.wants)
            hashes.append(opened.sha256)
            self.reader.read(opened)
        files = " + ".join(paths)
        missing = [stage for stage in ("product", *STAGES) if stage not in self.sheets]
        if missing and not check_only:
            hint = ("; a workbook of one stage is imported together with those of the other stages "
                    "(footprint import a.xlsx b.xlsx ... -o product.yaml)" if self.sheets else "")
            titles = ", ".join(SHEET_TITLES[stage]["en"] for stage in missing)
            self.problems.append(Problem("error", files, "(workbooks)", "", "", f"no sheet for {', '.join(missing)}; "
                                         f"expected the template's sheets {titles}{hint}"))
        data = self.convert()
        self.check_product()
        product = None
        if not missing and not self.errors():
            # The model's own checks (build_chain), on every value at once. The checks above
            # cover what it checks, each with its cell, so that all problems show together;
            # this is the last guard, and it runs for --check of a whole product too.
            sha = hashes[0] if len(hashes) == 1 else hashlib.sha256("\n".join(hashes).encode()).hexdigest()
            product = self.product(data, files, sha)
        if self.errors():
            raise WorkbookError(files, sorted(self.problems, key=_reading_order))
        if check_only:
            return sorted(self.problems, key=_reading_order)
        return product

    def errors(self):
        return [p for p in self.problems if p.severity == "error"]

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
                data["product"][key] = yaml_quantity(value, entry.unit) if isinstance(value, Quantity) else value
                self.note(f"product.{key}", entry)
        dimensions = entries.get("dimensions")
        typed = self.value(dimensions) if dimensions is not None else None
        if not _missing(typed):
            data["product"]["dimensions"] = typed  # checked against the area when the product is read
            self.note("product.dimensions", dimensions)
        elif self.module_dimensions is not None and "area" in data["product"]:
            data["product"]["dimensions"] = self.module_dimensions
        for key in ("rated_power", "area"):
            if key in product:
                self.resolved[("product", key)] = product[key]
        use = self.use(entries)
        if use:
            data["use"] = use
        self.keep_blank_notes("product", "product", entries.values())
        for stage in STAGES:
            if stage in self.entries:
                data["stages"][stage] = self.stage(stage, self.entries[stage], product)
        if self.qualities:
            data["uncertainty"] = {"figures": dict(self.qualities)}
        return data

    def use(self, entries):
        """The use-phase rows of the Product sheet as the product file's ``use:`` block (empty if all blank)."""
        use = {}
        for row in USE_ROWS:
            entry = entries.get(row.key)
            if entry is None:
                continue  # a version-1 workbook, or a Product sheet without the use-phase rows
            if entry.kind in ("yield", "degradation"):
                value = self.use_quantity(entry)
            else:
                value = self.value(entry)
            if _missing(value):
                continue
            use[row.key] = yaml_quantity(value, entry.unit) if isinstance(value, Quantity) else value
            self.note(f"use.{row.key}", entry)
        return use

    def use_quantity(self, entry):
        """A specific yield (per year) or a yearly degradation, read by the product file's own readers."""
        quantity = self.quantity(entry)
        if _missing(quantity):
            return quantity
        where = f"{entry.sheet}!{entry.value.coordinate}"
        if entry.kind == "degradation" and quantity.dimensionless and not entry.value.percent and not _unit_of(entry) \
                and quantity.magnitude >= 0.05:
            # a bare 0.7 would be 70 % a year: the % was surely forgotten
            self.error(entry, entry.value.coordinate, _show_quantity(entry), "a bare number is a fraction per year; "
                       f"expected a percentage such as {quantity.magnitude:g} % (unit %), or {quantity.magnitude / 100:g}")
            return _INVALID
        try:
            if entry.kind == "yield":
                per_year = parse_yield(quantity, where=where)
                return f"{number_text(per_year.magnitude)} kWh/kWp"
            per_year = parse_degradation(quantity, where=where)
            return f"{number_text(per_year.magnitude * 100)} %"
        except InputError as exc:
            message = str(exc).removeprefix(f"{where}: ")
            self.error(entry, entry.value.coordinate, _show_quantity(entry), message.split("; ", 1)[-1])
            return _INVALID


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
        # a module's glass, backsheet and encapsulant defaults depend on its type: never guessed
        known = self.bundle.known_technologies(stage)
        required = stage == "module" and bool(known)
        if "technology" in entries:
            technology = self.value(entries["technology"], required=required)
            if not _missing(technology):
                result["technology"] = technology
                self.note(f"stages.{stage}.technology", entries["technology"])
        elif required:
            file, title = self.sheets[stage]
            self.problems.append(Problem("error", file, title, "", "", "no row 'technology'; required, expected one "
                                         f"of {', '.join(known)}"))
        technology = result.get("technology") or (product.get("technology") if stage == "cell" else "any")
        self.technologies[stage] = technology or "any"
        output = self.output(stage, entries.get("output"), product)
        given = {}
        for entry in entries.values():
            if entry.key in ("site", "technology", "output"):
                continue
            if entry.site:
                self.row_site(stage, entry)
            if entry.kind == "file":
                path = self.file(entry)
                if not _missing(path):
                    result[entry.key] = path
                    self.note(f"stages.{stage}.{entry.key}", entry)
                continue
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
                continue  # used by the checks of pass 3 only
            if entry.kind in ("material", "emission"):
                group = "materials" if entry.kind == "material" else "emissions"
                result.setdefault(group, {})[entry.key] = yaml_quantity(value, entry.target)
                self.note(f"stages.{stage}.{group}.{entry.key}", entry)
                self.resolved[(stage, f"{entry.kind}:{entry.key}")] = value
            else:
                result[entry.key] = yaml_quantity(value, entry.target or entry.unit) if isinstance(value, Quantity) \
                    else value
                self.note(f"stages.{stage}.{entry.key}", entry)
        for key in ("electricity", *STAGE_PARAMETERS[stage]):
            if key in given and given[key] is not None or key in OPTIONAL_PARAMETERS:
                continue  # a value, an error already reported, or a parameter never required
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
        self.keep_blank_notes(f"stages.{stage}", stage, entries.values())
        return result

    def keep_blank_notes(self, block, sheet, entries):
        """Keep the sheet's note rows, and the period, source and note of rows left blank, as comments."""
        lines = [f"{file_sheet}!{cell}: {text}" for file_sheet, cell, text in self.reader.notes.get(sheet, ())]
        for entry in entries:
            if entry.quality and _is_blank(entry.value.value):
                self.warn(entry, entry.quality_cell, show_value(entry.quality), "a data quality without a value: the "
                          "bundled default is used, with its own pedigree scores; give the value, or clear the cell")
            if not _is_blank(entry.value.value) or not (entry.note or entry.source or entry.period):
                continue
            parts = [f"{entry.key} ({entry.sheet}!{entry.value.coordinate}): blank, the default is used"]
            parts += [f"period {entry.period}"] if entry.period else []
            parts += [f"source: {entry.source}"] if entry.source else []
            parts += [f"note: {entry.note}"] if entry.note else []
            lines.append("; ".join(parts))
        if lines:
            self.notes[block] = lines

    def file(self, entry):
        """A site electricity file named in a row: its absolute path (relative to the workbook), read and checked."""
        from footprint.electricity import read_site_electricity

        cell = entry.value
        if cell.problem:
            self.error(entry, cell.coordinate, "", cell.problem)
            return _INVALID
        text = normalise_text(cell.value)
        if not text or text.casefold() in BLANK_MARKERS:
            return None
        path = Path(text)
        path = (Path(entry.file).resolve().parent / path) if not path.is_absolute() else path
        if not path.is_file():
            self.error(entry, cell.coordinate, show_value(text), f"no such file ({path}); expected a site electricity "
                       "file (YAML), its path relative to this workbook")
            return _INVALID
        try:
            read_site_electricity(path, bundle=self.bundle)
        except InputError as exc:
            self.error(entry, cell.coordinate, show_value(text), f"not a valid site electricity file: {exc}")
            return _INVALID
        return str(path)

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
        if entry.invalid:
            return _INVALID
        if kind in ("text", "choice", "site", "country"):
            cell = entry.value
            if cell.problem:
                self.error(entry, cell.coordinate, "", cell.problem)
                return _INVALID
            text = normalise_text(cell.value)
            if not text or text.casefold() in BLANK_MARKERS:
                if required:
                    expected = f"one of {', '.join(self.choices(entry))}" if kind == "choice" else "a value"
                    self.error(entry, cell.coordinate, show_value(text) if text else "(blank)", f"required; expected {expected}")
                elif text:
                    self.warn(entry, cell.coordinate, show_value(text), "read as blank: the default is used")
                return None
            if kind in ("site", "country", "choice"):
                read = {"site": self.site, "country": self.country, "choice": self.choice}[kind]
                value = read(entry, text, cell.coordinate)
                if not _missing(value) and value != text:
                    entry.derivation = f"typed {show_value(text)}"  # 内蒙古 -> CN-NM: the comment keeps what was typed
                return value
            if entry.key == "id" and not (text.isascii() and all(ch.isalnum() or ch in "-_." for ch in text)):
                self.error(entry, cell.coordinate, show_value(text), "expected letters, digits, '-', '_' or '.' (no spaces)")
                return _INVALID
            return text
        if entry.stage == "product" and entry.key == "area":
            dimensions = self.dimensions(entry)
            if dimensions is not None:
                return dimensions
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
        # the bounds of a cell efficiency are plausibility checks (pass 3), as for a product file
        if magnitude > 1:
            self.error(entry, entry.value.coordinate, shown, "expected a fraction in (0, 1], such as 0.97 or 97 %")
            return _INVALID
        return magnitude

    def quantity(self, entry):
        """The value and unit of a row as a Quantity; None if blank; _INVALID after an error."""
        cell = entry.value
        if entry.invalid:
            return _INVALID
        if cell.problem:
            self.error(entry, cell.coordinate, "", cell.problem)
            return _INVALID
        raw = cell.value
        if raw is None or isinstance(raw, str) and not raw.strip():
            return None
        if isinstance(raw, str) and normalise_text(raw).casefold() in BLANK_MARKERS:
            self.warn(entry, cell.coordinate, show_value(raw), "read as blank: the default is used")
            return None
        try:
            number, unit_in_cell = parse_number(raw, percent=cell.percent)
        except ValueError as exc:
            self.error(entry, cell.coordinate, show_value(raw), str(exc))
            return _INVALID
        if number < 0:
            self.error(entry, cell.coordinate, _show_quantity(entry), "expected a non-negative amount")
            return _INVALID
        unit_column = entry.unit_text
        if cell.percent and unit_column not in ("", "%"):
            self.error(entry, entry.unit_cell, show_value(unit_column), "the value cell is formatted as a percentage; "
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
                self.error(entry, entry.unit_cell, show_value(unit_column), f"the value cell {cell.coordinate} already has the "
                           f"unit {unit_in_cell!r}; expected the unit once")
                return _INVALID
        unit_text = unit_in_cell or unit_column
        if not unit_text:
            return Quantity(number, "")
        try:
            unit = parse_unit(unit_text)
        except ValueError as exc:
            example = entry.unit if entry.kind not in ("flow", "check", "material", "emission") else \
                f"{entry.unit}/{REFERENCE_UNITS[entry.stage]}"
            self.error(entry, entry.unit_cell if not unit_in_cell else cell.coordinate, show_value(unit_text),
                       f"{exc}; expected a unit such as {_example_unit(example) or '%'}")
            return _INVALID
        if unit_text.strip() == "%" and 0 < number <= 1 and entry.kind == "fraction":
            self.warn(entry, cell.coordinate, f"{number:g} %", f"read as {number:g} % = {number / 100:g}; if "
                      f"{number * 100:g} % was meant, write {number * 100:g} with unit %, or {number:g} without a unit")
        return number * unit

    def dimensions(self, entry):
        """A module area given as its dimensions (``2278×1134 mm``), or None when the cell holds no dimensions.

        The product of length and width, computed in decimal so that 2278 mm x 1134 mm is
        2.583252 m2 exactly; a third number is the thickness (the smallest), as datasheets write it.
        """
        cell = entry.value
        if cell.problem or not isinstance(cell.value, str):
            return None
        match = _DIMENSIONS.match(normalise_text(cell.value))
        if match is None:
            return None
        length, width, thickness, unit_in_cell = match.groups()
        unit_text = unit_in_cell.strip() or entry.unit_text
        shown = _show_quantity(entry)
        if thickness is not None and float(thickness) >= min(float(length), float(width)):
            self.error(entry, cell.coordinate, shown, "expected length x width (x thickness, the smallest), such as "
                       "2278×1134 mm or 2278×1134×35 mm")
            return _INVALID
        try:
            unit = parse_unit(unit_text) if unit_text else None
        except ValueError as exc:
            self.error(entry, cell.coordinate, shown, f"{exc}; expected dimensions such as 2278×1134 mm")
            return _INVALID
        if unit is None or not unit.check("[length]"):
            self.error(entry, cell.coordinate, shown, "expected dimensions with a unit of length, such as 2278×1134 mm")
            return _INVALID
        metres = Decimal(repr(float(unit.to("m").magnitude)))
        area = Decimal(length) * metres * Decimal(width) * metres
        if area <= 0:
            self.error(entry, cell.coordinate, shown, "expected an area above zero")
            return _INVALID
        entry.derivation = f"{shown} = {length} {unit_text} x {width} {unit_text}" + (f" (thickness {thickness} {unit_text})"
                                                                                      if thickness else "")
        self.module_dimensions = f"{length} x {width} {unit_text}"  # product.dimensions: the frame by perimeter
        return Quantity(float(area), "m**2")

    def choices(self, entry):
        if entry.key == "mounting":
            return MOUNTINGS
        if entry.stage in ("product", "cell"):
            return TECHNOLOGIES
        return self.bundle.known_technologies(entry.stage)

    def choice(self, entry, text, coordinate):
        value = TECHNOLOGY_ALIASES.get(text, TECHNOLOGY_ALIASES.get(text.casefold(), text.casefold()))
        if entry.stage == "wafer":  # a wafer format by any of its names: M10, 182mm, 210R, 182×210
            value = WAFER_FORMATS.get(value.replace("×", "x").replace(" ", ""), value)
        choices = self.choices(entry)
        if value not in choices:
            self.error(entry, coordinate, show_value(text), f"expected one of {', '.join(choices)}")
            return _INVALID
        return value

    def geography(self, text):
        """The geography a cell names (as a product file's site, or the drop-down's "CN-JS 江苏 Jiangsu"), or None."""
        token = re.split(r"[\s(（|]", text)[0]
        for candidate in (text, token):
            found = geography_id(candidate, self.bundle.geographies)
            if found:
                return found
        return None

    def country(self, entry, text, coordinate):
        """The country (or province) of installation: a geography id of the list."""
        found = self.geography(text)
        if found is None:
            self.error(entry, coordinate, show_value(text), "unknown country; expected a geography of the list, such "
                       "as DE, CN or CN-JS")
            return _INVALID
        return found

    def site(self, entry, text, coordinate):
        found = self.geography(text)
        if found is None:
            self.error(entry, coordinate, show_value(text), "unknown site; expected a geography of the list, such as "
                       "CN-JS (Jiangsu) or CN-XJ (Xinjiang)")
            return _INVALID
        if self.bundle.electricity_for(found) is None:
            self.error(entry, coordinate, show_value(text), f"no bundled grid electricity for {found}; expected a site of "
                       "the drop-down list")
            return _INVALID
        return found

    def row_site(self, stage, entry):
        """The optional Site column of a row must name the stage's site (one grid per stage)."""
        site_entry = dataclasses.replace(entry, kind="site", value=None)
        resolved = self.site(site_entry, entry.site, entry.site_cell)
        stage_site = self.sites.get(stage)
        if not _missing(resolved) and stage_site and resolved != stage_site:
            self.error(entry, entry.site_cell, show_value(entry.site), f"differs from the stage's site {stage_site}; the model "
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
        if entry.kind in ("material", "emission") and quantity.dimensionless and quantity.magnitude == 0:
            # "0" without a unit: none of it (a glass-glass module has no backsheet), as documented
            entry.target = f"{entry.unit}/{reference}"
            return Quantity(0, entry.target)
        denominators = (reference, "m**2", "W") if reference == "piece" else (reference,)
        for denominator in denominators:
            if _same_dimension(quantity, f"{entry.unit}/{denominator}"):
                entry.target = f"{entry.unit}/{denominator}"
                return quantity.to(entry.target)
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
            self.error(entry, entry.period_cell or entry.value.coordinate, show_value(entry.period or "(blank)"),
                       f"a total must cover the output's period {output_entry.period!r} ({output_entry.period_cell})")
            return _INVALID
        entry.target = f"{entry.unit}/{reference}"
        per = (quantity / amount).to(entry.target)
        entry.derivation = (f"{shown} / output {_show_quantity(output_entry)} = {number_text(amount.magnitude)} "
                            f"{reference} ({output_entry.sheet}!{output_entry.value.coordinate}, {output_entry.period})")
        return per

    def note(self, path, entry):
        self.cells[path] = (entry.file, entry.sheet, entry.value.coordinate)
        if entry.quality:
            self.data_quality(path, entry)
        parts = [f"{entry.sheet}!{entry.value.coordinate}"]
        if entry.derivation:
            parts.append(entry.derivation)
        if entry.period:
            parts.append(f"period {entry.period}")
        if entry.site:
            parts.append(f"site {entry.site}")
        if entry.source:
            parts.append(f"source: {entry.source}")
        if entry.note:
            parts.append(f"note: {entry.note}")
        self.sources[path] = "; ".join(parts)

    def data_quality(self, path, entry):
        """A figure's Data quality cell: a kind of source (English or Chinese) or five pedigree scores.

        Kept in the product file's ``uncertainty:`` block; a figure of the product's design or
        a text (a site, a technology) has no uncertainty, and its cell is refused.
        """
        text = normalise_text(entry.quality)
        if entry.kind not in QUALITY_KINDS or entry.key in DESIGN_ROWS:
            self.error(entry, entry.quality_cell, show_value(entry.quality), "this row has no uncertainty (a text, or the "
                       "product's design); expected the Data quality cell of a figure to be blank")
            return
        for kind, words in SOURCE_KINDS.items():
            if text.casefold() in (words["en"].casefold(), words["zh"], kind):
                self.qualities[path] = kind
                return
        scores = re.sub(r"[\s()（）]", "", text).replace("，", ",").replace(";", ",").replace("；", ",")
        try:
            self.qualities[path] = {"quality": ",".join(str(score) for score in scores_of(scores))}
        except ValueError:
            kinds = ", ".join(f"{words['en']} ({words['zh']})" for words in SOURCE_KINDS.values())
            self.error(entry, entry.quality_cell, show_value(entry.quality), f"expected a kind of source: {kinds}, or five "
                       "pedigree scores from 1 to 5 such as 2,1,1,1,1")

    # -- pass 3: the product as a whole ---------------------------------------------------
    def check_product(self):
        check_product(self)

    def product(self, data, files, sha):
        header = f"Imported from {files} by footprint {__version__}"
        text = yaml_text(data, self.sources, header, notes=self.notes)
        product = None
        try:
            spec = parse_product(text, source=files)
            # Copy every field of the spec, whatever fields the product model has.
            fields = {f.name: getattr(spec, f.name) for f in dataclasses.fields(spec) if f.init}
            fields.update(sha256=sha, sources=dict(self.sources), data=data, notes=dict(self.notes),
                          warnings=[p for p in sorted(self.problems, key=_reading_order) if p.severity != "error"])
            product = WorkbookProduct(**fields)
            build_chain(product, self.bundle)
        except InputError as exc:
            message = str(exc).split(": ", 2)
            path = message[1] if len(message) == 3 else ""
            file, sheet, cell = self.cells.get(path, (files, "", ""))
            self.problems.append(Problem("error", file, sheet or "(product)", cell, "", message[-1]))
        return product


def _is_blank(value):
    """A cell read as blank: empty, or one of the marks people type for nothing (-, n/a, 无)."""
    return value is None or isinstance(value, str) and normalise_text(value).casefold() in ("", *BLANK_MARKERS)


def _unit_of(entry):
    """The unit a row's value was given in: in the value cell or in the Unit column ('' if none)."""
    raw = entry.value.value
    in_cell = parse_number(raw)[1] if isinstance(raw, str) else ""
    return in_cell or entry.unit_text


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


def _show_quantity(entry):
    raw = entry.value.value
    number = f"{raw * 100:g} %" if entry.value.percent and isinstance(raw, (int, float)) else normalise_text(raw)
    unit = entry.unit_text if entry.unit_text and not entry.value.percent else ""
    return f"'{number}{' ' + unit if unit else ''}'"


