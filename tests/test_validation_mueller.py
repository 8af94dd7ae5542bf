"""docs/validation.md's Müller et al. 2021 tables against a fresh run of scripts/validation_mueller.py.

The tables are rewritten by ``scripts/validation_mueller.py --write``; these tests fail while
the page holds numbers other than today's. The other tests check, by hand, what the script's
steps stand on: the "ours" step is the Jiangsu PERC example itself where the example is made
in China at the national factor, and the configurations carry the paper's figures as read.
"""

import importlib.util

import pytest
import yaml

from footprint.calc import compute
from footprint.errors import ProductWarning

from conftest import EXAMPLES, ROOT

SCRIPT = ROOT / "scripts" / "validation_mueller.py"
PAGE = ROOT / "docs" / "validation.md"
SILICON_DENSITY = 2.329  # g/cm3, as in footprint.model.chain (CRC Handbook)


def _script():
    spec = importlib.util.spec_from_file_location("validation_mueller", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MUELLER = _script()
STEMS = [stem for stem, _, _ in MUELLER.CONFIGURATIONS]


@pytest.fixture(scope="module")
def script():
    return MUELLER


def test_the_page_holds_a_fresh_run(home_env, script, monkeypatch):
    # 48 calculations: without the suite's bw2calc cross-check of each (the other tests of the
    # examples run it), which would not change a digit and takes most of the time
    monkeypatch.setenv("FOOTPRINT_VERIFY", "0")
    waterfall, official = script.tables()
    page = PAGE.read_text(encoding="utf-8")
    assert script.quoted(page, script.MARKER) == waterfall
    assert script.quoted(page, script.MARKER_OFFICIAL) == official


def test_ours_in_china_is_the_jiangsu_example(home_env, script):
    # on the life-cycle basis China has one national factor, so the example's provinces and the
    # configuration's "CN" give the same grid: the paper's items taken out, the example is left
    # (but for what the configuration adds for the paper: none in glass-backsheet, China)
    example = yaml.safe_load((EXAMPLES / "perc-glass-backsheet-jiangsu.yaml").read_text(encoding="utf-8"))
    configuration = yaml.safe_load((script.FOLDER / "mueller-2021-glass-backsheet-china.yaml").read_text(encoding="utf-8"))
    every_field = [field for _, fields in script.ITEMS for field in fields]
    ours = script.ours(configuration, example, every_field)
    with pytest.warns(ProductWarning):  # the example's own wafer electricity is low; not what is tested here
        expected = compute(EXAMPLES / "perc-glass-backsheet-jiangsu.yaml", per="kWp").total.value
    assert script.total(ours, "life-cycle") == pytest.approx(expected, rel=1e-12)


def test_the_six_configurations_are_there():
    assert sorted(path.stem for path in MUELLER.FOLDER.glob("*.yaml")) == sorted(STEMS)


@pytest.mark.parametrize("stem", STEMS)
def test_each_configuration_carries_the_papers_figures(stem):
    data = yaml.safe_load((MUELLER.FOLDER / f"{stem}.yaml").read_text(encoding="utf-8"))
    s = data["stages"]
    site = {"china": "CN", "germany": "DE", "eu": "EU"}[stem.rsplit("-", 1)[1]]
    assert {stage["site"] for stage in s.values()} == {site}
    # PV_ICE's transcription: MG-Si 11 kWh/kg, polysilicon 72 kWh + 70 MJ per kg, ingot 38.4 kWh/kg,
    # cell 6.24 kWh + 3.55 MJ per m2, 170 um wafers
    assert s["mg_silicon"]["electricity"] == "11 kWh/kg"
    assert (s["polysilicon"]["electricity"], s["polysilicon"]["heat"], s["ingot"]["electricity"]) == ("72 kWh/kg", "70 MJ/kg", "38.4 kWh/kg")
    assert (s["cell"]["electricity"], s["cell"]["heat"], s["wafer"]["thickness"]) == ("6.24 kWh/m2", "3.55 MJ/m2", "170 um")
    # 1.03 kg of ingot per m2 of wafer, by hand from the wafer's own parameters
    w = s["wafer"]
    area_cm2, thickness, kerf = (float(w[k].split()[0]) for k in ("wafer_area", "thickness", "kerf"))
    ingot_kg = area_cm2 * (thickness + kerf) * 1e-4 * SILICON_DENSITY / 1000 / (w["ingot_utilisation"] * w["yield"])
    assert ingot_kg / (area_cm2 / 1e4) == pytest.approx(1.03, abs=0.0005)
    # wafering: 2.85 kWh per kg of wafer, 82.5 % electricity and 17.5 % heat
    wafer_kg = area_cm2 * thickness * 1e-4 * SILICON_DENSITY / 1000
    assert float(w["electricity"].split()[0]) == pytest.approx(2.85 * 0.825 * wafer_kg, abs=5e-6)
    assert float(w["heat"].split()[0]) == pytest.approx(2.85 * 0.175 * 3.6 * wafer_kg, abs=5e-6)
    if "glass-glass" in stem:  # frameless (the press release)
        assert s["module"]["materials"]["aluminium_primary_CN"] == "0 kg/m2"
    else:
        assert "materials" not in s["module"]


#: The fields of a configuration that are "ours": the Jiangsu PERC example's own values, copied.
OURS_FIELDS = (("polysilicon", "mg_silicon"), ("ingot", "polysilicon"), ("wafer", "wafer_area"), ("wafer", "kerf"),
               ("wafer", "yield"), ("cell", "efficiency"), ("cell", "yield"), ("module", "cells"), ("module", "cells_per_wafer"))


@pytest.mark.parametrize("stem", STEMS)
def test_the_configurations_own_values_are_the_examples(stem):
    example = yaml.safe_load((EXAMPLES / "perc-glass-backsheet-jiangsu.yaml").read_text(encoding="utf-8"))
    data = yaml.safe_load((MUELLER.FOLDER / f"{stem}.yaml").read_text(encoding="utf-8"))
    for key in ("rated_power", "area", "dimensions", "technology"):
        assert data["product"][key] == example["product"][key], f"product.{key}: copy the Jiangsu example's value into {stem}.yaml"
    for stage, name in OURS_FIELDS:
        assert data["stages"][stage].get(name) == example["stages"][stage].get(name), (
            f"stages.{stage}.{name}: copy the Jiangsu example's value into {stem}.yaml")
