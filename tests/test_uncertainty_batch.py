"""Monte Carlo over a batch of variants (footprint/uncertainty/batch.py, footprint montecarlo --variants)."""

import csv
import io
import json

import pytest
import yaml

import footprint
from footprint.errors import InputError
from footprint.labels.schemes import load_scheme
from footprint.uncertainty import montecarlo
from footprint.uncertainty.batch import monte_carlo_batch

from conftest import PERC, invoke

VARIANTS = ("variant,stages.polysilicon.electricity,stages.wafer.thickness [um]\n"
            "base,,\n"
            "low-poly,45 kWh/kg,\n"
            "thin,,130\n")
CHANGES = {"base": {}, "low-poly": {"polysilicon": {"electricity": "45 kWh/kg"}}, "thin": {"wafer": {"thickness": "130 um"}}}


def _variant_file(tmp_path, name):
    """The variant written as its own product file: the independent route to the same product."""
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    for stage, fields in CHANGES[name].items():
        data["stages"][stage].update(fields)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_each_variant_is_its_own_product_file_s_monte_carlo(home_env, tmp_path):
    table = tmp_path / "variants.csv"
    table.write_text(VARIANTS, encoding="utf-8")
    scheme = load_scheme("epeat-ulcs")
    found = monte_carlo_batch(PERC, variants=table, iterations=3000, seed=11, per="kWp", scheme=scheme, chunk=1000)
    assert [summary.variant for summary in found.variants] == ["base", "low-poly", "thin"]
    statics = footprint.run_batch(PERC, table, per="kWp").to_frame().iloc[:, 1].tolist()
    for summary, static in zip(found.variants, statics):
        alone = montecarlo.monte_carlo(_variant_file(tmp_path, summary.variant), iterations=3000, seed=11, per="kWp")
        assert summary.static == pytest.approx(static, rel=1e-12)
        assert summary.static == pytest.approx(alone.total.static, rel=1e-12)
        assert summary.mean == pytest.approx(alone.total.mean, rel=1e-12)  # the same seed: the same draws
        assert summary.p97_5 == pytest.approx(alone.total.percentiles[97.5], rel=1e-12)
        expected = {level.id: level.probability for level in montecarlo.probability_of_meeting(alone, scheme=scheme)}
        assert summary.probabilities == pytest.approx(expected)
    # less polysilicon electricity lowers every statistic (common random numbers)
    base, low = found.variants[0], found.variants[1]
    assert low.median < base.median and low.p97_5 < base.p97_5
    frame = found.to_frame()
    assert list(frame.index) == ["base", "low-poly", "thin"] and frame.loc["thin", "p2.5"] == found.variants[2].p2_5


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_a_bad_variant_names_its_row(home_env, tmp_path):
    table = tmp_path / "variants.csv"
    table.write_text("variant,stages.wafer.thickness [um]\nok,150\nbad,-3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"variants.csv: row 3 \(bad\)"):
        monte_carlo_batch(PERC, variants=table, iterations=10, seed=1, per="kWp")


def test_footprint_montecarlo_variants_csv(home_env, tmp_path):
    table = tmp_path / "variants.csv"
    table.write_text(VARIANTS, encoding="utf-8")
    out = tmp_path / "mc.csv"
    completed = invoke("montecarlo", PERC, "--variants", table, "-n", "500", "--seed", "2", "--scheme", "kr-carbon",
                       "--format", "csv", "-o", out, home=home_env)
    assert completed.returncode == 0, completed.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row["variant"] for row in rows] == ["base", "low-poly", "thin"]
    assert "median [kg CO2-eq/kWp]" in rows[0] and "P(1)" in rows[0]
    as_json = invoke("montecarlo", PERC, "--variants", table, "-n", "500", "--seed", "2", "--per", "kWp", "--format", "json",
                     home=home_env)
    data = json.loads(as_json.stdout)
    assert [float(row["median [kg CO2-eq/kWp]"]) for row in rows] == [v["median"] for v in data["variants"]]
    refused = invoke("montecarlo", PERC, "--variants", table, "--histogram", tmp_path / "h.svg", home=home_env)
    assert refused.returncode == 2 and not (tmp_path / "h.svg").exists()
    refused = invoke("montecarlo", PERC, "--variants", table, "-o", table, "--force", home=home_env)
    assert refused.returncode == 1 and "is also an input" in refused.stderr
