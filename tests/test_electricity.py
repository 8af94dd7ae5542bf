"""Location- and market-based electricity: instruments by hand, and every quality check."""

import copy
import json

import pytest
import yaml

from footprint.calc import compute
from footprint.claims import clear_claims, list_claims
from footprint.errors import InputError

from calc_helpers import DATA, by_hand, product_data, write_product
from conftest import invoke, split_warnings

REL = 1e-6
SITE = yaml.safe_load((DATA / "site-jiangsu-2024.yaml").read_text(encoding="utf-8"))


def _with_site(tmp_path, site=None, stages=("cell", "module"), name="site.yaml"):
    (tmp_path / name).write_text(yaml.safe_dump(site or SITE, sort_keys=False), encoding="utf-8")
    changes = {f"stages.{stage}.electricity_instruments": name for stage in stages}
    return write_product(tmp_path, product_data(**changes))


def _site(**changes):
    site = copy.deepcopy(SITE)
    site.update(changes)
    return site


def test_location_and_market_based_by_hand(tmp_path, home_env):
    base = compute(write_product(tmp_path, product_data(), "base.yaml"))
    result = compute(_with_site(tmp_path))
    js = by_hand()["grid_JS"]
    # grid electricity of the cell and module stages per module (product file values)
    cells = (144 / 2) / 0.97
    kwh = cells * 17.7 * 330.15e-4 + 3.32 * 2.583
    gec, ppa, onsite = 30000 / 100000, 20000 / 100000, 5000 / 100000
    location = base.total.value - kwh * onsite * js  # on-site PV never passes through the grid
    market = base.total.value - kwh * (gec + ppa + onsite) * js + kwh * ppa * 0.05
    assert result.total.value == pytest.approx(location, rel=REL)
    assert result.electricity.location_based.value == result.total.value
    assert result.electricity.market_based.value == pytest.approx(market, rel=REL)
    claims = {claim.id: claim for claim in result.electricity.instruments}
    assert claims["GEC-2024-JS-001"].claimed_mwh == pytest.approx(30000 * 0.6)  # allocated by output: 600 of 1000 MWp
    assert claims["GEC-2024-JS-001"].kwh == pytest.approx(kwh * gec, rel=REL)
    assert claims["PPA-2024-07"].emission_factor == 0.05
    assert claims["GEC-2024-JS-001"].emission_factor == 0.0 and "GHG Protocol" in claims["GEC-2024-JS-001"].emission_factor_source
    assert sorted(claims["rooftop-pv"].stages) == ["cell", "module"]
    assert any("no residual mix" in note for note in result.electricity.notes)
    assert sum(part.value for part in result.electricity.market_based_by_stage.values()) == pytest.approx(market, rel=REL)


def test_without_instruments_both_results_are_equal(tmp_path, home_env):
    result = compute(write_product(tmp_path, product_data()))
    assert result.electricity.market_based.value == result.electricity.location_based.value
    assert result.electricity.instruments == []


@pytest.mark.parametrize(
    "change, message",
    [
        ({"market": "VN"}, r"instrument GEC-2024-JS-001: market 'VN' is not the site's \(CN-JS\)"),
        ({"vintage": 2023}, r"instrument GEC-2024-JS-001: vintage 2023 is outside the reporting period 2024-01-01/2024-12-31"),
        ({"vintage": {"start": "2024-06-01", "end": "2025-05-31"}}, r"instrument GEC-2024-JS-001: vintage 2024-06-01/2025-05-31 is outside"),
        ({"certificates": 90000}, r"instrument PPA-2024-07: brings the site's instruments to 110,000 MWh, more than the 100,000 MWh"),
    ],
)
def test_failed_checks_name_site_and_instrument(tmp_path, home_env, change, message):
    site = _site()
    site["instruments"][0].update(change)
    with pytest.raises(InputError, match=r"site.yaml: site 'Jiangsu cell and module fab': " + message):
        compute(_with_site(tmp_path, site))


def test_an_instrument_listed_twice_is_refused(tmp_path, home_env):
    site = _site()
    site["instruments"].append(dict(site["instruments"][0]))
    with pytest.raises(InputError, match=r"site 'Jiangsu cell and module fab': instrument GEC-2024-JS-001: listed twice"):
        compute(_with_site(tmp_path, site))


def test_an_instrument_claimed_in_two_site_files_is_refused(tmp_path, home_env):
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(SITE), encoding="utf-8")
    other = _site(site="Jiangsu wafer plant")
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(other), encoding="utf-8")
    path = write_product(tmp_path, product_data(**{"stages.wafer.electricity_instruments": "a.yaml",
                                                   "stages.cell.electricity_instruments": "b.yaml"}))
    with pytest.raises(InputError, match=r"b.yaml: site 'Jiangsu wafer plant': instrument GEC-2024-JS-001: already claimed in .*a.yaml"):
        compute(path)


def test_a_product_must_be_one_of_the_sites_outputs(tmp_path, home_env):
    site = _site(output={"some-other-module": "100 MWp"})
    with pytest.raises(InputError, match=r"site 'Jiangsu cell and module fab': output: product 'by-hand-module' is not listed"):
        compute(_with_site(tmp_path, site))


def test_a_site_file_of_another_geography_is_refused(tmp_path, home_env):
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(SITE), encoding="utf-8")
    path = write_product(tmp_path, product_data(**{"stages.ingot.electricity_instruments": "site.yaml"}))
    with pytest.raises(InputError, match=r"stages.ingot.electricity_instruments: the stage is at CN-NM but .* is for CN-JS"):
        compute(path)


def test_both_results_in_json_and_in_the_table(tmp_path, ledger):  # `footprint calc` records the product's claims
    path = _with_site(tmp_path)
    data = json.loads(json.dumps(compute(path).to_dict()))  # what --format json prints
    assert data["electricity"]["market_based"]["value"] < data["electricity"]["location_based"]["value"]
    assert {claim["id"] for claim in data["electricity"]["instruments"]} == {"GEC-2024-JS-001", "PPA-2024-07", "rooftop-pv"}
    table = invoke("calc", path, home=ledger)
    assert table.returncode == 0, table.stderr
    assert "market-based electricity" in table.stdout and "GEC-2024-JS-001" in table.stdout


def test_cli_failed_check_exits_1_with_one_line(tmp_path, home_env):
    site = _site()
    site["instruments"][1]["market"] = "KR"
    path = _with_site(tmp_path, site)
    completed = invoke("calc", path, home=home_env)
    assert completed.returncode == 1
    _, lines = split_warnings(completed.stderr, path)  # the product's plausibility warnings may come first
    assert len(lines) == 1 and "instrument PPA-2024-07: market 'KR'" in lines[0]


def test_on_site_pv_with_a_market_is_checked_too(tmp_path, home_env):
    site = _site()
    site["instruments"][2]["market"] = "VN"
    with pytest.raises(InputError, match=r"site 'Jiangsu cell and module fab': instrument rooftop-pv: market 'VN' is not the site's"):
        compute(_with_site(tmp_path, site))


# --- one site in several files, and the claims ledger across products -------------------------


@pytest.fixture
def ledger(home_env):
    """An empty claims ledger for the test, emptied again afterwards.

    The ledger is in the test process's own data directory (conftest.footprint_home): tests in
    other xdist workers never see it; in this one they run one at a time.
    """
    clear_claims()
    yield home_env
    clear_claims()


def _second_file(**changes):
    """Another file of the Jiangsu site with instruments of its own."""
    site = _site(**changes)
    site["instruments"] = [{"id": "GEC-2024-JS-900", "type": "gec", "certificates": 10000, "market": "CN", "vintage": 2024}]
    return site


def test_two_files_of_one_site_are_pooled_for_the_consumption_check(tmp_path, ledger):
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(SITE), encoding="utf-8")
    second = _second_file()
    second["instruments"][0]["certificates"] = 90000  # 55,000 MWh in a.yaml + 90,000 = 145,000 > 100,000 consumed
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(second), encoding="utf-8")
    path = write_product(tmp_path, product_data(**{"stages.cell.electricity_instruments": "a.yaml",
                                                   "stages.module.electricity_instruments": "b.yaml"}))
    with pytest.raises(InputError, match=r"b.yaml: site 'Jiangsu cell and module fab': instrument GEC-2024-JS-900: brings the "
                                         r"site's instruments to 145,000 MWh, more than the 100,000 MWh the site consumed"):
        compute(path, record_claims=True)


def test_pooled_files_cover_every_stage_of_the_site(tmp_path, ledger):
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(SITE), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(_second_file()), encoding="utf-8")
    base = compute(write_product(tmp_path, product_data(), "base.yaml"), record_claims=True)
    result = compute(write_product(tmp_path, product_data(**{"stages.cell.electricity_instruments": "a.yaml",
                                                             "stages.module.electricity_instruments": "b.yaml"})))
    js = by_hand()["grid_JS"]
    kwh = (144 / 2) / 0.97 * 17.7 * 330.15e-4 + 3.32 * 2.583  # cell and module grid electricity per module
    covered = (30000 + 20000 + 5000 + 10000) / 100000  # both files' instruments cover both stages
    market = base.total.value - kwh * covered * js + kwh * 0.2 * 0.05
    assert result.electricity.market_based.value == pytest.approx(market, rel=REL)
    claims = {claim.id: claim for claim in result.electricity.instruments}
    assert sorted(claims["GEC-2024-JS-900"].stages) == ["cell", "module"] and claims["GEC-2024-JS-900"].file.endswith("b.yaml")


def test_files_of_one_site_must_agree_on_its_consumption(tmp_path, ledger):
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(SITE), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(_second_file(electricity_consumed="120000 MWh")), encoding="utf-8")
    path = write_product(tmp_path, product_data(**{"stages.cell.electricity_instruments": "a.yaml",
                                                   "stages.module.electricity_instruments": "b.yaml"}))
    with pytest.raises(InputError, match=r"b.yaml: site 'Jiangsu cell and module fab': electricity_consumed 120,000 MWh, but .*a.yaml gives 100,000"):
        compute(path, record_claims=True)


def _product(tmp_path, product_id, site_file, site=None):
    if site is not None:
        (tmp_path / site_file).write_text(yaml.safe_dump(site, sort_keys=False), encoding="utf-8")
    changes = {"product.id": product_id, "stages.cell.electricity_instruments": site_file,
               "stages.module.electricity_instruments": site_file}
    return write_product(tmp_path, product_data(**changes), f"{product_id}.yaml")


def test_two_products_of_one_site_file_share_its_instruments_by_output(tmp_path, ledger):
    a = compute(_product(tmp_path, "by-hand-module", "site.yaml", SITE), record_claims=True)
    b = compute(_product(tmp_path, "another-module", "site.yaml"), record_claims=True)
    claims = {claim.id: claim for claim in b.electricity.instruments}
    assert claims["GEC-2024-JS-001"].claimed_mwh == pytest.approx(30000 * 0.4)  # 400 of 1000 MWp
    assert claims["GEC-2024-JS-001"].claimed_by_others == pytest.approx({"by-hand-module": 30000 * 0.6})
    assert any("GEC-2024-JS-001" in note and "30,000 of 30,000 MWh claimed" in note for note in b.electricity.notes)
    recorded = list_claims()
    assert len(recorded) == 6 and {claim.product for claim in recorded} == {"by-hand-module", "another-module"}
    gec = [claim for claim in recorded if claim.instrument == "GEC-2024-JS-001"]
    assert sum(claim.claimed_mwh for claim in gec) == pytest.approx(30000)
    assert a.electricity.instruments[0].claimed_by_others == {}  # nothing else was recorded when A was computed
    # the note on the others' claims leaves the footprint alone: B's total is the sum of its stages
    assert b.total.value == pytest.approx(sum(share.value for share in b.by_stage.values()), rel=1e-12)
    assert b.total.value == pytest.approx(b.electricity.location_based.value, rel=1e-12)


def test_a_changed_site_file_does_not_lock_out_the_products_that_share_it(tmp_path, ledger):
    compute(_product(tmp_path, "by-hand-module", "site.yaml", SITE), record_claims=True)
    compute(_product(tmp_path, "another-module", "site.yaml"), record_claims=True)
    bigger = copy.deepcopy(SITE)
    bigger["instruments"][0]["certificates"] = 40000  # the site's certificate corrected in the shared file
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(bigger, sort_keys=False), encoding="utf-8")
    a = compute(tmp_path / "by-hand-module.yaml", record_claims=True)  # the other product's claim is from the file's old version
    gec = {claim.id: claim for claim in a.electricity.instruments}["GEC-2024-JS-001"]
    assert gec.claimed_mwh == pytest.approx(40000 * 0.6) and gec.claimed_by_others == {}
    b = compute(tmp_path / "another-module.yaml", record_claims=True)  # and the other product recomputed takes its share of the new size
    gec = {claim.id: claim for claim in b.electricity.instruments}["GEC-2024-JS-001"]
    assert gec.claimed_mwh == pytest.approx(40000 * 0.4)
    assert gec.claimed_by_others == pytest.approx({"by-hand-module": 40000 * 0.6})


def test_another_product_cannot_claim_what_one_already_claims(tmp_path, ledger):
    compute(_product(tmp_path, "by-hand-module", "site.yaml", SITE), record_claims=True)
    own = _site(output={"another-module": "1000 MWp"})  # B's own file gives B the whole site
    with pytest.raises(InputError, match=r"b.yaml: site 'Jiangsu cell and module fab': instrument GEC-2024-JS-001: product "
                                         r"'another-module' claims 30,000 MWh and other products already claim 18,000 MWh "
                                         r"\('by-hand-module' 18,000 MWh \(.*site.yaml\)\): 48,000 MWh in all, more than its 30,000 MWh"):
        compute(_product(tmp_path, "another-module", "b.yaml", own), record_claims=True)
    assert {claim.product for claim in list_claims()} == {"by-hand-module"}  # the failed product recorded nothing


def test_two_products_files_of_one_site_together_within_its_consumption(tmp_path, ledger):
    compute(_product(tmp_path, "by-hand-module", "site.yaml", SITE), record_claims=True)  # 55,000 MWh of instruments
    other = _second_file(output={"by-hand-module": "600 MWp", "another-module": "400 MWp"})
    other["instruments"][0]["certificates"] = 50000
    with pytest.raises(InputError, match=r"b.yaml: site 'Jiangsu cell and module fab': the instruments of product 'another-module' "
                                         r"and those other products claim at this site \(GEC-2024-JS-001 30,000 MWh \(product "
                                         r"'by-hand-module'.*come to 105,000 MWh, more than the 100,000 MWh"):
        compute(_product(tmp_path, "another-module", "b.yaml", other), record_claims=True)


def test_recomputing_a_product_replaces_its_claims(tmp_path, ledger):
    path = _product(tmp_path, "by-hand-module", "site.yaml", SITE)
    compute(path, record_claims=True)
    compute(path, per="kWp", record_claims=True)
    assert len(list_claims(product="by-hand-module")) == 3
    # the product no longer names a site file: its claims go, and another product may claim the whole site
    compute(write_product(tmp_path, product_data(), "by-hand-module.yaml"), record_claims=True)
    assert list_claims() == []
    compute(_product(tmp_path, "another-module", "b.yaml", _site(output={"another-module": "1000 MWp"})), record_claims=True)
    assert clear_claims(product="another-module") == 3 and list_claims() == []


def test_checking_only_records_nothing(tmp_path, ledger):
    compute(_product(tmp_path, "by-hand-module", "site.yaml", SITE), record_claims=False)
    assert list_claims() == []


def test_cli_lists_and_clears_claims(tmp_path, ledger):
    compute(_product(tmp_path, "by-hand-module", "site.yaml", SITE), record_claims=True)
    listed = invoke("claims", "--format", "json", home=ledger)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert {row["instrument"] for row in rows} == {"GEC-2024-JS-001", "PPA-2024-07", "rooftop-pv"}
    table = invoke("claims", home=ledger)
    assert "GEC-2024-JS-001" in table.stdout and "18,000" in table.stdout
    cleared = invoke("claims", "--clear", "--product", "by-hand-module", home=ledger)
    assert cleared.returncode == 0 and "removed 3" in cleared.stderr
    assert list_claims() == []


# --- the electricity basis: life cycle by default, the official factors by name ----------------------


def test_a_chinese_site_takes_the_national_carbon_footprint_factor_by_default():
    from footprint.bundle import read_bundle

    bundle = read_bundle()
    for site in ("CN-JS", "CN-XJ", "CN-YN", "CN-ECG", "CN"):
        grid = bundle.grid_for(site)
        assert grid.id == "electricity_lifecycle_CN_2024" and grid.scope == "co2e_lifecycle", site
        assert "MEE, NBS & NEA" in bundle.datasets[grid.id].exchanges[0].source  # not Ember's CN 2022 row
    assert bundle.grid_for("CN-JS", "official").id == "electricity_grid_CN-JS"
    assert bundle.grid_for("VN").id == "electricity_lifecycle_VN_2022"
    assert bundle.grid_for("US-EGRID-CAMX").id == "electricity_lifecycle_US_2022"
    assert bundle.grid_for("US-EGRID-CAMX", "official").id == "electricity_grid_US-EGRID-CAMX"
    with pytest.raises(ValueError, match="unknown electricity basis 'co2'"):
        bundle.grid_for("CN-JS", "co2")


def test_the_basis_is_the_product_s_or_a_stage_s_and_the_result_says_it(tmp_path, home_env):
    from footprint.bundle import read_bundle

    bundle = read_bundle()
    default = compute(write_product(tmp_path, product_data(**{"product.electricity_basis": None}), "default.yaml"))
    assert {use.basis for use in default.electricity.uses} == {"life-cycle"}
    assert {use.dataset for use in default.electricity.uses} == {"electricity_lifecycle_CN_2024"}
    official = compute(write_product(tmp_path, product_data(), "official.yaml"))  # BY_HAND says official
    assert {use.dataset for use in official.electricity.uses} == {"electricity_grid_CN-XJ", "electricity_grid_CN-NM", "electricity_grid_CN-JS"}
    # the difference is the kWh times the difference of the factors, stage by stage
    factor = lambda dataset_id: bundle.datasets[dataset_id]  # noqa: E731
    assert factor("electricity_lifecycle_CN_2024").exchanges[0].amount == pytest.approx(0.5777)
    data = json.loads(json.dumps(default.to_dict(), default=str))
    assert {use["basis"] for use in data["electricity"]["uses"]} == {"life-cycle"}
    with pytest.raises(InputError, match=r"product.electricity_basis: got 'co2-only'; expected one of life-cycle, official"):
        compute(write_product(tmp_path, product_data(**{"product.electricity_basis": "co2-only"}), "bad.yaml"))
    with pytest.raises(InputError, match=r"stages.cell.electricity_basis: got 'x'; expected one of life-cycle, official"):
        compute(write_product(tmp_path, product_data(**{"stages.cell.electricity_basis": "x"}), "bad-stage.yaml"))
