"""inventories/: every file loads and is complete; broken files fail naming file and row."""

import csv
import shutil

import pytest
import yaml

from footprint.bundle.read import PEDIGREE, read_bundle
from footprint.errors import DataError, SetupError
from footprint.resources import data_dir

from conftest import ROOT, invoke

INVENTORIES = ROOT / "inventories"
#: Manufacturing countries the grid data must cover (issue 3).
COUNTRIES = ("CN", "VN", "MY", "TH", "IN", "ID", "US", "DE", "NO", "FR")


def _manifest():
    return yaml.safe_load((INVENTORIES / "manifest.yaml").read_text(encoding="utf-8"))


def _data_rows(path):
    """(line number, row) of every data row, read with the csv module only."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        first = reader.fieldnames[0]
        rows = []
        for row in reader:
            if row[first] and not row[first].startswith("#"):
                rows.append((reader.line_num, row))
        return rows


def _background_rows():
    return [(name, line, row) for name in _manifest()["background"] for line, row in _data_rows(INVENTORIES / name)]


@pytest.fixture
def bundle():
    return read_bundle()


# --- the bundled data -------------------------------------------------------------------------------


def test_every_file_of_the_folder_is_listed_and_loads(bundle):
    manifest = _manifest()
    listed = {manifest[key] for key in ("gases", "geographies", "technologies", "processes", "specific_yield")} | set(manifest["background"])
    on_disk = {path.name for path in INVENTORIES.glob("*.csv")}
    assert listed == on_disk
    datasets = {row["dataset"] for _, _, row in _background_rows()}
    assert set(bundle.datasets) == datasets
    assert len(bundle.processes) == len(_data_rows(INVENTORIES / manifest["processes"]))


def test_every_row_has_unit_geography_year_source_and_pedigree():
    for name, line, row in _background_rows():
        where = f"{name} row {line}"
        for column in ("unit", "geography", "year", "source", "quality", "scope"):
            assert row[column], f"{where}: {column}"
        scores = row["quality"].split(",")
        assert len(scores) == len(PEDIGREE) and all(s in "12345" for s in scores), where
        assert 1990 <= int(row["year"]) <= 2030, where
    for line, row in _data_rows(INVENTORIES / "processes.csv"):
        assert row["source"] and row["year"] and len(row["quality"].split(",")) == 5, f"processes.csv row {line}"


def _temporal_scale():
    """(reference year, [(age limit, score) ...]) read from the pedigree table of inventories/README.md."""
    readme = (INVENTORIES / "README.md").read_text(encoding="utf-8")
    (header,) = [line for line in readme.splitlines() if line.startswith("| score |")]
    reference = int(header.split("temporal (data year vs ", 1)[1].split(")", 1)[0])
    column = [cell.strip() for cell in header.strip("|").split("|")].index(f"temporal (data year vs {reference})")
    limits = []
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if line.startswith("| ") and cells[0] in "1234" and cells[0] and cells[column].startswith("< "):
            limits.append((int(cells[column].split()[1]), int(cells[0])))
    assert [score for _, score in limits] == [1, 2, 3, 4]
    return reference, limits


def test_temporal_scores_follow_the_scale_of_the_readme():
    reference, limits = _temporal_scale()
    rows = [(name, line, row) for name, line, row in _background_rows()]
    rows += [(name, line, row) for name in ("processes.csv", _manifest()["specific_yield"])
             for line, row in _data_rows(INVENTORIES / name)]
    assert any(name == "specific_yield.csv" for name, _, _ in rows)
    wrong = []
    for name, line, row in rows:
        age = reference - int(row["year"])
        expected = next((score for limit, score in limits if age < limit), 5)
        temporal = int(row["quality"].split(",")[2])
        if temporal != expected:
            wrong.append(f"{name} row {line}: year {row['year']}, temporal {temporal}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_co2_only_and_life_cycle_grid_factors_are_kept_apart(bundle):
    co2 = [d for d in bundle.datasets.values() if d.id.startswith("electricity_co2_")]
    lifecycle = [d for d in bundle.datasets.values() if d.id.startswith("electricity_lifecycle_")]
    assert len(co2) > 100 and len(lifecycle) >= len(COUNTRIES)
    for dataset in co2:
        assert {e.flow for e in dataset.exchanges} == {"co2_fossil"}, dataset.id
        assert dataset.scope == "co2_combustion" and "CO2 only" in dataset.name or "combined margin" in dataset.name, dataset.id
    for dataset in lifecycle:
        assert dataset.scope == "co2e_lifecycle" and "life cycle" in dataset.name, dataset.id
        assert {e.flow for e in dataset.exchanges} == {"co2e_aggregated"}, dataset.id  # flagged: no gas split


def test_default_grid_rows_only_select_a_dataset_and_copy_its_scope_and_year(bundle):
    defaults = [d for d in bundle.datasets.values() if d.id.startswith("electricity_grid_")]
    assert defaults
    for dataset in defaults:
        (exchange,) = dataset.exchanges
        target = bundle.datasets[exchange.flow]
        assert exchange.amount == 1.0 and target.unit == "kWh"
        assert (exchange.scope, exchange.year, exchange.source) == (target.scope, target.year, target.sources[0]), dataset.id
        assert target.geography == dataset.geography, dataset.id


def test_every_province_and_listed_country_has_a_grid_and_a_life_cycle_factor(bundle):
    provinces = [g for g in bundle.geographies.values() if g.level == "province"]
    assert len(provinces) == 31
    for place in provinces:
        grid = bundle.electricity_for(place.id)
        assert grid is not None and grid.geography in (place.id, place.grid), place.id
        assert bundle.electricity_for(place.id, basis="lifecycle").id == "electricity_lifecycle_CN_2024"
    for country in COUNTRIES:
        assert bundle.electricity_for(country).geography == country, country
        assert bundle.electricity_for(country, basis="lifecycle").geography == country, country


def test_the_eu_takes_embers_eu_intensity_on_both_bases(bundle):
    # Ember's aggregate "EU", 2023: 243.83 g CO2-eq/kWh (co2.js average-intensities.json); no official EU factor
    for basis in (None, "lifecycle"):
        factor = bundle.electricity_for("EU") if basis is None else bundle.electricity_for("EU", basis=basis)
        target = bundle.datasets[factor.exchanges[0].flow] if factor.id.startswith("electricity_grid_") else factor
        assert target.id == "electricity_lifecycle_EU_2023"
        (exchange,) = target.exchanges
        assert exchange.amount == pytest.approx(0.24383, rel=1e-12)  # kg, the gas's reference unit
    assert bundle.geographies["EU"].parent == "RER"


def test_grid_follows_the_site(bundle):
    assert bundle.electricity_for("CN-JS").exchanges[0].flow == "electricity_co2_CN-JS_2023"
    assert bundle.electricity_for("CN-JS", basis="co2").id == "electricity_co2_CN-JS_2023"
    assert bundle.electricity_for("CN-XZ").id == "electricity_grid_CN-SWG"  # no Tibet factor: its regional grid
    assert bundle.electricity_for("US-EGRID-CAMX").exchanges[0].flow == "electricity_co2_US-EGRID-CAMX_2022"
    with pytest.raises(ValueError):
        bundle.electricity_for("CN-JS", basis="market")


def test_a_chinese_provincial_factor_equals_the_announcement(bundle):
    # MEE & NBS announcement 2025 No. 47, attachment table 3: Jiangsu 0.5827, Yunnan 0.1333 kg CO2/kWh (2023)
    assert bundle.datasets["electricity_co2_CN-JS_2023"].exchanges[0].amount == 0.5827
    assert bundle.datasets["electricity_co2_CN-YN_2023"].exchanges[0].amount == 0.1333


def test_the_2023_regional_factors_equal_the_ministry_statement(bundle):
    # MEE climate-change department, quoted in Guangming Daily (January 2026): national 0.5306; North, Northeast,
    # East, Central, Northwest 0.6361, 0.5122, 0.5500, 0.5271, 0.5543; South, Southwest 0.4042, 0.2472 kg CO2/kWh
    quoted = {"CN": 0.5306, "CN-NCG": 0.6361, "CN-NECG": 0.5122, "CN-ECG": 0.5500, "CN-CCG": 0.5271, "CN-NWG": 0.5543,
              "CN-SCG": 0.4042, "CN-SWG": 0.2472}
    for place, value in quoted.items():
        assert bundle.datasets[f"electricity_co2_{place}_2023"].exchanges[0].amount == value, place
        assert bundle.electricity_for(place).exchanges[0].flow == f"electricity_co2_{place}_2023", place


def test_amounts_in_other_units_are_converted_by_pint(bundle):
    # eGRID2022 US average 823.149 lb CO2/MWh, stored as 0.823149 lb per kWh
    assert bundle.datasets["electricity_co2_US_2022"].exchanges[0].amount == pytest.approx(0.823149 * 0.45359237, rel=1e-12)
    # heat from natural gas links 1 MJ to its upstream supply, counted per kWh of fuel
    (link,) = [e for e in bundle.datasets["heat_natural_gas"].exchanges if e.flow == "natural_gas_supply_upstream"]
    assert link.amount == pytest.approx(1 / 3.6, rel=1e-12)


def test_a_mix_of_co2_only_and_life_cycle_grid_factors_is_noted(bundle):
    from footprint.bundle.read import electricity_bases, mixed_electricity_note

    # the TOPCon example: Chinese stages on MEE CO2-only factors, Viet Nam on Ember life cycle
    used = ["electricity_grid_CN-XJ", "electricity_grid_CN-SC", "electricity_grid_CN-JS", "electricity_grid_VN"]
    assert electricity_bases(used, bundle=bundle) == {
        "CO2 only, at generation": ["electricity_grid_CN-JS", "electricity_grid_CN-SC", "electricity_grid_CN-XJ"],
        "CO2-eq, life cycle": ["electricity_grid_VN"],
    }
    note = mixed_electricity_note(used, bundle=bundle)
    assert "different bases" in note and "electricity_grid_VN" in note and "\n" not in note
    assert mixed_electricity_note(used[:3], bundle=bundle) is None  # all Chinese: one basis
    assert mixed_electricity_note(["electricity_grid_VN", "electricity_lifecycle_CN_2024", "copper"], bundle=bundle) is None


def test_n_type_cells_take_the_miit_electricity_limit_per_watt_and_efficiency_minimum(bundle):
    # MIIT 光伏制造行业规范条件 (2024): n-type cell projects below 7万 kWh/MWp; n-type cells at least 25 %, p-type 23.2 %
    for technology in ("hjt", "bc"):  # no HJT or BC inventory in Götz et al. 2026: the limit stays
        electricity = bundle.process_default("cell", technology, "electricity")
        assert electricity.value.to("kWh/W").magnitude == pytest.approx(70000 / 1e6, rel=1e-12)
        assert electricity.quality.split(",")[0] == "4"  # a regulatory limit, not a measured average
    for technology in ("topcon", "hjt", "bc"):
        assert bundle.process_default("cell", technology, "efficiency").value.to("").magnitude == pytest.approx(0.25)
    assert bundle.process_default("cell", "perc", "efficiency").value.to("").magnitude == pytest.approx(0.232)


def test_goetz_2026_defaults_are_the_numbers_of_the_source(bundle):
    """Götz et al. 2026 (IEA PVPS T12-33:2026) as transcribed in premise 2.5.2 lci-PV-2026.xlsx, CN activities:
    the amounts below are copied from the spreadsheet and recombined here, independently of processes.csv."""
    def value(stage, technology, parameter, unit):
        default = bundle.process_default(stage, technology, parameter)
        assert "T12-33:2026" in default.source and "premise 2.5.2" in default.source
        return default.value.to(unit).magnitude

    assert value("cell", "perc", "electricity", "kWh/m**2") == pytest.approx(9.69, rel=1e-9)
    # TOPCon: the simulated dataset (row 3390, column AV, B3434 and B3435), not the 2018 cost model of the industry
    # datasets (LPCVD 16.5873786407767, PECVD 19.8942804428044 kWh/m2): docs/inventories.md, "TOPCon cell electricity"
    assert value("cell", "topcon", "electricity", "kWh/m**2") == pytest.approx(11.01252862660651, rel=1e-12)
    assert value("cell", "topcon", "heat", "MJ/m**2") == pytest.approx(2.51, rel=1e-12)
    assert bundle.process_default("cell", "topcon", "electricity").year == 2024
    assert "simulated" in bundle.process_default("cell", "topcon", "electricity").note
    # silver = front paste x 0.8383 + back paste x 0.6767 (X-paste, columns L and P), mean of LPCVD and PECVD
    lp = 0.00150425161812298 * 0.8383 + 0.00143296116504854 * 0.6767
    pe = 0.00187232472324723 * 0.8383 + 0.00147435424354244 * 0.6767
    assert value("cell", "topcon", "material:silver", "kg/m**2") == pytest.approx((lp + pe) / 2, rel=1e-8)
    assert value("cell", "topcon", "yield", "") == pytest.approx(1 / ((1.08 + 1.1) / 2), rel=1e-6)
    assert value("cell", "perc", "yield", "") == pytest.approx(1 / 1.09, rel=1e-6)
    # the silicon loop (Cz ingot, brick, recycled silicon; CN): per kg of squared ingot (brick)
    pulled_per_brick = 1.81176827886474  # kg pulled ingot per kg brick (brick B1539)
    virgin, recycled = 0.584057797125913, 0.5410597168339  # kg per kg pulled (ingot B1273, B1274)
    # ingot: pulling 13.0874019701814 kWh/kg pulled, squaring 0.5662114260352997 kWh/kg brick, recycling 0.255250099333836 kWh/kg
    assert value("ingot", "any", "electricity", "kWh/kg") == pytest.approx(
        pulled_per_brick * 13.0874019701814 + 0.5662114260352997 + pulled_per_brick * recycled * 0.255250099333836, rel=1e-8)
    assert value("ingot", "any", "polysilicon", "kg/kg") == pytest.approx(pulled_per_brick * virgin, rel=1e-8)
    assert value("wafer", "any", "ingot_utilisation", "") == 1  # the offcuts return to the melt: the net loss is in the line above
    # polysilicon (X-SoG-Si): modified Siemens column P, FBR column AF
    assert value("polysilicon", "siemens", "electricity", "kWh/kg") == pytest.approx(52.6614643545279, rel=1e-12)
    assert value("polysilicon", "siemens", "heat", "MJ/kg") == pytest.approx(21.4023121387283, rel=1e-12)
    assert value("polysilicon", "siemens", "mg_silicon", "kg/kg") == pytest.approx(1.077544739884388, rel=1e-12)
    assert value("polysilicon", "fbr", "electricity", "kWh/kg") == pytest.approx(10.8325, rel=1e-12)
    assert value("polysilicon", "fbr", "heat", "MJ/kg") == pytest.approx(24.039358974359, rel=1e-12)
    assert value("polysilicon", "fbr", "mg_silicon", "kg/kg") == pytest.approx(1.15302135899974, rel=1e-12)
    # what the defaults leave out is said where the result shows it (the locator): steam, SiCl4, ethanol and HF
    assert "6.38728323699422 kg of steam" in bundle.process_default("polysilicon", "siemens", "heat").locator
    assert "NOT INCLUDED: the 0.840975868875093 kg of silicon tetrachloride" in bundle.process_default("polysilicon", "fbr", "electricity").locator
    assert value("wafer", "any", "electricity", "kWh/m**2") == pytest.approx(0.0366498891765379 + 2.21507868383405, rel=1e-8)
    assert value("module", "glass-glass", "material:copper", "kg/m**2") == pytest.approx(0.1017397303128371, rel=1e-6)
    assert value("module", "glass-backsheet", "material:copper", "kg/m**2") == pytest.approx(0.1025, rel=1e-12)
    solder = 0.00604176990569159  # kg Sn63Pb37 per m2 of the TOPCon bifacial panel
    assert value("module", "glass-glass", "material:tin", "kg/m**2") == pytest.approx(0.63 * solder, rel=1e-8)
    assert value("module", "glass-glass", "material:lead", "kg/m**2") == pytest.approx(0.37 * solder, rel=1e-8)
    assert value("module", "glass-glass", "material:solar_glass", "kg/m**2") == pytest.approx(10.0922114347357, rel=1e-8)
    assert value("module", "glass-glass", "electricity", "kWh/m**2") == pytest.approx(3.04208198489752, rel=1e-8)
    assert value("module", "glass-backsheet", "electricity", "kWh/m**2") == pytest.approx(3.6, rel=1e-12)
    assert value("cell", "topcon", "emission:hfc134a", "kg/m**2") == pytest.approx(3.11883629191321e-05, rel=1e-8)
    # PERC silver stays Zhang et al. 2021 (front and rear): the source's PERC cell has front silver paste only
    assert "Zhang" in bundle.process_default("cell", "perc", "material:silver").source
    assert bundle.process_default("module", "any", "material:copper") is None  # each module technology has its own


def test_a_cell_without_electricity_and_efficiency_takes_the_defaults():
    from footprint.model import build_chain, parse_product

    data = yaml.safe_load((ROOT / "examples" / "hjt-glass-glass-anhui.yaml").read_text(encoding="utf-8"))
    data["stages"]["cell"].pop("electricity", None)
    data["stages"]["cell"].pop("efficiency")
    chain = build_chain(parse_product(yaml.safe_dump(data, allow_unicode=True), source="p.yaml"), read_bundle())
    watts = 441.0e-4 * 0.25 * 1000  # G12 wafer area of the file x default 25 % x 1000 W/m2
    flows = {flow.target: flow for flow in chain.processes["cell"].flows}
    grid = chain.processes["cell"].electricity_dataset
    assert flows[grid].amount == pytest.approx(0.07 * watts, rel=1e-12)
    assert not flows[grid].provenance.primary
    assert "光伏制造行业规范条件" in flows[grid].provenance.source


@pytest.mark.parametrize("name, technology, cm2", [("M10", "m10", 182 * 182 / 100), ("182 mm", "m10", 331.24), ("g12", "g12", 441.0),
                                                   ("G12R", "g12r", 182 * 210 / 100), ("182 × 210 mm", "g12r", 382.2)])
def test_wafer_formats_by_name(bundle, name, technology, cm2):
    from footprint.bundle.read import wafer_format

    found, default = wafer_format(name, bundle=bundle)
    assert found == technology
    assert default.value.to("cm**2").magnitude == pytest.approx(cm2, rel=1e-12)
    assert default.source and default.locator


def test_an_unknown_wafer_format_is_refused(bundle):
    from footprint.bundle.read import wafer_format
    from footprint.errors import InputError

    with pytest.raises(InputError, match=r"wafer format 'M12' is not known; expected one of G12, G12R, M10"):
        wafer_format("M12", bundle=bundle)


def test_a_wafer_format_as_the_wafer_technology_gives_the_area():
    from footprint.model import build_chain, parse_product

    data = yaml.safe_load((ROOT / "examples" / "perc-glass-backsheet-jiangsu.yaml").read_text(encoding="utf-8"))
    data["stages"]["wafer"].pop("wafer_area")
    data["stages"]["wafer"]["technology"] = "m10"
    chain = build_chain(parse_product(yaml.safe_dump(data, allow_unicode=True), source="p.yaml"), read_bundle())
    area, provenance = chain.processes["wafer"].parameters["wafer_area"]
    assert area.to("cm**2").magnitude == pytest.approx(331.24)
    assert not provenance.primary and "ITRPV" in provenance.source


def test_stage_technologies_are_known(bundle):
    assert bundle.known_technologies("wafer") == ["diamond-wire", "g12", "g12r", "m10"]
    assert bundle.known_technologies("cell") == ["bc", "hjt", "perc", "topcon"]
    assert bundle.known_technologies("module") == ["glass-backsheet", "glass-glass"]
    assert bundle.known_technologies("polysilicon") == ["fbr", "siemens"]


def test_inventories_dir_can_be_overridden(tmp_path, monkeypatch):
    copy = tmp_path / "inv"
    shutil.copytree(INVENTORIES, copy)
    monkeypatch.setenv("FOOTPRINT_INVENTORIES", str(copy))
    assert data_dir("inventories") == copy.resolve()
    assert read_bundle().directory == copy.resolve()
    monkeypatch.setenv("FOOTPRINT_INVENTORIES", str(tmp_path / "nowhere"))
    with pytest.raises(SetupError, match="FOOTPRINT_INVENTORIES="):
        data_dir("inventories")


# --- broken files ------------------------------------------------------------------------------------


def _broken_copy(tmp_path, name, old, new):
    """A copy of inventories/ with one row of ``name`` edited; returns (directory, line number)."""
    copy = tmp_path / "inv"
    shutil.copytree(INVENTORIES, copy)
    path = copy / name
    lines = path.read_text(encoding="utf-8").split("\n")
    (index,) = [i for i, line in enumerate(lines) if old in line][:1]
    lines[index] = lines[index].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    return copy, index + 1


BROKEN = [
    ("bad unit", "materials.csv", "silver,\"silver, global supply mix\",kg,", "silver,\"silver, global supply mix\",kilobananas,", "column unit"),
    ("bad flow unit", "materials.csv", "co2e_aggregated,196,kg,", "co2e_aggregated,196,kWh,", "column flow_unit"),
    ("missing source", "materials.csv", "\"Nuss P., Eckelman M.J., Life Cycle Assessment of Metals: A Scientific Synthesis, PLoS ONE 9(7):e101298 (2014)\",\"Supporting Information S1, Table S38, Ag",
     ",\"Supporting Information S1, Table S38, Ag", "column source: empty"),
    ("missing year", "electricity_china.csv", "0.5827,kg,2023,", "0.5827,kg,,", "column year: empty"),
    ("bad pedigree", "transport.csv", "0.10012,kg,2025,\"UK DESNZ, Greenhouse gas reporting: conversion factors 2025 (flat file)\",Freighting goods > HGV (all diesel) > All HGVs > Average laden > tonne.km (ID 27_304_3140_14_1): CO2 0.10012 kg,\"3,2,1,3,2\"",
     "0.10012,kg,2025,\"UK DESNZ, Greenhouse gas reporting: conversion factors 2025 (flat file)\",Freighting goods > HGV (all diesel) > All HGVs > Average laden > tonne.km (ID 27_304_3140_14_1): CO2 0.10012 kg,\"3,2,1,3\"", "column quality"),
    ("dangling reference", "electricity_defaults.csv", "electricity,electricity_co2_CN-JS_2023,1,kWh", "electricity,electricity_co2_CN-JS_2032,1,kWh", "'electricity_co2_CN-JS_2032' is neither a gas"),
    ("CO2-only row with methane", "electricity_china.csv", "electricity,co2_fossil,0.5827,kg,2023", "electricity,ch4_fossil,0.5827,kg,2023", "a CO2-only factor emits CO2 only"),
    ("duplicate dataset", "electricity_world.csv", "electricity_co2_IN_2023,", "electricity_co2_CN-JS_2023,", "already defined in electricity_china.csv"),
    ("default of an unknown material", "processes.csv", "module,any,material:ldpe,", "module,any,material:eva_unknown,", "material 'eva_unknown' is not a dataset"),
    ("default with a wrong unit", "processes.csv", "ingot,any,electricity,24.5277664,kWh/kg,", "ingot,any,electricity,24.5277664,kWh/m**2,", "expected kWh per kg"),
    ("default of an unknown technology", "processes.csv", "cell,topcon,material:silver,", "cell,topcorn,material:silver,", "'topcorn' is not a cell technology"),
    ("default without a unit", "processes.csv", "ingot,any,electricity,24.5277664,kWh/kg,", "ingot,any,electricity,24.5277664,,",
     "column unit: got no unit (a plain number) for ingot/electricity; expected kWh per kg"),
    ("fraction with a unit", "processes.csv", "module,any,yield,0.97,,", "module,any,yield,0.97,kWh,",
     "column unit: got 'kWh' for module/yield; expected no unit (a plain number)"),
    ("missing locator", "materials.csv", "\"Supporting Information S1, Table S38, Ag total (95% bounds 164-234)\"", "", "column locator: empty"),
    ("vague locator", "processes.csv", "\"mod_MFG_eff, row 2022 (97 %)\"", "n/a", "column locator: got 'n/a'"),
    ("vague locator of a yield", "specific_yield.csv", "\"report_yields.DE.roof = 922; the same number in lci-PV-2026.xlsx sheet X-elec-RER, column AJ (comment: Annual rooftop yield (kWh/kWp): 922)\"",
     "unknown", "column locator: got 'unknown'"),
    ("yield without a year", "specific_yield.csv", "DE,roof,922,kWh/kWp/year,2018,", "DE,roof,922,kWh/kWp/year,,", "column year: empty"),
]


@pytest.mark.parametrize("label, name, old, new, expected", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_names_file_row_and_problem(tmp_path, label, name, old, new, expected):
    directory, line = _broken_copy(tmp_path, name, old, new)
    with pytest.raises(DataError) as info:
        read_bundle(directory)
    message = str(info.value)
    assert expected in message
    if label != "duplicate dataset":
        assert message.startswith(f"{name} row {line}")
    else:
        assert message.startswith(f"{name} row {line}, column dataset")
    assert "\n" not in message


def test_background_loop_is_refused(tmp_path):
    directory, _ = _broken_copy(tmp_path, "energy.csv", "coal_supply_upstream,\"hard coal, industrial, upstream supply (well to tank), per kWh of fuel (net calorific value)\",kWh,GLO,fuel,co2e_aggregated,0.05925,kg,",
                                "coal_supply_upstream,\"hard coal, industrial, upstream supply (well to tank), per kWh of fuel (net calorific value)\",kWh,GLO,fuel,heat_coal,1,MJ,")
    with pytest.raises(DataError, match=r"^energy.csv row \d+, column flow: datasets consume each other in a loop \((heat_coal -> coal_supply_upstream -> heat_coal|coal_supply_upstream -> heat_coal -> coal_supply_upstream)\)"):
        read_bundle(directory)


def _appended_copy(tmp_path, name, dataset, *, right_after=False):
    """A copy of inventories/ with the first row of ``dataset`` in ``name`` repeated; returns (directory, its line)."""
    copy = tmp_path / "inv"
    shutil.copytree(INVENTORIES, copy)
    path = copy / name
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    (index,) = [i for i, line in enumerate(lines) if line.startswith(dataset + ",")][:1]
    if right_after:
        lines.insert(index + 1, lines[index])
        line = index + 2
    else:
        lines.append(lines[index])
        line = len(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return copy, line, index + 1


@pytest.mark.parametrize("name, dataset", [("materials.csv", "pet"), ("transport.csv", "transport_truck")])
def test_a_dataset_repeated_later_in_its_file_is_refused(tmp_path, name, dataset):
    # it would add its exchanges to the first block and double the factor
    directory, line, first = _appended_copy(tmp_path, name, dataset)
    with pytest.raises(DataError) as info:
        read_bundle(directory)
    assert str(info.value).startswith(f"{name} row {line}, column dataset: '{dataset}' is already defined above ({name} row {first})")


@pytest.mark.parametrize("name, dataset", [("materials.csv", "pet"), ("transport.csv", "transport_truck")])
def test_a_repeated_flow_within_a_dataset_is_refused(tmp_path, name, dataset):
    directory, line, first = _appended_copy(tmp_path, name, dataset, right_after=True)
    with pytest.raises(DataError) as info:
        read_bundle(directory)
    message = str(info.value)
    assert message.startswith(f"{name} row {line}, column flow: {dataset} already has a row of flow")
    assert f"({name} row {first})" in message


def test_setup_with_a_broken_inventory_fails_naming_file_and_row(tmp_path, monkeypatch):
    directory, line = _broken_copy(tmp_path, "materials.csv", "co2e_aggregated,196,kg,", "co2e_aggregated,196,kWh,")
    monkeypatch.setenv("FOOTPRINT_INVENTORIES", str(directory))
    result = invoke("setup", home=tmp_path / "home")
    assert result.returncode == 1
    assert f"materials.csv row {line}, column flow_unit" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "home" / "installed.json").exists()


# --- sources and their terms (inventories/SOURCES.md) -----------------------------------------------


def _sources_table():
    """(source prefix, files, terms) of every entry of inventories/SOURCES.md's table."""
    page = (INVENTORIES / "SOURCES.md").read_text(encoding="utf-8")
    table = page.split("<!-- sources: source | files | terms | attribution and notes -->", 1)[1].split("<!-- end sources -->", 1)[0]
    entries = []
    for line in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 4, line
        entries.append((cells[0], {name.strip() for name in cells[1].split(",")}, cells[2]))
    return entries


def test_every_row_s_source_is_listed_in_sources_with_its_terms():
    entries = _sources_table()
    assert all(terms for _, _, terms in entries)
    cited = {prefix: set() for prefix, _, _ in entries}
    for path in sorted(INVENTORIES.glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            if "source" not in next(csv.reader(handle)):
                continue
        for line, row in _data_rows(path):
            matches = [prefix for prefix, _, _ in entries if row["source"].startswith(prefix)]
            assert len(matches) == 1, f"{path.name} row {line}: source {row['source'][:80]!r} matches {matches} in SOURCES.md"
            cited[matches[0]].add(path.name)
    for prefix, files, _ in entries:
        assert cited[prefix] == files, f"SOURCES.md {prefix!r}: listed for {sorted(files)}, cited in {sorted(cited[prefix])}"


def test_the_goetz_figures_are_listed_under_their_own_licence_not_premise_s():
    (terms,) = [terms for prefix, _, terms in _sources_table() if prefix.startswith("Götz M. et al.")]
    assert terms == "CC BY-NC-SA 4.0"
    for path in (ROOT / "README.md", INVENTORIES / "README.md", ROOT / "docs" / "calculator.md", ROOT / "docs" / "inventories.md"):
        text = path.read_text(encoding="utf-8")
        assert "BSD-licensed premise" not in text and "no ecoinvent or other licensed data" not in text, path


def test_a_topcon_cell_books_the_n2o_its_deposition_uses_as_emitted(bundle):
    row = bundle.process_default("cell", "topcon", "emission:n2o")
    # Götz et al. 2026 via premise 2.5.2 lci-PV-2026.xlsx B2833 (LPCVD) and B2897 (PECVD), routes 50/50
    assert row.value.to("kg/m**2").magnitude == pytest.approx((0.00655854368932039 + 0.00902730627306273) / 2, rel=1e-9)
    assert "emitted fraction 1" in row.note and "AMEE" in row.note
    assert bundle.process_default("cell", "perc", "emission:n2o") is None  # the source lists no N2O for its measured PERC


def test_chemicals_are_the_numbers_of_their_public_sources(bundle):
    """inventories/chemicals.csv: each amount as read in its source, typed here from the source, not from the file.

    Götz et al. 2026 via premise 2.5.2 lci-PV-2026.xlsx (sheet Inventory; Excel cells named in each row's locator) and
    USLCI (FLCAC-admin/uslci-content, openLCA JSON-LD processes and the fy21 EcoSpold01 export).
    """
    def amounts(dataset):
        return {exchange.flow: exchange.amount for exchange in bundle.datasets[dataset].exchanges}

    grid = "electricity_lifecycle_CN_2024"
    assert amounts("nitrogen_trifluoride") == {grid: 43.0, "heat_natural_gas": 0.07, "nf3": 0.012}  # B17, B16, B25 (X-NF3)
    silane = amounts("silane")  # X-silane: B348, B347, B350; metallurgical silicon 1 kg (B345) as the mg_silicon defaults
    assert silane == {grid: 25.0 + 11.0, "heat_natural_gas": 179.35952, "hydrogen_syngas": 0.084242619825, "co2_fossil": 4.85}
    assert amounts("hydrogen_fluoride") == {grid: 2.55918955122285, "heat_natural_gas": 1.1235, "sulfuric_acid": 5.5}  # X-fluor
    assert amounts("sulfuric_acid") == {grid: 0.0661375661375661}  # USLCI 'Sulfuric acid, at plant'
    assert amounts("oxygen_liquid") == {grid: 0.138007054673721}  # USLCI 'Oxygen, liquid, at plant'
    assert amounts("hydrogen_syngas") == {"co2_fossil": 8.0, grid: 0.316, "natural_gas_boiler_m3": 0.0703}
    assert amounts("sodium_hydroxide_50pct") == {grid: 0.6 + 0.613, "natural_gas_boiler_m3": 0.0763}  # grid + cogeneration
    assert amounts("natural_gas_boiler_m3") == {"co2_fossil": 1.96, "ch4_fossil": 3.6017e-05, "n2o": 3.6017e-05}
    for dataset in ("nitrogen_trifluoride", "silane", "hydrogen_fluoride", "sulfuric_acid", "oxygen_liquid", "hydrogen_syngas",
                    "sodium_hydroxide_50pct"):
        assert bundle.datasets[dataset].file == "chemicals.csv" and bundle.datasets[dataset].unit == "kg"
        # no default amount: no stage takes a chemical unless the product file names it
        assert not [d for d in bundle.processes if d.parameter == f"material:{dataset}"]
    # no USLCI dataset adapted from ecoinvent (hydrochloric acid) is bundled
    assert not [d for d in bundle.datasets if "hydrochloric" in d or "hcl" in d.lower()]


def test_a_cell_takes_a_chemical_with_its_own_amount():
    from footprint.model import build_chain, parse_product

    data = yaml.safe_load((ROOT / "examples" / "topcon-glass-glass-vietnam.yaml").read_text(encoding="utf-8"))
    data["stages"]["cell"]["materials"]["hydrogen_fluoride"] = "0.09 kg/m2"
    chain = build_chain(parse_product(yaml.safe_dump(data, allow_unicode=True), source="p.yaml"), read_bundle())
    flows = {flow.target: flow for flow in chain.processes["cell"].flows}
    assert flows["hydrogen_fluoride"].amount == pytest.approx(0.09 * 330.15e-4, rel=1e-12)  # x the file's wafer area
