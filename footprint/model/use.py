"""The ``use:`` block of a product file: what a per-kWh result needs to know of the module's life.

The physics (lifetime electricity, defaults and their sources) is in :mod:`footprint.energy_yield`.
"""

import re
from dataclasses import dataclass

import numpy as np

from footprint.errors import InputError, UnitError
from footprint.units import parse_degradation, parse_quantity, parse_yield
from footprint.vocab import MOUNTINGS

USE_KEYS = ("specific_yield", "performance_ratio", "mounting", "lifetime", "degradation", "country")


@dataclass
class UseSpec:
    """The ``use:`` block of a product file (values as given; None where left out)."""

    specific_yield: object = None  # Quantity [kWh/kWp per year]
    performance_ratio: object = None  # Quantity [dimensionless]
    mounting: str = ""
    lifetime: object = None  # Quantity [year]
    degradation: object = None  # Quantity [1/year]
    country: str = ""  # ISO 3166-1 alpha-2 (or a province, ISO 3166-2): the site, for the default yield
    where: str = ""


def parse_use(data, *, where):
    """Check a ``use:`` mapping; return a :class:`UseSpec`.

    Raises
    ------
    InputError
        An unknown key, a value of the wrong dimension or out of range.
    """
    for key in data:
        if key not in USE_KEYS:
            raise InputError(f"{where}.{key}: unknown field; expected one of {', '.join(USE_KEYS)}")
    use = UseSpec(where=where)
    if data.get("specific_yield") is not None:
        use.specific_yield = parse_yield(data["specific_yield"], where=f"{where}.specific_yield")
    if data.get("performance_ratio") is not None:
        use.performance_ratio = _fraction(data["performance_ratio"], f"{where}.performance_ratio")
    if data.get("mounting") is not None:
        mounting = data["mounting"]
        if mounting not in MOUNTINGS:
            raise InputError(f"{where}.mounting: got {mounting!r}; expected one of {', '.join(MOUNTINGS)}")
        use.mounting = mounting
    if data.get("lifetime") is not None:
        use.lifetime = parse_quantity(data["lifetime"], "year", where=f"{where}.lifetime")  # finite, or UnitError
        if not np.all(use.lifetime.magnitude > 0):
            raise UnitError(f"{where}.lifetime: got {data['lifetime']!r}; expected a finite, positive duration such as '30 year'")
    if data.get("degradation") is not None:
        use.degradation = parse_degradation(data["degradation"], where=f"{where}.degradation")
    if data.get("country") is not None:
        country = data["country"]
        if not isinstance(country, str) or not re.fullmatch(r"[A-Z]{2}(-[A-Z0-9]{1,3})?", country):
            raise InputError(f"{where}.country: got {country!r}; expected an ISO 3166-1 alpha-2 country code such as DE")
        use.country = country
    return use


def _fraction(value, where):
    quantity = parse_quantity(value, "dimensionless", where=where)
    if not np.all((quantity.magnitude > 0) & (quantity.magnitude <= 1)):
        raise UnitError(f"{where}: got {value!r}; expected a fraction in (0, 1], such as 0.8 or 80 %")
    return quantity
