"""Batch: variants equal a separate bw2calc LCA each, the CLI writes CSV, errors name the row."""

import csv
import random
import time

import pytest
import yaml
from calc_helpers import DATA, product_data, write_product
from conftest import run_cli

from footprint.batch import read_variants, run_batch, verify, write_results
from footprint.calc import compute
from footprint.errors import InputError

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
    assert len(checked) == 6
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
    for item in verify(result, base, sample=3, market=True):
        assert item.relative_difference <= 1e-9, item


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
        expected = compute(write_product(tmp_path, product_data(**changes), f"p{index}.yaml"), per="m2", check=False)
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


def test_ten_thousand_variants_in_seconds(tmp_path, base):
    variants = read_variants(_variants(tmp_path / "v.csv", 10000))
    run_batch(base, read_variants(_variants(tmp_path / "w.csv", 10)))  # the one background solve
    started = time.perf_counter()
    result = run_batch(base, variants, per="kWp")
    elapsed = time.perf_counter() - started
    assert elapsed < 20, elapsed  # about 1 s on 2 cores; the bound only guards against a per-variant LCA
    assert result.location_based.shape == (10000,) and (result.location_based > 0).all()
    write_results(result, tmp_path / "out.csv")
    assert sum(1 for _ in (tmp_path / "out.csv").open(encoding="utf-8")) == 10001
