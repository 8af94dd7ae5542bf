"""footprint.calc on the PERC example: the total by hand, breakdowns, the CLI contract, bad input."""

import json

import pytest
import yaml

from footprint.calc import compute
from footprint.errors import InputError

from calc_helpers import DATA, by_hand, emission_factors, gas_factors, method_factors, product_data, write_product
from conftest import PERC, ROOT, copy_example, invoke, run_cli, split_warnings
from handcalc import default as _default
from handcalc import grid as handcalc_grid
from handcalc import number as _number


def hand_total_per_module():
    """The PERC example by hand: sum of amounts x emission factors along the chain [kg CO2-eq/module]."""
    ef = emission_factors()
    product = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    stages = product["stages"]
    grid = handcalc_grid  # the default basis, life cycle: China's national electricity carbon-footprint factor
    area_module = _number(product["product"]["area"])  # m2

    mg = _default("mg_silicon", "any", "electricity") * grid("CN-XJ") + _default("mg_silicon", "any", "emission:co2_fossil")
    # the silicon amounts are the defaults: MG silicon per kg of Siemens polysilicon, polysilicon per kg of ingot
    assert "mg_silicon" not in stages["polysilicon"] and "polysilicon" not in stages["ingot"]
    poly = (_default("polysilicon", "siemens", "mg_silicon") * mg
            + _default("polysilicon", "siemens", "electricity") * grid("CN-XJ")
            + _default("polysilicon", "siemens", "heat") * ef("heat_natural_gas"))
    w = stages["wafer"]
    # the ingot defaults are per kg of squared ingot (offcut loop included); the wafers draw squared ingot / utilisation
    utilisation = _number(w["ingot_utilisation"]) if "ingot_utilisation" in w else _default("wafer", "any", "ingot_utilisation")
    ingot = (_default("ingot", "any", "polysilicon") * utilisation * poly
             + _default("ingot", "any", "electricity") * utilisation * grid("CN-NM"))
    wafer_area_cm2 = _number(w["wafer_area"])
    silicon_kg = wafer_area_cm2 * (_number(w["thickness"]) + _number(w["kerf"])) * 1e-4 * 2.329 / 1000  # cm2 x cm x g/cm3 -> kg
    ingot_per_wafer = silicon_kg / (utilisation * _number(w["yield"]))
    wafer = ingot_per_wafer * ingot + _number(w["electricity"]) * grid("CN-JS")
    c = stages["cell"]
    cell = (wafer / _number(c["yield"])
            + _number(c["electricity"]) * wafer_area_cm2 / 1e4 * grid("CN-JS")
            # silver default per (166 mm)**2 of cell [mg], scaled to the wafer area
            + _default("cell", "perc", "material:silver") * 1e-6 / 0.166 ** 2 * wafer_area_cm2 / 1e4 * ef("silver")
            # direct process emissions per m2 of cell (Götz et al. 2026): fossil CO2 and HFC-134a
            + (_default("cell", "perc", "emission:co2_fossil") + _default("cell", "perc", "emission:hfc134a") * gas_factors()["hfc134a"])
            * wafer_area_cm2 / 1e4)
    m = stages["module"]
    cells_per_module = m["cells"] / m["cells_per_wafer"] / _default("module", "any", "yield")
    materials = (_default("module", "glass-backsheet", "material:solar_glass") * ef("solar_glass")
                 + _default("module", "any", "material:ldpe") * ef("ldpe")
                 + _default("module", "glass-backsheet", "material:pet") * ef("pet")
                 + _default("module", "glass-backsheet", "material:copper") / 1000 * ef("copper")  # g/m2
                 + _default("module", "glass-backsheet", "material:tin") / 1000 * ef("tin")
                 + _default("module", "glass-backsheet", "material:lead") / 1000 * ef("lead")
                 + _default("module", "glass-backsheet", "material:hdpe") / 1000 * ef("hdpe")
                 + _default("module", "glass-backsheet", "material:paperboard") / 1000 * ef("paperboard")
                 + _default("module", "glass-backsheet", "material:wood") * ef("wood")  # pallets [kg/m2]
                 + _default("module", "any", "emission:co2_fossil")) * area_module
    # the frame by the module's perimeter (product.dimensions, mm): 0.5 kg per metre of profile; its aluminium,
    # and its extrusion at the module's site [kWh and MJ per kg of frame]
    length, width = (float(side) / 1000 for side in product["product"]["dimensions"].split()[0:3:2])
    frame_kg = _default("module", "glass-backsheet", "frame_mass_per_length") * 2 * (length + width)
    frame = frame_kg * (ef("aluminium_primary_CN") + _default("module", "any", "frame_extrusion_electricity") * grid("CN-JS")
                        + _default("module", "any", "frame_extrusion_heat") * ef("heat_natural_gas"))
    module = (cells_per_module * cell + _default("module", "glass-backsheet", "electricity") * area_module * grid("CN-JS")
              + materials + frame)
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


def test_no_gas_is_listed_that_no_input_emits(home_env):
    # the PERC example has no fluorinated-gas input: the NF3 of the bundled NF3 production dataset reached its
    # result only as the background solve's rounding (1.7e-14 kg CO2-eq/kWp), and was listed as an emission
    result = compute(PERC, per="kWp")
    assert "NF3" not in result.by_gas and "CF4" not in result.by_gas
    assert {"CO2, fossil", "N2O", "HFC-134a"} <= set(result.by_gas)


def test_gwp_ar5_differs_only_through_non_co2_gases(home_env):
    ar6 = compute(PERC, per="module", gwp="ar6")
    ar5 = compute(PERC, per="module", gwp="ar5")
    assert "IPCC 2013" in ar5.method and "IPCC 2021" in ar6.method
    co2 = ar6.by_gas["CO2, fossil"].value
    assert ar5.by_gas["CO2, fossil"].value == pytest.approx(co2, rel=1e-12)
    # natural-gas heat (CH4, N2O) and the cell's HFC-134a x (AR5 - AR6) GWP, from the method files themselves
    assert ar5.total.value - ar6.total.value == pytest.approx(
        sum(ar5.by_gas[g].value - ar6.by_gas[g].value for g in ("CH4, fossil", "N2O", "HFC-134a")), abs=1e-9)


@pytest.mark.slow
def test_calc_json_contract(home_env):
    # a process of its own: bw2data and bw2calc are imported here (the cross-check), and
    # whatever they print at import must not reach stdout
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
    result = invoke("calc", PERC, home=home_env)
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
    ("infinite thickness", lambda d: d["stages"]["wafer"].update(thickness="1e999 um"), "stages.wafer.thickness: got '1e999 um'"),
    ("decimal comma", lambda d: d["stages"]["cell"].update(electricity="17,7 kWh/m2"),
     "stages.cell.electricity: got '17,7 kWh/m2', a comma in the number; write it with a decimal point"),
    ("infinite yield", lambda d: d.update(use={"specific_yield": "1e999 kWh/kWp", "mounting": "rooftop"}),
     "use.specific_yield: got '1e999 kWh/kWp'; expected a finite"),
    ("infinite downstream material", lambda d: d.update(downstream={"end_of_life": {"materials": {"solar_glass": "1e999 kg/module"}}}),
     "downstream.end_of_life.materials.solar_glass: got '1e999 kg/module'; expected a finite"),
]


def _assert_one_line_error(result, path, message):
    assert result.returncode == 1
    assert result.stdout == ""
    _, lines = split_warnings(result.stderr, path)  # the example's plausibility warnings may come first
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith(f"error: {path}: ")
    assert message in lines[0]


@pytest.mark.parametrize("name, edit, message", BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_input_is_one_line_exit_1(home_env, tmp_path, name, edit, message):
    if name == "malformed YAML":
        path = copy_example(tmp_path)
        edit(path)
    else:
        path = _broken(tmp_path, edit)
    bd = __import__("footprint.brightway.project", fromlist=["brightway"]).brightway()
    before = set(bd.databases)
    result = invoke("calc", path, "--format", "json", home=home_env)
    _assert_one_line_error(result, path, message)
    assert set(bd.databases) == before  # nothing written


@pytest.mark.slow
def test_bad_input_in_a_process_of_its_own_is_one_line_exit_1(home_env, tmp_path):
    """The exit code and the whole stderr of a real process: no warning or log line beside the error."""
    name, edit, message = next(case for case in BAD_INPUTS if case[0] == "unknown unit")
    path = _broken(tmp_path, edit)
    _assert_one_line_error(run_cli("calc", path, "--format", "json", home=home_env), path, message)


@pytest.mark.slow
def test_usage_error_exit_2(home_env):
    result = run_cli("calc", PERC, "--per", "furlong", home=home_env)  # the exit code of a real process
    assert result.returncode == 2


def test_failed_write_leaves_no_database(home_env, tmp_path, monkeypatch):
    from footprint.brightway.foreground import database_name, write_foreground
    from footprint.brightway.project import require_setup
    from footprint.bundle.read import read_bundle
    from footprint.model import build_chain, read_product

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


# --- declared units, use phase, boundary, breakdowns, primary data, provenance (issue 4) ---------
# These use a product with every number written out (tests/calc_helpers.py), so that a
# bundled default added to inventories/ does not change them.

REL = 1e-6  # Brightway stores amounts as float32: hand calculations in float64 agree to ~1e-7


@pytest.fixture
def product(tmp_path, home_env):
    return write_product(tmp_path, product_data())


def test_every_declared_unit_by_hand(product):
    hand = by_hand()
    module = hand["module"]
    expected = {
        "module": module,
        "kWp": module / 0.55,
        "Wp": module / 550,
        "W": module / 550,
        "m2": module / 2.583,
        "cell": hand["cell"],
        "wafer": hand["wafer"],
        "kg-polysilicon": hand["polysilicon"],
        "kg-ingot": hand["ingot"],
    }
    for per, value in expected.items():
        result = compute(product, per=per)
        assert result.total.value == pytest.approx(value, rel=REL), per
        assert result.total.unit == f"kg CO2-eq/{per}"
        assert result.declared_unit == f"1 {per}"


def test_per_kwh_uses_the_ieapvps_defaults_and_shows_them(tmp_path, home_env):
    data = product_data(use={"specific_yield": "1300 kWh/kWp", "mounting": "rooftop"})
    result = compute(write_product(tmp_path, data), per="kWh")
    energy = 0.55 * 1300 * 0.75 * 30 * (1 - 0.007 * 30 / 2)
    assert result.total.value == pytest.approx(by_hand()["module"] / energy, rel=REL)
    used = result.parameters
    assert used["use.performance_ratio"]["value"] == 0.75 and "IEA PVPS T12-18:2020" in used["use.performance_ratio"]["source"]
    assert used["use.lifetime"]["value"] == 30 and used["use.degradation"]["value"] == pytest.approx(0.007)
    assert used["use.specific_yield"]["source"].startswith("product file")
    assert used["use.lifetime_energy"]["value"] == pytest.approx(energy)


def test_per_kwh_with_site_values_and_per_year_units(tmp_path, home_env):
    data = product_data(use={"specific_yield": "1100 kWh/kWp/year", "performance_ratio": "82 %", "lifetime": "25 year",
                             "degradation": "0.5 %/year"})
    result = compute(write_product(tmp_path, data), per="kWh")
    energy = 0.55 * 1100 * 0.82 * 25 * (1 - 0.005 * 25 / 2)
    assert result.total.value == pytest.approx(by_hand()["module"] / energy, rel=REL)


def test_per_kwh_without_a_yield_names_the_field(product):
    with pytest.raises(InputError, match=r"use\.specific_yield: missing.*or use\.country and use\.mounting"):
        compute(product, per="kWh")


def test_ar5_equals_the_inventory_characterised_with_ar5_factors(product):
    from footprint.bundle.read import read_bundle
    from footprint.vocab import METHODS

    ar6 = compute(product, gwp="ar6")
    ar5 = compute(product, gwp="ar5")
    bundle = read_bundle()
    label_to_key = {gas.label: gas.key for gas in bundle.gases.values()}
    cf6 = method_factors(METHODS[("ar6", "total")])
    cf5 = method_factors(METHODS[("ar5", "total")])
    expected = 0.0
    for label, part in ar6.by_gas.items():
        key = label_to_key[label]
        own = key[0] == "footprint-biosphere"  # CO2-eq already: 1 in both sets
        kilograms = part.value / (1.0 if own else cf6[key])
        expected += kilograms * (1.0 if own else cf5[key])
    assert ar5.total.value == pytest.approx(expected, rel=REL)
    assert ar5.total.value != ar6.total.value  # CH4 and N2O factors differ
    assert ar5.gwp.startswith("IPCC AR5") and "IPCC 2013" in ar5.method


def test_breakdowns_add_up_to_the_total(product):
    result = compute(product, per="kWp")
    total = result.total.value
    for breakdown in (result.by_stage, result.by_gas, result.by_origin, result.by_activity):
        assert sum(part.value for part in breakdown.values()) == pytest.approx(total, rel=1e-12)
        assert sum(part.share for part in breakdown.values()) == pytest.approx(1.0, rel=1e-12)


def test_by_activity_names_stage_and_input(product):
    result = compute(product)
    entry = result.by_activity["polysilicon: electricity, grid, Xinjiang (新疆), CO2 only"]
    # kg of polysilicon per module: cells x wafers per cell x ingot silicon per wafer x polysilicon per kg of ingot
    silicon_per_wafer = 330.15e-4 * 200e-6 * 2329.0 / (0.93 * 0.97)
    poly_per_module = (144 / 2) / 0.97 / 0.98 * silicon_per_wafer * 1.0204
    expected = poly_per_module * 60 * emission_factors()("electricity_grid_CN-XJ")
    assert entry.value == pytest.approx(expected, rel=REL)
    assert entry.share == pytest.approx(expected / by_hand()["module"], rel=REL)
    assert entry.stage == "polysilicon" and entry.kind == "dataset" and entry.target == "electricity_grid_CN-XJ"


def test_by_origin_equals_the_ipcc_2021_sub_methods(tmp_path, home_env):
    from footprint.brightway.check import brightway_lca
    from footprint.brightway.project import require_setup
    from footprint.bundle.read import read_bundle
    from footprint.calc.system import build_system
    from footprint.model import read_product
    from footprint.vocab import METHODS

    # direct emissions of every origin, so that no sub-method is trivially zero
    data = product_data(**{"stages.polysilicon.emissions": {"ch4_biogenic": "0.002 kg/kg", "co2_land_use": "0.3 kg/kg",
                                                            "n2o": "0.0001 kg/kg"}})
    path = write_product(tmp_path, data)
    result = compute(path)
    bundle = read_bundle()
    system = build_system(read_product(path), bundle)
    bd = require_setup()
    for origin in ("fossil", "biogenic", "land_use"):
        reference = brightway_lca(bd, system.location, system, bundle, METHODS[("ar6", origin)])
        assert result.by_origin[origin].value == pytest.approx(reference, rel=1e-9), origin
        assert reference > 0
    aggregated = sum(part.value for label, part in result.by_gas.items() if label.startswith("CO2-eq, aggregated"))
    assert result.by_origin["aggregated"].value == pytest.approx(aggregated, rel=1e-9)


#: The by-hand product's materials: masses typed in, factors bundled (secondary data).
TYPED_MATERIALS = {"copper", "solar_glass", "aluminium_primary_CN", "ldpe", "pet", "silver"}


def test_primary_data_share_counts_the_users_own_data(tmp_path, home_env):
    everything = compute(write_product(tmp_path, product_data(), "all.yaml"))
    # every number is the product file's, but a material's generic bundled factor stays secondary data
    # although its mass was typed in (issue "Trustworthy dossier"); energy and direct emissions are primary
    materials = [part for part in everything.by_activity.values() if part.target in TYPED_MATERIALS]
    assert {part.target for part in materials} == TYPED_MATERIALS and all(part.primary == 0.0 for part in materials)
    assert all(part.primary == 1.0 for part in everything.by_activity.values() if part.target not in TYPED_MATERIALS)
    assert everything.primary_data_share == pytest.approx(1.0 - sum(part.share for part in materials), rel=1e-12)
    # leave the polysilicon electricity to the bundled default: its contribution becomes secondary
    partial = compute(write_product(tmp_path, product_data(**{"stages.polysilicon.electricity": None}), "partial.yaml"))
    default_entry = partial.by_activity["polysilicon: electricity, grid, Xinjiang (新疆), CO2 only"]
    assert default_entry.primary == 0.0
    assert partial.primary_data_share == pytest.approx(1.0 - default_entry.share - sum(
        part.share for part in partial.by_activity.values() if part.target in TYPED_MATERIALS), rel=1e-12)
    assert partial.parameters["stages.polysilicon.electricity"]["source"].startswith("default: ")
    assert 0 < partial.primary_data_share < 1


def test_cradle_to_grave_names_its_stages_and_adds_them(tmp_path, home_env):
    downstream = {
        "transport": {"mass": "32 kg", "legs": [{"emission_factor": "0.01 kg_CO2_eq/(tonne*km)", "distance": "12000 km", "label": "sea"}]},
        "installation": {"site": "CN-JS", "electricity": "0.5 kWh/module"},
        "use": {},
        "end_of_life": {"emissions": {"co2e_aggregated": "1.2 kg/module"}},
    }
    path = write_product(tmp_path, product_data(downstream=downstream))
    gate = compute(path)
    grave = compute(path, boundary="cradle-to-grave")
    assert gate.boundary.name == "cradle-to-gate" and grave.boundary.name == "cradle-to-grave"
    assert grave.boundary.stages[-4:] == ["transport", "installation", "use", "end_of_life"]
    hand = by_hand()
    assert grave.by_stage["transport"].value == pytest.approx(0.032 * 12000 * 0.01, rel=REL)
    assert grave.by_stage["installation"].value == pytest.approx(0.5 * hand["grid_JS"], rel=REL)
    assert grave.by_stage["end_of_life"].value == pytest.approx(1.2, rel=REL)
    assert grave.total.value == pytest.approx(gate.total.value + 0.032 * 12000 * 0.01 + 0.5 * hand["grid_JS"] + 1.2, rel=REL)


def test_cradle_to_grave_without_downstream_data_is_refused(product):
    with pytest.raises(InputError, match="downstream: missing"):
        compute(product, boundary="cradle-to-grave")
    with pytest.raises(InputError, match="applies to the module"):
        compute(product, per="cell", boundary="cradle-to-grave")


def test_result_carries_its_provenance_and_keeps_the_contract(product):
    from footprint._version import __version__

    result = compute(product, per="kWp")
    data = json.loads(json.dumps(result.to_dict()))
    for key in ("product", "declared_unit", "total", "by_stage", "by_gas", "method", "data_version", "inputs_sha256"):
        assert key in data
    provenance = data["provenance"]
    assert provenance["inputs_sha256"] == data["inputs_sha256"] == result.inputs_sha256
    assert provenance["library_version"] == __version__
    assert provenance["gwp"] == "IPCC AR6 GWP100 (IPCC 2021)"
    assert provenance["method"].startswith("IPCC 2021 | climate change | global warming")
    assert provenance["computed_at"] and provenance["data_version"] and "bw2calc" in provenance["brightway"]
    assert set(data["electricity"]) >= {"location_based", "market_based", "instruments"}
    assert data["by_origin"].keys() == {"fossil", "biogenic", "land_use", "aggregated"}


def test_cli_json_per_kwp_matches_the_api(home_env):
    completed = invoke("calc", PERC, "--per", "kWp", "--format", "json", home=home_env)
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout)
    assert data["total"]["value"] == pytest.approx(compute(PERC, per="kWp").total.value, rel=1e-12)
    assert data["by_activity"] and 0 < data["primary_data_share"] < 1


def test_cli_per_kwh_without_use_block_exits_1(home_env):
    completed = invoke("calc", PERC, "--per", "kWh", home=home_env)
    assert completed.returncode == 1
    assert "use.specific_yield: missing" in completed.stderr


def test_an_overflow_along_the_chain_is_an_input_error(tmp_path, home_env):
    data = product_data(**{"stages.polysilicon.mg_silicon": "1e200 kg/kg", "stages.mg_silicon.electricity": "1e200 kWh/kg"})
    # a product file: refused by the plausibility checks first, naming the field
    with pytest.raises(InputError, match=r"product.yaml: stages.mg_silicon.electricity: got 1e\+200 kWh/kg; .*beyond any plausible value"):
        compute(write_product(tmp_path, data))
    # a product read without them (a ProductSpec built by other code): the overflow guard still holds
    from footprint.model.spec import read_product as read_unchecked

    with pytest.raises(InputError, match=r"product.yaml: the footprint is .* not a finite number"):
        compute(read_unchecked(write_product(tmp_path, data)))


@pytest.mark.parametrize("gwp", ["ar6", "ar5"])
def test_a_note_names_the_co2_eq_no_gwp_set_recharacterises(product, gwp):
    result = compute(product, gwp=gwp)
    notes = [note for note in result.notes if "without a gas split" in note]
    assert len(notes) == 1
    note = notes[0]
    aggregated = result.by_gas["CO2-eq, aggregated (no gas split in the source)"].share  # the by-hand product has no supplier: all of it is co2e_aggregated
    assert note.startswith(f"{aggregated:.1%} of the total")
    assert "solar_glass" in note and "GWP set stated in the data file: AR5" in note
    assert "aluminium_primary_CN" in note and "GWP set not stated in the data file" in note
    assert note.endswith(f"not re-characterised to {result.gwp}")


def test_the_table_shows_the_note_and_the_allocation(tmp_path, home_env):
    from footprint.claims import clear_claims

    site = yaml.safe_load((DATA / "site-jiangsu-2024.yaml").read_text(encoding="utf-8"))
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(site), encoding="utf-8")
    path = write_product(tmp_path, product_data(**{"stages.cell.electricity_instruments": "site.yaml"}))
    try:
        completed = invoke("calc", path, "--gwp", "ar5", home=home_env)
    finally:
        clear_claims()
    assert completed.returncode == 0, completed.stderr
    assert "without a gas split" in completed.stdout and "not re-characterised to IPCC AR5" in completed.stdout
    assert "by output 600 of 1,000 MWp = 60.0%: 18,000 MWh claimed" in completed.stdout


def test_a_note_says_when_grid_factors_of_different_bases_are_added(tmp_path, home_env):
    # on the official basis Viet Nam's grid is an Ember life-cycle CO2-eq factor, the Chinese stages MEE CO2-only factors
    data = yaml.safe_load((ROOT / "examples" / "topcon-glass-glass-vietnam.yaml").read_text(encoding="utf-8"))
    data["product"]["electricity_basis"] = "official"
    mixed = compute(write_product(tmp_path, data, "official.yaml"), per="kWp")
    (note,) = [note for note in mixed.electricity.notes if "different bases" in note]
    assert "electricity_grid_VN" in note and "electricity_grid_CN-XJ" in note
    assert "CO2 only" in note and "life cycle" in note
    assert {use.basis for use in mixed.electricity.uses} == {"official"}
    # the default, life cycle: China's national carbon-footprint factor and Viet Nam's Ember factor, one basis
    one_basis = compute(ROOT / "examples" / "topcon-glass-glass-vietnam.yaml", per="kWp")
    assert not [note for note in one_basis.electricity.notes if "different bases" in note]
    assert {use.basis for use in one_basis.electricity.uses} == {"life-cycle"}
    # one stage on another basis: said per stage, and the total says it adds two bases
    data["product"].pop("electricity_basis")
    data["stages"]["polysilicon"]["electricity_basis"] = "official"
    one_stage = compute(write_product(tmp_path, data, "one-stage.yaml"), per="kWp")
    assert {use.stage: use.basis for use in one_stage.electricity.uses}["polysilicon"] == "official"
    assert {use.stage: use.basis for use in one_stage.electricity.uses}["cell"] == "life-cycle"
    (note,) = [note for note in one_stage.electricity.notes if "different bases" in note]
    assert "electricity_co2_CN-SC_2023" in note or "electricity_grid_CN-SC" in note


def test_output_folders_are_made_and_a_file_in_the_way_is_one_line(tmp_path, home_env):
    target = tmp_path / "new" / "sub" / "result.json"
    done = invoke("calc", PERC, "--format", "json", "-o", target, home=home_env)
    assert done.returncode == 0, done.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["product"] == "perc-gb-550-jiangsu"
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    refused = invoke("calc", PERC, "-o", tmp_path / "a-file" / "result.txt", home=home_env)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    _, lines = split_warnings(refused.stderr, PERC)  # the example's plausibility warnings may come first
    assert lines == [f"error: {tmp_path / 'a-file' / 'result.txt'}: {tmp_path / 'a-file'} is a file; expected a folder to write into"]


def test_a_date_time_as_of_is_read_as_its_date():
    """A library caller's datetime (a date subclass) is its day, as for a site file's dates."""
    import datetime as dt

    from footprint.calc import check_options

    day = check_options(per="module", gwp="ar6", boundary="cradle-to-gate", as_of=dt.datetime(2027, 3, 1, 15, 30))
    assert type(day) is dt.date
    assert day.isoformat() == "2027-03-01"


def test_a_comma_in_a_downstream_amount_is_refused_not_misread(tmp_path):
    """pint alone reads "0,5 kg/module" as 0 kg/module; the product reader refuses it."""
    from footprint.model.spec import read_product

    downstream = {"end_of_life": {"emissions": {"co2e_aggregated": "0,5 kg/module"}}}
    path = write_product(tmp_path, product_data(downstream=downstream))
    with pytest.raises(InputError, match=r"downstream.end_of_life.emissions.co2e_aggregated: got '0,5 kg/module', a comma in the number"):
        read_product(path)


def test_the_electricity_basis_option_replaces_the_product_files(tmp_path, home_env):
    """--electricity-basis (and compute's electricity_basis) give what product.electricity_basis in the file gives."""
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    data["product"]["electricity_basis"] = "official"
    in_file = compute(write_product(tmp_path, data, "official.yaml"), per="kWp")
    by_keyword = compute(PERC, per="kWp", electricity_basis="Official")
    completed = invoke("calc", PERC, "--per", "kWp", "--electricity-basis", "OFFICIAL", "--format", "json", home=home_env)
    assert completed.returncode == 0, completed.stderr
    by_option = json.loads(completed.stdout)
    default = compute(PERC, per="kWp")
    assert {use.basis for use in default.electricity.uses} == {"life-cycle"}
    assert by_keyword.total.value == pytest.approx(in_file.total.value, rel=1e-12)
    assert by_option["total"]["value"] == pytest.approx(in_file.total.value, rel=1e-12)
    assert abs(in_file.total.value - default.total.value) > 1.0  # kg CO2-eq/kWp: the option does change the basis
    assert {use.basis for use in by_keyword.electricity.uses} == {"official"}
    assert any("electricity basis official: chosen by the caller" in note for note in by_keyword.notes)
    # back to life cycle over a file that says official
    back = compute(write_product(tmp_path, data, "official.yaml"), per="kWp", electricity_basis="life-cycle")
    assert back.total.value == pytest.approx(default.total.value, rel=1e-12)


def test_a_bad_electricity_basis_option_is_one_line_exit_1(home_env):
    completed = invoke("calc", PERC, "--electricity-basis", "co2-only", home=home_env)
    assert completed.returncode == 1
    assert completed.stderr.strip() == "error: --electricity-basis: got 'co2-only'; expected one of life-cycle, official"


# --- fluorinated gases of the cell line: the footprint they add, by hand ----------------------------


def test_nf3_chamber_cleaning_adds_its_emission_and_the_nf3_production_by_hand(tmp_path, home_env):
    import handcalc

    base = compute(write_product(tmp_path, product_data(), "base.yaml"), per="cell").total.value
    data = product_data(**{"stages.cell.fluorinated_gases": {"nf3_used": "1 g/m2", "nf3_abated": "40 %"}})
    result = compute(write_product(tmp_path, data, "nf3.yaml"), per="cell")
    used = 1e-3 * 330.15e-4  # kg NF3 per cell: 1 g/m2 x the product's wafer area
    gwp_nf3 = handcalc.gas_factors()["nf3"]  # bw2io's IPCC 2021 factor, 17400
    assert gwp_nf3 == pytest.approx(17400)
    # NF3 production (Götz et al. 2026): 43 kWh at China's 2024 life-cycle factor, 0.07 MJ of gas heat, a 1.2 % leak
    production = 43 * 0.5777 + 0.07 * handcalc.emission_factors()("heat_natural_gas") + 0.012 * gwp_nf3
    assert handcalc.emission_factors()("nitrogen_trifluoride") == pytest.approx(production, rel=1e-12)
    added = used * 0.3 * (1 - 0.4 * 0.95) * gwp_nf3 + used * production
    assert result.total.value - base == pytest.approx(added, rel=1e-5)
    assert result.parameters["stages.cell.fluorinated_gases.nf3_used"]["value"] == pytest.approx(used)


def test_ipcc_tier1_adds_cf4_and_c2f6_per_m2_of_cell_by_hand(tmp_path, home_env):
    import handcalc

    base = compute(write_product(tmp_path, product_data(), "base.yaml"), per="m2-cell").total.value
    data = product_data(**{"stages.cell.fluorinated_gases": "ipcc-tier1"})
    result = compute(write_product(tmp_path, data, "tier1.yaml"), per="m2-cell").total.value
    gas = handcalc.gas_factors()
    assert (gas["cf4"], gas["c2f6"]) == (pytest.approx(7380), pytest.approx(12400))  # IPCC AR6 GWP100
    assert result - base == pytest.approx(0.005 * 7380 + 0.0002 * 12400, rel=1e-5)  # 39.38 kg CO2-eq per m2 of cell
