"""Supplier-specific data from PACT JSON files."""

import datetime as dt
import hashlib
import json

import pytest

from footprint.calc import compute
from footprint.errors import InputError

from calc_helpers import DATA, by_hand, product_data, write_product

REL = 1e-6
PACT = json.loads((DATA / "pact-polysilicon.json").read_text(encoding="utf-8"))
VALID = dt.date(2025, 6, 1)
SILICON_PER_WAFER = 330.15e-4 * 200e-6 * 2329.0 / (0.93 * 0.97)  # kg of ingot per wafer
POLY_PER_MODULE = (144 / 2) / 0.97 / 0.98 * SILICON_PER_WAFER * 1.0204  # kg of polysilicon per module


def _product(tmp_path, stage="polysilicon", pact=None, supplier=None, **changes):
    document = pact if pact is not None else PACT
    (tmp_path / "supplier.json").write_text(json.dumps(document), encoding="utf-8")
    data = product_data(**changes)
    data["stages"][stage]["supplier"] = supplier or "supplier.json"
    return write_product(tmp_path, data)


def _pact(pcf=None, **top):
    document = json.loads(json.dumps(PACT))
    document.update(top)
    document["pcf"].update(pcf or {})
    return {key: value for key, value in document.items() if value is not None}


def test_declared_polysilicon_replaces_the_stage_and_its_upstream(tmp_path, home_env):
    path = _product(tmp_path, **{"stages.mg_silicon": {}})  # upstream needs no data any more
    per_kg = compute(path, per="kg-polysilicon", as_of=VALID)
    assert per_kg.total.value == pytest.approx(30.5, rel=REL)
    assert per_kg.by_origin["fossil"].value == pytest.approx(29.0, rel=REL)
    assert per_kg.by_origin["land_use"].value == pytest.approx(0.5, rel=REL)
    assert per_kg.by_origin["aggregated"].value == pytest.approx(1.0, rel=REL)  # 30.5 - 29.0 - 0.5, not split by the supplier
    assert list(per_kg.by_stage) == ["polysilicon"]
    module = compute(path, as_of=VALID)
    hand = by_hand()
    expected = hand["module"] - POLY_PER_MODULE * (hand["polysilicon"] - 30.5)
    assert module.total.value == pytest.approx(expected, rel=REL)
    assert "mg_silicon" not in module.by_stage


def test_primary_data_share_weighs_the_suppliers_own_share(tmp_path, home_env):
    result = compute(_product(tmp_path), as_of=VALID)
    supplier_part = sum(part.share for part in result.by_activity.values() if part.stage == "polysilicon")
    assert 0 < supplier_part < 1
    # the by-hand product's materials are typed masses valued with bundled factors: secondary data
    bundled = {"copper", "solar_glass", "aluminium_primary_CN", "ldpe", "pet", "silver"}
    materials = sum(part.share for part in result.by_activity.values() if part.target in bundled)
    assert 0 < materials < 1
    # every other number is the user's own; the supplier declares 80 %
    assert result.primary_data_share == pytest.approx(1 - 0.2 * supplier_part - materials, rel=1e-12)


def test_the_declaration_is_reported(tmp_path, home_env):
    result = compute(_product(tmp_path), as_of=VALID)
    (use,) = result.supplier
    assert use.stage == "polysilicon" and use.company == "Example Polysilicon Co." and use.declared_unit == "kilogram"
    assert use.value == 30.5 and use.per_reference_unit == 30.5
    assert use.validity == ["2025-03-01", "2027-02-28"] and use.primary_data_share == pytest.approx(0.8)
    assert "Example Verifier GmbH" in use.certificate and "ISO 14067" in use.certificate
    assert use.data_quality["technologicalDQR"] == 1.5
    files = result.provenance.input_files
    assert str(tmp_path / "supplier.json") in files and len(files) == 2
    assert result.inputs_sha256 != files[str(tmp_path / "product.yaml")]
    assert files[str(tmp_path / "supplier.json")] == hashlib.sha256((tmp_path / "supplier.json").read_bytes()).hexdigest()


def test_an_expired_declaration_is_refused(tmp_path, home_env):
    path = _product(tmp_path)
    with pytest.raises(InputError, match=r"supplier.json: product footprint 3893bb5d.*: expired on 2027-02-28"):
        compute(path, as_of=dt.date(2027, 3, 1))
    with pytest.raises(InputError, match=r"valid only from 2025-03-01"):
        compute(path, as_of=dt.date(2025, 1, 1))


def test_without_validity_dates_a_declaration_lasts_three_years(tmp_path, home_env):
    path = _product(tmp_path, pact=_pact(validityPeriodStart=None, validityPeriodEnd=None))
    assert compute(path, per="kg-polysilicon", as_of=dt.date(2027, 12, 31)).total.value == pytest.approx(30.5, rel=REL)
    with pytest.raises(InputError, match=r"expired on 2028-01-01 \(referencePeriodEnd \+ 3 years"):
        compute(path, as_of=dt.date(2028, 1, 2))


def test_a_deprecated_declaration_is_refused(tmp_path, home_env):
    with pytest.raises(InputError, match="status Deprecated"):
        compute(_product(tmp_path, pact=_pact(status="Deprecated")), as_of=VALID)


@pytest.mark.parametrize(
    "unit, per_wafer",
    [
        ("piece", 1.0),
        ("square meter", 330.15e-4),
        ("kilogram", 330.15e-4 * 150e-6 * 2329.0),  # wafer mass from area x thickness x density
    ],
)
def test_a_wafer_declaration_in_each_unit(tmp_path, home_env, unit, per_wafer):
    pact = _pact({"declaredUnit": unit, "pCfExcludingBiogenic": "2.0", "fossilGhgEmissions": "2.0", "dLucGhgEmissions": "0"})
    result = compute(_product(tmp_path, stage="wafer", pact=pact), per="wafer", as_of=VALID)
    assert result.total.value == pytest.approx(2.0 * per_wafer, rel=REL)


def test_a_cell_declared_per_kilogram_is_refused(tmp_path, home_env):
    pact = _pact({"declaredUnit": "kilogram"})
    with pytest.raises(InputError, match="a cell declaration must be per piece or per square meter"):
        compute(_product(tmp_path, stage="cell", pact=pact), as_of=VALID)


def test_inconsistent_or_unknown_units_are_refused(tmp_path, home_env):
    with pytest.raises(InputError, match=r"pcf.declaredUnit: got 'liter'"):
        compute(_product(tmp_path, pact=_pact({"declaredUnit": "liter"})), as_of=VALID)
    with pytest.raises(InputError, match=r"fossilGhgEmissions \+ dLucGhgEmissions = 31 exceed pCfExcludingBiogenic = 30.5"):
        compute(_product(tmp_path, pact=_pact({"fossilGhgEmissions": "30.5"})), as_of=VALID)


def test_a_footprint_inside_a_supplier_declaration_cannot_be_declared(tmp_path, home_env):
    pact = _pact({"declaredUnit": "piece"})
    with pytest.raises(InputError, match=r"per: kg-polysilicon: the product's polysilicon comes inside a supplier's declared footprint \(wafer\)"):
        compute(_product(tmp_path, stage="wafer", pact=pact), per="kg-polysilicon", as_of=VALID)


def test_ar5_with_an_ar6_declaration_says_so(tmp_path, home_env):
    result = compute(_product(tmp_path), gwp="ar5", as_of=VALID)
    assert any("AR6 characterisation factors" in note and "uses AR5" in note for note in result.notes)


def test_one_footprint_of_several_is_chosen_by_id(tmp_path, home_env):
    other = _pact(id="other-id")
    other["pcf"]["pCfExcludingBiogenic"] = "40"
    other["pcf"]["fossilGhgEmissions"] = "40"
    other["pcf"]["dLucGhgEmissions"] = "0"
    path = _product(tmp_path, pact={"data": [PACT, other]}, supplier={"file": "supplier.json", "id": "other-id"})
    assert compute(path, per="kg-polysilicon", as_of=VALID).total.value == pytest.approx(40.0, rel=REL)
    with pytest.raises(InputError, match="holds 2 product footprints"):
        compute(_product(tmp_path, pact={"data": [PACT, other]}), as_of=VALID)


# --- a supplier computes its own stage (product.stage) and declares it ----------------------------


def _stage_file(tmp_path, last, name):
    """The PERC example cut after ``last``: its stages up to there, no module fields."""
    import yaml

    example = yaml.safe_load((ROOT_EXAMPLES / "perc-glass-backsheet-jiangsu.yaml").read_text(encoding="utf-8"))
    stages = list(example["stages"])
    data = {"format": "footprint-product/1",
            "product": {"id": f"perc-{last}", "name": f"PERC chain up to {last}", "stage": last},
            "stages": {stage: example["stages"][stage] for stage in stages[: stages.index(last) + 1]}}
    if last == "cell":
        data["product"]["technology"] = example["product"]["technology"]
    return write_product(tmp_path, data, name)


ROOT_EXAMPLES = DATA.parent.parent / "examples"
PERC_EXAMPLE = ROOT_EXAMPLES / "perc-glass-backsheet-jiangsu.yaml"


@pytest.mark.parametrize(("last", "per", "cpc"), [("polysilicon", "kg-polysilicon", "test-only"), ("wafer", "wafer", "test-only"),
                                                   ("cell", "cell", None)])
def test_a_supplier_s_stage_is_its_own_product_and_its_declaration_replaces_it_in_the_module(tmp_path, home_env, last, per, cpc):
    import jsonschema
    import yaml

    from footprint.supplier import declaration

    own = compute(_stage_file(tmp_path, last, f"{last}.yaml"))  # per its own unit by default
    assert own.declared_unit == f"1 {per}"
    whole = compute(PERC_EXAMPLE, per=per)
    assert own.total.value == pytest.approx(whole.total.value, rel=1e-12)
    assert list(own.by_stage) == list(whole.by_stage)
    # declared as PACT (per kg, or per m2 of wafer) and valid against the data model
    pact = declaration(own.to_dict(), company="Example Silicon Co.", period=(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), cpc=cpc)
    schema = json.loads((DATA / "pact-2.3.3.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(pact)
    (tmp_path / f"{last}.pact.json").write_text(json.dumps(pact, indent=2), encoding="utf-8")
    # the module maker's file references it: the same total as the whole chain
    module = yaml.safe_load(PERC_EXAMPLE.read_text(encoding="utf-8"))
    module["stages"][last]["supplier"] = f"{last}.pact.json"
    for stage in ("mg_silicon", "polysilicon", "ingot", "wafer", "cell"):  # what the declaration covers is not given again
        if stage != last and list(module["stages"]).index(stage) < list(module["stages"]).index(last):
            module["stages"].pop(stage)
    if last == "cell":  # a declaration per m2 of cell: the module maker's file gives the cell's area
        module["stages"]["wafer"] = {"wafer_area": yaml.safe_load(PERC_EXAMPLE.read_text(encoding="utf-8"))["stages"]["wafer"]["wafer_area"]}
    result = compute(write_product(tmp_path, module, "module.yaml"), per="kWp")
    assert result.total.value == pytest.approx(compute(PERC_EXAMPLE, per="kWp").total.value, rel=1e-7)
    assert result.supplier[0]["company"] == "Example Silicon Co." if isinstance(result.supplier[0], dict) else result.supplier[0].company


def test_a_stage_file_is_refused_what_belongs_to_a_later_stage(tmp_path, home_env):
    import yaml

    from footprint.errors import OptionError

    path = _stage_file(tmp_path, "polysilicon", "poly.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    with pytest.raises(OptionError, match="kWp: the product file describes the product up to polysilicon"):
        compute(path, per="kWp")
    data["stages"]["module"] = {"site": "CN-JS"}
    with pytest.raises(InputError, match=r"stages.module: the file describes the product up to polysilicon \(product.stage\)"):
        compute(write_product(tmp_path, data, "later.yaml"))
    cell = yaml.safe_load(_stage_file(tmp_path, "cell", "cell.yaml").read_text(encoding="utf-8"))
    cell["product"].pop("technology")
    with pytest.raises(InputError, match=r"product.technology: missing; a file for the cell stage \(product.stage\) needs it"):
        compute(write_product(tmp_path, cell, "cell-bare.yaml"))
    data["product"]["stage"] = "frame"
    with pytest.raises(InputError, match=r"product.stage: got 'frame'; expected one of polysilicon, ingot, wafer, cell, module"):
        compute(write_product(tmp_path, data, "bad.yaml"))


def test_calc_format_pact_writes_the_declaration_a_module_file_takes(tmp_path, home_env):
    """footprint calc STAGE_FILE --format pact -o FILE: the module file referencing it gets the whole chain's total."""
    import yaml

    from conftest import invoke

    stage_file = _stage_file(tmp_path, "polysilicon", "poly.yaml")
    written = tmp_path / "poly.pact.json"
    done = invoke("calc", stage_file, "--format", "pact", "--company", "Example Silicon Co.", "--period", "2025-01-01/2025-12-31",
                  "--cpc", "test-only", "-o", written, home=home_env)
    assert done.returncode == 0, done.stderr
    pact = json.loads(written.read_text(encoding="utf-8"))
    assert pact["companyName"] == "Example Silicon Co." and pact["pcf"]["declaredUnit"] == "kilogram"
    assert pact["pcf"]["referencePeriodStart"].startswith("2025-01-01")
    own = compute(stage_file)
    assert float(pact["pcf"]["pCfIncludingBiogenic"]) == pytest.approx(own.total.value, rel=1e-9)
    module = yaml.safe_load(PERC_EXAMPLE.read_text(encoding="utf-8"))
    module["stages"]["polysilicon"]["supplier"] = "poly.pact.json"
    module["stages"].pop("mg_silicon")
    result = compute(write_product(tmp_path, module, "module.yaml"), per="kWp")
    whole = compute(PERC_EXAMPLE, per="kWp")
    assert result.total.value == pytest.approx(whole.total.value, rel=1e-7)


def test_calc_format_pact_refuses_a_module_and_missing_company_in_one_line(tmp_path, home_env):
    from conftest import invoke

    target = tmp_path / "module.pact.json"
    refused = invoke("calc", PERC_EXAMPLE, "--format", "pact", "--company", "M", "--period", "2025-01-01/2025-12-31", "-o", target,
                     home=home_env)
    assert refused.returncode == 1 and not target.exists()
    (error,) = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert "a supplier's declaration is per kg-polysilicon" in error
    missing = invoke("calc", PERC_EXAMPLE, "--format", "pact", "--period", "2025-01-01/2025-12-31", home=home_env)
    assert missing.returncode == 1 and missing.stderr.strip().startswith("error: --company: missing")
    bad = invoke("calc", PERC_EXAMPLE, "--format", "pact", "--company", "M", "--period", "2025", home=home_env)
    assert bad.returncode == 1 and bad.stderr.strip() == "error: --period: got '2025'; expected the first and last day, YYYY-MM-DD/YYYY-MM-DD"
    assert invoke("calc", PERC_EXAMPLE, "--company", "M", home=home_env).returncode == 2


# --- a cell maker declares per cell, per m2 or per W of cell ------------------------------------------


def test_a_cell_file_gives_its_footprint_per_cell_per_m2_and_per_w(tmp_path, home_env):
    """Per m2 and per W divide the per-cell total by the cell's area and power, read here from the example file."""
    from footprint.errors import OptionError

    cell_file = _stage_file(tmp_path, "cell", "cell.yaml")
    per_cell = compute(cell_file).total.value
    area = 330.15e-4  # m2: the example's wafer_area, 330.15 cm2
    watts = area * 0.230 * 1000.0  # its efficiency, 23.0 %, at 1000 W/m2 (STC)
    per_m2 = compute(cell_file, per="m2-cell")
    per_w = compute(cell_file, per="W-cell")
    assert per_m2.total.value == pytest.approx(per_cell / area, rel=1e-12)
    assert per_w.total.value == pytest.approx(per_cell / watts, rel=1e-12)
    assert per_m2.declared_unit == "1 m2-cell" and per_w.total.unit == "kg CO2-eq/W-cell"
    with pytest.raises(OptionError, match=r"m2-cell: the product file describes the product up to wafer \(product.stage\)"):
        compute(_stage_file(tmp_path, "wafer", "wafer.yaml"), per="m2-cell")


def test_a_cell_declared_from_its_result_per_m2_is_the_declaration_per_cell(tmp_path, home_env):
    import yaml

    from footprint.supplier import declaration

    cell_file = _stage_file(tmp_path, "cell", "cell.yaml")
    period = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    per_cell = declaration(compute(cell_file).to_dict(), company="Example Cell Co.", period=period)
    per_m2 = declaration(compute(cell_file, per="m2-cell").to_dict(), company="Example Cell Co.", period=period)
    assert per_m2["pcf"]["declaredUnit"] == "square meter" and per_m2["pcf"]["unitaryProductAmount"] == "1"
    assert per_m2["productCategoryCpc"] == "47150"
    assert float(per_m2["pcf"]["pCfExcludingBiogenic"]) == pytest.approx(float(per_cell["pcf"]["pCfExcludingBiogenic"]), rel=1e-8)
    (tmp_path / "cell.pact.json").write_text(json.dumps(per_m2), encoding="utf-8")
    module = yaml.safe_load(PERC_EXAMPLE.read_text(encoding="utf-8"))
    wafer_area = module["stages"]["wafer"]["wafer_area"]
    for stage in ("mg_silicon", "polysilicon", "ingot"):
        module["stages"].pop(stage)
    module["stages"]["wafer"] = {"wafer_area": wafer_area}
    module["stages"]["cell"]["supplier"] = "cell.pact.json"
    result = compute(write_product(tmp_path, module, "module.yaml"), per="kWp")
    assert result.total.value == pytest.approx(compute(PERC_EXAMPLE, per="kWp").total.value, rel=1e-7)


def test_a_cell_result_per_w_is_not_declared_as_pact_in_one_line(tmp_path, home_env):
    from footprint.supplier import declaration

    from conftest import invoke

    cell_file = _stage_file(tmp_path, "cell", "cell.yaml")
    with pytest.raises(InputError, match="PACT's declaredUnit has no watt"):
        declaration(compute(cell_file, per="W-cell").to_dict(), company="C", period=(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    target = tmp_path / "cell.pact.json"
    refused = invoke("calc", cell_file, "--per", "W-cell", "--format", "pact", "--company", "C", "--period", "2025-01-01/2025-12-31",
                     "-o", target, home=home_env)
    assert refused.returncode == 1 and not target.exists()
    (line,) = [text for text in refused.stderr.splitlines() if text.startswith("error:")]
    assert line.startswith("error: declaration: the result is per W-cell; PACT's declaredUnit has no watt")
    written = invoke("calc", cell_file, "--per", "m2-cell", "--format", "pact", "--company", "C", "--period",
                     "2025-01-01/2025-12-31", "-o", target, home=home_env)
    assert written.returncode == 0, written.stderr
    assert json.loads(target.read_text(encoding="utf-8"))["pcf"]["declaredUnit"] == "square meter"
def test_calc_format_pact_without_cpc_names_the_option(tmp_path, home_env):
    """A polysilicon declaration without --cpc: the line names --cpc (the option to add), nothing written."""
    from conftest import invoke

    target = tmp_path / "poly.pact.json"
    refused = invoke("calc", _stage_file(tmp_path, "polysilicon", "poly.yaml"), "--format", "pact", "--company", "M",
                     "--period", "2025-01-01/2025-12-31", "-o", target, home=home_env)
    assert refused.returncode == 1 and not target.exists()
    assert refused.stderr.strip().splitlines()[-1] == (
        "error: --cpc: missing; give the UN CPC code of the product (none is assumed for kg-polysilicon)")
