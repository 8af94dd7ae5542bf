"""Batch: thousands to millions of variants of one product, the background solved once.

The variants are a CSV file or a pandas DataFrame (:mod:`footprint.calc.variants`): each
column a product-file path, each row a variant overriding those fields. Any field may vary:
sites (and so grids), technologies, electricity, heat, materials and emissions amounts,
wafer geometry, efficiency, yields, rated power, area, use-phase parameters...

How it is fast: the background is solved once (:mod:`footprint.engine`); the variants are
grouped by their non-numeric values (sites, technologies, units written); each group's
numbers become arrays, and the product system of up to :data:`BUILD_ROWS` rows of a group
is built in one pass, with the same code as a single calculation, then evaluated
:data:`CHUNK` rows at a time. Each distinct part of the product file (the product block,
each stage, ``use``, ``downstream``) is read once per run, with the group's numbers as
placeholders in their units, and reused by every group that has it. A chunk whose values
fail a check is re-read row by row to name the failing row.

Variants check their electricity-instrument claims against the other products' claims in
the data directory's ledger (:mod:`footprint.claims`) but record nothing: they are what-ifs
of one product.

Every result carries its provenance (:class:`BatchProvenance`): the inputs and their
sha256, the bundled data version, the method, the library version and the date computed;
:func:`write_results` writes it beside the results CSV, and each row's own inputs hash in
the CSV.

:func:`footprint.calc.verify.verify` recomputes sampled variants with a full bw2calc LCA
of their foreground each.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import datetime
import datetime as _dt
import hashlib
import itertools
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
import yaml

from footprint._version import __version__
from footprint.brightway.background import load_background
from footprint.brightway.project import brightway_versions, check_setup
from footprint.bundle.read import read_bundle
from footprint.calc.compute import apply_electricity_basis, check_finite, check_options, read_product
from footprint.calc.system import build_system
from footprint.calc.variants import Variants, csv_fields, parse_values, read_variants, spreadsheet_safe
from footprint.claims import check_claims, claims_of, list_claims
from footprint.engine import evaluate
from footprint.errors import InputError
from footprint.fileio import atomic_path, atomic_write
from footprint.model.spec import ProductSpec, product_from_data
from footprint.provenance import ResultProvenance, combined_sha256
from footprint.units import Quantity
from footprint.vocab import BOUNDARIES, DECLARED_UNITS, ELECTRICITY_BASES, FRACTIONS, GWP_SETS, choose

if TYPE_CHECKING:
    import pandas

#: Rows evaluated in one engine pass. It stays 2,000 for the results to stay bit for bit what
#: they were: the BLAS matrix-vector product that sums a flow's gases rounds the last bit of
#: an array's tail (its length modulo 4, or a single row) differently from its body.
CHUNK = 2000
#: Rows of a group whose product system is built at once, a multiple of CHUNK (bounds memory:
#: the system holds a few hundred arrays of this length).
BUILD_ROWS = 25 * CHUNK
#: Rows written to the results CSV at a time.
WRITE_ROWS = 20000
#: How each row's inputs hash is computed (written into the provenance).
ROW_HASH = ("sha256 of the UTF-8 JSON text (keys sorted, separators ',' ':', non-ASCII as is) of "
            "{\"inputs_sha256\": <the batch's inputs_sha256>, \"overrides\": {<column header>: <cell>, only non-empty cells}}")


@dataclass
class BatchProvenance(ResultProvenance):
    """What a certification body needs to reproduce a batch (written beside the results CSV).

    A single result's provenance (:class:`footprint.provenance.ResultProvenance`: inputs and
    their sha256, data version, methods, GWP set, versions, dates), and what a batch adds.
    ``input_files`` holds the base product file, the variants file and every site and
    supplier file used.
    """

    base_file: str = ""
    variants_file: str = ""
    variants: int = 0
    declared_unit: str = ""
    boundary: str = ""
    row_inputs_sha256: str = ROW_HASH
    results_file: str = ""
    results_sha256: str = ""
    verified: list = field(default_factory=list)  # footprint.calc.verify.Verified, as dicts, once verified
    electricity_basis: str | None = None  # the caller's (electricity_basis=), in place of the base file's; None: the file's

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class BatchResult:
    """Results per variant, in the order of the variants table."""

    variants: Variants
    per: str
    unit: str  # "kg CO2-eq/<per>"
    gwp: str  # ar6 | ar5
    boundary: str
    as_of: str
    location_based: np.ndarray  # (variants,) [kg CO2-eq per declared unit]
    market_based: np.ndarray  # (variants,) [kg CO2-eq per declared unit]
    by_stage: dict  # stage -> (variants,) [kg CO2-eq per declared unit], location-based
    seconds: float
    groups: int
    data_version: str
    base_sha256: str
    notes: list = field(default_factory=list)
    provenance: BatchProvenance = None

    def row_inputs_sha256(self, index: int) -> str:
        """The inputs hash of one variant (see ``BatchProvenance.row_inputs_sha256``)."""
        overrides = {column.header: cell for column, cell in zip(self.variants.columns, self.variants.row(index)) if cell}
        text = json.dumps({"inputs_sha256": self.provenance.inputs_sha256, "overrides": overrides}, sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def value_columns(self) -> list[str]:
        """Names of the result columns of the CSV and of :meth:`to_frame`, each with its unit."""
        return [f"location_based [{self.unit}]", f"market_based [{self.unit}]",
                *[f"{stage} [{self.unit}]" for stage in self.by_stage]]

    def to_frame(self) -> pandas.DataFrame:
        """The results as a pandas DataFrame, one row per variant, in the order of the variants.

        Returns
        -------
        pandas.DataFrame
            Columns ``variant`` (the variant's id), ``location_based [kg CO2-eq/<per>]``,
            ``market_based [...]`` and one column per stage (location-based), named as in
            the results CSV. ``attrs`` holds ``unit``, ``per``, ``gwp``, ``boundary``,
            ``as_of``, ``data_version`` and ``inputs_sha256``.

        Examples
        --------
        >>> batch = footprint.run_batch("examples/perc-glass-backsheet-jiangsu.yaml", "variants.csv")  # doctest: +SKIP
        >>> batch.to_frame().describe()  # doctest: +SKIP
        """
        import pandas

        values = [self.location_based, self.market_based, *self.by_stage.values()]
        data = {"variant": self.variants.ids.astype(object)}
        data.update({name: np.asarray(array, dtype=float) for name, array in zip(self.value_columns(), values)})
        frame = pandas.DataFrame(data)
        frame.attrs.update(unit=self.unit, per=self.per, gwp=self.gwp, boundary=self.boundary, as_of=self.as_of,
                           data_version=self.data_version,
                           inputs_sha256=self.provenance.inputs_sha256 if self.provenance else "")
        return frame


def run_batch(
    base: str | os.PathLike | dict | ProductSpec,
    variants: str | os.PathLike | Variants | pandas.DataFrame,
    *,
    per: str = "module",
    gwp: str = "ar6",
    boundary: str = "cradle-to-gate",
    as_of: datetime.date | str | None = None,
    progress: Callable[[int], None] | None = None,
    electricity_basis: str | None = None,
) -> BatchResult:
    """Compute every variant of a base product, location- and market-based, by stage.

    Parameters
    ----------
    base : str or os.PathLike or dict or ProductSpec
        The base product: a product YAML file (or data workbook), its content as a dict, or
        a product already read (:func:`footprint.read_product`).
    variants : str or os.PathLike or Variants or pandas.DataFrame
        The variants: a CSV file, a table read with :func:`footprint.read_variants`, or a
        DataFrame. Columns are product-file paths (``stages.wafer.thickness [um]``,
        ``stages.cell.site``, ``product.rated_power [W]`` ...), an optional ``variant``
        or ``id`` column names each row; a number's unit is in the header's brackets, or
        the cell is "number unit" (``45 kWh/kg``); an empty cell keeps the base value.
    per : str
        Declared unit of the results (:data:`footprint.vocab.DECLARED_UNITS`, any case):
        ``module``, ``m2``, ``W``/``Wp``, ``kWp``, ``kWh`` (needs ``use:``), ``cell``,
        ``wafer``, ``kg-polysilicon``, ``kg-ingot``.
    gwp : str
        ``ar6`` (IPCC 2021 GWP100, default) or ``ar5`` (IPCC 2013 GWP100), any case.
    boundary : str
        ``cradle-to-gate`` (default) or ``cradle-to-grave`` (needs ``downstream:``).
    as_of : datetime.date or str, optional
        The date suppliers' declarations must be valid on (YYYY-MM-DD); today by default.
    progress : callable, optional
        Called with the number of variants done so far, after each chunk.
    electricity_basis : str, optional
        ``life-cycle`` or ``official`` (any case), in place of the base product's
        ``product.electricity_basis`` (a ``product.electricity_basis`` column still sets a
        variant's own). Default: the base product's.

    Returns
    -------
    BatchResult
        ``location_based``, ``market_based`` and ``by_stage`` arrays [kg CO2-eq per
        declared unit], one value per variant; :meth:`BatchResult.to_frame`; the
        :class:`BatchProvenance`.

    Raises
    ------
    footprint.errors.FootprintError
        A bad option, base product, variants table or value, naming the row, the variant and
        the column; a claim on an electricity instrument that other products already claim
        in full; the data directory not set up.

    Examples
    --------
    >>> import footprint
    >>> import pandas as pd
    >>> variants = pd.DataFrame({"variant": ["thin", "thick"], "stages.wafer.thickness [um]": [130, 160]})
    >>> batch = footprint.run_batch("examples/perc-glass-backsheet-jiangsu.yaml", variants, per="kWp")  # doctest: +SKIP
    >>> batch.to_frame()[["variant", "location_based [kg CO2-eq/kWp]"]]  # doctest: +SKIP
    """
    per = choose(per, DECLARED_UNITS, what="per")
    gwp = choose(gwp, GWP_SETS, what="gwp")
    boundary = choose(boundary, BOUNDARIES, what="boundary")
    as_of = check_options(per=per, gwp=gwp, boundary=boundary, as_of=as_of)
    if electricity_basis is not None:  # refused before the product is read
        electricity_basis = choose(electricity_basis, ELECTRICITY_BASES, what="electricity_basis")
    started = time.perf_counter()
    base_spec = apply_electricity_basis(read_product(base), electricity_basis)
    check_finite(base_spec)
    variants = variants if isinstance(variants, Variants) else read_variants(variants)
    bundle = read_bundle()
    check_setup(bundle)
    background = load_background(bundle, gwp)
    context = _Context(base_spec, variants, bundle, background, per, gwp, boundary, as_of)
    count = len(variants)
    location = np.full(count, np.nan)
    market = np.full(count, np.nan)
    by_stage = {}
    groups = context.groups()
    done = 0
    for rows in groups:
        for start in range(0, len(rows), BUILD_ROWS):
            for chunk, (loc, mkt, stages) in context.evaluate_rows(rows[start:start + BUILD_ROWS]):
                location[chunk] = loc
                market[chunk] = mkt
                for stage, values in stages.items():
                    by_stage.setdefault(stage, np.zeros(count))[chunk] = values
                done += len(chunk)
                if progress:
                    progress(done)
    provenance = _provenance(context, base_spec, variants, bundle, background, per=per, gwp=gwp, boundary=boundary,
                             as_of=as_of)
    provenance.electricity_basis = electricity_basis
    return BatchResult(variants, per, f"kg CO2-eq/{per}", gwp, boundary, as_of.isoformat(), location, market, by_stage,
                       time.perf_counter() - started, len(groups), bundle.data_version, base_spec.sha256,
                       provenance=provenance)


def _provenance(context, base_spec, variants, bundle, background, *, per, gwp, boundary, as_of):
    input_files = {base_spec.source: base_spec.sha256, variants.source: variants.sha256, **context.input_files}
    methods = {indicator: " | ".join(method) for indicator, method in background.methods.items()}
    return BatchProvenance(
        inputs_sha256=combined_sha256(input_files), input_files=input_files, base_file=base_spec.source,
        variants_file=variants.source, variants=len(variants), data_version=bundle.data_version, data_sha256=bundle.sha256,
        method=methods["total"], methods=methods, gwp=GWP_SETS[gwp], declared_unit=f"1 {per}", boundary=boundary,
        library_version=__version__, brightway=brightway_versions(),
        computed_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"), as_of=as_of.isoformat(),
    )


def variant_spec(base_spec: ProductSpec, variants: Variants, index: int) -> ProductSpec:
    """One variant read by the product reader, as its product file would be (errors name the row).

    Parameters
    ----------
    base_spec : ProductSpec
        The base product.
    variants : Variants
    index : int
        The variant's position in the table (0 for the first).

    Returns
    -------
    ProductSpec

    Raises
    ------
    InputError
        The product reader's message, prefixed with the row and the variant.
    """
    try:
        spec = product_from_data(variant_data(base_spec, variants, index), source=base_spec.source, sha256=base_spec.sha256)
        check_finite(spec)
    except InputError as exc:
        raise InputError(f"{variants.where(index)}: {exc}") from None
    return spec


def variant_data(base_spec: ProductSpec, variants: Variants, index: int) -> dict:
    """The base product's YAML data with one variant's overrides, as its product file would say it."""
    data = copy.deepcopy(base_spec.data)
    for column, cell in zip(variants.columns, variants.row(index)):
        if cell:
            _set(data, column.path, f"{cell} {column.unit}" if column.unit else _plain(cell))
    return data


class _Context:
    """Groups rows, reads them into product specs and evaluates them; one per batch run."""

    def __init__(self, base_spec, variants, bundle, background, per, gwp, boundary, as_of):
        self.base_spec = base_spec
        self.variants = variants
        self.bundle = bundle
        self.background = background
        self.per = per
        self.gwp = gwp
        self.boundary = boundary
        self.as_of = as_of
        self._parts = {}  # (part, its YAML data as JSON) -> what the product reader made of it
        self._recorded = None  # the claims ledger, read once
        self._claims_checked = set()
        self.input_files = {}  # site and supplier files any variant used -> sha256
        self.cells = None  # CellValues of the variants, filled by groups()

    def groups(self):
        """Row indices grouped by everything that cannot be an array (sites, units written...).

        Groups come in the order of their first row; each group's rows in file order. Reads
        every cell once (:func:`footprint.calc.variants.parse_values`), into ``cells``.
        """
        self.cells = parse_values(self.variants)
        keys = self.cells.keys
        if len(keys) == 0:
            return []
        group = np.zeros(len(keys), dtype=np.int64)
        for position in range(keys.shape[1]):
            column = keys[:, position]
            if column.min() == column.max():  # the same in every row: splits nothing
                continue
            group, _ = factorize_numbers(group * (int(column.max()) + 2) + column + 1)
        order = np.argsort(group, kind="stable")
        bounds = np.flatnonzero(np.diff(group[order])) + 1
        return np.split(order, bounds)

    def evaluate_rows(self, rows):
        """Evaluate rows of one group, a chunk at a time: (chunk, (location, market, by stage)) each.

        The product system of all the rows is built once; if a value fails a check, each
        chunk is built alone, and a chunk that fails is evaluated row by row to name the row.
        """
        try:
            system = self.group_system(rows)
        except (InputError, _Invalid):
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start:start + CHUNK]
                yield chunk, self.evaluate_chunk(chunk)
            return
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            part = _part_system(system, slice(start, start + len(chunk)), len(rows))
            location, market, by_stage = self.evaluate_system(part, len(chunk))
            self.check_finite_results(chunk, location, market, by_stage, part)
            yield chunk, (location, market, by_stage)

    def group_system(self, rows):
        spec = self.group_spec(rows)
        system = build_system(spec, self.bundle, per=self.per, boundary=self.boundary, gwp=self.gwp, as_of=self.as_of)
        self.check_system(system)
        return system

    def evaluate_chunk(self, rows):
        """Evaluate rows of one group: as arrays, else (a value fails a check) row by row."""
        try:
            system = self.group_system(rows)
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
        index = int(index)
        spec = variant_spec(self.base_spec, self.variants, index)
        try:
            system = build_system(spec, self.bundle, per=self.per, boundary=self.boundary, gwp=self.gwp, as_of=self.as_of)
            self.check_system(system)
        except InputError as exc:
            raise InputError(f"{self.variants.where(index)}: {exc}") from None
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
        raise InputError(f"{self.variants.where(int(rows[position]))}: the footprint is {float(location[position])!r} "
                         f"kg CO2-eq/{self.per}, not a finite number{cause}; check this row's values")

    def evaluate_system(self, system, size):
        location = evaluate(system.location, self.background, demand=system.demand)
        # without electricity instruments both bases are one foreground: one evaluation, the same numbers
        market = (location if _same_processes(system.location, system.market)
                  else evaluate(system.market, self.background, demand=system.demand))
        divisor = system.divisor
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by check_finite_results
            by_stage = {stage: np.broadcast_to(value / divisor, (size,)) for stage, value in location.by_stage().items()}
            location_score = location.score()
            market_score = location_score if market is location else market.score()
            return (np.broadcast_to(location_score / divisor, (size,)), np.broadcast_to(market_score / divisor, (size,)),
                    by_stage)

    def unit_of(self, index, position):
        """The unit text of a numeric cell ("" for a bare number)."""
        return self.cells.labels[position][self.cells.keys[index, position]]

    def group_spec(self, rows):
        """One product spec for a group, its numeric overrides as arrays (one value per row)."""
        first = int(rows[0])
        spec = self.structure_of(first)
        for position, column in enumerate(self.variants.columns):
            if not column.numeric or self.cells.keys[first, position] < 0:
                continue
            magnitudes = self.cells.numbers[rows, position]
            unit = self.unit_of(first, position)  # one unit for the whole group (part of its key)
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
        for position, (column, cell) in enumerate(zip(self.variants.columns, self.variants.row(index))):
            if not cell:
                continue
            if column.numeric:
                unit = self.unit_of(index, position)
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


def factorize_numbers(values):
    """Codes of integer keys in order of first appearance, and how many distinct keys there are."""
    _, first, inverse = np.unique(values, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inverse.reshape(-1)], len(first)


def _same_processes(location, market):
    """Whether two foregrounds are the same processes in the same order (no electricity instruments)."""
    return location is market or (list(location) == list(market) and all(location[code] is market[code] for code in location))


def _part_system(system, rows, size):
    """The product system of some of the rows it was built for: each per-row amount cut to them."""
    location = _part_processes(system.location, rows, size)
    market = location if _same_processes(system.location, system.market) else _part_processes(system.market, rows, size)
    demand = {code: _part_amount(amount, rows, size) for code, amount in system.demand.items()}
    return dataclasses.replace(system, location=location, market=market, demand=demand,
                               divisor=_part_amount(system.divisor, rows, size))


def _part_processes(processes, rows, size):
    return {code: dataclasses.replace(process, flows=[dataclasses.replace(flow, amount=_part_amount(flow.amount, rows, size))
                                                      for flow in process.flows])
            for code, process in processes.items()}


def _part_amount(amount, rows, size):
    if np.ndim(amount) >= 1 and np.shape(amount)[0] == size:
        return amount[rows]
    return amount


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


# -- writing ----------------------------------------------------------------------------------

def provenance_path(path: str | os.PathLike) -> Path:
    """Where the provenance of a results CSV goes: ``results.csv`` -> ``results.provenance.json``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.provenance.json")


def write_results(result: BatchResult, path: str | os.PathLike) -> Path:
    """Write one row per variant (inputs, both footprints, by stage, the row's inputs hash) and the provenance.

    The CSV repeats each variant's cells as written, then ``location_based``,
    ``market_based`` and one column per stage [kg CO2-eq per declared unit, in each
    header], numbers as Python's ``repr`` writes them (they read back exactly), and
    ``inputs_sha256`` (see ``BatchProvenance.row_inputs_sha256``). The provenance
    (:class:`BatchProvenance`, with the results file's sha256) goes to
    :func:`provenance_path` beside the CSV.

    Parameters
    ----------
    result : BatchResult
    path : str or os.PathLike
        The results CSV (replaced if it exists).

    Returns
    -------
    Path
        The provenance file.
    """
    path = Path(path)
    variants = result.variants
    values = [result.location_based, result.market_based, *result.by_stage.values()]
    # the same array twice (market-based without electricity instruments) is written once and copied
    bits = [np.ascontiguousarray(array, dtype=np.float64).view(np.int64) for array in values]  # -0.0 is not 0.0 here
    same = [next((earlier for earlier in range(position) if np.array_equal(bits[earlier], bits[position])), position)
            for position in range(len(values))]
    hashes = _RowHashes(result)
    text_columns = [not column.numeric for column in variants.columns]
    with atomic_path(path) as temporary, temporary.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["variant", *[column.header for column in variants.columns], *result.value_columns(),
                                     "inputs_sha256"])
        for start in range(0, len(variants), WRITE_ROWS):
            rows = slice(start, start + WRITE_ROWS)
            cells = [texts[rows].tolist() for texts in variants.texts]
            numbers = []
            for position, array in enumerate(values):
                numbers.append(numbers[same[position]] if same[position] < position else _reprs(array[rows]))
            shown = [spreadsheet_safe(texts) if text else texts for texts, text in zip(cells, text_columns)]
            fields = [csv_fields(spreadsheet_safe(variants.ids[rows].tolist())), *map(csv_fields, shown), *numbers,
                      hashes.of(cells)]
            handle.write("\r\n".join(map(",".join, zip(*fields))))
            handle.write("\r\n")
    return write_provenance(result, path)


def _reprs(values):
    """Each number as ``repr`` writes it (the shortest text that reads back exactly); a constant block once."""
    bits = values.view(np.int64)
    if len(bits) > 1 and (bits == bits[0]).all():
        return [repr(float(values[0]))] * len(values)
    return list(map(repr, values.tolist()))


class _RowHashes:
    """Each row's inputs hash, as :meth:`BatchResult.row_inputs_sha256` computes it, for many rows at once.

    The JSON text is put together here rather than by :func:`json.dumps` row by row: keys in
    sorted order, each cell encoded as the json module encodes a string; the part before the
    overrides, the same for every row, is hashed once.
    """

    def __init__(self, result):
        headers = [column.header for column in result.variants.columns]
        self.order = sorted(range(len(headers)), key=headers.__getitem__)
        self.keys = [f",{encode_basestring(headers[position])}:" for position in self.order]
        head = '{"inputs_sha256":' + encode_basestring(result.provenance.inputs_sha256) + ',"overrides":{'
        self.head = hashlib.sha256(head.encode("utf-8"))

    def of(self, cells):
        """The hashes of rows given as columns of cell texts."""
        columns = [cells[position] for position in self.order]
        if not any("" in texts or _JSON_SPECIAL.search("".join(texts)) for texts in columns):
            # every row overrides every column with plain text: one template for all the rows
            template = ",".join(key[1:].replace("%", "%%") + '"%s"' for key in self.keys) + "}}\n"
            text = (template * len(columns[0])) % tuple(itertools.chain.from_iterable(zip(*columns)))
        else:
            pieces = []
            for key, texts in zip(self.keys, columns):
                if _JSON_SPECIAL.search("".join(texts)):
                    pieces.append([f"{key}{encode_basestring(cell)}" if cell else "" for cell in texts])
                else:
                    pieces.append([f'{key}"{cell}"' if cell else "" for cell in texts])
            text = "".join(f"{body[1:]}}}}}\n" for body in map("".join, zip(*pieces)))
        # the JSON text after its head, row by row (a line end in a cell is escaped in JSON)
        tails = text[:-1].encode("utf-8").split(b"\n")
        new = self.head.copy
        hashes = []
        for tail in tails:
            digest = new()
            digest.update(tail)
            hashes.append(digest.hexdigest())
        return hashes


#: Characters the json module escapes in a string (ensure_ascii=False).
_JSON_SPECIAL = re.compile(r'[\x00-\x1f"\\]')


def write_provenance(result: BatchResult, results_path: str | os.PathLike) -> Path:
    """Write (or rewrite, after a verification) the provenance file of a results CSV.

    Parameters
    ----------
    result : BatchResult
    results_path : str or os.PathLike
        The results CSV, already written: its sha256 goes into the provenance.

    Returns
    -------
    Path
        The provenance file (:func:`provenance_path`).
    """
    results_path = Path(results_path)
    provenance = result.provenance
    provenance.results_file = str(results_path)
    digest = hashlib.sha256()
    with results_path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    provenance.results_sha256 = digest.hexdigest()
    target = provenance_path(results_path)
    atomic_write(target, json.dumps(provenance.to_dict(), ensure_ascii=False, indent=2) + "\n")
    return target
