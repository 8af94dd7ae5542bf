"""The electricity a module delivers over its life, for footprints per kWh.

Following the IEA PVPS methodology guidelines [1]_, the lifetime electricity of one module is

    E = P x Y x PR x L x (1 - d x L / 2)

with P the rated power [kWp], Y the specific (reference) yield [kWh/kWp per year]: the
in-plane irradiation divided by the 1 kW/m2 of standard test conditions, before any loss;
PR the performance ratio (all system losses, ageing excluded), L the lifetime [years] and d
the linear degradation [fraction per year]. Linear degradation from 0 at the start to d x L
at the end of life averages d x L / 2 over the life: 10.5 % for 0.7 %/year over 30 years,
as in [1]_.

The specific yield depends on the site. The user gives it, or names the site's country
(``use: {country: DE, mounting: rooftop}``) and the bundled country average applies:
the final yields of Götz et al. 2026 [3]_ (``inventories/specific_yield.csv``, 33
countries, roof and ground). A final yield Y_f is AC output per kWp, system losses already
in (Y_f = Y x PR), so with the default the performance ratio is not applied again:

    E = P x Y_f x L x (1 - d x L / 2)

Linear degradation still applies on top: the source's workbook uses 30 x annual yield and
its comments name 0.7 %/year, and whether its yields already include lifetime degradation is
not stated (premise 2.5.2, ``data/solar/README.txt`` [4]_). If they do, the per-kWh result
with the default yield is 11.7 % high over 30 years at 0.7 %/year. The World Bank/ESMAP
country averages of PVOUT [2]_ are final yields too, but their country table could not be
read with a locator. Lifetime, degradation and performance ratio default to the values
of [1]_.

Whether the default PR of [1]_ already includes ageing could not be checked in its text;
here it does not, and degradation applies on top. If it does, the per-kWh result with the
default PR is 11.7 % high over 30 years at 0.7 %/year (docs/calculator.md).

References
----------
.. [1] IEA PVPS Task 12, "Methodology Guidelines on Life Cycle Assessment of
   Photovoltaic", 4th edition, Report IEA-PVPS T12-18:2020 (2020): module lifetime
   30 years for mature technologies; performance ratio 0.75 for rooftop and 0.80 for
   ground-mounted utility systems where no site-specific value is known; linear
   degradation of 0.7 % per year (21 % at year 30).
.. [2] World Bank, ESMAP, Solargis, "Global Photovoltaic Power Potential by Country" (June
   2020): PVOUT, AC output of a ground-mounted, optimally tilted 1 kWp plant with soiling
   (3.5 %) and other conversion losses (7.5 %) included.
.. [3] Götz M. et al., "Life Cycle Inventories of Photovoltaic Systems", IEA PVPS Task 12,
   Report T12-33:2026, doi 10.69766/WJTE1771: annual rooftop, façade and ground-mounted
   yields [kWh/kWp] of 33 countries (data period 2005-2018), read in the transcription of
   premise 2.5.2 (``premise/data/solar/pv_2026_parameters.json``, ``report_yields``).
.. [4] premise 2.5.2, ``premise/data/solar/README.txt``: "the yield definition should be
   revisited if the authors clarify whether their reported yield already includes lifetime
   degradation".
"""

import re
from dataclasses import dataclass, field

import numpy as np

from footprint.errors import InputError, UnitError
from footprint.units import Quantity, parse_quantity, read_quantity, ureg

SOURCE = "IEA PVPS T12-18:2020, Methodology Guidelines on Life Cycle Assessment of Photovoltaic, 4th ed."
#: Module lifetime [years] for mature technologies [1].
DEFAULT_LIFETIME = 30.0
#: Linear degradation [fraction of the initial output lost per year] [1].
DEFAULT_DEGRADATION = 0.007
#: Performance ratio by mounting, where no site-specific value is known [1].
DEFAULT_PERFORMANCE_RATIO = {"rooftop": 0.75, "ground": 0.80}
USE_KEYS = ("specific_yield", "performance_ratio", "mounting", "lifetime", "degradation", "country")
#: The ``use.mounting`` of a product file -> the mounting of ``inventories/specific_yield.csv``.
YIELD_MOUNTINGS = {"rooftop": "roof", "ground": "ground"}


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


@dataclass
class EnergyYield:
    """Lifetime electricity of one module, with every parameter used and its source."""

    energy: object  # [kWh per module]; an array in a batch
    parameters: dict = field(default_factory=dict)  # name -> {value, unit, source}


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
        if mounting not in DEFAULT_PERFORMANCE_RATIO:
            raise InputError(f"{where}.mounting: got {mounting!r}; expected one of {', '.join(DEFAULT_PERFORMANCE_RATIO)}")
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


def parse_yield(value, *, where):
    """A specific yield: "1300 kWh/kWp" (per year implied) or "1300 kWh/kWp/year"."""
    if isinstance(value, Quantity):
        quantity = value
    else:
        if not isinstance(value, str):
            raise UnitError(f"{where}: got {value!r}; expected a specific yield such as '1300 kWh/kWp' (per year)")
        quantity = read_quantity(value, where=where, expected="a specific yield such as '1300 kWh/kWp' (per year)")
    # kWh/kWp/year is dimensionless in pint, so a bare number would pass a dimension check:
    # a unit is required, and "per year" may be written or implied.
    if not isinstance(quantity, Quantity) or quantity.units == ureg.Unit(""):
        raise UnitError(f"{where}: got {value!r} without a unit; expected a specific yield such as '1300 kWh/kWp' (per year)")
    if quantity.check("[time]"):
        result = quantity.to("kWh/kWp")
    elif quantity.dimensionless:
        result = Quantity(quantity.to("kWh/kWp/year").magnitude, "kWh/kWp")
    else:
        raise UnitError(f"{where}: got {value!r}; expected a specific yield in kWh/kWp per year, such as '1300 kWh/kWp'")
    if not np.all((result.magnitude > 0) & np.isfinite(result.magnitude)):
        raise UnitError(f"{where}: got {value!r}; expected a finite, positive specific yield")
    return Quantity(result.magnitude, "kWh/kWp")  # per year


def parse_degradation(value, *, where):
    """A linear degradation: "0.7 %" (per year implied) or "0.7 %/year"; returned per year."""
    quantity = value if isinstance(value, Quantity) else None
    if quantity is None:
        if isinstance(value, str):
            quantity = read_quantity(value, where=where, expected="a degradation such as '0.7 %' per year")
        else:
            try:
                quantity = Quantity(float(value), "")
            except (TypeError, ValueError):
                raise UnitError(f"{where}: cannot read {value!r}; expected a degradation such as '0.7 %' per year") from None
    if quantity.check("1/[time]"):
        per_year = quantity.to("1/year").magnitude
    elif quantity.dimensionless:
        per_year = quantity.to("").magnitude
    else:
        raise UnitError(f"{where}: got {value!r}; expected a degradation such as '0.7 %' per year")
    if not np.all((per_year >= 0) & (per_year < 1)):  # also refuses nan
        raise UnitError(f"{where}: got {value!r}; expected a yearly degradation between 0 and 100 %")
    return Quantity(per_year, "1/year")


def _fraction(value, where):
    quantity = parse_quantity(value, "dimensionless", where=where)
    if not np.all((quantity.magnitude > 0) & (quantity.magnitude <= 1)):
        raise UnitError(f"{where}: got {value!r}; expected a fraction in (0, 1], such as 0.8 or 80 %")
    return quantity


def lifetime_energy(*, rated_power, use, source, bundle=None):
    """Electricity one module delivers over its life.

    Parameters
    ----------
    rated_power : pint.Quantity [W]
        Power at standard test conditions (an array in a batch).
    use : UseSpec or None
        The product file's ``use:`` block.
    source : str
        The product file, named in messages and as the source of the user's values.
    bundle : footprint.bundle.read.Bundle, optional
        Where the location default of the yield is read; :func:`~footprint.bundle.read.read_bundle`
        by default.

    Returns
    -------
    EnergyYield
        ``energy`` in kWh per module.

    Raises
    ------
    InputError
        No ``use:`` block; no specific yield and no country with a default; neither performance
        ratio nor mounting; a performance ratio given with the default (final) yield.
    """
    where = f"{source}: use"
    if use is None or (use.specific_yield is None and not use.country):
        raise InputError(f"{where}.specific_yield: missing; results per kWh need the site's specific yield in kWh/kWp per year "
                         "(in-plane irradiation / 1 kW/m2, before losses), such as '1300 kWh/kWp', or use.country and "
                         "use.mounting for the bundled country average")
    user = f"product file ({source})"
    parameters = {"rated_power": _entry(rated_power.to("kWp").magnitude, "kWp", user)}
    if use.specific_yield is None:
        # the country default is a final yield: the system losses (PR) are in it already
        specific_yield, parameters["specific_yield"] = _default_yield(use, where, bundle)
        performance_ratio = 1.0
        parameters["performance_ratio"] = _entry(1.0, "", "included in the source's final yield (specific_yield); not applied again")
        formula = "P x Y_f x L x (1 - d x L / 2); Y_f a final yield, PR included"
    else:
        specific_yield = use.specific_yield.magnitude
        parameters["specific_yield"] = _entry(specific_yield, "kWh/kWp/year", user)
        formula = "P x Y x PR x L x (1 - d x L / 2)"
        if use.performance_ratio is not None:
            performance_ratio = use.performance_ratio.to("").magnitude
            parameters["performance_ratio"] = _entry(performance_ratio, "", user)
        elif use.mounting:
            performance_ratio = DEFAULT_PERFORMANCE_RATIO[use.mounting]
            parameters["performance_ratio"] = _entry(performance_ratio, "", f"default for {use.mounting} systems: {SOURCE}")
        else:
            raise InputError(f"{where}.performance_ratio: missing; give the site's performance ratio, or mounting: rooftop "
                             "(default 0.75) or ground (default 0.80)")
    if use.lifetime is not None:
        lifetime = use.lifetime.to("year").magnitude
        parameters["lifetime"] = _entry(lifetime, "year", user)
    else:
        lifetime = DEFAULT_LIFETIME
        parameters["lifetime"] = _entry(lifetime, "year", f"default: {SOURCE}")
    if use.degradation is not None:
        degradation = use.degradation.to("1/year").magnitude
        parameters["degradation"] = _entry(degradation, "1/year", user)
    else:
        degradation = DEFAULT_DEGRADATION
        parameters["degradation"] = _entry(degradation, "1/year", f"default: {SOURCE}")
        if use.specific_yield is None:
            parameters["degradation"]["source"] += ("; applied on top of the default final yield, whose source does not "
                                                    "say whether it already includes lifetime degradation "
                                                    "(premise 2.5.2, data/solar/README.txt)")
    if np.any(degradation * lifetime >= 2):
        raise InputError(f"{where}: degradation x lifetime reaches 200 %; the linear model no longer applies")
    power = rated_power.to("kWp").magnitude
    energy = power * specific_yield * performance_ratio * lifetime * (1 - degradation * lifetime / 2)
    parameters["average_degradation"] = _entry(degradation * lifetime / 2, "", "d x L / 2 (linear degradation)")
    parameters["lifetime_energy"] = _entry(energy, "kWh", formula)
    return EnergyYield(energy=energy, parameters=parameters)


def _default_yield(use, where, bundle):
    """The bundled country-average final yield for ``use.country`` and ``use.mounting``: (value, parameter entry)."""
    from footprint.bundle.read import read_bundle

    if use.performance_ratio is not None:
        raise InputError(f"{where}.performance_ratio: given without specific_yield; the default yield of {use.country} is a final "
                         "yield with the system losses already in; give specific_yield with it, or leave performance_ratio out")
    if not use.mounting:
        raise InputError(f"{where}.mounting: missing; the default yield of {use.country} needs mounting: "
                         f"{' or '.join(YIELD_MOUNTINGS)}")
    bundle = bundle or read_bundle()
    mounting = YIELD_MOUNTINGS[use.mounting]
    row = bundle.specific_yield_for(use.country, mounting)
    if row is None:
        known = sorted({geography for geography, kind in bundle.specific_yields if kind == mounting})
        raise InputError(f"{where}.country: no bundled specific yield for {use.country!r} ({use.mounting}); give "
                         f"use.specific_yield, or a country with a default: {', '.join(known) or 'none bundled'}")
    source = (f"default for {row.geography}, {use.mounting} ({row.where}): {row.source}, {row.locator}, year {row.year}; "
              "a final yield (AC, system losses included)")
    return row.value, _entry(row.value, "kWh/kWp/year", source)


def _entry(value, unit, source):
    value = float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)
    return {"value": value, "unit": unit, "source": source}
