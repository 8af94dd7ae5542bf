"""Check a batch against Brightway: sampled variants recomputed with a full bw2calc LCA each.

:func:`verify` writes each sampled variant's foreground into a temporary Brightway database
(deleted afterwards) and solves it with bw2calc on the installed background, location- and
market-based; :func:`check_agreement` is the verdict: every relative difference at most
:data:`~footprint.calc.compute.AGREEMENT` (1e-9), as for a single calculation.
"""

from __future__ import annotations

import datetime as _dt
import os
import random
import re
from dataclasses import asdict, dataclass
from typing import Sequence

from footprint.bundle.read import read_bundle
from footprint.calc.batch import BatchResult, variant_spec
from footprint.calc.compute import AGREEMENT, apply_electricity_basis, read_product
from footprint.calc.system import build_system
from footprint.errors import FootprintError
from footprint.fileio import parse_date
from footprint.model.spec import ProductSpec

#: The two electricity bases a variant is verified on.
BASES = ("location", "market")


@dataclass
class Verified:
    """One sampled variant on one basis: the batch's value and bw2calc's."""

    index: int  # the variant's position in the table
    variant: str
    basis: str  # "location" or "market" (based)
    batch: float  # [kg CO2-eq per declared unit]
    brightway: float  # [kg CO2-eq per declared unit]
    relative_difference: float


def verify(
    result: BatchResult,
    base: str | os.PathLike | dict | ProductSpec,
    *,
    sample: int = 5,
    seed: int = 0,
    bases: Sequence[str] = BASES,
) -> list[Verified]:
    """Recompute sampled variants with a separate full bw2calc LCA each, location- and market-based.

    Each variant's foreground is written into a temporary Brightway database (deleted
    afterwards) and solved with bw2calc on the installed background. Without electricity
    instruments both foregrounds are the same: the market-based one is then not solved again.

    Parameters
    ----------
    result : BatchResult
    base : str or os.PathLike or dict or ProductSpec
        The base product the batch ran on.
    sample : int
        How many variants (all if fewer), drawn with ``seed``.
    seed : int
    bases : sequence of str
        ``"location"``, ``"market"`` or both (default).

    Returns
    -------
    list of Verified
        One per sampled variant and basis, in the order of the variants; also recorded in
        ``result.provenance.verified``. :func:`check_agreement` gives the verdict.

    Examples
    --------
    >>> from footprint.calc.verify import check_agreement, verify
    >>> checked = verify(batch, "examples/perc-glass-backsheet-jiangsu.yaml", sample=5)  # doctest: +SKIP
    >>> check_agreement(checked)  # doctest: +SKIP
    {'location': 4.4e-16, 'market': 4.4e-16}
    """
    from footprint.brightway.check import score_in_temporary_database

    # the basis the batch ran on, when its caller chose one (run_batch(electricity_basis=...))
    base_spec = apply_electricity_basis(read_product(base), result.provenance.electricity_basis if result.provenance else None)
    bundle = read_bundle()
    gwp = result.gwp
    as_of = parse_date(result.as_of, where="as_of", today=_dt.date.today())
    indices = list(range(len(result.variants)))
    random.Random(seed).shuffle(indices)
    checked = []
    for index in sorted(indices[:sample]):
        spec = variant_spec(base_spec, result.variants, index)
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
            checked.append(Verified(index, str(result.variants.ids[index]), basis, value, reference, difference))
    if result.provenance is not None:
        result.provenance.verified = [asdict(item) for item in checked]
    return checked


def largest_differences(checked: Sequence[Verified]) -> dict[str, tuple[int, float]]:
    """Per basis verified: how many variants, and the largest relative difference."""
    summary = {}
    for basis in dict.fromkeys(item.basis for item in checked):
        items = [item for item in checked if item.basis == basis]
        summary[basis] = (len(items), max(item.relative_difference for item in items))
    return summary


def check_agreement(checked: Sequence[Verified], *, where: str = "", tolerance: float = AGREEMENT) -> dict[str, float]:
    """The verdict of a verification: the batch and bw2calc agree to ``tolerance`` (relative).

    Parameters
    ----------
    checked : sequence of Verified
        What :func:`verify` returned.
    where : str
        What was verified, for the message (the results file).
    tolerance : float
        The largest relative difference allowed; 1e-9 by default, as for a single calculation.

    Returns
    -------
    dict of str to float
        Basis -> the largest relative difference.

    Raises
    ------
    FootprintError
        A difference above ``tolerance``.
    """
    worst = {basis: difference for basis, (_, difference) in largest_differences(checked).items()}
    largest = max(worst.values(), default=0.0)
    if not largest <= tolerance:
        prefix = f"{where}: " if where else ""
        allowed = re.sub(r"e([+-])0(\d)", r"e\1\2", f"{tolerance:g}")  # 1e-9, not 1e-09
        raise FootprintError(f"{prefix}batch and bw2calc differ by {largest:.1e} (relative); expected at most {allowed}")
    return worst

