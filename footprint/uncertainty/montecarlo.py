"""Monte Carlo of a product's footprint on the solved background, streamed in chunks.

:func:`monte_carlo` draws every uncertain figure of a product
(:class:`footprint.uncertainty.model.UncertainProduct`) ``iterations`` times and evaluates
the footprint for :data:`CHUNK` draws at a time, in numpy, on the background solved at
setup. Each figure has its own random stream (numpy ``Generator(PCG64)`` seeded from the
run's seed and the figure's path), so a seed gives the same draws on any machine, whatever
the chunk size.

Statistics are streamed, so memory stays bounded whatever the number of iterations:

- count, mean, standard deviation, minimum and maximum are exact (Chan et al.'s pairwise
  update of mean and sum of squares, chunk by chunk);
- percentiles and probabilities are exact up to :data:`EXACT_DRAWS` iterations (every draw is
  kept); beyond, they are estimated from a uniform random sample of :data:`EXACT_DRAWS` draws
  (reservoir sampling, "Algorithm R", itself seeded), which the result says
  (``percentiles_exact``).

:func:`bw2calc_reference` runs the same product through bw2calc's own Monte Carlo loop
(:mod:`footprint.brightway.montecarlo`), the reference the tests and the benchmark compare
with.
"""

from __future__ import annotations

import datetime
import math
import os
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from footprint.errors import InputError, OptionError
from footprint.uncertainty.block import read_uncertainty_block
from footprint.uncertainty.model import Outcome, UncertainProduct, stream
from footprint.uncertainty.pedigree import DataQualityRating, data_quality_rating

if TYPE_CHECKING:
    import pandas

    from footprint.model.spec import ProductSpec

#: Draws evaluated in one pass (memory: a few hundred arrays of this length).
CHUNK = 10_000
#: Draws kept for percentiles: all of them up to this many (exact), a uniform sample of this
#: many beyond (about 8 bytes x (2 + stages) each: 64 MB for a six-stage product).
EXACT_DRAWS = 1_000_000
#: The most iterations a run takes (about 10 hours at 30,000 draws a second).
MAX_ITERATIONS = 1_000_000_000
#: Percentiles reported by default [%].
PERCENTILES = (2.5, 97.5)


@dataclass
class Summary:
    """Statistics of one result series [kg CO2-eq per declared unit]."""

    mean: float
    median: float
    sd: float
    percentiles: dict  # percentile [%] (float) -> value
    minimum: float
    maximum: float
    static: float  # the static result (every figure at its value)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["percentiles"] = {_percent_key(p): v for p, v in self.percentiles.items()}
        return data


@dataclass
class MonteCarloResult:
    """What :func:`monte_carlo` found: statistics of the total and of each stage, the static result beside them."""

    product: str
    product_name: str
    per: str
    unit: str  # "kg CO2-eq/<per>"
    gwp: str
    boundary: str
    iterations: int
    seed: int
    total: Summary  # location-based
    market_based: Summary
    by_stage: dict  # stage -> Summary (location-based)
    percentiles_exact: bool
    draws_kept: int
    samples: np.ndarray  # (draws_kept, 2 + stages): total, market-based, each stage; every draw or a uniform sample
    columns: list  # names of the columns of ``samples``
    figures: list  # footprint.uncertainty.model.Figure, as dicts
    dqr: DataQualityRating
    explanation: str
    seconds: float
    chunk: int
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """The result as plain data (what ``footprint montecarlo --format json`` prints; no samples)."""
        return {
            "product": self.product, "product_name": self.product_name, "declared_unit": f"1 {self.per}", "unit": self.unit,
            "gwp": self.gwp, "boundary": self.boundary, "iterations": self.iterations, "seed": self.seed,
            "static": self.total.static, "total": self.total.to_dict(), "market_based": self.market_based.to_dict(),
            "by_stage": {stage: summary.to_dict() for stage, summary in self.by_stage.items()},
            "percentiles_exact": self.percentiles_exact, "draws_kept": self.draws_kept, "explanation": self.explanation,
            "data_quality_rating": self.dqr.to_dict(), "figures": self.figures, "seconds": self.seconds, "chunk": self.chunk,
            "notes": list(self.notes),
        }

    def to_frame(self) -> pandas.DataFrame:
        """One row per series (total, market_based, each stage): static, mean, median, sd and the percentiles.

        Returns
        -------
        pandas.DataFrame
            Values in kg CO2-eq per declared unit (``attrs['unit']``).
        """
        import pandas

        rows = {"total": self.total, "market_based": self.market_based, **self.by_stage}
        frame = pandas.DataFrame({name: {"static": s.static, "mean": s.mean, "median": s.median, "sd": s.sd,
                                         **{f"p{_percent_key(p)}": v for p, v in s.percentiles.items()}}
                                  for name, s in rows.items()}).T
        frame.attrs.update(unit=self.unit, iterations=self.iterations, seed=self.seed, percentiles_exact=self.percentiles_exact)
        return frame

    def samples_of(self, series: str = "total") -> np.ndarray:
        """The kept draws of one series (``total``, ``market_based`` or a stage) [kg CO2-eq per declared unit]."""
        return self.samples[:, self.columns.index(series)]


def monte_carlo(
    product: str | os.PathLike | dict | ProductSpec,
    *,
    iterations: int = 10_000,
    seed: int | None = None,
    per: str = "module",
    gwp: str = "ar6",
    boundary: str = "cradle-to-gate",
    as_of: datetime.date | str | None = None,
    percentiles: Sequence[float] = PERCENTILES,
    uncertainty: dict | str | os.PathLike | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    electricity_basis: str | None = None,
) -> MonteCarloResult:
    """Monte Carlo of a product's footprint: every uncertain figure drawn ``iterations`` times.

    The figures and their distributions: every number of the product file (a lognormal from
    the pedigree scores of its kind of source, or the distribution its ``uncertainty:`` block
    gives), every bundled default the product takes and every row of the background datasets
    it reaches (lognormals from their pedigree scores; docs/uncertainty.md).

    Parameters
    ----------
    product : str or os.PathLike or dict or ProductSpec
        A product file, its content as a dict, or a product already read.
    iterations : int
        Draws, 1 to :data:`MAX_ITERATIONS`; streamed :data:`CHUNK` at a time.
    seed : int, optional
        Makes the run reproducible on any machine; by default one is drawn (and reported).
    per, gwp, boundary, as_of
        As :func:`footprint.compute`.
    percentiles : sequence of float
        Percentiles to report [%], each from 0 to 100, besides the 2.5 and 97.5 percentiles and
        the median, which are always reported.
    uncertainty : dict or str or os.PathLike, optional
        An ``uncertainty:`` block (its content, or a YAML file holding it) to use instead of
        the product file's own (a workbook has none).
    chunk : int
        Draws evaluated at a time; the result does not depend on it.
    progress : callable, optional
        Called with the number of draws done after each chunk.
    electricity_basis : str, optional
        ``life-cycle`` or ``official`` (any case), in place of the product file's
        ``product.electricity_basis`` (:func:`footprint.compute`). Default: the file's.

    Returns
    -------
    MonteCarloResult
        Mean, median, standard deviation and percentiles of the total (location- and
        market-based) and of each stage [kg CO2-eq per declared unit], the static result
        beside them and a sentence on why the mean differs from it.

    Raises
    ------
    footprint.errors.FootprintError
        A bad option, product or ``uncertainty:`` entry (one line naming it), or the data
        directory not set up.

    Examples
    --------
    >>> import footprint
    >>> result = footprint.monte_carlo("examples/perc-glass-backsheet-jiangsu.yaml", iterations=10000, seed=1,
    ...                                per="kWp")  # doctest: +SKIP
    >>> result.total.median, result.total.percentiles[2.5], result.total.static  # doctest: +SKIP
    """
    iterations = check_iterations(iterations)
    seed = check_seed(seed)
    percentiles = tuple(sorted(set(PERCENTILES) | set(check_percentiles(percentiles))))
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise OptionError("chunk", f"got {chunk!r}; expected a whole number of draws above zero")
    started = time.perf_counter()
    model, options = prepare(product, per=per, gwp=gwp, boundary=boundary, as_of=as_of, uncertainty=uncertainty,
                             electricity_basis=electricity_basis)
    result = run_model(model, options, iterations=iterations, seed=seed, percentiles=percentiles, chunk=chunk,
                       progress=progress, started=started)
    if electricity_basis is not None:
        result.notes.append(f"electricity basis {model.spec.electricity_basis}: chosen by the caller (electricity_basis), in "
                            "place of the product file's product.electricity_basis")
    return result


def run_model(model: UncertainProduct, options: dict, *, iterations: int, seed: int, percentiles: Sequence[float] = PERCENTILES,
              chunk: int = CHUNK, progress: Callable[[int], None] | None = None, started: float | None = None) -> MonteCarloResult:
    """The Monte Carlo of a product already prepared (:func:`prepare`): the loop of :func:`monte_carlo`.

    ``iterations``, ``seed`` and ``percentiles`` are taken as checked; the 2.5 and 97.5
    percentiles are always among the percentiles.
    """
    started = time.perf_counter() if started is None else started
    percentiles = tuple(sorted(set(PERCENTILES) | set(percentiles)))
    generators = model.generators(seed)
    static = model.static_outcome()
    stages = list(static.by_stage)
    columns = ["total", "market_based", *stages]
    moments = Moments(len(columns))
    reservoir = Reservoir(min(EXACT_DRAWS, iterations), len(columns), stream(seed, "reservoir"))
    done = 0
    while done < iterations:
        size = min(chunk, iterations - done)
        values = {figure.path: figure.sample(generators[figure.path], size) for figure in model.figures}
        outcome = model.evaluate(values, size)
        block = _columns(outcome, stages, size)
        if not np.all(np.isfinite(block)):
            raise InputError(f"{model.spec.source}: a draw gives a footprint that is not a finite number; check the "
                             "distributions of the uncertainty: block")
        moments.add(block)
        reservoir.add(block)
        done += size
        if progress is not None:
            progress(done)
    kept = reservoir.values()
    static_values = _columns(static, stages, 1)[0]
    summaries = [Summary(moments.mean[i], float(np.percentile(kept[:, i], 50)), moments.sd[i],
                         {p: float(np.percentile(kept[:, i], p)) for p in percentiles}, moments.minimum[i], moments.maximum[i],
                         float(static_values[i])) for i in range(len(columns))]
    unit = f"kg CO2-eq/{options['per']}"
    notes = []
    if iterations > EXACT_DRAWS:
        notes.append(f"percentiles and the median are estimated from a uniform random sample of {EXACT_DRAWS:,} of the "
                     f"{iterations:,} draws (reservoir sampling); mean, sd, minimum and maximum are over every draw")
    return MonteCarloResult(
        product=model.spec.id, product_name=model.spec.name, per=options["per"], unit=unit, gwp=options["gwp"],
        boundary=options["boundary"], iterations=iterations, seed=seed, total=summaries[0], market_based=summaries[1],
        by_stage=dict(zip(stages, summaries[2:])), percentiles_exact=iterations <= EXACT_DRAWS, draws_kept=len(kept),
        samples=kept, columns=columns, figures=[figure.to_dict() for figure in model.figures],
        dqr=data_quality_rating(model.contributions()), explanation=explain(summaries[0], iterations, unit),
        seconds=time.perf_counter() - started, chunk=chunk, notes=notes)


def prepare(product, *, per, gwp, boundary, as_of, uncertainty=None, electricity_basis=None):
    """The product read and its uncertain figures, on the background of its GWP set.

    Returns
    -------
    (UncertainProduct, dict)
        The model and the checked options (``per``, ``gwp``, ``boundary``, ``as_of``).
    """
    from footprint.brightway.background import load_background
    from footprint.brightway.project import check_setup
    from footprint.bundle.read import read_bundle
    from footprint.calc.compute import apply_electricity_basis, check_finite, check_options, read_product
    from footprint.vocab import BOUNDARIES, DECLARED_UNITS, ELECTRICITY_BASES, GWP_SETS, choose

    per = choose(per, DECLARED_UNITS, what="per")
    gwp = choose(gwp, GWP_SETS, what="gwp")
    boundary = choose(boundary, BOUNDARIES, what="boundary")
    as_of = check_options(per=per, gwp=gwp, boundary=boundary, as_of=as_of)
    if electricity_basis is not None:  # refused before the product is read
        electricity_basis = choose(electricity_basis, ELECTRICITY_BASES, what="electricity_basis")
    spec = apply_electricity_basis(read_product(product), electricity_basis)
    check_finite(spec)
    user = None
    if uncertainty is not None:
        user = read_uncertainty_block(_uncertainty_data(uncertainty), source=_uncertainty_source(uncertainty, spec))
    bundle = read_bundle()
    check_setup(bundle)
    background = load_background(bundle, gwp)
    model = UncertainProduct(spec, bundle, background, per=per, boundary=boundary, gwp=gwp, as_of=as_of, user=user)
    return model, {"per": per, "gwp": gwp, "boundary": boundary, "as_of": as_of}


def _uncertainty_data(uncertainty):
    if isinstance(uncertainty, dict):
        return uncertainty.get("uncertainty", uncertainty) if set(uncertainty) == {"uncertainty"} else uncertainty
    from footprint.fileio import load_yaml, read_bytes

    data = load_yaml(read_bytes(uncertainty, what="a YAML uncertainty file"), str(uncertainty), what="a YAML uncertainty file")
    return data.get("uncertainty", data) if isinstance(data, dict) and set(data) == {"uncertainty"} else data


def _uncertainty_source(uncertainty, spec):
    return "<uncertainty>" if isinstance(uncertainty, dict) else str(uncertainty)


def _columns(outcome: Outcome, stages, size):
    block = np.empty((size, 2 + len(stages)))
    block[:, 0] = outcome.total
    block[:, 1] = outcome.market
    for position, stage in enumerate(stages):
        block[:, 2 + position] = outcome.by_stage.get(stage, 0.0)
    return block


class Moments:
    """Streamed count, mean, sum of squared deviations, minimum and maximum of each column (exact).

    Chunks merge with Chan, Golub and LeVeque's pairwise update, which stays accurate for any
    number of chunks (no sum of squares of raw values).
    """

    def __init__(self, columns):
        self.count = 0
        self.mean_sum = np.zeros(columns)
        self.m2 = np.zeros(columns)
        self.minimum = np.full(columns, np.inf)
        self.maximum = np.full(columns, -np.inf)

    def add(self, block):
        size = len(block)
        mean = block.mean(axis=0)
        m2 = ((block - mean) ** 2).sum(axis=0)
        total = self.count + size
        delta = mean - self.mean_sum
        self.mean_sum = self.mean_sum + delta * size / total
        self.m2 = self.m2 + m2 + delta ** 2 * self.count * size / total
        self.count = total
        self.minimum = np.minimum(self.minimum, block.min(axis=0))
        self.maximum = np.maximum(self.maximum, block.max(axis=0))

    @property
    def mean(self):
        return [float(value) for value in self.mean_sum]

    @property
    def sd(self):
        """Sample standard deviation (n - 1)."""
        return [float(math.sqrt(value / (self.count - 1))) if self.count > 1 else 0.0 for value in self.m2]


class Reservoir:
    """A uniform random sample of at most ``capacity`` rows of a stream (Algorithm R), chunk by chunk.

    Row i (0-based) beyond the capacity replaces row floor(u_i x (i + 1)) when that is below
    the capacity, u_i the i-th uniform of the reservoir's own stream: the kept rows do not
    depend on how the stream is cut into chunks. Up to the capacity every row is kept.
    """

    def __init__(self, capacity, columns, rng):
        self.capacity = capacity
        self.rows = np.empty((capacity, columns))
        self.filled = 0
        self.seen = 0
        self.rng = rng

    def add(self, block):
        take = min(self.capacity - self.filled, len(block))
        if take:
            self.rows[self.filled:self.filled + take] = block[:take]
            self.filled += take
        rest = block[take:]
        if len(rest):
            index = self.seen + take + np.arange(len(rest))
            slots = np.floor(self.rng.random(len(rest)) * (index + 1)).astype(np.int64)
            chosen = np.flatnonzero(slots < self.capacity)
            # the later of two rows drawn for one slot wins, as row by row
            reversed_slots = slots[chosen][::-1]
            unique, first = np.unique(reversed_slots, return_index=True)
            self.rows[unique] = rest[chosen[::-1][first]]
        self.seen += len(block)

    def values(self):
        return self.rows[:self.filled]


def explain(summary: Summary, iterations: int, unit: str) -> str:
    """Why the Monte Carlo mean is not the static result, in one paragraph for people who think it is a bug.

    Parameters
    ----------
    summary : Summary
        Of the total.
    iterations : int
    unit : str

    Returns
    -------
    str
    """
    error = summary.sd / math.sqrt(iterations) if iterations > 1 else math.inf
    static, mean, median = summary.static, summary.mean, summary.median
    low, high = min(summary.percentiles.get(2.5, math.nan), static), max(summary.percentiles.get(97.5, math.nan), static)
    shift = (mean - static) / static if static else math.nan

    def show(value):
        return f"{value:,.4g} {unit}"

    if abs(mean - static) <= 3 * error:
        first = (f"The mean ({show(mean)}) agrees with the static result ({show(static)}) within the Monte Carlo's "
                 f"sampling error ({show(error)}).")
    else:
        direction = "above" if mean > static else "below"
        first = (f"The mean ({show(mean)}) is {abs(shift):.1%} {direction} the static result ({show(static)}), and that "
                 "is expected, not an error: the static result puts every figure at its central value, the median "
                 "of its distribution, while most distributions here are lognormal, skewed towards high values, so their "
                 "means are above their medians (by exp(sigma**2 / 2)); yields and efficiencies divide, which skews the "
                 "result further.")
    second = f" The median of the draws is {show(median)}"
    if low <= static <= high and not math.isnan(low):
        second += "; the static result lies within the 95 % range."
    else:
        second += "."
    return first + second


def check_iterations(iterations) -> int:
    """``iterations`` checked: a whole number from 1 to :data:`MAX_ITERATIONS`."""
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or not 1 <= iterations <= MAX_ITERATIONS:
        raise OptionError("iterations", f"got {iterations!r}; expected a whole number of draws from 1 to {MAX_ITERATIONS:,} "
                                        "(statistics are streamed: memory stays bounded, time grows with the draws)")
    return int(iterations)


def check_seed(seed) -> int:
    """A seed checked (a whole number from 0 to 2**128 - 1), or one drawn from the operating system's entropy."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2 ** 63))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2 ** 128:
        raise OptionError("seed", f"got {seed!r}; expected a whole number from 0 to 2**128 - 1")
    return int(seed)


def check_percentiles(percentiles) -> tuple:
    """Percentiles checked: numbers from 0 to 100 [%], sorted, without repeats."""
    values = []
    for value in percentiles:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value <= 100:
            raise OptionError("percentiles", f"got {value!r}; expected percentiles from 0 to 100, such as 2.5 and 97.5")
        values.append(float(value))
    return tuple(sorted(set(values)))


def _percent_key(percentile):
    return f"{percentile:g}"


# -- a scheme's thresholds --------------------------------------------------------------------

@dataclass
class LevelProbability:
    """The probability that a product meets one threshold or grade of a scheme."""

    id: str
    label: object  # the scheme's label of the level ({en, zh} or text), or None
    maximum: float | None  # [the scheme's unit]; None for a last grade that takes every higher value
    probability: float  # of a value within this level or a stricter one (meets its threshold)
    probability_of_grade: float  # of a value in this grade's band exactly
    standard_error: float  # of ``probability``, from the number of draws


def probability_of_meeting(result: MonteCarloResult | np.ndarray | Sequence[float], *, scheme: Any) -> list[LevelProbability]:
    """The probability that a product meets each threshold or grade of a label scheme.

    The draws are compared the way the scheme decides (``decision.comparison`` ``<=`` or
    ``<``; rounded to ``rounding.step`` first when ``rounding.applies_to`` is ``decision``).

    Parameters
    ----------
    result : MonteCarloResult or array of float
        A Monte Carlo result computed per the scheme's declared unit, or the draws of the
        total themselves [the scheme's unit].
    scheme : footprint.labels.schemes.Scheme or dict
        A scheme (``decision``, ``rounding``, ``unit``), or a dict with those keys.

    Returns
    -------
    list of LevelProbability
        One per level, strictest first; empty for a scheme that only declares a value.

    Raises
    ------
    InputError
        A result per another declared unit than the scheme's; a scheme whose value is not the
        total footprint (``indicator`` other than ``total``: France's ECS is its own formula).

    Examples
    --------
    >>> import footprint
    >>> from footprint.labels.schemes import load_scheme
    >>> result = footprint.monte_carlo("examples/perc-glass-backsheet-jiangsu.yaml", per="kWp", seed=1)  # doctest: +SKIP
    >>> [(level.id, round(level.probability, 3)) for level in
    ...  footprint.probability_of_meeting(result, scheme=load_scheme("epeat-ulcs"))]  # doctest: +SKIP
    """
    def get(name):
        return scheme.get(name) if isinstance(scheme, dict) else getattr(scheme, name)

    name = scheme.get("id", "") if isinstance(scheme, dict) else getattr(scheme, "id", "")
    indicator = scheme.get("indicator", "total") if isinstance(scheme, dict) else getattr(scheme, "indicator", "total")
    if indicator not in (None, "total"):
        raise InputError(f"probability_of_meeting: scheme {name} decides on its own indicator ({indicator}), not on the "
                         "total footprint these draws are of")
    if isinstance(result, MonteCarloResult):
        unit = get("unit")
        if unit and unit != result.unit:
            raise InputError(f"probability_of_meeting: the result is in {result.unit}, the scheme decides in {unit}; "
                             "run the Monte Carlo per the scheme's declared unit")
        draws = result.samples_of("total")
    else:
        draws = np.asarray(result, dtype=float)
    decision = get("decision") or {}
    levels = decision.get("grades") or decision.get("thresholds") or []
    if decision.get("kind") not in ("grades", "threshold") or not levels or len(draws) == 0:
        return []
    rounding = get("rounding") or {}
    compared = _rounded(draws, rounding) if rounding.get("applies_to") == "decision" else draws
    strict = decision.get("comparison") == "<"
    found = []
    below = 0.0
    for level in levels:
        limit = float(level["max"])
        within = float(np.mean(compared < limit if strict else compared <= limit))
        found.append(LevelProbability(str(level["id"]), level.get("label"), limit, within, within - below,
                                      math.sqrt(within * (1 - within) / len(draws))))
        below = within
    above = decision.get("above")
    if isinstance(above, dict):
        found.append(LevelProbability(str(above["id"]), above.get("label"), None, 1.0, 1.0 - below, 0.0))
    return found


def check_scheme(scheme: Any, *, per: str | None = None) -> str:
    """The declared unit to run a Monte Carlo in for a scheme's probabilities, checked before any work.

    Parameters
    ----------
    scheme : footprint.labels.schemes.Scheme
    per : str, optional
        The declared unit asked for; by default the scheme's.

    Returns
    -------
    str
        The scheme's declared unit.

    Raises
    ------
    OptionError
        ``per`` other than the scheme's declared unit, or a scheme that decides on its own
        indicator (fr-ecs), not on the total footprint.

    Examples
    --------
    >>> from footprint.labels.schemes import load_scheme
    >>> check_scheme(load_scheme("epeat-ulcs"))  # doctest: +SKIP
    'kWp'
    """
    indicator = getattr(scheme, "indicator", "total")
    if indicator not in (None, "total"):
        raise OptionError("scheme", f"{scheme.id} decides on its own indicator ({indicator}), not on the footprint the "
                                    "Monte Carlo draws; leave --scheme out")
    declared = scheme.declared_unit
    if per is not None and per.lower() != declared.lower():
        raise OptionError("per", f"got {per}; scheme {scheme.id} decides per {declared}: leave --per out or give --per {declared}")
    return declared


def _rounded(values, rounding):
    """Values rounded as :func:`footprint.labels.evaluate.round_value` rounds one (half up, up or down)."""
    step = float(rounding.get("step", 1))
    scaled = values / step
    mode = rounding.get("mode", "half_up")
    if mode == "up":
        return np.ceil(scaled) * step
    if mode == "down":
        return np.floor(scaled) * step
    return np.floor(scaled + 0.5) * step


# -- the reference: bw2calc's own loop ----------------------------------------------------------

@dataclass
class ReferenceRun:
    """The same product through the fast path and through bw2calc's Monte Carlo loop."""

    fast: np.ndarray  # the fast path's totals [kg CO2-eq per declared unit]
    bw2calc: np.ndarray  # bw2calc's, same distributions, other draws
    fast_seconds: float
    bw2calc_seconds: float
    iterations: int


def bw2calc_reference(
    product: str | os.PathLike | dict | ProductSpec,
    *,
    iterations: int = 1_000,
    seed: int = 0,
    per: str = "module",
    gwp: str = "ar6",
    boundary: str = "cradle-to-gate",
    as_of: datetime.date | str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReferenceRun:
    """The product's Monte Carlo through the fast path and through bw2calc's own loop, for comparison.

    Both sample the same distributions with different draws: the fast path with ``seed``, bw2calc
    the background's stored uncertainty fields with its own generator, the foreground (drawn
    figures in formulas) from ``seed + 1``. Their statistics agree within sampling error.

    Parameters
    ----------
    product : str or os.PathLike or dict or ProductSpec
    iterations : int
    seed : int
    per, gwp, boundary, as_of
        As :func:`monte_carlo` (location-based totals).
    progress : callable, optional
        Called with bw2calc's iterations done.

    Returns
    -------
    ReferenceRun
    """
    from footprint.brightway.montecarlo import bw2calc_monte_carlo

    iterations = check_iterations(iterations)
    seed = check_seed(seed)
    started = time.perf_counter()
    fast = monte_carlo(product, iterations=iterations, seed=seed, per=per, gwp=gwp, boundary=boundary, as_of=as_of)
    fast_seconds = time.perf_counter() - started
    model, options = prepare(product, per=per, gwp=gwp, boundary=boundary, as_of=as_of)
    generators = model.generators(seed + 1)
    values = {figure.path: figure.sample(generators[figure.path], iterations) for figure in model.figures}
    system, divisor = model.system_for(values, iterations)
    scores, seconds = bw2calc_monte_carlo(system.location, system.demand, bundle=model.bundle, gwp=options["gwp"],
                                          iterations=iterations, seed=seed + 2, progress=progress)
    return ReferenceRun(fast.samples_of("total").copy(), scores / divisor, fast_seconds, seconds, iterations)
