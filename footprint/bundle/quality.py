"""The ``quality`` column read as a spread: pedigree scores to the sigma of a lognormal.

Every bundled number carries five pedigree scores, 1 (best) to 5 (worst): reliability,
completeness, temporal, geographical and technological correlation
(``inventories/README.md``, "Quality: the pedigree score"). The ecoinvent version 3
approach [1]_ turns them into a lognormal around the number: the number is the median
(``loc = ln |amount|``) and the variance of ``ln x`` is the *basic* variance of that kind
of flow plus one *additional* variance per indicator score::

    sigma**2 = basic + reliability[r] + completeness[c] + temporal[t] + geographical[g] + technological[k]

so that 95 % of the draws fall within median x/÷ exp(2 sigma).

Here, not in :mod:`footprint.uncertainty`, because setup (:mod:`footprint.brightway.install`)
writes these distributions into the Brightway exchanges and the fast Monte Carlo
(:mod:`footprint.uncertainty`) samples the same ones: both read this one table.

References
----------
.. [1] Weidema B.P., Bauer C., Hischier R., Mutel C., Nemecek T., Reinhard J., Vadenbo C.O.,
   Wernet G. (2013), *Overview and methodology. Data quality guideline for the ecoinvent
   database version 3*, Ecoinvent Report 1 (v3), St. Gallen: the ecoinvent Centre;
   chapter 10, the additional-uncertainty variances of the pedigree matrix. The guideline
   itself could not be read here: the variances were read in the BSD-licensed transcription
   of OcelotProject/Ocelot, ``ocelot/transformations/uncertainty/pedigree.py`` (commit
   1a6d8f3d, ``PEDIGREE_MATRIX_VALUES['original']``, which names
   ``dataqualityguideline_ecoinvent_3_20130506.pdf`` as its source), and checked to the last
   digit against two EcoSpold2 records made with ecoinvent's tools, quoted in
   brightway-lca/brightway2 issue #76: ``variance="0.04"``, pedigree (4,4,3,2,4),
   ``varianceWithPedigreeUncertainty="0.092025"`` (0.04 + 0.008 + 0.002 + 0.002 + 0.000025
   + 0.04), and ``variance="0.0006"``, pedigree (1,2,1,1,1), ``0.0007`` (0.0006 + 0.0001).
.. [2] The basic uncertainty factors U (GSD**2) of the ecoinvent pedigree approach by kind of
   flow (ecoinvent version 2; [1] restates them as variances), read in the transcription of
   brightway-lca/pedigree_matrix, ``pedigree_matrix/data.py`` (commit b6818d14, the
   commented ``basic_uncertainty`` table); the ecoinvent report itself was not read here.
   ecoinvent v3 states them as the variance of ln x, (ln U)**2 / 4, rounded: U = 1.05 -> 0.0006 and U = 1.5 -> 0.04 are the
   basic variances of the two records of [1]; U = 2 -> 0.12 and U = 3 -> 0.3 follow the same
   rounding ((ln 2)**2/4 = 0.1201, (ln 3)**2/4 = 0.3017).
"""

import hashlib
import json
import math

from footprint.bundle.types import AGGREGATED_GAS, DECLARED_GASES, GRID_BASES, parse_quality

#: The five indicators, in the order of a ``quality`` cell.
INDICATORS = ("reliability", "completeness", "temporal", "geographical", "technological")

#: Additional variance of ln x for scores 1..5 of each indicator, ecoinvent v3 [1]_.
PEDIGREE_VARIANCES = {
    "reliability": (0.0, 0.0006, 0.002, 0.008, 0.04),
    "completeness": (0.0, 0.0001, 0.0006, 0.002, 0.008),
    "temporal": (0.0, 0.0002, 0.002, 0.008, 0.04),
    "geographical": (0.0, 0.000025, 0.0001, 0.0006, 0.002),
    "technological": (0.0, 0.0006, 0.008, 0.04, 0.12),
}

#: Basic variance of ln x by kind of flow [2]_: (variance, the ecoinvent row it is, U).
BASIC_VARIANCES = {
    "demand": (0.0006, "demand: thermal energy, electricity, semi-finished products, working material", 1.05),
    "transport": (0.12, "demand: transport services (tkm)", 2.0),
    "co2": (0.0006, "air: CO2 (combustion, process)", 1.05),
    "ch4_n2o": (0.04, "air: CH4, NOx and N2O (combustion)", 1.5),
    "inorganic": (0.04, "air: inorganic emissions, others (process)", 1.5),
    "hydrocarbons": (0.12, "air: individual hydrocarbons (process)", 2.0),
}

#: The kind of flow (a key of BASIC_VARIANCES) of each gas of ``gases.csv``: footprint's
#: mapping onto the rows of [2]_. SF6 and NF3 are inorganic; the fluorinated methanes and
#: ethanes are (halogenated) hydrocarbons; a CO2-eq total a source gives without a gas split
#: stands for the cradle-to-gate supply of a product, a demand.
GAS_KINDS = {
    "co2_fossil": "co2", "co2_biogenic": "co2", "co2_land_use": "co2",
    "ch4_fossil": "ch4_n2o", "ch4_biogenic": "ch4_n2o", "ch4_land_use": "ch4_n2o", "n2o": "ch4_n2o",
    "sf6": "inorganic", "nf3": "inorganic",
    "cf4": "hydrocarbons", "c2f6": "hydrocarbons", "hfc23": "hydrocarbons", "hfc134a": "hydrocarbons",
    AGGREGATED_GAS: "demand", **{gas: "demand" for gas in DECLARED_GASES},
}
#: The kind of a gas missing from GAS_KINDS: the widest basic variance.
UNKNOWN_GAS_KIND = "hydrocarbons"

#: Changes whenever a number or a rule here changes: setup writes the distributions into the
#: Brightway exchanges again (``installed.json``, key ``background_uncertainty``).
FINGERPRINT = hashlib.sha256(json.dumps(
    ["ecoinvent-v3-lognormal/1", PEDIGREE_VARIANCES, BASIC_VARIANCES, sorted(GAS_KINDS.items()), UNKNOWN_GAS_KIND,
     GRID_BASES["default"]], sort_keys=True).encode()).hexdigest()[:16]


def scores_of(quality):
    """The five scores of a ``quality`` cell (``"3,2,3,2,2"``) or tuple, checked.

    Raises
    ------
    ValueError
        Not five whole scores from 1 to 5.
    """
    scores = parse_quality(quality) if isinstance(quality, str) else tuple(quality)
    if len(scores) != len(INDICATORS) or not all(isinstance(s, int) and 1 <= s <= 5 for s in scores):
        raise ValueError(f"got {quality!r}; expected five pedigree scores from 1 to 5, such as '3,2,3,2,2'")
    return scores


def pedigree_variance(quality):
    """The additional variance of ln x of five pedigree scores (the sum of the table's cells).

    Examples
    --------
    >>> round(pedigree_variance("4,4,3,2,4") + 0.04, 6)  # issue #76's record, basic variance 0.04
    0.092025
    """
    scores = scores_of(quality)
    return sum(PEDIGREE_VARIANCES[indicator][score - 1] for indicator, score in zip(INDICATORS, scores))


def lognormal_sigma(quality, kind="demand"):
    """sigma of ln x for a number of the given quality and kind of flow.

    Parameters
    ----------
    quality : str or tuple of int
        Five pedigree scores.
    kind : str
        A key of :data:`BASIC_VARIANCES`.

    Returns
    -------
    float
        sqrt(basic variance + pedigree variance) [-]; the geometric standard deviation is
        exp(sigma).

    Examples
    --------
    >>> round(lognormal_sigma("3,2,3,2,2", "demand"), 4)  # 0.0006 + 0.002 + 0.0001 + 0.002 + 0.000025 + 0.0006
    0.073
    """
    return math.sqrt(BASIC_VARIANCES[kind][0] + pedigree_variance(quality))


def gas_kind(gas):
    """The kind of flow of a gas id (:data:`GAS_KINDS`)."""
    return GAS_KINDS.get(gas, UNKNOWN_GAS_KIND)


def is_selection(dataset):
    """True for a dataset that only selects another (``electricity_grid_<geography>`` consumes 1 kWh
    of the factor chosen for a site): its number is the chosen dataset's, whose rows carry the
    uncertainty; the selection itself carries none."""
    return dataset.id.startswith(GRID_BASES["default"])


def exchange_kind(exchange, bundle):
    """The kind of flow (:data:`BASIC_VARIANCES`) of a background row: its gas's, or a demand
    (transport where the linked dataset is in tonne*km)."""
    if exchange.flow in bundle.gases or exchange.flow in GAS_KINDS:
        return gas_kind(exchange.flow)
    linked = bundle.datasets.get(exchange.flow)
    if linked is not None and (linked.category == "transport" or "km" in linked.unit):
        return "transport"
    return "demand"


def exchange_sigma(dataset, exchange, bundle):
    """sigma of ln x of one background row, or None if it carries no uncertainty (a selection, a zero).

    Parameters
    ----------
    dataset : footprint.bundle.types.Dataset
    exchange : footprint.bundle.types.Exchange
        One of the dataset's rows.
    bundle : footprint.bundle.read.Bundle
    """
    if is_selection(dataset) or exchange.amount == 0:
        return None
    return lognormal_sigma(exchange.quality, exchange_kind(exchange, bundle))
