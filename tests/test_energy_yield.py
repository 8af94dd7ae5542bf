"""The location default of the specific yield (inventories/specific_yield.csv) and the per-kWh energy.

Expected values are recomputed here from the CSV read with the csv module, not through the
library's reader."""

import csv
import shutil

import pytest

from footprint.bundle.read import read_bundle
from footprint.calc import compute
from footprint.energy_yield import lifetime_energy
from footprint.errors import DataError, InputError
from footprint.model.use import parse_use
from footprint.units import Quantity

from calc_helpers import by_hand, product_data, write_product
from conftest import ROOT

INVENTORIES = ROOT / "inventories"
REL = 1e-6  # Brightway stores amounts as float32


def _table():
    """(geography, mounting) -> row of specific_yield.csv, read with the csv module."""
    with (INVENTORIES / "specific_yield.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if not row["geography"].startswith("#")]
    return {(row["geography"], row["mounting"]): row for row in rows}


def _energy(country, mounting, *, watts=550.0):
    use = parse_use({"country": country, "mounting": mounting}, where="p.yaml: use")
    return lifetime_energy(rated_power=Quantity(watts, "W"), use=use, source="p.yaml")


def test_the_table_has_roof_ground_and_facade_for_33_countries_each_row_sourced():
    table = _table()
    countries = {geography for geography, _ in table}
    assert len(countries) == 33 and len(table) == 99
    for (geography, mounting), row in table.items():
        assert mounting in ("roof", "ground", "facade")
        assert row["unit"] == "kWh/kWp/year" and float(row["value"]) > 0
        assert row["year"] == "2018" and "T12-33:2026" in row["source"] and "premise 2.5.2" in row["source"]
        assert row["locator"].startswith(f"report_yields.{geography}.{mounting} = {row['value']};")
        assert "performance ratio included" in row["note"]
        # 2025 - 2018 = 7 years: temporal score 3 (< 10 years) on the README's scale
        assert row["quality"].split(",")[2] == "3"
        # ground > roof > facade in every country of the source
        assert float(table[(geography, "ground")]["value"]) >= float(table[(geography, "roof")]["value"]) \
            >= float(table[(geography, "facade")]["value"])


def test_de_rooftop_default_is_the_final_yield_without_pr(tmp_path, home_env):
    yield_de = float(_table()[("DE", "roof")]["value"])
    assert yield_de == 922
    data = product_data(use={"country": "DE", "mounting": "rooftop"})
    result = compute(write_product(tmp_path, data), per="kWh")
    energy = 0.55 * yield_de * 30 * (1 - 0.007 * 30 / 2)  # no PR: the final yield has the losses in
    assert result.total.value == pytest.approx(by_hand()["module"] / energy, rel=REL)
    used = result.parameters
    assert used["use.specific_yield"]["value"] == 922 and used["use.specific_yield"]["unit"] == "kWh/kWp/year"
    assert "Götz" in used["use.specific_yield"]["source"] and "specific_yield.csv row" in used["use.specific_yield"]["source"]
    assert "report_yields.DE.roof" in used["use.specific_yield"]["source"]
    assert used["use.performance_ratio"]["value"] == 1.0
    assert "included in the source's final yield" in used["use.performance_ratio"]["source"]
    assert used["use.degradation"]["value"] == pytest.approx(0.007)
    assert "premise 2.5.2" in used["use.degradation"]["source"] and "on top" in used["use.degradation"]["source"]
    assert used["use.lifetime_energy"]["value"] == pytest.approx(energy)


def test_ground_mounting_reads_the_ground_row():
    yield_es = float(_table()[("ES", "ground")]["value"])
    result = _energy("ES", "ground", watts=600)
    assert result.energy == pytest.approx(0.6 * yield_es * 30 * (1 - 0.105), rel=1e-12)
    assert result.parameters["performance_ratio"]["value"] == 1.0


def test_a_province_takes_its_countrys_row():
    result = _energy("CN-JS", "rooftop")
    assert result.parameters["specific_yield"]["value"] == float(_table()[("CN", "roof")]["value"])
    assert "default for CN, rooftop" in result.parameters["specific_yield"]["source"]


def test_a_country_without_a_row_is_a_one_line_error_naming_the_field():
    with pytest.raises(InputError) as caught:
        _energy("VN", "rooftop")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("p.yaml: use.country: no bundled specific yield for 'VN' (rooftop)")
    assert "give use.specific_yield" in message and "DE" in message and "ZA" in message


def test_the_default_needs_a_mounting_and_refuses_a_performance_ratio():
    with pytest.raises(InputError, match=r"^p.yaml: use\.mounting: missing; the default yield of DE needs mounting"):
        lifetime_energy(rated_power=Quantity(550, "W"), use=parse_use({"country": "DE"}, where="p.yaml: use"), source="p.yaml")
    use = parse_use({"country": "DE", "mounting": "rooftop", "performance_ratio": 0.8}, where="p.yaml: use")
    with pytest.raises(InputError, match=r"^p.yaml: use\.performance_ratio: given without specific_yield; .* final yield"):
        lifetime_energy(rated_power=Quantity(550, "W"), use=use, source="p.yaml")


@pytest.mark.parametrize("value", ["germany", "de", 49, "D"])
def test_a_malformed_country_is_refused(value):
    with pytest.raises(InputError, match=r"^p.yaml: use\.country: got .*; expected an ISO 3166-1 alpha-2"):
        parse_use({"country": value}, where="p.yaml: use")


def test_a_users_yield_wins_and_still_takes_the_pr(tmp_path, home_env):
    data = product_data(use={"specific_yield": "1300 kWh/kWp", "mounting": "rooftop", "country": "DE"})
    result = compute(write_product(tmp_path, data), per="kWh")
    energy = 0.55 * 1300 * 0.75 * 30 * (1 - 0.007 * 30 / 2)
    assert result.total.value == pytest.approx(by_hand()["module"] / energy, rel=REL)
    assert result.parameters["use.specific_yield"]["source"].startswith("product file")
    assert result.parameters["use.performance_ratio"]["value"] == 0.75


def _copy_with(tmp_path, old, new):
    copy = tmp_path / "inv"
    shutil.copytree(INVENTORIES, copy)
    path = copy / "specific_yield.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    (index,) = [i for i, line in enumerate(lines) if line.startswith(old)][:1]
    lines[index] = lines[index].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return copy, index + 1


@pytest.mark.parametrize("old, new, message", [
    ("DE,roof,922,kWh/kWp/year", "DE,roof,922,%", "columns value/unit: got 922 '%'"),
    ("DE,roof,922,kWh/kWp/year", "DE,roof,922,kWh/m2", "columns value/unit"),
    ("DE,roof,922", "DE,roof,-922", "columns value/unit"),
    ("DE,roof,", "DEU,roof,", "column geography: got 'DEU'"),
    ("DE,roof,", "XK,roof,", "column geography: 'XK' is not in geographies.csv"),
    ("DE,roof,", "DE,rooftop,", "column mounting: got 'rooftop'"),
    ("DE,ground,", "DE,roof,", "DE/roof is defined twice (specific_yield.csv row"),
])
def test_a_bad_row_of_the_table_names_file_row_and_column(tmp_path, old, new, message):
    directory, line = _copy_with(tmp_path, old, new)
    with pytest.raises(DataError) as caught:
        read_bundle(directory)
    assert str(caught.value).startswith(f"specific_yield.csv row {line}")
    assert message in str(caught.value)


@pytest.mark.parametrize("field, text, meant", [
    ("specific_yield", "1300,5 kWh/kWp", 1300.5),  # pint alone drops the comma: 13005, ten times the yield
    ("degradation", "0,7 %", 0.007),  # pint alone reads "0,7 %" as 0: no degradation at all
    ("lifetime", "27,5 year", 27.5),
])
def test_a_comma_in_a_use_number_is_refused_not_misread(field, text, meant):
    with pytest.raises(InputError, match=rf"p.yaml: use.{field}: got '{text}', a comma in the number"):
        parse_use({field: text}, where="p.yaml: use")
    # the same value with a decimal point is read as meant
    use = parse_use({field: text.replace(",", ".")}, where="p.yaml: use")
    assert getattr(use, field).magnitude == pytest.approx(meant, rel=1e-12)
