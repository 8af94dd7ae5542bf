"""Batch: variants equal a separate bw2calc LCA each, the CLI writes CSV, errors name the row."""

import copy
import csv
import hashlib
import io
import json
import random
import re
from pathlib import Path

import pytest
import yaml

from footprint.calc import batch as batch_module
from footprint.calc import compute
from footprint.calc.batch import run_batch, write_results
from footprint.calc.variants import read_variants
from footprint.calc.verify import Verified, check_agreement, verify
from footprint.claims import clear_claims, list_claims
from footprint.errors import FootprintError, InputError

from calc_helpers import DATA, product_data, write_product
from conftest import run_cli

HEADER = ["variant", "stages.cell.site", "stages.module.site", "stages.polysilicon.electricity", "stages.wafer.thickness [um]",
          "stages.cell.efficiency", "stages.cell.electricity", "stages.module.materials.solar_glass", "product.rated_power [W]"]
SITES = ["CN-JS", "CN-ZJ", "CN-XJ", "CN-YN"]


def _variants(path, count, seed=7):
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index in range(count):
            site = rng.choice(SITES)
            writer.writerow([
                f"v{index}", site, site if rng.random() < 0.7 else "",
                f"{rng.uniform(40, 75):.3f} kWh/kg" if rng.random() < 0.8 else "",
                f"{rng.uniform(110, 175):.2f}",
                rng.choice([f"{rng.uniform(21, 26):.2f} %", f"{rng.uniform(0.21, 0.26):.4f}"]),
                rng.choice([f"{rng.uniform(12, 20):.2f} kWh/m2", f"{rng.uniform(0.4, 0.7):.4f} kWh/piece", ""]),
                f"{rng.uniform(5, 10):.3f} kg/m2" if rng.random() < 0.5 else "",
                f"{rng.uniform(530, 600):.1f}",
            ])
    return path


@pytest.fixture
def base(tmp_path, home_env):
    return write_product(tmp_path, product_data(), "base.yaml")


def test_a_sample_equals_a_separate_brightway_lca_each(tmp_path, base):
    result = run_batch(base, _variants(tmp_path / "v.csv", 300), per="kWp")
    assert result.groups > 4  # sites, blanks and units make several groups
    checked = verify(result, base, sample=6, seed=1)
    assert len(checked) == 12 and {item.basis for item in checked} == {"location", "market"}  # 6 variants, both bases
    for item in checked:
        assert item.relative_difference <= 1e-9, item


def test_market_based_variants_equal_brightway_too(tmp_path, home_env):
    site = yaml.safe_load((DATA / "site-jiangsu-2024.yaml").read_text(encoding="utf-8"))
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(site), encoding="utf-8")
    base = write_product(tmp_path, product_data(**{"stages.cell.electricity_instruments": "site.yaml"}), "base.yaml")
    path = tmp_path / "v.csv"
    path.write_text("variant,stages.cell.electricity,stages.polysilicon.site\na,15 kWh/m2,CN-XJ\nb,19 kWh/m2,CN-YN\nc,,CN-NM\n",
                    encoding="utf-8")
    result = run_batch(base, path)
    assert all(result.market_based < result.location_based)
    checked = verify(result, base, sample=3)
    assert sorted({item.basis for item in checked}) == ["location", "market"] and len(checked) == 6
    for item in checked:
        assert item.relative_difference <= 1e-9, item
    market = {item.index: item.brightway for item in checked if item.basis == "market"}
    location = {item.index: item.brightway for item in checked if item.basis == "location"}
    assert all(market[index] < location[index] for index in market)  # two different LCAs, not one compared twice


def test_batch_equals_compute_of_each_variant_written_as_a_product_file(tmp_path, base):
    path = tmp_path / "v.csv"
    path.write_text(
        "variant,stages.wafer.thickness [um],stages.cell.site,stages.cell.efficiency,stages.module.cells\n"
        "thin,130,CN-ZJ,24.1 %,132\n"
        "base,,,,\n"
        "yunnan,160,CN-YN,0.235,\n",
        encoding="utf-8",
    )
    result = run_batch(base, path, per="m2")
    overrides = [
        {"stages.wafer.thickness": "130 um", "stages.cell.site": "CN-ZJ", "stages.cell.efficiency": "24.1 %", "stages.module.cells": 132},
        {},
        {"stages.wafer.thickness": "160 um", "stages.cell.site": "CN-YN", "stages.cell.efficiency": 0.235},
    ]
    for index, changes in enumerate(overrides):
        expected = compute(write_product(tmp_path, product_data(**changes), f"p{index}.yaml"), per="m2", verify=False)
        assert result.location_based[index] == pytest.approx(expected.total.value, rel=1e-12)
        for stage, part in expected.by_stage.items():
            assert result.by_stage[stage][index] == pytest.approx(part.value, rel=1e-12, abs=1e-15)


def test_cli_writes_a_csv_and_verifies(tmp_path, base, home_env):
    variants = _variants(tmp_path / "v.csv", 40)
    out = tmp_path / "results.csv"
    completed = run_cli("batch", variants, "--base", base, "-o", out, "--per", "kWp", "--verify", "2", home=home_env)
    assert completed.returncode == 0, completed.stderr
    assert "40 variants in" in completed.stderr and "verified 2 sampled variants" in completed.stderr
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 40 and rows[0]["variant"] == "v0"
    assert set(HEADER[1:]) <= set(rows[0])
    value = float(rows[0]["location_based [kg CO2-eq/kWp]"])
    stages = [key for key in rows[0] if key.startswith(("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module"))
              and key.endswith("[kg CO2-eq/kWp]") and not key.startswith("stages.")]
    assert sum(float(rows[0][key]) for key in stages) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(
    "cells, message",
    [
        ("a,40 kWh/parsec_per_kg", r"v.csv: row 2 \(a\), column stages.polysilicon.electricity: unknown unit"),
        ("a,forty kWh/kg", r"v.csv: row 2 \(a\), column stages.polysilicon.electricity: cannot read 'forty kWh/kg'"),
        ("a,40 kg", r"v.csv: row 2 \(a\): .*stages.polysilicon.electricity: got '40 kg'"),
    ],
)
def test_a_bad_cell_names_row_and_column(tmp_path, base, cells, message):
    path = tmp_path / "v.csv"
    path.write_text(f"variant,stages.polysilicon.electricity\n{cells}\n", encoding="utf-8")
    with pytest.raises(InputError, match=message):
        run_batch(base, path)


def test_a_comma_in_a_number_is_refused_not_misread(tmp_path, base):
    # float("17,7".replace(",", "")) would be 177: ten times the value meant
    path = tmp_path / "v.csv"
    path.write_text('variant,stages.wafer.thickness [um]\nok,150\ncomma,"150,5"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"v.csv: row 3 \(comma\), column stages.wafer.thickness \[um\]: got '150,5'"):
        run_batch(base, path)


def test_an_out_of_range_value_in_a_group_names_its_row(tmp_path, base):
    path = tmp_path / "v.csv"
    path.write_text("variant,stages.cell.efficiency,stages.module.cells\nok,23 %,144\nbad,123 %,144\ncrowded,23 %,200\n",
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3 \(bad\): .*stages.cell.efficiency: got '123 %'; expected a fraction"):
        run_batch(base, path)
    path.write_text("variant,stages.module.cells\nok,144\ncrowded,200\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3 \(crowded\): .*stages.module.cells: 200 cells .* exceed the module area"):
        run_batch(base, path)


def test_an_unknown_path_is_refused_in_the_header(tmp_path, base):
    path = tmp_path / "v.csv"
    path.write_text("variant,wafer.thickness\na,150 um\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"header, column 2: got 'wafer.thickness'; expected a product-file path"):
        read_variants(path)


def test_ten_thousand_variants(tmp_path, base):
    # speed is measured in benchmarks/ (docs/calculator.md), never asserted here
    variants = read_variants(_variants(tmp_path / "v.csv", 10000))
    result = run_batch(base, variants, per="kWp")
    assert result.location_based.shape == (10000,) and (result.location_based > 0).all()
    # grouped by sites, blanks and units written (4 x 2 x 2 x 2 x 3 x 2 choices in _variants), not one group per row
    assert result.groups <= 192
    write_results(result, tmp_path / "out.csv")
    assert sum(1 for _ in (tmp_path / "out.csv").open(encoding="utf-8")) == 10001
    # a sample of rows equals the same row computed alone (one group of one row each)
    for index in (0, 4321, 9999):
        alone = run_batch(base, variants.take([index]), per="kWp")
        assert alone.location_based[0] == pytest.approx(result.location_based[index], rel=1e-12)


DOWNSTREAM = {
    "transport": {"mass": "32 kg", "legs": [{"dataset": "transport_sea", "distance": "12000 km"},
                                            {"dataset": "transport_truck", "distance": "800 km"}]},
    "installation": {"site": "DE", "electricity": "0.5 kWh/module"},
    "use": {},
    "end_of_life": {"emissions": {"co2e_aggregated": "1.2 kg/module"}},
}


def test_numeric_downstream_columns_do_not_split_groups(tmp_path, home_env):
    base = write_product(tmp_path, product_data(downstream=DOWNSTREAM), "base.yaml")
    path = tmp_path / "v.csv"
    path.write_text(
        "variant,downstream.installation.electricity,downstream.transport.mass,downstream.end_of_life.emissions.co2e_aggregated [kg/module]\n"
        "a,0.3 kWh/module,28 kg,0.9\n"
        "b,1.1 kWh/module,36.5 kg,2\n"
        "c,0.7 kWh/module,31 kg,1.4\n",
        encoding="utf-8",
    )
    result = run_batch(base, path, per="kWp", boundary="cradle-to-grave")
    assert result.groups == 1
    rows = [("0.3 kWh/module", "28 kg", "0.9 kg/module"), ("1.1 kWh/module", "36.5 kg", "2 kg/module"),
            ("0.7 kWh/module", "31 kg", "1.4 kg/module")]
    for index, (kwh, mass, eol) in enumerate(rows):
        downstream = copy.deepcopy(DOWNSTREAM)
        downstream["installation"]["electricity"] = kwh
        downstream["transport"]["mass"] = mass
        downstream["end_of_life"]["emissions"]["co2e_aggregated"] = eol
        expected = compute(write_product(tmp_path, product_data(downstream=downstream), f"p{index}.yaml"), per="kWp",
                           boundary="cradle-to-grave", verify=False)
        assert result.location_based[index] == pytest.approx(expected.total.value, rel=1e-12)
        assert result.by_stage["transport"][index] == pytest.approx(expected.by_stage["transport"].value, rel=1e-12)


def test_a_column_given_twice_is_refused(tmp_path, base):
    path = tmp_path / "v.csv"
    path.write_text("variant,stages.cell.efficiency,stages.cell.efficiency\na,23 %,24 %\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"v.csv: header, column 3: 'stages.cell.efficiency' sets stages.cell.efficiency again "
                                         r"\(column 2\)"):
        read_variants(path)


@pytest.mark.parametrize(
    "header, cell",
    [
        ("use.specific_yield", "1e999 kWh/kWp"),
        ("use.specific_yield [kWh/kWp]", "1e999"),
        ("stages.polysilicon.electricity", "1e999 kWh/kg"),
        ("stages.wafer.thickness [um]", "nan"),
        ("stages.wafer.thickness [um]", "-inf"),
    ],
)
def test_a_non_finite_cell_names_row_and_column(tmp_path, home_env, header, cell):
    base = write_product(tmp_path, product_data(use={"specific_yield": "1300 kWh/kWp", "mounting": "rooftop"}), "base.yaml")
    path = tmp_path / "v.csv"
    path.write_text(f"variant,{header}\nok,{cell.replace('1e999', '1200').replace('-inf', '150').replace('nan', '150')}\n"
                    f"bad,{cell}\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"v.csv: row 3 \(bad\), column {re.escape(header)}: got '{re.escape(cell)}'; expected a finite number"):
        run_batch(base, path, per="kWh")


def test_a_computed_overflow_names_the_row(tmp_path, base):
    path = tmp_path / "v.csv"
    path.write_text("variant,stages.polysilicon.mg_silicon [kg/kg],stages.mg_silicon.electricity [kWh/kg]\n"
                    "ok,1.1,11\nhuge,1e200,1e200\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"v.csv: row 3 \(huge\): the footprint is .*not a finite number.*check this row's values"):
        run_batch(base, path)


def test_results_carry_their_provenance(tmp_path, home_env):
    site = yaml.safe_load((DATA / "site-jiangsu-2024.yaml").read_text(encoding="utf-8"))
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(site), encoding="utf-8")
    base = write_product(tmp_path, product_data(**{"stages.cell.electricity_instruments": "site.yaml"}), "base.yaml")
    path = tmp_path / "v.csv"
    path.write_text("variant,stages.cell.efficiency\na,23 %\nb,\n", encoding="utf-8")
    result = run_batch(base, path, per="kWp", gwp="ar5")
    sidecar = write_results(result, tmp_path / "results.csv")
    assert sidecar == tmp_path / "results.provenance.json"
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    sha = lambda file: hashlib.sha256(Path(file).read_bytes()).hexdigest()  # noqa: E731
    assert data["input_files"] == {str(base): sha(base), str(path): sha(path), str((tmp_path / "site.yaml").resolve()): sha(tmp_path / "site.yaml")}
    # from the files' contents only: their sorted sha256s, one per line
    lines = "".join(f"{digest}\n" for digest in sorted(data["input_files"].values()))
    assert data["inputs_sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    assert data["results_sha256"] == sha(tmp_path / "results.csv")
    assert data["method"].startswith("IPCC 2013") and "AR5" in data["gwp"] and data["declared_unit"] == "1 kWp"
    assert data["data_version"] and data["library_version"] and data["computed_at"] and "bw2calc" in data["brightway"]
    with (tmp_path / "results.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row, overrides in zip(rows, ({"stages.cell.efficiency": "23 %"}, {})):
        text = json.dumps({"inputs_sha256": data["inputs_sha256"], "overrides": overrides}, sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False)
        assert row["inputs_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert rows[0]["inputs_sha256"] != rows[1]["inputs_sha256"]


def test_variants_check_other_products_claims_and_record_none(tmp_path, home_env):
    clear_claims()
    try:
        site = yaml.safe_load((DATA / "site-jiangsu-2024.yaml").read_text(encoding="utf-8"))
        (tmp_path / "site.yaml").write_text(yaml.safe_dump(site), encoding="utf-8")
        a = write_product(tmp_path, product_data(**{"stages.cell.electricity_instruments": "site.yaml"}), "a.yaml")
        compute(a, record_claims=True)
        before = list_claims()
        path = tmp_path / "v.csv"
        path.write_text("variant,stages.cell.efficiency\nx,23 %\ny,24 %\n", encoding="utf-8")
        run_batch(a, path)  # the product's own variants: never against its own claims, nor each other
        assert list_claims() == before
        site["output"] = {"another-module": "1000 MWp"}
        (tmp_path / "b-site.yaml").write_text(yaml.safe_dump(site), encoding="utf-8")
        b = write_product(tmp_path, product_data(**{"product.id": "another-module",
                                                    "stages.cell.electricity_instruments": "b-site.yaml"}), "b.yaml")
        with pytest.raises(InputError, match=r"v.csv: row 2 \(x\): .*b-site.yaml: site 'Jiangsu cell and module fab': instrument "
                                             r"GEC-2024-JS-001: product 'another-module' claims 30,000 MWh and other products already claim"):
            run_batch(b, path)
        assert list_claims() == before
    finally:
        clear_claims()


def test_use_columns_equal_compute_and_name_a_bad_row(tmp_path, home_env):
    use = {"specific_yield": "1300 kWh/kWp", "mounting": "rooftop"}
    base = write_product(tmp_path, product_data(use=use), "base.yaml")
    path = tmp_path / "v.csv"
    path.write_text("variant,use.performance_ratio,use.lifetime,use.degradation,use.specific_yield [kWh/kWp]\n"
                    "a,0.8,25 year,0.5 %,1100\nb,82 %,30 year,0.7 %/year,1450\nc,0.7,20 year,0.6 %,1200\n", encoding="utf-8")
    result = run_batch(base, path, per="kWh")
    assert result.groups == 2  # rows a and c write their units alike, b differently
    rows = [{"performance_ratio": 0.8, "lifetime": "25 year", "degradation": "0.5 %", "specific_yield": "1100 kWh/kWp"},
            {"performance_ratio": "82 %", "lifetime": "30 year", "degradation": "0.7 %/year", "specific_yield": "1450 kWh/kWp"},
            {"performance_ratio": 0.7, "lifetime": "20 year", "degradation": "0.6 %", "specific_yield": "1200 kWh/kWp"}]
    for index, values in enumerate(rows):
        expected = compute(write_product(tmp_path, product_data(use={**use, **values}), f"p{index}.yaml"), per="kWh", verify=False)
        assert result.location_based[index] == pytest.approx(expected.total.value, rel=1e-12)
    path.write_text("variant,use.performance_ratio\na,0.8\nb,1.3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"v.csv: row 3 \(b\): .*use.performance_ratio: got 1.3; expected a fraction"):
        run_batch(base, path, per="kWh")


def test_a_dataframe_gives_the_same_results_as_the_csv(tmp_path, base):
    pandas = pytest.importorskip("pandas")
    path = _variants(tmp_path / "v.csv", 400)
    from_csv = run_batch(base, path, per="kWp")
    frame = pandas.read_csv(path, dtype=str, keep_default_na=False)  # the cells as written
    from_frame = run_batch(base, frame, per="kWp")
    assert from_frame.groups == from_csv.groups
    assert list(from_frame.variants.ids) == list(from_csv.variants.ids)
    assert (from_frame.location_based == from_csv.location_based).all()
    assert (from_frame.market_based == from_csv.market_based).all()
    assert list(from_frame.by_stage) == list(from_csv.by_stage)
    for stage, values in from_csv.by_stage.items():
        assert (from_frame.by_stage[stage] == values).all(), stage
    # numbers as numbers, their unit in the header; NaN keeps the base value, as an empty cell does
    numbers = pandas.DataFrame({"variant": ["thin", "base", "thick"], "stages.wafer.thickness [um]": [130, None, 160.5],
                                "product.rated_power [W]": [560, 575, 590]})
    texts = tmp_path / "n.csv"
    texts.write_text("variant,stages.wafer.thickness [um],product.rated_power [W]\nthin,130,560\nbase,,575\nthick,160.5,590\n",
                     encoding="utf-8")
    assert (run_batch(base, numbers, per="kWp").location_based == run_batch(base, texts, per="kWp").location_based).all()


def test_a_dataframe_with_a_bad_cell_names_its_row_and_column(base):
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame({"stages.cell.efficiency": ["23 %", "24 kg"]}, index=["a", "b"])
    with pytest.raises(InputError, match=r"^<DataFrame>: row 1 \(b\): .*stages.cell.efficiency: got '24 kg'"):
        run_batch(base, frame)
    frame = pandas.DataFrame({"id": ["a", "b"], "stages.wafer.thickness [um]": [150.0, float("inf")]})
    with pytest.raises(InputError, match=r"^<DataFrame>: row 1 \(b\), column stages.wafer.thickness \[um\]: got 'inf'; "
                                         r"expected a finite number$"):
        run_batch(base, frame)


def test_to_frame_equals_the_csv(tmp_path, base):
    pandas = pytest.importorskip("pandas")
    result = run_batch(base, _variants(tmp_path / "v.csv", 300), per="kWp")
    write_results(result, tmp_path / "out.csv")
    frame = result.to_frame()
    written = pandas.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert len(frame) == 300 and list(frame["variant"]) == list(written["variant"])
    assert list(frame.columns[1:]) == [name for name in written.columns if name.endswith("[kg CO2-eq/kWp]")]
    assert frame.columns[1] == "location_based [kg CO2-eq/kWp]" and frame.attrs["unit"] == "kg CO2-eq/kWp"
    for name in frame.columns[1:]:
        assert [float(text) for text in written[name]] == frame[name].tolist(), name  # repr reads back exactly
    assert frame.attrs["inputs_sha256"] == result.provenance.inputs_sha256


def test_options_in_any_case_and_errors_name_the_argument_not_a_flag(tmp_path, base):
    path = _variants(tmp_path / "v.csv", 20)
    reference = run_batch(base, path, per="kWp", gwp="ar6")
    again = run_batch(base, path, per="kwp", gwp="AR6", boundary="Cradle-To-Gate")
    assert again.per == "kWp" and again.unit == "kg CO2-eq/kWp" and again.gwp == "ar6"
    assert (again.location_based == reference.location_based).all()
    for options, start in (({"per": "furlong"}, "per: got 'furlong'"), ({"gwp": "ar4"}, "gwp: got 'ar4'"),
                           ({"boundary": "gate"}, "boundary: got 'gate'")):
        with pytest.raises(InputError) as info:
            run_batch(base, path, **options)
        assert str(info.value).startswith(start) and "--" not in str(info.value)


def test_results_do_not_depend_on_how_a_group_is_built(tmp_path, base, monkeypatch):
    # a group's system is built BUILD_ROWS rows at a time and evaluated CHUNK rows at a time; built
    # a chunk at a time (as before 0.2), every number is the same to the last bit
    variants = read_variants(_variants(tmp_path / "v.csv", 3000))
    monkeypatch.setattr(batch_module, "CHUNK", 7)
    monkeypatch.setattr(batch_module, "BUILD_ROWS", 7 * 40)
    built_large = run_batch(base, variants, per="kWp")
    monkeypatch.setattr(batch_module, "BUILD_ROWS", 7)
    built_small = run_batch(base, variants, per="kWp")
    assert (built_large.location_based == built_small.location_based).all()
    assert (built_large.market_based == built_small.market_based).all()
    for stage, values in built_small.by_stage.items():
        assert (built_large.by_stage[stage] == values).all(), stage


def test_a_bad_row_after_the_first_chunk_is_named(tmp_path, base, monkeypatch):
    monkeypatch.setattr(batch_module, "CHUNK", 4)
    monkeypatch.setattr(batch_module, "BUILD_ROWS", 12)
    rows = "".join(f"v{index},{23 + index / 100:.2f} %\n" for index in range(30))
    path = tmp_path / "v.csv"
    path.write_text("variant,stages.cell.efficiency\n" + rows.replace("v17,23.17 %", "v17,123 %"), encoding="utf-8")
    with pytest.raises(InputError, match=r"v.csv: row 19 \(v17\): .*stages.cell.efficiency: got '123 %'; expected a fraction"):
        run_batch(base, path)


def test_a_few_thousand_variants_equal_compute_of_each(tmp_path, base):
    # values inside the plausibility checks that compute() applies to a product file
    rng = random.Random(11)
    path = tmp_path / "v.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variant", "stages.cell.site", "stages.polysilicon.electricity", "stages.wafer.thickness [um]",
                         "stages.cell.efficiency", "stages.module.materials.solar_glass", "product.rated_power [W]"])
        for index in range(3000):
            writer.writerow([f"v{index}", rng.choice(SITES), rng.choice([f"{rng.uniform(50, 65):.3f} kWh/kg", ""]),
                             f"{rng.uniform(130, 170):.2f}", rng.choice([f"{rng.uniform(22.5, 24.5):.2f} %", ""]),
                             f"{rng.uniform(7, 9):.3f} kg/m2", f"{rng.uniform(530, 560):.1f}"])
    variants = read_variants(path)
    result = run_batch(base, variants, per="kWp")
    for index in random.Random(3).sample(range(3000), 8):
        changes = {".".join(column.path): f"{cell} {column.unit}" if column.unit else yaml.safe_load(cell)
                   for column, cell in zip(variants.columns, variants.row(index)) if cell}
        product = write_product(tmp_path, product_data(**changes), f"p{index}.yaml")
        expected = compute(product, per="kWp", verify=False)
        assert result.location_based[index] == pytest.approx(expected.total.value, rel=1e-12), index
        assert result.market_based[index] == pytest.approx(expected.electricity.market_based.value, rel=1e-12), index
        for stage, part in expected.by_stage.items():
            assert result.by_stage[stage][index] == pytest.approx(part.value, rel=1e-12, abs=1e-15), (index, stage)


def test_cells_that_need_quoting_or_escaping_are_written_and_hashed_as_json_and_csv_would(tmp_path, base):
    ids = ["plain", "a, comma", 'a "quote"', "back\\slash", "multi\nline", "ünïcode 组件", "tab\there", ""]
    names = ["plain", "a, comma", 'a "quote"', "back\\slash", "", "ünïcode 组件", "", ""]  # product names are printable
    path = tmp_path / "v.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variant", "product.name", "stages.wafer.thickness [um]"])
        for index, (name, product_name) in enumerate(zip(ids, names)):
            writer.writerow([name, product_name, f"{140 + index}" if index % 3 else ""])
    result = run_batch(base, path)
    write_results(result, tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows[1:]] == ids[:-1] + [f"row {len(ids) + 1}"]  # no name: the row's number
    assert [row[1] for row in rows[1:]] == names
    assert [row[-1] for row in rows[1:]] == [result.row_inputs_sha256(index) for index in range(len(ids))]
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)  # csv.writer would have written the same bytes
    assert buffer.getvalue().encode("utf-8") == (tmp_path / "out.csv").read_bytes()


def test_the_verdict_is_the_library_s(tmp_path, base):
    good = [Verified(0, "a", "location", 1.0, 1.0, 0.0), Verified(0, "a", "market", 1.0, 1.0, 2e-16)]
    assert check_agreement(good, where="out.csv") == {"location": 0.0, "market": 2e-16}
    bad = good + [Verified(1, "b", "location", 1.0, 1.0 + 3e-9, 3e-9)]
    with pytest.raises(FootprintError, match=r"^out.csv: batch and bw2calc differ by 3.0e-09 \(relative\); expected at most 1e-9$"):
        check_agreement(bad, where="out.csv")


def test_nf3_used_and_cell_units_as_batch_columns_equal_compute(tmp_path, home_env):
    """stages.cell.fluorinated_gases.nf3_used varies per row; --per W-cell divides by each row's cell power."""
    data = product_data(**{"stages.cell.fluorinated_gases": {"nf3_used": "0.05 g/m2", "nf3_abated": "50 %"}})
    base_file = write_product(tmp_path, data, "base.yaml")
    path = tmp_path / "v.csv"
    path.write_text("variant,stages.cell.fluorinated_gases.nf3_used,stages.cell.efficiency\n"
                    "low,0.01 g/m2,\nhigh,2 mg/cell,24 %\n", encoding="utf-8")
    for per in ("cell", "W-cell"):
        result = run_batch(base_file, path, per=per)
        for index, changes in enumerate([{"nf3_used": "0.01 g/m2"}, {"nf3_used": "2 mg/cell"}]):
            variant = copy.deepcopy(data)
            variant["stages"]["cell"]["fluorinated_gases"].update(changes)
            if index == 1:
                variant["stages"]["cell"]["efficiency"] = "24 %"
            expected = compute(write_product(tmp_path, variant, f"p{index}.yaml"), per=per, verify=False)
            assert result.location_based[index] == pytest.approx(expected.total.value, rel=1e-12), (per, index)
