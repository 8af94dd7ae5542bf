"""Materials in a trustworthy dossier: roles (no double counting), supplier-specific factors,
the squaring loss of the ingot, and the bill of materials' mass against the datasheet.

Expected values are computed here from the data files (tests/handcalc.py reads the CSV files
with the csv module and the GWP100 factors from bw2io's LCIA file) or from footprint's own
breakdowns combined by hand arithmetic; no result is copied from the code's output. Every
``compute`` of the suite is cross-checked against a full bw2calc LCA (FOOTPRINT_VERIFY=1,
tests/conftest.py), supplier-specific factors included.
"""

import datetime
import shutil
import warnings

import pytest
import yaml

from footprint.bundle.read import read_bundle
from footprint.calc import compute
from footprint.errors import DataError, InputError, ProductWarning, UnitError
from footprint.model import build_chain, parse_product
from footprint.model.checks import check_product

from calc_helpers import emission_factors
from conftest import EXAMPLES, PERC, ROOT
from handcalc import default, rows

AREA = 2.583  # m2, product.area of the PERC example
LENGTH, WIDTH = 2.278, 1.134  # m, product.dimensions of the PERC example
POWER = 0.550  # kWp, product.rated_power of the PERC example
SILICON_DENSITY = 2329.0  # kg/m3 (CRC Handbook), as in footprint.model.chain


def _perc(**module_materials):
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    if module_materials:
        data["stages"]["module"]["materials"] = module_materials
    return data


def _write(tmp_path, data, name="product.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _compute(tmp_path, data, name="product.yaml", **options):
    """compute() of a product dict written to a file; returns (result, ProductWarning messages)."""
    path = _write(tmp_path, data, name)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = compute(path, per=options.pop("per", "module"), **options)
    return result, [str(w.message) for w in record if issubclass(w.category, ProductWarning)]


def _chain(data, **options):
    return build_chain(parse_product(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), source="p.yaml"), read_bundle(), **options)


def _flows(chain, stage):
    return {flow.target: flow.amount for flow in chain.processes[stage].flows}


def _extrusion_per_kg():
    """The extrusion of 1 kg of aluminium frame at the PERC example's module site, by hand [kg CO2-eq/kg].

    2.015 kWh of the module site's grid (the dataset the chain chose for the module stage) and
    8.63257 MJ of natural gas (processes.csv, frame_extrusion_electricity and _heat).
    """
    ef = emission_factors()
    grid = _chain(_perc()).processes["module"].electricity_dataset
    return (default("module", "any", "frame_extrusion_electricity") * ef(grid)
            + default("module", "any", "frame_extrusion_heat") * ef("heat_natural_gas"))


def _cn_frame_kg():
    """The default frame of the PERC example by hand [kg]: 0.5 kg per metre of its perimeter, 2 x (2.278 + 1.134) m."""
    return default("module", "glass-backsheet", "frame_mass_per_length") * 2 * (LENGTH + WIDTH)


def _cn_frame_per_module():
    """The default frame of the PERC example by hand [kg CO2-eq per module]: its kg x (15.947 kg/kg + extrusion)."""
    return _cn_frame_kg() * (emission_factors()("aluminium_primary_CN") + _extrusion_per_kg())


@pytest.fixture(scope="module")
def perc_total(footprint_home):
    """The PERC example's total per module, as the library computes it (the base every change is added to)."""
    return compute(PERC, per="module").total.value


# --- 1. roles: a material that fills a default's role replaces it ------------------------------------


def test_every_default_material_has_a_role_in_the_data():
    roles = {row["dataset"]: row["role"] for row in rows("materials.csv") if row["name"]}
    defaults = {row["parameter"].split(":", 1)[1] for row in rows("processes.csv") if row["parameter"].startswith("material:")}
    assert defaults and all(roles[item] for item in defaults), {item: roles[item] for item in defaults}
    # the frame is aluminium whichever region; no dataset id is a role id
    assert {roles["aluminium_primary_CN"], roles["aluminium_primary_GLO"], roles["aluminium_primary_EU"]} == {"frame"}
    assert not set(roles) & set(roles.values())
    bundle = read_bundle()
    assert all(bundle.role_of(item) == roles[item] for item in roles)


def test_a_default_material_without_role_is_refused(tmp_path):
    copy = tmp_path / "inventories"
    shutil.copytree(ROOT / "inventories", copy)
    text = (copy / "materials.csv").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("pet,"))
    assert line.endswith(",backsheet")
    (copy / "materials.csv").write_text(text.replace(line, line[: -len("backsheet")]), encoding="utf-8")
    with pytest.raises(DataError, match=r"processes.csv row \d+, column parameter: the default material 'pet' has no role"):
        read_bundle(copy)
    (copy / "materials.csv").write_text(text.replace(line, line[: -len("backsheet")] + "back_sheet"), encoding="utf-8")
    with pytest.raises(DataError, match=r"materials.csv row \d+, column role: got 'back_sheet'; expected one of frame, glass"):
        read_bundle(copy)


def test_the_issue_example_replaces_the_chinese_frame(tmp_path, perc_total):
    """PERC + aluminium_primary_EU 4.08 kg/module: the EU frame replaces the Chinese one instead of adding to it."""
    ef = emission_factors()
    eu_frame = 4.08 * (ef("aluminium_primary_EU") + _extrusion_per_kg())  # a frame of EU ingot is extruded too
    result, found = _compute(tmp_path, _perc(aluminium_primary_EU="4.08 kg/module"))
    assert result.total.value == pytest.approx(perc_total - _cn_frame_per_module() + eu_frame, rel=1e-9)
    per_kwp = (perc_total - _cn_frame_per_module() + eu_frame) / POWER
    # the issue's 368 against 486 (provincial CO2-only grid factors), less the squaring loss's second count in the
    # ingot electricity (2.6 kg/kWp), less 8.8 kg/kWp on the default life-cycle basis (China's national factor), less
    # 31.8 kg/kWp for the silicon chain of Götz et al. 2026 (polysilicon energy, MG silicon and polysilicon per kg), plus
    # each frame's extrusion (4.08 kg x 1.73 kg CO2-eq/kg / 0.55 kWp = 12.8 kg/kWp) and the pallets' wood (1.6 kg/kWp)
    assert 338 < per_kwp < 340 and 448 < (perc_total + eu_frame) / POWER < 450
    assert "module: aluminium, primary ingot, China" not in result.by_activity
    # the file did not say it replaces the frame: a warning names both datasets
    (warning,) = [message for message in found if "materials.aluminium_primary_EU" in message]
    assert "aluminium_primary_EU is a frame material, so it replaces the default aluminium_primary_CN (1.58 kg/m2" in warning
    assert "frame: {dataset: aluminium_primary_EU, amount: ...}" in warning


def test_a_role_said_replaces_without_warning(tmp_path, perc_total):
    ef = emission_factors()
    said, found = _compute(tmp_path, _perc(frame={"dataset": "aluminium_primary_EU", "amount": "4.08 kg/module"}))
    assert said.total.value == pytest.approx(perc_total - _cn_frame_per_module() + 4.08 * (ef("aluminium_primary_EU") + _extrusion_per_kg()),
                                             rel=1e-9)
    assert not [message for message in found if "replaces the default" in message]
    # the role alone takes the default's dataset with the file's amount
    amount_only, _ = _compute(tmp_path, _perc(frame="4.08 kg/module"), "amount.yaml")
    assert amount_only.total.value == pytest.approx(perc_total - _cn_frame_per_module() + 4.08 * (ef("aluminium_primary_CN") + _extrusion_per_kg()),
                                                    rel=1e-9)
    # setting the default to zero beside the new dataset says it too (the old way to replace a frame)
    zeroed, found = _compute(tmp_path, _perc(aluminium_primary_CN="0 kg/m2", aluminium_primary_EU="4.08 kg/module"), "zeroed.yaml")
    assert zeroed.total.value == pytest.approx(said.total.value, rel=1e-12)
    assert not [message for message in found if "replaces the default" in message]


def test_an_addition_under_a_label_keeps_the_default(tmp_path, perc_total):
    ef = emission_factors()
    added, found = _compute(tmp_path, _perc(mounting_rails={"dataset": "aluminium_primary_EU", "amount": "1 kg/module"}))
    assert added.total.value == pytest.approx(perc_total + 1 * ef("aluminium_primary_EU"), rel=1e-9)
    assert not [message for message in found if "replaces the default" in message]


def test_an_item_of_the_defaults_is_set_as_before():
    """A default's own dataset sets its amount (0 removes it), as before roles; other roles' defaults stay."""
    flows = _flows(_chain(_perc(solar_glass="7 kg/m2", paperboard="0 kg/m2")), "module")
    assert flows["solar_glass"] == pytest.approx(7 * AREA, rel=1e-12)
    assert "paperboard" not in flows
    assert flows["hdpe"] == pytest.approx(default("module", "glass-backsheet", "material:hdpe") / 1000 * AREA, rel=1e-12)
    # copper in a cell stage meets no ribbons default there: it is added (silver-coated copper paste)
    hjt = _flows(_chain(yaml.safe_load((EXAMPLES / "hjt-glass-glass-anhui.yaml").read_text(encoding="utf-8"))), "cell")
    assert hjt["silver"] == pytest.approx(0.12e-3) and hjt["copper"] == pytest.approx(0.06e-3)


@pytest.mark.parametrize("materials, first, second", [
    ({"aluminium_primary_EU": "4.08 kg/module", "aluminium_primary_GLO": "1 kg/module"}, "aluminium_primary_GLO", "aluminium_primary_EU"),
    ({"frame": {"dataset": "aluminium_primary_EU", "amount": "4 kg/module"}, "aluminium_primary_GLO": "1 kg/module"},
     "aluminium_primary_GLO", "frame"),
    ({"frame": {"dataset": "aluminium_primary_EU", "amount": "4 kg/module"}, "aluminium_primary_CN": "1 kg/m2"},
     "frame", "aluminium_primary_CN"),
])
def test_two_materials_in_one_role_are_refused(materials, first, second):
    with pytest.raises(InputError, match=rf"p.yaml: stages.module.materials.{first}: fills the frame role.*"
                                         rf"stages.module.materials.{second}.*expected one material per role"):
        _chain(_perc(**materials))


def test_a_role_with_several_defaults_needs_its_dataset():
    with pytest.raises(InputError, match=r"stages.module.materials.solder: the solder role has several defaults \(lead, tin\)"):
        _chain(_perc(solder="10 g/m2"))
    chain = _chain(_perc(solder={"dataset": "tin", "amount": "10 g/m2"}))
    flows = _flows(chain, "module")
    assert "lead" not in flows and flows["tin"] == pytest.approx(0.010 * AREA, rel=1e-12)
    with pytest.raises(InputError, match=r"stages.module.materials.bolts: unknown dataset 'bolts'; expected one of .*a role"):
        _chain(_perc(bolts="1 kg/module"))


# --- 2. supplier-specific factors -------------------------------------------------------------------

FRAME_FACTOR = {"dataset": "aluminium_primary_CN", "amount": "4.08 kg/module", "factor": "8.6 kg CO2-eq/kg",
                "source": "Example Aluminium Co., EPD S-P-00000 (illustrative), table 5", "valid_until": "2099-06-30"}


def test_a_supplier_factor_replaces_the_bundled_one_and_is_primary(tmp_path, perc_total):
    base = compute(PERC, per="module")
    result, _ = _compute(tmp_path, _perc(frame=dict(FRAME_FACTOR)))
    frame = 4.08 * 8.6  # kg CO2-eq per module: the file's amount x the supplier's factor
    assert result.total.value == pytest.approx(perc_total - _cn_frame_per_module() + frame, rel=1e-9)
    (entry,) = [part for key, part in result.by_activity.items() if "supplier-specific factor" in key]
    assert entry.value == pytest.approx(frame, rel=1e-12)
    assert entry.primary == 1.0 and entry.kind == "gas" and entry.target == "co2e_aggregated"
    assert "EPD S-P-00000 (illustrative), table 5" in entry.input
    # the default frame counted nothing primary; the supplier's frame counts whole
    assert result.primary_data_share * result.total.value == pytest.approx(
        base.primary_data_share * base.total.value + frame, rel=1e-9)
    factor = result.parameters["stages.module.materials.frame.factor"]
    assert (factor["value"], factor["unit"]) == (8.6, "kg_CO2_eq/kg")
    assert "EPD S-P-00000" in factor["source"] and "valid until 2099-06-30" in factor["source"]
    assert result.parameters["stages.module.materials.frame"]["value"] == pytest.approx(4.08)


def test_a_supplier_factor_for_heat(tmp_path, home_env):
    data = _perc()
    # the default's amount (Götz et al. 2026: 21.4023121387283 MJ/kg), with the utility's factor
    data["stages"]["polysilicon"]["heat"] = {"amount": f"{default('polysilicon', 'siemens', 'heat')} MJ/kg", "factor": "0.05 kg CO2-eq/MJ",
                                             "source": "Example gas utility, 2025 statement (illustrative)", "valid_until": "2099-12-31"}
    result, _ = _compute(tmp_path, data)
    base = compute(PERC, per="module")
    bundled = base.by_activity["polysilicon: heat, natural gas"]
    (own,) = [part for key, part in result.by_activity.items() if key.startswith("polysilicon: heat, supplier-specific factor")]
    # the same MJ per module, 0.05 kg/MJ instead of the bundled natural-gas heat's factor
    assert own.value == pytest.approx(bundled.value / emission_factors()("heat_natural_gas") * 0.05, rel=1e-9)
    assert result.total.value == pytest.approx(base.total.value - bundled.value + own.value, rel=1e-9)
    assert own.primary == 1.0 and bundled.primary == 0.0


def test_generic_factors_stay_secondary_when_the_mass_is_typed(tmp_path, home_env):
    result, _ = _compute(tmp_path, _perc(aluminium_primary_EU="4.08 kg/module"))
    entry = result.by_activity["module: aluminium, primary, produced in Europe"]
    assert entry.primary == 0.0
    chain = _chain(_perc(aluminium_primary_EU="4.08 kg/module"))
    (flow,) = [flow for flow in chain.processes["module"].flows if flow.target == "aluminium_primary_EU"]
    assert flow.provenance.primary and flow.provenance.primary_fraction == 0.0


@pytest.mark.parametrize("text", ["8.6 kg CO2-eq/kg", "8.6 kg CO2e/kg", "8.6 kgCO2e/kg", "8600 g CO2-eq/kg", "8.6 t CO2eq/t"])
def test_factor_units(text):
    chain = _chain(_perc(frame={**FRAME_FACTOR, "factor": text}))
    assert _flows(chain, "module")["co2e_aggregated"] == pytest.approx(4.08 * 8.6, rel=1e-12)


@pytest.mark.parametrize("change, message", [
    ({"factor": "8.6 kg CO2-eq/kWh"}, r"frame.factor: got '8.6 kg CO2-eq/kWh'; expected kg CO2-eq per kg \(the amount's unit\)"),
    ({"source": None}, r"frame.source: missing; a supplier's factor needs the factor's source"),
    ({"valid_until": None}, r"frame.valid_until: missing; a supplier's factor needs the last day"),
    ({"valid_until": "soon"}, r"frame.valid_until: got 'soon'; expected a date YYYY-MM-DD"),
    ({"factor": None}, r"frame.source: given without factor"),
    ({"colour": "red"}, r"frame.colour: unknown field; expected one of amount, dataset, factor, recycled_content"),
])
def test_factor_entries_are_checked(change, message):
    entry = {key: value for key, value in {**FRAME_FACTOR, **change}.items() if value is not None}
    with pytest.raises(InputError, match=message):
        _chain(_perc(frame=entry))


def test_an_expired_factor_is_refused_on_the_calculation_date(tmp_path, home_env):
    entry = {**FRAME_FACTOR, "valid_until": "2027-06-30"}
    spec = parse_product(yaml.safe_dump(_perc(frame=entry)), source="p.yaml")
    build_chain(spec, read_bundle(), as_of=datetime.date(2027, 6, 30))  # the last valid day
    with pytest.raises(InputError) as caught:
        build_chain(spec, read_bundle(), as_of=datetime.date(2027, 7, 1))
    message = str(caught.value)
    assert message == ("p.yaml: stages.module.materials.frame.valid_until: the factor (Example Aluminium Co., EPD S-P-00000 "
                       "(illustrative), table 5) expired on 2027-06-30; the calculation date is 2027-07-01: expected a "
                       "factor valid on that date")
    assert "\n" not in message
    # compute refuses one that expired before today
    path = _write(tmp_path, _perc(frame={**FRAME_FACTOR, "valid_until": "2020-01-01"}))
    with pytest.raises(InputError, match=r"frame.valid_until: the factor .* expired on 2020-01-01"):
        compute(path)


def test_recycled_content_needs_a_bundled_recycled_dataset_or_the_suppliers_factor():
    # European primary aluminium has no recycled counterpart from its source: recycled content alone cannot be valued
    with pytest.raises(InputError, match=r"frame.recycled_content: no recycled counterpart of aluminium_primary_EU is bundled "
                                         r"\(only of aluminium_primary_CN, solar_glass\)"):
        _chain(_perc(frame={"dataset": "aluminium_primary_EU", "amount": "4 kg/module", "recycled_content": "75 %"}))
    chain = _chain(_perc(frame={**FRAME_FACTOR, "recycled_content": "75 %"}))
    quantity, provenance = chain.processes["module"].parameters["materials.frame.recycled_content"]
    assert quantity.to("").magnitude == pytest.approx(0.75) and provenance.primary
    # beside a supplier's factor the share is kept, not used: the factor is the frame's as delivered
    assert "aluminium_recycled_CN" not in _flows(chain, "module")


def test_the_recycled_counterparts_come_from_the_primary_datasets_sources():
    """The recycled aluminium is 5.3 % of Peng et al.'s primary 15947 kg/t; the cullet glass is DESNZ's closed-loop row."""
    by_id = {row["dataset"]: row for row in rows("materials.csv") if row["name"]}
    recycled, primary = by_id["aluminium_recycled_CN"], by_id["aluminium_primary_CN"]
    assert float(recycled["amount"]) == pytest.approx(0.053 * 15947 / 1000, rel=1e-12)  # 0.845191 kg CO2-eq/kg
    assert recycled["source"] == primary["source"] and "5.3%" in recycled["locator"]
    glass, cullet = by_id["solar_glass"], by_id["glass_closed_loop"]
    assert glass["source"] == cullet["source"] and float(cullet["amount"]) == pytest.approx(823.18954 / 1000, rel=1e-12)
    assert "19_501_5059_15_1" in cullet["locator"] and "Closed-loop" in cullet["locator"]
    assert {by_id["aluminium_recycled_CN"]["role"], by_id["glass_closed_loop"]["role"]} == {"frame", "glass"}


def test_recycled_content_splits_the_material_between_primary_and_recycled(tmp_path, perc_total):
    """A frame of 4.08 kg with 40 % recycled aluminium, and front glass with 30 % cullet, by hand."""
    ef = emission_factors()
    frame = {"amount": "4.08 kg/module", "recycled_content": "40 %"}
    glass = {"amount": "8 kg/m2", "recycled_content": "30 %"}
    flows = _flows(_chain(_perc(frame=frame, glass=glass)), "module")
    assert flows["aluminium_primary_CN"] == pytest.approx(4.08 * 0.6, rel=1e-12)
    assert flows["aluminium_recycled_CN"] == pytest.approx(4.08 * 0.4, rel=1e-12)
    assert flows["solar_glass"] == pytest.approx(8 * AREA * 0.7, rel=1e-12)
    assert flows["glass_closed_loop"] == pytest.approx(8 * AREA * 0.3, rel=1e-12)
    result, _ = _compute(tmp_path, _perc(frame=frame, glass=glass))
    glass_default = default("module", "glass-backsheet", "material:solar_glass") * AREA * ef("solar_glass")
    frame_by_hand = 4.08 * (0.6 * ef("aluminium_primary_CN") + 0.4 * ef("aluminium_recycled_CN") + _extrusion_per_kg())
    glass_by_hand = 8 * AREA * (0.7 * ef("solar_glass") + 0.3 * ef("glass_closed_loop"))
    expected = perc_total - _cn_frame_per_module() + frame_by_hand - glass_default + glass_by_hand
    assert result.total.value == pytest.approx(expected, rel=1e-9)
    # 40 % recycled aluminium saves 0.4 x 4.08 x (15.947 - 0.845) = 24.6 kg CO2-eq per module against primary
    saving = 4.08 * 0.4 * (ef("aluminium_primary_CN") - ef("aluminium_recycled_CN"))
    assert 24.6 < saving < 24.7
    assert result.parameters["stages.module.materials.frame.recycled_content"]["value"] == pytest.approx(0.4)


# --- frame extrusion -----------------------------------------------------------------------------------


def test_the_frame_extrusion_defaults_are_the_uslci_step_by_hand():
    """2.015 kWh and 0.23844 m3 of natural gas per kg extruded (USLCI); the m3 at DESNZ 2025's 0.3366 / 0.03347 kWh per m3."""
    assert default("module", "any", "frame_extrusion_electricity") == 2.015
    mj_per_m3 = 3.6 * 0.3366 / 0.03347  # kWh (net CV) per m3 from the DESNZ WTT factors per m3 and per kWh, x 3.6 MJ/kWh
    assert default("module", "any", "frame_extrusion_heat") == pytest.approx(0.23844 * mj_per_m3, rel=1e-5)


def test_an_aluminium_frame_is_extruded_at_the_module_site_or_its_own(tmp_path):
    base = _chain(_perc())
    module = base.processes["module"]
    frame_kg = _cn_frame_kg()
    extrusion = {flow.label: flow for flow in module.flows if flow.label.startswith("frame extrusion")}
    electricity = next(flow for label, flow in extrusion.items() if "electricity" in label)
    heat = extrusion["frame extrusion (aluminium_primary_CN): heat, natural gas"]
    assert electricity.target == module.electricity_dataset  # the module's site, on the module's basis
    assert electricity.amount == pytest.approx(frame_kg * 2.015, rel=1e-12)
    assert heat.target == "heat_natural_gas" and heat.amount == pytest.approx(frame_kg * 8.63257, rel=1e-12)
    assert not electricity.provenance.primary and "US LCI" in electricity.provenance.source
    # the frame maker's site: its own grid; a product file's own extrusion figures replace the defaults
    own = _chain(_perc(frame={"amount": "3.4 kg/module", "site": "CN-GD"}))
    data = _perc(frame={"amount": "3.4 kg/module", "site": "Guangdong"})
    data["stages"]["module"]["frame_extrusion_electricity"] = "1.5 kWh/kg"
    given = _chain(data)
    for chain, kwh in ((own, 3.4 * 2.015), (given, 3.4 * 1.5)):
        (flow,) = [flow for flow in chain.processes["module"].flows if flow.label.startswith("frame extrusion (frame): electricity")]
        assert flow.target == read_bundle().grid_for("CN-GD", "life-cycle").id and flow.amount == pytest.approx(kwh, rel=1e-12)
    assert given.processes["module"].parameters["frame_extrusion_electricity"][1].primary
    # a frameless module has nothing to extrude; a frame given with a supplier's factor is the frame as delivered
    for materials in ({"aluminium_primary_CN": "0 kg/m2"}, {"frame": dict(FRAME_FACTOR)}):
        assert not [flow for flow in _chain(_perc(**materials)).processes["module"].flows if flow.label.startswith("frame extrusion")]


def test_a_frame_site_is_refused_where_nothing_is_extruded():
    with pytest.raises(InputError, match=r"stages.module.materials.frame.site: got 'CN-GD'; a site is the extrusion site of an "
                                         r"aluminium frame valued with a bundled dataset"):
        _chain(_perc(frame={**FRAME_FACTOR, "site": "CN-GD"}))
    with pytest.raises(InputError, match=r"stages.module.materials.glass.site: got 'CN-GD'"):
        _chain(_perc(glass={"amount": "8 kg/m2", "site": "CN-GD"}))
    with pytest.raises(InputError, match=r"stages.module.materials.frame.site: unknown geography 'XX-YY'"):
        _chain(_perc(frame={"amount": "3 kg/module", "site": "XX-YY"}))


def test_electricity_factors_are_instruments_not_entries():
    data = _perc()
    data["stages"]["cell"]["electricity"] = {"amount": "17.7 kWh/m2", "factor": "0.1 kg CO2-eq/kWh", "source": "x",
                                             "valid_until": "2099-01-01"}
    with pytest.raises(InputError, match=r"stages.cell.electricity: got a mapping; a supplier's electricity factor is an instrument"):
        parse_product(yaml.safe_dump(data), source="p.yaml")


# --- 3. squaring loss ---------------------------------------------------------------------------------


def _ingot_default_note():
    (row,) = [row for row in rows("processes.csv") if (row["stage"], row["parameter"]) == ("ingot", "electricity")]
    return row


def test_the_ingot_electricity_default_is_per_kg_of_squared_ingot_with_the_loop():
    row = _ingot_default_note()
    # 1.81176827886474 kg pulled per kg brick x 13.0874019701814 kWh per kg pulled + 0.5662114260352997 kWh per kg brick
    # + the recycling step: 1.81176827886474 x 0.5410597168339 kg recycled silicon x 0.255250099333836 kWh per kg
    assert float(row["value"]) == pytest.approx(1.81176827886474 * 13.0874019701814 + 0.5662114260352997
                                                + 1.81176827886474 * 0.5410597168339 * 0.255250099333836, rel=1e-8)
    assert row["unit"] == "kWh/kg" and "per kg of squared ingot (brick)" in row["note"]
    assert "the squaring loss is not counted twice" in row["note"]


def test_the_squaring_loss_is_not_counted_twice_in_the_ingot_electricity():
    """Per module, the ingot electricity is the default x the squared ingot the module's wafers are cut from.

    The squared ingot per wafer is the silicon of the wafer and its kerf over the wafer yield:
    the ingot utilisation (squaring, top and tail losses) is already in the default's 1.81 kg
    of pulled ingot per kg of squared ingot, and must not raise the electricity again.
    """
    data = _perc()
    wafer = data["stages"]["wafer"]
    chain = _chain(data)
    cells = 144 / 2 / default("module", "any", "yield")  # full-wafer cells per module
    wafers = cells / float(str(data["stages"]["cell"]["yield"]))
    brick = 330.15e-4 * (150e-6 + 50e-6) * SILICON_DENSITY / float(wafer["yield"])  # kg of squared ingot per wafer
    ingot = chain.processes["ingot"]
    kwh_per_kg = _flows(chain, "ingot")[ingot.electricity_dataset]
    ingot_per_wafer = _flows(chain, "wafer")["ingot"]
    assert wafers * ingot_per_wafer * kwh_per_kg == pytest.approx(wafers * brick * float(_ingot_default_note()["value"]), rel=1e-9)


def test_ingot_utilisation_scales_the_silicon_feed():
    """The file's own polysilicon per kg of pulled ingot: the squaring loss raises the polysilicon per wafer as 1 / utilisation.

    The default polysilicon is per kg of squared ingot with the source's net loss in it: a utilisation leaves the
    polysilicon per wafer as it is (the loss is not counted twice).
    """
    poly = lambda chain: _flows(chain, "wafer")["ingot"] * _flows(chain, "ingot")["polysilicon"]  # noqa: E731
    data = _perc()
    data["stages"]["ingot"]["polysilicon"] = "1.0204 kg/kg"
    data["stages"]["wafer"]["ingot_utilisation"] = 0.93
    full = _chain(data)
    data["stages"]["wafer"]["ingot_utilisation"] = 1.0
    none = _chain(data)
    assert poly(full) == pytest.approx(poly(none) / 0.93, rel=1e-12)
    del data["stages"]["ingot"]["polysilicon"]
    at_one = _chain(data)
    data["stages"]["wafer"]["ingot_utilisation"] = 0.93
    assert poly(_chain(data)) == pytest.approx(poly(at_one), rel=1e-12)


# --- 4. mass closure ---------------------------------------------------------------------------------


def _bill_of_materials():
    """The PERC example's module by hand [kg]: the defaults per m2 x area, the frame by perimeter, and its cells (packaging left out)."""
    d = lambda item, scale=1.0: default("module", "glass-backsheet", f"material:{item}") * scale * AREA  # noqa: E731
    module = d("solar_glass") + _cn_frame_kg() + d("ldpe") + d("pet") + sum(d(m, 1e-3) for m in ("copper", "tin", "lead"))
    full_cells = 144 / 2
    wafer = 330.15e-4 * 150e-6 * SILICON_DENSITY  # wafer area x thickness x density [kg]
    silver = default("cell", "perc", "material:silver") * 1e-6 / 0.166 ** 2 * 330.15e-4  # 96 mg per (166 mm)^2 [kg]
    return module + full_cells * (wafer + silver)


def _findings(data, check):
    spec = parse_product(yaml.safe_dump(data, allow_unicode=True), source="p.yaml")
    return [finding for finding in check_product(spec, read_bundle()) if finding.check == check]


def test_bill_of_materials_against_the_datasheet_mass():
    expected = _bill_of_materials()
    assert 28.3 < expected < 28.7
    data = _perc()
    data["product"]["mass"] = f"{expected * 1.09:.3f} kg"  # within 10 %
    assert _findings(data, "module_mass") == []
    data["product"]["mass"] = "24 kg"  # an illustrative datasheet weight, 18 % below the bill
    (finding,) = _findings(data, "module_mass")
    assert finding.severity == "warning" and finding.path == "product.mass" and finding.value == "24 kg"
    assert f"the bill of materials weighs {expected:.2f} kg" in finding.message
    assert f"{expected / 24 - 1:+.1%} against the datasheet mass" in finding.message
    assert f"glass {8 * AREA:.2f}, frame {0.5 * 2 * (LENGTH + WIDTH):.2f}" in finding.message and "packaging left out" in finding.message
    # without a datasheet mass, nothing to compare
    assert _findings(_perc(), "module_mass") == []


def test_product_mass_is_read_with_its_unit():
    data = _perc()
    data["product"]["mass"] = "28.6 kg"
    assert parse_product(yaml.safe_dump(data), source="p.yaml").mass.to("kg").magnitude == pytest.approx(28.6)
    data["product"]["mass"] = 28.6
    with pytest.raises(UnitError, match=r"product.mass: got the bare number 28.6; expected a quantity with a unit"):
        parse_product(yaml.safe_dump(data), source="p.yaml")


def test_frame_and_glass_against_the_module_area():
    assert _findings(_perc(), "mass_per_area") == []
    (frame,) = _findings(_perc(aluminium_primary_CN="4.08 kg/m2"), "mass_per_area")  # per m2 written for per module
    assert frame.path == "stages.module.materials.aluminium_primary_CN" and frame.value == "'4.08 kg/m2'"
    assert frame.message.startswith(f"4.08 kg of frame per m2 of module ({4.08 * AREA:.3g} kg over 2.583 m2")
    assert "expected 0.5 to 3 kg/m2 (check thresholds chosen here)" in frame.message
    (glass,) = _findings(_perc(solar_glass="8 kg/module"), "mass_per_area")
    assert glass.message.startswith(f"{8 / AREA:.3g} kg of glass per m2 of module")
    # a frameless module has no frame to check
    assert _findings(_perc(aluminium_primary_CN="0 kg/m2"), "mass_per_area") == []


def test_the_role_warning_reaches_the_command_line(tmp_path, home_env):
    from conftest import invoke

    path = _write(tmp_path, _perc(aluminium_primary_EU="4.08 kg/module"))
    result = invoke("calc", path, "--per", "kWp", home=home_env)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "aluminium_primary_EU is a frame material" in line]
    assert len(lines) == 1 and lines[0].startswith(f"warning: {path}: stages.module.materials.aluminium_primary_EU")


def test_a_role_amount_is_held_to_its_default():
    """`frame: 4.08 kg/m2` is compared with the frame's default (1.58 kg/m2), as `aluminium_primary_CN:` would be."""
    outliers = [f for f in _findings(_perc(frame="4.08 kg/m2"), "outlier") if f.path == "stages.module.materials.frame"]
    (finding,) = outliers
    assert finding.severity == "warning" and f"{4.08 / 1.57996:.2g} times the bundled default 1.58 kg/m2" in finding.message
    assert not [f for f in _findings(_perc(frame="1.6 kg/m2"), "outlier") if f.path == "stages.module.materials.frame"]


# --- frame by perimeter, pallets, PVF film ---------------------------------------------------------------


def test_the_frame_follows_the_perimeter_where_the_product_gives_its_dimensions():
    """0.5 kg per metre of 2 x (2278 + 1134) mm = 3.412 kg, in place of 1.57996 kg/m2 x 2.583 m2 = 4.081 kg."""
    with_dimensions = _flows(_chain(_perc()), "module")  # the example gives 2278 x 1134 mm
    assert with_dimensions["aluminium_primary_CN"] == pytest.approx(0.5 * 2 * (2.278 + 1.134), rel=1e-12)
    data = _perc()
    del data["product"]["dimensions"]
    without = _flows(_chain(data), "module")
    assert without["aluminium_primary_CN"] == pytest.approx(1.57996 * AREA, rel=1e-12)
    # the per-m2 default overstates the perimeter's frame more the larger the module (one frame profile, 0.5 kg/m)
    for (length, width), overstated in (((1.722, 1.134), 0.08), ((2.278, 1.134), 0.196), ((2.382, 1.134), 0.214),
                                        ((2.384, 1.303), 0.331)):
        assert 1.57996 * length * width / (0.5 * 2 * (length + width)) - 1 == pytest.approx(overstated, abs=0.001)
    # a glass-glass module keeps its per-m2 industry figure: no per-metre default for it
    topcon = yaml.safe_load((EXAMPLES / "topcon-glass-glass-vietnam.yaml").read_text(encoding="utf-8"))
    assert topcon["product"]["dimensions"] == "2278 x 1134 mm"
    assert _flows(_chain(topcon), "module")["aluminium_primary_CN"] == pytest.approx(
        default("module", "glass-glass", "material:aluminium_primary_CN") * AREA, rel=1e-12)
    # the file's own per-metre figure, or its own frame amount, wins
    data = _perc()
    data["stages"]["module"]["frame_mass_per_length"] = "0.6 kg/m"
    chain = _chain(data)
    assert _flows(chain, "module")["aluminium_primary_CN"] == pytest.approx(0.6 * 6.824, rel=1e-12)
    assert chain.processes["module"].parameters["frame_mass_per_length"][1].primary
    assert _flows(_chain(_perc(frame="3 kg/module")), "module")["aluminium_primary_CN"] == pytest.approx(3.0)
    (material,) = [m for m in _chain_materials(_perc()) if m.role == "frame"]
    assert "x perimeter 2 x (2278 + 1134 mm) = 6.824 m of product.dimensions" in material.provenance.locator


def _chain_materials(data):
    from footprint.model.chain import resolve_materials

    spec = parse_product(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), source="p.yaml")
    return resolve_materials(spec, read_bundle(), "module")


@pytest.mark.parametrize("dimensions, message", [
    ("2278 x 1200 mm", r"product.dimensions: got '2278 x 1200 mm', 2.734 m2; product.area is 2.583 m2: expected the same module"),
    ("2278 mm", r"product.dimensions: got '2278 mm'; expected length x width, such as '2278 x 1134 mm'"),
    ("2278 x 1134 kg", r"product.dimensions: got .*expected .*length"),
])
def test_dimensions_that_do_not_fit_are_refused(dimensions, message):
    data = _perc()
    data["product"]["dimensions"] = dimensions
    with pytest.raises((InputError, UnitError), match=message):
        parse_product(yaml.safe_dump(data), source="p.yaml")
    for written in ("2.278 m x 1.134 m", "2278×1134 mm", "2278 mm x 1134 mm"):
        data["product"]["dimensions"] = written
        sides = parse_product(yaml.safe_dump(data, allow_unicode=True), source="p.yaml").dimensions
        assert [side.to("m").magnitude for side in sides] == pytest.approx([2.278, 1.134])


def test_the_pallets_are_their_wood_by_hand():
    """Götz et al. 2026: 0.0127193 EUR pallet per m2 (glass-glass), 0.05 (glass-backsheet), 25 kg each; DESNZ wood."""
    assert default("module", "glass-glass", "material:wood") == pytest.approx(0.01271926645091692 * 25, rel=1e-9)
    assert default("module", "glass-backsheet", "material:wood") == pytest.approx(0.05 * 25, rel=1e-12)
    assert emission_factors()("wood") == pytest.approx(269.50416 / 1000, rel=1e-12)
    assert _flows(_chain(_perc()), "module")["wood"] == pytest.approx(1.25 * AREA, rel=1e-12)
    # packaging: left out of the module's weighed mass, replaced by a product's own packaging role
    assert read_bundle().role_of("wood") == "packaging"


def test_a_pvf_based_backsheet_is_given_as_its_layers(tmp_path, perc_total):
    """The PET default stays (a proxy); a PVF/PET/PVF backsheet gives its PET core and its PVF films."""
    ef = emission_factors()
    assert ef("pvf_film") == pytest.approx(23.3, rel=1e-12)
    layers = {"backsheet": "0.3 kg/m2", "pvf_layers": {"dataset": "pvf_film", "amount": "0.11 kg/m2"}}
    result, _ = _compute(tmp_path, _perc(**layers))
    pet_default = default("module", "glass-backsheet", "material:pet") * AREA * ef("pet")
    expected = perc_total - pet_default + 0.3 * AREA * ef("pet") + 0.11 * AREA * 23.3
    assert result.total.value == pytest.approx(expected, rel=1e-9)


def test_a_frame_extruded_on_another_grid_is_listed_with_that_grid(tmp_path):
    """On the official basis Guangdong and Jiangsu have their own factors: the extrusion's kWh is a use of the module stage in Guangdong."""
    data = _perc(frame={"amount": "3.4 kg/module", "site": "CN-GD"})
    data["product"]["electricity_basis"] = "official"
    result, _ = _compute(tmp_path, data)
    uses = {(use.stage, use.site): use for use in result.electricity.uses}
    guangdong = uses[("module", "CN-GD")]
    assert guangdong.dataset == "electricity_grid_CN-GD" and guangdong.amount == pytest.approx(3.4 * 2.015, rel=1e-12)
    assert uses[("module", "CN-JS")].amount == pytest.approx(default("module", "glass-backsheet", "electricity") * AREA, rel=1e-12)
    ef = emission_factors()
    key = next(key for key in result.by_activity if key.startswith("module: frame extrusion (frame): electricity"))
    assert result.by_activity[key].value == pytest.approx(3.4 * 2.015 * ef("electricity_grid_CN-GD"), rel=1e-9)
