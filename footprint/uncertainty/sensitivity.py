"""Which figures matter: one-at-a-time (a tornado) and global (Sobol indices, through SALib).

:func:`tornado` sets each uncertain figure of a product to its low and its high value, every
other figure at its static value, and ranks the figures by the swing of the total. Low and
high are the 2.5 and 97.5 percentiles of the figure's distribution, or a user's own range
(:func:`read_ranges`: a CSV ``parameter,low,high``). All 2 x (figures) variants are evaluated
in one vectorised pass.

:func:`sobol_indices` estimates first-order and total Sobol indices of every figure with
SALib (an optional dependency: ``pip install 'footprint[sensitivity]'``): Saltelli's scheme,
N (D + 2) evaluations for D figures, drawn from SALib's scrambled Sobol sequence and mapped
through each figure's inverse distribution.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np

from footprint.errors import InputError, OptionError, SetupError, show
from footprint.uncertainty.distributions import magnitude_in
from footprint.uncertainty.montecarlo import CHUNK, check_seed, prepare

if TYPE_CHECKING:
    import pandas

    from footprint.model.spec import ProductSpec

#: The probabilities of a figure's low and high value in a tornado.
TORNADO_PROBABILITIES = (0.025, 0.975)
#: Most memory a Sobol run may take for its sample matrix and results [bytes].
SOBOL_MEMORY = 2 * 1024 ** 3
#: SALib release the ``sensitivity`` extra pins.
SALIB = "SALib==1.6.0"


@dataclass
class TornadoBar:
    """One figure of a tornado: its range and the total at each end."""

    path: str
    label: str
    unit: str  # of low, high and static
    static: float
    low: float
    high: float
    total_low: float  # [kg CO2-eq per declared unit]
    total_high: float
    swing: float  # |total_high - total_low|
    range_from: str  # "2.5-97.5 percentiles of <distribution>" or the ranges file


@dataclass
class Tornado:
    """The figures ranked by how much their range moves the total."""

    product: str
    per: str
    unit: str  # "kg CO2-eq/<per>"
    static: float
    bars: list  # TornadoBar, largest swing first
    figures: int  # how many uncertain figures were tried

    def to_dict(self) -> dict:
        return {"product": self.product, "declared_unit": f"1 {self.per}", "unit": self.unit, "static": self.static,
                "figures": self.figures, "bars": [asdict(bar) for bar in self.bars]}

    def to_frame(self) -> pandas.DataFrame:
        """One row per figure, largest swing first."""
        import pandas

        frame = pandas.DataFrame([asdict(bar) for bar in self.bars])
        frame.attrs.update(unit=self.unit, static=self.static)
        return frame


def tornado(
    product: str | os.PathLike | dict | ProductSpec,
    *,
    per: str = "module",
    gwp: str = "ar6",
    boundary: str = "cradle-to-gate",
    as_of: datetime.date | str | None = None,
    ranges: str | os.PathLike | dict | None = None,
    top: int | None = None,
    include_background: bool = True,
    uncertainty: dict | str | os.PathLike | None = None,
    electricity_basis: str | None = None,
) -> Tornado:
    """One-at-a-time sensitivity of a product's total to each of its uncertain figures.

    Parameters
    ----------
    product : str or os.PathLike or dict or ProductSpec
    per, gwp, boundary, as_of
        As :func:`footprint.compute`.
    ranges : str or os.PathLike or dict, optional
        A user's low and high values: a CSV file ``parameter,low,high`` (:func:`read_ranges`)
        or a dict path -> (low, high) of "number unit" texts. Other figures take the 2.5 and
        97.5 percentiles of their distributions.
    top : int, optional
        Keep only this many bars (the largest swings).
    include_background : bool
        Also vary the background datasets' rows (grid factors, materials' factors).
    uncertainty : dict or str or os.PathLike, optional
        As :func:`footprint.monte_carlo`.
    electricity_basis : str, optional
        ``life-cycle`` or ``official`` (any case), in place of the product file's
        ``product.electricity_basis`` (:func:`footprint.compute`). Default: the file's.

    Returns
    -------
    Tornado

    Raises
    ------
    footprint.errors.FootprintError
        A bad option, product, range (a low above its high, a path that is no figure of the product).

    Examples
    --------
    >>> import footprint
    >>> bars = footprint.tornado("examples/perc-glass-backsheet-jiangsu.yaml", per="kWp", top=10).bars  # doctest: +SKIP
    >>> [(bar.label, round(bar.swing, 1)) for bar in bars[:3]]  # doctest: +SKIP
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise OptionError("top", f"got {top!r}; expected a whole number above zero")
    model, options = prepare(product, per=per, gwp=gwp, boundary=boundary, as_of=as_of, uncertainty=uncertainty,
                             electricity_basis=electricity_basis)
    return tornado_of_model(model, options, ranges=ranges, top=top, include_background=include_background)


def tornado_of_model(model, options: dict, *, ranges=None, top: int | None = None, include_background: bool = True) -> Tornado:
    """The tornado of a product already prepared (:func:`footprint.uncertainty.montecarlo.prepare`), as :func:`tornado`."""
    figures = [figure for figure in model.figures if include_background or figure.group != "background"]
    user_ranges = _user_ranges(ranges, model)
    count = len(figures)
    values = model.static_values(2 * count)
    ends = []
    for position, figure in enumerate(figures):
        if figure.path in user_ranges:
            low, high = user_ranges[figure.path]
            origin = "ranges file"
        else:
            low, high = (float(value) for value in figure.ppf(np.array(TORNADO_PROBABILITIES)))
            origin = f"{TORNADO_PROBABILITIES[0]:.1%}-{TORNADO_PROBABILITIES[1]:.1%} percentiles of {figure.describe()}"
        values[figure.path] = values[figure.path].copy()
        values[figure.path][2 * position] = low
        values[figure.path][2 * position + 1] = high
        ends.append((low, high, origin))
    outcome = model.evaluate(values, 2 * count) if count else None
    static = float(model.static_outcome().total[0])
    bars = []
    for position, (figure, (low, high, origin)) in enumerate(zip(figures, ends)):
        total_low, total_high = float(outcome.total[2 * position]), float(outcome.total[2 * position + 1])
        bars.append(TornadoBar(figure.path, figure.label, figure.unit, figure.static, low, high, total_low, total_high,
                               abs(total_high - total_low), origin))
    bars.sort(key=lambda bar: -bar.swing)
    return Tornado(model.spec.id, options["per"], f"kg CO2-eq/{options['per']}", static, bars[:top] if top else bars, count)


def read_ranges(path: str | os.PathLike) -> dict[str, tuple[str, str]]:
    """Read a user's low and high values of figures: a CSV with columns ``parameter``, ``low``, ``high``.

    ``parameter`` is a figure's path (``stages.polysilicon.electricity``,
    ``stages.cell.materials.silver``, ``background.electricity_co2_CN-XJ_2023.co2_fossil``);
    ``low`` and ``high`` are "number unit" text in the figure's dimension.

    Returns
    -------
    dict
        path -> (low text, high text); checked against the product by :func:`tornado`.

    Raises
    ------
    InputError
        A missing column, an empty cell, a path given twice (naming the file and the row).
    """
    from footprint.fileio import decode_text, read_bytes

    where = str(path)
    text = decode_text(read_bytes(path, what="a CSV of ranges"), where, what="a CSV of ranges")
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    for column in ("parameter", "low", "high"):
        if column not in header:
            raise InputError(f"{where}: no column {column!r}; expected the columns parameter, low, high")
    found = {}
    for number, row in enumerate(reader, start=2):
        row = {key.strip(): (value or "").strip() for key, value in row.items() if key is not None}
        if not any(row.values()) or row.get("parameter", "").startswith("#"):
            continue
        for column in ("parameter", "low", "high"):
            if not row.get(column):
                raise InputError(f"{where}: row {number}: {column} is empty; expected a figure path and its low and high values")
        if row["parameter"] in found:
            raise InputError(f"{where}: row {number}: {row['parameter']} is given twice")
        found[row["parameter"]] = (row["low"], row["high"])
    return found


def _user_ranges(ranges, model):
    if ranges is None:
        return {}
    where = "ranges"
    if not isinstance(ranges, dict):
        where = str(ranges)
        ranges = read_ranges(ranges)
    checked = {}
    for path, pair in ranges.items():
        figure = model.by_path.get(path)
        if figure is None:
            known = ", ".join(f.path for f in model.figures if f.group != "background")
            raise InputError(f"{where}: {path}: no such figure with uncertainty in this product; expected one of {known}")
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise InputError(f"{where}: {path}: got {show(pair)}; expected (low, high)")
        low, high = (magnitude_in(text, figure.unit, f"{where}: {path}.{end}") for text, end in zip(pair, ("low", "high")))
        if not low < high:
            raise InputError(f"{where}: {path}: low {show(pair[0])} is not below high {show(pair[1])}; expected low < high")
        checked[path] = (low, high)
    return checked


# -- Sobol -------------------------------------------------------------------------------------

@dataclass
class SobolIndex:
    """First-order and total Sobol indices of one figure, with their 95 % confidence half-widths."""

    path: str
    label: str
    first: float
    first_conf: float
    total: float
    total_conf: float


@dataclass
class SobolResult:
    """Sobol indices of every figure, largest total index first."""

    product: str
    per: str
    unit: str
    base_samples: int  # N
    evaluations: int  # N (D + 2)
    seed: int
    indices: list  # SobolIndex
    variance: float  # of the total [unit**2]
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"product": self.product, "declared_unit": f"1 {self.per}", "unit": self.unit,
                "base_samples": self.base_samples, "evaluations": self.evaluations, "seed": self.seed,
                "variance": self.variance, "indices": [asdict(index) for index in self.indices], "notes": self.notes}

    def to_frame(self) -> pandas.DataFrame:
        """One row per figure: S1, S1 confidence, ST, ST confidence."""
        import pandas

        return pandas.DataFrame([asdict(index) for index in self.indices])


def sobol_indices(
    product: str | os.PathLike | dict | ProductSpec,
    *,
    base_samples: int = 1024,
    seed: int | None = None,
    per: str = "module",
    gwp: str = "ar6",
    boundary: str = "cradle-to-gate",
    as_of: datetime.date | str | None = None,
    uncertainty: dict | str | os.PathLike | None = None,
    progress: Callable[[int], None] | None = None,
    electricity_basis: str | None = None,
) -> SobolResult:
    """First-order and total Sobol indices of each uncertain figure (SALib, Saltelli's scheme).

    Parameters
    ----------
    product : str or os.PathLike or dict or ProductSpec
    base_samples : int
        N, a power of 2 (SALib's Sobol sequence needs it); the run evaluates N (D + 2) draws
        for D figures.
    seed : int, optional
        Seeds SALib's scrambled Sobol sequence and its bootstrap.
    per, gwp, boundary, as_of, uncertainty
        As :func:`footprint.monte_carlo`.
    progress : callable, optional
        Called with the number of evaluations done.
    electricity_basis : str, optional
        ``life-cycle`` or ``official`` (any case), in place of the product file's
        ``product.electricity_basis`` (:func:`footprint.compute`). Default: the file's.

    Returns
    -------
    SobolResult

    Raises
    ------
    SetupError
        SALib is not installed (``pip install 'footprint[sensitivity]'``).
    InputError
        N not a power of 2, or a run that would need more than :data:`SOBOL_MEMORY`.

    Examples
    --------
    >>> import footprint
    >>> result = footprint.sobol_indices("examples/perc-glass-backsheet-jiangsu.yaml", per="kWp", seed=1)  # doctest: +SKIP
    >>> [(index.label, round(index.total, 2)) for index in result.indices[:5]]  # doctest: +SKIP
    """
    if isinstance(base_samples, bool) or not isinstance(base_samples, int) or base_samples < 2 or base_samples & (base_samples - 1):
        raise OptionError("base_samples", f"got {base_samples!r}; expected a power of 2 from 2 up, such as 1024 "
                                          "(Sobol sequences balance only at powers of 2)")
    seed = check_seed(seed)
    sample, analyze = require_salib()
    model, options = prepare(product, per=per, gwp=gwp, boundary=boundary, as_of=as_of, uncertainty=uncertainty,
                             electricity_basis=electricity_basis)
    figures = model.figures
    count = len(figures)
    evaluations = base_samples * (count + 2)
    needed = evaluations * (count + 3) * 8
    if needed > SOBOL_MEMORY:
        raise OptionError("base_samples", f"got {base_samples}; {count} figures need {evaluations:,} evaluations and about "
                                          f"{needed / 1024 ** 3:.1f} GiB, beyond the {SOBOL_MEMORY / 1024 ** 3:.0f} GiB allowed; "
                                          "expected a smaller power of 2")
    problem = {"num_vars": count, "names": [figure.path for figure in figures], "bounds": [[0.0, 1.0]] * count}
    seed32 = int(seed % (2 ** 32))
    unit_draws = sample.sample(problem, base_samples, calc_second_order=False, scramble=True, seed=seed32)
    unit_draws = np.clip(unit_draws, 1e-12, 1 - 1e-12)  # ppf(0) and ppf(1) are infinite for (log)normals
    totals = np.empty(len(unit_draws))
    for start in range(0, len(unit_draws), CHUNK):
        rows = unit_draws[start:start + CHUNK]
        values = {figure.path: figure.ppf(rows[:, column]) for column, figure in enumerate(figures)}
        totals[start:start + len(rows)] = model.evaluate(values, len(rows)).total
        if progress is not None:
            progress(start + len(rows))
    if not np.all(np.isfinite(totals)):
        raise InputError(f"{model.spec.source}: a draw gives a footprint that is not a finite number; check the distributions")
    found = analyze.analyze(problem, totals, calc_second_order=False, print_to_console=False, seed=seed32)
    indices = [SobolIndex(figure.path, figure.label, float(found["S1"][i]), float(found["S1_conf"][i]), float(found["ST"][i]),
                          float(found["ST_conf"][i])) for i, figure in enumerate(figures)]
    indices.sort(key=lambda index: -index.total)
    notes = [f"{count} figures, N = {base_samples}: {evaluations:,} evaluations; indices are estimates, their 95 % "
             "confidence half-widths beside them (bootstrap); indices below about the half-width are not distinguishable from 0"]
    return SobolResult(model.spec.id, options["per"], f"kg CO2-eq/{options['per']}", base_samples, evaluations, seed, indices,
                       float(np.var(totals, ddof=1)), notes)


def require_salib():
    """SALib's Sobol sampler and analyser, or a one-line SetupError naming the extra to install."""
    try:
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample
    except ImportError:
        raise SetupError(f"Sobol indices need SALib, which is not installed; install it with pip install 'footprint[sensitivity]' "
                         f"({SALIB})") from None
    return sample, analyze
