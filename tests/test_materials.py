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


def _cn_frame_per_module():
    """The default frame of the PERC example by hand [kg CO2-eq per module]: 1.57996 kg/m2 x area x 15.947 kg/kg."""
    return default("module", "glass-backsheet", "material:aluminium_primary_CN") * AREA * emission_factors()("aluminium_primary_CN")


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
    """PERC + aluminium_primary_EU 4.08 kg/module: 485.8 kg/kWp before (both frames), 367.4 in the issue's data."""
    ef = emission_factors()
    eu_frame = 4.08 * ef("aluminium_primary_EU")
    result, found = _compute(tmp_path, _perc(aluminium_primary_EU="4.08 kg/module"))
    assert result.total.value == pytest.approx(perc_total - _cn_frame_per_module() + eu_frame, rel=1e-9)
    per_kwp = (perc_total - _cn_frame_per_module() + eu_frame) / POWER
    # the issue's 368 against 486 (provincial CO2-only grid factors), less the squaring loss's second count in the
    # ingot electricity (2.6 kg/kWp), less 8.8 kg/kWp on the default life-cycle basis (China's national factor), less
    # 31.8 kg/kWp for the silicon chain of Götz et al. 2026 (polysilicon energy, MG silicon and polysilicon per kg)
    assert 324 < per_kwp < 325 and 442 < (perc_total + eu_frame) / POWER < 443
    assert "module: aluminium, primary ingot, China" not in result.by_activity
    # the file did not say it replaces the frame: a warning names both datasets
    (warning,) = [message for message in found if "materials.aluminium_primary_EU" in message]
    assert "aluminium_primary_EU is a frame material, so it replaces the default aluminium_primary_CN (1.58 kg/m2" in warning
    assert "frame: {dataset: aluminium_primary_EU, amount: ...}" in warning


def test_a_role_said_replaces_without_warning(tmp_path, perc_total):
    ef = emission_factors()
    said, found = _compute(tmp_path, _perc(frame={"dataset": "aluminium_primary_EU", "amount": "4.08 kg/module"}))
    assert said.total.value == pytest.approx(perc_total - _cn_frame_per_module() + 4.08 * ef("aluminium_primary_EU"), rel=1e-9)
    assert not [message for message in found if "replaces the default" in message]
    # the role alone takes the default's dataset with the file's amount
    amount_only, _ = _compute(tmp_path, _perc(frame="4.08 kg/module"), "amount.yaml")
    assert amount_only.total.value == pytest.approx(perc_total - _cn_frame_per_module() + 4.08 * ef("aluminium_primary_CN"), rel=1e-9)
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
    # no recycled aluminium (nor any recycled material) is bundled: recycled content alone cannot be valued
    assert not [row for row in rows("materials.csv") if "recycl" in (row["dataset"] + row["name"]).lower()]
    with pytest.raises(InputError, match=r"frame.recycled_content: no recycled counterpart of aluminium_primary_EU is bundled"):
        _chain(_perc(frame={"dataset": "aluminium_primary_EU", "amount": "4 kg/module", "recycled_content": "75 %"}))
    chain = _chain(_perc(frame={**FRAME_FACTOR, "recycled_content": "75 %"}))
    quantity, provenance = chain.processes["module"].parameters["materials.frame.recycled_content"]
    assert quantity.to("").magnitude == pytest.approx(0.75) and provenance.primary


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
    """The PERC example's module by hand [kg]: the defaults per m2 x area, and its cells (packaging left out)."""
    d = lambda item, scale=1.0: default("module", "glass-backsheet", f"material:{item}") * scale * AREA  # noqa: E731
    module = d("solar_glass") + d("aluminium_primary_CN") + d("ldpe") + d("pet") + sum(d(m, 1e-3) for m in ("copper", "tin", "lead"))
    full_cells = 144 / 2
    wafer = 330.15e-4 * 150e-6 * SILICON_DENSITY  # wafer area x thickness x density [kg]
    silver = default("cell", "perc", "material:silver") * 1e-6 / 0.166 ** 2 * 330.15e-4  # 96 mg per (166 mm)^2 [kg]
    return module + full_cells * (wafer + silver)


def _findings(data, check):
    spec = parse_product(yaml.safe_dump(data, allow_unicode=True), source="p.yaml")
    return [finding for finding in check_product(spec, read_bundle()) if finding.check == check]


def test_bill_of_materials_against_the_datasheet_mass():
    expected = _bill_of_materials()
    assert 29.0 < expected < 29.4
    data = _perc()
    data["product"]["mass"] = f"{expected * 1.09:.3f} kg"  # within 10 %
    assert _findings(data, "module_mass") == []
    data["product"]["mass"] = "24 kg"  # an illustrative datasheet weight, 18 % below the bill
    (finding,) = _findings(data, "module_mass")
    assert finding.severity == "warning" and finding.path == "product.mass" and finding.value == "24 kg"
    assert f"the bill of materials weighs {expected:.2f} kg" in finding.message
    assert f"{expected / 24 - 1:+.1%} against the datasheet mass" in finding.message
    assert f"glass {8 * AREA:.2f}, frame {1.57996 * AREA:.2f}" in finding.message and "packaging left out" in finding.message
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
