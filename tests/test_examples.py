"""examples/: every product computes with `footprint calc`; one total equals a hand computation.

The hand computation reads the CSV files with the csv module and the GWP100 factors straight from
bw2io's LCIA file (tests/handcalc.py), and follows the chain arithmetic of the TOPCon example line
by line, so it shares no code with footprint.bundle.read, footprint.model or footprint.calc.
"""

import json

import pytest
import yaml

from footprint.calc import compute

from calc_helpers import emission_factors, gas_factors
from conftest import EXAMPLES, invoke
from handcalc import default as _default
from handcalc import grid as handcalc_grid
from handcalc import number as _number

TOPCON = EXAMPLES / "topcon-glass-glass-vietnam.yaml"
ALL_EXAMPLES = sorted(EXAMPLES.glob("*.yaml"))
SILICON_DENSITY = 2.329  # g/cm3, as in footprint.model.chain (CRC Handbook)


def test_the_issue_examples_exist():
    names = {path.name for path in ALL_EXAMPLES}
    assert {"perc-glass-backsheet-jiangsu.yaml", "perc-glass-backsheet-yunnan-hydro-poly.yaml", "topcon-glass-glass-vietnam.yaml",
            "hjt-glass-glass-anhui.yaml", "bc-glass-backsheet-shaanxi.yaml"} <= names


@pytest.mark.parametrize("path", ALL_EXAMPLES, ids=[p.stem for p in ALL_EXAMPLES])
def test_every_example_computes_with_footprint_calc(home_env, path):
    result = invoke("calc", path, "--per", "kWp", "--format", "json", home=home_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["total"]["unit"] == "kg CO2-eq/kWp"
    assert 100 < data["total"]["value"] < 2000
    assert sum(part["value"] for part in data["by_stage"].values()) == pytest.approx(data["total"]["value"], rel=1e-9)
    assert list(data["by_stage"]) == ["mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module"]


def _official(path, tmp_path):
    """The example on the official basis (China: the provincial CO2-only factors)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["product"]["electricity_basis"] = "official"
    target = tmp_path / path.name
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


def test_hydropower_polysilicon_lowers_only_the_polysilicon_share(home_env, tmp_path):
    # the default life-cycle basis has one national factor for China: the polysilicon site changes nothing
    jiangsu = compute(EXAMPLES / "perc-glass-backsheet-jiangsu.yaml", per="kWp")
    yunnan = compute(EXAMPLES / "perc-glass-backsheet-yunnan-hydro-poly.yaml", per="kWp")
    assert yunnan.total.value == pytest.approx(jiangsu.total.value, rel=1e-12)
    # on the official basis, the provincial factors
    jiangsu = compute(_official(EXAMPLES / "perc-glass-backsheet-jiangsu.yaml", tmp_path), per="kWp")
    yunnan = compute(_official(EXAMPLES / "perc-glass-backsheet-yunnan-hydro-poly.yaml", tmp_path), per="kWp")
    drop = jiangsu.by_stage["polysilicon"].value - yunnan.by_stage["polysilicon"].value
    # same electricity, factor 0.6021 (Xinjiang) -> 0.1333 (Yunnan) kg CO2/kWh; every stage downstream carries it
    assert drop > 0
    assert jiangsu.total.value - yunnan.total.value == pytest.approx(drop, rel=1e-9)
    for stage in ("mg_silicon", "ingot", "wafer", "cell", "module"):
        assert jiangsu.by_stage[stage].value == pytest.approx(yunnan.by_stage[stage].value, rel=1e-12)


# --- the hand computation ------------------------------------------------------------------------------


def hand_total_topcon():
    """The TOPCon example by hand [kg CO2-eq per module]."""
    ef, gwp = emission_factors(), gas_factors()
    grid = handcalc_grid  # the default basis, life cycle (China: the national carbon-footprint factor; VN: Ember)
    s = yaml.safe_load(TOPCON.read_text(encoding="utf-8"))["stages"]
    area_module = 2.583  # m2, product.area
    assert _number(yaml.safe_load(TOPCON.read_text(encoding="utf-8"))["product"]["area"]) == area_module

    mg = _default("mg_silicon", "any", "electricity") * grid("CN-XJ") + _default("mg_silicon", "any", "emission:co2_fossil")
    # FBR polysilicon, every amount the technology's default: MG silicon, electricity, natural-gas heat
    assert "mg_silicon" not in s["polysilicon"] and "polysilicon" not in s["ingot"] and "ingot_utilisation" not in s["wafer"]
    poly = (_default("polysilicon", "fbr", "mg_silicon") * mg + _default("polysilicon", "fbr", "electricity") * grid("CN-SC")
            + _default("polysilicon", "fbr", "heat") * ef("heat_natural_gas"))
    w = s["wafer"]
    # the ingot defaults are per kg of squared ingot (offcut loop included); the wafers draw squared ingot / utilisation,
    # and both defaults are x utilisation: per kg of squared ingot the utilisation cancels
    utilisation = _default("wafer", "any", "ingot_utilisation")
    ingot = (_default("ingot", "any", "polysilicon") * utilisation * poly
             + _default("ingot", "cz-n", "electricity") * utilisation * grid("CN-JS")
             + _number(s["ingot"]["materials"]["transport_rail"]) * ef("transport_rail"))

    wafer_cm2 = _number(w["wafer_area"])
    wafer_m2 = wafer_cm2 / 1e4
    silicon_kg = wafer_cm2 * (_number(w["thickness"]) + _number(w["kerf"])) * 1e-4 * SILICON_DENSITY / 1000
    wafer = silicon_kg / (utilisation * _number(w["yield"])) * ingot + _number(w["electricity"]) * grid("CN-JS")

    c = s["cell"]
    assert "electricity" not in c  # the example takes the n-type default
    silver_kg_per_m2 = _default("cell", "topcon", "material:silver") / 1000  # g per m2 of cell (Götz et al. 2026)
    cell = (wafer / _number(c["yield"])
            + _default("cell", "topcon", "electricity") * wafer_m2 * grid("VN")  # kWh per m2 of cell (Götz et al. 2026, simulated)
            + _default("cell", "topcon", "heat") * wafer_m2 * ef("heat_natural_gas")  # MJ per m2 of cell, the same dataset
            + silver_kg_per_m2 * wafer_m2 * ef("silver")
            # default direct emissions per m2 of cell, beside the file's own NF3 and CO2-eq
            + (_default("cell", "topcon", "emission:co2_fossil") + _default("cell", "topcon", "emission:hfc134a") * gwp["hfc134a"]
               + _default("cell", "topcon", "emission:n2o") * gwp["n2o"]) * wafer_m2  # N2O used in deposition, booked as emitted
            + _number(c["materials"]["transport_truck"]) * ef("transport_truck")
            + _number(c["materials"]["transport_sea"]) * ef("transport_sea")
            + _number(c["emissions"]["nf3"]) / 1000 * wafer_m2 * gwp["nf3"]
            + _number(c["emissions"]["co2e_aggregated"]) * wafer_m2)

    m = s["module"]
    mat = m["materials"]
    cells = m["cells"] / m["cells_per_wafer"] / _default("module", "glass-glass", "yield")
    module = (cells * cell
              + _default("module", "glass-glass", "electricity") * area_module * grid("VN")
              + _number(mat["solar_glass"]) * area_module * ef("solar_glass")  # the file's glass replaces the default
              + _number(mat["copper"]) * area_module * ef("copper")  # the file's ribbons replace the default copper
              + _default("module", "glass-glass", "material:aluminium_primary_CN") * area_module * (
                  ef("aluminium_primary_CN")  # the frame's aluminium, and its extrusion in Viet Nam [kWh, MJ per kg]
                  + _default("module", "any", "frame_extrusion_electricity") * grid("VN")
                  + _default("module", "any", "frame_extrusion_heat") * ef("heat_natural_gas"))
              + _default("module", "glass-glass", "material:wood") * area_module * ef("wood")  # pallets
              + _default("module", "glass-glass", "material:ldpe") * area_module * ef("ldpe")
              # solder and packaging plastic defaults [g/m2]; the file gives its own junction box and board
              + (_default("module", "glass-glass", "material:tin") * ef("tin") + _default("module", "glass-glass", "material:lead") * ef("lead")
                 + _default("module", "glass-glass", "material:hdpe") * ef("hdpe")) / 1000 * area_module
              + _default("module", "any", "emission:co2_fossil") * area_module
              + _number(mat["polypropylene"]) * ef("polypropylene")
              + _number(mat["pvc"]) * ef("pvc")
              + _number(mat["paperboard"]) * ef("paperboard"))
    return module


def test_topcon_total_equals_hand_computation(home_env):
    result = compute(TOPCON, per="module")
    assert result.total.value == pytest.approx(hand_total_topcon(), rel=1e-9)


@pytest.mark.parametrize("basis", ["life-cycle", "official"])
def test_validation_page_matches_results(home_env, tmp_path, basis):
    """docs/validation.md quotes every example's total and stages on both bases; they must be today's numbers."""
    page = (EXAMPLES.parent / "docs" / "validation.md").read_text(encoding="utf-8")
    marker = "<!-- results: example | kg CO2-eq/kWp -->" if basis == "life-cycle" else "<!-- results, official basis: example | kg CO2-eq/kWp -->"
    table = page.split(marker, 1)[1].split("<!-- end results -->", 1)[0]
    quoted = {}
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        quoted[cells[0]] = [float(cell) for cell in cells[1:]]
    assert set(quoted) == {path.stem for path in ALL_EXAMPLES}
    for stem, numbers in quoted.items():
        path = EXAMPLES / f"{stem}.yaml"
        result = compute(path if basis == "life-cycle" else _official(path, tmp_path), per="kWp")
        stages = [result.by_stage[s].value for s in ("mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module")]
        kwh = sum(use.amount for use in result.electricity.uses)
        assert numbers == pytest.approx([result.total.value, *stages, kwh], abs=0.051), stem


def test_validation_page_bases_and_gwp_tables_are_fresh(home_env, monkeypatch):
    """The electricity-bases and AR5 tables of docs/validation.md are what scripts/validation_examples.py computes now."""
    # without the suite's bw2calc cross-check of each of the 15 calculations: the other tests of the examples run it
    monkeypatch.setenv("FOOTPRINT_VERIFY", "0")
    import importlib.util

    spec = importlib.util.spec_from_file_location("validation_examples", EXAMPLES.parent / "scripts" / "validation_examples.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    page = (EXAMPLES.parent / "docs" / "validation.md").read_text(encoding="utf-8")
    for key in ("bases", "ar5"):
        quoted = page.split(script.MARKERS[key], 1)[1].split(script.END, 1)[0].strip()
        assert quoted == script.table(key), key
