"""footprint.model.chain: stage technologies choose the defaults; materials in other units."""

import pytest
import yaml

from footprint.bundle.read import read_bundle
from footprint.errors import InputError, UnitError
from footprint.model import build_chain, parse_product

from conftest import EXAMPLES, run_cli, split_warnings
from handcalc import default

TOPCON = EXAMPLES / "topcon-glass-glass-vietnam.yaml"
PERC = EXAMPLES / "perc-glass-backsheet-jiangsu.yaml"


def _chain(path, edit=None):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if edit:
        edit(data)
    return build_chain(parse_product(yaml.safe_dump(data, allow_unicode=True), source="p.yaml"), read_bundle())


def _flows(chain, stage):
    return {flow.target: flow.amount for flow in chain.processes[stage].flows}


def test_module_technology_selects_glass_and_backsheet_defaults():
    area = 2.583
    back = _chain(PERC)
    assert _flows(back, "module")["solar_glass"] == pytest.approx(default("module", "glass-backsheet", "material:solar_glass") * area)
    assert "pet" in _flows(back, "module")
    glass = _chain(PERC, lambda d: d["stages"]["module"].update(technology="glass-glass"))
    assert _flows(glass, "module")["solar_glass"] == pytest.approx(default("module", "glass-glass", "material:solar_glass") * area)
    assert "pet" not in _flows(glass, "module")
    assert glass.processes["module"].technology == "glass-glass"


def test_module_technology_is_required_and_checked():
    with pytest.raises(InputError, match=r"p.yaml: stages.module.technology: missing; expected one of glass-backsheet, glass-glass"):
        _chain(PERC, lambda d: d["stages"]["module"].pop("technology"))
    with pytest.raises(InputError, match=r"stages.polysilicon.technology: got 'siemenz'; expected one of fbr, siemens"):
        _chain(PERC, lambda d: d["stages"]["polysilicon"].update(technology="siemenz"))


def test_cell_defaults_follow_the_product_technology():
    wafer_m2 = 330.15e-4
    perc = _flows(_chain(PERC), "cell")
    assert perc["silver"] == pytest.approx(default("cell", "perc", "material:silver") * 1e-6 / 0.166 ** 2 * wafer_m2, rel=1e-12)
    topcon = _chain(PERC, lambda d: (d["product"].update(technology="topcon"), d["stages"]["cell"].update(electricity="20 kWh/m2")))
    # TOPCon silver: g per m2 of cell (Götz et al. 2026), times the wafer area
    assert _flows(topcon, "cell")["silver"] == pytest.approx(default("cell", "topcon", "material:silver") / 1000 * wafer_m2, rel=1e-12)
    # without the file's value, TOPCon cell electricity takes the default per m2 of cell (Götz et al. 2026), times the wafer area
    bare = _chain(PERC, lambda d: (d["product"].update(technology="topcon"), d["stages"]["cell"].pop("electricity")))
    assert _flows(bare, "cell")[bare.processes["cell"].electricity_dataset] == pytest.approx(default("cell", "topcon", "electricity") * wafer_m2, rel=1e-12)
    # HJT keeps the MIIT n-type limit (70000 kWh/MWp) per W of cell power
    hjt = _chain(PERC, lambda d: (d["product"].update(technology="hjt"), d["stages"]["cell"].pop("electricity")))
    cell_watts = wafer_m2 * 0.23 * 1000  # the example's 23.0 % efficiency x 1000 W/m2
    assert _flows(hjt, "cell")[hjt.processes["cell"].electricity_dataset] == pytest.approx(default("cell", "hjt", "electricity") / 1e6 * cell_watts, rel=1e-12)


def test_hjt_ito_per_watt_uses_the_cell_power():
    hjt = _chain(EXAMPLES / "hjt-glass-glass-anhui.yaml")
    cell_watts = 441.0e-4 * 0.255 * 1000  # wafer area x efficiency x 1000 W/m2
    assert _flows(hjt, "cell")["ito_target"] == pytest.approx(default("cell", "hjt", "material:ito_target") * 1e-6 * cell_watts, rel=1e-12)


def test_transport_is_a_material_in_tonne_km():
    flows = _flows(_chain(TOPCON), "ingot")
    assert flows["transport_rail"] == pytest.approx(0.0021164)
    per_m2 = _chain(TOPCON, lambda d: d["stages"]["module"]["materials"].update(transport_sea="0.01 t*km/m2"))
    assert _flows(per_m2, "module")["transport_sea"] == pytest.approx(0.01 * 2.583)
    with pytest.raises(InputError, match=r"p.yaml: stages.module.materials.transport_sea: got 10.8 MJ / m \*\* 2; expected tonne \* km per piece"):
        _chain(TOPCON, lambda d: d["stages"]["module"]["materials"].update(transport_sea="3 kWh/m2"))


def test_frameless_module_drops_the_frame():
    flows = _flows(_chain(EXAMPLES / "hjt-glass-glass-anhui.yaml"), "module")
    assert "aluminium_primary_CN" not in flows


def test_material_amount_must_measure_something():
    with pytest.raises(UnitError, match=r"stages.module.materials.copper: got '3 W/m2'; expected kg or tonne\*km or MJ or kWh or m2 or piece per piece"):
        _chain(PERC, lambda d: d["stages"]["module"].setdefault("materials", {}).update(copper="3 W/m2"))


@pytest.mark.slow
def test_first_calc_of_a_product_prints_no_geocollection_warning(footprint_home, tmp_path):
    # bw2data warns "Not able to determine geocollections" on writing a database whose sites
    # are provinces (CN-JS); the foreground never needs regionalisation, so users never see it.
    product = tmp_path / "first.yaml"
    product.write_text(PERC.read_text(encoding="utf-8").replace("id: perc-gb-550-jiangsu", f"id: first-{tmp_path.name}"),
                       encoding="utf-8")
    result = run_cli("calc", product, "--format", "json", home=footprint_home)
    assert result.returncode == 0, result.stderr
    assert "geocollections" not in result.stderr
    # the only warning is the plausibility checks' on the example's wafer electricity (docs/calculator.md)
    warnings, others = split_warnings(result.stderr, product)
    assert [line.split(": ")[2] for line in warnings] == ["stages.wafer.electricity"], result.stderr
    assert "warning" not in "".join(others).lower()


def test_only_the_geocollection_warning_is_dropped():
    from footprint.brightway.foreground import _DropGeocollectionWarning

    said = []

    class Logger:
        def warning(self, message):
            said.append(("warning", message))

        def error(self, message):
            said.append(("error", message))

    logger = _DropGeocollectionWarning(Logger())
    logger.warning("Not able to determine geocollections for all datasets. This database is not ready for regionalization.")
    logger.warning("something else")
    logger.error("Not able to determine geocollections, as an error")
    assert said == [("warning", "something else"), ("error", "Not able to determine geocollections, as an error")]


@pytest.mark.parametrize("field, value, message", [
    ("cells", 144.5, "got 144.5; expected a whole number, such as 144"),
    ("cells", "144.5 cells", "got '144.5 cells'; expected a whole number"),
    ("cells_per_wafer", 1.5, "got 1.5; expected a whole number, such as 2"),
    ("cells", float("nan"), "got nan, not a finite number"),
])
def test_counts_are_whole_numbers(field, value, message):
    with pytest.raises(UnitError, match=rf"^p.yaml: stages.module.{field}: {message}"):
        _chain(PERC, lambda d: d["stages"]["module"].update({field: value}))
    assert _chain(PERC, lambda d: d["stages"]["module"].update({field: 144.0 if field == "cells" else 2.0}))


def test_a_batch_row_with_a_fractional_cell_count_is_refused(tmp_path, home_env):
    from footprint.calc.batch import run_batch

    variants = tmp_path / "v.csv"
    variants.write_text("variant,stages.module.cells\nok,144\nhalf,143.5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"row 3 \(half\): .*stages.module.cells: got 143.5; expected a whole number"):
        run_batch(PERC, variants)


# --- fluorinated gases of the cell line (stages.cell.fluorinated_gases) -----------------------------

#: IPCC 2006, Vol. 3, Ch. 6: Tier 2 PV CVD cleaning, NF3 emitted fraction (1-U); NF3 destruction efficiency of
#: abatement; Tier 1 PV-cell factors [kg per m2] (read in OpenAMEE/datasets, etchingandcvdcleaning).
IPCC_NF3_EMITTED, IPCC_NF3_DESTROYED, IPCC_TIER1_CF4, IPCC_TIER1_C2F6 = 0.3, 0.95, 0.005, 0.0002
M10_AREA = 0.033015  # m2: the PERC example's wafer_area, 330.15 cm2


def _with_fluorinated(value, **cell):
    def edit(data):
        data["stages"]["cell"]["fluorinated_gases"] = value
        data["stages"]["cell"].update(cell)
    return edit


def test_nf3_chamber_cleaning_is_the_ipcc_tier2_arithmetic_by_hand():
    chain = _chain(PERC, _with_fluorinated({"nf3_used": "0.05 g/m2", "nf3_abated": "80 %"}))
    used = 0.05e-3 * M10_AREA  # kg NF3 per cell
    flows = _flows(chain, "cell")
    assert flows["nf3"] == pytest.approx(used * 0.3 * (1 - 0.8 * 0.95), rel=1e-12)
    assert flows["nitrogen_trifluoride"] == pytest.approx(used, rel=1e-12)  # the NF3 used is produced too
    parameters = chain.processes["cell"].parameters
    assert parameters["fluorinated_gases.nf3_emitted_fraction"][0].magnitude == IPCC_NF3_EMITTED
    assert parameters["fluorinated_gases.nf3_destruction"][0].magnitude == IPCC_NF3_DESTROYED
    assert "IPCC" in parameters["fluorinated_gases.nf3_destruction"][1].source
    (flow,) = [f for f in chain.processes["cell"].flows if f.target == "nf3"]
    assert flow.provenance.primary_fraction == 0.0  # the user's amount with IPCC factors: secondary data


def test_nf3_without_abatement_and_with_the_lines_own_factors_per_cell():
    plain = _flows(_chain(PERC, _with_fluorinated({"nf3_used": "2 mg/cell"})), "cell")
    assert plain["nf3"] == pytest.approx(2e-6 * 0.3, rel=1e-12)  # nf3_abated 0 by default
    own = _chain(PERC, _with_fluorinated({"nf3_used": "0.01 mg/W", "nf3_abated": 1, "nf3_emitted_fraction": "10 %",
                                          "nf3_destruction": 0.99}))
    used = 0.01e-6 * M10_AREA * 0.23 * 1000  # per W of cell: area x the example's 23 % x 1000 W/m2
    assert _flows(own, "cell")["nf3"] == pytest.approx(used * 0.1 * (1 - 0.99), rel=1e-12)
    (flow,) = [f for f in own.processes["cell"].flows if f.target == "nf3"]
    assert flow.provenance.primary_fraction == 1.0


def test_ipcc_tier1_is_off_by_default_and_counts_cf4_and_c2f6_per_m2_when_chosen():
    off = _flows(_chain(PERC), "cell")
    assert not {"cf4", "c2f6", "nf3", "nitrogen_trifluoride"} & set(off)
    on = _chain(PERC, _with_fluorinated("ipcc-tier1"))
    flows = _flows(on, "cell")
    assert flows["cf4"] == pytest.approx(IPCC_TIER1_CF4 * M10_AREA, rel=1e-12)
    assert flows["c2f6"] == pytest.approx(IPCC_TIER1_C2F6 * M10_AREA, rel=1e-12)
    assert "nf3" not in flows and "nitrogen_trifluoride" not in flows
    assert set(flows) - set(off) == {"cf4", "c2f6"}
    assert _flows(_chain(PERC, _with_fluorinated({"method": "IPCC-Tier1"})), "cell")["cf4"] == flows["cf4"]


@pytest.mark.parametrize(("value", "cell", "message"), [
    ({"nf3_abated": 0.5}, {}, r"stages.cell.fluorinated_gases.nf3_used: missing; no public figure of the NF3"),
    ("ipcc-tier3", {}, r"fluorinated_gases.method: got 'ipcc-tier3'; expected one of ipcc-tier2, ipcc-tier1"),
    ({"nf3_used": "0.05 g/m2", "nf3_abated": 1.5}, {}, r"nf3_abated: got 1.5; expected the share of the NF3 used in tools with abatement"),
    ({"nf3_used": "0.05 kWh/m2"}, {}, r"fluorinated_gases.nf3_used: got '0.05 kWh/m2'; expected kg per piece, per m2 or per W"),
    ({"method": "ipcc-tier1", "nf3_used": "0.05 g/m2"}, {}, r"nf3_used: given with method ipcc-tier1"),
    ({"nf3_used": "0.05 g/m2"}, {"emissions": {"nf3": "0.01 g/m2"}}, r"stages.cell.emissions.nf3: given with fluorinated_gases.nf3_used"),
    ("ipcc-tier1", {"emissions": {"cf4": "1 mg/m2"}}, r"stages.cell.emissions.cf4: given with fluorinated_gases: ipcc-tier1"),
    ({"nf3_used": "0.05 g/m2", "ipcc_tier1_cf4": "1 g/m2"}, {}, r"ipcc_tier1_cf4: goes with method ipcc-tier1"),
    ({"nf3_used": "0.05 g/m2", "nf3_destruction": 0}, {}, r"nf3_destruction: got 0; expected a fraction in \(0, 1\]"),
    ({"nf3": "0.05 g/m2"}, {}, r"fluorinated_gases.nf3: unknown field"),
])
def test_bad_fluorinated_gas_inputs_name_the_field(value, cell, message):
    with pytest.raises((InputError, UnitError), match=message):
        _chain(PERC, _with_fluorinated(value, **cell))


def test_fluorinated_gases_belong_to_the_cell_stage_and_a_bad_one_is_one_line_exit_1(tmp_path, home_env):
    with pytest.raises(InputError, match=r"stages.wafer.fluorinated_gases: unknown field"):
        _chain(PERC, lambda data: data["stages"]["wafer"].update(fluorinated_gases="ipcc-tier1"))
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    data["stages"]["cell"]["fluorinated_gases"] = {"nf3_abated": "50 %"}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = run_cli("calc", path, home=home_env)
    assert done.returncode == 1
    _, errors = split_warnings(done.stderr, path)
    assert len(errors) == 1 and "stages.cell.fluorinated_gases.nf3_used: missing" in errors[0]


# --- HJT and back-contact cells: what no public source gives is asked for, with the reason --------

BC = EXAMPLES / "bc-glass-backsheet-shaanxi.yaml"
HJT = EXAMPLES / "hjt-glass-glass-anhui.yaml"


def test_a_back_contact_cell_without_its_silver_is_refused_saying_what_is_public():
    with pytest.raises(InputError, match=r"stages.cell.materials.silver: missing; a back-contact cell's silver has no bundled "
                                         r"default: no public figure .* per back-contact cell or per W was found"):
        _chain(BC, lambda data: data["stages"]["cell"]["materials"].pop("silver"))
    zero = _chain(BC, lambda data: data["stages"]["cell"]["materials"].update(silver="0 g/cell"))  # silver-free contacts
    assert "silver" not in _flows(zero, "cell")
    assert _flows(_chain(BC), "cell")["silver"] == pytest.approx(0.09e-3)  # the example's own 0.09 g/cell
    # PERC, TOPCon and HJT keep their bundled silver when the file gives none
    assert "silver" in _flows(_chain(HJT, lambda data: data["stages"]["cell"]["materials"].pop("silver")), "cell")


@pytest.mark.parametrize(("path", "reason"), [(HJT, "no public heterojunction cell yield was found"),
                                              (BC, "no public back-contact cell yield was found")])
def test_hjt_and_bc_cell_yield_is_asked_for_with_the_reason(path, reason):
    with pytest.raises(InputError, match=rf"stages.cell.yield: missing, and no bundled default exists for cell \(\w+\): {reason}.*"
                                         r"expected a fraction, such as 0.98"):
        _chain(path, lambda data: data["stages"]["cell"].pop("yield"))
