"""The upstream silicon chain (footprint.model.chain): polysilicon by technology, and the silicon loop of the ingot.

The source numbers are typed here from Götz et al. 2026 (IEA PVPS T12-33:2026) as read in premise 2.5.2
lci-PV-2026.xlsx (sheet Inventory, CN activities), not read from processes.csv, so a wrong default or a wrong
conversion in the chain fails here. Computed totals are cross-checked against a full bw2calc LCA
(FOOTPRINT_VERIFY=1, tests/conftest.py).
"""

import datetime as dt

import pytest
import yaml

from footprint.bundle.read import read_bundle
from footprint.calc import compute
from footprint.model import build_chain, parse_product

from calc_helpers import emission_factors
from conftest import EXAMPLES
from handcalc import default, grid

PERC = EXAMPLES / "perc-glass-backsheet-jiangsu.yaml"
#: Modified Siemens (X-SoG-Si column P, rows 651, 668, 669) and FBR (column AF, rows 840, 854, 855), per kg.
SIEMENS = {"electricity": 52.6614643545279, "heat": 21.4023121387283, "mg_silicon": 1.077544739884388}
FBR = {"electricity": 10.8325, "heat": 24.039358974359, "mg_silicon": 1.15302135899974}
#: kg Cz ingot pulled per kg squared ingot (brick) (X-single-Si-brick column P, row 1539).
PULLED_PER_BRICK = 1.81176827886474
#: kg virgin and recycled solar-grade silicon per kg pulled (X-single-Si-ingots column P, rows 1273, 1274).
VIRGIN_PER_PULLED, RECYCLED_PER_PULLED = 0.584057797125913, 0.5410597168339
SILICON_DENSITY = 2329.0  # kg/m3 (CRC Handbook), as in footprint.model.chain


def _chain(edit):
    data = yaml.safe_load(PERC.read_text(encoding="utf-8"))
    edit(data)
    return build_chain(parse_product(yaml.safe_dump(data, allow_unicode=True), source="p.yaml"), read_bundle())


def _flows(chain, stage):
    return {flow.target: flow.amount for flow in chain.processes[stage].flows}


def _bare(data):
    """The PERC example with every silicon amount left to the defaults."""
    data["stages"]["polysilicon"] = {"site": "CN-XJ", "technology": "siemens"}
    data["stages"]["ingot"] = {"site": "CN-NM"}
    data["stages"]["wafer"].pop("ingot_utilisation", None)


@pytest.mark.parametrize(("technology", "source"), [("siemens", SIEMENS), ("fbr", FBR)])
def test_polysilicon_defaults_follow_the_technology(technology, source):
    chain = _chain(lambda d: (_bare(d), d["stages"]["polysilicon"].update(technology=technology)))
    poly = chain.processes["polysilicon"]
    flows = _flows(chain, "polysilicon")
    assert flows["mg_silicon"] == pytest.approx(source["mg_silicon"], rel=1e-12)
    assert flows[poly.electricity_dataset] == pytest.approx(source["electricity"], rel=1e-12)
    assert flows["heat_natural_gas"] == pytest.approx(source["heat"], rel=1e-12)
    # what the default leaves out is named where the result shows the default's provenance
    name, missing = {"siemens": ("heat", "6.38728323699422 kg of steam"),
                     "fbr": ("electricity", "0.840975868875093 kg of silicon tetrachloride")}[technology]
    assert missing in poly.parameters[name][1].describe()


def test_silicon_flows_follow_the_source_loop_without_counting_the_squaring_loss_twice():
    chain = _chain(_bare)
    wafer = chain.processes["wafer"].parameters
    squared = (wafer["wafer_area"][0] * (wafer["thickness"][0] + wafer["kerf"][0])).to("m**3").magnitude * SILICON_DENSITY
    ingot_per_wafer = _flows(chain, "wafer")["ingot"]
    poly_per_ingot = _flows(chain, "ingot")["polysilicon"]
    mg_per_poly = _flows(chain, "polysilicon")["mg_silicon"]
    # the wafers draw the squared ingot over the sawing yield: the offcuts return to the melt (utilisation 1)
    assert ingot_per_wafer == pytest.approx(squared / 0.97, rel=1e-9)  # 0.97: the example's wafer yield
    # virgin polysilicon per kg squared ingot: 1.81 kg pulled x 0.584 kg virgin per kg pulled = 1.058 (5.5 % net loss)
    assert poly_per_ingot == pytest.approx(PULLED_PER_BRICK * VIRGIN_PER_PULLED, rel=1e-9)
    assert 1 / poly_per_ingot == pytest.approx(0.945, abs=5e-4)
    # the puller's feed, 1.125 kg per kg pulled, is 48 % recycled (the source's comment says 43 %)
    assert RECYCLED_PER_PULLED / (VIRGIN_PER_PULLED + RECYCLED_PER_PULLED) == pytest.approx(0.481, abs=5e-4)
    # MG silicon per kg squared ingot, Siemens: 1.0775 x 1.0582
    assert mg_per_poly * poly_per_ingot == pytest.approx(SIEMENS["mg_silicon"] * PULLED_PER_BRICK * VIRGIN_PER_PULLED, rel=1e-9)

    # a site's ingot utilisation (squared ingot per kg pulled) changes neither the polysilicon nor the electricity per
    # wafer: both defaults are per kg squared ingot, so 1 / utilisation more ingot at utilisation x the default per kg
    site = _chain(lambda d: (_bare(d), d["stages"]["wafer"].update(ingot_utilisation=0.93)))
    assert _flows(site, "wafer")["ingot"] == pytest.approx(squared / (0.93 * 0.97), rel=1e-9)
    for target in ("polysilicon", chain.processes["ingot"].electricity_dataset):
        assert _flows(site, "wafer")["ingot"] * _flows(site, "ingot")[target] == pytest.approx(
            ingot_per_wafer * _flows(chain, "ingot")[target], rel=1e-12)
    # the file's own polysilicon per kg of pulled ingot is used as given; its utilisation adds the squaring loss
    own = _chain(lambda d: (_bare(d), d["stages"]["ingot"].update(polysilicon="1.0204 kg/kg"),
                            d["stages"]["wafer"].update(ingot_utilisation=0.93)))
    assert _flows(own, "ingot")["polysilicon"] == pytest.approx(1.0204, rel=1e-12)


def test_the_ingot_electricity_default_holds_the_loop_and_its_recycling_step():
    chain = _chain(_bare)
    pulling = PULLED_PER_BRICK * 13.0874019701814 + 0.5662114260352997  # kWh per kg squared ingot: pulling, squaring
    recycling = PULLED_PER_BRICK * RECYCLED_PER_PULLED * 0.255250099333836  # 0.98 kg recycled silicon x 0.255 kWh/kg
    assert _flows(chain, "ingot")[chain.processes["ingot"].electricity_dataset] == pytest.approx(pulling + recycling, rel=1e-8)


def test_fbr_polysilicon_per_kg_equals_the_hand_computation(tmp_path, home_env):
    """A granular-silicon maker's own file: FBR polysilicon in Sichuan, every amount the bundled default.

    By hand: the FBR amounts of the source (above), MG silicon from processes.csv (electricity and process CO2),
    the grid and heat factors from the data files (tests/handcalc.py reads them with the csv module).
    """
    path = tmp_path / "granular.yaml"
    path.write_text(yaml.safe_dump({
        "format": "footprint-product/1",
        "product": {"id": "granular-sc", "name": "Granular polysilicon, FBR, Sichuan", "stage": "polysilicon"},
        "stages": {"mg_silicon": {"site": "CN-XJ"}, "polysilicon": {"site": "CN-SC", "technology": "fbr"}}}), encoding="utf-8")
    mg = default("mg_silicon", "any", "electricity") * grid("CN-XJ") + default("mg_silicon", "any", "emission:co2_fossil")
    own = FBR["electricity"] * grid("CN-SC") + FBR["heat"] * emission_factors()("heat_natural_gas")
    result = compute(path, per="kg-polysilicon", as_of=dt.date(2026, 6, 1))
    assert result.total.value == pytest.approx(FBR["mg_silicon"] * mg + own, rel=1e-9)
    assert result.by_stage["polysilicon"].value == pytest.approx(own, rel=1e-9)
    assert result.by_stage["mg_silicon"].value == pytest.approx(FBR["mg_silicon"] * mg, rel=1e-9)
