"""Property-based tests of the text parsers: any input gives a value or a one-line library error, in bounded time.

Hypothesis generates the inputs (seeded by the test's name, so a run is repeatable); each
property says what must hold for every input, not for a chosen few.
"""

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from footprint.collect.xlsx import parse_number, parse_unit
from footprint.errors import FootprintError, InputError
from footprint.fileio import load_json, load_yaml
from footprint.model.spec import parse_product
from footprint.units import number_in_unit, read_quantity

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
UNITS = ["kg", "kWh/kg", "MJ", "um", "m2", "cm2", "kWh/m2", "W", "kWp", "%", "kg/m2", "t", "kWh/kWp/year", "tonne*km"]


def one_line(error):
    return "\n" not in str(error) and str(error).strip() == str(error)


@SETTINGS
@given(st.text(max_size=40))
def test_read_quantity_answers_any_text_with_a_quantity_or_a_one_line_unit_error(text):
    started = time.perf_counter()
    try:
        quantity = read_quantity(text, where="f.yaml: x")
    except FootprintError as error:
        assert one_line(error), error
    else:
        assert hasattr(quantity, "magnitude")
    assert time.perf_counter() - started < 1


@SETTINGS
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12), st.sampled_from(UNITS))
def test_a_plain_number_and_a_unit_read_back_exactly(number, unit):
    text = f"{number!r} {unit}"
    quantity = read_quantity(text)
    assert quantity.magnitude == number or (number == 0 and quantity.magnitude == 0)


@SETTINGS
@given(st.sampled_from(UNITS), st.integers(min_value=100, max_value=10**6))
def test_a_number_inside_a_unit_is_always_found(unit, number):
    assert number_in_unit(f"{unit}/{number} pcs")
    assert number_in_unit(f"{unit}**{number}")
    assert number_in_unit(unit) is None


@SETTINGS
@given(st.binary(max_size=300))
def test_load_yaml_answers_any_bytes_with_data_or_one_line(raw):
    try:
        load_yaml(raw, "f.yaml", what="a product file")
    except InputError as error:
        assert one_line(error), error


@SETTINGS
@given(st.binary(max_size=300))
def test_load_json_answers_any_bytes_with_data_or_one_line(raw):
    try:
        load_json(raw, "f.json", what="a PACT file")
    except InputError as error:
        assert one_line(error), error


@SETTINGS
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
                    max_leaves=30))
def test_parse_product_answers_any_yaml_value_with_one_line(value):
    import yaml

    text = yaml.safe_dump(value, allow_unicode=True)
    with pytest.raises(FootprintError) as info:
        parse_product(text)
    assert one_line(info.value), info.value


@SETTINGS
@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.none()))
def test_workbook_cells_read_as_a_number_or_a_value_error(value):
    try:
        number, _ = parse_number(value)
    except ValueError as error:
        assert "\n" not in str(error)
    else:
        assert number is None or math.isfinite(number)


@SETTINGS
@given(st.text(max_size=20))
def test_workbook_units_read_as_a_unit_or_a_value_error(text):
    started = time.perf_counter()
    try:
        parse_unit(text)
    except ValueError as error:
        assert "\n" not in str(error)
    assert time.perf_counter() - started < 1
