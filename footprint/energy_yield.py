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

from dataclasses import dataclass, field

import numpy as np

from footprint.errors import InputError
from footprint.model.use import UseSpec  # noqa: F401  (the use: block, parsed)

SOURCE = "IEA PVPS T12-18:2020, Methodology Guidelines on Life Cycle Assessment of Photovoltaic, 4th ed."
#: Module lifetime [years] for mature technologies [1].
DEFAULT_LIFETIME = 30.0
#: Linear degradation [fraction of the initial output lost per year] [1].
DEFAULT_DEGRADATION = 0.007
#: Performance ratio by mounting, where no site-specific value is known [1].
DEFAULT_PERFORMANCE_RATIO = {"rooftop": 0.75, "ground": 0.80}
#: The ``use.mounting`` of a product file -> the mounting of ``inventories/specific_yield.csv``.
YIELD_MOUNTINGS = {"rooftop": "roof", "ground": "ground"}


@dataclass
class EnergyYield:
    """Lifetime electricity of one module, with every parameter used and its source."""

    energy: object  # [kWh per module]; an array in a batch
    parameters: dict = field(default_factory=dict)  # name -> {value, unit, source}


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
