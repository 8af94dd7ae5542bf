"""Batch: thousands of variants of one product, the background solved once.

A variants file is CSV. Each column but the optional first ``variant`` (or ``id``) names a
field of the base product file by its YAML path; each row overrides those fields; an empty
cell keeps the base value::

    variant,stages.cell.site,stages.polysilicon.electricity,stages.wafer.thickness [um],stages.cell.efficiency
    base-js,,,,
    yunnan-poly,CN-JS,45 kWh/kg,150,23.5 %

A unit in brackets in the header lets cells hold bare numbers; otherwise each cell is
"number unit" as in the product file. Any field may vary: sites (and so grids),
technologies, electricity, heat, materials and emissions amounts, wafer geometry,
efficiency, yields, rated power, area, use-phase parameters...

How it is fast: the background is solved once (:mod:`footprint.engine`); the variants are
grouped by their non-numeric values (sites, technologies, units written); each group's
numbers become arrays, and the product system of the whole group is built and evaluated in
one pass, with the same code as a single calculation. A group whose values fail a check is
re-read row by row to name the failing row.

:func:`verify` recomputes sampled variants with a full bw2calc LCA of their foreground,
written into a temporary Brightway database.
"""

import contextlib
import copy
import csv
import random
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from footprint.engine import evaluate, load_background
from footprint.errors import InputError
from footprint.inventories import read_bundle
from footprint.model.spec import FRACTIONS, STAGE_PARAMETERS, STAGES, WHOLE_NUMBERS, product_from_data, read_product
from footprint.model.system import build_system
from footprint.project import METHODS, require_setup
from footprint.units import Quantity, ureg

ID_COLUMNS = ("variant", "id")
#: Rows evaluated in one pass (bounds memory; the progress bar moves per chunk).
CHUNK = 2000
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")
_HEADER_UNIT = re.compile(r"^(.*?)\s*\[(.*)\]\s*$")
USE_FIELDS = {"specific_yield": "positive", "performance_ratio": "fraction", "lifetime": "positive", "degradation": "degradation"}


@dataclass
class Column:
    header: str
    path: tuple  # YAML path
    unit: str  # unit from the header, or ""
    numeric: bool  # can be evaluated as an array
    rule: str  # "non-negative", "positive", "whole", "fraction", "degradation"


@dataclass
class Variants:
    """A read variants file."""

    source: str
    columns: list
    ids: list
    cells: list  # rows of cell strings ("" = keep the base value)


@dataclass
class BatchResult:
    """Results per variant, in the order of the variants file."""

    variants: Variants
    per: str
    unit: str
    gwp: str  # ar6 | ar5
    boundary: str
    as_of: str
    location_based: np.ndarray  # [kg CO2-eq per declared unit]
    market_based: np.ndarray
    by_stage: dict  # stage -> array (location-based)
    seconds: float
    groups: int
    data_version: str
    base_sha256: str
    notes: list = field(default_factory=list)


def read_variants(path):
    """Read a variants CSV file.

    Raises
    ------
    InputError
        Missing file, no columns, an unknown path shape, a row of the wrong length.
    """
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError:
        raise InputError(f"{path}: cannot read the variants file") from None
    with handle:
        rows = list(csv.reader(handle))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise InputError(f"{path}: empty; expected a header row of product-file paths, then one row per variant")
    header = [cell.strip() for cell in rows[0]]
    has_id = header[0].lower() in ID_COLUMNS
    columns = [_column(text, path, index) for index, text in enumerate(header) if not (has_id and index == 0)]
    if not columns:
        raise InputError(f"{path}: header: no parameter columns; expected paths such as stages.cell.efficiency")
    ids, cells = [], []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InputError(f"{path}: row {number}: {len(row)} cells; expected {len(header)} as in the header")
        row = [cell.strip() for cell in row]
        ids.append(row[0] if has_id and row[0] else f"row {number}")
        cells.append(row[1:] if has_id else row)
    return Variants(str(path), columns, ids, cells)


def _column(text, path, index):
    match = _HEADER_UNIT.match(text)
    name, unit = (match.group(1), match.group(2).strip()) if match else (text, "")
    parts = tuple(name.split("."))
    if not name or any(not part for part in parts) or parts[0] not in ("product", "stages", "use", "downstream"):
        raise InputError(f"{path}: header, column {index + 1}: got {text!r}; expected a product-file path such as "
                         "stages.wafer.thickness or product.rated_power")
    if unit:
        try:
            ureg.Unit(unit)
        except Exception:
            raise InputError(f"{path}: header, column {index + 1}: unknown unit {unit!r} in {text!r}") from None
    numeric, rule = _rule(parts)
    return Column(text, parts, unit, numeric, rule)


def _rule(parts):
    """Whether a path holds a number the batch can vectorise, and the reader's range rule."""
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
    return False, ""


def run_batch(base, variants, *, per="module", gwp="ar6", boundary="cradle-to-gate", as_of=None, progress=None):
    """Compute every variant of a base product.

    Parameters
    ----------
    base : str or Path
        The base product file (YAML).
    variants : str or Path or Variants
        The variants CSV file.
    per, gwp, boundary, as_of
        As for :func:`footprint.calc.compute`.
    progress : callable, optional
        Called with the number of variants done so far.

    Returns
    -------
    BatchResult

    Raises
    ------
    footprint.errors.FootprintError
        A bad base file, variants file or value, naming the row and column.
    """
    from footprint.calc import check_options

    as_of = check_options(per=per, gwp=gwp, boundary=boundary, as_of=as_of)
    started = time.perf_counter()
    base_spec = read_product(base)
    variants = variants if isinstance(variants, Variants) else read_variants(variants)
    bundle = read_bundle()
    bd = require_setup()
    background = load_background(bd, bundle, gwp)
    context = _Context(base_spec, variants, bundle, background, per, gwp, boundary, as_of)
    count = len(variants.cells)
    location = np.full(count, np.nan)
    market = np.full(count, np.nan)
    by_stage = {}
    groups = _groups(variants, context)
    done = 0
    for rows in groups.values():
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            loc, mkt, stages = context.evaluate_rows(chunk)
            location[chunk] = loc
            market[chunk] = mkt
            for stage, values in stages.items():
                by_stage.setdefault(stage, np.zeros(count))[chunk] = values
            done += len(chunk)
            if progress:
                progress(done)
    return BatchResult(variants, per, f"kg CO2-eq/{per}", gwp, boundary, as_of.isoformat(), location, market, by_stage,
                       time.perf_counter() - started, len(groups), bundle.data_version, base_spec.sha256)


def _groups(variants, context):
    """Row indices grouped by everything that cannot be an array (sites, units written...)."""
    groups = {}
    for index, row in enumerate(variants.cells):
        key = []
        for column, cell in zip(variants.columns, row):
            if not cell:
                key.append(None)
            elif column.numeric:
                key.append(("unit", context.number(cell, column, index)[1]))
            else:
                key.append(("value", cell))
        groups.setdefault(tuple(key), []).append(index)
    return groups


class _Context:
    """Reads rows into product specs and evaluates them; one per batch run."""

    def __init__(self, base_spec, variants, bundle, background, per, gwp, boundary, as_of):
        self.base_spec = base_spec
        self.variants = variants
        self.bundle = bundle
        self.background = background
        self.per = per
        self.gwp = gwp
        self.boundary = boundary
        self.as_of = as_of
        self._numbers = {}

    def where(self, index, column=None):
        place = f"{self.variants.source}: row {index + 2} ({self.variants.ids[index]})"
        return f"{place}, column {column.header}" if column else place

    def number(self, cell, column, index):
        """A numeric cell as (magnitude, unit text); cached per distinct unit."""
        if column.unit:
            try:
                return float(cell.replace(",", "")), column.unit
            except ValueError:
                raise InputError(f"{self.where(index, column)}: got {cell!r}; expected a number in {column.unit}") from None
        match = _NUMBER.match(cell)
        if match is None:
            raise InputError(f"{self.where(index, column)}: cannot read {cell!r} as 'number unit'")
        unit = match.group(2)
        if unit not in self._numbers:
            try:
                ureg.Unit(unit)
                self._numbers[unit] = True
            except Exception:
                self._numbers[unit] = False
        if not self._numbers[unit]:
            raise InputError(f"{self.where(index, column)}: unknown unit {unit!r} in {cell!r}")
        return float(match.group(1)), unit

    def row_data(self, index):
        """The base product's YAML data with one row's overrides, as the product file would say it."""
        data = copy.deepcopy(self.base_spec.data)
        for column, cell in zip(self.variants.columns, self.variants.cells[index]):
            if cell:
                _set(data, column.path, f"{cell} {column.unit}" if column.unit else _plain(cell))
        return data

    def spec_of(self, index):
        try:
            return product_from_data(self.row_data(index), source=self.base_spec.source, sha256=self.base_spec.sha256)
        except InputError as exc:
            raise InputError(f"{self.where(index)}: {exc}") from None

    def evaluate_rows(self, rows):
        """Evaluate rows of one group: as arrays, else (a value fails a check) row by row."""
        try:
            spec = self.group_spec(rows)
            system = build_system(spec, self.bundle, per=self.per, boundary=self.boundary, gwp=self.gwp, as_of=self.as_of)
            return self.evaluate_system(system, len(rows))
        except (InputError, _Invalid):
            # name the first failing row with the product reader's own message ...
            results = [self.evaluate_one(index) for index in rows]
            # ... or, if each row passes alone, keep the row-by-row results
            stages = {stage for _, _, by_stage in results for stage in by_stage}
            return (np.array([r[0] for r in results]), np.array([r[1] for r in results]),
                    {stage: np.array([r[2].get(stage, 0.0) for r in results]) for stage in stages})

    def evaluate_one(self, index):
        spec = self.spec_of(index)
        try:
            system = build_system(spec, self.bundle, per=self.per, boundary=self.boundary, gwp=self.gwp, as_of=self.as_of)
        except InputError as exc:
            raise InputError(f"{self.where(index)}: {exc}") from None
        location, market, stages = self.evaluate_system(system, 1)
        return float(location[0]), float(market[0]), {stage: float(values[0]) for stage, values in stages.items()}

    def evaluate_system(self, system, size):
        location = evaluate(system.location, self.background, demand=system.demand)
        market = evaluate(system.market, self.background, demand=system.demand)
        divisor = system.divisor
        by_stage = {stage: np.broadcast_to(value / divisor, (size,)) for stage, value in location.by_stage().items()}
        return (np.broadcast_to(location.score() / divisor, (size,)), np.broadcast_to(market.score() / divisor, (size,)), by_stage)

    def group_spec(self, rows):
        """One product spec for a group, its numeric overrides as arrays (one value per row)."""
        first = rows[0]
        spec = self.spec_of(first)  # checks the structure, sites, units with the first row's values
        for position, column in enumerate(self.variants.columns):
            if not column.numeric or not self.variants.cells[first][position]:
                continue
            magnitudes = np.empty(len(rows))
            unit = ""
            for i, index in enumerate(rows):
                magnitudes[i], unit = self.number(self.variants.cells[index][position], column, index)
            _check(magnitudes, column.rule)
            _inject(spec, column.path, magnitudes, unit)
        return spec


class _Invalid(Exception):
    """A value out of range somewhere in a group: re-read the group row by row."""


def _check(values, rule):
    """The product reader's range rules, on a whole column (fractions are checked in their unit later)."""
    bad = ~np.isfinite(values) | (values < 0)
    if rule in ("positive", "whole"):
        bad |= values <= 0
    if rule == "whole":
        bad |= values != np.round(values)
    if np.any(bad):
        raise _Invalid()


def _inject(spec, path, magnitudes, unit):
    """Put an array of values at a product-file path of a spec, in the unit the reader used."""
    from footprint.energy_yield import parse_use

    quantity = Quantity(magnitudes, unit)
    if path[0] == "product":
        current = getattr(spec, path[1])
        setattr(spec, path[1], quantity.to(current.units))
        return
    if path[0] == "use":
        values = {path[1]: quantity}
        use = parse_use(values, where=f"{spec.source}: use")
        setattr(spec.use, path[1], getattr(use, path[1]))
        return
    stage = spec.stages[path[1]]
    if len(path) == 3:
        current = stage.parameters[path[2]]
        target = stage.parameters
        key = path[2]
    else:
        target = stage.materials if path[2] == "materials" else stage.emissions
        key = path[3]
        current = target[key]
    if quantity.dimensionless and current.check("[count]"):
        quantity = Quantity(magnitudes, "piece")
    if current.check("") and np.any((quantity.to("").magnitude <= 0) | (quantity.to("").magnitude > 1)) and path[-1] in FRACTIONS:
        raise _Invalid()
    target[key] = quantity.to(current.units)


def _set(data, path, value):
    node = data
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[path[-1]] = value


def _plain(cell):
    """A cell as YAML would read it (so that 144 is a number and CN-JS a string)."""
    try:
        return yaml.safe_load(cell)
    except yaml.YAMLError:
        return cell


def write_results(result, path):
    """Write one row per variant: inputs, both footprints, and by stage (location-based)."""
    path = Path(path)
    stages = list(result.by_stage)
    unit = result.unit
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variant", *[column.header for column in result.variants.columns],
                         f"location_based [{unit}]", f"market_based [{unit}]", *[f"{stage} [{unit}]" for stage in stages]])
        for index, variant in enumerate(result.variants.ids):
            writer.writerow([variant, *result.variants.cells[index], repr(float(result.location_based[index])),
                             repr(float(result.market_based[index])),
                             *[repr(float(result.by_stage[stage][index])) for stage in stages]])


@dataclass
class Verified:
    index: int
    variant: str
    batch: float  # [kg CO2-eq per declared unit]
    brightway: float
    relative_difference: float


def verify(result, base, *, sample=5, seed=0, market=False):
    """Recompute sampled variants with a separate full bw2calc LCA each.

    Each variant's foreground is written into a temporary Brightway database (deleted
    afterwards) and solved with bw2calc on the installed background.

    Parameters
    ----------
    result : BatchResult
    base : str or Path
        The base product file the batch ran on.
    sample : int
        How many variants (all if fewer).
    market : bool
        Check the market-based results instead of the location-based ones.

    Returns
    -------
    list of Verified
    """
    from footprint.calc import _date, brightway_lca
    from footprint.project import lock

    base_spec = read_product(base)
    bundle = read_bundle()
    bd = require_setup()
    gwp = result.gwp
    as_of = _date(result.as_of)
    context = _Context(base_spec, result.variants, bundle, None, result.per, gwp, result.boundary, as_of)
    indices = list(range(len(result.variants.ids)))
    random.Random(seed).shuffle(indices)
    checked = []
    for index in sorted(indices[:sample]):
        spec = context.spec_of(index)
        system = build_system(spec, bundle, per=result.per, boundary=result.boundary, gwp=gwp, as_of=as_of)
        name = f"footprint-verify-{uuid.uuid4().hex[:12]}"
        try:
            score = brightway_lca(bd, system.market if market else system.location, system, bundle, METHODS[(gwp, "total")], name=name)
        finally:
            with lock(), contextlib.redirect_stdout(sys.stderr):
                if name in bd.databases:
                    del bd.databases[name]
        reference = score / float(system.divisor)
        value = float((result.market_based if market else result.location_based)[index])
        difference = abs(value - reference) / max(abs(reference), 1e-300)
        checked.append(Verified(index, result.variants.ids[index], value, reference, difference))
    return checked
