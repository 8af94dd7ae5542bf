"""Pedigree scores of a product's figures: the user's by kind of source, and the PEF-style DQR.

Every bundled number carries its five pedigree scores (``inventories/README.md``); a number of
the product file gets scores from the kind of source it came from (:data:`SOURCE_KINDS`),
``calculated`` unless the file's ``uncertainty:`` block says otherwise. The scores become a
lognormal spread with the ecoinvent v3 table (:mod:`footprint.bundle.quality`, where the
table and its sources are).

The scores of a kind of source are footprint's reading of the pedigree descriptions of
``inventories/README.md`` for a figure of the product's own site, for the product's own
process, of this year (completeness, temporal, geographical and technological 1 unless said):

- ``measured``: read on the site's meters or scales, not yet verified: reliability 2
  ("verified data partly based on assumptions, or non-verified measured data");
- ``calculated``: computed from measured figures with assumptions (an allocation of a meter's
  reading to a product line): reliability 3;
- ``estimated``: an engineer's or equipment maker's estimate: reliability 4 ("qualified estimate");
- ``supplier``: a supplier's declaration (a datasheet, a declared footprint): reliability 3,
  completeness 2 (what the supplier counted is not seen).

The PEF data quality rating (:func:`data_quality_rating`) is reported beside the Monte Carlo
range; it rates the data, it is not a spread.
"""

from __future__ import annotations

from dataclasses import dataclass

from footprint.bundle.quality import INDICATORS, lognormal_sigma, scores_of
from footprint.errors import InputError

#: Pedigree scores (reliability, completeness, temporal, geographical, technological) of a
#: product-file figure by the kind of source it came from.
SOURCE_KINDS = {
    "measured": (2, 1, 1, 1, 1),
    "calculated": (3, 1, 1, 1, 1),
    "estimated": (4, 1, 1, 1, 1),
    "supplier": (3, 2, 1, 1, 1),
}
#: The kind of source of a product-file figure when its ``uncertainty:`` block says nothing.
DEFAULT_SOURCE = "calculated"

#: The PEF data quality criteria and the pedigree indicator each is read from (footprint's
#: mapping): technological (TeR), geographical (GeR), time-related (TiR) representativeness and
#: precision (P). Completeness has no DQR criterion.
DQR_CRITERIA = {"TeR": "technological", "GeR": "geographical", "TiR": "temporal", "P": "reliability"}


def source_scores(kind: str, *, where: str = "") -> tuple:
    """The pedigree scores of a figure from a kind of source (:data:`SOURCE_KINDS`).

    Raises
    ------
    InputError
        An unknown kind.
    """
    if kind not in SOURCE_KINDS:
        raise InputError(f"{where}: got {kind!r}; expected a kind of source: {', '.join(SOURCE_KINDS)}" if where
                         else f"source: got {kind!r}; expected one of {', '.join(SOURCE_KINDS)}")
    return SOURCE_KINDS[kind]


def figure_sigma(quality, kind: str = "demand") -> float:
    """sigma of ln x of a figure of the given quality (scores or a kind of source name).

    Examples
    --------
    >>> round(figure_sigma("measured"), 4)  # sqrt(0.0006 + 0.0006)
    0.0346
    """
    scores = SOURCE_KINDS[quality] if isinstance(quality, str) and quality in SOURCE_KINDS else scores_of(quality)
    return lognormal_sigma(scores, kind)


@dataclass
class DataQualityRating:
    """The PEF-style data quality rating of a result's inputs.

    ``dqr`` is the mean of the four criteria, each the contribution-weighted mean of the
    inputs' scores (weights: each input's share of the static total, absolute values).
    """

    dqr: float
    criteria: dict  # TeR, GeR, TiR, P -> weighted mean score
    inputs: list  # (label, share of the total, scores tuple, dqr of the input)
    formula: str = "DQR = (TeR + GeR + TiR + P) / 4"

    def to_dict(self) -> dict:
        return {"dqr": self.dqr, "criteria": dict(self.criteria), "formula": self.formula,
                "inputs": [{"input": label, "share": share, "scores": list(scores), "dqr": dqr}
                           for label, share, scores, dqr in self.inputs]}


def dqr_of(scores) -> float:
    """(TeR + GeR + TiR + P) / 4 of one input's five pedigree scores.

    Examples
    --------
    >>> dqr_of((3, 2, 3, 2, 2))  # TeR 2, GeR 2, TiR 3, P 3
    2.5
    """
    named = dict(zip(INDICATORS, scores_of(scores)))
    return sum(named[indicator] for indicator in DQR_CRITERIA.values()) / len(DQR_CRITERIA)


def data_quality_rating(inputs) -> DataQualityRating:
    """The contribution-weighted DQR of a result's inputs.

    Parameters
    ----------
    inputs : iterable of (str, float, tuple)
        Each input's label, its contribution to the static total [any unit, the same for all]
        and its five pedigree scores.

    Returns
    -------
    DataQualityRating
    """
    rows = [(label, abs(float(value)), scores_of(scores)) for label, value, scores in inputs]
    total = sum(value for _, value, _ in rows) or 1.0
    criteria = {}
    for criterion, indicator in DQR_CRITERIA.items():
        position = INDICATORS.index(indicator)
        criteria[criterion] = sum(value * scores[position] for _, value, scores in rows) / total
    listed = sorted(((label, value / total, scores, dqr_of(scores)) for label, value, scores in rows), key=lambda row: -row[1])
    return DataQualityRating(sum(criteria.values()) / len(criteria), criteria, listed)
