"""Probability distributions of footprint's inputs: lognormal, normal, triangular, uniform.

A :class:`Distribution` holds its parameters in one unit (the figure's), draws from a
numpy ``Generator`` (:meth:`Distribution.sample`) and maps probabilities to values
(:meth:`Distribution.ppf`, for sensitivity analysis). :func:`parse_distribution` reads a
user's distribution from a product file's ``uncertainty:`` block and refuses a bad one in
one line: a zero or negative sigma or sd, a minimum above the maximum, a mode outside them,
a probability outside (0, 1), an unknown name.

The parameters follow stats_arrays (the library bw2calc's Monte Carlo samples with):
``loc`` is ln(median) of a lognormal, the mean of a normal, the mode of a triangular;
``scale`` is sigma of ln x (lognormal) or the standard deviation (normal).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from footprint.errors import InputError, UnitError, show
from footprint.units import Quantity, parse_quantity, unit_text

#: The distributions a user may give, and the fields each takes (besides ``distribution``).
KINDS = {
    "lognormal": ("median", "sigma", "gsd", "min", "max", "probability"),
    "normal": ("mean", "sd", "min", "max", "probability"),
    "triangular": ("min", "mode", "max"),
    "uniform": ("min", "max"),
}
#: The central probability a range (min, max) covers when a lognormal or normal is given by its
#: range and no ``probability``: the 2.5 and 97.5 percentiles.
DEFAULT_PROBABILITY = 0.95
#: A normal may put at most this probability below zero (amounts are never negative).
NEGATIVE_TAIL = 1e-6


@dataclass(frozen=True)
class Distribution:
    """A distribution of one figure, its parameters in ``unit``.

    ``kind`` is ``lognormal`` (``loc`` = ln median, ``scale`` = sigma of ln x), ``normal``
    (``loc`` = mean, ``scale`` = standard deviation), ``triangular`` (``minimum``, ``loc`` =
    mode, ``maximum``) or ``uniform`` (``minimum``, ``maximum``).
    """

    kind: str
    unit: str = ""
    loc: float = math.nan
    scale: float = math.nan
    minimum: float = math.nan
    maximum: float = math.nan

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` draws [unit]; the same Generator state gives the same draws on any machine.

        Normal-based kinds use ``rng.standard_normal``, the others ``rng.random``: drawing
        n then m values gives the draws of one call for n + m (streaming in chunks changes nothing).
        """
        if self.kind == "lognormal":
            return np.exp(self.loc + self.scale * rng.standard_normal(size))
        if self.kind == "normal":
            return self.loc + self.scale * rng.standard_normal(size)
        return self.ppf(rng.random(size))

    def ppf(self, probability):
        """The value below which a fraction ``probability`` of the draws fall (inverse CDF) [unit]."""
        u = np.asarray(probability, dtype=float)
        if self.kind == "lognormal":
            return np.exp(self.loc + self.scale * ndtri(u))
        if self.kind == "normal":
            return self.loc + self.scale * ndtri(u)
        low, high = self.minimum, self.maximum
        if self.kind == "uniform":
            return low + (high - low) * u
        mode = self.loc
        width = high - low
        split = (mode - low) / width if width > 0 else 0.0
        left = low + np.sqrt(np.clip(u, 0, None) * width * (mode - low))
        right = high - np.sqrt(np.clip(1 - u, 0, None) * width * (high - mode))
        return np.where(u < split, left, right)

    @property
    def median(self) -> float:
        """The median [unit]."""
        return float(self.ppf(0.5))

    @property
    def mean(self) -> float:
        """The mean [unit] (a lognormal's is exp(sigma**2 / 2) times its median)."""
        if self.kind == "lognormal":
            return math.exp(self.loc + self.scale ** 2 / 2)
        if self.kind == "normal":
            return self.loc
        if self.kind == "uniform":
            return (self.minimum + self.maximum) / 2
        return (self.minimum + self.loc + self.maximum) / 3

    def describe(self) -> str:
        """The distribution in words, such as ``lognormal, median 66.5 kWh/kg, GSD 1.08``."""
        unit = f" {unit_text(self.unit)}" if unit_text(self.unit) else ""
        if self.kind == "lognormal":
            return f"lognormal, median {math.exp(self.loc):.6g}{unit}, GSD {math.exp(self.scale):.4g}"
        if self.kind == "normal":
            return f"normal, mean {self.loc:.6g}{unit}, sd {self.scale:.4g}{unit}"
        if self.kind == "uniform":
            return f"uniform, {self.minimum:.6g} to {self.maximum:.6g}{unit}"
        return f"triangular, {self.minimum:.6g} to {self.maximum:.6g}{unit}, mode {self.loc:.6g}{unit}"


def lognormal(median: float, sigma: float, *, unit: str = "", where: str = "") -> Distribution:
    """A lognormal of the given median [unit] and sigma of ln x [-], checked.

    Raises
    ------
    InputError
        A median that is not above zero, a sigma that is not above zero.
    """
    if not (math.isfinite(median) and median > 0):
        raise InputError(_at(where, f"median: got {median!r}; expected a number above zero (a lognormal is positive)"))
    if not (math.isfinite(sigma) and sigma > 0):
        raise InputError(_at(where, f"sigma: got {sigma!r}; expected a number above zero (sigma of ln x)"))
    return Distribution("lognormal", unit, loc=math.log(median), scale=sigma)


def parse_distribution(entry: dict, *, figure: Quantity, where: str, fraction: bool = False) -> Distribution:
    """Read a user's distribution of a figure (a mapping of the ``uncertainty:`` block), checked.

    Parameters
    ----------
    entry : dict
        ``distribution`` (lognormal, normal, triangular, uniform) and its fields: lognormal
        ``median`` (default: the figure) with ``sigma`` (of ln x) or ``gsd`` (exp(sigma)), or
        ``min`` and ``max`` with ``probability`` (the central probability between them,
        default 0.95); normal ``mean`` (default: the figure) with ``sd``, or ``min``, ``max``
        and ``probability``; triangular ``min``, ``mode`` (default: the figure), ``max``;
        uniform ``min``, ``max``. Quantities are "number unit" text in the figure's dimension
        ("8 mg/W"); ``sigma``, ``gsd`` and ``probability`` are plain numbers.
    figure : pint.Quantity
        The figure's value as the calculation uses it; its unit is the distribution's.
    where : str
        The file and path, for messages (``product.yaml: uncertainty.figures.stages.cell.efficiency``).
    fraction : bool
        The figure is a fraction (a yield, an efficiency): every value must stay in (0, 1].

    Returns
    -------
    Distribution

    Raises
    ------
    InputError
        One line naming the field, the value seen and what was expected.
    """
    kind = entry.get("distribution")
    if kind not in KINDS:
        raise InputError(_at(where, f"distribution: got {show(kind)}; expected one of {', '.join(KINDS)}"))
    allowed = {"distribution", *KINDS[kind]}
    for key in entry:
        if key not in allowed:
            raise InputError(_at(where, f"{key}: unknown field of a {kind} distribution; expected one of "
                                        f"{', '.join(sorted(allowed - {'distribution'}))}"))
    unit = f"{figure.units}"

    def value(key, default=None):
        if key not in entry:
            if default is None:
                raise InputError(_at(where, f"{key}: missing; a {kind} distribution needs it"))
            return default
        return magnitude_in(entry[key], unit, f"{where}.{key}")

    static = float(figure.magnitude)
    if kind in ("lognormal", "normal") and ("min" in entry or "max" in entry):
        low, high = value("min"), value("max")
        probability = _probability(entry.get("probability", DEFAULT_PROBABILITY), f"{where}.probability")
        _ordered(low, high, where)
        z = float(ndtri(0.5 + probability / 2))
        if kind == "lognormal":
            if low <= 0:
                raise InputError(_at(where, f"min: got {show(entry['min'])}; expected a value above zero (a lognormal is positive)"))
            distribution = lognormal(math.sqrt(low * high), math.log(high / low) / (2 * z), unit=unit, where=where)
        else:
            distribution = Distribution("normal", unit, loc=(low + high) / 2, scale=_positive((high - low) / (2 * z), "sd", where))
        for key in ("median", "sigma", "gsd", "mean", "sd"):
            if key in entry:
                raise InputError(_at(where, f"{key}: give either min, max (and probability) or {key}, not both"))
    elif kind == "lognormal":
        if "probability" in entry:
            raise InputError(_at(where, "probability: applies to a range; give min and max with it"))
        if ("sigma" in entry) == ("gsd" in entry):
            raise InputError(_at(where, "sigma: give sigma (of ln x) or gsd (its exponential), one of them"))
        if "sigma" in entry:
            sigma = _plain(entry["sigma"], f"{where}.sigma")
        else:
            gsd = _plain(entry["gsd"], f"{where}.gsd")
            if not gsd > 1:
                raise InputError(_at(where, f"gsd: got {show(entry['gsd'])}; expected a number above 1 (the geometric standard deviation)"))
            sigma = math.log(gsd)
        distribution = lognormal(value("median", static), sigma, unit=unit, where=where)
    elif kind == "normal":
        if "probability" in entry:
            raise InputError(_at(where, "probability: applies to a range; give min and max with it"))
        distribution = Distribution("normal", unit, loc=value("mean", static), scale=_positive(value("sd"), "sd", where))
    else:
        low, high = value("min"), value("max")
        _ordered(low, high, where)
        mode = value("mode", static) if kind == "triangular" else math.nan
        if kind == "triangular" and not low <= mode <= high:
            raise InputError(_at(where, f"mode: got {mode:g} {unit_text(unit)}; expected a value from min {low:g} to max {high:g}"))
        distribution = Distribution(kind, unit, loc=mode, minimum=low, maximum=high)
    _check_range(distribution, where, fraction=fraction)
    return distribution


def _check_range(distribution, where, *, fraction):
    """Amounts are never negative, fractions never above 1: a distribution must respect it."""
    if distribution.kind == "normal":
        low = float(distribution.ppf(NEGATIVE_TAIL))
        high = float(distribution.ppf(1 - NEGATIVE_TAIL))
        if low < 0:
            raise InputError(_at(where, f"sd: a normal of mean {distribution.loc:g} and sd {distribution.scale:g} goes below zero "
                                        "(more than one draw in a million); expected a smaller sd, or a lognormal"))
        if fraction and high > 1:
            raise InputError(_at(where, "sd: the normal goes above 1 (100 %) for this fraction; expected a smaller sd"))
    elif distribution.kind == "lognormal":
        if fraction and float(distribution.ppf(1 - NEGATIVE_TAIL)) > 1:
            raise InputError(_at(where, "sigma: the lognormal goes above 1 (100 %) for this fraction; expected a smaller "
                                        "sigma, or a triangular or uniform distribution up to at most 1"))
    else:
        if distribution.minimum < 0:
            raise InputError(_at(where, f"min: got {distribution.minimum:g}; expected a value of at least zero (amounts are not negative)"))
        if fraction and (distribution.maximum > 1 or distribution.minimum <= 0 and distribution.kind == "uniform"):
            raise InputError(_at(where, f"max: got {distribution.maximum:g}; expected a fraction in (0, 1]"))


def _at(where, message):
    return f"{where}.{message}" if where else message


def magnitude_in(text, unit, where):
    """A quantity of the ``uncertainty:`` block in the figure's unit (a plain number only for a dimensionless figure)."""
    try:
        return float(parse_quantity(text, unit, where=where).to(unit).magnitude)
    except UnitError:
        raise
    except (TypeError, ValueError) as exc:  # pint's own, for a text it cannot read
        raise UnitError(f"{where}: got {show(text)}; expected a quantity in {unit_text(unit) or 'a plain number'} ({exc})") from None


def _plain(value, where):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{where}: got {show(value)}; expected a plain number")
    return float(value)


def _probability(value, where):
    number = _plain(value, where)
    if not 0 < number < 1:
        raise InputError(f"{where}: got {show(value)}; expected a probability between 0 and 1, such as 0.95")
    return number


def _positive(number, name, where):
    if not (math.isfinite(number) and number > 0):
        raise InputError(_at(where, f"{name}: got {number:g}; expected a number above zero"))
    return number


def _ordered(low, high, where):
    if not low < high:
        raise InputError(_at(where, f"min: got {low:g}, not below max {high:g}; expected min < max"))
