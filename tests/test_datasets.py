"""footprint.bundle.catalogue and `footprint datasets`: listing and filtering the bundled inventories."""

import json

import pytest
import yaml

from footprint.bundle.catalogue import list_datasets
from footprint.errors import InputError

from conftest import ROOT, invoke
from handcalc import rows

INVENTORIES = ROOT / "inventories"


def _background_ids():
    manifest = yaml.safe_load((INVENTORIES / "manifest.yaml").read_text(encoding="utf-8"))
    return {row["dataset"] for name in manifest["background"] for row in rows(name)}


def test_lists_every_dataset_and_every_default():
    entries = list_datasets()
    background = {e.id for e in entries if e.kind == "background"}
    defaults = [e for e in entries if e.kind == "default"]
    assert background == _background_ids()
    assert [e.id for e in defaults] == [f"{r['stage']}/{r['technology']}/{r['parameter']}" for r in rows("processes.csv")]
    for entry in entries:
        assert entry.unit is not None and entry.geography and entry.year and entry.sources and entry.quality


def test_stage_filter_gives_the_stage_defaults_and_the_materials_they_use():
    module_rows = [r for r in rows("processes.csv") if r["stage"] == "module"]
    expected = {f"module/{r['technology']}/{r['parameter']}" for r in module_rows}
    expected |= {r["parameter"].split(":", 1)[1] for r in module_rows if r["parameter"].startswith("material:")}
    assert {e.id for e in list_datasets(stage="module")} == expected
    polysilicon = {e.id for e in list_datasets(stage="polysilicon")}
    assert "heat_natural_gas" in polysilicon  # the Siemens heat default burns natural gas


def test_geography_filter_includes_the_places_within():
    east = {e.id for e in list_datasets(geography="CN-ECG")}
    assert {"electricity_co2_CN-ECG_2023", "electricity_co2_CN-JS_2023", "electricity_grid_CN-JS"} <= east
    assert "electricity_co2_CN-GD_2023" not in east and "electricity_co2_CN_2023" not in east
    china = {e.id for e in list_datasets(geography="CN")}
    assert {"electricity_co2_CN_2023", "electricity_lifecycle_CN_2024", "aluminium_primary_CN", "electricity_co2_CN-YN_2021"} <= china
    assert not any(i.startswith("electricity_lifecycle_VN") for i in china)
    assert {e.geography for e in list_datasets(geography="VN")} == {"VN"}


def test_search_needs_every_word_and_combines_with_other_filters():
    silver = {e.id for e in list_datasets(search="Silver")}
    assert {"silver", "cell/perc/material:silver", "cell/hjt/material:silver"} <= silver
    assert {e.id for e in list_datasets(search="silver hjt")} == {"cell/hjt/material:silver"}
    assert {e.id for e in list_datasets(search="Ember", geography="DE")} == {"electricity_lifecycle_DE_2023"}
    assert list_datasets(search="unobtainium") == []


def test_unknown_filters_are_input_errors():
    with pytest.raises(InputError, match="geography: unknown geography 'XX'"):
        list_datasets(geography="XX")
    with pytest.raises(InputError, match="stage"):
        list_datasets(stage="laminate")


def test_cli_json_is_one_object_and_table_ends_with_a_count(tmp_path):
    result = invoke("datasets", "--stage", "cell", "--format", "json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["count"] == len(data["datasets"]) == len(list_datasets(stage="cell"))
    silver = next(d for d in data["datasets"] if d["id"] == "silver")
    assert silver["exchanges"] == [{"flow": "co2e_aggregated", "amount": 196.0, "unit": "kg"}]
    assert silver["year"] == 2008 and silver["geography"] == "GLO" and "Nuss" in silver["sources"][0]
    table = invoke("datasets", "--geography", "CN-JS", home=tmp_path)
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split()[:5] == ["id", "unit", "kg", "CO2-eq/unit", "geography"]
    assert table.stdout.strip().endswith(f"{len(list_datasets(geography='CN-JS'))} dataset(s)")


def test_cli_bad_geography_exits_1_with_one_line(tmp_path):
    result = invoke("datasets", "--geography", "Atlantis", home=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "error: --geography: unknown geography 'Atlantis'; expected an id of inventories/geographies.csv such as CN, CN-JS, CN-ECG or VN"


def test_a_percentage_default_is_listed_as_a_fraction():
    (entry,) = list_datasets(kind="default", search="cell/perc/efficiency")
    assert entry.exchanges == [{"value": pytest.approx(0.232), "unit": "", "as_written": "23.2 %"}]


def test_the_cli_shows_each_dataset_s_factor_once_set_up(home_env):
    from handcalc import emission_factors

    result = invoke("datasets", "--search", "electricity CN", "--kind", "background", "--format", "json", home=home_env)
    assert result.returncode == 0, result.stderr
    listed = {entry["id"]: entry["factor"] for entry in json.loads(result.stdout)["datasets"]}
    assert listed["electricity_lifecycle_CN_2024"] == pytest.approx(0.5777, rel=1e-12)
    ef = emission_factors()  # by hand from the CSV files and bw2io's GWP100 (AR6), links followed
    for dataset in ("electricity_grid_CN-JS", "electricity_co2_CN-XJ_2023", "electricity_lifecycle_CN_2023"):
        assert listed[dataset] == pytest.approx(ef(dataset), rel=1e-9), dataset
    table = invoke("datasets", "--search", "aluminium primary", home=home_env)
    assert "kg CO2-eq/unit" in table.stdout.splitlines()[0] and "15.947" in table.stdout


def test_the_datasets_frame_has_the_factors_the_cli_shows(home_env):
    """footprint.datasets() fills its factor column from the solved background, as ``footprint datasets`` does."""
    import math

    import footprint

    result = invoke("datasets", "--geography", "CN", "--format", "json", home=home_env)
    assert result.returncode == 0, result.stderr
    listed = {entry["id"]: entry["factor"] for entry in json.loads(result.stdout)["datasets"]}
    frame = footprint.datasets(geography="CN")
    assert list(frame.index) == list(listed)
    background = frame[frame["kind"] == "background"]
    assert len(background) > 30 and background["factor"].notna().all()
    for dataset, factor in frame["factor"].items():
        if listed[dataset] is None:
            assert factor is None or math.isnan(factor), dataset
        else:
            assert factor == pytest.approx(listed[dataset], rel=1e-12), dataset
    assert frame.loc["electricity_lifecycle_CN_2024", "factor"] == pytest.approx(0.5777, rel=1e-12)
    assert frame.attrs["factor_unit"] == "kg CO2-eq per unit" and "2021" in frame.attrs["gwp"]
    ar5 = footprint.datasets(geography="CN-JS", kind="background", gwp="AR5")
    assert ar5["factor"].notna().all() and "2013" in ar5.attrs["gwp"]
