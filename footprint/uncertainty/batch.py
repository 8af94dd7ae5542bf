"""Monte Carlo over a batch: each variant of a product with its own distribution.

:func:`monte_carlo_batch` reads a variants table as ``footprint batch`` does
(:mod:`footprint.calc.variants`: a CSV or a DataFrame whose columns are product-file paths),
and runs the Monte Carlo of :func:`footprint.uncertainty.montecarlo.monte_carlo` on each
variant in turn, on the background solved at setup (loaded once, shared by every variant).
A variant's figures are its own values, so the pedigree lognormals are centred on them; a
figure given its own distribution in the ``uncertainty:`` block keeps it.

Every variant is drawn with the same seed, figure by figure (each figure's stream depends on
the seed and its path only): the variants share their random numbers, so the differences
between them are not blurred by sampling noise ("common random numbers").

Memory stays bounded: each variant's draws are streamed in chunks and summarised, and only
the summaries are kept (a few numbers a variant).
"""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from footprint.uncertainty.montecarlo import (
    CHUNK,
    check_iterations,
    check_scheme,
    check_seed,
    prepare,
    probability_of_meeting,
    run_model,
)

if TYPE_CHECKING:
    import pandas

    from footprint.model.spec import ProductSpec

#: Most variants one run takes (the time grows with variants x draws; memory does not).
MAX_VARIANTS = 100_000


@dataclass
class VariantSummary:
    """The Monte Carlo of one variant [kg CO2-eq per declared unit]."""

    variant: str
    static: float
    mean: float
    median: float
    sd: float
    p2_5: float
    p97_5: float
    probabilities: dict = field(default_factory=dict)  # level id -> probability of meeting it


@dataclass
class BatchMonteCarlo:
    """What :func:`monte_carlo_batch` found: one summary per variant, in the table's order."""

    product: str
    per: str
    unit: str
    iterations: int  # per variant
    seed: int
    variants: list  # VariantSummary
    scheme: str | None
    seconds: float
    source: str  # the variants table
    notes: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain data (what ``footprint montecarlo --variants ... --format json`` prints)."""
        return {"product": self.product, "declared_unit": f"1 {self.per}", "unit": self.unit, "iterations": self.iterations,
                "seed": self.seed, "scheme": self.scheme, "variants_file": self.source, "seconds": self.seconds,
                "variants": [vars(summary) for summary in self.variants], "notes": list(self.notes)}

    def to_csv(self) -> str:
        """One line per variant: variant, static, mean, median, sd, p2.5, p97.5, each level's probability.

        Values in kg CO2-eq per declared unit, written with ``repr`` (every digit); variant
        names that a spreadsheet would read as a formula get a leading ``'``.
        """
        from footprint.calc.variants import csv_lines, spreadsheet_safe

        levels = list(self.variants[0].probabilities) if self.variants else []
        unit = self.unit.replace("kg CO2-eq/", "")
        columns = [["variant", *spreadsheet_safe([summary.variant for summary in self.variants])]]
        for name in ("static", "mean", "median", "sd", "p2_5", "p97_5"):
            header = f"{name.replace('_', '.')} [kg CO2-eq/{unit}]"
            columns.append([header, *(repr(float(getattr(summary, name))) for summary in self.variants)])
        for level in levels:
            columns.append([f"P({level})", *(repr(float(summary.probabilities[level])) for summary in self.variants)])
        return csv_lines(columns)

    def to_frame(self) -> pandas.DataFrame:
        """One row per variant: static, mean, median, sd, p2.5, p97.5 and each level's probability.

        Returns
        -------
        pandas.DataFrame
            Indexed by variant; values in kg CO2-eq per declared unit (``attrs['unit']``).
        """
        import pandas

        rows = {}
        for summary in self.variants:
            row = {"static": summary.static, "mean": summary.mean, "median": summary.median, "sd": summary.sd,
                   "p2.5": summary.p2_5, "p97.5": summary.p97_5}
            row.update({f"P({level})": value for level, value in summary.probabilities.items()})
            rows[summary.variant] = row
        frame = pandas.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "variant"
        frame.attrs.update(unit=self.unit, iterations=self.iterations, seed=self.seed)
        return frame


def monte_carlo_batch(
    base: str | os.PathLike | dict | ProductSpec,
    *,
    variants: str | os.PathLike | pandas.DataFrame,
    iterations: int = 1_000,
    seed: int | None = None,
    per: str = "module",
    gwp: str = "ar6",
    boundary: str = "cradle-to-gate",
    as_of: datetime.date | str | None = None,
    scheme: Any = None,
    uncertainty: dict | str | os.PathLike | None = None,
    chunk: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    electricity_basis: str | None = None,
) -> BatchMonteCarlo:
    """The Monte Carlo of every variant of a product: each variant's distribution of the footprint.

    Parameters
    ----------
    base : str or os.PathLike or dict or ProductSpec
        The base product.
    variants : str or os.PathLike or pandas.DataFrame
        A variants table, as for :func:`footprint.run_batch`.
    iterations : int
        Draws per variant.
    seed : int, optional
        One seed for every variant (common random numbers); drawn when not given.
    per, gwp, boundary, as_of
        As :func:`footprint.compute`.
    scheme : footprint.labels.schemes.Scheme, optional
        Adds each variant's probability of meeting the scheme's thresholds or grades; ``per``
        must be its declared unit.
    uncertainty : dict or str or os.PathLike, optional
        An ``uncertainty:`` block for every variant, instead of the base file's own.
    chunk : int
        Draws evaluated at a time.
    progress : callable, optional
        Called with the number of variants done.
    electricity_basis : str, optional
        ``life-cycle`` or ``official`` (any case), in place of the product file's
        ``product.electricity_basis`` (:func:`footprint.compute`). Default: the file's.

    Returns
    -------
    BatchMonteCarlo

    Raises
    ------
    footprint.errors.FootprintError
        A bad option, table or variant (one line naming the row), or the data directory not set up.

    Examples
    --------
    >>> from footprint.uncertainty.batch import monte_carlo_batch
    >>> found = monte_carlo_batch("examples/perc-glass-backsheet-jiangsu.yaml", variants="variants.csv",
    ...                           iterations=1000, seed=1, per="kWp")  # doctest: +SKIP
    >>> found.to_frame()[["median", "p2.5", "p97.5"]]  # doctest: +SKIP
    """
    from footprint.calc.batch import variant_spec
    from footprint.calc.compute import apply_electricity_basis, read_product
    from footprint.calc.variants import read_variants
    from footprint.errors import InputError, OptionError

    iterations = check_iterations(iterations)
    seed = check_seed(seed)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise OptionError("chunk", f"got {chunk!r}; expected a whole number of draws above zero")
    if scheme is not None:
        check_scheme(scheme, per=per)
    started = time.perf_counter()
    base_spec = apply_electricity_basis(read_product(base), electricity_basis)
    table = read_variants(variants)
    if len(table) == 0:
        raise InputError(f"{table.source}: no variants; expected one row per variant under the header")
    if len(table) > MAX_VARIANTS:
        raise InputError(f"{table.source}: {len(table):,} variants; expected at most {MAX_VARIANTS:,} in one Monte Carlo run "
                         "(split the table)")
    summaries = []
    unit = per
    for index in range(len(table)):
        spec = variant_spec(base_spec, table, index)
        try:
            model, options = prepare(spec, per=per, gwp=gwp, boundary=boundary, as_of=as_of, uncertainty=uncertainty)
            result = run_model(model, options, iterations=iterations, seed=seed, chunk=chunk)
        except InputError as exc:
            raise InputError(f"{table.where(index)}: {exc}") from None
        unit = result.unit
        levels = probability_of_meeting(result, scheme=scheme) if scheme is not None else []
        total = result.total
        summaries.append(VariantSummary(str(table.ids[index]), total.static, total.mean, total.median, total.sd,
                                        total.percentiles[2.5], total.percentiles[97.5],
                                        {level.id: level.probability for level in levels if level.maximum is not None}))
        if progress is not None:
            progress(index + 1)
    return BatchMonteCarlo(base_spec.id, options["per"], unit, iterations, seed, summaries, getattr(scheme, "id", None),
                           time.perf_counter() - started, str(table.source))
