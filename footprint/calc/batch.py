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
one pass, with the same code as a single calculation. Each distinct part of the product file
(the product block, each stage, ``use``, ``downstream``) is read once per run, with the
group's numbers as placeholders in their units, and reused by every group that has it. A
group whose values fail a check is re-read row by row to name the failing row.

Variants check their electricity-instrument claims against the other products' claims in
the data directory's ledger (:mod:`footprint.claims`) but record nothing: they are what-ifs
of one product.

Every result carries its provenance (:class:`BatchProvenance`): the inputs and their
sha256, the bundled data version, the method, the library version and the date computed;
:func:`write_results` writes it beside the results CSV, and each row's own inputs hash in
the CSV.

:func:`verify` recomputes sampled variants with a full bw2calc LCA of their foreground,
written into a temporary Brightway database.
"""

import copy
import csv
import datetime as _dt
import hashlib
import io
import json
import random
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import yaml

from footprint._version import __version__
from footprint.brightway.background import load_background
from footprint.brightway.project import brightway_versions, check_setup
from footprint.bundle.read import read_bundle
from footprint.calc.system import build_system, combined_sha256
from footprint.claims import check_claims, claims_of, list_claims
from footprint.engine import evaluate
from footprint.errors import InputError
from footprint.fileio import parse_date
from footprint.model.spec import product_from_data, read_product
from footprint.units import Quantity, ureg
from footprint.vocab import FRACTIONS, GWP_SETS, STAGE_PARAMETERS, STAGES, WHOLE_NUMBERS

ID_COLUMNS = ("variant", "id")
#: Rows evaluated in one pass (bounds memory; the progress bar moves per chunk).
CHUNK = 2000
_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*$")
_HEADER_UNIT = re.compile(r"^(.*?)\s*\[(.*)\]\s*$")
USE_FIELDS = {"specific_yield": "positive", "performance_ratio": "fraction", "lifetime": "positive", "degradation": "degradation"}
#: Downstream amounts a batch evaluates as arrays (per module, m2 or W), and their range rule.
DOWNSTREAM_FIELDS = {"electricity": "non-negative", "heat": "non-negative", "mass": "positive"}
#: How each row's inputs hash is computed (written into the provenance).
ROW_HASH = ("sha256 of the UTF-8 JSON text (keys sorted, separators ',' ':', non-ASCII as is) of "
            "{\"inputs_sha256\": <the batch's inputs_sha256>, \"overrides\": {<column header>: <cell>, only non-empty cells}}")


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
    sha256: str = ""  # of the file's bytes


@dataclass
class BatchProvenance:
    """What a certification body needs to reproduce a batch (written beside the results CSV)."""

    inputs_sha256: str  # sha256 of the list of input files and their sha256 (as for a single result)
    input_files: dict  # path -> sha256: the base product file, the variants file, every site and supplier file used
    base_file: str
    variants_file: str
    variants: int
    data_version: str
    data_sha256: str
    method: str
    methods: dict  # indicator -> method
    gwp: str
    declared_unit: str
    boundary: str
    library_version: str
    brightway: str  # bw2data and bw2calc versions (the background is solved with bw2calc)
    computed_at: str
    as_of: str  # the date supplier declarations were checked against
    row_inputs_sha256: str = ROW_HASH
    results_file: str = ""
    results_sha256: str = ""
    verified: list = field(default_factory=list)  # Verified, as dicts, when --verify ran

    def to_dict(self):
        return asdict(self)


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
    provenance: BatchProvenance = None

    def row_inputs_sha256(self, index):
        """The inputs hash of one variant (see ``BatchProvenance.row_inputs_sha256``)."""
        overrides = {column.header: cell for column, cell in zip(self.variants.columns, self.variants.cells[index]) if cell}
        text = json.dumps({"inputs_sha256": self.provenance.inputs_sha256, "overrides": overrides}, sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_variants(path):
    """Read a variants CSV file.

    Raises
    ------
    InputError
        Missing file, no columns, an unknown path shape, a row of the wrong length.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError:
        raise InputError(f"{path}: cannot read the variants file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; expected a CSV variants file") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise InputError(f"{path}: empty; expected a header row of product-file paths, then one row per variant")
    header = [cell.strip() for cell in rows[0]]
    has_id = header[0].lower() in ID_COLUMNS
    columns = [_column(text, path, index) for index, text in enumerate(header) if not (has_id and index == 0)]
    if not columns:
        raise InputError(f"{path}: header: no parameter columns; expected paths such as stages.cell.efficiency")
    seen = {}
    for index, column in enumerate(columns, start=2 if has_id else 1):
        if column.path in seen:
            raise InputError(f"{path}: header, column {index}: {column.header!r} sets {'.'.join(column.path)} again "
                             f"(column {seen[column.path]}); expected each product-file path once")
        seen[column.path] = index
    ids, cells = [], []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InputError(f"{path}: row {number}: {len(row)} cells; expected {len(header)} as in the header")
        row = [cell.strip() for cell in row]
        ids.append(row[0] if has_id and row[0] else f"row {number}")
        cells.append(row[1:] if has_id else row)
    return Variants(str(path), columns, ids, cells, hashlib.sha256(raw).hexdigest())


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
    if parts[0] == "downstream" and len(parts) == 3 and parts[2] in DOWNSTREAM_FIELDS:
        return True, DOWNSTREAM_FIELDS[parts[2]]
    if parts[0] == "downstream" and len(parts) == 4 and parts[2] in ("materials", "emissions"):
        return True, "non-negative"
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
        With its :class:`BatchProvenance`.

    Raises
    ------
    footprint.errors.FootprintError
        A bad base file, variants file or value, naming the row and column; a claim on an
        electricity instrument that other products already claim in full.
    """
    from footprint.calc import check_finite, check_options

    as_of = check_options(per=per, gwp=gwp, boundary=boundary, as_of=as_of)
    started = time.perf_counter()
    base_spec = read_product(base)
    check_finite(base_spec)
    variants = variants if isinstance(variants, Variants) else read_variants(variants)
    bundle = read_bundle()
    check_setup(bundle)
    background = load_background(bundle, gwp)
    context = _Context(base_spec, variants, bundle, background, per, gwp, boundary, as_of)
    count = len(variants.cells)
    location = np.full(count, np.nan)
    market = np.full(count, np.nan)
    by_stage = {}
    groups = context.groups()
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
    provenance = _provenance(context, base_spec, variants, bundle, background, per=per, gwp=gwp, boundary=boundary,
                             as_of=as_of)
    return BatchResult(variants, per, f"kg CO2-eq/{per}", gwp, boundary, as_of.isoformat(), location, market, by_stage,
                       time.perf_counter() - started, len(groups), bundle.data_version, base_spec.sha256,
                       provenance=provenance)


def _provenance(context, base_spec, variants, bundle, background, *, per, gwp, boundary, as_of):
    input_files = {base_spec.source: base_spec.sha256, variants.source: variants.sha256, **context.input_files}
    methods = {indicator: " | ".join(method) for indicator, method in background.methods.items()}
    return BatchProvenance(
        inputs_sha256=combined_sha256(input_files), input_files=input_files, base_file=base_spec.source,
        variants_file=variants.source, variants=len(variants.ids), data_version=bundle.data_version, data_sha256=bundle.sha256,
        method=methods["total"], methods=methods, gwp=GWP_SETS[gwp], declared_unit=f"1 {per}", boundary=boundary,
        library_version=__version__, brightway=brightway_versions(),
        computed_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), as_of=as_of.isoformat(),
    )


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
        self._units = {}  # unit text -> readable by pint
        self._parts = {}  # (part, its YAML data as JSON) -> what the product reader made of it
        self._recorded = None  # the claims ledger, read once
        self._claims_checked = set()
        self.input_files = {}  # site and supplier files any variant used -> sha256
        self.values = None  # (rows, columns) magnitudes of the numeric cells, filled by groups()

    def groups(self):
        """Row indices grouped by everything that cannot be an array (sites, units written...).

        Reads every numeric cell once, into ``values``, for :meth:`group_spec`.
        """
        variants = self.variants
        self.values = np.full((len(variants.cells), len(variants.columns)), np.nan)
        groups = {}
        for index, row in enumerate(variants.cells):
            key = []
            for position, (column, cell) in enumerate(zip(variants.columns, row)):
                if not cell:
                    key.append(None)
                elif column.numeric:
                    self.values[index, position], unit = self.number(cell, column, index)
                    key.append(("unit", unit))
                else:
                    key.append(("value", cell))
            groups.setdefault(tuple(key), []).append(index)
        return groups

    def where(self, index, column=None):
        place = f"{self.variants.source}: row {index + 2} ({self.variants.ids[index]})"
        return f"{place}, column {column.header}" if column else place

    def number(self, cell, column, index):
        """A numeric cell as (magnitude, unit text); each distinct unit text is parsed once."""
        if column.unit:
            try:
                if "," in cell:  # "17,7" would read as 177: a decimal comma and a thousands separator look alike
                    raise ValueError(cell)
                value = float(cell)
            except ValueError:
                raise InputError(f"{self.where(index, column)}: got {cell!r}; expected a number in {column.unit}") from None
            unit = column.unit
        else:
            match = _NUMBER.match(cell)
            if match is None:
                raise InputError(f"{self.where(index, column)}: cannot read {cell!r} as 'number unit'")
            value, unit = float(match.group(1)), match.group(2)
            if unit not in self._units:
                try:
                    ureg.Unit(unit)
                    self._units[unit] = True
                except Exception:
                    self._units[unit] = False
            if not self._units[unit]:
                raise InputError(f"{self.where(index, column)}: unknown unit {unit!r} in {cell!r}")
        if not np.isfinite(value):
            raise InputError(f"{self.where(index, column)}: got {cell!r}; expected a finite number")
        return value, unit

    def row_data(self, index):
        """The base product's YAML data with one row's overrides, as the product file would say it."""
        data = copy.deepcopy(self.base_spec.data)
        for column, cell in zip(self.variants.columns, self.variants.cells[index]):
            if cell:
                _set(data, column.path, f"{cell} {column.unit}" if column.unit else _plain(cell))
        return data

    def spec_of(self, index):
        """One row read by the product reader, as the product file would be (names the row in errors)."""
        from footprint.calc import check_finite

        try:
            spec = product_from_data(self.row_data(index), source=self.base_spec.source, sha256=self.base_spec.sha256)
            check_finite(spec)
        except InputError as exc:
            raise InputError(f"{self.where(index)}: {exc}") from None
        return spec

    def evaluate_rows(self, rows):
        """Evaluate rows of one group: as arrays, else (a value fails a check) row by row."""
        try:
            spec = self.group_spec(rows)
            system = build_system(spec, self.bundle, per=self.per, boundary=self.boundary, gwp=self.gwp, as_of=self.as_of)
            self.check_system(system)
            location, market, by_stage = self.evaluate_system(system, len(rows))
        except (InputError, _Invalid):
            # name the first failing row with the product reader's own message ...
            results = [self.evaluate_one(index) for index in rows]
            # ... or, if each row passes alone, keep the row-by-row results
            stages = {stage for _, _, by_stage in results for stage in by_stage}
            return (np.array([r[0] for r in results]), np.array([r[1] for r in results]),
                    {stage: np.array([r[2].get(stage, 0.0) for r in results]) for stage in stages})
        self.check_finite_results(rows, location, market, by_stage, system)
        return location, market, by_stage

    def evaluate_one(self, index):
        spec = self.spec_of(index)
        try:
            system = build_system(spec, self.bundle, per=self.per, boundary=self.boundary, gwp=self.gwp, as_of=self.as_of)
            self.check_system(system)
        except InputError as exc:
            raise InputError(f"{self.where(index)}: {exc}") from None
        location, market, stages = self.evaluate_system(system, 1)
        self.check_finite_results([index], location, market, stages, system)
        return float(location[0]), float(market[0]), {stage: float(values[0]) for stage, values in stages.items()}

    def check_system(self, system):
        """Claims against the other products' in the ledger (nothing is recorded); note the input files."""
        self.input_files.update({path: sha for path, sha in system.input_files.items() if path != self.base_spec.source})
        claims = claims_of(system.plan, product_id=system.spec.id, product_file=system.spec.source)
        if not claims:
            return
        key = (system.spec.id, tuple((c.instrument, c.site, c.file_sha256, round(c.claimed_mwh, 9)) for c in claims))
        if key in self._claims_checked:
            return
        if self._recorded is None:
            self._recorded = list_claims()
        check_claims(claims, product_id=system.spec.id, recorded=self._recorded)
        self._claims_checked.add(key)

    def check_finite_results(self, rows, location, market, by_stage, system):
        """Name the first row whose footprint is not a finite number (an overflow in its values)."""
        bad = ~np.isfinite(location) | ~np.isfinite(market)
        for values in by_stage.values():
            bad |= ~np.isfinite(values)
        if not np.any(bad):
            return
        position = int(np.argmax(bad))
        flow = _first_bad_flow(system, position)
        cause = f"; stages.{flow[0]}: the amount of {flow[1]!r} computed from it is {flow[2]!r}" if flow else ""
        raise InputError(f"{self.where(rows[position])}: the footprint is {float(location[position])!r} kg CO2-eq/{self.per}, "
                         f"not a finite number{cause}; check this row's values")

    def evaluate_system(self, system, size):
        location = evaluate(system.location, self.background, demand=system.demand)
        market = evaluate(system.market, self.background, demand=system.demand)
        divisor = system.divisor
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by check_finite_results
            by_stage = {stage: np.broadcast_to(value / divisor, (size,)) for stage, value in location.by_stage().items()}
            return (np.broadcast_to(location.score() / divisor, (size,)), np.broadcast_to(market.score() / divisor, (size,)),
                    by_stage)

    def group_spec(self, rows):
        """One product spec for a group, its numeric overrides as arrays (one value per row)."""
        first = rows[0]
        spec = self.structure_of(first)
        for position, column in enumerate(self.variants.columns):
            cell = self.variants.cells[first][position]
            if not column.numeric or not cell:
                continue
            magnitudes = self.values[rows, position]
            _, unit = self.number(cell, column, first)  # one unit for the whole group (part of its key)
            _check(magnitudes, column.rule)
            _inject(spec, column.path, magnitudes, unit)
        return spec

    def structure_of(self, index):
        """The spec of a row's group: its non-numeric values, numeric ones as placeholders in their units.

        Each part of the product file (product block, each stage, ``use``, ``downstream``)
        goes through the product reader once per run and is reused by every group with the
        same part; the reader's checks on a part do not depend on the other parts.
        """
        data = copy.deepcopy(self.base_spec.data)
        for column, cell in zip(self.variants.columns, self.variants.cells[index]):
            if not cell:
                continue
            if column.numeric:
                _, unit = self.number(cell, column, index)
                placeholder = PLACEHOLDERS.get(column.rule, 0.5)
                _set(data, column.path, f"{placeholder} {unit}" if unit else placeholder)
            else:
                _set(data, column.path, _plain(cell))
        head = self._part("product", data, {})
        stages = {}
        for name, stage_data in (data.get("stages") or {}).items():
            stages[name] = copy.deepcopy(self._part("stage", data, {"stages": {name: stage_data}}).stages[name])
        spec = copy.copy(head)
        spec.stages = {name: stages[name] if name in stages else copy.deepcopy(head.stages[name]) for name in head.stages}
        spec.use = copy.deepcopy(self._part("use", data, {"use": data["use"]}).use) if data.get("use") is not None else None
        spec.downstream = (copy.deepcopy(self._part("downstream", data, {"downstream": data["downstream"]}).downstream)
                           if data.get("downstream") is not None else None)
        spec.data = data
        return spec

    def _part(self, kind, data, extra):
        """The product reader's reading of one part of the product file, memoised."""
        document = {key: data[key] for key in ("format", "product") if key in data}
        document.update(extra)
        key = (kind, json.dumps(document, sort_keys=True, default=str))
        if key not in self._parts:
            spec = product_from_data(document, source=self.base_spec.source, sha256=self.base_spec.sha256)
            self._parts[key] = spec
        result = self._parts[key]
        return copy.copy(result) if kind == "product" else result


#: A placeholder magnitude each range rule accepts (whole numbers must be whole).
PLACEHOLDERS = {"whole": 1}


def _first_bad_flow(system, position):
    for process in system.location.values():
        for flow in process.flows:
            amount = np.asarray(flow.amount, dtype=float)
            value = amount if amount.ndim == 0 else amount[min(position, amount.size - 1)]
            if not np.isfinite(value):
                return process.stage, flow.label, float(value)
    return None


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
    from footprint.model.use import parse_use

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
    if path[0] == "downstream":
        stage = spec.downstream.stages[path[1]]
        if len(path) == 3:
            current = getattr(stage, path[2])
            setattr(stage, path[2], quantity.to(current.units))
        else:
            target = stage.materials if path[2] == "materials" else stage.emissions
            target[path[3]] = quantity.to(target[path[3]].units)
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


def provenance_path(path):
    """Where the provenance of a results CSV goes: ``results.csv`` -> ``results.provenance.json``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.provenance.json")


def write_results(result, path):
    """Write one row per variant (inputs, both footprints, by stage, the row's inputs hash) and the provenance.

    The provenance (:class:`BatchProvenance`, with the results file's sha256) goes to
    :func:`provenance_path` beside the CSV.

    Returns
    -------
    Path
        The provenance file.
    """
    path = Path(path)
    stages = list(result.by_stage)
    unit = result.unit
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variant", *[column.header for column in result.variants.columns],
                         f"location_based [{unit}]", f"market_based [{unit}]", *[f"{stage} [{unit}]" for stage in stages],
                         "inputs_sha256"])
        for index, variant in enumerate(result.variants.ids):
            writer.writerow([variant, *result.variants.cells[index], repr(float(result.location_based[index])),
                             repr(float(result.market_based[index])),
                             *[repr(float(result.by_stage[stage][index])) for stage in stages], result.row_inputs_sha256(index)])
    return write_provenance(result, path)


def write_provenance(result, results_path):
    """Write (or rewrite, after a verification) the provenance file of a results CSV."""
    results_path = Path(results_path)
    provenance = result.provenance
    provenance.results_file = str(results_path)
    provenance.results_sha256 = hashlib.sha256(results_path.read_bytes()).hexdigest()
    target = provenance_path(results_path)
    target.write_text(json.dumps(provenance.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target


@dataclass
class Verified:
    index: int
    variant: str
    basis: str  # "location" or "market" (based)
    batch: float  # [kg CO2-eq per declared unit]
    brightway: float
    relative_difference: float


def verify(result, base, *, sample=5, seed=0, bases=("location", "market")):
    """Recompute sampled variants with a separate full bw2calc LCA each, location- and market-based.

    Each variant's foreground is written into a temporary Brightway database (deleted
    afterwards) and solved with bw2calc on the installed background. Without electricity
    instruments both foregrounds are the same: the market-based one is then not solved again.

    Parameters
    ----------
    result : BatchResult
    base : str or Path
        The base product file the batch ran on.
    sample : int
        How many variants (all if fewer).
    bases : tuple of str
        ``"location"``, ``"market"`` or both (default).

    Returns
    -------
    list of Verified
        One per sampled variant and basis; also recorded in ``result.provenance.verified``.
    """
    from footprint.brightway.check import score_in_temporary_database

    base_spec = read_product(base)
    bundle = read_bundle()
    gwp = result.gwp
    as_of = parse_date(result.as_of, where="as_of", today=_dt.date.today())
    context = _Context(base_spec, result.variants, bundle, None, result.per, gwp, result.boundary, as_of)
    indices = list(range(len(result.variants.ids)))
    random.Random(seed).shuffle(indices)
    checked = []
    for index in sorted(indices[:sample]):
        spec = context.spec_of(index)
        system = build_system(spec, bundle, per=result.per, boundary=result.boundary, gwp=gwp, as_of=as_of)
        scores = {}
        for basis in bases:
            processes = system.market if basis == "market" else system.location
            same = next((scores[other] for other, done in (("location", system.location), ("market", system.market))
                         if other in scores and done is processes), None)
            if same is None:
                same = score_in_temporary_database(processes, system, bundle, gwp)
            scores[basis] = same
            reference = same / float(system.divisor)
            value = float((result.market_based if basis == "market" else result.location_based)[index])
            difference = abs(value - reference) / max(abs(reference), 1e-300)
            checked.append(Verified(index, result.variants.ids[index], basis, value, reference, difference))
    if result.provenance is not None:
        result.provenance.verified = [asdict(item) for item in checked]
    return checked
