"""Uncertainty: pedigree to sigma by hand, the fast path against bw2calc's own Monte Carlo, seeds, correlation,
streaming, sensitivity, a scheme's probabilities, plots, and every bad input refused in one line."""

import inspect
import math

import numpy as np
import pytest
import yaml
from scipy.special import ndtri

import footprint
from footprint.bundle.quality import BASIC_VARIANCES, PEDIGREE_VARIANCES, exchange_sigma, lognormal_sigma, pedigree_variance
from footprint.errors import InputError, OptionError, SetupError
from footprint.uncertainty import distributions, montecarlo, sensitivity
from footprint.uncertainty.model import stream
from footprint.uncertainty.pedigree import data_quality_rating, dqr_of, figure_sigma

from calc_helpers import DATA, product_data, write_product
from conftest import EXAMPLES, PERC, copy_example, invoke, split_warnings

#: How far apart two estimates from independent Monte Carlo runs may be, in standard errors of
#: their difference: a 4-sigma band, one chance in about 16,000 for each statistic of a correct path.
Z = 4.0


# -- pedigree: the table by hand -------------------------------------------------------------------

def test_the_pedigree_table_is_the_ecoinvent_v3_one():
    # Weidema et al. 2013 as transcribed by Ocelot (commit 1a6d8f3d), score 1 to 5
    assert PEDIGREE_VARIANCES["reliability"] == (0, 0.0006, 0.002, 0.008, 0.04)
    assert PEDIGREE_VARIANCES["completeness"] == (0, 0.0001, 0.0006, 0.002, 0.008)
    assert PEDIGREE_VARIANCES["temporal"] == (0, 0.0002, 0.002, 0.008, 0.04)
    assert PEDIGREE_VARIANCES["geographical"] == (0, 0.000025, 0.0001, 0.0006, 0.002)
    assert PEDIGREE_VARIANCES["technological"] == (0, 0.0006, 0.008, 0.04, 0.12)
    # the two EcoSpold2 records of brightway2 issue #76: basic variance + pedigree = varianceWithPedigreeUncertainty
    assert pedigree_variance("4,4,3,2,4") + 0.04 == pytest.approx(0.092025, abs=1e-15)
    assert pedigree_variance("1,2,1,1,1") + 0.0006 == pytest.approx(0.0007, abs=1e-15)


def test_sigma_by_hand():
    # footprint's most common score, a demand: 0.0006 + 0.002 + 0.0001 + 0.002 + 0.000025 + 0.0006
    assert lognormal_sigma("3,2,3,2,2", "demand") == pytest.approx(math.sqrt(0.005325), rel=1e-12)
    # worst everywhere, a hydrocarbon from a process: 0.12 + 0.04 + 0.008 + 0.04 + 0.002 + 0.12
    assert lognormal_sigma("5,5,5,5,5", "hydrocarbons") == pytest.approx(math.sqrt(0.33), rel=1e-12)
    assert lognormal_sigma("1,1,1,1,1", "co2") == pytest.approx(math.sqrt(0.0006), rel=1e-12)
    # the basic variances are ecoinvent v2's factors U as (ln U)**2 / 4, rounded as ecoinvent v3 does
    for variance, _, factor in BASIC_VARIANCES.values():
        assert variance == pytest.approx(math.log(factor) ** 2 / 4, rel=0.05)
    # a product file's figures by kind of source
    assert figure_sigma("measured") == pytest.approx(math.sqrt(0.0006 + 0.0006), rel=1e-12)
    assert figure_sigma("calculated") == pytest.approx(math.sqrt(0.0006 + 0.002), rel=1e-12)
    assert figure_sigma("estimated") == pytest.approx(math.sqrt(0.0006 + 0.008), rel=1e-12)
    assert figure_sigma("supplier") == pytest.approx(math.sqrt(0.0006 + 0.002 + 0.0001), rel=1e-12)
    with pytest.raises(ValueError):
        lognormal_sigma("3,2,3,2", "demand")


def test_the_installed_exchanges_carry_the_same_distributions(home_env):
    from footprint.brightway.project import require_setup
    from footprint.bundle.quality import is_selection
    from footprint.bundle.read import read_bundle
    from footprint.vocab import BACKGROUND

    bundle = read_bundle()
    bd = require_setup(bundle)
    checked = 0
    for node in bd.Database(BACKGROUND):
        dataset = bundle.datasets[node["code"]]
        exchanges = [exc for exc in node.exchanges() if exc["type"] != "production"]
        assert len(exchanges) == len(dataset.exchanges)
        for exc in exchanges:
            row = next(r for r in dataset.exchanges if r.amount == exc["amount"] and
                       (bundle.gases[r.flow].key if r.flow in bundle.gases else (BACKGROUND, r.flow)) == tuple(exc["input"]))
            if is_selection(dataset):
                assert exc["uncertainty type"] == 0
                continue
            assert exc["uncertainty type"] == 2  # lognormal
            assert exc["loc"] == pytest.approx(math.log(abs(row.amount)), rel=1e-12)
            assert exc["scale"] == pytest.approx(exchange_sigma(dataset, row, bundle), rel=1e-12)
            assert list(exc["pedigree"].values()) == [int(s) for s in row.quality.split(",")]
            checked += 1
    assert checked > 150


# -- distributions ---------------------------------------------------------------------------------

def test_user_distributions_are_read_and_sampled():
    from footprint.units import Quantity

    thickness = Quantity(150.0, "um")
    where = "p.yaml: uncertainty.figures.stages.wafer.thickness"
    normal = distributions.parse_distribution({"distribution": "normal", "sd": "3 um"}, figure=thickness, where=where)
    assert (normal.loc, normal.scale) == (150.0, 3.0)
    uniform = distributions.parse_distribution({"distribution": "uniform", "min": "140 um", "max": "0.16 mm"}, figure=thickness,
                                               where=where)
    draws = uniform.sample(np.random.default_rng(1), 10_000)
    assert draws.min() >= 140 and draws.max() <= 160 and abs(draws.mean() - 150) < 0.5
    triangular = distributions.parse_distribution({"distribution": "triangular", "min": "140 um", "max": "170 um"},
                                                  figure=thickness, where=where)
    assert triangular.loc == 150  # the mode is the figure
    assert triangular.ppf(0.0) == pytest.approx(140) and triangular.ppf(1.0) == pytest.approx(170)
    draws = triangular.sample(np.random.default_rng(2), 200_000)
    assert draws.mean() == pytest.approx((140 + 150 + 170) / 3, abs=0.1)
    ranged = distributions.parse_distribution({"distribution": "lognormal", "min": "100 um", "max": "225 um",
                                               "probability": 0.9}, figure=thickness, where=where)
    assert ranged.median == pytest.approx(150.0, rel=1e-12)
    assert float(ranged.ppf(0.05)) == pytest.approx(100.0, rel=1e-9) and float(ranged.ppf(0.95)) == pytest.approx(225.0, rel=1e-9)
    gsd = distributions.parse_distribution({"distribution": "lognormal", "gsd": 1.1}, figure=thickness, where=where)
    assert gsd.scale == pytest.approx(math.log(1.1)) and gsd.median == pytest.approx(150.0)


@pytest.mark.parametrize("entry, message", [
    ({"distribution": "lognormal", "sigma": 0}, "sigma: got 0"),
    ({"distribution": "lognormal", "sigma": -0.1}, "sigma: got -0.1"),
    ({"distribution": "lognormal", "gsd": 0.9}, "gsd: got 0.9"),
    ({"distribution": "normal", "sd": "0 um"}, "sd: got 0"),
    ({"distribution": "normal", "sd": "-2 um"}, "sd: got -2"),
    ({"distribution": "uniform", "min": "160 um", "max": "140 um"}, "min: got 160, not below max 140"),
    ({"distribution": "triangular", "min": "140 um", "mode": "180 um", "max": "170 um"}, "mode: got 180"),
    ({"distribution": "normal", "min": "140 um", "max": "160 um", "probability": 1.5}, "probability: got 1.5"),
    ({"distribution": "lognormal", "min": "140 um", "max": "160 um", "probability": 0}, "probability: got 0"),
    ({"distribution": "gaussian", "sd": "2 um"}, "distribution: got 'gaussian'; expected one of lognormal, normal"),
    ({"distribution": "normal", "sd": "2 kg"}, "sd"),
    ({"distribution": "normal", "sd": "60 um"}, "goes below zero"),
    ({"distribution": "normal", "spread": "2 um"}, "spread: unknown field"),
])
def test_bad_distributions_are_refused_in_one_line(entry, message):
    from footprint.units import Quantity

    with pytest.raises(InputError) as info:
        distributions.parse_distribution(entry, figure=Quantity(150.0, "um"), where="p.yaml: uncertainty.figures.x")
    text = str(info.value)
    assert message in text and "\n" not in text and text.startswith("p.yaml: uncertainty.figures.x")


def test_a_fraction_may_not_go_above_one():
    from footprint.units import Quantity

    with pytest.raises(InputError, match="above 1"):
        distributions.parse_distribution({"distribution": "normal", "sd": 0.02}, figure=Quantity(0.98, ""), where="y",
                                         fraction=True)
    with pytest.raises(InputError, match="fraction"):
        distributions.parse_distribution({"distribution": "uniform", "min": 0.95, "max": 1.01}, figure=Quantity(0.98, ""),
                                         where="y", fraction=True)


# -- the static result, the figures ----------------------------------------------------------------

@pytest.mark.parametrize("example", sorted(path.name for path in EXAMPLES.glob("*.yaml")))
def test_every_figure_at_its_value_gives_the_calculators_result(home_env, example, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_VERIFY", "0")
    model, _ = montecarlo.prepare(EXAMPLES / example, per="kWp", gwp="ar6", boundary="cradle-to-gate", as_of=None)
    reference = footprint.compute(EXAMPLES / example, per="kWp")
    static = model.static_outcome()
    assert static.total[0] == pytest.approx(reference.total.value, rel=1e-12)
    for stage, part in reference.by_stage.items():
        assert static.by_stage[stage][0] == pytest.approx(part.value, rel=1e-12)
    # through the array path too (the spec rebuilt with every figure as an array of its value)
    arrays = model.evaluate(model.static_values(3), 3)
    np.testing.assert_allclose(arrays.total, reference.total.value, rtol=1e-12)
    # and each figure's median alone moves nothing (a unit mistake in a figure would)
    medians = {figure.path: np.full(1, float(figure.ppf(0.5))) for figure in model.figures}
    assert model.evaluate(medians, 1).total[0] == pytest.approx(reference.total.value, rel=1e-9)


DOWNSTREAM = {"transport": {"mass": "32 kg", "legs": [{"dataset": "transport_sea", "distance": "12000 km"},
                                                     {"dataset": "transport_truck", "distance": "800 km"}]},
              "installation": {"site": "DE", "electricity": "0.5 kWh/module"}, "use": {},
              "end_of_life": {"emissions": {"co2e_aggregated": "1.2 kg/module"}}}
USE = {"specific_yield": "1300 kWh/kWp", "mounting": "rooftop", "performance_ratio": 0.8, "lifetime": "25 year",
       "degradation": "0.5 %/year"}


@pytest.mark.parametrize("case, changes, options, expected", [
    ("grave", {"downstream": DOWNSTREAM}, {"per": "kWp", "boundary": "cradle-to-grave"},
     ["downstream.transport.mass", "downstream.transport.legs[0].distance", "downstream.installation.electricity",
      "downstream.end_of_life.emissions.co2e_aggregated"]),
    ("kwh", {"use": USE}, {"per": "kWh"}, ["use.specific_yield", "use.performance_ratio", "use.lifetime", "use.degradation"]),
    ("kwh-default-yield", {"use": {"country": "DE", "mounting": "rooftop"}}, {"per": "kWh"}, ["use.specific_yield"]),
    ("instruments", {"stages.cell.electricity_instruments": "site.yaml"}, {"per": "kWp"}, []),
    ("supplier", {"stages.polysilicon.supplier": "pact.json"}, {"per": "kWp", "as_of": "2025-06-01"},
     ["stages.polysilicon.supplier"]),
])
def test_the_other_parts_of_a_product(home_env, tmp_path, monkeypatch, case, changes, options, expected):
    import shutil

    monkeypatch.setenv("FOOTPRINT_VERIFY", "0")
    shutil.copy(DATA / "site-jiangsu-2024.yaml", tmp_path / "site.yaml")
    shutil.copy(DATA / "pact-polysilicon.json", tmp_path / "pact.json")
    path = write_product(tmp_path, product_data(**changes), f"{case}.yaml")
    reference = footprint.compute(path, **options)
    result = montecarlo.monte_carlo(path, iterations=2000, seed=1, **options)
    assert result.total.static == pytest.approx(reference.total.value, rel=1e-12)
    assert result.market_based.static == pytest.approx(reference.electricity.market_based.value, rel=1e-12)
    paths = {figure["path"] for figure in result.figures}
    assert set(expected) <= paths
    assert result.total.percentiles[2.5] < reference.total.value < result.total.percentiles[97.5]
    if case == "instruments":
        assert result.market_based.mean < result.total.mean  # the certificates and PPAs, draw by draw


def test_the_figures_of_the_example(home_env):
    model, _ = montecarlo.prepare(PERC, per="kWp", gwp="ar6", boundary="cradle-to-gate", as_of=None)
    paths = {figure.path: figure for figure in model.figures}
    thickness = paths["stages.wafer.thickness"]
    assert thickness.source == "calculated" and thickness.quality == (3, 1, 1, 1, 1)  # the file's, default kind
    assert paths["stages.polysilicon.electricity"].source == "default"
    assert "stages.wafer.wafer_area" not in paths and "stages.module.cells" not in paths  # design, not measured
    wafer_yield = paths["stages.wafer.yield"]
    assert wafer_yield.ppf(0.999999) < 1  # spread on the loss: never above 100 %
    grid = [path for path in paths if path.startswith("background.electricity_lifecycle_CN_")]
    assert len(grid) == 1  # one figure for China's grid (the default life-cycle basis: national), whatever the stages that use it
    assert not any(path.startswith("background.electricity_grid_") for path in paths)  # a selection carries none


# -- correlation -----------------------------------------------------------------------------------

def test_one_grid_factor_used_by_two_stages_is_one_draw(home_env, tmp_path):
    # the provincial factors (official basis): Jiangsu's grid is the wafer's, cell's and module's, not the others'
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    data["product"]["electricity_basis"] = "official"
    product = tmp_path / "official.yaml"
    product.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    model, _ = montecarlo.prepare(product, per="kWp", gwp="ar6", boundary="cradle-to-gate", as_of=None)
    (grid,) = [figure for figure in model.figures if figure.path.startswith("background.electricity_co2_CN-JS_")]
    size = 2000
    values = model.static_values(size)
    values[grid.path] = grid.sample(stream(5, grid.path), size)
    outcome = model.evaluate(values, size)
    static = model.static_outcome()
    # wafer, cell and module are all in Jiangsu: their deviations move together, exactly
    wafer = outcome.by_stage["wafer"] - static.by_stage["wafer"][0]
    cell = outcome.by_stage["cell"] - static.by_stage["cell"][0]
    assert np.corrcoef(wafer, cell)[0, 1] == pytest.approx(1.0, abs=1e-9)
    # the stages elsewhere do not move
    np.testing.assert_allclose(outcome.by_stage["polysilicon"], static.by_stage["polysilicon"][0], rtol=1e-12)
    # and in a full run the Jiangsu stages stay correlated through that one draw
    result = montecarlo.monte_carlo(product, iterations=4000, seed=11, per="kWp")
    correlation = np.corrcoef(result.samples_of("wafer"), result.samples_of("cell"))[0, 1]
    assert correlation > 0.1


# -- seeds and streaming ---------------------------------------------------------------------------

def test_a_stream_is_the_same_on_any_machine():
    # PCG64 from SeedSequence(1, spawn_key=(first 8 bytes of sha256("x"),)): numpy's documented algorithms
    draws = stream(1, "stages.wafer.thickness").standard_normal(3)
    again = stream(1, "stages.wafer.thickness").standard_normal(3)
    assert np.array_equal(draws, again)
    assert not np.array_equal(draws, stream(2, "stages.wafer.thickness").standard_normal(3))
    assert not np.array_equal(draws, stream(1, "stages.wafer.kerf").standard_normal(3))
    key = int.from_bytes(__import__("hashlib").sha256(b"stages.wafer.thickness").digest()[:8], "big")
    expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence(1, spawn_key=(key,)))).standard_normal(3)
    assert np.array_equal(draws, expected)


def test_a_seed_reproduces_a_run_and_chunks_change_nothing(home_env):
    one = montecarlo.monte_carlo(PERC, iterations=3000, seed=42, per="kWp")
    again = montecarlo.monte_carlo(PERC, iterations=3000, seed=42, per="kWp", chunk=97)
    assert np.array_equal(one.samples, again.samples)  # every draw, bit for bit
    assert again.total.mean == pytest.approx(one.total.mean, rel=1e-13)
    assert again.total.sd == pytest.approx(one.total.sd, rel=1e-11)
    assert again.total.percentiles == one.total.percentiles
    other = montecarlo.monte_carlo(PERC, iterations=3000, seed=43, per="kWp")
    assert not np.array_equal(one.samples, other.samples)
    assert one.seed == 42 and one.percentiles_exact and one.draws_kept == 3000


def test_streaming_beyond_the_kept_draws(home_env, monkeypatch):
    monkeypatch.setattr(montecarlo, "EXACT_DRAWS", 500)
    big = montecarlo.monte_carlo(PERC, iterations=5000, seed=3, per="kWp", chunk=5000)
    small = montecarlo.monte_carlo(PERC, iterations=5000, seed=3, per="kWp", chunk=131)
    assert big.draws_kept == 500 and not big.percentiles_exact and big.notes
    assert np.array_equal(big.samples, small.samples)  # the same reservoir, whatever the chunks
    assert small.total.mean == pytest.approx(big.total.mean, rel=1e-13)
    exact = montecarlo.monte_carlo(PERC, iterations=5000, seed=3, per="kWp", chunk=5000)
    monkeypatch.setattr(montecarlo, "EXACT_DRAWS", 1_000_000)
    every = montecarlo.monte_carlo(PERC, iterations=5000, seed=3, per="kWp")
    assert exact.total.mean == pytest.approx(every.total.mean, rel=1e-13)  # moments are over every draw
    assert exact.total.sd == pytest.approx(every.total.sd, rel=1e-12)
    # the kept draws are a uniform sample: their median estimates the exact one within its sampling error
    error = 1.2533 * every.total.sd / math.sqrt(500)
    assert abs(exact.total.median - every.total.median) < Z * error


def test_the_reservoir_is_uniform_and_chunk_free():
    rng_rows = np.arange(100_000, dtype=float)[:, None]
    whole = montecarlo.Reservoir(1000, 1, stream(9, "reservoir"))
    whole.add(rng_rows)
    pieces = montecarlo.Reservoir(1000, 1, stream(9, "reservoir"))
    for start in range(0, 100_000, 333):
        pieces.add(rng_rows[start:start + 333])
    assert np.array_equal(whole.values(), pieces.values())
    kept = whole.values()[:, 0]
    assert len(set(kept)) == 1000
    # uniform over the stream: the mean index is 49,999.5 with a standard error of 28,868 / sqrt(1000)
    assert abs(kept.mean() - 49_999.5) < Z * 28_868 / math.sqrt(1000)


# -- the fast path against bw2calc's own loop ----------------------------------------------------

def test_the_foreground_columns_line_up_with_bw2calc(home_env):
    """With the background fixed, bw2calc's loop on the fast path's foreground draws gives its totals, draw by draw."""
    from footprint.brightway.montecarlo import bw2calc_monte_carlo

    model, _ = montecarlo.prepare(PERC, per="kWp", gwp="ar6", boundary="cradle-to-gate", as_of=None)
    size = 50
    generators = model.generators(8)
    values = {figure.path: figure.sample(generators[figure.path], size) if figure.group != "background"
              else np.full(size, figure.static) for figure in model.figures}
    fast = model.evaluate(values, size).total
    system, divisor = model.system_for(values, size)
    scores, _ = bw2calc_monte_carlo(system.location, system.demand, bundle=model.bundle, gwp="ar6", iterations=size, seed=1,
                                    background_distributions=False)
    np.testing.assert_allclose(scores / divisor, fast, rtol=1e-9)


@pytest.mark.slow
def test_the_fast_path_agrees_with_bw2calcs_monte_carlo(home_env):
    """Same distributions, independent draws: mean, sd and the 2.5 / 97.5 percentiles within sampling error.

    Tolerance: Z = 4 standard errors of the difference of the two estimates, each from n draws:
    mean sqrt(2 sd**2 / n); sd sqrt(2) sd / sqrt(2 n); a percentile p sqrt(2 p (1 - p) / n) / f(q_p),
    f the density at the percentile, taken from a normal of the same sd (the totals are close to one).
    """
    n = 2000
    run = montecarlo.bw2calc_reference(PERC, iterations=n, seed=2024, per="kWp")
    fast, reference = run.fast, run.bw2calc
    sd = (fast.std(ddof=1) + reference.std(ddof=1)) / 2
    assert abs(fast.mean() - reference.mean()) < Z * math.sqrt(2 * sd ** 2 / n)
    assert abs(fast.std(ddof=1) - reference.std(ddof=1)) < Z * sd / math.sqrt(n)
    for p in (0.025, 0.5, 0.975):
        density = math.exp(-0.5 * float(ndtri(p)) ** 2) / math.sqrt(2 * math.pi) / sd
        error = math.sqrt(2 * p * (1 - p) / n) / density
        assert abs(np.quantile(fast, p) - np.quantile(reference, p)) < Z * error, p
    from scipy.stats import ks_2samp

    assert ks_2samp(fast, reference).pvalue > 1e-4
    assert run.bw2calc_seconds > run.fast_seconds


# -- a scheme's probabilities --------------------------------------------------------------------

def test_probability_of_meeting_a_schemes_levels():
    draws = np.array([380.0, 399.4, 399.6, 400.0, 500.0, 629.0, 640.0, 700.0])
    scheme = {"unit": "kg CO2-eq/kWp", "rounding": {"step": 1, "mode": "half_up", "applies_to": "display"},
              "decision": {"kind": "grades", "comparison": "<=", "grades": [{"id": "a", "max": 400}, {"id": "b", "max": 630}]}}
    levels = montecarlo.probability_of_meeting(draws, scheme=scheme)
    assert [(level.id, level.probability, level.probability_of_grade) for level in levels] == [("a", 4 / 8, 4 / 8),
                                                                                               ("b", 6 / 8, 2 / 8)]
    scheme["decision"]["comparison"] = "<"
    assert montecarlo.probability_of_meeting(draws, scheme=scheme)[0].probability == 3 / 8
    scheme["rounding"]["applies_to"] = "decision"  # 399.6 rounds to 400, not below it
    assert montecarlo.probability_of_meeting(draws, scheme=scheme)[0].probability == 2 / 8
    scheme["decision"] = {"kind": "declared_value"}
    assert montecarlo.probability_of_meeting(draws, scheme=scheme) == []


def test_probability_of_meeting_a_bundled_scheme(home_env):
    from footprint.labels.schemes import load_scheme

    result = montecarlo.monte_carlo(PERC, iterations=4000, seed=5, per="kWp")
    levels = montecarlo.probability_of_meeting(result, scheme=load_scheme("epeat-ulcs"))
    assert levels and all(0 <= level.probability <= 1 for level in levels)
    assert levels[-1].probability >= levels[0].probability
    with pytest.raises(InputError, match="its own indicator"):
        montecarlo.probability_of_meeting(result, scheme=load_scheme("fr-ecs"))
    wrong = montecarlo.monte_carlo(PERC, iterations=100, seed=5, per="module")
    with pytest.raises(InputError, match="per the scheme's declared unit"):
        montecarlo.probability_of_meeting(wrong, scheme=load_scheme("epeat-ulcs"))


# -- the result, explained ---------------------------------------------------------------------

def test_the_result_says_why_the_mean_differs(home_env):
    result = montecarlo.monte_carlo(PERC, iterations=5000, seed=1, per="kWp")
    assert result.total.static == pytest.approx(footprint.compute(PERC, per="kWp").total.value, rel=1e-12)
    assert result.total.percentiles[2.5] < result.total.median < result.total.percentiles[97.5]
    assert "static result" in result.explanation and "median" in result.explanation
    frame = result.to_frame()
    assert list(frame.index[:2]) == ["total", "market_based"] and {"static", "mean", "median", "sd", "p2.5", "p97.5"} <= set(frame)
    data = result.to_dict()
    assert data["static"] == result.total.static and data["total"]["percentiles"]["97.5"] == result.total.percentiles[97.5]
    assert 1 <= result.dqr.dqr <= 5 and set(result.dqr.criteria) == {"TeR", "GeR", "TiR", "P"}


def test_the_dqr_by_hand():
    assert dqr_of((3, 2, 3, 2, 2)) == 2.5  # (TeR 2 + GeR 2 + TiR 3 + P 3) / 4
    rating = data_quality_rating([("a", 3.0, (1, 1, 1, 1, 1)), ("b", -1.0, (5, 5, 5, 5, 5))])
    assert rating.dqr == pytest.approx((3 * 1 + 1 * 5) / 4)
    assert rating.inputs[0][0] == "a" and rating.inputs[0][1] == pytest.approx(0.75)


# -- a product's own uncertainty -------------------------------------------------------------------

def test_a_product_files_uncertainty_block(home_env, tmp_path):
    product = copy_example(tmp_path)
    data = yaml.safe_load(product.read_text(encoding="utf-8"))
    data["uncertainty"] = {"default_source": "measured", "figures": {
        "stages.wafer.thickness": {"distribution": "uniform", "min": "145 um", "max": "155 um"},
        "stages.cell.efficiency": {"distribution": "normal", "sd": "0.2 %"},
        "stages.polysilicon.electricity": {"quality": "2,2,1,1,1"},
        "stages.wafer.kerf": "estimated"}}
    product.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert footprint.compute(product, per="kWp").total.value == pytest.approx(footprint.compute(PERC, per="kWp").total.value)
    model, _ = montecarlo.prepare(product, per="kWp", gwp="ar6", boundary="cradle-to-gate", as_of=None)
    figures = model.by_path
    assert figures["stages.wafer.thickness"].distribution.kind == "uniform"
    draws = figures["stages.wafer.thickness"].sample(stream(1, "t"), 5000)
    assert draws.min() >= 145 and draws.max() <= 155
    assert figures["stages.cell.efficiency"].distribution.scale == pytest.approx(0.002)
    assert figures["stages.polysilicon.electricity"].quality == (2, 2, 1, 1, 1)
    assert figures["stages.wafer.kerf"].source == "estimated"
    assert figures["stages.cell.yield"].source == "measured"  # the default kind of the file's other figures
    # the same block given apart (a workbook has none in the file)
    separate = tmp_path / "uncertainty.yaml"
    separate.write_text(yaml.safe_dump({"uncertainty": data["uncertainty"]}), encoding="utf-8")
    result = montecarlo.monte_carlo(PERC, iterations=500, seed=1, per="kWp", uncertainty=separate)
    assert any(f["path"] == "stages.wafer.thickness" and f["distribution"].startswith("uniform") for f in result.figures)


def test_a_use_phase_entry_counts_only_per_kwh(home_env, tmp_path):
    product = copy_example(tmp_path)
    data = yaml.safe_load(product.read_text(encoding="utf-8"))
    data["use"] = {"specific_yield": "1300 kWh/kWp", "performance_ratio": "80 %"}
    data["uncertainty"] = {"figures": {"use.performance_ratio": "measured", "stages.wafer.kerf": "estimated"}}
    product.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    per_kwp, _ = montecarlo.prepare(product, per="kWp", gwp="ar6", boundary="cradle-to-gate", as_of=None)
    assert "use.performance_ratio" not in per_kwp.by_path and per_kwp.by_path["stages.wafer.kerf"].source == "estimated"
    per_kwh, _ = montecarlo.prepare(product, per="kWh", gwp="ar6", boundary="cradle-to-gate", as_of=None)
    assert per_kwh.by_path["use.performance_ratio"].source == "measured"
    data["uncertainty"]["figures"]["use.nothing"] = "measured"  # a misspelt field is still refused
    product.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError, match="use.nothing: no such figure"):
        montecarlo.prepare(product, per="kWp", gwp="ar6", boundary="cradle-to-gate", as_of=None)


@pytest.mark.parametrize("block, message", [
    ({"figures": {"stages.wafer.nothing": "measured"}}, "no such figure"),
    ({"figures": {"stages.wafer.thickness": "guessed"}}, "expected a kind of source"),
    ({"default_source": "rumour"}, "expected a kind of source"),
    ({"figures": {"stages.wafer.thickness": {"quality": "3,2,9,1,1"}}}, "five pedigree scores"),
    ({"figures": {"stages.wafer.thickness": {"source": "measured", "quality": "1,1,1,1,1"}}}, "exactly one of"),
    ({"figures": {"stages.polysilicon.electricity": "measured"}}, "not the product file's"),
    ({"spread": 1}, "unknown field"),
])
def test_a_bad_uncertainty_block_is_refused(home_env, tmp_path, block, message):
    separate = tmp_path / "u.yaml"
    separate.write_text(yaml.safe_dump(block), encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        montecarlo.monte_carlo(PERC, iterations=10, seed=1, uncertainty=separate)
    assert "\n" not in str(info.value)


# -- sensitivity -----------------------------------------------------------------------------------

def test_the_tornado_ranks_what_matters(home_env, tmp_path):
    found = sensitivity.tornado(PERC, per="kWp")
    assert found.static == pytest.approx(footprint.compute(PERC, per="kWp").total.value, rel=1e-12)
    swings = [bar.swing for bar in found.bars]
    assert swings == sorted(swings, reverse=True)
    for bar in found.bars:
        assert min(bar.total_low, bar.total_high) <= found.static + 1e-9 <= max(bar.total_low, bar.total_high) + 2e-9
    top = {bar.path for bar in found.bars[:12]}
    assert "stages.polysilicon.electricity" in top and "stages.wafer.thickness" in top
    assert any(path.startswith("background.electricity_lifecycle_CN_") for path in top)  # polysilicon's grid (life-cycle basis: national)
    ranges = tmp_path / "ranges.csv"
    ranges.write_text("parameter,low,high\nstages.polysilicon.electricity,50 kWh/kg,80 kWh/kg\n", encoding="utf-8")
    own = sensitivity.tornado(PERC, per="kWp", ranges=ranges, top=3, include_background=False)
    bar = next(bar for bar in own.bars if bar.path == "stages.polysilicon.electricity")
    assert (bar.low, bar.high, bar.range_from) == (50.0, 80.0, "ranges file")
    assert len(own.bars) == 3 and not any(b.path.startswith("background.") for b in own.bars)
    ranges.write_text("parameter,low,high\nstages.polysilicon.electricity,80 kWh/kg,50 kWh/kg\n", encoding="utf-8")
    with pytest.raises(InputError, match="is not below high"):
        sensitivity.tornado(PERC, per="kWp", ranges=ranges)


def test_sobol_indices_with_salib(home_env):
    pytest.importorskip("SALib")
    result = sensitivity.sobol_indices(PERC, per="kWp", base_samples=256, seed=1)
    assert result.evaluations == 256 * (len(result.indices) + 2)
    totals = [index.total for index in result.indices]
    assert totals == sorted(totals, reverse=True)
    assert 0.7 < sum(index.first for index in result.indices) < 1.3  # close to additive
    assert {index.path for index in result.indices[:8]} & {"stages.wafer.thickness", "stages.polysilicon.electricity"}


def test_sobol_without_salib_is_one_line(home_env, monkeypatch):
    import builtins

    real = builtins.__import__

    def without_salib(name, *args, **kwargs):
        if name.startswith("SALib"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_salib)
    with pytest.raises(SetupError) as info:
        sensitivity.sobol_indices(PERC, base_samples=64)
    assert "pip install 'footprint[sensitivity]'" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(OptionError, match="power of 2"):
        sensitivity.sobol_indices(PERC, base_samples=1000)


# -- plots -----------------------------------------------------------------------------------------

def test_plots_as_svg_and_png(home_env, tmp_path):
    from footprint.uncertainty import plots

    result = montecarlo.monte_carlo(PERC, iterations=2000, seed=1, per="kWp")
    svg = plots.histogram_svg(result, thresholds=[("ultra-low", 400.0), ("low", 630.0)], title="PERC <550 W>")
    assert svg.startswith("<svg") and "ultra-low &lt;= 400" in svg and "&lt;550 W&gt;" in svg
    chart = plots.tornado_chart(sensitivity.tornado(PERC, per="kWp"), top=5)
    for name in ("t.svg", "t.png"):
        plots.write_plot(chart, tmp_path / name)
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "t.svg").read_text(encoding="utf-8").count("<rect") >= 10
    with pytest.raises(InputError, match=r"expected a plot file ending in \.svg or \.png"):
        plots.write_plot(chart, tmp_path / "t.pdf")


# -- the command line ------------------------------------------------------------------------------

def test_footprint_montecarlo(home_env, tmp_path):
    histogram = tmp_path / "h.svg"
    out = tmp_path / "mc.json"
    completed = invoke("montecarlo", PERC, "-n", "2000", "--seed", "7", "--per", "kWp", "--scheme", "epeat-ulcs",
                       "--histogram", histogram, "--format", "json", "-o", out, home=home_env)
    assert completed.returncode == 0, completed.stderr
    data = __import__("json").loads(out.read_text(encoding="utf-8"))
    assert data["iterations"] == 2000 and data["seed"] == 7 and data["unit"] == "kg CO2-eq/kWp"
    assert set(data["total"]) >= {"mean", "median", "sd", "percentiles", "static"}
    assert [level["id"] for level in data["scheme"]["levels"]]
    assert histogram.read_text(encoding="utf-8").startswith("<svg")
    table = invoke("montecarlo", PERC, "-n", "500", "--seed", "7", "--per", "kWp", "--percentiles", "5,95", home=home_env)
    assert table.returncode == 0 and "static result" in table.stdout
    assert all(f"{p}%" in table.stdout.splitlines()[3] for p in ("2.5", "5", "95", "97.5"))


def test_a_scheme_sets_the_declared_unit_and_its_grades_are_read_from_the_draws(home_env, tmp_path):
    from footprint.labels.schemes import load_scheme

    out = tmp_path / "mc.json"
    completed = invoke("montecarlo", PERC, "-n", "1000", "--seed", "4", "--scheme", "kr-carbon", "--format", "json", "-o", out,
                       home=home_env)
    assert completed.returncode == 0, completed.stderr
    data = __import__("json").loads(out.read_text(encoding="utf-8"))
    scheme = load_scheme("kr-carbon")
    assert data["unit"] == scheme.unit  # no --per: the scheme's declared unit
    draws = montecarlo.monte_carlo(PERC, iterations=1000, seed=4, per=scheme.declared_unit).samples_of("total")
    grades = scheme.decision["grades"]
    levels = data["scheme"]["levels"]
    assert len(levels) == len(grades) + isinstance(scheme.decision.get("above"), dict)
    below = 0.0
    for level, grade in zip(levels, grades):  # by hand, on the same draws (no rounding before the decision)
        assert scheme.rounding["applies_to"] != "decision"
        within = float(np.mean(draws <= grade["max"]))
        assert level["probability"] == pytest.approx(within, abs=1e-12)
        assert level["probability_of_grade"] == pytest.approx(within - below, abs=1e-12)
        below = within


def test_footprint_sensitivity(home_env, tmp_path):
    completed = invoke("sensitivity", PERC, "--per", "kWp", "--top", "5", "--tornado", tmp_path / "t.png", home=home_env)
    assert completed.returncode == 0, completed.stderr
    assert len(completed.stdout.splitlines()) == 3 + 5
    assert (tmp_path / "t.png").is_file()


@pytest.mark.parametrize("arguments, uncertainty, message", [
    (["-n", "0"], None, "error: --iterations: got 0"),
    (["-n", "-5"], None, "error: --iterations: got -5"),
    (["-n", str(10 ** 12)], None, "error: --iterations: got 1000000000000"),
    (["--seed", "-1"], None, "error: --seed: got -1"),
    (["--percentiles", "2.5,150"], None, "error: --percentiles: got 150.0"),
    ([], {"figures": {"stages.wafer.thickness": {"distribution": "lognormal", "sigma": -0.2}}}, "sigma: got -0.2"),
    ([], {"figures": {"stages.wafer.thickness": {"distribution": "normal", "sd": "0 um"}}}, "sd: got 0"),
    ([], {"figures": {"stages.wafer.kerf": {"distribution": "uniform", "min": "60 um", "max": "40 um"}}}, "not below max"),
    ([], {"figures": {"stages.wafer.kerf": {"distribution": "normal", "min": "40 um", "max": "60 um", "probability": 2}}},
     "probability: got 2"),
    ([], {"figures": {"stages.wafer.kerf": {"distribution": "weibull", "shape": 2}}}, "distribution: got 'weibull'"),
    ([], {"figures": {"stages.wafer.kerf": {"distribution": "triangular", "min": "40 um", "mode": "70 um", "max": "60 um"}}},
     "mode: got 70"),
    ([], {"figures": {"stages.wafer.kerf": {"distribution": "lognormal", "gsd": 0.9}}}, "gsd: got 0.9"),
    (["--scheme", "epeat-ulcs", "--per", "module"], None, "error: --per: got module; scheme epeat-ulcs decides per kWp"),
    (["--scheme", "fr-ecs"], None, "error: --scheme: fr-ecs decides on its own indicator"),
])
def test_bad_input_exits_1_in_one_line_and_writes_nothing(home_env, tmp_path, arguments, uncertainty, message):
    out, histogram = tmp_path / "out.json", tmp_path / "h.png"
    extra = []
    if uncertainty is not None:
        (tmp_path / "u.yaml").write_text(yaml.safe_dump(uncertainty), encoding="utf-8")
        extra = ["--uncertainty", tmp_path / "u.yaml"]
    completed = invoke("montecarlo", PERC, *arguments, *extra, "-o", out, "--histogram", histogram, home=home_env)
    _, lines = split_warnings(completed.stderr, PERC)
    assert completed.returncode == 1, completed.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
    assert completed.stdout == "" and not out.exists() and not histogram.exists()


def test_bad_sensitivity_input_exits_1(home_env, tmp_path):
    ranges = tmp_path / "r.csv"
    ranges.write_text("parameter,low,high\nstages.wafer.kerf,60 um,40 um\n", encoding="utf-8")
    completed = invoke("sensitivity", PERC, "--ranges", ranges, "--tornado", tmp_path / "t.svg", home=home_env)
    _, lines = split_warnings(completed.stderr, PERC)
    assert completed.returncode == 1 and len(lines) == 1 and "is not below high" in lines[0]
    assert not (tmp_path / "t.svg").exists()
    completed = invoke("sensitivity", PERC, "--tornado", tmp_path / "t.pdf", home=home_env)
    assert completed.returncode == 1 and "expected a plot file ending in .svg or .png" in completed.stderr


# -- the public API ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["monte_carlo", "probability_of_meeting", "tornado", "sobol_indices", "monte_carlo_batch",
                                  "analyse_study", "report_section"])
def test_the_api_functions_are_typed_keyword_only_and_documented(name):
    from footprint import uncertainty

    function = getattr(uncertainty, name)
    if name in getattr(footprint, "_API", {}):
        assert getattr(footprint, name) is function
    signature = inspect.signature(function)
    positional = [p for p in signature.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) <= 1
    assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values())
    assert signature.return_annotation is not inspect.Signature.empty
    doc = inspect.getdoc(function)
    for section in ("Parameters", "Returns", "Examples"):
        assert section in doc, f"{name}: no {section}"


def test_the_nf3_used_and_the_tier1_factors_are_drawn_the_shares_are_not(tmp_path, home_env):
    import handcalc

    data = product_data(**{"stages.cell.fluorinated_gases": {"nf3_used": "1 g/m2", "nf3_abated": "50 %"}})
    product = write_product(tmp_path, data)
    model, _ = montecarlo.prepare(product, per="cell", gwp="ar6", boundary="cradle-to-gate", as_of=None)
    paths = {figure.path for figure in model.figures}
    prefix = "stages.cell.fluorinated_gases."
    assert prefix + "nf3_used" in paths
    assert not {prefix + name for name in ("nf3_abated", "nf3_emitted_fraction", "nf3_destruction")} & paths
    static = model.evaluate(model.static_values(), 1).total[0]
    assert static == pytest.approx(footprint.compute(product, per="cell").total.value, rel=1e-6)
    # one more gram of NF3 used per m2: its emission (IPCC Tier 2, half abated) and its production, per cell
    values = model.static_values()
    values[prefix + "nf3_used"] = values[prefix + "nf3_used"] * 2
    added = model.evaluate(values, 1).total[0] - static
    per_kg = 0.3 * (1 - 0.5 * 0.95) * handcalc.gas_factors()["nf3"] + handcalc.emission_factors()("nitrogen_trifluoride")
    assert added == pytest.approx(1e-3 * 330.15e-4 * per_kg, rel=1e-9)
    result = montecarlo.monte_carlo(product, iterations=2000, seed=1, per="cell")
    assert result.total.sd > 0
    tier1 = write_product(tmp_path, product_data(**{"stages.cell.fluorinated_gases": "ipcc-tier1"}), "tier1.yaml")
    model, _ = montecarlo.prepare(tier1, per="m2-cell", gwp="ar6", boundary="cradle-to-gate", as_of=None)
    figures = {figure.path: figure for figure in model.figures}
    assert figures[prefix + "ipcc_tier1_cf4"].static == pytest.approx(0.005) and figures[prefix + "ipcc_tier1_cf4"].source == "default"
    values = model.static_values()
    base = model.evaluate(values, 1).total[0]
    values[prefix + "ipcc_tier1_cf4"] = values[prefix + "ipcc_tier1_cf4"] * 2  # a drawn default reaches the chain
    assert model.evaluate(values, 1).total[0] - base == pytest.approx(0.005 * handcalc.gas_factors()["cf4"], rel=1e-9)
