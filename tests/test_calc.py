"""footprint.calc on the PERC example: the total by hand, breakdowns, the CLI contract, bad input."""

import json

import pytest
import yaml

from conftest import PERC, ROOT, copy_example, run_cli
from footprint.calc import compute
from footprint.errors import InputError
from handcalc import default as _default
from handcalc import emission_factors
from handcalc import number as _number


def hand_total_per_module():
    """The PERC example by hand: sum of amounts x emission factors along the chain [kg CO2-eq/module]."""
    ef = emission_factors()
    product = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    stages = product["stages"]
    grid = lambda site: ef(f"electricity_grid_{site}")  # every site of the example has its own provincial factor
    area_module = _number(product["product"]["area"])  # m2

    mg = _default("mg_silicon", "any", "electricity") * grid("CN-XJ") + _default("mg_silicon", "any", "emission:co2_fossil")
    poly = (_number(stages["polysilicon"]["mg_silicon"]) * mg
            + _default("polysilicon", "siemens", "electricity") * grid("CN-XJ")
            + _default("polysilicon", "siemens", "heat") * ef("heat_natural_gas"))
    ingot = _number(stages["ingot"]["polysilicon"]) * poly + _default("ingot", "any", "electricity") * grid("CN-NM")
    w = stages["wafer"]
    wafer_area_cm2 = _number(w["wafer_area"])
    silicon_kg = wafer_area_cm2 * (_number(w["thickness"]) + _number(w["kerf"])) * 1e-4 * 2.329 / 1000  # cm2 x cm x g/cm3 -> kg
    ingot_per_wafer = silicon_kg / (_number(w["ingot_utilisation"]) * _number(w["yield"]))
    wafer = ingot_per_wafer * ingot + _number(w["electricity"]) * grid("CN-JS")
    c = stages["cell"]
    cell = (wafer / _number(c["yield"])
            + _number(c["electricity"]) * wafer_area_cm2 / 1e4 * grid("CN-JS")
            # silver default per (166 mm)**2 of cell [mg], scaled to the wafer area
            + _default("cell", "perc", "material:silver") * 1e-6 / 0.166 ** 2 * wafer_area_cm2 / 1e4 * ef("silver"))
    m = stages["module"]
    cells_per_module = m["cells"] / m["cells_per_wafer"] / _default("module", "any", "yield")
    materials = (_default("module", "glass-backsheet", "material:solar_glass") * ef("solar_glass")
                 + _default("module", "any", "material:aluminium_primary_CN") * ef("aluminium_primary_CN")
                 + _default("module", "any", "material:ldpe") * ef("ldpe")
                 + _default("module", "glass-backsheet", "material:pet") * ef("pet")
                 + _default("module", "any", "material:copper") / 1000 * ef("copper")) * area_module
    module = cells_per_module * cell + _default("module", "any", "electricity") * area_module * grid("CN-JS") + materials
    return module


def test_total_equals_hand_computation(home_env):
    result = compute(PERC, per="module")
    assert result.total.value == pytest.approx(hand_total_per_module(), rel=1e-9)
    assert result.total.unit == "kg CO2-eq/module"


def test_declared_units_and_breakdowns_add_up(home_env):
    per_module = compute(PERC, per="module")
    per_kwp = compute(PERC, per="kWp")
    per_m2 = compute(PERC, per="m2")
    assert per_kwp.total.value == pytest.approx(per_module.total.value / 0.550, rel=1e-12)
    assert per_m2.total.value == pytest.approx(per_module.total.value / 2.583, rel=1e-12)
    for result in (per_module, per_kwp):
        for breakdown in (result.by_stage, result.by_gas, result.by_origin):
            assert sum(part.value for part in breakdown.values()) == pytest.approx(result.total.value, rel=1e-9)
    assert list(per_module.by_stage) == ["mg_silicon", "polysilicon", "ingot", "wafer", "cell", "module"]


def test_gwp_ar5_differs_only_through_non_co2_gases(home_env):
    ar6 = compute(PERC, per="module", gwp="ar6")
    ar5 = compute(PERC, per="module", gwp="ar5")
    assert "IPCC 2013" in ar5.method and "IPCC 2021" in ar6.method
    co2 = ar6.by_gas["CO2, fossil"].value
    assert ar5.by_gas["CO2, fossil"].value == pytest.approx(co2, rel=1e-12)
    # natural-gas heat: CH4 and N2O per MJ x (AR5 - AR6) GWP, from the method files themselves
    assert ar5.total.value - ar6.total.value == pytest.approx(
        sum(ar5.by_gas[g].value - ar6.by_gas[g].value for g in ("CH4, fossil", "N2O")), abs=1e-9)


def test_calc_json_contract(home_env):
    result = run_cli("calc", PERC, "--per", "kWp", "--format", "json", home=home_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # nothing but one JSON object on stdout
    for key in ("product", "declared_unit", "total", "by_stage", "by_gas", "method", "data_version", "inputs_sha256"):
        assert key in data
    assert data["declared_unit"] == "1 kWp"
    assert data["total"]["unit"] == "kg CO2-eq/kWp"
    assert data["total"]["value"] == pytest.approx(hand_total_per_module() / 0.55, rel=1e-9)
    import hashlib
    assert data["inputs_sha256"] == hashlib.sha256(PERC.read_bytes()).hexdigest()


def test_calc_table_output(home_env):
    result = run_cli("calc", PERC, home=home_env)
    assert result.returncode == 0, result.stderr
    assert "kg CO2-eq/module" in result.stdout and "polysilicon" in result.stdout


def _broken(tmp_path, edit):
    path = copy_example(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


BAD_INPUTS = [
    ("malformed YAML", lambda p: p.write_text("product: [unclosed\n  id: x", encoding="utf-8"), "not valid YAML at line"),
    ("missing field", lambda d: d["product"].pop("rated_power"), "product.rated_power: missing"),
    ("unknown unit", lambda d: d["stages"]["wafer"].update(thickness="150 microbananas"), "stages.wafer.thickness: unknown unit"),
    ("wrong dimension", lambda d: d["stages"]["ingot"].update(polysilicon="1.02 kWh/kg"), "stages.ingot.polysilicon: got '1.02 kWh/kg'"),
    ("negative amount", lambda d: d["stages"]["wafer"].update(electricity="-0.03 kWh/wafer"), "stages.wafer.electricity: got '-0.03 kWh/wafer'; expected a non-negative"),
    ("yield above 1", lambda d: d["stages"]["cell"].update({"yield": 1.2}), "stages.cell.yield: got 1.2; expected a fraction in (0, 1]"),
    ("unknown site", lambda d: d["stages"]["cell"].update(site="CN-XX"), "stages.cell.site: unknown geography 'CN-XX'"),
    ("unknown material", lambda d: d["stages"]["module"].update(materials={"unobtainium": "1 kg/module"}), "stages.module.materials.unobtainium: unknown dataset"),
]


@pytest.mark.parametrize("name, edit, message", BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_is_one_line_exit_1(home_env, tmp_path, name, edit, message):
    if name == "malformed YAML":
        path = copy_example(tmp_path)
        edit(path)
    else:
        path = _broken(tmp_path, edit)
    bd = __import__("footprint.project", fromlist=["brightway"]).brightway()
    before = set(bd.databases)
    result = run_cli("calc", path, "--format", "json", home=home_env)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith(f"error: {path}: ")
    assert message in lines[0]
    assert set(bd.databases) == before  # nothing written


def test_usage_error_exit_2(home_env):
    result = run_cli("calc", PERC, "--per", "furlong", home=home_env)
    assert result.returncode == 2


def test_failed_write_leaves_no_database(home_env, tmp_path, monkeypatch):
    from footprint.inventories import read_bundle
    from footprint.model import build_chain, read_product
    from footprint.model.foreground import database_name, write_foreground
    from footprint.project import require_setup

    bd = require_setup()
    path = _broken(tmp_path, lambda d: d["product"].update(id="write-failure"))
    chain = build_chain(read_product(path), read_bundle())
    name = database_name(chain, read_bundle())

    def explode(self, data, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(bd.Database(name)), "write", explode)
    with pytest.raises(RuntimeError):
        write_foreground(bd, chain, read_bundle())
    assert name not in bd.databases


def test_missing_file_is_an_input_error(home_env):
    with pytest.raises(InputError, match="no such file"):
        compute(ROOT / "examples" / "nope.yaml")
