"""The one pint registry of the library, and the parsing of "number unit" strings.

Every quantity a user gives is a string such as ``"66.5 kWh/kg"`` and goes through
:func:`parse_quantity`, which checks the dimension against what the field expects.
Definitions specific to PV (piece, cell, wafer, module, Wp, kWp, kg CO2-eq) live in
``units.txt`` beside this file.
"""

import functools
import re
from pathlib import Path

import numpy as np
import pint

from footprint.errors import UnitError, UnitMismatch, located

#: Words that mean something else to pint than to people in this field (and to Brightway):
#: pint reads "ton" as the US short ton (907.18 kg) and "unit" as micro-nit (a luminance).
#: In every string the registry parses they mean the metric tonne and one item.
USER_WORDS = {"ton": "tonne", "tons": "tonne", "unit": "piece", "units": "piece"}
# Whole words only ("1ton" included): "short_ton", "tonne", "ton_of_refrigeration" are left alone.
_USER_WORD = re.compile(r"(?<![^\W\d])(" + "|".join(sorted(USER_WORDS, key=len, reverse=True)) + r")(?!\w)")


def _user_words(text):
    return _USER_WORD.sub(lambda match: USER_WORDS[match.group(1)], text)




_DEFINITIONS = Path(__file__).with_name("units.txt")
_REGISTRY_OPTIONS = {"on_redefinition": "raise", "autoconvert_offset_to_baseunit": True, "preprocessors": [_user_words]}


def _cache_key():
    """What the cached definitions depend on: pint's version and the library's units.txt."""
    import hashlib

    return f"pint {pint.__version__}; units.txt {hashlib.sha256(_DEFINITIONS.read_bytes()).hexdigest()}"


def _cache_folder():
    """pint's cache of parsed definitions, if setup primed it for this pint and this units.txt.

    Parsing pint's definitions takes 0.2 s at every start; the cache takes 0.03 s. It lives
    in ``FOOTPRINT_HOME/cache/pint``, is written whole by setup (:func:`prime_cache`) and only
    read afterwards, so that processes starting together never read a half-written file, and
    importing the library writes nothing anywhere on its own.
    """
    import os

    home = os.environ.get("FOOTPRINT_HOME")
    if not home:
        import platformdirs

        home = platformdirs.user_data_dir("footprint", appauthor=False)
    folder = Path(home).expanduser() / "cache" / "pint"
    try:
        ready = (folder / "ready").read_text(encoding="utf-8") == _cache_key()
    except OSError:
        return None
    return str(folder) if ready else None


def prime_cache(folder):
    """Write pint's parsed definitions into ``folder`` whole (built aside, then renamed into place), unless current."""
    import os
    import shutil

    folder = Path(folder)
    try:
        if (folder / "ready").read_text(encoding="utf-8") == _cache_key():
            return  # primed for this pint and this units.txt
    except OSError:
        pass
    temporary = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    registry = pint.UnitRegistry(cache_folder=str(temporary), **_REGISTRY_OPTIONS)
    registry.load_definitions(str(_DEFINITIONS))
    (temporary / "ready").write_text(_cache_key(), encoding="utf-8")
    old = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    if folder.exists():
        os.replace(folder, old)
    os.replace(temporary, folder)
    shutil.rmtree(old, ignore_errors=True)


def _registry():
    folder = _cache_folder()
    if folder:
        try:
            registry = pint.UnitRegistry(cache_folder=folder, **_REGISTRY_OPTIONS)
            registry.load_definitions(str(_DEFINITIONS))
            return registry
        except Exception:  # a damaged cache is only slower: parse the definitions again
            pass
    registry = pint.UnitRegistry(**_REGISTRY_OPTIONS)
    registry.load_definitions(str(_DEFINITIONS))
    return registry


ureg = _registry()
Quantity = ureg.Quantity
# Unit texts repeat ("kg", "kWh/kg" thousands of times in a bundle or a batch): parse each once.
# The parsed container is immutable, so a cache changes nothing but time.
ureg.parse_units_as_container = functools.lru_cache(maxsize=4096)(ureg.parse_units_as_container)

#: Brightway unit strings -> pint unit expressions. Brightway's "ton" is the metric tonne
#: and its "unit" is one item (see USER_WORDS).
BRIGHTWAY_UNITS = {
    "kilogram": "kg",
    "gram": "g",
    "ton": "tonne",
    "kilowatt hour": "kWh",
    "megajoule": "MJ",
    "square meter": "m**2",
    "cubic meter": "m**3",
    "unit": "piece",
    "ton kilometer": "tonne * km",
    "kilometer": "km",
    "kilowatt peak": "kWp",
    "watt peak": "Wp",
    "kg CO2-Eq": "kg_CO2_eq",
}

#: Names of the dimensions users meet, each with a unit that has it (for messages).
DIMENSION_NAMES = {
    "mass": "kg",
    "energy": "kWh",
    "power": "W",
    "area": "m**2",
    "length": "m",
    "count": "piece",
    "a plain number": "",
    "transport work": "tonne * km",
    "emissions": "kg_CO2_eq",
    "energy per mass": "kWh/kg",
    "energy per piece": "kWh/piece",
    "energy per area": "kWh/m**2",
    "mass per piece": "kg/piece",
    "mass per area": "kg/m**2",
}


def pint_unit(brightway_unit):
    """Return the pint unit for a Brightway unit string.

    Raises
    ------
    UnitError
        If the string is not one of :data:`BRIGHTWAY_UNITS`.
    """
    try:
        return ureg.Unit(BRIGHTWAY_UNITS[brightway_unit])
    except KeyError:
        known = ", ".join(sorted(BRIGHTWAY_UNITS))
        raise UnitError(f"unknown Brightway unit {brightway_unit!r}; expected one of {known}") from None


def brightway_unit(unit):
    """Return the Brightway unit string for a pint unit (or unit expression)."""
    target = ureg.Unit(unit) if isinstance(unit, str) else unit
    for bw_name, expression in BRIGHTWAY_UNITS.items():
        if ureg.Unit(expression) == target:
            return bw_name
    raise UnitError(f"no Brightway unit string for {target}")


_NUMBER_FIRST = re.compile(r"^[+-]?(\d|\.\d)")
#: The number at the start of a "number unit" string, commas included so they can be refused.
_NUMBER_PART = re.compile(r"^[+-]?[\d.,]*")


def _normalise_text(text):
    """Strip the value and turn non-breaking spaces (from spreadsheets) into spaces."""
    return text.strip().replace("\u00a0", " ")


def parse_quantity(value, expected, *, where=""):
    """Parse a "number unit" string (or a Quantity) and check its dimension.

    Parameters
    ----------
    value : str or pint.Quantity
        For example ``"66.5 kWh/kg"``, ``"150 um"``, ``"23.1 %"``.
    expected : str
        A unit expression whose dimension the value must have, for example ``"kWh/kg"``
        or ``"kg"``; or ``"dimensionless"``.
    where : str
        Where the value was read (``"module.yaml: stages.wafer.thickness"``), for messages.

    Returns
    -------
    pint.Quantity
        Converted to the units of ``expected``.

    Raises
    ------
    UnitError
        Missing number or unit, unknown unit, a comma in the number, a number that is not
        finite; :class:`UnitMismatch` for a dimension other than expected, or no quantity.
    """
    target = ureg.Unit("" if expected == "dimensionless" else expected)
    if isinstance(value, Quantity):
        quantity = value
    elif isinstance(value, bool) or value is None:
        raise UnitMismatch(located(where, f"got {value!r}; expected a quantity in {_describe(target)}"))
    elif isinstance(value, (int, float)):
        if isinstance(value, int) and abs(value) > 1e300:
            raise UnitError(located(where, f"got a whole number of {len(str(abs(value)))} digits; expected a quantity in "
                                           f"{_describe(target)}"))
        if target.dimensionless:
            quantity = Quantity(float(value), "")
        elif target.dimensionality == ureg.piece.dimensionality:
            quantity = Quantity(float(value), "piece")  # a count needs no unit: "cells: 144"
        else:
            raise UnitError(
                located(where, f"got the bare number {value!r}; expected a quantity with a unit, such as '{value} {target:~}'")
            )
    elif isinstance(value, str):
        quantity = read_quantity(value, where=where, expected=f"a quantity in {_describe(target)}")
        if quantity.unitless and target.dimensionality == ureg.piece.dimensionality:
            quantity = Quantity(quantity.magnitude, "piece")
        if not target.dimensionless and quantity.dimensionless and quantity.units == ureg.Unit(""):
            raise UnitError(
                located(where, f"got {value!r} without a unit; expected a quantity in {_describe(target)}")
            )
    else:
        raise UnitMismatch(located(where, f"got {value!r}; expected a quantity in {_describe(target)}"))
    if quantity.dimensionality != target.dimensionality:
        raise UnitMismatch(
            located(where, f"got {value!r} ({_dimension_name(quantity.dimensionality)}); expected {_describe(target)}")
        )
    converted = quantity.to(target)
    if not np.all(np.isfinite(converted.magnitude)):  # a batch column parses to an array
        # "1e999" reads as infinity and "nan" as NaN: both would flow silently into the matrices
        raise UnitError(located(where, f"got {value!r}, not a finite number; expected a quantity in {_describe(target)}"))
    return converted


def read_quantity(value, *, where="", expected="a quantity"):
    """Read a "number unit" string as pint would, of any dimension, with the library's rules.

    The text rules every quantity a user writes goes through: a number first, no comma
    (pint drops it: "17,7" would read as 177), a known unit. Dimension, range and
    finiteness are the caller's to check (:func:`parse_quantity` does for one expected unit).

    Parameters
    ----------
    value : str
    where : str
        Where the value was read, for messages.
    expected : str
        What the value should be, for messages ("a specific yield such as '1300 kWh/kWp'").

    Returns
    -------
    pint.Quantity
        A plain number comes back as a dimensionless quantity.

    Raises
    ------
    UnitError
        No number first, a comma, or an unknown unit; :class:`UnitMismatch` for an empty value
        or text pint cannot read.
    """
    text = _normalise_text(value)
    if not text:
        raise UnitMismatch(located(where, f"got an empty value; expected {expected}"))
    if not _NUMBER_FIRST.match(text):
        raise UnitError(located(where, f"got {value!r}; expected 'number unit', {expected}"))
    if "," in text:
        # pint drops a comma between digits: "17,7" would silently read as 177. A decimal
        # comma and a thousands separator cannot be told apart ("1,500"), so both are refused.
        if "," in _NUMBER_PART.match(text).group():
            raise UnitError(located(where, f"got {value!r}, a comma in the number; write it with a decimal point and no "
                                           f"thousands separator (17.7 not 17,7; 1234.5 not 1,234.5), {expected}"))
        raise UnitError(located(where, f"got {value!r}, a comma after the number; expected 'number unit' and nothing else, "
                                       f"{expected}"))
    match = _PLAIN_NUMBER.match(text)
    if match is None:
        raise UnitMismatch(located(where, f"cannot read {value!r} as 'number unit'; expected {expected}"))
    number, unit_text = float(match.group(1)), match.group(2)
    if not unit_text:
        return Quantity(number, "")
    extra = number_in_unit(unit_text)
    if extra:
        raise UnitError(located(where, f"got {value!r}, a number ({extra}) inside the unit; expected 'number unit' with "
                                       f"one plain number first, {expected}"))
    try:
        unit = _unit_of(unit_text)
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError) as exc:
        raise UnitError(located(where, f"unknown unit in {value!r} ({exc}); expected {expected}")) from None
    except Exception:
        raise UnitMismatch(located(where, f"cannot read {value!r} as 'number unit'; expected {expected}")) from None
    return Quantity(number * unit.magnitude if unit.magnitude != 1 else number, unit.units)


#: A digit in a unit that is not a short exponent (m2, m**2, m^-1): "kWh/1000 pcs", "700 MWh",
#: "m**999", or the chained exponents of "um**9**9**9" (which pint would compute for minutes).
_NUMBER_IN_UNIT = re.compile(r"(?<![A-Za-z_µμ*^²³\-])[\d.,]*\d|(?<=[*^\-])\d{3,}|(?:\*\*|\^)-?\d+\s*(?:\*\*|\^)")


def number_in_unit(text):
    """The part of a unit text that is a number other than a short exponent, or None.

    A unit holds no number of its own: ``kWh/1000 pcs`` would multiply the value by 1/1000
    without a word, and an exponent of three digits or a chained one (``um**9**9**9``) has
    no place in a PV inventory (pint would spend minutes computing it).
    """
    match = _NUMBER_IN_UNIT.search(text)
    return match.group(0) if match else None


#: A plain decimal number (no expression), then the unit text.
_PLAIN_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)$")


def unit_quantity(text):
    """The quantity one unit text is (``kWh/kg`` -> 1 kWh/kg; ``(10000*kWh)`` -> 10000 kWh), parsed once per text.

    Raises
    ------
    pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError
        An unknown unit, or text that is not a unit.
    """
    return _unit_of(text)


@functools.lru_cache(maxsize=4096)
def _unit_of(text):
    """The quantity one ``text`` unit is (``kWh/kg`` -> 1 kWh/kg; ``(10000*kWh)`` -> 10000 kWh).

    Parsed once per distinct text: a bundle or a batch repeats a few units thousands of times.
    """
    quantity = ureg.parse_expression(text)
    if not isinstance(quantity, Quantity):
        raise pint.errors.DefinitionSyntaxError(f"{text!r} is not a unit")
    return quantity


def _describe(unit):
    """A short description of a target unit for error messages."""
    if unit.dimensionless:
        return "a plain number or a percentage"
    return f"{_dimension_name(unit.dimensionality)} such as {unit:~}"


def _dimension_name(dimensionality):
    for name, unit in DIMENSION_NAMES.items():
        if ureg.Unit(unit).dimensionality == dimensionality:
            return name
    return str(dimensionality)


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


def plain_number(value):
    """A magnitude as a float, or a float array when it holds one value per variant (a batch)."""
    return float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=float)


def unit_text(unit):
    """A unit as people and the product files write it: ``kWh/m**2`` -> ``kWh/m2``, ``kg * km`` -> ``kg*km``.

    Parameters
    ----------
    unit : pint.Unit or str
    """
    text = f"{unit:~C}" if not isinstance(unit, str) else unit
    return text.replace("**", "").replace(" * ", "*").replace(" / ", "/").replace("dimensionless", "").strip()


def format_quantity(quantity, *, digits=4, percent=True):
    """A quantity for people: ``digits`` significant figures and a compact unit (``66.5 kWh/kg``).

    Parameters
    ----------
    quantity : pint.Quantity
        A scalar.
    digits : int
        Significant figures.
    percent : bool
        Show a dimensionless fraction as a percentage (``0.23`` -> ``23 %``).
    """
    if quantity.dimensionless:
        value = float(quantity.to("").magnitude)
        return f"{value * 100:.{digits}g} %" if percent and abs(value) <= 1 else f"{value:.{digits}g}"
    return f"{float(quantity.magnitude):.{digits}g} {unit_text(quantity.units)}"
