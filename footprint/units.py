"""The one pint registry of the library, and the parsing of "number unit" strings.

Every quantity a user gives is a string such as ``"66.5 kWh/kg"`` and goes through
:func:`parse_quantity`, which checks the dimension against what the field expects.
Definitions specific to PV (piece, cell, wafer, module, Wp, kWp, kg CO2-eq) live in
``units.txt`` beside this file.
"""

import re
from pathlib import Path

import pint

from footprint.errors import UnitError, located

ureg = pint.UnitRegistry(on_redefinition="raise", autoconvert_offset_to_baseunit=True)
ureg.load_definitions(str(Path(__file__).with_name("units.txt")))
Quantity = ureg.Quantity

#: Brightway unit strings -> pint unit expressions. Brightway's "ton" is the metric tonne
#: and its "unit" is one item; pint would read them as the US short ton and as micronit.
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


def _normalise_text(text):
    """Make common spreadsheet and typing habits parseable: '1,000 kg', '5 kWh / kg'."""
    cleaned = text.strip().replace("\u00a0", " ")
    # A thousands separator between digits: "1,234.5 kg". A decimal comma is not accepted.
    parts = cleaned.split(" ", 1)
    number = parts[0]
    if "," in number and number.replace(",", "").replace(".", "", 1).lstrip("+-").isdigit():
        groups = number.lstrip("+-").split(".")[0].split(",")
        if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
            parts[0] = number.replace(",", "")
    return " ".join(parts)


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
        Missing number or unit, unknown unit, or a dimension other than expected.
    """
    target = ureg.Unit("" if expected == "dimensionless" else expected)
    if isinstance(value, Quantity):
        quantity = value
    elif isinstance(value, bool) or value is None:
        raise UnitError(located(where, f"got {value!r}; expected a quantity in {_describe(target)}"))
    elif isinstance(value, (int, float)):
        if target.dimensionless:
            quantity = Quantity(float(value), "")
        elif target.dimensionality == ureg.piece.dimensionality:
            quantity = Quantity(float(value), "piece")  # a count needs no unit: "cells: 144"
        else:
            raise UnitError(
                located(where, f"got the bare number {value!r}; expected a quantity with a unit, such as '{value} {target:~}'")
            )
    elif isinstance(value, str):
        text = _normalise_text(value)
        if not text:
            raise UnitError(located(where, f"got an empty value; expected a quantity in {_describe(target)}"))
        if not _NUMBER_FIRST.match(text):
            raise UnitError(located(where, f"got {value!r}; expected 'number unit', a quantity in {_describe(target)}"))
        try:
            quantity = ureg.Quantity(text)
        except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError) as exc:
            raise UnitError(located(where, f"unknown unit in {value!r} ({exc}); expected a quantity in {_describe(target)}")) from None
        except Exception:
            raise UnitError(located(where, f"cannot read {value!r} as 'number unit'; expected a quantity in {_describe(target)}")) from None
        if not isinstance(quantity, Quantity):
            quantity = Quantity(float(quantity), "")
        if quantity.unitless and target.dimensionality == ureg.piece.dimensionality:
            quantity = Quantity(quantity.magnitude, "piece")
        if not target.dimensionless and quantity.dimensionless and quantity.units == ureg.Unit(""):
            raise UnitError(
                located(where, f"got {value!r} without a unit; expected a quantity in {_describe(target)}")
            )
    else:
        raise UnitError(located(where, f"got {value!r}; expected a quantity in {_describe(target)}"))
    if quantity.dimensionality != target.dimensionality:
        raise UnitError(
            located(where, f"got {value!r} ({_dimension_name(quantity.dimensionality)}); expected {_describe(target)}")
        )
    return quantity.to(target)


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
