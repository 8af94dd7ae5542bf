"""footprint.units: the registry, Brightway unit mapping and "number unit" parsing."""

import pytest

from footprint.errors import FootprintError, UnitError
from footprint.units import BRIGHTWAY_UNITS, Quantity, UnitMismatch, brightway_unit, parse_quantity, pint_unit, ureg


def test_tonne_and_unit_are_not_pint_defaults():
    # pint alone reads "ton" as the US short ton (907.18 kg) and "unit" as micronit.
    assert pint_unit("ton") == ureg.tonne
    assert Quantity(1, pint_unit("ton")).to("kg").magnitude == pytest.approx(1000.0)
    assert pint_unit("unit") == ureg.piece


def test_ton_and_unit_in_user_strings_mean_tonne_and_piece():
    # pint alone: "1 ton" is 907.18474 kg (US short ton) and "1 unit" is a micro-nit (luminance)
    import pint

    plain = pint.UnitRegistry()
    assert plain.Quantity("1 ton").to("kg").magnitude == pytest.approx(907.18474)
    assert plain.Quantity("1 unit").dimensionality == plain.Quantity("1 nit").dimensionality
    assert ureg.Quantity("1 ton").to("kg").magnitude == pytest.approx(1000.0)
    assert ureg.Unit("tons") == ureg.tonne
    assert ureg.parse_expression("kWh/unit").dimensionality == ureg.parse_expression("kWh/piece").dimensionality
    assert Quantity(1500, "kg").to("ton").magnitude == pytest.approx(1.5)
    # the US short ton is still there for whoever names it
    assert ureg.Quantity("1 short_ton").to("kg").magnitude == pytest.approx(907.18474)


def test_kwp_is_power_not_energy():
    assert parse_quantity("1 kWp", "W").magnitude == pytest.approx(1000.0)
    with pytest.raises(UnitError, match="energy"):
        parse_quantity("550 kWh", "Wp", where="f.yaml: product.rated_power")


def test_pv_counting_units():
    assert parse_quantity("144 cells", "piece").magnitude == 144
    assert parse_quantity(144, "piece").magnitude == 144
    assert parse_quantity("0.5 kWh/wafer", "kWh/piece").magnitude == pytest.approx(0.5)


@pytest.mark.parametrize("text, expected, value", [
    ("66.5 kWh/kg", "kWh/kg", 66.5),
    ("1 MWh", "kWh", 1000.0),
    ("2 GJ", "MJ", 2000.0),
    ("1.5 t", "kg", 1500.0),
    ("250 g", "kg", 0.25),
    ("150 um", "um", 150.0),
    ("2.58 m2", "m**2", 2.58),
    ("330.15 cm2", "m**2", 0.033015),
    ("17.7 kWh/m2", "kWh/m**2", 17.7),
    ("97 %", "dimensionless", 0.97),
    (0.97, "dimensionless", 0.97),
    ("1 ton", "kg", 1000.0),
    ("2 tons", "kg", 2000.0),
    ("1ton", "kg", 1000.0),
    ("3 ton*km", "tonne*km", 3.0),
    ("0.5 kWh/unit", "kWh/piece", 0.5),
    ("3 units", "piece", 3.0),
    ("1234.5 kg", "kg", 1234.5),
    ("\u00a066.5\u00a0kWh/kg ", "kWh/kg", 66.5),
    ("3 kg_CO2_eq", "g_CO2_eq", 3000.0),
])
def test_parse_accepts_and_converts(text, expected, value):
    assert parse_quantity(text, expected).magnitude == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("text, expected, message", [
    ("5 kWh", "kg", "got '5 kWh' (energy); expected mass"),
    ("5 furlongs", "kg", "expected mass"),
    ("5 bananas", "kg", "unknown unit"),
    ("5", "kg", "without a unit"),
    (5, "kg", "bare number"),
    ("", "kg", "empty"),
    (None, "kg", "got None"),
    ("kg", "kg", "kg"),
    # pint alone reads these as 177, 15, 0 (it drops the comma) and 1234.5
    ("17,7 kWh/m2", "kWh/m**2", "got '17,7 kWh/m2', a comma in the number; write it with a decimal point"),
    ("1,5 kg", "kg", "a comma in the number"),
    ("0,033 kWh", "kWh", "a comma in the number"),
    ("1,234.5 kg", "kg", "no thousands separator"),
    ("5 kg, about", "kg", "a comma after the number"),
    # pint reads these as infinity and NaN; they must not reach the matrices
    ("1e999 um", "um", "got '1e999 um', not a finite number"),
    ("nan kg", "kg", "expected 'number unit'"),
    (float("inf"), "dimensionless", "not a finite number"),
])
def test_parse_errors_name_the_place_and_expectation(text, expected, message):
    with pytest.raises(UnitError) as info:
        parse_quantity(text, expected, where="p.yaml: stages.wafer.x")
    text_of_error = str(info.value)
    assert text_of_error.startswith("p.yaml: stages.wafer.x: ")
    assert message in text_of_error
    assert "\n" not in text_of_error
    assert isinstance(info.value, FootprintError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("value, mismatch", [
    ("1.5 kg", True), (None, True), ("", True), ([1], True),  # another dimension, or no quantity: try another unit
    ("1,5 kWh", False), ("5 bananas", False), ("1e999 kWh/piece", False), ("5", False), (5, False), ("about 5", False),
])
def test_only_a_mismatch_lets_a_caller_try_another_unit(value, mismatch):
    # spec's per_unit tries kWh/piece, kWh/m2, kWh/W on UnitMismatch and stops at any other UnitError
    with pytest.raises(UnitError) as info:
        parse_quantity(value, "kWh/piece")
    assert isinstance(info.value, UnitMismatch) is mismatch


def test_every_brightway_unit_round_trips():
    for bw_name in BRIGHTWAY_UNITS:
        assert brightway_unit(pint_unit(bw_name)) == bw_name
    with pytest.raises(UnitError, match="unknown Brightway unit"):
        pint_unit("megaparsec")
